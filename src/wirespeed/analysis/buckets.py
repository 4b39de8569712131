"""The latency histogram's bucket bounds (pure, no numpy: the statistics the
remote client decodes use them); :mod:`wirespeed.analysis.histogram` has the
bucket rule."""

from __future__ import annotations

__all__ = ["HISTOGRAM_BOUNDS_US", "HISTOGRAM_BUCKETS"]

HISTOGRAM_BOUNDS_US: tuple[int, ...] = (
    0,
    *(
        step * decade
        for decade in (10, 100, 1_000, 10_000, 100_000)
        for step in range(1, 10)
    ),
    1_000_000,
)
"""Lower bound (µs) of every histogram bucket, ascending."""

HISTOGRAM_BUCKETS = len(HISTOGRAM_BOUNDS_US)
"""Number of histogram buckets (47)."""
