"""decode() of frames other stacks build (scapy stands in for Linux), of frames it
must refuse, and of any bytes at all (hypothesis: it never raises)."""

from __future__ import annotations

from ipaddress import IPv4Address, IPv6Address

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scapy.layers.inet import ICMP, IP, UDP, Ether, IPOption_Router_Alert
from scapy.layers.inet6 import (
    ICMPv6EchoRequest,
    ICMPv6ND_NA,
    ICMPv6ND_NS,
    ICMPv6ND_RA,
    ICMPv6NDOptDstLLAddr,
    ICMPv6NDOptSrcLLAddr,
    ICMPv6Unknown,
    IPv6,
    IPv6ExtHdrHopByHop,
)
from scapy.layers.l2 import ARP, Dot1AD, Dot1Q
from scapy.packet import Raw

from wirespeed.l3 import (
    FrameKind,
    NAFlag,
    decode,
    encode_arp_request,
    encode_echo_request,
    encode_neighbor_solicit,
    parse_mac,
)

OUR_MAC, ROUTER_MAC = "02:00:00:00:00:0a", "02:00:00:00:00:01"
OURS, ROUTER = parse_mac(OUR_MAC), parse_mac(ROUTER_MAC)
OUR_IP, ROUTER_IP = "198.18.1.2", "198.18.1.1"
OUR_IP6, ROUTER_LL = "2001:2:0:1::2", "fe80::1"
SNM_OURS = "ff02::1:ff00:2"


def E() -> Ether:
    """An Ethernet header with both MACs given (scapy then looks nothing up)."""
    return Ether(src=ROUTER_MAC, dst=OUR_MAC)


def test_linux_router_ns_from_link_local():
    """A router resolving us: link-local source, our solicited-node address."""
    raw = bytes(
        Ether(src=ROUTER_MAC, dst="33:33:ff:00:00:02")
        / IPv6(src=ROUTER_LL, dst=SNM_OURS, hlim=255)
        / ICMPv6ND_NS(tgt=OUR_IP6)
        / ICMPv6NDOptSrcLLAddr(lladdr=ROUTER_MAC)
    )
    got = decode(raw)
    assert got is not None
    assert got.kind is FrameKind.NEIGHBOR_SOLICIT
    assert (got.src_ip, got.dst_ip) == (IPv6Address(ROUTER_LL), IPv6Address(SNM_OURS))
    assert (got.target, got.lladdr, got.src_mac) == (
        IPv6Address(OUR_IP6),
        ROUTER,
        ROUTER,
    )
    assert got.dst_mac == bytes.fromhex("3333ff000002")
    assert got.size_bytes == 90


def test_unicast_ns_without_option():
    """Neighbour unreachability detection: unicast, no link-layer option."""
    raw = bytes(
        Ether(src=ROUTER_MAC, dst=OUR_MAC)
        / IPv6(src=ROUTER_LL, dst=OUR_IP6, hlim=255)
        / ICMPv6ND_NS(tgt=OUR_IP6)
    )
    got = decode(raw)
    assert got is not None
    assert got.kind is FrameKind.NEIGHBOR_SOLICIT
    assert got.lladdr is None


def test_dad_ns_from_unspecified():
    raw = bytes(
        Ether(src=ROUTER_MAC, dst="33:33:ff:00:00:02")
        / IPv6(src="::", dst=SNM_OURS, hlim=255)
        / ICMPv6ND_NS(tgt=OUR_IP6)
    )
    got = decode(raw)
    assert got is not None
    assert got.src_ip == IPv6Address("::")


def test_na_with_unknown_option_before_target_ll():
    raw = bytes(
        Ether(src=ROUTER_MAC, dst=OUR_MAC)
        / IPv6(src=ROUTER_LL, dst=OUR_IP6, hlim=255)
        / ICMPv6ND_NA(tgt="2001:2:0:1::1", R=1, S=1, O=0)
        / Raw(b"\x0e\x01" + bytes(6))  # nonce option (RFC 3971), skipped
        / ICMPv6NDOptDstLLAddr(lladdr=ROUTER_MAC)
    )
    got = decode(raw)
    assert got is not None
    assert got.flags == NAFlag.ROUTER | NAFlag.SOLICITED
    assert got.lladdr == ROUTER


def test_linux_arp_request():
    raw = bytes(
        Ether(src=ROUTER_MAC, dst="ff:ff:ff:ff:ff:ff")
        / ARP(op="who-has", hwsrc=ROUTER_MAC, psrc=ROUTER_IP, pdst=OUR_IP)
    )
    got = decode(raw)
    assert got is not None
    assert got.kind is FrameKind.ARP_REQUEST
    assert (got.src_ip, got.target, got.lladdr) == (
        IPv4Address(ROUTER_IP),
        IPv4Address(OUR_IP),
        ROUTER,
    )
    assert got.size_bytes == 64


def test_echo_request_with_ip_options():
    raw = bytes(
        Ether(src=ROUTER_MAC, dst=OUR_MAC)
        / IP(src=ROUTER_IP, dst=OUR_IP, ttl=63, options=[IPOption_Router_Alert()])
        / ICMP(type=8, id=77, seq=3)
        / b"abcdefgh"
    )
    assert raw[14] == 0x46
    got = decode(raw)
    assert got is not None
    assert got.kind is FrameKind.ECHO_REQUEST
    assert (got.ident, got.seq, got.ttl, got.payload) == (77, 3, 63, b"abcdefgh")


def test_echo_payload_stops_at_ip_length_not_padding():
    raw = bytes(
        Ether(src=ROUTER_MAC, dst=OUR_MAC)
        / IP(src=ROUTER_IP, dst=OUR_IP)
        / ICMP(type=8, id=1, seq=1)
        / b"xy"
    ).ljust(60, b"\xaa")
    got = decode(raw)
    assert got is not None
    assert got.payload == b"xy"


@pytest.mark.parametrize(("vlan", "expected"), [(10, 10), (0, None), (4095, 4095)])
def test_in_band_tag(vlan, expected):
    raw = bytes(
        Ether(src=ROUTER_MAC, dst=OUR_MAC)
        / Dot1Q(vlan=vlan, prio=5)
        / IPv6(src=ROUTER_LL, dst=OUR_IP6)
        / ICMPv6EchoRequest(id=1, seq=2)
    )
    got = decode(raw)
    assert got is not None
    assert got.kind is FrameKind.ECHO6_REQUEST
    assert got.vlan == expected


@pytest.mark.parametrize(("meta", "expected"), [(10, 10), (0xA00A, 10), (0, None)])
def test_tag_in_metadata(meta, expected):
    frame = encode_arp_request(ROUTER, IPv4Address(ROUTER_IP), IPv4Address(OUR_IP))
    got = decode(frame, meta)
    assert got is not None
    assert got.vlan == expected
    assert got.size_bytes == 68  # 60 bytes + the stripped tag + FCS
    assert decode(frame[:42], meta).size_bytes == 64


BAD = {
    "udp": E() / IP(src=ROUTER_IP, dst=OUR_IP) / UDP(),
    "icmp_unreachable": E() / IP(src=ROUTER_IP, dst=OUR_IP) / ICMP(type=3),
    "icmp_code": E() / IP(src=ROUTER_IP, dst=OUR_IP) / ICMP(type=8, code=1),
    "ip_checksum": E() / IP(src=ROUTER_IP, dst=OUR_IP, chksum=1) / ICMP(),
    "icmp_checksum": E() / IP(src=ROUTER_IP, dst=OUR_IP) / ICMP(chksum=1),
    "fragment": E() / IP(src=ROUTER_IP, dst=OUR_IP, flags="MF") / ICMP(),
    "fragment_offset": E() / IP(src=ROUTER_IP, dst=OUR_IP, frag=8) / ICMP(),
    "ihl_4": E() / IP(src=ROUTER_IP, dst=OUR_IP, ihl=4) / ICMP(),
    "ipv4_version": Ether(type=0x0800) / IPv6() / ICMPv6EchoRequest(),
    "ip_length": E() / IP(src=ROUTER_IP, dst=OUR_IP, len=27) / ICMP(),
    "arp_ptype": E() / ARP(ptype=0x86DD),
    "arp_op": E() / ARP(op=3),
    "icmpv6_code": E() / IPv6() / ICMPv6EchoRequest(code=1),
    "icmpv6_router_advert": E() / IPv6(hlim=255) / ICMPv6ND_RA(),
    "ns_too_short": E() / IPv6(hlim=255) / ICMPv6Unknown(type=135, msgbody=bytes(16)),
    "icmpv6_checksum": E() / IPv6() / ICMPv6EchoRequest(cksum=1),
    "ipv6_version": Ether(type=0x86DD) / IP() / ICMP(),
    "ext_header": E() / IPv6() / IPv6ExtHdrHopByHop() / ICMPv6EchoRequest(),
    "ns_hop_limit": E() / IPv6(hlim=64) / ICMPv6ND_NS(tgt=OUR_IP6),
    "ns_multicast_target": E() / IPv6(hlim=255) / ICMPv6ND_NS(tgt="ff02::1"),
    "ns_short": E() / IPv6(hlim=255) / ICMPv6ND_NS(tgt=OUR_IP6)
    / Raw(b"\x01"),
    "ns_option_zero": E() / IPv6(hlim=255) / ICMPv6ND_NS(tgt=OUR_IP6)
    / Raw(b"\x01\x00" + bytes(6)),
    "ns_option_overrun": E() / IPv6(hlim=255) / ICMPv6ND_NS(tgt=OUR_IP6)
    / Raw(b"\x01\x02" + bytes(6)),
    "dad_with_option": E() / IPv6(src="::", dst=SNM_OURS, hlim=255)
    / ICMPv6ND_NS(tgt=OUR_IP6) / ICMPv6NDOptSrcLLAddr(lladdr=ROUTER_MAC),
    "dad_unicast": E() / IPv6(src="::", dst=OUR_IP6, hlim=255)
    / ICMPv6ND_NS(tgt=OUR_IP6),
    "na_solicited_multicast": E() / IPv6(src=OUR_IP6, dst="ff02::1", hlim=255)
    / ICMPv6ND_NA(tgt=OUR_IP6, S=1),
    "qinq": E() / Dot1AD(vlan=1) / Dot1Q(vlan=2) / ARP(),
    "double_8021q": E() / Dot1Q(vlan=1) / Dot1Q(vlan=2) / ARP(),
}  # fmt: skip


@pytest.mark.parametrize("name", BAD)
def test_refused(name):
    assert decode(bytes(BAD[name])) is None


def test_inner_tag_when_the_kernel_stripped_the_outer_one():
    raw = bytes(E() / Dot1Q(vlan=2) / ARP())
    assert decode(raw) is not None
    assert decode(raw, 1) is None


# ------------------------------------------------------------------ hypothesis

VALID = [
    encode_arp_request(OURS, IPv4Address(OUR_IP), IPv4Address(ROUTER_IP), vlan=7),
    encode_neighbor_solicit(OURS, IPv6Address(OUR_IP6), IPv6Address("2001:2:0:1::1")),
    encode_echo_request(
        OURS,
        ROUTER,
        IPv4Address(OUR_IP),
        IPv4Address(ROUTER_IP),
        ident=1,
        seq=1,
        payload=b"x" * 30,
    ),
    bytes(E() / IP(options=[IPOption_Router_Alert()]) / ICMP(type=0) / b"abc"),
    bytes(
        E()
        / IPv6(hlim=255)
        / ICMPv6ND_NA(tgt=OUR_IP6)
        / ICMPv6NDOptDstLLAddr(lladdr=OUR_MAC)
    ),
]
VLANS = st.none() | st.integers(min_value=-(2**40), max_value=2**40)


@settings(max_examples=500, deadline=None)
@given(st.binary(max_size=200), VLANS)
def test_decode_never_raises_on_bytes(data, vlan):
    decode(data, vlan)


@settings(max_examples=500, deadline=None)
@given(
    st.sampled_from(VALID),
    st.lists(st.tuples(st.integers(0, 200), st.integers(0, 255)), max_size=4),
    st.integers(0, 200),
    VLANS,
)
def test_decode_never_raises_on_damaged_frames(frame, changes, cut, vlan):
    """Valid frames with bytes changed and their tail cut reach the deep checks."""
    buf = bytearray(frame)
    for pos, value in changes:
        if pos < len(buf):
            buf[pos] = value
    got = decode(bytes(buf[: len(buf) - cut]), vlan)
    assert got is None or got.kind in FrameKind
