"""Statistics commands (PT_*, PR_*): every number comes from the tester's counters.

Byte counts include the 4-byte FCS, as on a Xena port. Rates are those the tester
measured over the last second; nothing is derived from the configured rate. The
EXT forms add the bytes/s of the last second. PR_TOTALEXT is not implemented: its
oversize, undersize and jabber counts are nothing wirespeed's receivers measure.
"""

from __future__ import annotations

import logging
from typing import Any

from wirespeed.analysis.stats import JitterStats, LatencyStats, TidStats
from wirespeed.server.xena.commands.fields import i32s, i64x
from wirespeed.server.xena.session import XenaSession
from wirespeed.server.xena.state import ChassisState, Target
from wirespeed.server.xena.status import Status, XenaStatusError
from wirespeed.server.xena.table import CommandSpec, Getter, Scope
from wirespeed.server.xena.values import Value

__all__ = ["COMMANDS"]

log = logging.getLogger("wirespeed.xena")
_P = Scope.PORT
_FOUR = ("bit_count_last_sec", "packet_count_last_sec", "byte_count_since_cleared",
         "packet_count_since_cleared")  # fmt: skip
_FIVE = ("bit_count_last_sec", "byte_count_last_sec", "packet_count_last_sec",
         "byte_count_since_cleared", "packet_count_since_cleared")  # fmt: skip
_LAT = ("min_val", "avg_val", "max_val", "avg_last_sec", "min_last_sec", "max_last_sec")
NA = -1


def _i(value: Any) -> int:
    return int(value) if value is not None else 0


def _tx_total(c: ChassisState, s: XenaSession, t: Target) -> tuple[Value, ...]:
    st = c.tester.port_stats(t.port_index)
    return (_i(st.tx_bps_l2), _i(st.tx_pps), _i(st.tx_bytes), _i(st.tx_packets))


def _tx_notpld(c: ChassisState, s: XenaSession, t: Target) -> tuple[Value, ...]:
    st = c.tester.port_stats(t.port_index)
    return (
        _i(st.tx_notpld_bps_l2),
        _i(st.tx_notpld_pps),
        _i(st.tx_notpld_bytes),
        _i(st.tx_notpld_packets),
    )


def _tx_stream(c: ChassisState, s: XenaSession, t: Target) -> tuple[Value, ...]:
    c.draft(t)
    st = c.tester.stream_tx_stats(t.port_index, t.indices[0])
    return (_i(st.bps_l2), _i(st.pps), _i(st.bytes), _i(st.packets))


def _service(c: ChassisState, t: Target, side: str) -> tuple[int, int, int, int]:
    """ARP requests and replies, ping requests and replies the port's services
    sent or received (``side`` "tx"/"rx") since the last clear; NDP counts as ARP
    and IPv6 echoes as ping, as Xena names them (P_ARPV6REPLY, P_PINGV6REPLY)."""
    n = c.tester.services.counters(t.port_index, since_clear=True)
    return (
        n[f"arp_requests_{side}"] + n[f"ns_{side}"],
        n[f"arp_replies_{side}"] + n[f"na_{side}"],
        n[f"ping_requests_{side}"] + n[f"ping6_requests_{side}"],
        n[f"ping_replies_{side}"] + n[f"ping6_replies_{side}"],
    )


def _tx_extra(c: ChassisState, s: XenaSession, t: Target) -> tuple[Value, ...]:
    st = c.tester.port_stats(t.port_index)
    # ARP/ping sent, then the injected errors (FCS errors cannot be injected on a
    # software port), MAC training and IGMP joins (not sent)
    return (*_service(c, t, "tx"), 0, _i(st.tx_injected_sequence),
            _i(st.tx_injected_misorder), _i(st.tx_injected_payload),
            _i(st.tx_injected_tpld), 0, 0)  # fmt: skip


def _rx_total(c: ChassisState, s: XenaSession, t: Target) -> tuple[Value, ...]:
    st = c.tester.port_stats(t.port_index)
    return (_i(st.rx_bps_l2), _i(st.rx_pps), _i(st.rx_bytes), _i(st.rx_packets))


def _rx_notpld(c: ChassisState, s: XenaSession, t: Target) -> tuple[Value, ...]:
    st = c.tester.port_stats(t.port_index)
    return (
        _i(st.rx_notpld_bps_l2),
        _i(st.rx_notpld_pps),
        _i(st.rx_notpld_bytes),
        _i(st.rx_notpld_packets),
    )


def _ext(four: tuple[Value, ...]) -> tuple[Value, ...]:
    """The EXT form of a four-value counter: bytes/s of the last second added."""
    bps, pps, total_bytes, packets = four
    assert isinstance(bps, int)
    return (bps, bps // 8, pps, total_bytes, packets)


def _ext_of(getter: Getter) -> Getter:
    def read(c: ChassisState, s: XenaSession, t: Target) -> tuple[Value, ...]:
        return _ext(getter(c, s, t))

    return read


def _rx_extra(c: ChassisState, s: XenaSession, t: Target) -> tuple[Value, ...]:
    counters = c.tester.interface_counters(t.port_index)
    # FCS errors the kernel saw, pause frames (none), ARP/ping received, gap count
    # and duration (not measured: 0)
    fcs = int(counters.get("rx_crc_errors", 0))
    return (fcs, 0, *_service(c, t, "rx"), 0, 0)


def _rx_tids(c: ChassisState, s: XenaSession, t: Target) -> tuple[Value, ...]:
    return (tuple(sorted(c.tester.tids(t.port_index))),)


def _tid(c: ChassisState, t: Target) -> TidStats | None:
    tid = t.indices[0]
    if not 0 <= tid <= c.profile.limits.max_tpld_id:
        raise XenaStatusError(Status.BADINDEX, f"TPLD id {tid} out of range")
    return c.tester.tid_stats(t.port_index, tid)


def _rx_tid_traffic(c: ChassisState, s: XenaSession, t: Target) -> tuple[Value, ...]:
    st = _tid(c, t)
    if st is None:
        return (0, 0, 0, 0)
    return (st.bps_last_s, st.pps_last_s, st.bytes, st.packets)


def _rx_tid_errors(c: ChassisState, s: XenaSession, t: Target) -> tuple[Value, ...]:
    st = _tid(c, t)
    if st is None:
        return (0, 0, 0, 0)
    return (0, st.lost, st.misordered, st.payload_errors)


def _ns(value: float | None) -> int:
    return NA if value is None else round(value)


def _six(
    total: LatencyStats | JitterStats, last: LatencyStats | JitterStats
) -> tuple[Value, ...]:
    return (_ns(total.min_ns), _ns(total.avg_ns), _ns(total.max_ns),
            _ns(last.avg_ns), _ns(last.min_ns), _ns(last.max_ns))  # fmt: skip


def _rx_tid_latency(c: ChassisState, s: XenaSession, t: Target) -> tuple[Value, ...]:
    st = _tid(c, t)
    if st is None:
        return (NA,) * 6
    return _six(st.latency, st.latency_last_s)


def _rx_tid_jitter(c: ChassisState, s: XenaSession, t: Target) -> tuple[Value, ...]:
    st = _tid(c, t)
    if st is None:
        return (NA,) * 6
    return _six(st.jitter, st.jitter_last_s)


def _clear_tx(c: ChassisState, s: XenaSession, t: Target, v: tuple[Value, ...]) -> None:
    c.tester.clear_stats(t.port_index, tx=True, rx=False)


def _clear_rx(c: ChassisState, s: XenaSession, t: Target, v: tuple[Value, ...]) -> None:
    c.tester.clear_stats(t.port_index, tx=False, rx=True)


def _calibrate(
    c: ChassisState, s: XenaSession, t: Target, v: tuple[Value, ...]
) -> None:
    p = t.port_index
    lows = [
        st.latency.min_ns
        for tid in c.tester.tids(p)
        if (st := c.tester.tid_stats(p, tid)) is not None
        and st.latency.min_ns is not None
    ]
    if not lows:
        raise XenaStatusError(Status.NOTVALID, "no latency measured yet")
    offset = c.tester.ports[p].latency_offset_ns
    c.tester.set_latency_offset(p, offset + int(min(lows)))


COMMANDS: list[CommandSpec] = [
    CommandSpec("PT_TOTAL", _P, get_fields=i64x(*_FOUR), getter=_tx_total,
                help="TX bit/s and frames/s (last second), bytes and frames"),
    CommandSpec("PT_NOTPLD", _P, get_fields=i64x(*_FOUR), getter=_tx_notpld,
                help="as PT_TOTAL, frames without a TPLD"),
    CommandSpec("PT_STREAM", _P, 1, get_fields=i64x(*_FOUR), getter=_tx_stream,
                help="as PT_TOTAL, one stream"),
    CommandSpec("PT_TOTALEXT", _P, get_fields=i64x(*_FIVE),
                getter=_ext_of(_tx_total), help="as PT_TOTAL, with bytes/s"),
    CommandSpec("PT_NOTPLDEXT", _P, get_fields=i64x(*_FIVE),
                getter=_ext_of(_tx_notpld), help="as PT_NOTPLD, with bytes/s"),
    CommandSpec("PT_STREAMEXT", _P, 1, get_fields=i64x(*_FIVE),
                getter=_ext_of(_tx_stream), help="as PT_STREAM, with bytes/s"),
    CommandSpec("PR_NOTPLDEXT", _P, get_fields=i64x(*_FIVE),
                getter=_ext_of(_rx_notpld), help="as PR_NOTPLD, with bytes/s"),
    CommandSpec("PR_TPLDTRAFFICEXT", _P, 1, get_fields=i64x(*_FIVE),
                getter=_ext_of(_rx_tid_traffic),
                help="as PR_TPLDTRAFFIC, with bytes/s"),
    CommandSpec("PT_EXTRA", _P, get_fields=i64x(*(f"extra_{i}" for i in range(11))),
                getter=_tx_extra, help="ARP/ping sent, injected errors"),
    CommandSpec("PT_CLEAR", _P, set_fields=(), setter=_clear_tx,
                help="clear the TX counters"),
    CommandSpec("PR_TOTAL", _P, get_fields=i64x(*_FOUR), getter=_rx_total,
                help="RX bit/s and frames/s (last second), bytes and frames"),
    CommandSpec("PR_NOTPLD", _P, get_fields=i64x(*_FOUR), getter=_rx_notpld,
                help="as PR_TOTAL, frames without a TPLD"),
    CommandSpec("PR_EXTRA", _P, get_fields=i64x(*(f"extra_{i}" for i in range(8))),
                getter=_rx_extra, help="FCS errors, pause, ARP/ping, gaps"),
    CommandSpec("PR_TPLDS", _P, get_fields=(i32s("test_payload_identifiers"),),
                getter=_rx_tids, help="TPLD ids received"),
    CommandSpec("PR_TPLDTRAFFIC", _P, 1, get_fields=i64x(*_FOUR),
                getter=_rx_tid_traffic, help="as PR_TOTAL, one TPLD id"),
    CommandSpec("PR_TPLDERRORS", _P, 1,
                get_fields=i64x("dummy", "packet_loss_by_seq", "misorder_by_seq",
                                "payload_err_packets"),
                getter=_rx_tid_errors, help="lost, misordered, payload errors"),
    CommandSpec("PR_TPLDLATENCY", _P, 1, get_fields=i64x(*_LAT),
                getter=_rx_tid_latency, help="latency ns: min avg max, last second"),
    CommandSpec("PR_TPLDJITTER", _P, 1, get_fields=i64x(*_LAT),
                getter=_rx_tid_jitter, help="jitter ns: min avg max, last second"),
    CommandSpec("PR_CLEAR", _P, set_fields=(), setter=_clear_rx,
                help="clear the RX counters and analysis"),
    CommandSpec("PR_CALIBRATE", _P, set_fields=(), setter=_calibrate,
                help="make the lowest latency seen the new zero"),
]  # fmt: skip
