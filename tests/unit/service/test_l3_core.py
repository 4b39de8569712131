"""The core's L3 part: identities, neighbours, and the MACs written into frames."""

from __future__ import annotations

from ipaddress import IPv4Interface, IPv6Interface, ip_address

import pytest
from scapy.layers.inet import IP, UDP
from scapy.layers.inet6 import IPv6
from scapy.layers.l2 import Dot1Q, Ether

from wirespeed.dataplane import messages as msg
from wirespeed.dataplane import service_messages as sm
from wirespeed.errors import ValidationError
from wirespeed.l3 import L3Identity
from wirespeed.model import FrameLength, MacDstMode, Rate, Stream, TxMode
from wirespeed.service import core as tester_core
from wirespeed.service.types import PortInfo, Send, SendSvc
from wirespeed.topology.testbed import PortSpec

GIG = 1_000_000_000
PORT0_MAC = "02:00:00:00:00:01"
GW_MAC = "02:77:73:01:00:01"
IDENT = L3Identity.parse(
    ipv4="198.18.1.2/24",
    gateway="198.18.1.1",
    ipv6="2001:2:0:1::2/64",
    gateway6="2001:2:0:1::1",
)


def _core() -> tester_core.TesterCore:
    ports = [
        PortInfo(i, PortSpec(f"p{i}", "ns", GIG, None, i ^ 1), 0, i,
                 f"02:00:00:00:00:0{i + 1}", GIG, dst_mac=f"02:00:00:00:00:0{2 - i}")
        for i in range(2)
    ]  # fmt: skip
    return tester_core.TesterCore(ports, [(0, 1)])


def _stream(pkt: bytes, mode: MacDstMode, src_from_packet: bool = False) -> Stream:
    return Stream(
        packet=pkt,
        length=FrameLength.fixed(128),
        rate=Rate.pps(1000),
        mode=TxMode.single_burst(10),
        mac_src_from_packet=src_from_packet,
        mac_dst_mode=mode,
    )


def _sent_packet(core: tester_core.TesterCore) -> bytes:
    effects = core.start([0])
    start = next(e for e in effects if isinstance(e, Send))
    assert isinstance(start.command, msg.StartJob)
    return start.command.job.streams[0].stream.packet


def _v4() -> bytes:
    return bytes(Ether(src="0a:0a:0a:0a:0a:0a", dst="0b:0b:0b:0b:0b:0b")
                 / IP(src="198.18.1.2", dst="198.18.2.2") / UDP())  # fmt: skip


def test_set_l3_tells_the_service_worker_and_forgets_neighbours() -> None:
    core = _core()
    core.add_neighbor(0, ip_address("198.18.1.9"), "02:00:00:00:00:99")
    effects = core.set_l3(0, IDENT)
    assert effects == [SendSvc(0, sm.SetIdentity(IDENT))]
    assert core.port(0).info.l3 == IDENT
    assert core.port(0).info.neighbors == ()


@pytest.mark.parametrize(
    ("changes", "kept"),
    [
        ({"ipv6": None, "gateway6": None}, ["198.18.1.1"]),
        ({"ipv6": IPv6Interface("2001:2:0:1::5/64")}, ["198.18.1.1"]),
        ({"gateway4": None}, ["2001:2:0:1::1"]),
        ({"ipv4": IPv4Interface("198.18.1.3/24")}, ["2001:2:0:1::1"]),
        ({"vlan": 5}, []),
        ({"ping6_reply": False}, ["198.18.1.1", "2001:2:0:1::1"]),
    ],
)
def test_new_addresses_of_a_family_forget_only_its_neighbours(
    changes: dict[str, object], kept: list[str]
) -> None:
    core = _core()
    core.set_l3(0, IDENT)
    core.add_neighbor(0, ip_address("198.18.1.1"), GW_MAC)
    core.add_neighbor(0, ip_address("2001:2:0:1::1"), GW_MAC)
    core.set_l3(0, IDENT.with_changes(**changes))
    info = core.port(0).info
    assert [str(a) for a, _mac in info.neighbors] == kept
    assert info.dst_mac == GW_MAC  # the L2 destination stays


def test_forget_forgets_every_neighbour() -> None:
    core = _core()
    core.set_l3(0, IDENT)
    core.add_neighbor(0, ip_address("198.18.1.1"), GW_MAC)
    core.add_neighbor(0, ip_address("2001:2:0:1::1"), GW_MAC)
    core.set_l3(0, IDENT, forget=True)
    assert core.port(0).info.neighbors == ()


def test_a_resolved_gateway_becomes_the_ports_destination() -> None:
    core = _core()
    core.set_l3(0, IDENT)
    core.add_neighbor(0, ip_address("198.18.1.1"), GW_MAC.upper())
    info = core.port(0).info
    assert info.dst_mac == GW_MAC
    assert info.neighbor(ip_address("198.18.1.1")) == GW_MAC
    core.add_neighbor(0, ip_address("198.18.1.7"), "02:00:00:00:00:07")
    assert core.port(0).info.dst_mac == GW_MAC  # not a gateway: dst unchanged


def test_arp_mode_writes_the_resolved_next_hop_and_the_ports_own_mac() -> None:
    core = _core()
    core.set_l3(0, IDENT)
    core.add_neighbor(0, ip_address("198.18.1.1"), GW_MAC)
    core.add_stream(0, 0, _stream(_v4(), MacDstMode.ARP))
    pkt = _sent_packet(core)
    assert pkt[0:6] == bytes.fromhex(GW_MAC.replace(":", ""))
    assert pkt[6:12] == bytes.fromhex(PORT0_MAC.replace(":", ""))
    assert pkt[12:] == _v4()[12:]


def test_arp_mode_ipv6_behind_a_vlan_tag() -> None:
    core = _core()
    core.set_l3(0, IDENT)
    core.add_neighbor(0, ip_address("2001:2:0:1::1"), "02:77:73:01:00:06")
    frame = bytes(Ether() / Dot1Q(vlan=5) / IPv6(dst="2001:2:0:2::2") / UDP())
    core.add_stream(0, 0, _stream(frame, MacDstMode.ARP, src_from_packet=True))
    pkt = _sent_packet(core)
    assert pkt[0:6] == bytes.fromhex("027773010006")
    assert pkt[6:] == frame[6:]  # the packet's own source kept


def test_port_mode_writes_the_ports_destination() -> None:
    core = _core()
    core.add_stream(0, 0, _stream(_v4(), MacDstMode.PORT))
    assert _sent_packet(core)[0:6] == bytes.fromhex("020000000002")


def test_packet_mode_changes_nothing() -> None:
    core = _core()
    core.add_stream(0, 0, _stream(_v4(), MacDstMode.PACKET, src_from_packet=True))
    assert _sent_packet(core) == _v4()


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        (False, "the MAC of 198.18.1.1 is not resolved on port 0"),
        (True, "stream 0: 198.18.2.2 is not on the port's subnet"),
    ],
)
def test_an_unresolved_next_hop_refuses_the_start(setup: bool, message: str) -> None:
    core = _core()
    ident = IDENT if not setup else L3Identity.parse(ipv4="198.18.1.2/24")
    core.set_l3(0, ident)
    core.add_stream(0, 0, _stream(_v4(), MacDstMode.ARP))
    with pytest.raises(ValidationError, match=message) as err:
        core.start([0])
    assert err.value.field == "dst_mac"


def test_port_mode_without_a_destination_is_refused() -> None:
    core = _core()
    core.set_dst_mac(0, None)
    core.add_stream(0, 0, _stream(_v4(), MacDstMode.PORT))
    with pytest.raises(ValidationError, match="port 0 has no destination MAC"):
        core.start([0])


def test_a_start_sends_gratuitous_frames_only_when_asked() -> None:
    core = _core()
    core.set_l3(0, IDENT)
    core.add_neighbor(0, ip_address("198.18.1.1"), GW_MAC)
    core.add_stream(0, 0, _stream(_v4(), MacDstMode.ARP))
    assert not any(isinstance(e, SendSvc) for e in core.start([0]))
    core.stop([0])
    core.set_l3(0, IDENT.with_changes(gratuitous=True))
    core.add_neighbor(0, ip_address("198.18.1.1"), GW_MAC)
    effects = core.start([0])
    assert effects[0] == SendSvc(0, sm.Gratuitous())
