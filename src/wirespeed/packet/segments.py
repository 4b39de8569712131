"""Xena header protocol segments (``PS_HEADERPROTOCOL``): ids, names, lengths.

A Xena stream describes its header bytes with a list of segment ids. The ids are
Xena's (``ETHERNET`` = 1, ``IP`` = 4, ...); ``RAW_n`` (n raw bytes, 1..64) has id
``256 - n``. The list is informational for the bytes sent, but it tells the tester
where the IP/UDP/TCP headers are, so that lengths and checksums are filled per frame
(see :func:`segment_offsets`).
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import IntEnum

__all__ = [
    "SegmentType",
    "is_valid_segment",
    "raw_segment",
    "segment_length",
    "segment_name",
    "segment_offsets",
]


class SegmentType(IntEnum):
    """Named Xena protocol segment ids (``RAW_n`` ids come from :func:`raw_segment`)."""

    ETHERNET = 1
    VLAN = 2
    ARP = 3
    IP = 4
    IPV6 = 5
    UDP = 6
    TCP = 7
    LLC = 8
    SNAP = 9
    GTP = 10
    ICMP = 11
    RTP = 12
    RTCP = 13
    STP = 14
    SCTP = 15
    MACCTRL = 16
    MPLS = 17
    PBBTAG = 18
    FCOE = 19
    FC = 20
    FCOETAIL = 21
    IGMPV3L0 = 22
    IGMPV3L1 = 23
    UDPCHECK = 24
    IGMPV2 = 25
    MPLS_TP_OAM = 26
    GRE_NOCHECK = 27
    GRE_CHECK = 28
    TCPCHECK = 29
    GTPV1L0 = 30
    GTPV1L1 = 31
    GTPV2L0 = 32
    GTPV2L1 = 33
    IGMPV1 = 34
    PWETHCTRL = 35
    VXLAN = 36
    ETHERNET_8023 = 37
    NVGRE = 38
    DHCPV4 = 39
    GENEVE = 40
    XENA_TPLD = 41
    XENA_TPLD_PI = 42
    XENA_MICROTPLD = 43
    ETHERNET_FCS = 44
    MACCTRLPFC = 45
    ECPRI = 46
    ROE = 47
    ETHERTYPE = 48


_RAW_MIN_ID = 256 - 64

# Fixed lengths of the segments whose size does not depend on their content.
_LENGTHS: dict[int, int] = {
    SegmentType.ETHERNET: 14,
    SegmentType.VLAN: 4,
    SegmentType.ARP: 28,
    SegmentType.IP: 20,
    SegmentType.IPV6: 40,
    SegmentType.UDP: 8,
    SegmentType.UDPCHECK: 8,
    SegmentType.TCP: 20,
    SegmentType.TCPCHECK: 20,
    SegmentType.LLC: 3,
    SegmentType.SNAP: 5,
    SegmentType.ICMP: 8,
    SegmentType.MPLS: 4,
    SegmentType.ETHERNET_8023: 14,
    SegmentType.VXLAN: 8,
    SegmentType.NVGRE: 8,
    SegmentType.GRE_NOCHECK: 4,
    SegmentType.GRE_CHECK: 8,
    SegmentType.RTP: 12,
    SegmentType.XENA_TPLD: 20,
    SegmentType.XENA_TPLD_PI: 22,
    SegmentType.XENA_MICROTPLD: 6,
    SegmentType.ETHERNET_FCS: 4,
}


def raw_segment(n_bytes: int) -> int:
    """Return the segment id of ``RAW_n`` (``n_bytes`` in 1..64)."""
    if not 1 <= n_bytes <= 64:
        raise ValueError(f"RAW segment length {n_bytes} not in 1..64")
    return 256 - n_bytes


def is_valid_segment(segment_id: int) -> bool:
    """Return True if ``segment_id`` is a known Xena segment id (named or RAW_n)."""
    return segment_id in SegmentType._value2member_map_ or (
        _RAW_MIN_ID <= segment_id <= 255
    )


def segment_name(segment_id: int) -> str:
    """Return Xena's name of a segment id (``ETHERNET``, ``RAW_6``, ...)."""
    if _RAW_MIN_ID <= segment_id <= 255:
        return f"RAW_{256 - segment_id}"
    return SegmentType(segment_id).name


def segment_length(segment_id: int) -> int | None:
    """Return the fixed length in bytes of a segment, or None if it varies/unknown."""
    if _RAW_MIN_ID <= segment_id <= 255:
        return 256 - segment_id
    return _LENGTHS.get(segment_id)


def segment_offsets(segments: Sequence[int], header: bytes) -> list[tuple[int, int]]:
    """Return ``(segment_id, offset)`` for each segment whose offset is known.

    Offsets are cumulative fixed lengths; an IPv4 segment's length comes from the
    IHL nibble in ``header``. The walk stops at the first segment of unknown length
    (the offsets behind it are unknown).

    Args:
        segments: segment ids in header order.
        header: the header bytes they describe.
    """
    out: list[tuple[int, int]] = []
    offset = 0
    for seg in segments:
        out.append((seg, offset))
        length = segment_length(seg)
        if seg == SegmentType.IP and offset < len(header):
            length = max(20, (header[offset] & 0x0F) * 4)
        if length is None:
            break
        offset += length
    return out
