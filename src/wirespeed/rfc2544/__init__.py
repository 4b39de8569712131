"""RFC 2544 benchmarking (issue 18) without IO: the throughput (NDR/PDR) and
back-to-back searches (:mod:`~wirespeed.rfc2544.search`), a trial's outcome per
flow (:mod:`~wirespeed.rfc2544.trial`), latency summaries and percentiles from
the receiver's histogram (:mod:`~wirespeed.rfc2544.latency`) and the plan of a
run (:mod:`~wirespeed.rfc2544.plan`). Trials on a tester are
:mod:`wirespeed.rfc2544_trials`; the suite is :mod:`wirespeed.rfc2544_suite`."""

from wirespeed.rfc2544.latency import PERCENTILES, Histogram, LatencySummary
from wirespeed.rfc2544.search import (
    BurstSearch,
    BurstSettings,
    SearchSettings,
    ThroughputResult,
    ThroughputSearch,
)
from wirespeed.rfc2544.trial import FlowCount, Trial

__all__ = [
    "PERCENTILES",
    "BurstSearch",
    "BurstSettings",
    "FlowCount",
    "Histogram",
    "LatencySummary",
    "SearchSettings",
    "ThroughputResult",
    "ThroughputSearch",
    "Trial",
]
