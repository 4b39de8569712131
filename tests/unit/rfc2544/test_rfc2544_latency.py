"""Latency summaries and percentiles from the receiver's histogram: exact values."""

from __future__ import annotations

import pytest

from wirespeed.errors import ValidationError
from wirespeed.rfc2544 import Histogram, LatencySummary

LOWER = (0, 10_000, 20_000, 100_000, 1_000_000)  # the last bucket is open above


def _summary(
    counts: tuple[int, ...], low: int, avg: float, high: int
) -> LatencySummary:
    return LatencySummary(sum(counts), low, avg, high, sum(counts) - 1, 500.0,
                          Histogram(LOWER, counts))  # fmt: skip


@pytest.mark.parametrize(
    ("pct", "expected"),
    [
        (1, 10_000),  # rank 1: bucket 0, its upper edge
        (50, 20_000),  # rank 50 of 100: the 40th..69th frames are in bucket 1
        (70, 100_000),  # rank 70: bucket 2
        (90, 1_000_000),  # rank 90: bucket 3 (ends at 1 ms)
        (99, 1_000_000),  # rank 99: the last frame of bucket 3
        (100, 1_234_567),  # rank 100: the open bucket, closed by the max
    ],
)
def test_a_percentile_is_the_upper_edge_of_its_bucket(
    pct: float, expected: int
) -> None:
    h = Histogram(LOWER, (39, 30, 20, 10, 1))
    assert h.percentile_ns(pct, max_ns=1_234_567) == expected


def test_a_percentile_never_exceeds_the_highest_latency() -> None:
    h = Histogram(LOWER, (0, 5, 0, 0, 0))
    assert h.percentile_ns(50, max_ns=14_000) == 14_000  # not the edge 20 000


def test_the_histogram_as_data_keeps_the_buckets_that_counted() -> None:
    h = Histogram(LOWER, (0, 3, 0, 2, 0))
    assert h.to_dict(max_ns=150_000) == {
        "edges_ns": [10_000, 20_000, 100_000, 1_000_000],
        "counts": [3, 0, 2],
    }
    top = Histogram(LOWER, (0, 0, 0, 1, 4))
    assert top.to_dict(max_ns=2_500_000) == {
        "edges_ns": [100_000, 1_000_000, 2_500_001],
        "counts": [1, 4],
    }
    assert Histogram(LOWER, (0,) * 5).to_dict(max_ns=0) == {
        "edges_ns": [],
        "counts": [],
    }


def test_frames_at_or_above_a_limit_count_whole_buckets() -> None:
    h = Histogram(LOWER, (1, 2, 3, 4, 5))
    assert h.at_or_above(20_000) == 12
    assert h.at_or_above(15_000) == 12  # inside bucket 1: from bucket 2 on
    assert h.at_or_above(0) == 15
    assert h.at_or_above(2_000_000) == 0


def test_summaries_merge_over_flows_and_repetitions() -> None:
    a = _summary((2, 2, 0, 0, 0), 5_000, 10_000.0, 19_000)
    b = _summary((0, 0, 6, 0, 0), 30_000, 50_000.0, 90_000)
    m = a.merged(b)
    assert (m.count, m.min_ns, m.max_ns) == (10, 5_000, 90_000)
    assert m.avg_ns == (4 * 10_000 + 6 * 50_000) / 10
    assert (m.jitter_count, m.jitter_avg_ns) == (3 + 5, 500.0)
    assert m.histogram.counts == (2, 2, 6, 0, 0)
    assert LatencySummary.merge_all([None, a, None, b]) == m
    assert LatencySummary.merge_all([None]) is None
    # rank 5 of 10 is in bucket 2 (20..100 µs), capped at the highest latency
    assert m.percentiles_ns() == {"50": 90_000, "90": 90_000, "99": 90_000,
                                  "99.9": 90_000}  # fmt: skip
    assert a.percentiles_ns() == {"50": 10_000, "90": 19_000, "99": 19_000,
                                  "99.9": 19_000}  # fmt: skip


def test_the_histogram_must_count_every_frame_of_the_summary() -> None:
    with pytest.raises(ValidationError) as err:
        LatencySummary(5, 1, 1.0, 1, 4, None, Histogram(LOWER, (4, 0, 0, 0, 0)))
    assert err.value.field == "histogram"
    with pytest.raises(ValidationError):
        Histogram((0, 10, 10), (1, 1, 1))  # bounds must ascend
    with pytest.raises(ValidationError):
        Histogram(LOWER, (1,)).merged(Histogram(LOWER, (1,) * 5))
