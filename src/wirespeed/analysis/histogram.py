"""Latency histogram buckets (TRex-compatible keys).

Bucket ``k`` counts latencies in ``[HISTOGRAM_BOUNDS_US[k], HISTOGRAM_BOUNDS_US[k+1])``
microseconds. The lower bounds are 0, then 10..90 in steps of 10, 100..900 in steps
of 100, and so on for five decades up to 900000 µs, then 1000000 µs (1 s), whose
bucket has no upper limit. These are the keys TRex reports in ``get_pgid_stats``
(its key ``"0"`` holds latencies under 10 µs). Negative latencies (possible when the
TX and RX clocks differ) are counted in bucket 0.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from wirespeed.analysis.buckets import HISTOGRAM_BOUNDS_US, HISTOGRAM_BUCKETS

__all__ = [
    "HISTOGRAM_BOUNDS_US",
    "HISTOGRAM_BUCKETS",
    "histogram_bucket",
]


_BOUNDS_NS = np.array(HISTOGRAM_BOUNDS_US, dtype=np.int64) * 1000
_UNIT_NS = 10_000
# Every bound is a multiple of 10 µs, so the bucket of a latency depends only on
# latency // 10 µs: one table lookup, with anything from 1 s up in the last entry.
_LOOKUP = (
    np.searchsorted(
        _BOUNDS_NS,
        np.arange(HISTOGRAM_BOUNDS_US[-1] * 1000 // _UNIT_NS + 1) * _UNIT_NS,
        side="right",
    )
    - 1
).astype(np.intp)


def histogram_bucket(latency_ns: NDArray[np.int64]) -> NDArray[np.intp]:
    """Bucket index of every latency (ns).

    Args:
        latency_ns: latencies in ns (may be negative).

    Returns:
        Indices into :data:`HISTOGRAM_BOUNDS_US`.
    """
    bucket: NDArray[np.intp] = _LOOKUP.take(latency_ns // _UNIT_NS, mode="clip")
    return bucket
