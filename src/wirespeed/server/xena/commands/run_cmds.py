"""Port commands that run traffic: P_TRAFFIC (and C_TRAFFIC's start, which shares
:func:`start_ports`), the port's time and packet limits, the time since the start,
and the interframe gap that paces it."""

from __future__ import annotations

import logging
import time

from wirespeed.model import StreamEnable
from wirespeed.server.xena.commands.fields import as_enum, as_int, i32, i64, u8
from wirespeed.server.xena.commands.port_cmds import port_field
from wirespeed.server.xena.enums import TrafficState
from wirespeed.server.xena.session import XenaSession
from wirespeed.server.xena.state import ChassisState, RunRecord, Target
from wirespeed.server.xena.status import Status, XenaStatusError
from wirespeed.server.xena.stream_sync import prepare_port
from wirespeed.server.xena.table import CommandSpec, Guard, Scope
from wirespeed.server.xena.values import Value

__all__ = ["COMMANDS", "start_ports"]

log = logging.getLogger("wirespeed.xena")

_P = Scope.PORT
PREAMBLE_BYTES = 8  # preamble + SFD: the least P_INTERFRAMEGAP can be


def start_ports(c: ChassisState, ports: list[int]) -> None:
    """Validate every enabled stream of ``ports``, then start them together.

    Raises:
        XenaStatusError: NOTVALID naming the stream and the problem when a stream
            cannot be sent as configured (also logged).
    """
    for p in ports:
        prepare_port(c, p)
    runs = {p: _run_record(c, p) for p in ports}
    by_limit: dict[tuple[int, int], list[int]] = {}
    for p in ports:
        limits = (c.ports[p].tx_time_limit_us, c.ports[p].tx_packet_limit)
        by_limit.setdefault(limits, []).append(p)
    now = time.monotonic_ns()
    for (limit_us, frames), group in by_limit.items():
        c.tester.start_traffic(
            group,
            duration_s=limit_us / 1e6 if limit_us else None,
            packet_limit=frames if frames > 0 else None,
        )
        for p in group:
            c.ports[p].traffic_since_ns = now
            c.ports[p].run = runs[p]


def _run_record(c: ChassisState, p: int) -> RunRecord:
    line_bps = c.tester.ports[p].speed_bps
    pps = 0.0
    ppm = 0
    gap = c.ports[p].min_gap_bytes
    for draft in c.ports[p].streams.values():
        if draft.enable is StreamEnable.ON:
            s_ppm, s_pps, _ = draft.rates(line_bps, gap_bytes=gap)
            pps += s_pps
            ppm += s_ppm
    if ppm > 1_000_000:
        slot, k = c.place_of(p)
        log.warning("port %d/%d: the streams ask for %.2f%% of the nominal line rate",
                    slot, k, ppm / 1e4)  # fmt: skip
    tx = c.tester.port_stats(p, since_clear=False).tx_packets
    return RunRecord(time.monotonic_ns(), tx, pps, ppm)


def _set_traffic(
    c: ChassisState, s: XenaSession, t: Target, v: tuple[Value, ...]
) -> None:
    state = as_enum(TrafficState, v[0])
    if state is TrafficState.ON:
        if not c.traffic_on(t.port_index):
            start_ports(c, [t.port_index])
    elif state is TrafficState.OFF:
        c.tester.stop_traffic([t.port_index])
    else:
        raise XenaStatusError(Status.BADVALUE, "P_TRAFFIC is ON or OFF")


def _set_time_limit(
    c: ChassisState, s: XenaSession, t: Target, v: tuple[Value, ...]
) -> None:
    us = as_int(v[0])
    if us < 0:
        raise XenaStatusError(Status.BADVALUE, "time limit must be >= 0")
    c.ports[t.port_index].tx_time_limit_us = us


def _set_packet_limit(
    c: ChassisState, s: XenaSession, t: Target, v: tuple[Value, ...]
) -> None:
    frames = as_int(v[0])
    if frames < -1:
        raise XenaStatusError(Status.BADVALUE, "packet limit is -1, 0 or a count")
    c.ports[t.port_index].tx_packet_limit = frames


def _tx_time(c: ChassisState, s: XenaSession, t: Target) -> tuple[Value, ...]:
    since = c.ports[t.port_index].traffic_since_ns
    if since is None or not c.traffic_on(t.port_index):
        return (0,)
    return ((time.monotonic_ns() - since) // 1000,)


def _set_gap(c: ChassisState, s: XenaSession, t: Target, v: tuple[Value, ...]) -> None:
    gap = as_int(v[0])
    if gap < PREAMBLE_BYTES:
        raise XenaStatusError(
            Status.BADVALUE, f"the gap includes the {PREAMBLE_BYTES}-byte preamble"
        )
    c.ports[t.port_index].min_gap_bytes = gap


COMMANDS: list[CommandSpec] = [
    CommandSpec(
        "P_TRAFFIC",
        _P,
        get_fields=(u8("on_off", TrafficState),),
        getter=lambda c, s, t: (
            TrafficState.ON if c.traffic_on(t.port_index) else TrafficState.OFF,
        ),
        set_fields=(u8("on_off", TrafficState, start=1, stop=0),),
        setter=_set_traffic,
        help="start (ON) or stop (OFF) the port's enabled streams",
    ),
    CommandSpec(
        "P_TXTIMELIMIT",
        _P,
        get_fields=(i64("microseconds"),),
        getter=port_field("tx_time_limit_us"),
        set_fields=(i64("microseconds"),),
        setter=_set_time_limit,
        guard=Guard.IDLE,
        help="stop traffic after this many microseconds (0 = no limit)",
    ),
    CommandSpec(
        "P_TXPACKETLIMIT",
        _P,
        get_fields=(i32("packet_count_limit"),),
        getter=port_field("tx_packet_limit"),
        set_fields=(i32("packet_count_limit"),),
        setter=_set_packet_limit,
        guard=Guard.IDLE,
        help="stop after this many frames of all streams (0 or -1 = no limit)",
    ),
    CommandSpec(
        "P_TXTIME",
        _P,
        get_fields=(i64("microseconds"),),
        getter=_tx_time,
        help="microseconds since traffic started",
    ),
    CommandSpec(
        "P_INTERFRAMEGAP",
        _P,
        get_fields=(i32("min_byte_count"),),
        getter=port_field("min_gap_bytes"),
        set_fields=(i32("min_byte_count"),),
        setter=_set_gap,
        guard=Guard.IDLE,
        help="bytes between frames, preamble included (20; less sends faster)",
    ),
]
