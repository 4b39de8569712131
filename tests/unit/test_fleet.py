"""Several hosts' testers as one (on the package's fake data plane): ports named
host/index in one numbering, each call on the port's host, a start on several
hosts agreed at one wall-clock time, statistics joined across hosts, and a host
that stops answering reported by name while the others are stopped."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from wirespeed import service
from wirespeed.analysis import LatencyStats, TidStats
from wirespeed.dataplane import messages as msg
from wirespeed.errors import ConfigError
from wirespeed.fleet import FleetTester, Host, HostLost
from wirespeed.model import Stream
from wirespeed.service.fake import FakeDataplane, fake_config


class Fakes:
    def __init__(self) -> None:
        self.dp = {"A": FakeDataplane(2), "B": FakeDataplane(2)}
        self.testers = {
            h: service.Tester(fake_config(2), dataplane=dp).start()
            for h, dp in self.dp.items()
        }

    def close(self) -> None:
        for t in self.testers.values():
            t.close()


@pytest.fixture
def fakes() -> Iterator[Fakes]:
    f = Fakes()
    yield f
    f.close()


@pytest.fixture
def fleet(fakes: Fakes) -> FleetTester:
    return FleetTester(
        [Host(h, t) for h, t in fakes.testers.items()], cabling={"A/0": "B/1"}
    )


class _Gone:
    """A host whose daemon went away: every call fails as a socket does."""

    def __init__(self, real: Any) -> None:
        self.real = real
        self.gone = False

    def __getattr__(self, name: str) -> Any:
        if self.gone:
            raise ConnectionError("connection refused")
        return getattr(self.real, name)


def test_ports_are_numbered_host_after_host(fleet: FleetTester) -> None:
    assert [fleet.name(p.index) for p in fleet.ports] == ["A/0", "A/1", "B/0", "B/1"]
    assert fleet.index("B/1") == 3
    # cabled across hosts by the fleet, within a host as the host says
    assert [p.spec.peer for p in fleet.ports] == [3, 0, 3, 0]
    assert [m.ports for m in fleet.modules] == [(0, 1), (2, 3)]
    for bad, field in (("C/0", "port"), ("A/7", "port"), ("A0", "port")):
        with pytest.raises(ConfigError) as err:
            fleet.index(bad)
        assert err.value.field == field


def test_a_start_on_several_hosts_is_agreed(fleet: FleetTester, fakes: Fakes) -> None:
    fleet.add_stream(0, 0, Stream(packet=bytes(60)))
    fleet.add_stream(3, 0, Stream(packet=bytes(60)))
    before = time.time_ns()
    fleet.start_traffic([0, 3])
    jobs = {
        h: [c.job for p, c in dp.sent if isinstance(c, msg.StartJob)]
        for h, dp in fakes.dp.items()
    }
    (a,), (b,) = jobs["A"], jobs["B"]
    assert a.start_at_ns == b.start_at_ns
    assert a.start_at_ns is not None
    assert a.start_at_ns - before >= int(fleet.lead_s * 1e9)
    assert [p for p, c in fakes.dp["B"].sent if isinstance(c, msg.StartJob)] == [1]
    # one host alone starts at once
    fleet.stop_traffic([0, 3])
    fleet.start_traffic([0])
    assert [c.job.start_at_ns for p, c in fakes.dp["A"].sent
            if isinstance(c, msg.StartJob)] == [a.start_at_ns, None]  # fmt: skip


def test_statistics_join_across_hosts(fleet: FleetTester, fakes: Fakes) -> None:
    fleet.add_stream(0, 0, Stream(packet=bytes(60), tpld_id=4))
    slot = fakes.testers["A"]._core.slot(0, 0)
    fakes.dp["A"].count_tx(0, slot=slot, packets=500, frame_bytes=64)
    lat = LatencyStats(count=490, min_ns=1, avg_ns=2.0, max_ns=3)
    st = TidStats(tid=4, packets=490, bytes=490 * 64, latency=lat, lost=10)
    fakes.dp["B"].count_rx(1, packets=490, frame_bytes=64, tid=st)
    assert fleet.stream_tx_stats(0, 0).packets == 500
    rx = fleet.tid_stats(3, 4)
    assert rx is not None
    assert (rx.packets, rx.lost) == (490, 10)
    assert fleet.port_stats(3).rx_packets == 490
    assert fleet.port_stats(2).rx_packets == 0


def test_a_lost_host_is_named_and_the_others_stop(fakes: Fakes) -> None:
    b = _Gone(fakes.testers["B"])
    fleet = FleetTester([Host("A", fakes.testers["A"]), Host("B", b)])
    fleet.add_stream(0, 0, Stream(packet=bytes(60)))
    fleet.add_stream(2, 0, Stream(packet=bytes(60)))
    fleet.start_traffic([0, 2])
    b.gone = True
    with pytest.raises(HostLost) as err:
        fleet.wait_idle([0, 2], 5)
    assert err.value.host == "B"
    assert str(err.value) == "host B is lost: connection refused"
    assert fleet.lost == {"B"}
    assert fleet.port_state(0) is service.PortState.STREAMS  # A was stopped
    with pytest.raises(HostLost):
        fleet.port_stats(2)
    assert fleet.port_stats(0).tx_packets == 0  # A still answers


def test_latency_across_hosts_says_what_the_clocks_are_worth(
    fleet: FleetTester, fakes: Fakes, monkeypatch: pytest.MonkeyPatch
) -> None:
    from wirespeed.analysis.clocksync import ClockSource, ClockSync

    synced = {
        "A": ClockSync(ClockSource.CHRONY, True, 1_000, 20_000, "chrony", "ntp1"),
        "B": ClockSync(ClockSource.CHRONY, True, -2_000, 22_500, "chrony", "ntp1"),
    }
    for host, t in fakes.testers.items():
        monkeypatch.setattr(t, "clock_sync", lambda host=host: synced[host])
    assert fleet.latency_note(0, 1) is None  # one host, one clock
    assert fleet.latency_note(0, 3) == "clocks synced by chrony, ±42.5 µs"
    assert fleet.clocks() == synced
