"""Frame templates from scapy packets or hex, and facts read back from them.

A template is the frame's leading bytes as handed to the kernel: never an FCS.
"""

from __future__ import annotations

import binascii
import functools
from typing import Any

from wirespeed.errors import BuildError, ParseError
from wirespeed.packet.segments import SegmentType, raw_segment

__all__ = [
    "header_length",
    "segments_from_scapy",
    "template_from_hex",
    "template_from_scapy",
]

# scapy layer class name -> Xena segment id.
_SCAPY_SEGMENTS: dict[str, int] = {
    "Ether": SegmentType.ETHERNET,
    "Dot1Q": SegmentType.VLAN,
    "Dot1AD": SegmentType.VLAN,
    "ARP": SegmentType.ARP,
    "IP": SegmentType.IP,
    "IPv6": SegmentType.IPV6,
    "UDP": SegmentType.UDPCHECK,
    "TCP": SegmentType.TCPCHECK,
    "ICMP": SegmentType.ICMP,
    "MPLS": SegmentType.MPLS,
    "LLC": SegmentType.LLC,
    "SNAP": SegmentType.SNAP,
    "VXLAN": SegmentType.VXLAN,
}

_PAYLOAD_LAYERS = {"Raw", "Padding", "NoPayload"}


def template_from_scapy(pkt: Any) -> bytes:
    """Return the bytes of a scapy packet (lengths and checksums filled by scapy).

    Args:
        pkt: a scapy ``Packet``, e.g. ``Ether()/IP()/UDP()``.

    Raises:
        BuildError: scapy could not build it.
    """
    try:
        return bytes(pkt)
    except Exception as exc:  # scapy raises many types while building
        raise BuildError(f"scapy could not build the packet: {exc}") from exc


def template_from_hex(text: str) -> bytes:
    """Return the bytes of a hex string (``0x`` prefix, spaces and colons allowed).

    Raises:
        ParseError: not an even number of hex digits.
    """
    cleaned = text.strip()
    if cleaned[:2].lower() == "0x":
        cleaned = cleaned[2:]
    cleaned = "".join(ch for ch in cleaned if ch not in " :\t\n-")
    try:
        return binascii.unhexlify(cleaned)
    except (binascii.Error, ValueError) as exc:
        raise ParseError(f"not a hex byte string: {exc}") from exc


def _layers(data: bytes) -> list[tuple[str, int]]:
    return list(_layers_cached(bytes(data)))


@functools.lru_cache(maxsize=4096)
def _layers_cached(data: bytes) -> tuple[tuple[str, int], ...]:
    """Dissect ``data`` as Ethernet; return (layer name, header length) per layer."""
    import scapy.layers.inet
    import scapy.layers.inet6
    import scapy.layers.l2

    _ = (scapy.layers.inet, scapy.layers.inet6)  # bind IP/IPv6/UDP/TCP to Ether
    Ether = scapy.layers.l2.Ether
    out: list[tuple[str, int]] = []
    try:
        layer: Any = Ether(data)
    except Exception as exc:  # scapy dissectors raise many types
        raise ParseError(f"scapy could not dissect the frame: {exc}") from exc
    while layer is not None and layer.__class__.__name__ not in _PAYLOAD_LAYERS:
        hdr_len = len(layer) - len(layer.payload)
        out.append((layer.__class__.__name__, hdr_len))
        layer = layer.payload
    return tuple(out)


def header_length(data: bytes) -> int:
    """Return how many leading bytes of an Ethernet frame are protocol headers.

    The frame is dissected with scapy; the headers end where raw payload (or
    padding) starts.
    """
    return sum(length for _, length in _layers(data))


def segments_from_scapy(data: bytes) -> tuple[int, ...]:
    """Return Xena segment ids describing the headers of an Ethernet frame.

    UDP and TCP map to ``UDPCHECK``/``TCPCHECK`` (checksum filled per frame); a
    layer with no Xena equivalent becomes ``RAW_n`` (n <= 64).
    """
    out: list[int] = []
    for name, length in _layers(data):
        seg = _SCAPY_SEGMENTS.get(name)
        if seg is None:
            if not 1 <= length <= 64:
                raise ParseError(f"layer {name} ({length} bytes) has no segment")
            seg = raw_segment(length)
        out.append(int(seg))
    return tuple(out)
