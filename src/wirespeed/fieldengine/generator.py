"""Compile a stream once; build its frames N at a time with numpy.

A batch is a 2-D ``uint8`` array (one frame per row, ``width`` = the largest frame
without FCS) and the length of each frame handed to the kernel (no FCS). Bytes of a
row past its length are zero. Per batch, in this order:

1. frame lengths (size pattern, or the TRex trim variable), then template +
   payload (static fills come from one precomputed row; PRBS/random bytes
   continue across frames);
2. Xena modifiers, then TRex writes, in order;
3. the last ``tpld_len`` bytes of every frame are zeroed (the data plane writes
   the TPLD there);
4. lengths and checksums the Xena header segments call for (IPv4 total length and
   header checksum, IPv6 payload length, UDP length, UDPCHECK/TCPCHECK
   checksums), then the TRex ``fix_checksum_*`` instructions in program order.

L4 checksums cover the zeroed TPLD area: they are NOT valid once the data plane
writes the TPLD, unless it calls :meth:`StreamGenerator.refix_l4_checksums` on the
batch afterwards (``l4_checksum_fixes`` says whether there is anything to redo).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from wirespeed.errors import ValidationError
from wirespeed.fieldengine.payload import Prbs31, RandomBytes, static_payload
from wirespeed.fieldengine.sequences import I64Array, cyclic, length_cycle
from wirespeed.fieldengine.variables import VarSet
from wirespeed.fieldengine.writes import (
    ModifierPlan,
    apply_write,
    apply_write_mask,
    write_uint,
)
from wirespeed.model.patterns import LengthType, PayloadType
from wirespeed.model.stream import FCS_BYTES, Stream
from wirespeed.model.vm import (
    FixChecksumHw,
    FixChecksumIcmpv6,
    FixChecksumIpv4,
    FlowVar,
    FlowVarRandLimit,
    L4Type,
    WriteFlowVar,
    WriteMaskFlowVar,
)
from wirespeed.packet.checksum import (
    L4_ICMPV6,
    L4_TCP,
    L4_UDP,
    fix_ipv4_checksums,
    fix_l4_checksums,
)
from wirespeed.packet.segments import SegmentType, segment_offsets

__all__ = ["FrameBatch", "StreamGenerator", "compile_stream"]

U8Array = npt.NDArray[np.uint8]
MIN_KERNEL_BYTES = 14
LENGTH_TABLE_MAX_BYTES = 32 << 20
"""Largest precomputed table of base rows cut to each length (else masked copy)."""


@dataclass(frozen=True)
class FrameBatch:
    """Frames built by the field engine.

    Attributes:
        data: ``(n, width)`` uint8, one frame per row; bytes past a row's length
            are zero.
        lengths: ``(n,)`` int64, bytes of each frame handed to the kernel
            (frame size minus the 4-byte FCS).
    """

    data: U8Array
    lengths: I64Array

    def frame(self, i: int) -> bytes:
        """Return the bytes of frame ``i`` (no FCS)."""
        return bytes(self.data[i, : int(self.lengths[i])])


@dataclass(frozen=True)
class _L4Fix:
    l3_offset: int
    l4_offset: int
    proto: int


def _segment_plan(stream: Stream) -> tuple[list[tuple[str, int]], list[_L4Fix]]:
    """Return (length fields, L4 checksum fixes) the header segments call for."""
    lengths: list[tuple[str, int]] = []
    fixes: list[_L4Fix] = []
    last_ip: tuple[int, int] | None = None
    for seg, off in segment_offsets(stream.segments, stream.packet):
        if seg == SegmentType.IP:
            lengths.append(("ipv4", off))
            last_ip = (off, 4)
        elif seg == SegmentType.IPV6:
            lengths.append(("ipv6", off))
            last_ip = (off, 6)
        elif seg in (SegmentType.UDP, SegmentType.UDPCHECK):
            lengths.append(("udp", off))
            if seg == SegmentType.UDPCHECK and last_ip is not None:
                fixes.append(_L4Fix(last_ip[0], off, L4_UDP))
        elif seg == SegmentType.TCPCHECK and last_ip is not None:
            fixes.append(_L4Fix(last_ip[0], off, L4_TCP))
    return lengths, fixes


class StreamGenerator:
    """Builds a compiled stream's frames batch after batch (state persists).

    Attributes:
        width: bytes per row (largest frame without FCS).
        mean_frame_len: mean frame size INCLUDING the FCS, for rate conversion.
        l4_checksum_fixes: (l3 offset, l4 offset, IP proto) of every L4 checksum
            the engine fixes; the data plane redoes them after writing a TPLD.
    """

    def __init__(self, stream: Stream, tpld_len: int, seed: int | None) -> None:
        """Compile ``stream``; see :func:`compile_stream`."""
        self.stream = stream
        self.tpld_len = tpld_len
        template = np.frombuffer(stream.packet, dtype=np.uint8)
        self._tpl_len = len(template)
        length = stream.frame_length
        self.width = max(self._tpl_len, length.largest_bytes - FCS_BYTES)
        self._trim = stream.vm.trim_var
        self._cycle = length_cycle(length)
        self._fixed_len = self._trim is None and length.kind is LengthType.FIXED
        self._check_fit()
        base = np.zeros(self.width, dtype=np.uint8)
        base[: self._tpl_len] = template
        payload = stream.payload
        self._dynamic = payload.kind in (PayloadType.PRBS, PayloadType.RANDOM)
        if not self._dynamic and self.width > self._tpl_len:
            base[self._tpl_len :] = static_payload(
                payload.kind, payload.pattern, self.width - self._tpl_len
            )
        self._base = base
        self._len_table, self._len_lo = self._length_table()
        self._seg_lengths, seg_fixes = _segment_plan(stream)
        self._vm_fixes = [
            ins
            for ins in stream.vm.instructions
            if isinstance(ins, FixChecksumIpv4 | FixChecksumHw | FixChecksumIcmpv6)
        ]
        self._seg_fixes = seg_fixes
        self._written = self._written_ranges()
        self.l4_checksum_fixes = tuple(
            (f.l3_offset, f.l4_offset, f.proto) for f in self._all_l4_fixes()
        )
        self._seed_seq = np.random.SeedSequence(
            seed if seed is not None else (stream.random_seed or None)
        )
        self._cache: tuple[U8Array, I64Array] | None = None
        self.reset()
        self.mean_frame_len = self._mean_frame_len()
        if stream.vm.cache_size:
            batch = self._build(stream.vm.cache_size)
            self._cache = (batch.data, batch.lengths)
            self._next = 0

    def _check_fit(self) -> None:
        length = self.stream.frame_length
        smallest = length.smallest_bytes - FCS_BYTES
        if self._trim is not None:
            smallest = MIN_KERNEL_BYTES
        need = self.stream.header_bytes + self.tpld_len
        if self.tpld_len and smallest < need:
            raise ValidationError(
                f"{smallest + FCS_BYTES}-byte frames cannot hold the "
                f"{self.stream.header_bytes}-byte header and a {self.tpld_len}-byte "
                "TPLD plus FCS",
                field="length.min_bytes",
            )

    def _length_table(self) -> tuple[U8Array | None, int]:
        """Rows of the base frame cut to every possible length (for np.take)."""
        if self._fixed_len:
            return None, 0
        lo = MIN_KERNEL_BYTES
        if self._trim is None:
            lo = self.stream.frame_length.smallest_bytes - FCS_BYTES
        rows = self.width - lo + 1
        if rows * self.width > LENGTH_TABLE_MAX_BYTES:
            return None, lo
        lens = np.arange(lo, self.width + 1, dtype=np.int64)
        cols = np.arange(self.width, dtype=np.int64)
        table = np.where(cols[None, :] < lens[:, None], self._base[None, :], 0)
        return table.astype(np.uint8), lo

    def _written_ranges(self) -> list[tuple[int, int]]:
        """Byte ranges that modifiers, writes and length fields may change."""
        ranges = [(m.pos, m.pos + m.width_bytes) for m in self.stream.modifiers]
        sizes = self.stream.vm.var_sizes
        for ins in self.stream.vm.instructions:
            if isinstance(ins, WriteFlowVar):
                ranges.append((ins.pkt_offset, ins.pkt_offset + sizes[ins.name]))
            elif isinstance(ins, WriteMaskFlowVar):
                ranges.append((ins.pkt_offset, ins.pkt_offset + ins.pkt_cast_size))
        for kind, off in self._seg_lengths:
            field = off + (4 if kind in ("udp", "ipv6") else 2)
            ranges.append((field, field + 2))
        return ranges

    def _ipv4_len(self, offset: int) -> int | None:
        """The template's IPv4 header length at ``offset`` if nothing rewrites it."""
        if any(lo <= offset < hi for lo, hi in self._written):
            return None
        if offset >= self._tpl_len:
            return None
        return max(20, (int(self.stream.packet[offset]) & 0x0F) * 4)

    def _all_l4_fixes(self) -> list[_L4Fix]:
        fixes = list(self._seg_fixes)
        for ins in self._vm_fixes:
            if isinstance(ins, FixChecksumHw) and ins.l4_type is not L4Type.IP:
                proto = L4_UDP if ins.l4_type is L4Type.UDP else L4_TCP
                fixes.append(_L4Fix(ins.l2_len, ins.l2_len + ins.l3_len, proto))
            elif isinstance(ins, FixChecksumIcmpv6):
                fixes.append(_L4Fix(ins.l2_len, ins.l2_len + ins.l3_len, L4_ICMPV6))
        return fixes

    def reset(self) -> None:
        """Go back to the first frame (sequences, random draws and PRBS restart)."""
        children = self._seed_seq.spawn(4 + len(self.stream.modifiers))
        # spawn() advances the parent's counter: rebuild it to restart identically.
        self._seed_seq = np.random.SeedSequence(
            self._seed_seq.entropy, spawn_key=self._seed_seq.spawn_key
        )
        gens = [np.random.Generator(np.random.PCG64(c)) for c in children]
        self._size_rng = gens[0]
        self._bytes = RandomBytes(gens[1])
        self._prbs = Prbs31()
        names = [
            ins.name
            for ins in self.stream.vm.instructions
            if isinstance(ins, FlowVar | FlowVarRandLimit)
        ]
        var_rngs = {
            name: np.random.Generator(np.random.PCG64(child))
            for name, child in zip(names, children[2].spawn(len(names)), strict=True)
        }
        self._vars = VarSet(self.stream.vm, var_rngs)
        self._mods = [
            ModifierPlan(mod, gens[4 + i])
            for i, mod in enumerate(self.stream.modifiers)
        ]
        self._next = 0

    def _mean_frame_len(self) -> float:
        if self._trim is None:
            return self.stream.frame_length.mean_bytes
        var = self._vars.vars[self._trim]
        mean = var.mean(MIN_KERNEL_BYTES, self.width)
        if mean is None:  # a huge cycle: sample it
            sample = var.values(np.arange(1 << 16, dtype=np.int64) * 7919)
            mean = float(
                np.clip(sample.astype(np.float64), MIN_KERNEL_BYTES, self.width).mean()
            )
        return mean + FCS_BYTES

    def next_batch(self, n: int) -> FrameBatch:
        """Return the next ``n`` frames (sequences continue from the last call)."""
        if self._cache is not None:
            data, lengths = self._cache
            idx = (self._next + np.arange(n, dtype=np.int64)) % len(lengths)
            self._next = (self._next + n) % len(lengths)
            return FrameBatch(data[idx], lengths[idx])
        return self._build(n)

    def _lengths(
        self, frames: I64Array, values: dict[str, npt.NDArray[np.uint64]]
    ) -> I64Array:
        n = len(frames)
        if self._trim is not None:
            trimmed = values[self._trim].astype(np.int64)
            return np.clip(trimmed, MIN_KERNEL_BYTES, self.width)
        if self._cycle is not None:
            if len(self._cycle) == 1:
                return np.full(n, int(self._cycle[0]) - FCS_BYTES, dtype=np.int64)
            pos, _ = cyclic(frames, 0, len(self._cycle))
            return self._cycle[pos.astype(np.int64)] - FCS_BYTES
        length = self.stream.frame_length
        sizes = self._size_rng.integers(
            length.min_bytes, length.max_bytes, size=n, dtype=np.int64, endpoint=True
        )
        return sizes - FCS_BYTES

    def _build(self, n: int) -> FrameBatch:
        frames = self._next + np.arange(n, dtype=np.int64)
        self._next += n
        values = self._vars.evaluate(frames)
        lengths = self._lengths(frames, values)
        full = bool(n == 0 or (lengths.min() == self.width))
        cols = np.arange(self.width, dtype=np.int64)
        if full:
            data = np.empty((n, self.width), dtype=np.uint8)
            data[:] = self._base
        elif self._len_table is not None:
            data = np.take(self._len_table, lengths - self._len_lo, axis=0)
        else:
            data = np.empty((n, self.width), dtype=np.uint8)
            data[:] = self._base
            keep = cols.astype(np.uint16)[None, :] < lengths.astype(np.uint16)[:, None]
            np.multiply(data, keep, out=data)
        if self._dynamic:
            self._fill_dynamic(data, lengths, full)
        for plan in self._mods:
            plan.apply(data, frames)
        self._vm_writes(data, values)
        if not full:
            self._rezero(data, lengths)
        if self.tpld_len:
            self._zero_tpld(data, lengths, full)
        self._fix_segments(data, lengths, full)
        self._fix_vm_checksums(data, lengths)
        return FrameBatch(data, lengths)

    def _fill_dynamic(self, data: U8Array, lengths: I64Array, full: bool) -> None:
        source = (
            self._prbs if self.stream.payload.kind is PayloadType.PRBS else self._bytes
        )
        region = data[:, self._tpl_len :]
        if region.shape[1] == 0:
            return
        plen = np.maximum(lengths - self._tpl_len, 0)
        if full:
            width = region.shape[1]
            region[:] = source.take(len(lengths) * width).reshape(-1, width)
            return
        cols = np.arange(region.shape[1], dtype=np.int64)
        mask = cols[None, :] < plen[:, None]
        region[mask] = source.take(int(plen.sum()))

    def _vm_writes(
        self, data: U8Array, values: dict[str, npt.NDArray[np.uint64]]
    ) -> None:
        sizes = self.stream.vm.var_sizes
        for ins in self.stream.vm.instructions:
            if isinstance(ins, WriteFlowVar):
                apply_write(data, ins, sizes[ins.name], values[ins.name])
            elif isinstance(ins, WriteMaskFlowVar):
                apply_write_mask(data, ins, values[ins.name])

    def _rezero(self, data: U8Array, lengths: I64Array) -> None:
        """Zero bytes past each length that writes may have touched."""
        shortest = int(lengths.min())
        for lo, hi in self._written:
            if hi <= shortest:
                continue
            lo = max(lo, shortest)
            sub = data[:, lo:hi]
            cols = np.arange(lo, hi, dtype=np.int64)
            sub[cols[None, :] >= lengths[:, None]] = 0

    def _zero_tpld(self, data: U8Array, lengths: I64Array, full: bool) -> None:
        if full:
            data[:, self.width - self.tpld_len : self.width] = 0
            return
        rows = np.arange(len(lengths), dtype=np.int64)[:, None]
        cols = lengths[:, None] - self.tpld_len + np.arange(self.tpld_len)[None, :]
        data[rows, cols] = 0

    def _fix_segments(self, data: U8Array, lengths: I64Array, full: bool) -> None:
        if not self._seg_lengths and not self._seg_fixes:
            return
        ipv4: list[int] = []
        for kind, off in self._seg_lengths:
            if kind == "ipv4":
                value, field = lengths - off, off + 2
                ipv4.append(off)
            elif kind == "ipv6":
                value, field = lengths - off - 40, off + 4
            else:
                value, field = lengths - off, off + 4
            if field + 2 <= self.width:
                write_uint(data, field, 2, np.maximum(value, 0).astype(np.uint64), True)
        if not full:
            self._rezero(data, lengths)
        for off in ipv4:
            if off + 20 <= self.width:
                fix_ipv4_checksums(data, off, self._ipv4_len(off))
        for fix in self._seg_fixes:
            fix_l4_checksums(data, lengths, fix.l3_offset, fix.l4_offset, fix.proto)

    def _fix_vm_checksums(self, data: U8Array, lengths: I64Array) -> None:
        for ins in self._vm_fixes:
            if isinstance(ins, FixChecksumIpv4):
                fix_ipv4_checksums(data, ins.pkt_offset, self._ipv4_len(ins.pkt_offset))
            elif isinstance(ins, FixChecksumHw):
                is_v4 = (
                    bool((data[:, ins.l2_len] >> 4 == 4).all()) if len(data) else False
                )
                if is_v4:
                    fix_ipv4_checksums(data, ins.l2_len, self._ipv4_len(ins.l2_len))
                if ins.l4_type is not L4Type.IP:
                    proto = L4_UDP if ins.l4_type is L4Type.UDP else L4_TCP
                    l4 = ins.l2_len + ins.l3_len
                    fix_l4_checksums(data, lengths, ins.l2_len, l4, proto)
            else:
                l4 = ins.l2_len + ins.l3_len
                fix_l4_checksums(data, lengths, ins.l2_len, l4, L4_ICMPV6)

    def refix_l4_checksums(self, batch: FrameBatch) -> None:
        """Redo every L4 checksum of ``batch`` in place (after a TPLD was written)."""
        for l3, l4, proto in self.l4_checksum_fixes:
            fix_l4_checksums(batch.data, batch.lengths, l3, l4, proto)


def compile_stream(
    stream: Stream, tpld_len: int = 0, seed: int | None = None
) -> StreamGenerator:
    """Compile ``stream`` into a batch generator.

    Args:
        stream: the stream.
        tpld_len: bytes reserved (zeroed) at the end of each frame for the TPLD the
            data plane writes there (20, 22 or 6; 0 = none).
        seed: seed of the stream's random fields; None = the stream's
            ``random_seed``, or fresh OS entropy if that is 0. ``reset()``
            replays the same frames either way.

    Raises:
        ValidationError: the frames cannot hold the header plus the TPLD.
    """
    if isinstance(tpld_len, bool) or not isinstance(tpld_len, int) or tpld_len < 0:
        raise ValidationError("must be an integer >= 0", field="tpld_len")
    return StreamGenerator(stream, tpld_len, seed)
