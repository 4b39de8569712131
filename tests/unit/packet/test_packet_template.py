"""Templates from scapy/hex and the facts read back from them."""

import pytest
from scapy.layers.inet import IP, TCP, UDP, Ether
from scapy.layers.inet6 import IPv6
from scapy.layers.l2 import Dot1Q

from wirespeed.errors import ParseError
from wirespeed.packet import (
    SegmentType,
    header_length,
    raw_segment,
    segment_length,
    segment_name,
    segment_offsets,
    segments_from_scapy,
    template_from_hex,
    template_from_scapy,
)


def test_template_from_hex_accepts_prefix_and_separators():
    assert template_from_hex("0x00 11:22-33") == b"\x00\x11\x22\x33"


def test_template_from_hex_rejects_odd_digits():
    with pytest.raises(ParseError):
        template_from_hex("0x123")


def test_template_from_scapy_is_bytes_without_fcs():
    pkt = Ether() / IP(src="198.18.0.1", dst="198.18.0.2") / UDP()
    assert template_from_scapy(pkt) == bytes(pkt)
    assert len(template_from_scapy(pkt)) == 42


def test_header_length_and_segments():
    frame = bytes(Ether() / Dot1Q(vlan=5) / IP() / TCP() / (b"z" * 30))
    assert header_length(frame) == 14 + 4 + 20 + 20
    assert segments_from_scapy(frame) == (1, 2, 4, 29)
    v6 = bytes(Ether() / IPv6() / UDP() / b"ab")
    assert segments_from_scapy(v6) == (1, 5, 24)


def test_segment_helpers():
    assert raw_segment(6) == 250
    assert segment_name(250) == "RAW_6"
    assert segment_name(SegmentType.UDPCHECK) == "UDPCHECK"
    assert segment_length(250) == 6
    assert segment_length(SegmentType.GTP) is None
    header = bytes(Ether() / IP(options=b"\x01\x01\x01\x00") / UDP())
    assert segment_offsets((1, 4, 6), header) == [(1, 0), (4, 14), (6, 38)]
    assert segment_offsets((1, 10, 6), header) == [(1, 0), (10, 14)]
