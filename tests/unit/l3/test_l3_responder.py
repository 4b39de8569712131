"""Responder: answers (bytes as scapy builds them), switches, VLAN rules, counters."""

from __future__ import annotations

from ipaddress import IPv4Address, IPv6Address

import pytest
from scapy.layers.inet import ICMP, IP, Ether, IPOption_Router_Alert
from scapy.layers.inet6 import (
    ICMPv6EchoReply,
    ICMPv6EchoRequest,
    ICMPv6ND_NA,
    ICMPv6ND_NS,
    ICMPv6NDOptDstLLAddr,
    ICMPv6NDOptSrcLLAddr,
    IPv6,
)
from scapy.layers.l2 import ARP, Dot1Q
from scapy.packet import Packet

from wirespeed.l3 import L3Identity, Responder, ResponderCounters, decode

OUR_MAC, ROUTER_MAC = "02:00:00:00:00:0a", "02:00:00:00:00:01"
OUR_IP, ROUTER_IP = "198.18.1.2", "198.18.1.1"
OUR_IP6, ROUTER_IP6, ROUTER_LL = "2001:2:0:1::2", "2001:2:0:1::1", "fe80::1"
SNM, SNM_MAC = "ff02::1:ff00:2", "33:33:ff:00:00:02"
IDENTITY = L3Identity.parse(
    ipv4=f"{OUR_IP}/24", gateway=ROUTER_IP, ipv6=f"{OUR_IP6}/64"
)
DATA = bytes(range(40))


def l2(dst: str, vlan: int | None, src: str = ROUTER_MAC) -> Packet:
    eth = Ether(src=src, dst=dst)
    return eth if vlan is None else eth / Dot1Q(vlan=vlan)


def arp_request(vlan=None, pdst=OUR_IP, dst="ff:ff:ff:ff:ff:ff", psrc=ROUTER_IP):
    return l2(dst, vlan) / ARP(hwsrc=ROUTER_MAC, psrc=psrc, pdst=pdst)


def ns(vlan=None, tgt=OUR_IP6, src=ROUTER_LL, dst=SNM, dst_mac=SNM_MAC, option=True):
    pkt = l2(dst_mac, vlan) / IPv6(src=src, dst=dst, hlim=255) / ICMPv6ND_NS(tgt=tgt)
    return pkt / ICMPv6NDOptSrcLLAddr(lladdr=ROUTER_MAC) if option else pkt


def echo(vlan=None, dst=OUR_IP, dst_mac=OUR_MAC, options=()):
    return (
        l2(dst_mac, vlan)
        / IP(src=ROUTER_IP, dst=dst, ttl=60, options=list(options))
        / ICMP(type=8, id=0x4242, seq=9)
        / DATA
    )


def echo6(vlan=None, dst=OUR_IP6, dst_mac=OUR_MAC):
    return (
        l2(dst_mac, vlan)
        / IPv6(src=ROUTER_IP6, dst=dst, hlim=60)
        / ICMPv6EchoRequest(id=0x4242, seq=9, data=DATA)
    )


def wire(pkt: Packet) -> bytes:
    return bytes(pkt).ljust(60, b"\0")


def answer(pkt: Packet, identity: L3Identity = IDENTITY, meta=None):
    responder = Responder(identity, OUR_MAC)
    raw = wire(pkt)
    if meta is not None:  # the kernel took the tag out
        raw = raw[:12] + raw[16:]
    frame = decode(raw, meta)
    assert frame is not None
    return responder.receive(frame), responder.counters


# ------------------------------------------------------------------- answers


@pytest.mark.parametrize("vlan", [None, 20])
def test_arp_reply(vlan):
    got, counters = answer(arp_request(vlan), IDENTITY.with_changes(vlan=vlan))
    expected = l2(ROUTER_MAC, vlan, OUR_MAC) / ARP(
        op=2, hwsrc=OUR_MAC, psrc=OUR_IP, hwdst=ROUTER_MAC, pdst=ROUTER_IP
    )
    assert got == wire(expected)
    assert counters == ResponderCounters(arp_requests_rx=1, arp_replies_tx=1)


def test_arp_unicast_refresh_is_answered():
    got, _ = answer(arp_request(dst=OUR_MAC))
    assert got is not None


def test_arp_probe_is_answered_to_zero_address():
    got, _ = answer(arp_request(psrc="0.0.0.0"))
    assert decode(got).dst_ip == IPv4Address("0.0.0.0")


@pytest.mark.parametrize("vlan", [None, 20])
def test_linux_router_ns_from_link_local(vlan):
    got, counters = answer(ns(vlan), IDENTITY.with_changes(vlan=vlan))
    expected = (
        l2(ROUTER_MAC, vlan, OUR_MAC)
        / IPv6(src=OUR_IP6, dst=ROUTER_LL, hlim=255)
        / ICMPv6ND_NA(tgt=OUR_IP6, R=0, S=1, O=1)
        / ICMPv6NDOptDstLLAddr(lladdr=OUR_MAC)
    )
    assert got == wire(expected)
    assert counters == ResponderCounters(ns_rx=1, na_tx=1)


def test_unicast_ns_without_option_is_answered_to_the_ethernet_source():
    got, _ = answer(ns(dst=OUR_IP6, dst_mac=OUR_MAC, option=False, src=ROUTER_IP6))
    reply = decode(got)
    assert (reply.dst_mac.hex(":"), reply.dst_ip) == (
        ROUTER_MAC,
        IPv6Address(ROUTER_IP6),
    )


def test_dad_ns_is_answered_to_all_nodes():
    got, _ = answer(ns(src="::", option=False))
    expected = (
        Ether(src=OUR_MAC, dst="33:33:00:00:00:01")
        / IPv6(src=OUR_IP6, dst="ff02::1", hlim=255)
        / ICMPv6ND_NA(tgt=OUR_IP6, R=0, S=0, O=1)
        / ICMPv6NDOptDstLLAddr(lladdr=OUR_MAC)
    )
    assert got == wire(expected)


@pytest.mark.parametrize("vlan", [None, 20])
def test_echo_reply(vlan):
    got, counters = answer(echo(vlan), IDENTITY.with_changes(vlan=vlan))
    expected = (
        l2(ROUTER_MAC, vlan, OUR_MAC)
        / IP(src=OUR_IP, dst=ROUTER_IP, ttl=64, id=0, flags=0)
        / ICMP(type=0, id=0x4242, seq=9)
        / DATA
    )
    assert got == wire(expected)
    assert len(got) == len(wire(echo(vlan)))
    assert counters == ResponderCounters(echo_requests_rx=1, echo_replies_tx=1)


def test_echo_with_ip_options_is_answered_without_them():
    got, _ = answer(echo(options=[IPOption_Router_Alert()]))
    reply = decode(got)
    assert (reply.ident, reply.seq, reply.payload, reply.ttl) == (0x4242, 9, DATA, 64)
    assert got[14] == 0x45


@pytest.mark.parametrize("vlan", [None, 20])
def test_echo6_reply(vlan):
    got, counters = answer(echo6(vlan), IDENTITY.with_changes(vlan=vlan))
    expected = (
        l2(ROUTER_MAC, vlan, OUR_MAC)
        / IPv6(src=OUR_IP6, dst=ROUTER_IP6, hlim=64)
        / ICMPv6EchoReply(id=0x4242, seq=9, data=DATA)
    )
    assert got == wire(expected)
    assert counters == ResponderCounters(echo6_requests_rx=1, echo6_replies_tx=1)


def test_tag_in_metadata_is_answered_tagged():
    got, _ = answer(echo(20), IDENTITY.with_changes(vlan=20), meta=20)
    assert got == answer(echo(20), IDENTITY.with_changes(vlan=20))[0]
    assert got[12:16] == bytes.fromhex("81000014")


# ------------------------------------------------------------------ switches

SWITCHES = [
    ("arp_reply", arp_request(), "arp_requests_rx"),
    ("ndp_reply", ns(), "ns_rx"),
    ("ping_reply", echo(), "echo_requests_rx"),
    ("ping6_reply", echo6(), "echo6_requests_rx"),
]


@pytest.mark.parametrize(("switch", "pkt", "rx"), SWITCHES)
def test_switched_off_counts_but_does_not_answer(switch, pkt, rx):
    identity = IDENTITY.with_changes(**{switch: False})
    got, counters = answer(pkt, identity)
    assert got is None
    assert counters == ResponderCounters(**{rx: 1})


@pytest.mark.parametrize(("switch", "pkt", "rx"), SWITCHES)
def test_other_switches_do_not_matter(switch, pkt, rx):
    others = {name: False for name, _, _ in SWITCHES if name != switch}
    got, _ = answer(pkt, IDENTITY.with_changes(**others))
    assert got is not None


# ---------------------------------------------------------------- VLAN rules


@pytest.mark.parametrize("make", [arp_request, ns, echo, echo6])
@pytest.mark.parametrize(
    ("port_vlan", "frame_vlan", "meta"),
    [(20, None, None), (20, 30, None), (20, 30, 30), (None, 20, None), (None, 20, 20)],
)
def test_frames_of_another_vlan_are_ignored(make, port_vlan, frame_vlan, meta):
    identity = IDENTITY.with_changes(vlan=port_vlan)
    got, counters = answer(make(frame_vlan), identity, meta)
    assert got is None
    assert counters == ResponderCounters()


def test_priority_tagged_frames_are_untagged():
    got, _ = answer(echo(vlan=0))
    assert got is not None
    assert got[12:14] == b"\x08\x00"  # answered untagged


# ------------------------------------------------------------- not for us

NOT_FOR_PORT = {
    "arp_other_target": arp_request(pdst="198.18.1.3"),
    "arp_own_announcement": arp_request(psrc=OUR_IP),
    "arp_to_other_mac": arp_request(dst="02:00:00:00:00:99"),
    "arp_multicast_sender": l2("ff:ff:ff:ff:ff:ff", None)
    / ARP(hwsrc="01:00:5e:00:00:01", psrc=ROUTER_IP, pdst=OUR_IP),
    "ns_other_target": ns(tgt="2001:2:0:1::3", dst="ff02::1:ff00:3"),
    "ns_wrong_group": ns(dst="ff02::1:ff00:3"),
    "ns_wrong_mac": ns(dst_mac="33:33:ff:00:00:03"),
    "echo_other_ip": echo(dst="198.18.1.3"),
    "echo_other_mac": echo(dst_mac="02:00:00:00:00:99"),
    "echo_broadcast": echo(dst="198.18.1.255", dst_mac="ff:ff:ff:ff:ff:ff"),
    "echo6_other_ip": echo6(dst="2001:2:0:1::3"),
    "echo_reply": l2(OUR_MAC, None) / IP(src=ROUTER_IP, dst=OUR_IP) / ICMP(type=0),
    "arp_reply": l2(OUR_MAC, None)
    / ARP(op=2, hwsrc=ROUTER_MAC, psrc=ROUTER_IP, pdst=OUR_IP),
}


@pytest.mark.parametrize("name", NOT_FOR_PORT)
def test_not_for_the_port(name):
    got, counters = answer(NOT_FOR_PORT[name])
    assert got is None
    assert counters == ResponderCounters()


@pytest.mark.parametrize("pkt", [arp_request(), ns(), echo(), echo6()])
def test_an_l2_port_answers_nothing(pkt):
    got, counters = answer(pkt, L3Identity())
    assert got is None
    assert counters == ResponderCounters()


# ---------------------------------------------------------------- gratuitous


def test_gratuitous_off_by_default():
    responder = Responder(IDENTITY, OUR_MAC)
    assert responder.gratuitous(0) == []
    assert responder.counters == ResponderCounters()


@pytest.mark.parametrize("vlan", [None, 20])
def test_gratuitous(vlan):
    responder = Responder(IDENTITY.with_changes(gratuitous=True, vlan=vlan), OUR_MAC)
    garp, una = responder.gratuitous(123)
    assert garp == wire(
        l2("ff:ff:ff:ff:ff:ff", vlan, OUR_MAC)
        / ARP(op=1, hwsrc=OUR_MAC, psrc=OUR_IP, pdst=OUR_IP)
    )
    assert una == wire(
        l2("33:33:00:00:00:01", vlan, OUR_MAC)
        / IPv6(src=OUR_IP6, dst="ff02::1", hlim=255)
        / ICMPv6ND_NA(tgt=OUR_IP6, R=0, S=0, O=1)
        / ICMPv6NDOptDstLLAddr(lladdr=OUR_MAC)
    )
    assert responder.counters == ResponderCounters(gratuitous_tx=2)


def test_gratuitous_of_one_family():
    ident = L3Identity.parse(ipv6=f"{OUR_IP6}/64").with_changes(gratuitous=True)
    (una,) = Responder(ident, OUR_MAC).gratuitous(0)
    assert decode(una).target == IPv6Address(OUR_IP6)


def test_counters_accumulate():
    responder = Responder(IDENTITY.with_changes(ping_reply=False), OUR_MAC)
    for pkt in (arp_request(), arp_request(), echo(), ns(), echo6()):
        responder.receive(decode(wire(pkt)))
    assert responder.counters == ResponderCounters(
        arp_requests_rx=2,
        arp_replies_tx=2,
        ns_rx=1,
        na_tx=1,
        echo_requests_rx=1,
        echo6_requests_rx=1,
        echo6_replies_tx=1,
    )
