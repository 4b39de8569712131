"""Traffic methods: start (with multiplier, duration, core mask, start time), stop,
pause, resume, update, and ``remove_rx_filters``."""

from __future__ import annotations

from wirespeed.errors import StateError, ValidationError
from wirespeed.server.trex.dispatch import Method, MethodTable
from wirespeed.server.trex.events import TrexEvent
from wirespeed.server.trex.frontend import TrexFrontEnd
from wirespeed.server.trex.multiplier import (
    TrexMultiplier,
    apply_op,
    decode_multiplier,
    to_service,
)
from wirespeed.server.trex.params import UINT64_MAX, Params
from wirespeed.server.trex.scheduler import PendingStart

__all__ = ["MAX_START_DELAY_S", "register"]

#: How far in the future ``start_at_ts`` may be.
MAX_START_DELAY_S = 10.0


def _start_traffic(fe: TrexFrontEnd, p: Params) -> object:
    port = fe.owned_port(p)
    fe.profile(p, port)
    if p.has("mul"):
        mul, op = decode_multiplier(p)
        if op != "abs":
            raise ValidationError("start needs op 'abs'", field="mul.op")
    else:
        mul = TrexMultiplier("raw", 1.0)
    duration = p.float("duration", default=-1.0)
    if duration == 0:
        raise ValidationError(
            "0 is not a duration (seconds > 0, or -1 for no limit)", field="duration"
        )
    duration_s = duration if duration > 0 else None
    force = p.bool("force", default=False)
    p.int("core_mask", default=UINT64_MAX, lo=1, hi=UINT64_MAX)
    start_at = p.float("start_at_ts", default=0.0, lo=0.0)
    if not fe.tester.streams(port):
        raise StateError(f"port {port} has no streams", port=port)
    state = fe.tester.port_state(port).name
    if state in ("TX", "PAUSE") and not force:
        raise StateError(f"port {port} is already transmitting", port=port)
    now = fe.clock()
    if start_at > now + MAX_START_DELAY_S:
        raise ValidationError(
            f"{start_at - now:.1f} s in the future; at most {MAX_START_DELAY_S:g} s",
            field="start_at_ts",
        )
    view = fe.views[port]
    if start_at > now:
        fe.scheduler.schedule(start_at, PendingStart(port, duration_s, mul, force))
    else:
        fe.scheduler.cancel(port)
        fe.tester.start_traffic(
            [port], duration_s=duration_s, multiplier=to_service(mul), force=force
        )
    view.multiplier = mul
    return {}


def _stop_traffic(fe: TrexFrontEnd, p: Params) -> object:
    port = fe.owned_port(p)
    fe.profile(p, port, allow_all=True)
    if fe.scheduler.cancel(port):
        fe.post(
            [
                (TrexEvent.PORT_STOPPED, {"port_id": port}),
                (TrexEvent.PROFILE_STOPPED, {"port_id": port, "profile_id": "_"}),
            ]
        )
    fe.tester.stop_traffic([port])
    fe.tester.settle()  # frames already received show in the next stats read
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
    change, op = decode_multiplier(p)
    p.bool("force", default=False)
    view = fe.views[port]
    new = apply_op(view.multiplier, change, op)
    fe.tester.update_traffic([port], to_service(new))
    view.multiplier = new
    return {}


def _remove_rx_filters(fe: TrexFrontEnd, p: Params) -> object:
    """Nothing to remove: the RX analyzer counts every TPLD frame all the time."""
    port = fe.owned_port(p)
    fe.profile(p, port, allow_all=True)
    return {}


def register(table: MethodTable) -> None:
    """Add this module's methods to ``table``."""
    table["start_traffic"] = Method(_start_traffic)
    table["stop_traffic"] = Method(_stop_traffic)
    table["pause_traffic"] = Method(_pause_traffic)
    table["resume_traffic"] = Method(_resume_traffic)
    table["update_traffic"] = Method(_update_traffic)
    table["remove_rx_filters"] = Method(_remove_rx_filters)
