"""Latency of a set of frames as the receiver measured it, without IO: extremes,
mean, jitter and the receiver's own histogram, merged over flows and repetitions.

Percentiles come from the histogram the receiver keeps (the engine's buckets, see
:mod:`wirespeed.analysis.histogram`), never from a second count: the p-th
percentile is given as the upper edge of the bucket holding the frame of rank
``ceil(p/100 * count)``, capped at the highest latency measured. It is exact to
the bucket: the engine's buckets are 10 µs wide below 100 µs, 100 µs below 1 ms,
1 ms below 10 ms and so on (one significant digit), and the last bucket (1 s and
up) has no upper edge of its own (the highest latency closes it).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from wirespeed.errors import ValidationError

__all__ = ["PERCENTILES", "Histogram", "LatencySummary"]

PERCENTILES: tuple[str, ...] = ("50", "90", "99", "99.9")
"""The percentiles a latency result gives (keys as in the result)."""


@dataclass(frozen=True)
class Histogram:
    """Frame counts per latency bucket: bucket ``k`` holds latencies from
    ``lower_ns[k]`` up to (not including) ``lower_ns[k + 1]``; the last bucket
    is open above."""

    lower_ns: tuple[int, ...]
    counts: tuple[int, ...]

    def __post_init__(self) -> None:
        if len(self.lower_ns) != len(self.counts) or not self.counts:
            raise ValidationError("one count per bucket", field="histogram")
        if any(b <= a for a, b in zip(self.lower_ns, self.lower_ns[1:], strict=False)):
            raise ValidationError("bucket bounds must ascend", field="histogram")

    @property
    def total(self) -> int:
        """Frames counted."""
        return sum(self.counts)

    def merged(self, other: Histogram) -> Histogram:
        """Both sets of frames (the same buckets)."""
        if other.lower_ns != self.lower_ns:
            raise ValidationError("histograms of other buckets", field="histogram")
        return Histogram(
            self.lower_ns,
            tuple(a + b for a, b in zip(self.counts, other.counts, strict=True)),
        )

    def at_or_above(self, limit_ns: int) -> int:
        """Frames in the buckets that lie wholly at or above ``limit_ns`` (a limit
        inside a bucket counts from the next one, as TRex's NDR search does)."""
        return sum(
            c
            for low, c in zip(self.lower_ns, self.counts, strict=True)
            if low >= limit_ns
        )

    def _upper_ns(self, k: int, max_ns: int) -> int:
        return self.lower_ns[k + 1] if k + 1 < len(self.lower_ns) else max_ns + 1

    def percentile_ns(self, pct: float, max_ns: int) -> int:
        """The ``pct``-th percentile: the upper edge of its bucket, at most
        ``max_ns`` (the highest latency measured)."""
        if not 0 < pct <= 100:
            raise ValidationError("a percentile is in (0, 100]", field="percentile")
        total = self.total
        if total == 0:
            raise ValidationError("no frames counted", field="histogram")
        rank = max(1, math.ceil(pct / 100 * total))
        seen = 0
        for k, c in enumerate(self.counts):
            seen += c
            if seen >= rank:
                return min(self._upper_ns(k, max_ns), max_ns)
        raise AssertionError("unreachable: the ranks end at the total")

    def to_dict(self, max_ns: int) -> dict[str, list[int]]:
        """The buckets from the first to the last that counted a frame, as
        ``{"edges_ns": [e0 .. eN], "counts": [c0 .. cN-1]}`` (the open last
        bucket closed by ``max_ns + 1``)."""
        used = [k for k, c in enumerate(self.counts) if c]
        if not used:
            return {"edges_ns": [], "counts": []}
        first, last = used[0], used[-1]
        edges = [*self.lower_ns[first : last + 1], self._upper_ns(last, max_ns)]
        return {"edges_ns": edges, "counts": list(self.counts[first : last + 1])}


@dataclass(frozen=True)
class LatencySummary:
    """Latency of ``count`` frames (ns): extremes, mean, the mean of the RFC 3550
    jitter (its value sampled at every frame that had a predecessor,
    ``jitter_count`` samples) and the histogram."""

    count: int
    min_ns: int
    avg_ns: float
    max_ns: int
    jitter_count: int
    jitter_avg_ns: float | None
    histogram: Histogram = field(repr=False)

    def __post_init__(self) -> None:
        if self.count < 1:
            raise ValidationError("a summary of no frames", field="count")
        if self.histogram.total != self.count:
            raise ValidationError(
                f"the histogram counts {self.histogram.total} frames, not {self.count}",
                field="histogram",
            )

    def merged(self, other: LatencySummary) -> LatencySummary:
        """Both sets of frames together."""
        jc = self.jitter_count + other.jitter_count
        jsum = sum(
            s.jitter_avg_ns * s.jitter_count
            for s in (self, other)
            if s.jitter_avg_ns is not None
        )
        count = self.count + other.count
        return LatencySummary(
            count,
            min(self.min_ns, other.min_ns),
            (self.avg_ns * self.count + other.avg_ns * other.count) / count,
            max(self.max_ns, other.max_ns),
            jc,
            jsum / jc if jc else None,
            self.histogram.merged(other.histogram),
        )

    @classmethod
    def merge_all(cls, items: list[LatencySummary | None]) -> LatencySummary | None:
        """Every summary given merged (``None`` for none)."""
        out: LatencySummary | None = None
        for s in items:
            if s is not None:
                out = s if out is None else out.merged(s)
        return out

    def percentiles_ns(self) -> dict[str, int]:
        """:data:`PERCENTILES` from the histogram (see the module's docs)."""
        return {
            p: self.histogram.percentile_ns(float(p), self.max_ns) for p in PERCENTILES
        }

    def to_dict(self) -> dict[str, Any]:
        """min/avg/max/jitter (ns) as plain data."""
        return {
            "min_ns": self.min_ns,
            "avg_ns": round(self.avg_ns, 1),
            "max_ns": self.max_ns,
            "jitter_ns": None
            if self.jitter_avg_ns is None
            else round(self.jitter_avg_ns, 1),
        }
