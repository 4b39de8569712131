"""Capture commands (P_CAPTURE, PC_*): one RX capture per port, run by the tester's
captures (``tester.services``).

PC_TRIGGER starts ON only, and stops FULL (the first frames, up to the buffer's
``PortLimits.capture_frames``) or USERSTOP (the latest frames: a cyclic capture, as
Xena keeps them with an explicit stop criterion). PC_KEEP ALL, NOTPLD and TPLD (any
TID with index -1, else that TID) become the capture's filter
(:func:`wirespeed.tpld.tpld_filter`), its byte count the snap length (at least 64;
PC_PACKET cuts to the count). Criteria on FCS errors, payload errors or filters
(PF_*) are NOTSUPPORTED: a software port sees no FCS errors and has no PF_ filters.

PC_PACKET answers the frame with its FCS (the kernel removes it; it is computed)
when the whole frame was kept. PC_EXTRA answers the time it was received (ns since
2010-01-01), its latency if it carries a TPLD (-1 if not), the byte times from the
end of the previous frame to its start (0 for the first) and its length with FCS.
"""

from __future__ import annotations

import numpy as np

from wirespeed.capture import MIN_SNAPLEN, CapturedFrames
from wirespeed.errors import ValidationError
from wirespeed.packet import FCS_LEN, ethernet_fcs
from wirespeed.server.xena.commands.fields import as_enum, as_int, hexf, i32, i64, u8
from wirespeed.server.xena.enums import CaptureKeep, CaptureStart, CaptureStop, OnOff
from wirespeed.server.xena.session import XenaSession
from wirespeed.server.xena.state import (
    XENA_EPOCH_NS,
    CaptureXena,
    ChassisState,
    Target,
)
from wirespeed.server.xena.status import Status, XenaStatusError
from wirespeed.server.xena.table import CommandSpec, Scope
from wirespeed.server.xena.values import Value
from wirespeed.tpld import decode_any, latency_ns, tpld_filter

__all__ = ["COMMANDS", "drop_capture"]

_P = Scope.PORT
MAX_SNAPLEN = 65535
NA = -1


def _cap(c: ChassisState, t: Target) -> CaptureXena:
    return c.ports[t.port_index].capture


def _idle(c: ChassisState, t: Target) -> CaptureXena:
    cap = _cap(c, t)
    if cap.is_on:
        raise XenaStatusError(Status.NOTVALID, "capture is on (P_CAPTURE OFF first)")
    return cap


def _keep_filter(c: ChassisState, p: int, kind: CaptureKeep, index: int) -> str:
    """The capture filter of a PC_KEEP kind on port ``p``."""
    if kind is CaptureKeep.ALL:
        return ""
    if kind not in (CaptureKeep.NOTPLD, CaptureKeep.TPLD):
        raise XenaStatusError(
            Status.NOTSUPPORTED,
            f"PC_KEEP {kind.name}: ALL, NOTPLD or TPLD (no FCS errors reach a "
            "software port, and it has no PF_ filters)",
        )
    with_tpld = kind is CaptureKeep.TPLD
    tid = index if with_tpld and index >= 0 else None
    try:
        return tpld_filter(c.tester.ports[p].tpld_mode, with_tpld=with_tpld, tid=tid)
    except ValidationError as exc:
        status = Status.NOTSUPPORTED if exc.field == "tpld_mode" else Status.BADVALUE
        raise XenaStatusError(status, str(exc)) from exc


def _set_trigger(
    c: ChassisState, s: XenaSession, t: Target, v: tuple[Value, ...]
) -> None:
    cap = _idle(c, t)
    start, stop = as_enum(CaptureStart, v[0]), as_enum(CaptureStop, v[2])
    if start is not CaptureStart.ON:
        raise XenaStatusError(Status.NOTSUPPORTED, f"start trigger {start.name} (ON)")
    if stop not in (CaptureStop.FULL, CaptureStop.USERSTOP):
        raise XenaStatusError(
            Status.NOTSUPPORTED, f"stop trigger {stop.name} (FULL or USERSTOP)"
        )
    cap.start, cap.start_filter = start, as_int(v[1])
    cap.stop, cap.stop_filter = stop, as_int(v[3])


def _set_keep(c: ChassisState, s: XenaSession, t: Target, v: tuple[Value, ...]) -> None:
    cap = _idle(c, t)
    kind, index, count = as_enum(CaptureKeep, v[0]), as_int(v[1]), as_int(v[2])
    if count != -1 and not 1 <= count <= MAX_SNAPLEN:
        raise XenaStatusError(
            Status.BADVALUE, f"byte count -1 (whole frames) or 1..{MAX_SNAPLEN}"
        )
    _keep_filter(c, t.port_index, kind, index)
    cap.keep, cap.keep_index, cap.keep_bytes = kind, index, count


def drop_capture(c: ChassisState, p: int) -> None:
    """Stop and remove the port's capture (a new P_CAPTURE ON, P_RESET)."""
    cap = c.ports[p].capture
    if cap.capture_id is not None:
        c.tester.services.remove_capture(cap.capture_id)
    cap.capture_id, cap.is_on, cap.frames = None, False, None


def _set_capture(
    c: ChassisState, s: XenaSession, t: Target, v: tuple[Value, ...]
) -> None:
    p, cap = t.port_index, _cap(c, t)
    if as_enum(OnOff, v[0]) is OnOff.OFF:
        if cap.is_on and cap.capture_id is not None:
            c.tester.services.stop_capture(cap.capture_id)
        cap.is_on, cap.frames = False, None
        return
    expr = _keep_filter(c, p, cap.keep, cap.keep_index)  # the TPLD form may change
    drop_capture(c, p)
    cap.capture_id = c.tester.services.start_capture(
        p,
        filter=expr,
        limit_frames=c.profile.limits.capture_frames,
        snaplen=MAX_SNAPLEN if cap.keep_bytes < 0 else max(MIN_SNAPLEN, cap.keep_bytes),
        rx=True,
        tx=False,
        mode="cyclic" if cap.stop is CaptureStop.USERSTOP else "fixed",
    )
    cap.is_on = True


def _stats(c: ChassisState, s: XenaSession, t: Target) -> tuple[Value, ...]:
    cap = _cap(c, t)
    if cap.capture_id is None:
        return (0, 0, 0)
    info = c.tester.services.capture(cap.capture_id)
    full = (
        cap.stop is CaptureStop.FULL
        and info.stats.frames >= c.profile.limits.capture_frames
    )
    return (int(full), info.stats.frames, info.start_ns - XENA_EPOCH_NS)


def _frames(c: ChassisState, t: Target) -> tuple[CaptureXena, CapturedFrames, int]:
    """The capture's frames (read again while it may have more) and the index."""
    cap, i = _cap(c, t), t.indices[0]
    if cap.capture_id is None:
        raise XenaStatusError(Status.NOTVALID, "nothing captured (P_CAPTURE ON)")
    cyclic = cap.stop is CaptureStop.USERSTOP
    if cap.frames is None or (cap.is_on and (cyclic or i >= len(cap.frames))):
        kept = c.tester.services.capture(cap.capture_id).stats.frames
        frames = c.tester.services.read_capture(cap.capture_id)
        cap.frames = frames.tail(kept) if cyclic else frames.head(kept)
    if not 0 <= i < len(cap.frames):
        raise XenaStatusError(Status.BADINDEX, f"{len(cap.frames)} frames captured")
    return cap, cap.frames, i


def _packet(c: ChassisState, s: XenaSession, t: Target) -> tuple[Value, ...]:
    cap, frames, i = _frames(c, t)
    data = frames.frame(i)
    if frames.cap_len[i] == frames.orig_len[i]:
        data += ethernet_fcs(data)
    return (data[: cap.keep_bytes] if cap.keep_bytes >= 0 else data,)


def _latency(c: ChassisState, p: int, frames: CapturedFrames, i: int) -> int:
    data = np.frombuffer(frames.frame(i), dtype=np.uint8)[None, :]
    if frames.cap_len[i] != frames.orig_len[i] or not data.size:
        return NA  # the TPLD ends the frame: not kept
    mode = c.tester.ports[p].tpld_mode
    dec = decode_any(data, [data.shape[1]], mode)
    if not dec.valid[0]:
        return NA
    return int(latency_ns(int(frames.ts_ns[i]), dec.ts_ns, mode)[0])


def _extra(c: ChassisState, s: XenaSession, t: Target) -> tuple[Value, ...]:
    _, frames, i = _frames(c, t)
    ts, size = int(frames.ts_ns[i]), int(frames.orig_len[i]) + FCS_LEN
    gap = 0
    if i > 0:
        byte_ns = 8e9 / c.tester.ports[t.port_index].speed_bps
        gap = max(0, round((ts - int(frames.ts_ns[i - 1])) / byte_ns) - size)
    latency = _latency(c, t.port_index, frames, i)
    return (ts - XENA_EPOCH_NS, latency, gap, size)


_TRIGGER = (i32("start_criteria", CaptureStart), i32("start_criteria_filter"),
            i32("stop_criteria", CaptureStop), i32("stop_criteria_filter"))  # fmt: skip
_KEEP = (i32("kind", CaptureKeep), i32("index"), i32("byte_count"))
COMMANDS: list[CommandSpec] = [
    CommandSpec("P_CAPTURE", _P, get_fields=(u8("on_off", OnOff),),
                getter=lambda c, s, t: (OnOff(_cap(c, t).is_on),),
                set_fields=(u8("on_off", OnOff, start=1, stop=0),),
                setter=_set_capture, help="capture received frames (ON/OFF)"),
    CommandSpec("PC_TRIGGER", _P, get_fields=_TRIGGER,
                getter=lambda c, s, t: (
                    _cap(c, t).start, _cap(c, t).start_filter, _cap(c, t).stop,
                    _cap(c, t).stop_filter),
                set_fields=_TRIGGER, setter=_set_trigger,
                help="start ON; stop FULL (first frames) or USERSTOP (latest)"),
    CommandSpec("PC_KEEP", _P, get_fields=_KEEP,
                getter=lambda c, s, t: (
                    _cap(c, t).keep, _cap(c, t).keep_index, _cap(c, t).keep_bytes),
                set_fields=_KEEP, setter=_set_keep,
                help="ALL, NOTPLD or TPLD (index: TID, -1 any); bytes kept (-1 all)"),
    CommandSpec("PC_STATS", _P, get_fields=(i64("status"), i64("packets"),
                                            i64("start_time")),
                getter=_stats, help="buffer full (1), frames, start (ns since 2010)"),
    CommandSpec("PC_PACKET", _P, 1, get_fields=(hexf("hex_data"),), getter=_packet,
                help="a captured frame's bytes (with FCS when kept whole)"),
    CommandSpec("PC_EXTRA", _P, 1,
                get_fields=(i64("time_captured"), i64("latency"),
                            i64("byte_time_count"), i32("length")),
                getter=_extra,
                help="time (ns since 2010), latency, gap in byte times, length"),
]  # fmt: skip
