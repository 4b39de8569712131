"""Internet checksums (RFC 1071), scalar and vectorised over batches of frames, and
the Ethernet FCS.

Scalar functions take ``bytes``; batch functions take a 2-D ``uint8`` array (one frame
per row, the bytes handed to the kernel, i.e. without FCS) and a vector of frame
lengths, and fix every row in place with a handful of numpy operations.

Batch functions assume the bytes of each row past its length are zero (the field
engine keeps that invariant), so sums can run over whole columns without masks.
"""

from __future__ import annotations

import zlib

import numpy as np
import numpy.typing as npt

__all__ = [
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
]

L4_UDP = 17
"""IP protocol number of UDP (used as ``proto`` by the L4 checksum functions)."""
L4_TCP = 6
"""IP protocol number of TCP."""
L4_ICMPV6 = 58
"""IP protocol number (IPv6 next header) of ICMPv6."""

_CSUM_OFFSET = {L4_UDP: 6, L4_TCP: 16, L4_ICMPV6: 2}

U8Array = npt.NDArray[np.uint8]
I64Array = npt.NDArray[np.int64]
U64Array = npt.NDArray[np.uint64]


def ethernet_fcs(frame: bytes) -> bytes:
    """The 4 FCS bytes that follow ``frame`` on the wire (CRC-32, in wire order)."""
    return zlib.crc32(frame).to_bytes(4, "little")


def ones_complement_sum(data: bytes) -> int:
    """Return the 16-bit one's complement sum of ``data`` (odd length padded).

    Args:
        data: bytes to sum, as big-endian 16-bit words.

    Returns:
        The folded sum in 0..0xFFFF (not inverted).
    """
    if len(data) % 2:
        data = data + b"\x00"
    total = int(np.frombuffer(data, dtype=">u2").sum(dtype=np.uint64))
    while total > 0xFFFF:
        total = (total & 0xFFFF) + (total >> 16)
    return total


def internet_checksum(data: bytes) -> int:
    """Return the RFC 1071 checksum of ``data`` (the inverted one's complement sum)."""
    return (~ones_complement_sum(data)) & 0xFFFF


def ipv4_header_checksum(header: bytes) -> int:
    """Return the IPv4 header checksum of ``header`` with its checksum field zeroed.

    Args:
        header: the IPv4 header (IHL * 4 bytes); bytes 10-11 are ignored.
    """
    return internet_checksum(header[:10] + b"\x00\x00" + header[12:])


def l4_checksum(l3_header: bytes, segment: bytes, proto: int) -> int:
    """Return the UDP/TCP/ICMPv6 checksum of ``segment`` behind ``l3_header``.

    The pseudo-header comes from the IPv4 or IPv6 header (the version nibble says
    which) and the segment length. The checksum field inside ``segment`` is taken
    as zero. A UDP result of 0 is returned as 0xFFFF (RFC 768).

    Args:
        l3_header: the IPv4 or IPv6 header in front of the segment.
        segment: the L4 header and payload.
        proto: 17 (UDP), 6 (TCP) or 58 (ICMPv6).
    """
    off = _CSUM_OFFSET[proto]
    seg = segment[:off] + b"\x00\x00" + segment[off + 2 :]
    if l3_header[0] >> 4 == 4:
        pseudo = l3_header[12:20] + bytes([0, proto]) + len(seg).to_bytes(2, "big")
    else:
        pseudo = l3_header[8:40] + len(seg).to_bytes(4, "big") + bytes([0, 0, 0, proto])
    csum = internet_checksum(pseudo + seg)
    if proto == L4_UDP and csum == 0:
        return 0xFFFF
    return csum


def _fold(total: U64Array) -> U64Array:
    for _ in range(4):
        total = (total & np.uint64(0xFFFF)) + (total >> np.uint64(16))
    return total


def _swap16(value: U64Array) -> U64Array:
    return ((value & np.uint64(0xFF)) << np.uint64(8)) | (value >> np.uint64(8))


_NARROW_WORDS = 32


def _column_sum(region: U8Array) -> U64Array:
    """One's complement sum of each row of ``region`` as big-endian words, folded.

    The one's complement sum does not depend on byte order (RFC 1071), so rows are
    summed as native little-endian words and the folded result is byte-swapped.
    """
    n, width = region.shape
    if width == 0:
        return np.zeros(n, dtype=np.uint64)
    last: U64Array | None = None
    if width % 2:
        last = region[:, -1].astype(np.uint64)  # high byte of a BE word = low of LE
        region = region[:, :-1]
    total: U64Array
    if region.shape[1] == 0:
        total = np.zeros(n, dtype=np.uint64)
    else:
        if region.strides[1] != 1:
            region = np.ascontiguousarray(region)
        words = region.view("<u2")
        if words.shape[1] <= _NARROW_WORDS:
            acc = words[:, 0].astype(np.uint32)
            for col in range(1, words.shape[1]):
                acc += words[:, col]
            total = acc.astype(np.uint64)
        else:
            total = words.sum(axis=1, dtype=np.uint64)
    if last is not None:
        total = total + last
    return _swap16(_fold(total))


def _write_u16(data: U8Array, col: int, values: U64Array) -> None:
    data[:, col] = (values >> np.uint64(8)).astype(np.uint8)
    data[:, col + 1] = (values & np.uint64(0xFF)).astype(np.uint8)


def fix_ipv4_checksums(
    data: U8Array, l3_offset: int, header_len: int | None = None
) -> None:
    """Recompute the IPv4 header checksum of every row in place.

    Args:
        data: frames, one per row (uint8, shape ``(n, width)``).
        l3_offset: byte offset of the IPv4 header in every frame.
        header_len: the header length if the caller knows it is the same in every
            row; None reads each row's IHL nibble.
    """
    if data.shape[0] == 0:
        return
    data[:, l3_offset + 10] = 0
    data[:, l3_offset + 11] = 0
    if header_len is not None:
        total = _column_sum(data[:, l3_offset : l3_offset + header_len])
        _write_u16(data, l3_offset + 10, (~total) & np.uint64(0xFFFF))
        return
    ihl = (data[:, l3_offset] & 0x0F).astype(np.int64) * 4
    first = int(ihl[0])
    if bool(np.all(ihl == first)):
        hlen = max(first, 20)
        total = _column_sum(data[:, l3_offset : l3_offset + hlen])
    else:
        hmax = int(ihl.max())
        region = data[:, l3_offset : l3_offset + hmax]
        cols = np.arange(region.shape[1], dtype=np.int64)
        total = _column_sum(np.where(cols[None, :] < ihl[:, None], region, 0))
    _write_u16(data, l3_offset + 10, (~total) & np.uint64(0xFFFF))


def fix_l4_checksums(
    data: U8Array,
    lengths: I64Array,
    l3_offset: int,
    l4_offset: int,
    proto: int,
) -> None:
    """Recompute UDP, TCP or ICMPv6 checksums of every row in place.

    The L4 length of a row is its frame length (without FCS) minus ``l4_offset``;
    the pseudo-header takes the addresses from the IPv4 or IPv6 header at
    ``l3_offset`` (each row's version nibble decides). Call it again after anything
    in the payload changed, e.g. after the data plane wrote the TPLD.

    Args:
        data: frames, one per row; bytes past each row's length must be zero.
        lengths: bytes of each frame handed to the kernel (no FCS).
        l3_offset: offset of the IP header.
        l4_offset: offset of the UDP/TCP/ICMPv6 header.
        proto: 17 (UDP), 6 (TCP) or 58 (ICMPv6).
    """
    n = data.shape[0]
    if n == 0:
        return
    csum_col = l4_offset + _CSUM_OFFSET[proto]
    data[:, csum_col] = 0
    data[:, csum_col + 1] = 0
    seg_len = np.maximum(lengths.astype(np.int64) - l4_offset, 0).astype(np.uint64)
    total = _column_sum(data[:, l4_offset:])
    is_v4 = (data[:, l3_offset] >> 4) == 4
    v4_addr = _column_sum(data[:, l3_offset + 12 : l3_offset + 20])
    if bool(is_v4.all()):
        addr = v4_addr
    else:
        v6_addr = _column_sum(data[:, l3_offset + 8 : l3_offset + 40])
        addr = np.where(is_v4, v4_addr, v6_addr)
    # IPv4: 16-bit length; IPv6: 32-bit length (two words). Both sum to the same.
    seg_len_words = (seg_len & np.uint64(0xFFFF)) + (seg_len >> np.uint64(16))
    total = total + addr + np.uint64(proto) + seg_len_words
    csum = (~_fold(total)) & np.uint64(0xFFFF)
    if proto == L4_UDP:
        csum = np.where(csum == 0, np.uint64(0xFFFF), csum)
    _write_u16(data, csum_col, csum)
