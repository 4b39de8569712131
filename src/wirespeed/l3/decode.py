"""Reading the frames of a port's L3 services: :func:`decode` (pure, never raises).

The conventions (sizes, padding, MACs) are those of :mod:`wirespeed.l3.frames`.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from ipaddress import IPv4Address, IPv6Address

from wirespeed.l3.frames import (
    ETHERTYPE_ARP,
    ETHERTYPE_IPV4,
    ETHERTYPE_IPV6,
    ETHERTYPE_VLAN,
    ND_HOP_LIMIT,
    NO_FLAGS,
    OPT_SOURCE_LL,
    OPT_TARGET_LL,
    PAD_TO_BYTES,
    PROTO_ICMP,
    PROTO_ICMPV6,
    FrameKind,
    NAFlag,
    ServiceFrame,
)
from wirespeed.packet import FCS_LEN, ones_complement_sum

__all__ = ["decode"]


@dataclass(frozen=True, slots=True)
class _Eth:
    dst: bytes
    src: bytes
    vlan: int | None
    size_bytes: int


def decode(frame: bytes, vlan: int | None = None) -> ServiceFrame | None:
    """Read an ARP, neighbour discovery or echo frame; None for anything else.

    Anything else is: another protocol, a truncated or malformed frame, a wrong
    IPv4 header or ICMP/ICMPv6 checksum, an IPv4 fragment, an IPv6 packet with
    extension headers, neighbour discovery not sent with hop limit 255, or a
    frame with two VLAN tags. It never raises.

    Args:
        frame: the frame bytes (no FCS), with or without one 802.1Q tag.
        vlan: the VLAN id the kernel moved out of the frame into metadata (only
            its low 12 bits are read), None when it did not.
    """
    if len(frame) < 14:
        return None
    ethertype = int.from_bytes(frame[12:14], "big")
    off, tag_bytes = 14, 0 if vlan is None else 4
    if ethertype == ETHERTYPE_VLAN:
        if vlan is not None or len(frame) < 18:
            return None
        vlan = int.from_bytes(frame[14:16], "big")
        ethertype = int.from_bytes(frame[16:18], "big")
        off = 18
    size = max(PAD_TO_BYTES, len(frame) + tag_bytes) + FCS_LEN
    vid = None if vlan is None else (vlan & 0x0FFF) or None
    eth = _Eth(frame[0:6], frame[6:12], vid, size)
    if ethertype == ETHERTYPE_ARP:
        return _decode_arp(frame, off, eth)
    if ethertype == ETHERTYPE_IPV4:
        return _decode_ipv4(frame, off, eth)
    if ethertype == ETHERTYPE_IPV6:
        return _decode_ipv6(frame, off, eth)
    return None


def _decode_arp(frame: bytes, off: int, eth: _Eth) -> ServiceFrame | None:
    if len(frame) < off + 28:
        return None
    htype, ptype, hlen, plen, op = struct.unpack_from("!HHBBH", frame, off)
    if (htype, ptype, hlen, plen) != (1, ETHERTYPE_IPV4, 6, 4) or op not in (1, 2):
        return None
    target = IPv4Address(frame[off + 24 : off + 28])
    return ServiceFrame(
        FrameKind.ARP_REQUEST if op == 1 else FrameKind.ARP_REPLY,
        eth.dst,
        eth.src,
        IPv4Address(frame[off + 14 : off + 18]),
        target,
        vlan=eth.vlan,
        target=target,
        lladdr=frame[off + 8 : off + 14],
        size_bytes=eth.size_bytes,
    )


def _decode_ipv4(frame: bytes, off: int, eth: _Eth) -> ServiceFrame | None:
    if len(frame) < off + 20:
        return None
    ver_ihl, _, total, _, frag, ttl, proto = struct.unpack_from("!BBHHHBB", frame, off)
    ihl = (ver_ihl & 0x0F) * 4
    if ver_ihl >> 4 != 4 or ihl < 20 or proto != PROTO_ICMP or frag & 0x3FFF:
        return None
    if total < ihl + 8 or len(frame) < off + total:
        return None
    if ones_complement_sum(frame[off : off + ihl]) != 0xFFFF:
        return None
    icmp = frame[off + ihl : off + total]
    if ones_complement_sum(icmp) != 0xFFFF or icmp[0] not in (0, 8) or icmp[1]:
        return None
    ident, seq = struct.unpack_from("!HH", icmp, 4)
    return ServiceFrame(
        FrameKind.ECHO_REQUEST if icmp[0] == 8 else FrameKind.ECHO_REPLY,
        eth.dst,
        eth.src,
        IPv4Address(frame[off + 12 : off + 16]),
        IPv4Address(frame[off + 16 : off + 20]),
        vlan=eth.vlan,
        ident=ident,
        seq=seq,
        ttl=ttl,
        payload=icmp[8:],
        size_bytes=eth.size_bytes,
    )


def _decode_ipv6(frame: bytes, off: int, eth: _Eth) -> ServiceFrame | None:
    if len(frame) < off + 40 or frame[off] >> 4 != 6:
        return None
    plen, next_header, hop_limit = struct.unpack_from("!HBB", frame, off + 4)
    if next_header != PROTO_ICMPV6 or plen < 8 or len(frame) < off + 40 + plen:
        return None
    pseudo = frame[off + 8 : off + 40] + struct.pack("!IxxxB", plen, PROTO_ICMPV6)
    icmp = frame[off + 40 : off + 40 + plen]
    if ones_complement_sum(pseudo + icmp) != 0xFFFF or icmp[1]:
        return None
    src = IPv6Address(frame[off + 8 : off + 24])
    dst = IPv6Address(frame[off + 24 : off + 40])
    if icmp[0] in (128, 129):
        ident, seq = struct.unpack_from("!HH", icmp, 4)
        return ServiceFrame(
            FrameKind.ECHO6_REQUEST if icmp[0] == 128 else FrameKind.ECHO6_REPLY,
            eth.dst,
            eth.src,
            src,
            dst,
            vlan=eth.vlan,
            ident=ident,
            seq=seq,
            ttl=hop_limit,
            payload=icmp[8:],
            size_bytes=eth.size_bytes,
        )
    if icmp[0] in (135, 136) and hop_limit == ND_HOP_LIMIT and plen >= 24:
        return _decode_nd(icmp, src, dst, eth)
    return None


def _decode_nd(
    icmp: bytes, src: IPv6Address, dst: IPv6Address, eth: _Eth
) -> ServiceFrame | None:
    """An NS or NA (RFC 4861 sections 7.1.1 and 7.1.2 validity checks)."""
    is_ns = icmp[0] == 135
    target = IPv6Address(icmp[8:24])
    options = _nd_options(icmp[24:])
    if options is None or target.is_multicast:
        return None
    lladdr = options.get(OPT_SOURCE_LL if is_ns else OPT_TARGET_LL)
    flags = NO_FLAGS if is_ns else NAFlag(icmp[4] & 0xE0)
    if is_ns and src.is_unspecified and (lladdr is not None or not dst.is_multicast):
        return None
    if not is_ns and dst.is_multicast and NAFlag.SOLICITED in flags:
        return None
    return ServiceFrame(
        FrameKind.NEIGHBOR_SOLICIT if is_ns else FrameKind.NEIGHBOR_ADVERT,
        eth.dst,
        eth.src,
        src,
        dst,
        vlan=eth.vlan,
        target=target,
        lladdr=lladdr,
        flags=flags,
        ttl=ND_HOP_LIMIT,
        size_bytes=eth.size_bytes,
    )


def _nd_options(data: bytes) -> dict[int, bytes] | None:
    """Type -> first 6 bytes of each link-layer option; None if malformed."""
    found: dict[int, bytes] = {}
    pos = 0
    while pos + 2 <= len(data):
        opt_type, units = data[pos], data[pos + 1]
        end = pos + 8 * units
        if units == 0 or end > len(data):
            return None
        if opt_type in (OPT_SOURCE_LL, OPT_TARGET_LL):
            found.setdefault(opt_type, data[pos + 2 : pos + 8])
        pos = end
    return None if pos != len(data) else found
