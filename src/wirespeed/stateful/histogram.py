"""A log-linear latency histogram in the style of HdrHistogram.

Values are non-negative integers (wirespeed records nanoseconds). Values below
``2**sub_bits`` get a bucket each; above that every power-of-two range is split into
``2**(sub_bits-1)`` equal buckets, so a recorded value is known to better than
``1/2**(sub_bits-1)`` of itself (0.1 % with the default 11 bits) at any magnitude.
Buckets are kept sparse, so histograms are cheap to merge across processes and to send
as JSON. Minimum, maximum, count and sum are exact. Pure: no IO.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

__all__ = ["LatencyHistogram"]


class LatencyHistogram:
    """Counts of values in log-linear buckets.

    Args:
        sub_bits: resolution; relative error is at most ``2**-(sub_bits-1)``.
    """

    __slots__ = ("_half", "_linear", "count", "counts", "max", "min", "sub_bits", "sum")

    def __init__(self, sub_bits: int = 11) -> None:
        if not 2 <= sub_bits <= 20:
            raise ValueError("sub_bits must be 2..20")
        self.sub_bits = sub_bits
        self._linear = 1 << sub_bits
        self._half = 1 << (sub_bits - 1)
        self.counts: dict[int, int] = {}
        self.count = 0
        self.sum = 0
        self.min = 0
        self.max = 0

    # -- bucket arithmetic ------------------------------------------------------
    def index_of(self, value: int) -> int:
        """The bucket index of ``value``."""
        if value < self._linear:
            return value
        shift = value.bit_length() - self.sub_bits
        return shift * self._half + (value >> shift)

    def bucket_bounds(self, index: int) -> tuple[int, int]:
        """The lowest and highest value that land in bucket ``index``."""
        if index < self._linear:
            return index, index
        shift = (index >> (self.sub_bits - 1)) - 1
        low = (index - shift * self._half) << shift
        return low, low + (1 << shift) - 1

    # -- recording --------------------------------------------------------------
    def record(self, value: int, times: int = 1) -> None:
        """Record ``value`` (clamped at 0) ``times`` times."""
        v = value if value > 0 else 0
        idx = self.index_of(v)
        self.counts[idx] = self.counts.get(idx, 0) + times
        if self.count == 0 or v < self.min:
            self.min = v
        if v > self.max:
            self.max = v
        self.count += times
        self.sum += v * times

    def merge(self, other: LatencyHistogram) -> None:
        """Add every value of ``other`` (same resolution) into this histogram."""
        if other.sub_bits != self.sub_bits:
            raise ValueError("cannot merge histograms of different resolution")
        if other.count == 0:
            return
        for idx, n in other.counts.items():
            self.counts[idx] = self.counts.get(idx, 0) + n
        self.min = other.min if self.count == 0 else min(self.min, other.min)
        self.max = max(self.max, other.max)
        self.count += other.count
        self.sum += other.sum

    # -- queries ----------------------------------------------------------------
    def percentile(self, pct: float) -> int:
        """The value at or below which ``pct`` percent of the values lie.

        Returns the highest value equivalent to the bucket holding that rank (as
        HdrHistogram does), capped at the exact maximum; 0 when empty.
        """
        if not 0.0 <= pct <= 100.0:
            raise ValueError("percentile must be within 0..100")
        if self.count == 0:
            return 0
        rank = max(1, math.ceil(pct / 100.0 * self.count))
        seen = 0
        for idx in sorted(self.counts):
            seen += self.counts[idx]
            if seen >= rank:
                return min(self.bucket_bounds(idx)[1], self.max)
        return self.max

    def percentiles(self, pcts: Iterable[float]) -> dict[float, int]:
        """Several percentiles at once."""
        return {p: self.percentile(p) for p in pcts}

    @property
    def mean(self) -> float:
        """The exact mean (0.0 when empty)."""
        return self.sum / self.count if self.count else 0.0

    # -- transport ----------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """A JSON-friendly form that :meth:`from_dict` reads back exactly."""
        return {
            "sub_bits": self.sub_bits,
            "count": self.count,
            "sum": self.sum,
            "min": self.min,
            "max": self.max,
            "buckets": [[i, n] for i, n in sorted(self.counts.items())],
        }

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> LatencyHistogram:
        """Rebuild a histogram written by :meth:`to_dict`."""
        hist = cls(int(raw["sub_bits"]))
        hist.counts = {int(i): int(n) for i, n in raw["buckets"]}
        hist.count = int(raw["count"])
        hist.sum = int(raw["sum"])
        hist.min = int(raw["min"])
        hist.max = int(raw["max"])
        return hist

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, LatencyHistogram):
            return NotImplemented
        return self.to_dict() == other.to_dict()

    __hash__ = None  # type: ignore[assignment]
