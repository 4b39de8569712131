"""Receive analysis: per-TID and per-port counters from batches of TPLD frames.

:class:`RxAnalyzer` takes batches of received frames with their kernel receive
timestamps and keeps, per TID (TRex front ends map each pg_id to a TID), packets,
bytes, loss, misordering, duplicates, seq-too-high/low events, payload integrity
errors, latency (min/avg/max, also over the last second), RFC 3550 jitter and a
TRex-style latency histogram, plus port totals. The exact sequence semantics are in
:mod:`wirespeed.analysis.sequence`. Snapshots are plain dataclasses
(:class:`AnalyzerSnapshot`); :meth:`RxAnalyzer.to_array` publishes everything as one
fixed-layout numpy record for shared memory.
"""

from typing import TYPE_CHECKING

from wirespeed._lazy import exports

if TYPE_CHECKING:  # imported on first use (wirespeed._lazy)
    from wirespeed.analysis.analyzer import FCS_BYTES, MAX_CAPACITY, RxAnalyzer
    from wirespeed.analysis.buckets import HISTOGRAM_BOUNDS_US, HISTOGRAM_BUCKETS
    from wirespeed.analysis.histogram import histogram_bucket
    from wirespeed.analysis.sequence import DEFAULT_WINDOW
    from wirespeed.analysis.stats import (
        AnalyzerSnapshot,
        JitterStats,
        LatencyStats,
        PortTotals,
        TidStats,
    )
    from wirespeed.analysis.table import PORT_DTYPE, TID_DTYPE, analyzer_dtype

__all__ = [
    "DEFAULT_WINDOW",
    "FCS_BYTES",
    "HISTOGRAM_BOUNDS_US",
    "HISTOGRAM_BUCKETS",
    "MAX_CAPACITY",
    "PORT_DTYPE",
    "TID_DTYPE",
    "AnalyzerSnapshot",
    "JitterStats",
    "LatencyStats",
    "PortTotals",
    "RxAnalyzer",
    "TidStats",
    "analyzer_dtype",
    "histogram_bucket",
]

if not TYPE_CHECKING:
    __getattr__ = exports(
        __name__,
        {
            ".analyzer": (
                "FCS_BYTES",
                "MAX_CAPACITY",
                "RxAnalyzer",
            ),
            ".buckets": ("HISTOGRAM_BOUNDS_US", "HISTOGRAM_BUCKETS"),
            ".histogram": ("histogram_bucket",),
            ".sequence": ("DEFAULT_WINDOW",),
            ".stats": (
                "AnalyzerSnapshot",
                "JitterStats",
                "LatencyStats",
                "PortTotals",
                "TidStats",
            ),
            ".table": (
                "PORT_DTYPE",
                "TID_DTYPE",
                "analyzer_dtype",
            ),
        },
    )
