"""The tester's port services over the fake data plane: what callers get back, and
how service frames enter the port counters."""

from __future__ import annotations

from collections.abc import Iterator
from ipaddress import ip_address
from pathlib import Path

import pytest

from wirespeed.capture import compile_filter
from wirespeed.dataplane import service_messages as sm
from wirespeed.dataplane.service_worker import service_filter
from wirespeed.errors import ConfigError, PortError
from wirespeed.l3 import L3Identity
from wirespeed.service import Tester as WsTester
from wirespeed.service.fake import FakeDataplane, fake_config

IDENT = L3Identity.parse(ipv4="198.18.1.2/24", gateway="198.18.1.1")
GW_MAC = "02:77:73:01:00:01"


@pytest.fixture
def env() -> Iterator[tuple[WsTester, FakeDataplane]]:
    fake = FakeDataplane(2)
    tester = WsTester(fake_config(2), dataplane=fake).start()
    try:
        yield tester, fake
    finally:
        tester.close()


def test_resolution_records_the_gateway_as_the_ports_destination(
    env: tuple[WsTester, FakeDataplane],
) -> None:
    tester, fake = env
    tester.services.set_l3(0, IDENT)
    assert fake.services.identity[0] == IDENT
    fake.services.neighbors[0]["198.18.1.1"] = GW_MAC
    assert tester.services.resolve(0) == GW_MAC
    info = tester.ports[0]
    assert info.dst_mac == GW_MAC
    assert info.neighbors == ((ip_address("198.18.1.1"), GW_MAC),)


def test_nobody_answering_names_the_address_the_port_and_the_time(
    env: tuple[WsTester, FakeDataplane],
) -> None:
    tester, _fake = env
    tester.services.set_l3(0, IDENT)
    with pytest.raises(PortError) as err:
        tester.services.resolve(0, timeout_s=1.5)
    assert str(err.value) == "198.18.1.1 did not answer ARP on port 0 within 1.5 s"
    assert err.value.port == 0
    with pytest.raises(ConfigError, match="has no gateway"):
        tester.services.resolve(1)


def test_single_frames_are_port_tx_and_service_tx(
    env: tuple[WsTester, FakeDataplane],
) -> None:
    tester, fake = env
    sent = tester.services.send_frames(0, [bytes(42), bytes(100)])
    assert (sent.count, sent.bytes) == (2, 64 + 104)
    st = tester.port_stats(0)
    assert (st.tx_packets, st.tx_bytes) == (2, 168)
    assert (st.tx_notpld_packets, st.service_tx_packets) == (2, 2)
    assert tester.services.counters(0)["single_packets"] == 2
    assert fake.services.sent[0] == [bytes(42), bytes(100)]
    tester.clear_stats(0)
    assert tester.port_stats(0).service_tx_packets == 0


def test_captures_are_validated_before_the_worker_sees_them(
    env: tuple[WsTester, FakeDataplane], tmp_path: Path
) -> None:
    tester, fake = env
    with pytest.raises(ConfigError) as err:
        tester.services.start_capture(0, filter="udp and dst prot 9")
    assert (err.value.field, err.value.reason) == ("filter", "unknown host 'prot'")
    with pytest.raises(ConfigError) as err:
        tester.services.start_capture(0, limit_bytes=2 << 30)
    assert err.value.field == "limit"
    before = len(fake.sent)
    cid = tester.services.start_capture(0, path=tmp_path / "c.pcapng", limit_frames=2)
    assert len(fake.sent) == before + 2  # the start and the TX worker made visible
    fake.services.capture(0, [b"\x01" * 60, b"\x02" * 70, b"\x03" * 80])
    got = tester.services.read_capture(cid)
    assert [got.frame(i) for i in range(len(got))] == [b"\x01" * 60, b"\x02" * 70]
    info = tester.services.stop_capture(cid)
    assert (info.stats.frames, info.active) == (2, False)


@pytest.mark.parametrize(
    "ident",
    [
        L3Identity(),
        IDENT,
        L3Identity.parse(ipv6="2001:2:0:1::2/64"),
        L3Identity.parse(ipv4="198.18.1.2/24", ipv6="2001:2::2/64", vlan=10),
    ],
)
def test_the_service_filter_compiles(ident: L3Identity) -> None:
    prog = compile_filter(service_filter(ident))
    assert len(prog) > 1


def test_the_service_filter_takes_only_what_the_port_answers() -> None:
    from scapy.layers.inet import ICMP, IP, UDP
    from scapy.layers.inet6 import ICMPv6ND_NS, IPv6
    from scapy.layers.l2 import ARP, Ether

    prog = compile_filter(service_filter(IDENT))
    eth = Ether(src="02:00:00:00:00:09", dst="02:00:00:00:00:01")
    yes = [eth / ARP(pdst="198.18.1.2"), eth / IP(dst="198.18.1.2") / ICMP()]
    no = [
        eth / IP(dst="198.18.1.2") / UDP(dport=9),  # test traffic
        eth / IP(dst="198.18.2.2") / ICMP(),  # another host's ping
        eth / IPv6(dst="ff02::1:ff00:2") / ICMPv6ND_NS(tgt="2001:2::2"),  # no v6
    ]
    assert [prog.matches(bytes(f)) > 0 for f in yes] == [True, True]
    assert [prog.matches(bytes(f)) > 0 for f in no] == [False, False, False]


def test_a_lost_worker_fails_its_captures(
    env: tuple[WsTester, FakeDataplane], tmp_path: Path
) -> None:
    tester, _fake = env
    cid = tester.services.start_capture(1, path=tmp_path / "x.pcapng")
    tester.services.on_worker_lost(1, "killed by signal 9")
    info = tester.services.capture(cid)
    assert info.active is False
    assert info.stats == sm.CaptureStats(
        0, 0, 0, True, "the service worker died (killed by signal 9)"
    )
