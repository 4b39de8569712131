"""Reading the tester's per-stream and per-TID totals for packet groups.

The TRex client's baselines need counters that only grow: the tester's totals since
a stream was added and since a port started (``since_clear=False``) are such, whoever
clears the port.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from wirespeed.analysis import TidStats

if TYPE_CHECKING:
    from wirespeed.server.trex.frontend import TrexFrontEnd

__all__ = [
    "RX_FIELDS",
    "RxReading",
    "TxReading",
    "pg_rx_now",
    "read_rx",
    "read_stream_tx",
]

#: The TID counters a packet group reports, in order.
RX_FIELDS = (
    "packets",
    "bytes",
    "lost",
    "misordered",
    "duplicates",
    "seq_too_high",
    "seq_too_low",
)


@dataclass(frozen=True)
class RxReading:
    """One RX port's view of one TID.

    Attributes:
        totals: the values of :data:`RX_FIELDS` since the port started.
        pps / bps_l2: last-second rates.
        stats: the tester's TID statistics since the port started, ``None`` if
            the TID was never seen.
        histogram: the latency histogram, bucket lower bound (µs) -> frames.
        recent_max_ns: TRex's ``last_max``: the highest latency of the last
            completed second, or, when the highest latency ever seen rose since the
            previous read, that one (it arrived since then). ``None`` if neither
            is known.
    """

    totals: tuple[int, ...]
    pps: float
    bps_l2: float
    stats: TidStats | None
    histogram: dict[int, int]
    recent_max_ns: int | None = None


@dataclass(frozen=True)
class TxReading:
    """One stream's TX: monotonic (packets, bytes) and last-second rates."""

    totals: tuple[int, int]
    pps: float
    bps_l2: float


def read_rx(fe: TrexFrontEnd, port: int, tid: int) -> RxReading:
    """Read one (RX port, TID)."""
    stats = fe.tester.tid_stats(port, tid, since_clear=False)
    if stats is None:
        values: tuple[int, ...] = (0,) * len(RX_FIELDS)
        pps = bps = 0.0
        hist: dict[int, int] = {}
    else:
        values = tuple(int(getattr(stats, name)) for name in RX_FIELDS)
        pps = float(stats.pps_last_s)
        bps = float(stats.bps_last_s)
        hist = stats.histogram_us()
    return RxReading(values, pps, bps, stats, hist, _recent_max(fe, port, tid))


def _recent_max(fe: TrexFrontEnd, port: int, tid: int) -> int | None:
    """The ``last_max`` of one (port, TID); see :class:`RxReading`.

    The TRex client computes a latency group's ``total_max`` after a clear as the
    highest ``last_max`` it has read, so a maximum reached in the current second
    must show at once (the last completed second alone would hide a short burst):
    the highest latency since the port's last clear is news when it rose since the
    previous read, or when the port was cleared since.
    """
    key = (port, tid)
    clears = fe.tester.rx_clears(port)
    seen = fe.pgs.max_seen.get(key)
    before = seen[1] if seen is not None and seen[0] == clears else None
    stats = fe.tester.tid_stats(port, tid)
    if stats is None:
        fe.pgs.max_seen.pop(key, None)
        return None
    now = stats.latency.max_ns if stats.latency.count else None
    fe.pgs.max_seen[key] = (clears, now)
    last_s = stats.latency_last_s
    candidates = [last_s.max_ns] if last_s.count and last_s.max_ns is not None else []
    if now is not None and (before is None or now > before):
        candidates.append(now)
    return max(candidates) if candidates else None


def pg_rx_now(
    fe: TrexFrontEnd, tid: int
) -> tuple[dict[int, tuple[int, ...]], dict[int, dict[int, int]]]:
    """Every port's current totals and histogram of ``tid`` (a group's baseline)."""
    totals = {}
    hists = {}
    for port in range(fe.port_count):
        reading = read_rx(fe, port, tid)
        totals[port] = reading.totals
        hists[port] = reading.histogram
    return totals, hists


def read_stream_tx(fe: TrexFrontEnd, port: int, stream_id: int) -> TxReading:
    """One stream's TX since it was added, and its last-second rates."""
    st = fe.tester.stream_tx_stats(port, stream_id, since_clear=False)
    return TxReading((int(st.packets), int(st.bytes)), float(st.pps), float(st.bps_l2))
