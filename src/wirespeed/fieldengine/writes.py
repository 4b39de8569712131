"""Column writes into a batch: Xena modifiers, TRex write instructions, lengths.

All functions work on every row at once: a field of 1, 2, 4 or 8 bytes at a fixed
offset is one strided view of the batch array (one numpy pass per read or write).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from wirespeed.fieldengine.sequences import I64Array, TickRandom, U64Array, cyclic
from wirespeed.model.modifiers import Endian, Modifier, ModifierAction
from wirespeed.model.vm import VmProgram, WriteFlowVar, WriteMaskFlowVar

__all__ = [
    "ModifierPlan",
    "apply_write",
    "apply_write_mask",
    "apply_writes",
    "read_uint",
    "write_lengths",
    "write_uint",
]

U8Array = npt.NDArray[np.uint8]
_RUN_PERIOD_MAX = 1 << 20
"""Longest modifier cycle (frames) kept as a precomputed run."""
_RUN_BATCH_MAX = 1 << 16
"""Largest batch a precomputed run serves without arithmetic."""


def _column(data: U8Array, offset: int, width: int, big: bool) -> npt.NDArray[Any]:
    """The ``width``-byte field at ``offset`` of every row, as one strided view."""
    dtype = np.dtype(f"{'>' if big else '<'}u{width}")
    return data[:, offset : offset + width].view(dtype)[:, 0]


def read_uint(data: U8Array, offset: int, width: int, big: bool) -> U64Array:
    """Return the ``width``-byte unsigned field at ``offset`` of every row.

    ``data`` is 2-D with contiguous rows (any row stride), e.g. a slice of a larger
    frame buffer.
    """
    if width in (1, 2, 4, 8):
        return _column(data, offset, width, big).astype(np.uint64)
    out = np.zeros(data.shape[0], dtype=np.uint64)
    for i in range(width):
        shift = 8 * (width - 1 - i) if big else 8 * i
        out |= data[:, offset + i].astype(np.uint64) << np.uint64(shift)
    return out


def write_uint(
    data: U8Array, offset: int, width: int, values: U64Array, big: bool
) -> None:
    """Write ``values`` (low ``width`` bytes) at ``offset`` of every row."""
    if width in (1, 2, 4, 8):
        _column(data, offset, width, big)[:] = values
        return
    if width == 3:  # a 16-bit and an 8-bit store
        hi, lo = (offset, offset + 1) if big else (offset + 2, offset)
        _column(data, lo, 2, big)[:] = values
        data[:, hi] = values >> np.uint64(16)
        return
    for i in range(width):
        shift = 8 * (width - 1 - i) if big else 8 * i
        data[:, offset + i] = values >> np.uint64(shift)


class ModifierPlan:
    """A compiled Xena modifier: values per frame and the masked write."""

    def __init__(self, mod: Modifier, rng: np.random.Generator) -> None:
        """Compile ``mod``; ``rng`` feeds RANDOM."""
        self.mod = mod
        self._big = mod.endian is Endian.BIG
        self._mask = np.uint64(mod.field_mask)
        self._shift = np.uint64(mod.shift)
        self._full = mod.field_mask == (1 << (8 * mod.width_bytes)) - 1
        self._rng = rng
        self._random = TickRandom(self._draw)
        self._run: U64Array | None = None
        self._bits_run = np.zeros(0, dtype=np.uint64)
        self._period = 1
        period = mod.value_count * mod.repeat
        if mod.action is not ModifierAction.RANDOM and period <= _RUN_PERIOD_MAX:
            cycle = self.values(np.arange(period, dtype=np.int64))
            reps = -(-(period + _RUN_BATCH_MAX) // period)
            self._run = np.tile(cycle, reps)
            self._bits_run = (self._run << self._shift) & self._mask
            self._period = period

    def _draw(self, n: int) -> U64Array:
        raw = self._rng.bit_generator.random_raw(n)
        return np.asarray(raw, dtype=np.uint64) & np.uint64(self.mod.value_max)

    def values(self, frames: I64Array) -> U64Array:
        """Return the modifier value (in units of the masked field) per frame."""
        mod = self.mod
        ticks = frames // mod.repeat if mod.repeat > 1 else frames
        if mod.action is ModifierAction.RANDOM:
            return self._random.values(ticks)
        pos, _ = cyclic(ticks, 0, mod.value_count)
        delta = pos * np.uint64(mod.step)
        if mod.action is ModifierAction.DEC:
            return np.uint64(mod.range_max) - delta
        return np.uint64(mod.range_min) + delta

    def values_run(self, first: int, n: int) -> U64Array:
        """The values of frames ``first, first + 1, ..., first + n - 1``.

        Periodic modifiers slice a precomputed run of their cycle (no arithmetic per
        frame); the result may be a read-only view.
        """
        if self._run is None or n > _RUN_BATCH_MAX:
            return self.values(np.arange(first, first + n, dtype=np.int64))
        start = first % self._period
        return self._run[start : start + n]

    def write_run(self, data: U8Array, first: int) -> None:
        """Write the values of frames ``first, first + 1, ...`` into the rows."""
        n = data.shape[0]
        if self._run is None or n > _RUN_BATCH_MAX:
            self.write(data, self.values_run(first, n))
            return
        start = first % self._period
        bits = self._bits_run[start : start + n]
        mod = self.mod
        if not self._full:
            old = read_uint(data, mod.pos, mod.width_bytes, self._big)
            bits = bits | (old & ~self._mask)
        write_uint(data, mod.pos, mod.width_bytes, bits, self._big)

    def apply(self, data: U8Array, frames: I64Array) -> None:
        """Write this modifier's bits into every row."""
        self.write(data, self.values(frames))

    def write(self, data: U8Array, values: U64Array) -> None:
        """Write the given modifier values (one per row) into every row.

        Bits outside the mask keep what the row holds, so a frame buffer that is
        reused batch after batch keeps the template's bits there.
        """
        mod = self.mod
        bits = (values << self._shift) & self._mask
        if not self._full:
            old = read_uint(data, mod.pos, mod.width_bytes, self._big)
            bits |= old & ~self._mask
        write_uint(data, mod.pos, mod.width_bytes, bits, self._big)


def apply_write(data: U8Array, ins: WriteFlowVar, size: int, values: U64Array) -> None:
    """Execute ``write_flow_var``: the variable plus ``add_value``, ``size`` bytes."""
    if ins.add_value:
        values = values + np.uint64(ins.add_value % (1 << 64))
    write_uint(data, ins.pkt_offset, size, values, ins.is_big_endian)


def apply_write_mask(data: U8Array, ins: WriteMaskFlowVar, values: U64Array) -> None:
    """Execute ``write_mask_flow_var`` as TRex's pseudocode says (32-bit math)."""
    width = ins.pkt_cast_size
    cast = np.uint64((1 << (8 * width)) - 1)
    u32 = np.uint64(0xFFFFFFFF)
    val = ((values & cast) + np.uint64(ins.add_value % (1 << 32))) & u32
    if ins.shift > 0:
        val = (val << np.uint64(ins.shift)) & u32 if ins.shift < 32 else val * 0
    elif ins.shift < 0:
        val = val >> np.uint64(-ins.shift) if ins.shift > -32 else val * 0
    mask = np.uint64(ins.mask) & cast
    old = read_uint(data, ins.pkt_offset, width, ins.is_big_endian)
    new = (old & ~mask & cast) | (val & mask)
    write_uint(data, ins.pkt_offset, width, new, ins.is_big_endian)


def apply_writes(data: U8Array, vm: VmProgram, values: dict[str, U64Array]) -> None:
    """Execute the write instructions of ``vm`` in order (variable ``values``)."""
    sizes = vm.var_sizes
    for ins in vm.instructions:
        if isinstance(ins, WriteFlowVar):
            apply_write(data, ins, sizes[ins.name], values[ins.name])
        elif isinstance(ins, WriteMaskFlowVar):
            apply_write_mask(data, ins, values[ins.name])


def write_lengths(
    data: U8Array,
    lengths: I64Array,
    fields: list[tuple[int, int]],
    smallest: int,
) -> None:
    """Write the 16-bit length ``fields`` (offset, value minus frame length) of
    frames ``lengths`` bytes long; ``smallest``: the shortest frame there can be."""
    for field, delta in fields:
        value = lengths + delta
        if smallest + delta < 0:  # frames cut inside the header
            value = np.maximum(value, 0)
        data[:, field : field + 2].view(">u2")[:, 0] = value
