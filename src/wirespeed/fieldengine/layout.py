"""Where a stream's frames change: the compile-time layout of its rows.

Worked out once per stream from the template and the stream's description, before
any frame is built: the header segments' length fields, the byte ranges rewritten
per frame, the IPv4 and UDP/TCP/ICMPv6 checksums (:mod:`.sums`) and the point past
which no frame's bytes change (what a shared tail may hold); and the checks that the
frames can hold their header, TPLD and payload checksum.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from wirespeed.errors import ValidationError
from wirespeed.fieldengine.sums import CSUM_OFFSET, Ipv4HeaderSum, L4Sum
from wirespeed.model.patterns import MIN_WIRE_FRAME_BYTES
from wirespeed.model.stream import FCS_BYTES, Stream
from wirespeed.model.vm import (
    FixChecksumHw,
    FixChecksumIcmpv6,
    FixChecksumIpv4,
    L4Type,
    WriteFlowVar,
    WriteMaskFlowVar,
)
from wirespeed.packet.checksum import L4_ICMPV6, L4_TCP, L4_UDP
from wirespeed.packet.segments import SegmentType, segment_offsets

__all__ = [
    "MIN_KERNEL_BYTES",
    "MIN_TEST_FRAME_BYTES",
    "L4Field",
    "check_fit",
    "check_pi",
    "compile_checksums",
    "length_fields",
    "segment_plan",
    "smallest_len",
    "static_from",
    "written_ranges",
]

U8Array = npt.NDArray[np.uint8]
Ranges = list[tuple[int, int]]
L4Field = tuple[int, int, int]
"""An L4 checksum to compute: (L3 header offset, L4 header offset, protocol)."""
MIN_KERNEL_BYTES = 14
MIN_TEST_FRAME_BYTES = MIN_WIRE_FRAME_BYTES - FCS_BYTES
"""Shortest frame with a TPLD (no FCS): what a NIC pads shorter frames to."""


def segment_plan(
    stream: Stream,
) -> tuple[list[tuple[str, int]], list[int], list[L4Field]]:
    """(length fields, IPv4 headers, L4 checksums (l3, l4, proto)) of the segments."""
    lengths: list[tuple[str, int]] = []
    ipv4: list[int] = []
    l4: list[L4Field] = []
    last_ip: int | None = None
    for seg, off in segment_offsets(stream.segments, stream.packet):
        if seg == SegmentType.IP:
            lengths.append(("ipv4", off))
            ipv4.append(off)
            last_ip = off
        elif seg == SegmentType.IPV6:
            lengths.append(("ipv6", off))
            last_ip = off
        elif seg in (SegmentType.UDP, SegmentType.UDPCHECK):
            lengths.append(("udp", off))
            if seg == SegmentType.UDPCHECK and last_ip is not None:
                l4.append((last_ip, off, L4_UDP))
        elif seg == SegmentType.TCPCHECK and last_ip is not None:
            l4.append((last_ip, off, L4_TCP))
    return lengths, ipv4, l4


def _length_field(kind: str, off: int) -> tuple[int, int]:
    """(field offset, value minus frame length) of a segment length field."""
    if kind == "ipv4":
        return off + 2, -off
    if kind == "ipv6":
        return off + 4, -off - 40
    return off + 4, -off


def length_fields(
    seg_lengths: list[tuple[str, int]], width: int
) -> list[tuple[int, int]]:
    """(field offset, value minus frame length) of the length fields within rows."""
    return [
        _length_field(kind, off)
        for kind, off in seg_lengths
        if _length_field(kind, off)[0] + 2 <= width
    ]


def smallest_len(stream: Stream, floor: int) -> int:
    """The shortest frame (no FCS) the stream can send; ``floor``: the shortest
    there is (a trimmed frame is clipped to it)."""
    trim = stream.vm.trim_floor
    if trim is None:
        return max(stream.frame_length.smallest_bytes - FCS_BYTES, floor)
    return max(trim, floor)


def check_fit(stream: Stream, smallest: int, tpld_len: int) -> None:
    """The shortest frame must hold the header and the TPLD.

    Raises:
        ValidationError: it cannot.
    """
    need = stream.header_bytes + tpld_len
    if tpld_len and smallest < need:
        raise ValidationError(
            f"{smallest + FCS_BYTES}-byte frames cannot hold the "
            f"{stream.header_bytes}-byte header and a {tpld_len}-byte "
            "TPLD plus FCS",
            field="length.min_bytes",
        )


def written_ranges(stream: Stream, len_fields: list[tuple[int, int]]) -> Ranges:
    """Byte ranges that modifiers, writes and length fields rewrite per batch."""
    ranges = [(m.pos, m.pos + m.width_bytes) for m in stream.modifiers]
    sizes = stream.vm.var_sizes
    for ins in stream.vm.instructions:
        if isinstance(ins, WriteFlowVar):
            ranges.append((ins.pkt_offset, ins.pkt_offset + sizes[ins.name]))
        elif isinstance(ins, WriteMaskFlowVar):
            ranges.append((ins.pkt_offset, ins.pkt_offset + ins.pkt_cast_size))
    ranges += [(f, f + 2) for f, _ in len_fields]
    return ranges


def _checksum_fields(
    stream: Stream, base: U8Array, seg_ipv4: list[int], seg_l4: list[L4Field]
) -> tuple[list[int], list[L4Field]]:
    """IPv4 headers and L4 checksums (innermost first) of segments and VM, in rows."""
    ipv4 = list(seg_ipv4)
    l4 = list(seg_l4)
    for ins in stream.vm.instructions:
        if isinstance(ins, FixChecksumIpv4):
            ipv4.append(ins.pkt_offset)
        elif isinstance(ins, FixChecksumHw):
            if int(base[ins.l2_len]) >> 4 != 6:
                ipv4.append(ins.l2_len)
            if ins.l4_type is not L4Type.IP:
                proto = L4_UDP if ins.l4_type is L4Type.UDP else L4_TCP
                l4.append((ins.l2_len, ins.l2_len + ins.l3_len, proto))
        elif isinstance(ins, FixChecksumIcmpv6):
            l4.append((ins.l2_len, ins.l2_len + ins.l3_len, L4_ICMPV6))
    width = len(base)
    in_rows = sorted({off for off in ipv4 if off + 20 <= width})
    in_rows_l4 = sorted(
        {f for f in l4 if f[1] + CSUM_OFFSET[f[2]] + 2 <= width},
        key=lambda f: -f[1],  # innermost first: outer sums cover inner fields
    )
    return in_rows, in_rows_l4


def compile_checksums(
    stream: Stream,
    base: U8Array,
    seg_ipv4: list[int],
    seg_l4: list[L4Field],
    written: Ranges,
    *,
    min_end: int,
    dynamic_from: int | None,
) -> tuple[list[Ipv4HeaderSum], list[L4Sum]]:
    """The IPv4 header and UDP/TCP/ICMPv6 checksums of rows holding ``base``.

    Args:
        stream: the stream (its VM's checksum instructions).
        base: the row every frame starts from (template, static payload).
        seg_ipv4: IPv4 headers of the segments (:func:`segment_plan`).
        seg_l4: L4 checksums of the segments (:func:`segment_plan`).
        written: byte ranges rewritten per frame (:func:`written_ranges`).
        min_end: where the TPLD of the shortest frame starts.
        dynamic_from: where a payload that changes per frame starts (None: static).
    """
    ipv4, l4 = _checksum_fields(stream, base, seg_ipv4, seg_l4)
    ipv4_sums = [Ipv4HeaderSum.compile(base, off, written) for off in ipv4]
    fields = [(off + 10, off + 12) for off in ipv4]
    fields += [(f[1] + CSUM_OFFSET[f[2]], f[1] + CSUM_OFFSET[f[2]] + 2) for f in l4]
    l4_sums: list[L4Sum] = []
    inner: list[tuple[int, int]] = []  # checksums computed before this one
    for l3, off, proto in l4:
        own = (off + CSUM_OFFSET[proto], off + CSUM_OFFSET[proto] + 2)
        others = [r for r in fields if r != own]
        l4_sums.append(
            L4Sum.compile(
                base,
                l3,
                off,
                proto,
                written + others,
                min_end=min_end,
                dynamic_from=dynamic_from,
                late=list(inner),
            )
        )
        inner.append(own)
    return ipv4_sums, l4_sums


def check_pi(pi_offset: int, min_end: int, l4: list[L4Sum]) -> None:
    """The payload checksum must cover bytes that are final before the TPLD.

    Raises:
        ValidationError: ``pi_offset`` is past ``min_end`` (where the shortest
            frame's TPLD starts) or before the end of an L4 checksum field.
    """
    if pi_offset > min_end:
        raise ValidationError(
            f"payload checksum offset {pi_offset} is past the end of the "
            "shortest frame's payload",
            field="pi_offset",
        )
    for plan in l4:
        if pi_offset < plan.csum_offset + 2:
            raise ValidationError(
                f"payload checksum offset {pi_offset} covers the L4 "
                f"checksum at byte {plan.csum_offset}, which itself covers the "
                f"TPLD; use an offset of at least {plan.csum_offset + 2}",
                field="pi_offset",
            )


def static_from(
    width: int,
    written: Ranges,
    ipv4: list[Ipv4HeaderSum],
    l4: list[L4Sum],
    *,
    is_whole_row: bool,
    error_from: int | None,
) -> int:
    """Where the bytes no frame changes begin, in whole 16-byte words (``width``:
    frames change throughout).

    Everything written per frame must lie before it: modified and written fields,
    length fields, checksum fields and what their sums read back, and the payload
    byte an injected error flips (``error_from``; None: no injection). Payloads
    that change per frame and the payload checksum (``is_whole_row``), and L4
    checksums summed over each frame's bytes read the whole frame.
    """
    if is_whole_row or any(s.prefix is None for s in l4):
        return width
    ends = [MIN_KERNEL_BYTES] + [hi for _, hi in written]
    for ip in ipv4:
        ends.append(ip.offset + (ip.header_len or 60))
    for s in l4:
        ends += [s.csum_offset + 2, s.l3 + (40 if s.ip_version == 6 else 20)]
    if error_from is not None:
        ends.append(error_from + 1)
    return -(-max(ends) // 16) * 16  # whole 16-byte words: a window writes 8
