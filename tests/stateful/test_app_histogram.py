from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wirespeed.stateful.histogram import LatencyHistogram


def test_linear_range_is_exact() -> None:
    h = LatencyHistogram(sub_bits=4)
    for v in range(16):
        assert h.index_of(v) == v
        assert h.bucket_bounds(v) == (v, v)


def test_log_buckets_are_contiguous() -> None:
    h = LatencyHistogram(sub_bits=4)
    # 16..31 in buckets of 2, 32..63 in buckets of 4
    assert [h.index_of(v) for v in (16, 17, 18, 31, 32, 35, 36)] == [
        16,
        16,
        17,
        23,
        24,
        24,
        25,
    ]
    assert h.bucket_bounds(16) == (16, 17)
    assert h.bucket_bounds(23) == (30, 31)
    assert h.bucket_bounds(24) == (32, 35)


@given(st.integers(min_value=0, max_value=10**13))
def test_value_lies_in_its_bucket_within_resolution(value: int) -> None:
    h = LatencyHistogram()
    low, high = h.bucket_bounds(h.index_of(value))
    assert low <= value <= high
    assert high - low <= max(0, value) / 1024


def test_percentiles_exact_for_small_values() -> None:
    h = LatencyHistogram()
    for v in range(1, 101):
        h.record(v)
    assert h.percentiles([50, 90, 99, 100]) == {50: 50, 90: 90, 99: 99, 100: 100}
    assert (h.count, h.min, h.max, h.sum) == (100, 1, 100, 5050)
    assert h.mean == 50.5
    assert h.percentile(0) == 1


def test_percentile_reports_bucket_top_capped_at_max() -> None:
    h = LatencyHistogram(sub_bits=4)
    h.record(33)  # bucket 32..35
    assert h.percentile(50) == 33  # capped at the exact max
    h.record(40)  # bucket 40..43
    assert h.percentile(50) == 35
    assert h.percentile(100) == 40


def test_empty_and_bad_input() -> None:
    h = LatencyHistogram()
    assert h.percentile(99) == 0
    assert h.mean == 0.0
    with pytest.raises(ValueError, match="percentile"):
        h.percentile(101)
    with pytest.raises(ValueError, match="sub_bits"):
        LatencyHistogram(sub_bits=1)
    h.record(-5)
    assert (h.min, h.max, h.count) == (0, 0, 1)


def test_merge_and_weights() -> None:
    a, b = LatencyHistogram(), LatencyHistogram()
    a.record(10, times=3)
    b.record(5)
    b.record(2000)
    a.merge(b)
    assert (a.count, a.min, a.max, a.sum) == (5, 5, 2000, 2035)
    a.merge(LatencyHistogram())
    assert a.count == 5
    with pytest.raises(ValueError, match="resolution"):
        a.merge(LatencyHistogram(sub_bits=5))


@given(st.lists(st.integers(min_value=0, max_value=10**12), max_size=50))
def test_dict_round_trip(values: list[int]) -> None:
    h = LatencyHistogram()
    for v in values:
        h.record(v)
    back = LatencyHistogram.from_dict(h.to_dict())
    assert back == h
    assert back.percentile(99) == h.percentile(99)


@given(st.lists(st.integers(min_value=1, max_value=10**10), min_size=1, max_size=200))
def test_percentile_close_to_exact_rank(values: list[int]) -> None:
    h = LatencyHistogram()
    for v in values:
        h.record(v)
    exact = sorted(values)[max(1, math.ceil(0.9 * len(values))) - 1]
    got = h.percentile(90)
    assert exact <= got <= exact + exact / 1024
