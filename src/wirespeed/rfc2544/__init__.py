"""RFC 2544 benchmarking (issue 18): the throughput search without IO
(:mod:`wirespeed.rfc2544.search`); trials, the other tests and reports build on it."""

from wirespeed.rfc2544.search import (
    BurstSearch,
    BurstSettings,
    SearchSettings,
    ThroughputResult,
    ThroughputSearch,
    Trial,
)

__all__ = [
    "BurstSearch",
    "BurstSettings",
    "SearchSettings",
    "ThroughputResult",
    "ThroughputSearch",
    "Trial",
]
