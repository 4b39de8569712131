"""OTG field patterns as per-frame value sequences, and the field-engine
instructions that put them into the frames (pure).

OTG's semantics: frame ``j`` of a flow carries ``values[j % len(values)]``,
``start + (j % count)·step`` (increment) or ``start - (j % count)·step``
(decrement), modulo the field's width. Every field of a flow steps once per frame,
independently of the others: each one is its own flow variable of the one engine's
field-engine program (:mod:`wirespeed.model.vm`), never chained with ``next_var``.

A field is written by one ``write_flow_var`` when it is whole bytes of a variable's
size (1, 2, 4, 8), else by ``write_mask_flow_var`` into the 1, 2 or 4 bytes around
it (bit fields, 24-bit VNIs, values that wrap around the field's width). Fields
wider than 32 bits (MAC and IPv6 addresses) are written in their low bytes when only
those change, else as value lists of 8-, 4-, 2- or 1-byte pieces (up to 65535
values per cycle).
"""

from __future__ import annotations

from dataclasses import dataclass

from wirespeed.model import (
    FlowVar,
    FlowVarOp,
    FlowVarRandLimit,
    Instruction,
    WriteFlowVar,
    WriteMaskFlowVar,
)
from wirespeed.server.otg.errors import OtgError

__all__ = [
    "MAX_LIST",
    "Cycle",
    "Progression",
    "Random",
    "Sequence",
    "first_value",
    "is_constant",
    "program",
]

MAX_LIST = 0xFFFF
"""Longest value list of a flow variable (the field engine's limit)."""
MAX_RANDOM_COUNT = 1 << 24
"""Most random values a field draws before it repeats them."""
_U64 = (1 << 64) - 1
_SIZES = (1, 2, 4, 8)


@dataclass(frozen=True)
class Cycle:
    """Frame ``j`` carries ``values[j % len(values)]`` (one value: a constant)."""

    values: tuple[int, ...]


@dataclass(frozen=True)
class Progression:
    """Frame ``j`` carries ``start ± (j % count)·step`` modulo the field's width."""

    start: int
    step: int
    count: int
    down: bool = False

    def at(self, j: int, bits: int) -> int:
        """The value of frame ``j`` in a ``bits``-wide field."""
        delta = (j % self.count) * self.step
        return (self.start - delta if self.down else self.start + delta) % (1 << bits)


@dataclass(frozen=True)
class Random:
    """Uniform values in ``lo..hi``: ``count`` values drawn from ``seed`` and then
    repeated; seed 0 draws a fresh value for every frame (not reproducible)."""

    lo: int
    hi: int
    seed: int
    count: int


Sequence = Cycle | Progression | Random
"""The values a field takes frame after frame."""


def is_constant(seq: Sequence) -> bool:
    """True if every frame carries the same value."""
    if isinstance(seq, Cycle):
        return len(set(seq.values)) == 1
    if isinstance(seq, Progression):
        return seq.count == 1 or seq.step == 0
    return seq.lo == seq.hi


def first_value(seq: Sequence, bits: int) -> int:
    """The value frame 0 carries (a random field's template value is its minimum)."""
    if isinstance(seq, Cycle):
        return seq.values[0]
    if isinstance(seq, Progression):
        return seq.at(0, bits)
    return seq.lo


def program(
    name: str, seq: Sequence, pos: int, bits: int, path: str
) -> list[Instruction]:
    """The instructions that make frame ``j`` carry value ``j`` of ``seq``.

    Args:
        name: the flow variable's name (unique in the flow).
        seq: the field's values.
        pos: the field's first bit in the frame (0 = the first bit of byte 0).
        bits: the field's width.
        path: the OTG field, for errors (``flows[0].packet[2].udp.src_port``).

    Returns:
        Flow variables followed by their writes; nothing for a constant (the
        template holds it).

    Raises:
        OtgError: a sequence the field engine cannot produce in this field.
    """
    if isinstance(seq, Random) and seq.lo > seq.hi:
        raise OtgError(f"{path}.random.max: {seq.hi} < min {seq.lo}")
    if is_constant(seq):
        return []
    if isinstance(seq, Random):
        return _random(name, seq, pos, bits, path)
    if isinstance(seq, Progression):
        counted = _counter(name, seq, pos, bits)
        if counted is not None:
            return counted
        if seq.count > MAX_LIST:
            raise OtgError(
                f"{path}: {seq.count} values that change more than the low 64 bits "
                f"of the field; at most {MAX_LIST} values otherwise"
            )
        seq = Cycle(tuple(seq.at(j, bits) for j in range(seq.count)))
    return _listed(name, seq, pos, bits, path)


def _var_size(largest: int, bits: int, pos: int) -> int | None:
    """Bytes of a variable holding ``largest``: the field's own size when it is
    whole bytes of a variable size and the values fit (one plain write)."""
    if pos % 8 == 0 and bits // 8 in _SIZES and bits % 8 == 0 and largest >> bits == 0:
        return bits // 8
    for size in _SIZES:
        if largest >> (8 * size) == 0:
            return size
    return None


def _write(
    name: str, var_size: int, pos: int, bits: int
) -> WriteFlowVar | WriteMaskFlowVar | None:
    """The write of a variable's low ``bits`` bits into the field, if one exists."""
    if pos % 8 == 0 and bits == 8 * var_size:
        return WriteFlowVar(name, pkt_offset=pos // 8)
    last = (pos + bits - 1) // 8
    low_shift = 7 - (pos + bits - 1) % 8
    for cast in (1, 2, 4):
        if bits + low_shift > 8 * cast:
            continue
        first = last - cast + 1
        shift = low_shift
        if first < 0:  # the window starts at the field's first byte instead
            first = pos // 8
            shift = low_shift + 8 * (first + cast - 1 - last)
            if bits + shift > 8 * cast:
                continue
        return WriteMaskFlowVar(
            name,
            pkt_offset=first,
            pkt_cast_size=cast,
            mask=((1 << bits) - 1) << shift,
            shift=shift,
        )
    return None


def _counter(
    name: str, seq: Progression, pos: int, bits: int
) -> list[Instruction] | None:
    """An inc/dec variable and its write, if the field engine can count it."""
    if bits <= 32:
        return _counted(name, seq, pos, bits, wrap=True)
    if pos % 8 or bits % 8:
        return None
    for low in (8, 16, 32, 64):  # only the low bytes change?
        if low >= bits or seq.step >> low:
            continue
        start = seq.start % (1 << low)
        span = (seq.count - 1) * seq.step
        if start + (-span if seq.down else span) not in range(1 << low):
            continue
        part = Progression(start, seq.step, seq.count, seq.down)
        done = _counted(name, part, pos + bits - low, low, wrap=False)
        if done is not None:
            return done
    return None


def _counted(
    name: str, seq: Progression, pos: int, bits: int, *, wrap: bool
) -> list[Instruction] | None:
    """A counting variable over ``seq`` (shifted by whole multiples of
    ``2**bits`` when it goes below 0) and its write of the low ``bits`` bits."""
    span = (seq.count - 1) * seq.step
    hi = seq.start if seq.down else seq.start + span
    lo = hi - span if seq.down else seq.start
    pad = seq.step - 1  # the field engine pads the range to whole steps
    if seq.down and lo < pad:
        if not wrap:
            return None
        lift = -(-(pad - lo) // (1 << bits)) * (1 << bits)
        lo, hi = lo + lift, hi + lift
    if hi + pad > _U64:
        return None
    size = _var_size(hi, bits, pos)
    if size is None or (not wrap and hi >> bits):
        return None
    write = _write(name, size, pos, bits)
    if write is None:
        return None
    op = FlowVarOp.DEC if seq.down else FlowVarOp.INC
    var = FlowVar(name, size=size, op=op, min_value=lo, max_value=hi, step=seq.step)
    return [var, write]


def _random(
    name: str, seq: Random, pos: int, bits: int, path: str
) -> list[Instruction]:
    if seq.lo > seq.hi:
        raise OtgError(f"{path}.random.max: {seq.hi} < min {seq.lo}")
    if not 1 <= seq.count <= MAX_RANDOM_COUNT:
        raise OtgError(f"{path}.random.count: {seq.count} not in 1..{MAX_RANDOM_COUNT}")
    size = _var_size(seq.hi, bits, pos)
    write = None if size is None else _write(name, size, pos, bits)
    if size is None or write is None:  # no OTG field offers it
        raise OtgError(f"{path}.random: not possible in a {bits}-bit field")
    var: FlowVar | FlowVarRandLimit
    if seq.seed == 0:
        var = FlowVar(
            name, size=size, op=FlowVarOp.RANDOM, min_value=seq.lo, max_value=seq.hi
        )
    else:
        var = FlowVarRandLimit(
            name,
            size=size,
            limit=seq.count,
            seed=seq.seed,
            min_value=seq.lo,
            max_value=seq.hi,
        )
    return [var, write]


def _listed(name: str, seq: Cycle, pos: int, bits: int, path: str) -> list[Instruction]:
    """Value-list variables: one for the field, or one per changing piece."""
    if len(seq.values) > MAX_LIST:
        raise OtgError(f"{path}.values: {len(seq.values)} values, at most {MAX_LIST}")
    size = _var_size(max(seq.values), bits, pos)
    write = None if size is None else _write(name, size, pos, bits)
    if size is not None and write is not None:
        return [FlowVar(name, size=size, value_list=seq.values), write]
    if pos % 8 or bits % 8:  # no OTG field is that wide and not whole bytes
        raise OtgError(f"{path}: a {bits}-bit field cannot be written")
    out: list[Instruction] = []
    end = bits // 8
    while end > 0:
        piece = next(s for s in reversed(_SIZES) if s <= end)
        start = end - piece
        shift = 8 * (bits // 8 - end)
        mask = (1 << (8 * piece)) - 1
        values = tuple((v >> shift) & mask for v in seq.values)
        if len(set(values)) > 1:
            piece_name = f"{name}[{start}:{end}]"
            out.append(FlowVar(piece_name, size=piece, value_list=values))
            out.append(WriteFlowVar(piece_name, pkt_offset=pos // 8 + start))
        end = start
    return out
