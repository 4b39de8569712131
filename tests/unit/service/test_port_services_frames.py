"""Port services over the fake data plane: recorded neighbours, the MACs written
into single frames, and the fake's captures (times, direction, cyclic)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from scapy.layers.inet import IP, UDP
from scapy.layers.l2 import Ether

from wirespeed import service
from wirespeed.capture import Direction
from wirespeed.errors import ValidationError
from wirespeed.l3 import L3Identity
from wirespeed.model import MacDstMode
from wirespeed.service.fake import FakeDataplane, fake_config

GW_MAC = "02:77:73:01:00:01"
PORT0_MAC = "02:00:00:00:00:01"


@pytest.fixture
def fake() -> FakeDataplane:
    return FakeDataplane(2)


@pytest.fixture
def tester(fake: FakeDataplane) -> Iterator[service.Tester]:
    with service.Tester(fake_config(2), dataplane=fake) as t:
        yield t


def _frame(dst: str = "0b:0b:0b:0b:0b:0b") -> bytes:
    eth = Ether(src="0a:0a:0a:0a:0a:0a", dst=dst)
    return bytes(eth / IP(src="198.18.1.2", dst="198.18.2.2") / UDP() / (b"x" * 20))


def test_set_neighbor_makes_a_gateway_the_destination(tester: service.Tester) -> None:
    svc = tester.services
    svc.set_l3(0, L3Identity.parse(ipv4="198.18.1.2/30", gateway="198.18.1.1"))
    svc.set_neighbor(0, "198.18.1.1", GW_MAC.upper())
    info = tester.ports[0]
    assert info.dst_mac == GW_MAC
    assert [(str(a), m) for a, m in info.neighbors] == [("198.18.1.1", GW_MAC)]
    svc.set_neighbor(0, "198.18.1.3", "02:00:00:00:00:99")  # not the gateway
    assert tester.ports[0].dst_mac == GW_MAC


def test_send_frames_writes_the_ports_macs(
    tester: service.Tester, fake: FakeDataplane
) -> None:
    svc = tester.services
    svc.set_l3(0, L3Identity.parse(ipv4="198.18.1.2/24", gateway="198.18.1.1"))
    svc.set_neighbor(0, "198.18.1.1", GW_MAC)
    sent = svc.send_frames(
        0,
        [_frame(), _frame(), _frame()],
        mac_src_from_packet=[False, True, True],
        mac_dst_mode=[MacDstMode.PORT, MacDstMode.PACKET, MacDstMode.ARP],
    )
    assert sent.count == 3
    got = [(Ether(f).src, Ether(f).dst) for f in fake.services.sent[0]]
    assert got == [
        (PORT0_MAC, GW_MAC),
        ("0a:0a:0a:0a:0a:0a", "0b:0b:0b:0b:0b:0b"),
        ("0a:0a:0a:0a:0a:0a", GW_MAC),
    ]
    svc.send_frames(0, [_frame()])  # no choice: as it is
    assert fake.services.sent[0][-1] == _frame()
    with pytest.raises(ValidationError, match="one MAC choice per frame"):
        svc.send_frames(0, [_frame()], mac_dst_mode=[])


def test_send_frames_without_a_known_mac_names_the_frame(
    tester: service.Tester,
) -> None:
    tester.services.set_dst_mac(0, None)
    with pytest.raises(ValidationError, match="frame 1: port 0 has no destination"):
        tester.services.send_frames(
            0,
            [_frame(), _frame()],
            mac_dst_mode=[MacDstMode.PACKET, MacDstMode.PORT],
        )


def test_fake_captures_keep_times_directions_and_the_latest(
    tester: service.Tester, fake: FakeDataplane
) -> None:
    svc = tester.services
    rx = svc.start_capture(0, rx=True, tx=False, limit_frames=2, mode="cyclic")
    both = svc.start_capture(0, limit_frames=3)
    frames = [_frame(dst=f"0b:00:00:00:00:0{i}") for i in range(4)]
    fake.services.capture(0, frames[:3], ts_ns=1_000)
    fake.services.capture(0, frames[3:], ts_ns=5_000, direction=Direction.OUTBOUND)
    latest = svc.read_capture(rx)
    assert [latest.frame(i) for i in range(len(latest))] == frames[1:3]
    assert latest.ts_ns.tolist() == [1_001, 1_002]
    first = svc.read_capture(both)
    assert first.ts_ns.tolist() == [1_000, 1_001, 1_002]
    assert first.direction.tolist() == [Direction.INBOUND] * 3
