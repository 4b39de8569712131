"""Prometheus ``/metrics`` over a real tester on the package's fake data plane:
the exposition parsed back with prometheus_client's own parser."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from prometheus_client import REGISTRY
from prometheus_client.openmetrics.parser import (
    text_string_to_metric_families as openmetrics_families,
)
from prometheus_client.parser import text_string_to_metric_families

from wirespeed import service
from wirespeed.analysis import (
    HISTOGRAM_BOUNDS_US,
    HISTOGRAM_BUCKETS,
    JitterStats,
    LatencyStats,
    TidStats,
)
from wirespeed.model.stream import Stream
from wirespeed.server.http import metrics as prom
from wirespeed.service.fake import FakeDataplane, fake_config

Key = tuple[str, frozenset[tuple[str, str]]]
P0 = {"chassis": "bench", "module": "0", "port": "0", "name": "fake0/p0"}
P1 = {"chassis": "bench", "module": "0", "port": "1", "name": "fake1/p1"}
T7 = {"chassis": "bench", "module": "0", "port": "1", "tid": "7"}


@pytest.fixture
def fake() -> FakeDataplane:
    return FakeDataplane(2)


@pytest.fixture
def tester(fake: FakeDataplane) -> Iterator[service.Tester]:
    with service.Tester(fake_config(2), dataplane=fake) as t:
        yield t


@pytest.fixture
def metrics(tester: service.Tester) -> prom.TesterMetrics:
    return prom.TesterMetrics(tester, "bench")


def scrape(metrics: prom.TesterMetrics) -> dict[Key, float]:
    """Every sample of one scrape, by name and labels."""
    body, content_type = metrics.render()
    assert content_type == "text/plain; version=0.0.4; charset=utf-8"
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for fam in text_string_to_metric_families(body.decode())
        for s in fam.samples
    }


def at(samples: dict[Key, float], metric: str, /, **labels: str) -> float:
    return samples[("wirespeed_" + metric, frozenset(labels.items()))]


def hist(buckets: dict[int, int]) -> tuple[int, ...]:
    """Histogram counts per bucket index."""
    return tuple(buckets.get(k, 0) for k in range(HISTOGRAM_BUCKETS))


def tid7(packets: int, buckets: dict[int, int], **more: object) -> TidStats:
    """TID 7's analysis: ``packets`` frames of 128 B, latencies in ``buckets``
    averaging 25 µs."""
    lat = LatencyStats(count=packets, min_ns=5_000, avg_ns=25_000.0, max_ns=2 * 10**9)
    return TidStats(
        tid=7,
        packets=packets,
        bytes=packets * 128,
        latency=lat,
        latency_last_s=lat,
        histogram=hist(buckets),
        **more,  # type: ignore[arg-type]
    )


def test_port_counters_are_the_wire_counts(
    tester: service.Tester, fake: FakeDataplane, metrics: prom.TesterMetrics
) -> None:
    tester.add_stream(0, 0, Stream(packet=bytes(60), tpld_id=7))
    slot = tester._core.slot(0, 0)
    fake.count_tx(0, slot=slot, packets=1000, frame_bytes=64)
    fake.count_tx(0, slot=slot, packets=3, frame_bytes=100, tpld=False)
    fake.count_tx_errors(0, 2)
    fake.count_rx(1, packets=990, frame_bytes=64, tid=tid7(990, {0: 990}))
    fake.count_rx(1, packets=4, frame_bytes=70, ring_drops=6)
    s = scrape(metrics)
    assert at(s, "port_tx_frames_total", **P0) == 1003
    assert at(s, "port_tx_bytes_total", **P0) == 64_300
    assert at(s, "port_tx_errors_total", **P0) == 2
    assert at(s, "port_tx_non_tpld_frames_total", **P0) == 3
    assert at(s, "port_rx_frames_total", **P0) == 0
    assert at(s, "port_rx_frames_total", **P1) == 994
    assert at(s, "port_rx_bytes_total", **P1) == 990 * 64 + 4 * 70
    assert at(s, "port_rx_tpld_frames_total", **P1) == 990
    assert at(s, "port_rx_non_tpld_frames_total", **P1) == 4
    assert at(s, "port_rx_dropped_by_tester_frames_total", **P1) == 6
    assert at(s, "port_rx_tpld_errors_total", **P1) == 0
    assert at(s, "port_service_tx_frames_total", **P0) == 0
    assert at(s, "port_link_up", **P0) == 1
    assert at(s, "port_speed_bits_per_second", **P1) == 10e9
    assert at(s, "port_tx_frames_per_second", **P0) >= 0


def test_streams_are_labelled_by_port_stream_and_tid(
    tester: service.Tester, fake: FakeDataplane, metrics: prom.TesterMetrics
) -> None:
    tester.add_stream(0, 4, Stream(packet=bytes(60), tpld_id=7))
    tester.add_stream(0, 5, Stream(packet=bytes(60)))  # no TPLD: tid=""
    fake.count_tx(0, slot=tester._core.slot(0, 4), packets=50, frame_bytes=64)
    fake.count_tx(0, slot=tester._core.slot(0, 5), packets=8, frame_bytes=128)
    s = scrape(metrics)
    where = {"chassis": "bench", "module": "0", "port": "0"}
    assert at(s, "stream_tx_frames_total", **where, stream="4", tid="7") == 50
    assert at(s, "stream_tx_bytes_total", **where, stream="4", tid="7") == 3200
    assert at(s, "stream_tx_frames_total", **where, stream="5", tid="") == 8
    assert at(s, "stream_tx_bytes_total", **where, stream="5", tid="") == 1024
    streams = {k for k in s if k[0] == "wirespeed_stream_tx_frames_total"}
    assert len(streams) == 2


def test_tid_counters_and_the_latency_histogram(
    fake: FakeDataplane, metrics: prom.TesterMetrics
) -> None:
    # 3 frames under 10 µs, 5 in [20, 30) µs, 1 in [1, 2) ms, 2 at 1 s or more
    st = tid7(
        11,
        {0: 3, 2: 5, 19: 1, 46: 2},
        lost=4,
        misordered=1,
        duplicates=2,
        payload_errors=3,
        jitter_ns=1500.0,
        jitter=JitterStats(count=10, min_ns=900.0, avg_ns=1400.0, max_ns=2e3),
    )
    fake.count_rx(1, packets=11, frame_bytes=128, tid=st)
    s = scrape(metrics)
    assert at(s, "tid_rx_frames_total", **T7) == 11
    assert at(s, "tid_rx_bytes_total", **T7) == 11 * 128
    assert at(s, "tid_lost_frames", **T7) == 4
    assert at(s, "tid_misordered_frames_total", **T7) == 1
    assert at(s, "tid_duplicate_frames_total", **T7) == 2
    assert at(s, "tid_payload_errors_total", **T7) == 3
    assert at(s, "tid_jitter_seconds", **T7) == pytest.approx(1.5e-6)
    le = {
        float(dict(k[1])["le"]): v
        for k, v in s.items()
        if k[0] == "wirespeed_tid_latency_seconds_bucket"
    }
    assert len(le) == HISTOGRAM_BUCKETS  # 46 upper bounds and +Inf
    assert le[10e-6] == 3  # bucket 0 is [0, 10) µs
    assert le[20e-6] == 3
    assert le[30e-6] == 8
    assert le[1e-3] == 8
    assert le[2e-3] == 9  # bucket 19 is [1, 2) ms
    assert le[1.0] == 9
    assert le[float("inf")] == 11  # bucket 46 is 1 s and more
    bounds = [us / 1e6 for us in HISTOGRAM_BOUNDS_US[1:]]
    assert sorted(b for b in le if b != float("inf")) == bounds
    assert at(s, "tid_latency_seconds_count", **T7) == 11
    assert at(s, "tid_latency_seconds_sum", **T7) == pytest.approx(11 * 25e-6)


def test_no_jitter_sample_before_a_second_frame(
    fake: FakeDataplane, metrics: prom.TesterMetrics
) -> None:
    fake.count_rx(1, packets=1, frame_bytes=128, tid=tid7(1, {0: 1}))
    s = scrape(metrics)
    assert at(s, "tid_rx_frames_total", **T7) == 1
    assert not [k for k in s if k[0] == "wirespeed_tid_jitter_seconds"]


def test_counters_do_not_go_down_when_a_client_clears(
    tester: service.Tester, fake: FakeDataplane, metrics: prom.TesterMetrics
) -> None:
    tester.add_stream(0, 0, Stream(packet=bytes(60), tpld_id=7))
    slot = tester._core.slot(0, 0)
    fake.count_tx(0, slot=slot, packets=100, frame_bytes=64)
    fake.count_rx(1, packets=100, frame_bytes=64, tid=tid7(100, {1: 100}))
    before = scrape(metrics)
    tester.clear_stats(0)
    tester.clear_stats(1)
    assert tester.port_stats(0).tx_packets == 0  # the client's view is cleared
    fake.count_tx(0, slot=slot, packets=20, frame_bytes=64)
    fake.count_rx(1, packets=20, frame_bytes=64, tid=tid7(20, {1: 20}))
    after = scrape(metrics)
    where = {"chassis": "bench", "module": "0", "port": "0"}
    for name, labels, grown in [
        ("port_tx_frames_total", P0, 20),
        ("port_rx_frames_total", P1, 20),
        ("stream_tx_frames_total", {**where, "stream": "0", "tid": "7"}, 20),
        ("tid_rx_frames_total", T7, 20),
        ("tid_latency_seconds_count", T7, 20),
        ("tid_latency_seconds_bucket", {**T7, "le": "2e-05"}, 20),
    ]:
        assert at(after, name, **labels) - at(before, name, **labels) == grown
    assert at(after, "tid_rx_frames_total", **T7) == 120


def test_openmetrics_when_asked(
    fake: FakeDataplane, metrics: prom.TesterMetrics
) -> None:
    fake.count_rx(1, packets=2, frame_bytes=128, tid=tid7(2, {0: 2}))
    body, content_type = metrics.render("application/openmetrics-text; version=1.0.0")
    assert content_type.startswith("application/openmetrics-text; version=1.0.0")
    fams = {
        f.name: f
        for f in openmetrics_families(body.decode())  # type: ignore[no-untyped-call]
    }
    assert fams["wirespeed_tid_rx_frames"].type == "counter"
    assert fams["wirespeed_tid_latency_seconds"].type == "histogram"


def test_each_daemon_has_its_own_registry(tester: service.Tester) -> None:
    a, b = prom.TesterMetrics(tester, "a"), prom.TesterMetrics(tester, "b")
    assert a.registry is not b.registry
    assert b'chassis="b"' not in a.render()[0]
    assert REGISTRY.get_sample_value("wirespeed_port_tx_frames_total") is None
