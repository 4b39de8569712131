"""Latency, jitter, histogram and per-second figures (wirespeed.analysis)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from _analysis_model import Model, Packet, build
from hypothesis import given, settings
from hypothesis import strategies as st

from wirespeed.analysis import (
    HISTOGRAM_BOUNDS_US,
    HISTOGRAM_BUCKETS,
    JitterStats,
    LatencyStats,
    RxAnalyzer,
    histogram_bucket,
)
from wirespeed.analysis.segments import segmented_ewma
from wirespeed.tpld import TpldMode


def feed(
    analyzer: RxAnalyzer, packets: list[Packet], mode: TpldMode = TpldMode.NORMAL
) -> None:
    frames, lengths, rx = build(packets, mode)
    analyzer.analyse(frames, lengths, rx)


def with_latencies(tid: int, latencies: list[int], t0: int = 0) -> list[Packet]:
    return [
        Packet(tid=tid, seq=i, tx_ns=t0 + i * 1_000_000, latency_ns=lat)
        for i, lat in enumerate(latencies)
    ]


def test_latency_min_avg_max() -> None:
    analyzer = RxAnalyzer(TpldMode.NORMAL)
    feed(analyzer, with_latencies(1, [5000, 7000, 3000, 9000]))
    stats = analyzer.tid_stats(1)
    assert stats is not None
    assert stats.latency == LatencyStats(
        count=4, min_ns=3000, avg_ns=6000.0, max_ns=9000
    )


def test_rfc3550_jitter_hand_computed() -> None:
    # transit 5000, 7000, 3000, 9000 -> |D| = 2000, 4000, 6000
    # J = 125, then 125 + (4000-125)/16 = 367.1875,
    # then 367.1875 + (6000-367.1875)/16 = 719.23828125
    for splits in ([4], [1, 2, 3]):
        analyzer = RxAnalyzer(TpldMode.NORMAL)
        pk = with_latencies(1, [5000, 7000, 3000, 9000])
        bounds = [0, *splits]
        for a, b in zip(bounds, [*splits, 4], strict=True):
            feed(analyzer, pk[a:b])
        stats = analyzer.tid_stats(1)
        assert stats is not None
        assert stats.jitter_ns == pytest.approx(719.23828125, rel=1e-12)
        assert stats.jitter.count == 3
        assert stats.jitter.min_ns == pytest.approx(125.0, rel=1e-12)
        assert stats.jitter.max_ns == pytest.approx(719.23828125, rel=1e-12)
        assert stats.jitter.avg_ns == pytest.approx(
            (125 + 367.1875 + 719.23828125) / 3, rel=1e-12
        )


def test_jitter_is_none_before_the_second_packet() -> None:
    analyzer = RxAnalyzer(TpldMode.NORMAL)
    feed(analyzer, with_latencies(1, [5000]))
    stats = analyzer.tid_stats(1)
    assert stats is not None
    assert stats.jitter_ns is None
    assert stats.jitter == JitterStats()


@pytest.mark.parametrize("size", [5000, 20000])
def test_segmented_ewma_matches_a_loop(size: int) -> None:
    rng = np.random.default_rng(3)
    x = rng.random(size) * 1e4
    starts = np.array(
        [
            s
            for s in (
                0,
                1,
                700,
                1023,
                1024,
                1025,
                2047,
                3000,
                4999,
                8191,
                8192,
                9000,
                16384,
                19999,
            )
            if s < size
        ]
    )
    init = rng.random(starts.size) * 1e3
    gidx = np.repeat(np.arange(starts.size), np.diff([*starts, size]))
    got = segmented_ewma(x, starts, gidx, init, 15 / 16)
    want = np.empty_like(x)
    group = -1
    value = 0.0
    for i in range(x.size):
        if group + 1 < starts.size and starts[group + 1] == i:
            group += 1
            value = init[group]
        value += (x[i] - value) / 16
        want[i] = value
    np.testing.assert_allclose(got, want, rtol=1e-12)


def test_histogram_buckets_at_their_edges() -> None:
    lat_ns = [
        0,
        9_999,
        10_000,
        19_999,
        20_000,
        99_999,
        100_000,
        999_999_999,
        1_000_000_000,
        5_000_000_000,
        -500,
    ]
    assert histogram_bucket(np.array(lat_ns)).tolist() == [
        0,
        0,
        1,
        1,
        2,
        9,
        10,
        45,
        46,
        46,
        0,
    ]
    analyzer = RxAnalyzer(TpldMode.NORMAL)
    feed(analyzer, with_latencies(1, lat_ns))
    stats = analyzer.tid_stats(1)
    assert stats is not None
    assert stats.histogram_us() == {
        0: 3,
        10: 2,
        20: 1,
        90: 1,
        100: 1,
        900_000: 1,
        1_000_000: 2,
    }
    assert sum(stats.histogram) == len(lat_ns)
    assert HISTOGRAM_BUCKETS == 47
    assert HISTOGRAM_BOUNDS_US[:12] == (0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 200)
    assert HISTOGRAM_BOUNDS_US[-2:] == (900_000, 1_000_000)


def test_histogram_per_tid_in_one_batch() -> None:
    a = with_latencies(1, [5_000, 15_000, 15_000])
    b = with_latencies(2, [250_000, 5_000])
    analyzer = RxAnalyzer(TpldMode.NORMAL)
    feed(analyzer, [a[0], b[0], a[1], b[1], a[2]])
    one, two = analyzer.tid_stats(1), analyzer.tid_stats(2)
    assert one is not None
    assert two is not None
    assert one.histogram_us() == {0: 1, 10: 2}
    assert two.histogram_us() == {0: 1, 200: 1}


def test_negative_latency_from_clock_offset() -> None:
    analyzer = RxAnalyzer(TpldMode.NORMAL)
    feed(analyzer, with_latencies(1, [-2000, 1000]))
    stats = analyzer.tid_stats(1)
    assert stats is not None
    assert stats.latency == LatencyStats(
        count=2, min_ns=-2000, avg_ns=-500.0, max_ns=1000
    )


def test_latency_across_the_timestamp_wrap() -> None:
    wrap = 1 << 36
    analyzer = RxAnalyzer(TpldMode.NORMAL)
    feed(analyzer, [Packet(tid=1, seq=0, tx_ns=3 * wrap - 100, latency_ns=700)])
    stats = analyzer.tid_stats(1)
    assert stats is not None
    assert stats.latency.min_ns == 700


def test_micro_latency_uses_16_ns_units() -> None:
    analyzer = RxAnalyzer(TpldMode.MICRO)
    feed(
        analyzer,
        [Packet(tid=1, seq=0, tx_ns=(5 << 32) + 1015, latency_ns=1000)],
        TpldMode.MICRO,
    )
    stats = analyzer.tid_stats(1)
    assert stats is not None
    assert stats.latency.min_ns == 1007  # TX time truncated to 1008


def test_last_second_figures_and_rates() -> None:
    analyzer = RxAnalyzer(TpldMode.NORMAL, now_ns=0)
    feed(analyzer, with_latencies(1, [4000] * 50 + [6000] * 50))
    analyzer.roll_second(1_000_000_000)
    stats = analyzer.tid_stats(1)
    assert stats is not None
    assert stats.latency_last_s == LatencyStats(
        count=100, min_ns=4000, avg_ns=5000.0, max_ns=6000
    )
    assert stats.pps_last_s == 100
    assert stats.bps_last_s == 100 * 68 * 8
    assert stats.jitter_last_s.count == 99
    port = analyzer.port_totals()
    assert (port.pps_last_s, port.bps_last_s) == (100, 54_400)
    feed(analyzer, with_latencies(1, [9000, 1000], t0=2_000_000_000))
    analyzer.roll_second(1_500_000_000)
    stats = analyzer.tid_stats(1)
    assert stats is not None
    assert stats.latency_last_s == LatencyStats(
        count=2, min_ns=1000, avg_ns=5000.0, max_ns=9000
    )
    assert stats.latency == LatencyStats(
        count=102, min_ns=1000, avg_ns=5000.0, max_ns=9000
    )
    assert stats.pps_last_s == 4  # 2 packets in 0.5 s
    analyzer.roll_second(2_500_000_000)
    stats = analyzer.tid_stats(1)
    assert stats is not None
    assert stats.latency_last_s == LatencyStats()
    assert stats.jitter_last_s == JitterStats()
    assert stats.pps_last_s == 0
    analyzer.roll_second(2_500_000_000)  # no time passed: nothing changes
    assert analyzer.tid_stats(1) == stats


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 3), st.integers(-50_000, 3_000_000_000)),
        min_size=1,
        max_size=120,
    ),
    st.lists(st.integers(1, 119), max_size=5),
)
def test_latency_jitter_histogram_match_model(
    items: list[tuple[int, int]], cuts: list[int]
) -> None:
    packets = [
        Packet(tid=t, seq=i, tx_ns=i * 10_000, latency_ns=lat)
        for i, (t, lat) in enumerate(items)
    ]
    model = Model()
    model.feed(packets)
    analyzer = RxAnalyzer(TpldMode.NORMAL)
    bounds = sorted({0, len(packets), *[c for c in cuts if c < len(packets)]})
    for a, b in itertools.pairwise(bounds):
        feed(analyzer, packets[a:b])
    for tid, ref in model.tids.items():
        stats = analyzer.tid_stats(tid)
        assert stats is not None
        assert stats.latency.count == len(ref.latencies)
        assert stats.latency.min_ns == min(ref.latencies)
        assert stats.latency.max_ns == max(ref.latencies)
        assert stats.latency.avg_ns == pytest.approx(
            sum(ref.latencies) / len(ref.latencies), rel=1e-12
        )
        assert list(stats.histogram) == ref.hist
        assert stats.jitter.count == len(ref.jitter_samples)
        if ref.jitter_samples:
            assert stats.jitter_ns == pytest.approx(ref.jitter, rel=1e-9, abs=1e-6)
            assert stats.jitter.max_ns == pytest.approx(
                max(ref.jitter_samples), rel=1e-9, abs=1e-6
            )
            assert stats.jitter.min_ns == pytest.approx(
                min(ref.jitter_samples), rel=1e-9, abs=1e-6
            )
