"""Plain snapshot dataclasses of the analyzer's counters.

Front ends convert these into their protocol shapes: Xena ``PR_TPLDTRAFFIC``
(packets, bytes, pps/bps last second), ``PR_TPLDERRORS`` (lost, misordered, payload
errors), ``PR_TPLDLATENCY`` / ``PR_TPLDJITTER`` (min/avg/max since clear and over
the last second, ``None`` where Xena says -1), ``PR_TOTAL`` / ``PR_NOTPLD``
(:class:`PortTotals`), and TRex ``get_pgid_stats`` (``rp``/``rb``, ``lat`` with
average/jitter/total_min/total_max/last_max/histogram in µs, ``er`` with
drp/ooo/dup/sth/stl = lost/misordered/duplicates/seq_too_high/seq_too_low).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields, replace
from typing import TYPE_CHECKING, TypeVar

from wirespeed.analysis.buckets import HISTOGRAM_BOUNDS_US
from wirespeed.errors import ValidationError

if TYPE_CHECKING:  # only rows are numpy: the remote client has none
    import numpy as np
    from numpy.typing import NDArray

__all__ = [
    "AnalyzerSnapshot",
    "JitterStats",
    "LatencyStats",
    "PortTotals",
    "TidStats",
]


_N = TypeVar("_N", int, float)


def _known(value: _N | None) -> _N:
    """A statistic that must be set because its count is positive."""
    if value is None:
        raise ValidationError("a statistic with samples has no value", field="count")
    return value


@dataclass(frozen=True)
class LatencyStats:
    """Latency over a set of packets (ns). Values are None when ``count`` is 0.

    Attributes:
        count: packets measured.
        min_ns: lowest latency.
        avg_ns: mean latency.
        max_ns: highest latency.
    """

    count: int = 0
    min_ns: int | None = None
    avg_ns: float | None = None
    max_ns: int | None = None

    @classmethod
    def from_sums(cls, count: int, total: int, low: int, high: int) -> LatencyStats:
        """Build from a count, a sum and the extremes (ignored when count is 0)."""
        if count <= 0:
            return cls()
        return cls(count=count, min_ns=low, avg_ns=total / count, max_ns=high)

    def merged(self, other: LatencyStats) -> LatencyStats:
        """The statistics of both sets of packets together."""
        if other.count == 0:
            return self
        if self.count == 0:
            return other
        count = self.count + other.count
        return LatencyStats(
            count=count,
            min_ns=min(_known(self.min_ns), _known(other.min_ns)),
            avg_ns=(
                _known(self.avg_ns) * self.count + _known(other.avg_ns) * other.count
            )
            / count,
            max_ns=max(_known(self.max_ns), _known(other.max_ns)),
        )


@dataclass(frozen=True)
class JitterStats:
    """The RFC 3550 jitter value over time (ns), sampled at every packet that had a
    predecessor. Values are None when ``count`` is 0.

    Attributes:
        count: samples.
        min_ns: lowest jitter value.
        avg_ns: mean jitter value.
        max_ns: highest jitter value.
    """

    count: int = 0
    min_ns: float | None = None
    avg_ns: float | None = None
    max_ns: float | None = None

    @classmethod
    def from_sums(
        cls, count: int, total: float, low: float, high: float
    ) -> JitterStats:
        """Build from a count, a sum and the extremes (ignored when count is 0)."""
        if count <= 0:
            return cls()
        return cls(count=count, min_ns=low, avg_ns=total / count, max_ns=high)

    def merged(self, other: JitterStats) -> JitterStats:
        """The statistics of both sample sets together."""
        if other.count == 0:
            return self
        if self.count == 0:
            return other
        count = self.count + other.count
        return JitterStats(
            count=count,
            min_ns=min(_known(self.min_ns), _known(other.min_ns)),
            avg_ns=(
                _known(self.avg_ns) * self.count + _known(other.avg_ns) * other.count
            )
            / count,
            max_ns=max(_known(self.max_ns), _known(other.max_ns)),
        )


@dataclass(frozen=True)
class TidStats:
    """Everything measured for one TID (or TRex pg_id) on one port.

    Sequence counters follow :mod:`wirespeed.analysis.sequence`. Byte counts include
    the 4-byte FCS. ``*_last_s`` values cover the last completed second (the one
    closed by the latest ``roll_second``).

    Attributes:
        tid: the test payload id.
        packets: frames received with a valid TPLD of this TID.
        bytes: their size in bytes, FCS included.
        pps_last_s: packets per second over the last second.
        bps_last_s: bits per second over the last second (FCS included).
        first_ns: receive time of the first frame.
        last_ns: receive time of the latest frame.
        lost: sequence numbers missing (may decrease when late packets arrive).
        misordered: late packets (arrived after a higher sequence number).
        duplicates: packets whose sequence number was already received.
        stale: packets too old to classify (beyond the window, or sent before a
            restart).
        seq_too_high: events where the sequence jumped over missing numbers.
        seq_too_low: packets at or below the highest sequence number seen.
        payload_errors: payload integrity checksum failures.
        restarts: sequence restarts signalled by the first-packet flag.
        latency: latency since clear.
        latency_last_s: latency over the last second.
        jitter_ns: the current RFC 3550 jitter (None before the second packet).
        jitter: the jitter value's statistics since clear.
        jitter_last_s: the same over the last second.
        histogram: latency counts per bucket of ``HISTOGRAM_BOUNDS_US``.
    """

    tid: int
    packets: int = 0
    bytes: int = 0
    pps_last_s: int = 0
    bps_last_s: int = 0
    first_ns: int | None = None
    last_ns: int | None = None
    lost: int = 0
    misordered: int = 0
    duplicates: int = 0
    stale: int = 0
    seq_too_high: int = 0
    seq_too_low: int = 0
    payload_errors: int = 0
    restarts: int = 0
    latency: LatencyStats = LatencyStats()
    latency_last_s: LatencyStats = LatencyStats()
    jitter_ns: float | None = None
    jitter: JitterStats = JitterStats()
    jitter_last_s: JitterStats = JitterStats()
    histogram: tuple[int, ...] = (0,) * len(HISTOGRAM_BOUNDS_US)

    def histogram_us(self) -> dict[int, int]:
        """Non-empty buckets as ``{lower bound in µs: count}`` (TRex's shape)."""
        return {
            bound: count
            for bound, count in zip(HISTOGRAM_BOUNDS_US, self.histogram, strict=True)
            if count
        }

    def merged(self, other: TidStats) -> TidStats:
        """Combine the counts of the same TID from two ports or workers.

        Counters and histograms add, extremes combine, averages are weighted by
        their counts and the current jitter is the larger of the two.

        Raises:
            ValidationError: the TIDs differ.
        """
        if other.tid != self.tid:
            raise ValidationError("cannot merge different TIDs", field="tid")
        summed = {
            f.name: getattr(self, f.name) + getattr(other, f.name)
            for f in fields(self)
            if f.name in _ADDITIVE
        }
        firsts = [t for t in (self.first_ns, other.first_ns) if t is not None]
        lasts = [t for t in (self.last_ns, other.last_ns) if t is not None]
        jitters = [j for j in (self.jitter_ns, other.jitter_ns) if j is not None]
        return replace(
            self,
            **summed,
            first_ns=min(firsts) if firsts else None,
            last_ns=max(lasts) if lasts else None,
            latency=self.latency.merged(other.latency),
            latency_last_s=self.latency_last_s.merged(other.latency_last_s),
            jitter_ns=max(jitters) if jitters else None,
            jitter=self.jitter.merged(other.jitter),
            jitter_last_s=self.jitter_last_s.merged(other.jitter_last_s),
            histogram=tuple(
                a + b for a, b in zip(self.histogram, other.histogram, strict=True)
            ),
        )

    @classmethod
    def from_row(cls, row: np.void) -> TidStats:
        """Build from one ``TID_DTYPE`` row."""
        count = int(row["packets"])
        jit_count = int(row["jit_count"])
        return cls(
            tid=int(row["tid"]),
            **{name: int(row[src]) for name, src in _ROW_INTS.items()},
            first_ns=int(row["first_ns"]) if count else None,
            last_ns=int(row["last_ns"]) if count else None,
            latency=_latency(row, "lat_"),
            latency_last_s=_latency(row, "lat_ls_"),
            jitter_ns=float(row["jitter"]) if jit_count else None,
            jitter=_jitter(row, "jit_"),
            jitter_last_s=_jitter(row, "jit_ls_"),
            histogram=tuple(int(v) for v in row["hist"]),
        )

    def to_row(self, row: np.void) -> None:
        """Write these statistics into one ``TID_DTYPE`` row (the inverse of
        :meth:`from_row` for the fields it reads; averages become sums)."""
        row["tid"] = self.tid
        row["in_use"] = 1
        for name, dst in _ROW_INTS.items():
            row[dst] = getattr(self, name)
        row["first_ns"] = self.first_ns or 0
        row["last_ns"] = self.last_ns or 0
        for prefix, lat in (("lat_", self.latency), ("lat_ls_", self.latency_last_s)):
            row[prefix + "count"] = lat.count
            if lat.count:
                row[prefix + "sum"] = round(_known(lat.avg_ns) * lat.count)
                row[prefix + "min"] = _known(lat.min_ns)
                row[prefix + "max"] = _known(lat.max_ns)
        for prefix, jit in (("jit_", self.jitter), ("jit_ls_", self.jitter_last_s)):
            row[prefix + "count"] = jit.count
            if jit.count:
                row[prefix + "sum"] = _known(jit.avg_ns) * jit.count
                row[prefix + "min"] = _known(jit.min_ns)
                row[prefix + "max"] = _known(jit.max_ns)
        row["jitter"] = self.jitter_ns or 0.0
        row["hist"] = self.histogram


_ADDITIVE = frozenset(
    {
        "packets", "bytes", "pps_last_s", "bps_last_s", "lost", "misordered",
        "duplicates", "stale", "seq_too_high", "seq_too_low", "payload_errors",
        "restarts",
    }
)  # fmt: skip

_ROW_INTS = {
    "packets": "packets", "bytes": "bytes", "pps_last_s": "pps_last_s",
    "bps_last_s": "bps_last_s", "lost": "lost", "misordered": "misordered",
    "duplicates": "duplicates", "stale": "stale", "seq_too_high": "seq_too_high",
    "seq_too_low": "seq_too_low", "payload_errors": "pi_errors",
    "restarts": "restarts",
}  # fmt: skip


def _latency(row: np.void, prefix: str) -> LatencyStats:
    return LatencyStats.from_sums(
        int(row[prefix + "count"]),
        int(row[prefix + "sum"]),
        int(row[prefix + "min"]),
        int(row[prefix + "max"]),
    )


def _jitter(row: np.void, prefix: str) -> JitterStats:
    low = float(row[prefix + "min"])
    high = float(row[prefix + "max"])
    return JitterStats.from_sums(
        int(row[prefix + "count"]),
        float(row[prefix + "sum"]),
        low if math.isfinite(low) else 0.0,
        high if math.isfinite(high) else 0.0,
    )


@dataclass(frozen=True)
class PortTotals:
    """Receive totals of one port. Byte counts include the 4-byte FCS.

    ``packets == tpld_packets + non_tpld_packets``. Frames without a usable TPLD
    (too short, no TPLD, corrupted TPLD, TID not accepted) are non-TPLD frames;
    ``tpld_checksum_errors`` and ``too_short`` count subsets of them.

    Attributes:
        packets: all frames received.
        bytes: their bytes.
        pps_last_s: packets per second over the last second.
        bps_last_s: bits per second over the last second.
        tpld_packets: frames with a valid TPLD.
        tpld_bytes: their bytes.
        non_tpld_packets: frames without a valid TPLD.
        non_tpld_bytes: their bytes.
        non_tpld_pps_last_s: non-TPLD packets per second over the last second.
        non_tpld_bps_last_s: non-TPLD bits per second over the last second.
        tpld_checksum_errors: frames whose TPLD was recognised but failed its CRC.
        too_short: frames shorter than the TPLD.
        unknown_tid: valid TPLDs whose TID is not in the accepted set.
        tid_overflow: valid TPLD frames of TIDs beyond the table capacity (counted
            in ``tpld_packets`` but not per TID).
    """

    packets: int = 0
    bytes: int = 0
    pps_last_s: int = 0
    bps_last_s: int = 0
    tpld_packets: int = 0
    tpld_bytes: int = 0
    non_tpld_packets: int = 0
    non_tpld_bytes: int = 0
    non_tpld_pps_last_s: int = 0
    non_tpld_bps_last_s: int = 0
    tpld_checksum_errors: int = 0
    too_short: int = 0
    unknown_tid: int = 0
    tid_overflow: int = 0


@dataclass(frozen=True)
class AnalyzerSnapshot:
    """A consistent copy of an analyzer's counters.

    Attributes:
        port: the port totals.
        tids: per-TID statistics, by TID.
    """

    port: PortTotals
    tids: dict[int, TidStats]

    @classmethod
    def from_tables(
        cls, port: NDArray[np.void], tids: NDArray[np.void]
    ) -> AnalyzerSnapshot:
        """Build from a ``PORT_DTYPE`` record and the TID rows in use."""
        rec = port.reshape(-1)[0]
        totals = PortTotals(**{f.name: int(rec[f.name]) for f in fields(PortTotals)})
        stats = (TidStats.from_row(row) for row in tids)
        return cls(port=totals, tids={s.tid: s for s in stats})

    @classmethod
    def from_array(cls, record: NDArray[np.void]) -> AnalyzerSnapshot:
        """Build from a record of :func:`wirespeed.analysis.analyzer_dtype`, e.g. one
        a worker published in shared memory with ``RxAnalyzer.to_array``."""
        port = record["port"]
        used = int(port["tids_in_use"])
        return cls.from_tables(port, record["tids"][:used])
