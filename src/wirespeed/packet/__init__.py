"""Header helpers on top of scapy: templates, Xena segments, checksums (pure).

Frame convention everywhere in wirespeed: a *frame size* counts the 4-byte Ethernet
FCS (as Xena and TRex do); the bytes handed to the kernel are ``size - 4`` and
never contain an FCS.
"""

from typing import TYPE_CHECKING

from wirespeed._lazy import exports

if TYPE_CHECKING:  # imported on first use (wirespeed._lazy)
    from wirespeed.packet.checksum import (
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
    from wirespeed.packet.segments import (
        SegmentType,
        is_valid_segment,
        raw_segment,
        segment_length,
        segment_name,
        segment_offsets,
    )
    from wirespeed.packet.template import (
        header_length,
        segments_from_scapy,
        template_from_hex,
        template_from_scapy,
    )

FCS_LEN = 4
"""Bytes of Ethernet FCS counted in every frame size but never handed to the kernel."""

__all__ = [
    "FCS_LEN",
    "L4_ICMPV6",
    "L4_TCP",
    "L4_UDP",
    "SegmentType",
    "ethernet_fcs",
    "fix_ipv4_checksums",
    "fix_l4_checksums",
    "header_length",
    "internet_checksum",
    "ipv4_header_checksum",
    "is_valid_segment",
    "l4_checksum",
    "ones_complement_sum",
    "raw_segment",
    "segment_length",
    "segment_name",
    "segment_offsets",
    "segments_from_scapy",
    "template_from_hex",
    "template_from_scapy",
]

if not TYPE_CHECKING:
    __getattr__ = exports(
        __name__,
        {
            ".checksum": (
                "L4_ICMPV6",
                "L4_TCP",
                "L4_UDP",
                "ethernet_fcs",
                "fix_ipv4_checksums",
                "fix_l4_checksums",
                "internet_checksum",
                "ipv4_header_checksum",
                "l4_checksum",
                "ones_complement_sum",
            ),
            ".segments": (
                "SegmentType",
                "is_valid_segment",
                "raw_segment",
                "segment_length",
                "segment_name",
                "segment_offsets",
            ),
            ".template": (
                "header_length",
                "segments_from_scapy",
                "template_from_hex",
                "template_from_scapy",
            ),
        },
    )
