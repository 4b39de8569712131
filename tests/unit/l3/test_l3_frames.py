"""Frames of the L3 services: our bytes == scapy's bytes, and decode reads them.

One table feeds both directions (h11 ``SIMPLE_CASES``): each case builds a frame
with wirespeed, builds the same fields with scapy (scapy computes the checksums),
and names the fields :func:`decode` must read back.
"""

from __future__ import annotations

from ipaddress import IPv4Address, IPv6Address

import pytest
from scapy.layers.inet import ICMP, IP, Ether
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

from wirespeed.errors import BuildError, ConfigError, ValidationError
from wirespeed.l3 import (
    FrameKind,
    NAFlag,
    ServiceFrame,
    decode,
    echo_payload,
    encode_arp_reply,
    encode_arp_request,
    encode_echo_reply,
    encode_echo_request,
    encode_gratuitous_arp,
    encode_neighbor_advert,
    encode_neighbor_solicit,
    encode_unsolicited_advert,
    format_mac,
    multicast_mac,
    parse_mac,
    solicited_node,
)

MAC_A, MAC_B = "02:00:00:00:00:0a", "02:00:00:00:00:0b"
A, B = parse_mac(MAC_A), parse_mac(MAC_B)
IP_A, IP_B = IPv4Address("198.18.1.2"), IPv4Address("198.18.1.1")
IP6_A, IP6_B = IPv6Address("2001:2:0:1::2"), IPv6Address("2001:2:0:1::1")
SNM_B = "ff02::1:ff00:1"  # solicited-node multicast of 2001:2:0:1::1
BCAST = b"\xff" * 6
DATA = bytes(range(56))


def scapy_bytes(pkt: Packet) -> bytes:
    """What scapy builds, zero-padded to 60 as a NIC pads it."""
    return bytes(pkt).ljust(60, b"\0")


def ether(dst: str, vlan: int | None, src: str = MAC_A) -> Packet:
    eth = Ether(src=src, dst=dst)
    return eth if vlan is None else eth / Dot1Q(vlan=vlan)


def _arp_request(vlan):
    return (
        encode_arp_request(A, IP_A, IP_B, vlan=vlan),
        ether("ff:ff:ff:ff:ff:ff", vlan)
        / ARP(op=1, hwsrc=MAC_A, psrc=str(IP_A), pdst=str(IP_B)),
        ServiceFrame(
            FrameKind.ARP_REQUEST, BCAST, A, IP_A, IP_B, vlan, target=IP_B, lladdr=A
        ),
    )


def _arp_reply(vlan):
    return (
        encode_arp_reply(A, IP_A, B, IP_B, vlan=vlan),
        ether(MAC_B, vlan)
        / ARP(op=2, hwsrc=MAC_A, psrc=str(IP_A), hwdst=MAC_B, pdst=str(IP_B)),
        ServiceFrame(
            FrameKind.ARP_REPLY, B, A, IP_A, IP_B, vlan, target=IP_B, lladdr=A
        ),
    )


def _gratuitous(vlan):
    return (
        encode_gratuitous_arp(A, IP_A, vlan=vlan),
        ether("ff:ff:ff:ff:ff:ff", vlan)
        / ARP(op=1, hwsrc=MAC_A, psrc=str(IP_A), pdst=str(IP_A)),
        ServiceFrame(
            FrameKind.ARP_REQUEST, BCAST, A, IP_A, IP_A, vlan, target=IP_A, lladdr=A
        ),
    )


def _ns(vlan):
    return (
        encode_neighbor_solicit(A, IP6_A, IP6_B, vlan=vlan),
        ether("33:33:ff:00:00:01", vlan)
        / IPv6(src=str(IP6_A), dst=SNM_B, hlim=255)
        / ICMPv6ND_NS(tgt=str(IP6_B))
        / ICMPv6NDOptSrcLLAddr(lladdr=MAC_A),
        ServiceFrame(
            FrameKind.NEIGHBOR_SOLICIT,
            bytes.fromhex("3333ff000001"),
            A,
            IP6_A,
            IPv6Address(SNM_B),
            vlan,
            target=IP6_B,
            lladdr=A,
            ttl=255,
            size_bytes=90 if vlan is None else 94,
        ),
    )


def _na(vlan, flags=NAFlag.SOLICITED | NAFlag.OVERRIDE):
    return (
        encode_neighbor_advert(A, IP6_A, B, IP6_B, IP6_A, flags=flags, vlan=vlan),
        ether(MAC_B, vlan)
        / IPv6(src=str(IP6_A), dst=str(IP6_B), hlim=255)
        / ICMPv6ND_NA(
            tgt=str(IP6_A),
            R=NAFlag.ROUTER in flags,
            S=NAFlag.SOLICITED in flags,
            O=NAFlag.OVERRIDE in flags,
        )
        / ICMPv6NDOptDstLLAddr(lladdr=MAC_A),
        ServiceFrame(
            FrameKind.NEIGHBOR_ADVERT,
            B,
            A,
            IP6_A,
            IP6_B,
            vlan,
            target=IP6_A,
            lladdr=A,
            flags=flags,
            ttl=255,
            size_bytes=90 if vlan is None else 94,
        ),
    )


def _unsolicited_na(vlan):
    return (
        encode_unsolicited_advert(A, IP6_A, vlan=vlan),
        ether("33:33:00:00:00:01", vlan)
        / IPv6(src=str(IP6_A), dst="ff02::1", hlim=255)
        / ICMPv6ND_NA(tgt=str(IP6_A), R=0, S=0, O=1)
        / ICMPv6NDOptDstLLAddr(lladdr=MAC_A),
        ServiceFrame(
            FrameKind.NEIGHBOR_ADVERT,
            bytes.fromhex("333300000001"),
            A,
            IP6_A,
            IPv6Address("ff02::1"),
            vlan,
            target=IP6_A,
            lladdr=A,
            flags=NAFlag.OVERRIDE,
            ttl=255,
            size_bytes=90 if vlan is None else 94,
        ),
    )


def _echo4(vlan, request=True):
    encode = encode_echo_request if request else encode_echo_reply
    return (
        encode(A, B, IP_A, IP_B, ident=0x1234, seq=7, payload=DATA, vlan=vlan, ip_id=9),
        ether(MAC_B, vlan)
        / IP(src=str(IP_A), dst=str(IP_B), ttl=64, id=9, flags=0)
        / ICMP(type=8 if request else 0, id=0x1234, seq=7)
        / DATA,
        ServiceFrame(
            FrameKind.ECHO_REQUEST if request else FrameKind.ECHO_REPLY,
            B,
            A,
            IP_A,
            IP_B,
            vlan,
            ident=0x1234,
            seq=7,
            ttl=64,
            payload=DATA,
            size_bytes=102 if vlan is None else 106,
        ),
    )


def _echo6(vlan, request=True):
    encode = encode_echo_request if request else encode_echo_reply
    icmp = ICMPv6EchoRequest if request else ICMPv6EchoReply
    return (
        encode(A, B, IP6_A, IP6_B, ident=0xBEEF, seq=1, payload=DATA[:5], vlan=vlan),
        ether(MAC_B, vlan)
        / IPv6(src=str(IP6_A), dst=str(IP6_B), hlim=64)
        / icmp(id=0xBEEF, seq=1, data=DATA[:5]),
        ServiceFrame(
            FrameKind.ECHO6_REQUEST if request else FrameKind.ECHO6_REPLY,
            B,
            A,
            IP6_A,
            IP6_B,
            vlan,
            ident=0xBEEF,
            seq=1,
            ttl=64,
            payload=DATA[:5],
            size_bytes=71 if vlan is None else 75,
        ),
    )


CASES = {
    "arp_request": _arp_request,
    "arp_reply": _arp_reply,
    "gratuitous_arp": _gratuitous,
    "neighbor_solicit": _ns,
    "neighbor_advert": _na,
    "neighbor_advert_router": lambda v: _na(v, NAFlag.ROUTER | NAFlag.SOLICITED),
    "unsolicited_advert": _unsolicited_na,
    "echo_request": _echo4,
    "echo_reply": lambda v: _echo4(v, request=False),
    "echo6_request": _echo6,
    "echo6_reply": lambda v: _echo6(v, request=False),
}
PARAMS = [
    pytest.param(make, vlan, id=f"{name}-{'untagged' if vlan is None else vlan}")
    for name, make in CASES.items()
    for vlan in (None, 10)
]


@pytest.mark.parametrize(("make", "vlan"), PARAMS)
def test_bytes_equal_scapy(make, vlan):
    ours, theirs, _ = make(vlan)
    assert ours == scapy_bytes(theirs)


@pytest.mark.parametrize(("make", "vlan"), PARAMS)
def test_decode_reads_fields(make, vlan):
    ours, theirs, expected = make(vlan)
    assert decode(ours) == expected
    assert decode(scapy_bytes(theirs)) == expected


@pytest.mark.parametrize(("make", "vlan"), PARAMS)
def test_decode_with_tag_stripped_by_kernel(make, vlan):
    ours, _, expected = make(vlan)
    if vlan is None:
        return
    stripped = ours[:12] + ours[16:]  # what the kernel leaves; the tag goes to metadata
    assert decode(stripped, vlan) == expected


@pytest.mark.parametrize(("make", "vlan"), PARAMS)
def test_every_truncation_is_none(make, vlan):
    """Fed byte by byte, the frame is nothing until all its bytes are there
    (its Ethernet padding excepted)."""
    _, theirs, _ = make(vlan)
    unpadded = bytes(theirs)
    for end in range(len(unpadded)):
        assert decode(unpadded[:end]) is None, end


def test_short_frames_are_padded_to_60():
    assert len(encode_arp_request(A, IP_A, IP_B)) == 60
    assert len(encode_echo_request(A, B, IP_A, IP_B, ident=1, seq=1)) == 60
    assert encode_arp_request(A, IP_A, IP_B)[42:] == b"\0" * 18


def test_size_counts_the_wire():
    """size_bytes: padded to 64, FCS counted, a stripped tag counted."""
    frame = encode_arp_request(A, IP_A, IP_B)
    assert decode(frame[:42]) is not None
    assert decode(frame[:42]).size_bytes == 64  # a veth does not pad
    big = encode_echo_request(A, B, IP_A, IP_B, ident=1, seq=1, payload=bytes(1000))
    assert decode(big).size_bytes == len(big) + 4 == 1046
    tagged = encode_echo_request(
        A, B, IP_A, IP_B, ident=1, seq=1, payload=bytes(1000), vlan=5
    )
    assert decode(tagged[:12] + tagged[16:], 5).size_bytes == 1050


@pytest.mark.parametrize(
    ("version", "vlan", "size", "data_len"),
    [
        (4, None, 64, 18),
        (4, None, 1518, 1472),
        (4, 10, 64, 14),
        (6, None, 66, 0),
        (6, None, 64, 0),  # the smallest IPv6 echo frame is 66 bytes
        (6, None, 1518, 1452),
        (6, 10, 70, 0),
    ],
)
def test_echo_payload_makes_the_size(version, vlan, size, data_len):
    src, dst = (IP_A, IP_B) if version == 4 else (IP6_A, IP6_B)
    data = echo_payload(size, version, vlan)
    assert len(data) == data_len
    assert data[:300] == (bytes(range(256)) * 2)[: min(data_len, 300)]
    frame = encode_echo_request(A, B, src, dst, ident=1, seq=1, payload=data, vlan=vlan)
    assert len(frame) + 4 == max(size, 66 if version == 6 else 64)
    assert decode(frame).size_bytes == len(frame) + 4


@pytest.mark.parametrize(
    ("version", "vlan", "size"),
    [(4, None, 63), (6, 3, 63), (4, None, 65535 + 14 + 4 + 1), (6, 3, 65535 + 71)],
)
def test_echo_payload_refuses_sizes(version, vlan, size):
    with pytest.raises(ValidationError, match="echo frame is"):
        echo_payload(size, version, vlan)


def test_echo_payload_longest():
    assert len(echo_payload(65535 + 18, 4, None)) == 65535 - 28
    assert len(echo_payload(65535 + 62, 6, 3)) == 65535 - 8


def test_mixed_versions_do_not_build():
    with pytest.raises(BuildError, match="not of one IP version"):
        encode_echo_request(A, B, IP_A, IP6_B, ident=1, seq=1)


def test_macs():
    assert parse_mac("02-00-00-00-00-0A") == A
    assert parse_mac(A) == A
    assert format_mac(A) == MAC_A
    for bad in ("02:00:00:00:00", "02:00:00:00:00:0g", "002:00:00:00:00:01", b"\0"):
        with pytest.raises(ConfigError):
            parse_mac(bad)


def test_solicited_node_and_multicast_mac():
    assert solicited_node(IPv6Address("2001:2::12:3456")) == IPv6Address(
        "ff02::1:ff12:3456"
    )
    assert multicast_mac(IPv6Address("ff02::1:ff12:3456")) == bytes.fromhex(
        "3333ff123456"
    )
