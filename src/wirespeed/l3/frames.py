"""The frames of a port's L3 services, built and read without scapy (pure).

ARP (requests, replies, gratuitous), IPv6 neighbour solicitations and
advertisements, ICMPv4 and ICMPv6 echo requests and replies, each behind an
Ethernet header with at most one 802.1Q tag. :func:`decode` reads any of them
into a :class:`ServiceFrame` and returns ``None`` for everything else.

Conventions:

* Frame bytes never hold the FCS. Frames shorter than 60 bytes are padded with
  zeros to 60, as a NIC pads them (a veth does not).
* A *size* (``size_bytes``) is the frame on the wire: FCS and VLAN tag counted,
  never less than 64 -- as TRex and Xena count ping sizes. The bytes built for a
  size are ``size_bytes - 4``.
* MAC addresses are 6 ``bytes``; :func:`parse_mac` and :func:`format_mac` convert.
* A port's frames carry its VLAN as an in-band 802.1Q tag (priority 0).
"""

from __future__ import annotations

import enum
import struct
from dataclasses import dataclass
from ipaddress import IPv4Address, IPv6Address

from wirespeed.errors import BuildError, ConfigError, ValidationError
from wirespeed.l3.identity import IPAddress
from wirespeed.packet import FCS_LEN, internet_checksum

__all__ = [
    "BROADCAST_MAC",
    "ETHERTYPE_ARP",
    "ETHERTYPE_IPV4",
    "ETHERTYPE_IPV6",
    "ETHERTYPE_VLAN",
    "MIN_SIZE_BYTES",
    "FrameKind",
    "NAFlag",
    "ServiceFrame",
    "echo_header_bytes",
    "echo_payload",
    "encode_arp_reply",
    "encode_arp_request",
    "encode_echo_reply",
    "encode_echo_request",
    "encode_gratuitous_arp",
    "encode_neighbor_advert",
    "encode_neighbor_solicit",
    "encode_unsolicited_advert",
    "format_mac",
    "multicast_mac",
    "parse_mac",
    "solicited_node",
]

ETHERTYPE_IPV4 = 0x0800
ETHERTYPE_ARP = 0x0806
ETHERTYPE_VLAN = 0x8100
ETHERTYPE_IPV6 = 0x86DD
BROADCAST_MAC = b"\xff" * 6
MIN_SIZE_BYTES = 64
"""Shortest frame on the wire (FCS counted); shorter frames are padded to it."""
PAD_TO_BYTES = MIN_SIZE_BYTES - FCS_LEN
ALL_NODES = IPv6Address("ff02::1")
TTL = 64
"""TTL / hop limit of the echo requests and replies a port sends."""

PROTO_ICMP = 1
PROTO_ICMPV6 = 58
ND_HOP_LIMIT = 255
"""Hop limit of every neighbour discovery message (RFC 4861 checks it)."""
OPT_SOURCE_LL = 1
OPT_TARGET_LL = 2
_ZERO_MAC = b"\x00" * 6


class FrameKind(enum.Enum):
    """What a :class:`ServiceFrame` is."""

    ARP_REQUEST = "arp_request"
    ARP_REPLY = "arp_reply"
    NEIGHBOR_SOLICIT = "neighbor_solicit"
    NEIGHBOR_ADVERT = "neighbor_advert"
    ECHO_REQUEST = "echo_request"
    ECHO_REPLY = "echo_reply"
    ECHO6_REQUEST = "echo6_request"
    ECHO6_REPLY = "echo6_reply"


class NAFlag(enum.IntFlag):
    """Flags of a neighbour advertisement (bits of its first reserved byte)."""

    ROUTER = 0x80
    SOLICITED = 0x40
    OVERRIDE = 0x20


NO_FLAGS = NAFlag(0)


@dataclass(frozen=True, slots=True)
class ServiceFrame:
    """One ARP, neighbour discovery or echo frame, decoded.

    Attributes:
        kind: what it is.
        dst_mac: Ethernet destination.
        src_mac: Ethernet source.
        src_ip: IP source; for ARP the sender protocol address.
        dst_ip: IP destination; for ARP the target protocol address.
        vlan: the VLAN id (in-band tag or the one the kernel stripped), None when
            untagged or priority-tagged (VLAN 0).
        target: the address asked or told about: the ND target, for ARP the
            target protocol address (None for echo frames).
        lladdr: the link-layer address told: ARP sender hardware address, the
            source (NS) or target (NA) link-layer option; None when absent.
        flags: the R/S/O flags of a neighbour advertisement.
        ident: echo identifier.
        seq: echo sequence number.
        ttl: IPv4 TTL or IPv6 hop limit (0 for ARP).
        payload: echo data (after the 8-byte echo header; no Ethernet padding).
        size_bytes: size on the wire: VLAN tag and FCS counted, at least 64.
    """

    kind: FrameKind
    dst_mac: bytes
    src_mac: bytes
    src_ip: IPAddress
    dst_ip: IPAddress
    vlan: int | None = None
    target: IPAddress | None = None
    lladdr: bytes | None = None
    flags: NAFlag = NO_FLAGS
    ident: int = 0
    seq: int = 0
    ttl: int = 0
    payload: bytes = b""
    size_bytes: int = MIN_SIZE_BYTES


# --------------------------------------------------------------------------- MACs


def parse_mac(value: bytes | str, field: str = "mac") -> bytes:
    """``"02:00:00:00:00:01"`` (or ``-`` separated, or 6 bytes) -> 6 bytes.

    Raises:
        ConfigError: not a MAC address.
    """
    if isinstance(value, bytes):
        if len(value) == 6:
            return value
        raise ConfigError(f"a MAC address is 6 bytes, got {len(value)}", field=field)
    parts = value.strip().replace("-", ":").split(":")
    try:
        mac = bytes(int(p, 16) for p in parts)
    except ValueError:
        mac = b""
    if len(parts) != 6 or len(mac) != 6 or any(len(p) > 2 for p in parts):
        raise ConfigError(f"not a MAC address: {value!r}", field=field)
    return mac


def format_mac(mac: bytes) -> str:
    """6 bytes -> ``"02:00:00:00:00:01"``."""
    return mac.hex(":")


def solicited_node(addr: IPv6Address) -> IPv6Address:
    """The solicited-node multicast address of ``addr`` (ff02::1:ffXX:XXXX)."""
    return IPv6Address(b"\xff\x02" + b"\x00" * 9 + b"\x01\xff" + addr.packed[13:])


def multicast_mac(addr: IPv6Address) -> bytes:
    """The Ethernet address of IPv6 multicast ``addr`` (33:33 + its last 4 bytes)."""
    return b"\x33\x33" + addr.packed[12:]


# ------------------------------------------------------------------------ headers


def _ether(dst: bytes, src: bytes, ethertype: int, vlan: int | None) -> bytes:
    if vlan is None:
        return dst + src + ethertype.to_bytes(2, "big")
    return dst + src + struct.pack("!HHH", ETHERTYPE_VLAN, vlan, ethertype)


def _pad(frame: bytes) -> bytes:
    return frame if len(frame) >= PAD_TO_BYTES else frame.ljust(PAD_TO_BYTES, b"\0")


def _ipv4(
    src: IPv4Address, dst: IPv4Address, body_len: int, ttl: int, ip_id: int
) -> bytes:
    hdr = struct.pack(
        "!BBHHHBBH4s4s",
        0x45, 0, 20 + body_len, ip_id, 0, ttl, PROTO_ICMP, 0, src.packed, dst.packed
    )  # fmt: skip
    return hdr[:10] + internet_checksum(hdr).to_bytes(2, "big") + hdr[12:]


def _icmp6(src: IPv6Address, dst: IPv6Address, hop_limit: int, body: bytes) -> bytes:
    """IPv6 header + ICMPv6 ``body`` (checksum bytes 2-3 zero), checksum set."""
    plen = len(body)
    pseudo = src.packed + dst.packed + struct.pack("!IxxxB", plen, PROTO_ICMPV6)
    csum = internet_checksum(pseudo + body)
    hdr = struct.pack("!IHBB", 0x60000000, plen, PROTO_ICMPV6, hop_limit)
    return hdr + src.packed + dst.packed + body[:2] + csum.to_bytes(2, "big") + body[4:]


# ---------------------------------------------------------------------------- ARP


def _arp(
    op: int,
    eth_dst: bytes,
    src_mac: bytes,
    sender: IPv4Address,
    target_mac: bytes,
    target: IPv4Address,
    vlan: int | None,
) -> bytes:
    body = struct.pack("!HHBBH", 1, ETHERTYPE_IPV4, 6, 4, op)
    body += src_mac + sender.packed + target_mac + target.packed
    return _pad(_ether(eth_dst, src_mac, ETHERTYPE_ARP, vlan) + body)


def encode_arp_request(
    src_mac: bytes, sender: IPv4Address, target: IPv4Address, *, vlan: int | None = None
) -> bytes:
    """Who has ``target``? Tell ``sender`` (broadcast, target MAC zero)."""
    return _arp(1, BROADCAST_MAC, src_mac, sender, _ZERO_MAC, target, vlan)


def encode_arp_reply(
    src_mac: bytes,
    sender: IPv4Address,
    dst_mac: bytes,
    target: IPv4Address,
    *,
    vlan: int | None = None,
) -> bytes:
    """``sender`` is at ``src_mac``, told to ``target`` at ``dst_mac`` (unicast)."""
    return _arp(2, dst_mac, src_mac, sender, dst_mac, target, vlan)


def encode_gratuitous_arp(
    src_mac: bytes, addr: IPv4Address, *, vlan: int | None = None
) -> bytes:
    """A gratuitous ARP: a broadcast request whose sender and target are
    ``addr`` (an ARP announcement, RFC 5227)."""
    return _arp(1, BROADCAST_MAC, src_mac, addr, _ZERO_MAC, addr, vlan)


# --------------------------------------------------------------------------- NDP


def _nd(icmp_type: int, first: int, target: IPv6Address, opt: int, mac: bytes) -> bytes:
    """An NS/NA body: type, code, checksum 0, flags word, target, one LL option."""
    return (
        struct.pack("!BBHI", icmp_type, 0, 0, first)
        + target.packed
        + (bytes([opt, 1]) + mac)
    )


def encode_neighbor_solicit(
    src_mac: bytes, src: IPv6Address, target: IPv6Address, *, vlan: int | None = None
) -> bytes:
    """Who has ``target``? To its solicited-node address and MAC, from ``src``,
    with the source link-layer option (hop limit 255)."""
    group = solicited_node(target)
    body = _nd(135, 0, target, OPT_SOURCE_LL, src_mac)
    packet = _icmp6(src, group, ND_HOP_LIMIT, body)
    return _pad(_ether(multicast_mac(group), src_mac, ETHERTYPE_IPV6, vlan) + packet)


def encode_neighbor_advert(
    src_mac: bytes,
    src: IPv6Address,
    dst_mac: bytes,
    dst: IPv6Address,
    target: IPv6Address,
    *,
    flags: NAFlag = NAFlag.SOLICITED | NAFlag.OVERRIDE,
    vlan: int | None = None,
) -> bytes:
    """``target`` is at ``src_mac`` (target link-layer option), to ``dst``."""
    body = _nd(136, int(flags) << 24, target, OPT_TARGET_LL, src_mac)
    packet = _icmp6(src, dst, ND_HOP_LIMIT, body)
    return _pad(_ether(dst_mac, src_mac, ETHERTYPE_IPV6, vlan) + packet)


def encode_unsolicited_advert(
    src_mac: bytes, addr: IPv6Address, *, vlan: int | None = None
) -> bytes:
    """An unsolicited advertisement of ``addr`` to ff02::1 (flags O only)."""
    return encode_neighbor_advert(
        src_mac,
        addr,
        multicast_mac(ALL_NODES),
        ALL_NODES,
        addr,
        flags=NAFlag.OVERRIDE,
        vlan=vlan,
    )


# -------------------------------------------------------------------------- echo


def echo_header_bytes(version: int, vlan: int | None) -> int:
    """Bytes in front of the echo data: Ethernet (+ tag), IP, 8 of ICMP echo."""
    return 14 + (4 if vlan is not None else 0) + (20 if version == 4 else 40) + 8


def echo_payload(size_bytes: int, version: int, vlan: int | None) -> bytes:
    """Echo data that makes an echo frame ``size_bytes`` on the wire (FCS and
    tag counted): the bytes 0x00, 0x01, ... 0xff, 0x00, ... (deterministic).

    A size of at least 64 but below the headers (an IPv6 echo frame is at least
    66 bytes, 70 tagged) gives no data: the smallest echo frame.

    Raises:
        ValidationError: the size is below 64, or the IP packet would exceed
            65535 bytes.
    """
    head = echo_header_bytes(version, vlan) + FCS_LEN
    high = head + 65535 - 8 - (20 if version == 4 else 0)
    if not MIN_SIZE_BYTES <= size_bytes <= high:
        raise ValidationError(
            f"an IPv{version} echo frame is {MIN_SIZE_BYTES}-{high} bytes, "
            f"got {size_bytes}",
            field="size_bytes",
        )
    n = max(0, size_bytes - head)
    return (bytes(range(256)) * (n // 256 + 1))[:n]


def _echo(
    types: tuple[int, int],
    src_mac: bytes,
    dst_mac: bytes,
    src: IPAddress,
    dst: IPAddress,
    ident: int,
    seq: int,
    payload: bytes,
    ttl: int,
    vlan: int | None,
    ip_id: int,
) -> bytes:
    if isinstance(src, IPv4Address) and isinstance(dst, IPv4Address):
        icmp = struct.pack("!BBHHH", types[0], 0, 0, ident, seq) + payload
        icmp = icmp[:2] + internet_checksum(icmp).to_bytes(2, "big") + icmp[4:]
        packet = _ipv4(src, dst, len(icmp), ttl, ip_id) + icmp
        return _pad(_ether(dst_mac, src_mac, ETHERTYPE_IPV4, vlan) + packet)
    if isinstance(src, IPv6Address) and isinstance(dst, IPv6Address):
        body = struct.pack("!BBHHH", types[1], 0, 0, ident, seq) + payload
        packet = _icmp6(src, dst, ttl, body)
        return _pad(_ether(dst_mac, src_mac, ETHERTYPE_IPV6, vlan) + packet)
    raise BuildError(f"{src} and {dst} are not of one IP version")


def encode_echo_request(
    src_mac: bytes,
    dst_mac: bytes,
    src: IPAddress,
    dst: IPAddress,
    *,
    ident: int,
    seq: int,
    payload: bytes = b"",
    ttl: int = TTL,
    vlan: int | None = None,
    ip_id: int = 0,
) -> bytes:
    """An ICMPv4 (type 8) or ICMPv6 (type 128) echo request, by address version.

    ``ttl`` is the TTL or hop limit; ``ip_id`` the IPv4 identification (DF not
    set). Use :func:`echo_payload` for a frame of a given size.

    Raises:
        BuildError: ``src`` and ``dst`` are of different IP versions.
    """
    return _echo(
        (8, 128), src_mac, dst_mac, src, dst, ident, seq, payload, ttl, vlan, ip_id
    )


def encode_echo_reply(
    src_mac: bytes,
    dst_mac: bytes,
    src: IPAddress,
    dst: IPAddress,
    *,
    ident: int,
    seq: int,
    payload: bytes = b"",
    ttl: int = TTL,
    vlan: int | None = None,
    ip_id: int = 0,
) -> bytes:
    """An ICMPv4 (type 0) or ICMPv6 (type 129) echo reply; as
    :func:`encode_echo_request`."""
    return _echo(
        (0, 129), src_mac, dst_mac, src, dst, ident, seq, payload, ttl, vlan, ip_id
    )
