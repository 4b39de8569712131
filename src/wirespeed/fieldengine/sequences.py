"""Vectorised value sequences: cycles, per-tick random draws, size patterns.

A *tick* is an integer step count of a sequence: the frame index for most of them,
``frame // repeat`` for a repeated modifier, the wrap count of the previous
variable for a TRex ``next_var``. Every function maps a vector of ticks to a
vector of values, so a batch is computed without per-frame Python.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt

from wirespeed.model.patterns import FrameLength, LengthType

__all__ = [
    "I64Array",
    "TickRandom",
    "U64Array",
    "butterfly_cycle",
    "cyclic",
    "length_cycle",
    "mix_cycle",
]

I64Array = npt.NDArray[np.int64]
U64Array = npt.NDArray[np.uint64]

_BIG_CYCLE = 1 << 62


def cyclic(ticks: I64Array, start: int, cycle: int) -> tuple[U64Array, I64Array]:
    """Return (position, wraps) of ``start + tick`` in a cycle of length ``cycle``.

    Args:
        ticks: tick counts (>= 0, < 2**62).
        start: position of tick 0 in the cycle (0 <= start < cycle).
        cycle: cycle length (>= 1, may be up to 2**64 and more).

    Returns:
        ``(start + t) % cycle`` and ``(start + t) // cycle``, elementwise.
    """
    if cycle < _BIG_CYCLE:
        total = ticks + np.int64(start)
        return (total % cycle).astype(np.uint64), total // cycle
    # A huge cycle wraps at most once within 2**62 ticks.
    room = cycle - start
    if room > _BIG_CYCLE:
        return ticks.astype(np.uint64) + np.uint64(start), np.zeros_like(ticks)
    wrapped = ticks >= room
    pos = np.where(
        wrapped,
        (ticks - np.int64(room)).astype(np.uint64),
        ticks.astype(np.uint64) + np.uint64(start),
    )
    return pos, wrapped.astype(np.int64)


class TickRandom:
    """Random values drawn once per tick and kept for repeated ticks.

    Ticks must be non-decreasing and advance by 0 or 1 from one frame to the next
    (and across batches), which holds for every tick source of the field engine.
    Draws are sequential, so results do not depend on how frames are batched.
    """

    def __init__(self, draw: Callable[[int], U64Array]) -> None:
        """Create it with ``draw(n)`` returning ``n`` fresh values."""
        self._draw = draw
        self._last_tick = -1
        self._last_value = np.zeros(1, dtype=np.uint64)

    def values(self, ticks: I64Array) -> U64Array:
        """Return the value of each tick (new ticks draw new values)."""
        if ticks.size == 0:
            return np.zeros(0, dtype=np.uint64)
        newest = int(ticks[-1])
        fresh = self._draw(max(newest - self._last_tick, 0))
        table = np.concatenate([self._last_value, fresh])
        out: U64Array = table[ticks - np.int64(self._last_tick)]
        self._last_tick = max(newest, self._last_tick)
        self._last_value = table[-1:].copy()
        return out


def butterfly_cycle(lo: int, hi: int) -> I64Array:
    """Return one BUTTERFLY cycle: lo, hi, lo+1, hi-1, ... (the middle once)."""
    count = hi - lo + 1
    k = np.arange(count, dtype=np.int64)
    return np.where(k % 2 == 0, lo + k // 2, hi - k // 2)


def mix_cycle(mix: tuple[tuple[int, int], ...]) -> I64Array:
    """Return one cycle of a weighted mix, interleaved by smooth weighted round robin.

    For IMIX (64:7, 594:4, 1518:1) the 12-frame cycle is
    64, 594, 64, 64, 594, 64, 1518, 64, 594, 64, 594, 64.
    """
    weights = [w for _, w in mix]
    total = sum(weights)
    current = [0] * len(mix)
    out: list[int] = []
    for _ in range(total):
        for i, w in enumerate(weights):
            current[i] += w
        best = max(range(len(mix)), key=lambda i: (current[i], -i))
        current[best] -= total
        out.append(mix[best][0])
    return np.asarray(out, dtype=np.int64)


def length_cycle(length: FrameLength) -> I64Array | None:
    """Return the cycle of frame sizes (FCS included), or None for RANDOM."""
    if length.kind is LengthType.FIXED:
        return np.asarray([length.min_bytes], dtype=np.int64)
    if length.kind is LengthType.INCREMENTING:
        return np.arange(length.min_bytes, length.max_bytes + 1, dtype=np.int64)
    if length.kind is LengthType.BUTTERFLY:
        return butterfly_cycle(length.min_bytes, length.max_bytes)
    if length.kind is LengthType.MIX:
        return mix_cycle(length.mix)
    return None
