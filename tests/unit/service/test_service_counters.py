"""Counters since a clear: the port services' (what the port received is cleared
with the RX statistics, what it sent with the TX statistics, times never), and the
frames a receiver still held in its ring when the RX statistics were cleared."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from wirespeed import service
from wirespeed.dataplane import service_messages as sm
from wirespeed.service.fake import FakeDataplane
from wirespeed.topology import testbed


@pytest.fixture
def tester_fake() -> Iterator[tuple[service.Tester, FakeDataplane]]:
    ports = tuple(
        testbed.PortSpec(f"wsC{i}", None, 10**9, f"02:00:00:00:00:0{i + 1}", i ^ 1)
        for i in range(2)
    )
    fake = FakeDataplane(2)
    config = testbed.TesterConfig(ports, testbed.TesterConfig.default_modules(ports))
    tester = service.Tester(config, dataplane=fake).start()
    yield tester, fake
    tester.close()


def _count(fake: FakeDataplane, **words: int) -> None:
    for name, n in words.items():
        fake.services.words[0][getattr(sm, name)] += n


def test_each_clear_zeroes_its_direction(tester_fake) -> None:
    tester, fake = tester_fake
    _count(fake, ARP_REQUESTS_RX=3, PING4_REQUESTS_RX=2, ARP_REPLIES_TX=3,
           PING4_REPLIES_TX=2, SVC_SINGLE_LAST_NS=123)  # fmt: skip
    svc = tester.services
    tester.clear_stats(0, tx=False, rx=True)
    _count(fake, ARP_REQUESTS_RX=1)
    since = svc.counters(0, since_clear=True)
    assert (since["arp_requests_rx"], since["ping_requests_rx"]) == (1, 0)
    assert (since["arp_replies_tx"], since["ping_replies_tx"]) == (3, 2)
    tester.clear_stats(0, tx=True, rx=False)
    since = svc.counters(0, since_clear=True)
    assert (since["arp_requests_rx"], since["arp_replies_tx"]) == (1, 0)
    assert since["single_last_ns"] == 123  # a time, not a count
    total = svc.counters(0)
    assert (total["arp_requests_rx"], total["arp_replies_tx"]) == (4, 3)
    assert svc.counters(1, since_clear=True)["arp_requests_rx"] == 0


def test_port_stats_service_rx_follows_the_rx_clear(tester_fake) -> None:
    tester, fake = tester_fake
    _count(fake, SVC_RX_PACKETS=5, SVC_TX_PACKETS=7)
    tester.clear_stats(0, tx=True, rx=False)
    st = tester.port_stats(0)
    assert (st.service_rx_packets, st.service_tx_packets) == (5, 0)
    tester.clear_stats(0, tx=False, rx=True)
    assert tester.port_stats(0).service_rx_packets == 0


def test_frames_in_the_ring_at_an_rx_clear_are_before_it(tester_fake) -> None:
    tester, fake = tester_fake
    fake.count_rx(0, packets=3, frame_bytes=100)
    fake.hold_rx(0, packets=1, frame_bytes=64)  # received, not yet counted
    tester.clear_stats(0, tx=False, rx=True)
    st = tester.port_stats(0)
    assert (st.rx_packets, st.rx_bytes) == (0, 0)
    assert tester.port_stats(0, since_clear=False).rx_packets == 4
