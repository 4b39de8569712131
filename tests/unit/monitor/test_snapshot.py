"""The monitor's one reading of the tester, on the package's fake data plane:
the snapshot holds exactly what the tester's own calls return, and the history's
samples are made of it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from wirespeed import service
from wirespeed.analysis import HISTOGRAM_BUCKETS, LatencyStats, TidStats
from wirespeed.model import Rate
from wirespeed.model.stream import Stream
from wirespeed.monitor import History, sample_of, snapshot
from wirespeed.monitor.snapshot import tid_view
from wirespeed.service.fake import FakeDataplane, fake_config


def _tid(tid: int, packets: int, bucket: int) -> TidStats:
    lat = LatencyStats(count=packets, min_ns=1_000, avg_ns=1_500.0, max_ns=2_000)
    hist = tuple(packets if k == bucket else 0 for k in range(HISTOGRAM_BUCKETS))
    return TidStats(
        tid=tid,
        packets=packets,
        bytes=packets * 100,
        latency=lat,
        latency_last_s=lat,
        histogram=hist,
    )


@pytest.fixture
def fake() -> FakeDataplane:
    return FakeDataplane(2)


@pytest.fixture
def tester(fake: FakeDataplane) -> Iterator[service.Tester]:
    with service.Tester(fake_config(2), dataplane=fake) as t:
        yield t


def test_the_snapshot_is_the_testers_reading(
    tester: service.Tester, fake: FakeDataplane
) -> None:
    tester.add_stream(0, 3, Stream(packet=bytes(60), tpld_id=5, rate=Rate.pps(10)))
    fake.count_tx(0, slot=tester._core.slot(0, 3), packets=40, frame_bytes=100)
    fake.count_rx(1, packets=30, frame_bytes=100, tid=_tid(5, 30, 1))
    fake.count_rx(1, packets=12, frame_bytes=100, tid=_tid(9, 12, 4))
    snap = snapshot(tester)
    assert (snap["schema"], snap["since_clear"]) == (1, True)
    assert [m["ports"] for m in snap["modules"]] == [[0, 1]]
    p0, p1 = snap["ports"]
    assert p0["counters"]["tx_packets"] == tester.port_stats(0).tx_packets == 40
    assert p0["streams"] == [
        {
            "id": 3,
            "name": "",
            "tid": 5,
            "enabled": "ON",
            "rate": {"unit": "pps", "value": 10.0},
            "packets": 40,
            "bytes": 4000,
            "pps": 0.0,
            "bps_l2": 0.0,
            "bps_l1": 0.0,
        }
    ]
    # every TID from one reading, equal to the per-TID calls
    assert [t["tid"] for t in p1["tids"]] == tester.tids(1) == [5, 9]
    for t in p1["tids"]:
        st = tester.tid_stats(1, t["tid"])
        assert st is not None
        assert t == tid_view(st)
    assert [(t["packets"], t["histogram"][4]) for t in p1["tids"]] == [
        (30, 0),
        (12, 12),
    ]
    # totals survive a clear; the cleared view starts again
    tester.clear_stats(1)
    assert snapshot(tester)["ports"][1]["tids"] == []
    totals = snapshot(tester, since_clear=False)["ports"][1]["tids"]
    assert [(t["tid"], t["packets"]) for t in totals] == [(5, 30), (9, 12)]


def test_history_samples_are_made_of_snapshots(
    tester: service.Tester, fake: FakeDataplane
) -> None:
    fake.count_rx(1, packets=7, frame_bytes=100, tid=_tid(5, 7, 1))
    history = History(tester, period_s=60)  # read by hand here
    seen: list[int] = []
    unsubscribe = history.subscribe(lambda snap, sample: seen.append(sample["time_ns"]))
    snap, sample = history.read()
    assert sample == sample_of(snap)
    assert sample["tids"] == [
        {
            "port": 1,
            "tid": 5,
            "pps": 0,
            "packets": 7,
            "lost": 0,
            "misordered": 0,
            "duplicates": 0,
            "latency_min_ns": 1_000,
            "latency_avg_ns": 1_500.0,
            "latency_max_ns": 2_000,
            "jitter_ns": None,
        }
    ]
    unsubscribe()
    history.read()
    assert seen == [sample["time_ns"]]
    assert [s["time_ns"] for s in history.samples()] == [
        sample["time_ns"],
        history.samples()[-1]["time_ns"],
    ]
    assert history.samples(since_ns=sample["time_ns"]) == history.samples()[1:]
    assert history.latest()["time_ns"] == history.samples()[-1]["time_ns"]
