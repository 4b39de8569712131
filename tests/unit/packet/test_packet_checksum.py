"""Checksums: RFC 1071 vector, scapy cross-checks, batch versions."""

import zlib

import numpy as np
import pytest
from scapy.layers.inet import IP, TCP, UDP, Ether
from scapy.layers.inet6 import ICMPv6EchoRequest, IPv6

from wirespeed.packet import (
    L4_ICMPV6,
    L4_TCP,
    L4_UDP,
    ethernet_fcs,
    fix_ipv4_checksums,
    fix_l4_checksums,
    internet_checksum,
    ipv4_header_checksum,
    l4_checksum,
    ones_complement_sum,
)

SRC, DST = "198.18.0.1", "198.19.0.2"


def test_rfc1071_example():
    data = bytes.fromhex("0001f203f4f5f6f7")
    assert ones_complement_sum(data) == 0xDDF2
    assert internet_checksum(data) == 0x220D


def test_ethernet_fcs_leaves_the_crc32_residue():
    frame = bytes(Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02") / IP())
    fcs = ethernet_fcs(frame)
    assert len(fcs) == 4
    assert zlib.crc32(frame + fcs) == 0x2144DF1C  # what a receiver checks


def test_odd_length_is_padded():
    assert ones_complement_sum(b"\x01") == 0x0100


def test_ipv4_header_checksum_matches_scapy():
    raw = bytes(IP(src=SRC, dst=DST, ttl=9, id=77) / UDP())
    parsed = IP(raw)
    assert ipv4_header_checksum(raw[:20]) == parsed.chksum


@pytest.mark.parametrize(
    ("l4", "proto"),
    [(UDP(sport=1025, dport=7), L4_UDP), (TCP(sport=5, flags="S"), L4_TCP)],
)
def test_l4_checksum_ipv4_matches_scapy(l4, proto):
    raw = bytes(IP(src=SRC, dst=DST) / l4 / b"payload!!")
    expected = IP(raw)[l4.__class__].chksum
    assert l4_checksum(raw[:20], raw[20:], proto) == expected


def test_icmpv6_checksum_matches_scapy():
    raw = bytes(IPv6(src="2001:2::1", dst="2001:2::2") / ICMPv6EchoRequest(data=b"xyz"))
    expected = IPv6(raw)[ICMPv6EchoRequest].cksum
    assert l4_checksum(raw[:40], raw[40:], L4_ICMPV6) == expected


def test_udp_zero_checksum_becomes_ffff():
    # Find a payload that sums to a zero checksum by adjusting two bytes.
    hdr = bytes(IP(src=SRC, dst=DST) / UDP(sport=1, dport=2, chksum=0) / b"\x00\x00")
    seg = bytearray(hdr[20:])
    first = l4_checksum(hdr[:20], bytes(seg), L4_UDP)
    seg[8:10] = first.to_bytes(2, "big")  # adding the checksum makes the sum 0xFFFF
    assert l4_checksum(hdr[:20], bytes(seg), L4_UDP) == 0xFFFF


def _batch(frames):
    width = max(len(f) for f in frames)
    data = np.zeros((len(frames), width), dtype=np.uint8)
    for i, f in enumerate(frames):
        data[i, : len(f)] = np.frombuffer(f, dtype=np.uint8)
    return data, np.array([len(f) for f in frames], dtype=np.int64)


def test_batch_fixes_match_scapy_for_variable_lengths():
    good = [
        bytes(Ether() / IP(src=SRC, dst=DST, id=i) / UDP(sport=i, dport=9) / (b"a" * i))
        for i in range(1, 6)
    ]
    data, lengths = _batch(good)
    data[:, 24:26] = 0  # break IPv4 checksums
    data[:, 40:42] = 0x55  # break UDP checksums
    fix_ipv4_checksums(data, 14)
    fix_l4_checksums(data, lengths, 14, 34, L4_UDP)
    assert [bytes(data[i, : lengths[i]]) for i in range(5)] == good


def test_batch_mixed_ipv4_ipv6_and_tcp():
    v4 = bytes(Ether() / IP(src=SRC, dst=DST) / TCP(sport=80, dport=81) / b"hello")
    v6 = bytes(Ether() / IPv6(src="2001:2::1", dst="2001:2::3") / TCP(sport=1) / b"x")
    # put both TCP headers at the same offset: only valid when l4 offsets match,
    # so test IPv6 alone and IPv4 alone with TCP.
    for good, l4 in ((v4, 34), (v6, 54)):
        data, lengths = _batch([good, good])
        data[:, l4 + 16 : l4 + 18] = 0
        fix_l4_checksums(data, lengths, 14, l4, L4_TCP)
        assert bytes(data[1, : lengths[1]]) == good


def test_ipv4_checksum_with_varying_ihl():
    a = bytes(IP(src=SRC, dst=DST, options=b"\x01\x01\x01\x00"))
    b = bytes(IP(src=SRC, dst=DST))
    data, _ = _batch([a, b])
    data[:, 10:12] = 0
    fix_ipv4_checksums(data, 0)
    assert bytes(data[0, : len(a)]) == a
    assert bytes(data[1, : len(b)]) == b
