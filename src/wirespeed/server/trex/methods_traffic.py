"""Traffic methods: start (with multiplier, duration, core mask, start time), stop,
pause, resume, update (of the port or of some of its streams), and
``remove_rx_filters``."""

from __future__ import annotations

from wirespeed.errors import StateError, ValidationError
from wirespeed.model import Stream, StreamEnable
from wirespeed.server.trex.dispatch import Method, MethodTable
from wirespeed.server.trex.frontend import TrexFrontEnd
from wirespeed.server.trex.multiplier import decode_multiplier
from wirespeed.server.trex.params import UINT64_MAX, Params
from wirespeed.server.trex.status import cores_per_port
from wirespeed.service import Multiplier, MultiplierOp

__all__ = ["MAX_START_DELAY_S", "register"]

#: How far in the future ``start_at_ts`` may be.
MAX_START_DELAY_S = 10.0


def _running_streams(fe: TrexFrontEnd, port: int) -> dict[int, Stream]:
    """The streams a start runs (every stream that is not switched off)."""
    return {
        sid: s
        for sid, s in fe.tester.streams(port).items()
        if s.enabled is not StreamEnable.OFF
    }


def _core_mask(fe: TrexFrontEnd, p: Params, port: int) -> None:
    """TRex's rule: the mask must select at least one of the port's cores."""
    mask = p.int("core_mask", default=UINT64_MAX, lo=0, hi=UINT64_MAX)
    cores = cores_per_port(fe)
    if mask & ((1 << cores) - 1) == 0:
        bits = "bit 0" if cores == 1 else f"bits 0..{cores - 1}"
        raise ValidationError(
            f"{mask:#x} selects none of the {cores} data-plane core(s) of port "
            f"{port} ({bits})",
            field="core_mask",
        )


def _start_checks(fe: TrexFrontEnd, port: int, force: bool) -> dict[int, Stream]:
    streams = _running_streams(fe, port)
    if not streams:
        raise StateError(f"port {port} has no streams", port=port)
    state = fe.tester.port_state(port).name
    if state in ("TX", "PAUSE") and not force:
        raise StateError(f"port {port} is already transmitting", port=port)
    if not force and not fe.tester.ports[port].link_up:
        raise StateError(
            f"port {port}: link is down (start with force to send anyway)", port=port
        )
    return streams


def _start_traffic(fe: TrexFrontEnd, p: Params) -> object:
    port = fe.owned_port(p)
    fe.profile(p, port)
    mul = decode_multiplier(p) if p.has("mul") else Multiplier.raw(1.0)
    duration = p.float("duration", default=-1.0)
    if duration == 0:
        raise ValidationError(
            "0 is not a duration (seconds > 0, or -1 for no limit)", field="duration"
        )
    duration_s = duration if duration > 0 else None
    force = p.bool("force", default=False)
    _core_mask(fe, p, port)
    start_at = p.float("start_at_ts", default=0.0, lo=0.0)
    now = fe.clock()
    if start_at > now + MAX_START_DELAY_S:
        raise ValidationError(
            f"{start_at - now:.1f} s in the future; at most {MAX_START_DELAY_S:g} s",
            field="start_at_ts",
        )
    _start_checks(fe, port, force)
    # a start time ahead: the port is started now (TX, as on TRex) and its sender
    # waits for that wall-clock time (the server clock is the wall clock)
    fe.tester.start_traffic(
        [port],
        duration_s=duration_s,
        multiplier=mul,
        force=force,
        start_at_ns=round(start_at * 1e9) if start_at > now else None,
    )
    return {}


def _stop_traffic(fe: TrexFrontEnd, p: Params) -> object:
    port = fe.owned_port(p)
    fe.profile(p, port, allow_all=True)
    fe.tester.stop_traffic([port])  # returns with what was received counted
    return {}


def _pause_traffic(fe: TrexFrontEnd, p: Params) -> object:
    port = fe.owned_port(p)
    fe.profile(p, port)
    fe.tester.pause([port])
    return {}


def _resume_traffic(fe: TrexFrontEnd, p: Params) -> object:
    port = fe.owned_port(p)
    fe.profile(p, port)
    fe.tester.resume([port])
    return {}


def _update_traffic(fe: TrexFrontEnd, p: Params) -> object:
    port = fe.owned_port(p)
    fe.profile(p, port)
    mul = decode_multiplier(p)
    force = p.bool("force", default=False)
    if fe.tester.port_state(port).name not in ("TX", "PAUSE"):
        raise StateError(f"port {port} is not transmitting", port=port)
    fe.tester.update_traffic([port], mul, force=force)
    return {}


def _stream_ids(fe: TrexFrontEnd, p: Params, port: int) -> list[int]:
    ids = p.int_list("stream_ids")
    if not ids:
        raise ValidationError("name at least one stream", field="stream_ids")
    streams = fe.tester.streams(port)
    for sid in ids:
        if sid not in streams:
            raise ValidationError(
                f"stream {sid} does not exist on port {port}", field="stream_ids"
            )
    return ids


def _pause_streams(fe: TrexFrontEnd, p: Params) -> object:
    port = fe.owned_port(p)
    fe.profile(p, port)
    fe.tester.pause_streams(port, _stream_ids(fe, p, port))
    return {}


def _resume_streams(fe: TrexFrontEnd, p: Params) -> object:
    port = fe.owned_port(p)
    fe.profile(p, port)
    fe.tester.resume_streams(port, _stream_ids(fe, p, port))
    return {}


def _update_streams(fe: TrexFrontEnd, p: Params) -> object:
    """Each named stream gets the rate the multiplier gives it alone (as on TRex:
    its own factor, absolute only, whatever the port's factor does later)."""
    port = fe.owned_port(p)
    fe.profile(p, port)
    mul = decode_multiplier(p)
    if mul.op is not MultiplierOp.ABS:
        raise ValidationError(
            "updating streams takes an absolute multiplier", field="mul.op"
        )
    force = p.bool("force", default=False)
    fe.tester.update_streams(port, _stream_ids(fe, p, port), mul, force=force)
    return {}


def _remove_rx_filters(fe: TrexFrontEnd, p: Params) -> object:
    """Nothing to remove: the RX analyzer counts every TPLD frame all the time.

    As on TRex, only valid once the port no longer transmits."""
    port = fe.owned_port(p)
    fe.profile(p, port, allow_all=True)
    if fe.tester.port_state(port).name in ("TX", "PAUSE"):
        raise StateError(
            f"port {port} is transmitting (stop it before removing RX filters)",
            port=port,
        )
    return {}


def register(table: MethodTable) -> None:
    """Add this module's methods to ``table``."""
    table["start_traffic"] = Method(_start_traffic)
    table["stop_traffic"] = Method(_stop_traffic)
    table["pause_traffic"] = Method(_pause_traffic)
    table["resume_traffic"] = Method(_resume_traffic)
    table["update_traffic"] = Method(_update_traffic)
    table["pause_streams"] = Method(_pause_streams)
    table["resume_streams"] = Method(_resume_streams)
    table["update_streams"] = Method(_update_streams)
    table["remove_rx_filters"] = Method(_remove_rx_filters)
