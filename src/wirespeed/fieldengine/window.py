"""Streams whose frames change only in a few bytes, periodically: one write a batch.

A Xena stream with INC/DEC modifiers (or a TRex one with counter variables),
fixed-size frames and header checksums
changes from frame to frame only in a short window of its header (the modified
fields and the checksums, e.g. the IP id and the IPv4 checksum 6 bytes further on),
and repeats after the modifiers' common period. For such a stream the generator
builds one period of frames once, the general way, keeps the bytes of that window
of every frame as big-endian words, and from then on writes a batch's window with
one or two strided numpy stores instead of a pass per field and checksum. The
frames are the same bytes either way (the tests compare them).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import numpy.typing as npt

from wirespeed.model.modifiers import ModifierAction
from wirespeed.model.stream import Stream
from wirespeed.model.vm import FlowVar, FlowVarOp, FlowVarRandLimit, TupleFlowVar

__all__ = ["Window", "compile_window"]

U8Array = npt.NDArray[np.uint8]
MAX_PERIOD = 1 << 16
"""Longest period (frames) kept."""
MAX_BATCH = 1 << 16
"""Largest batch a window serves."""
_WORD = 8


class Window:
    """The changing bytes ``[lo, lo + 8 * words)`` of every frame of one period.

    Args:
        lo: first byte of the window.
        table: ``(period + MAX_BATCH, words)`` big-endian words, repeating.
        period: frames after which the frames repeat.
    """

    def __init__(self, lo: int, table: npt.NDArray[np.uint64], period: int) -> None:
        self.lo = lo
        self.table = table
        self.period = period

    def write(self, body: U8Array, first: int) -> None:
        """Write the window of frames ``first, first + 1, ...`` into the rows."""
        n = body.shape[0]
        start = first % self.period
        if n > MAX_BATCH:  # not the transmitter's batches: the slow way
            idx = (start + np.arange(n)) % self.period
            rows = self.table[idx]
        else:
            rows = self.table[start : start + n]
        for k in range(rows.shape[1]):
            at = self.lo + _WORD * k
            body[:, at : at + _WORD].view(">u8")[:, 0] = rows[:, k]


def _period(stream: Stream) -> int | None:
    """Frames after which the stream's frames repeat (None: random, chained or
    longer than :data:`MAX_PERIOD`)."""
    period = 1
    for mod in stream.modifiers:
        if mod.action is ModifierAction.RANDOM:
            return None
        period = math.lcm(period, mod.value_count * mod.repeat)
        if period > MAX_PERIOD:
            return None
    for ins in stream.vm.instructions:
        if isinstance(ins, FlowVarRandLimit | TupleFlowVar):
            return None
        if isinstance(ins, FlowVar):
            cycle = _var_cycle(ins)
            if cycle is None:
                return None
            period = math.lcm(period, cycle)
            if period > MAX_PERIOD:
                return None
    return period


def _var_cycle(var: FlowVar) -> int | None:
    """Frames after which a TRex counter or list variable repeats (None: random
    or chained to another variable)."""
    if var.next_var is not None or var.op not in (FlowVarOp.INC, FlowVarOp.DEC):
        return None
    if var.value_list is not None:
        n = len(var.value_list)
        step = var.step % n
        return n // math.gcd(n, step) if step else 1
    return var.padded_range // var.step


def compile_window(
    stream: Stream,
    *,
    changing: Callable[[], list[tuple[int, int]]],
    limit: int,
    render: Callable[[int], U8Array],
) -> Window | None:
    """A window for ``stream``'s frames, or None when they do not qualify.

    The generator asks only with fixed-size frames, a static payload, no VM cache
    and no L4 checksum (it would cover the TPLD). The frames qualify with only
    INC/DEC modifiers and TRex counter or list variables (not chained, not random)
    of a common period of at most :data:`MAX_PERIOD` frames, and everything that
    changes ending by ``limit``.

    Args:
        stream: the stream.
        changing: the byte ranges ``[start, end)`` its writes and checksums change.
        limit: where the window must end (16 bytes ahead of the TPLD, within a row).
        render: builds frames ``0..n-1`` as rows, the general way.
    """
    variables = [i for i in stream.vm.instructions if isinstance(i, FlowVar)]
    if not stream.modifiers and not variables:
        return None
    period = _period(stream)
    if period is None:
        return None
    ranges = changing()
    lo = min(a for a, _ in ranges)
    hi = max(b for _, b in ranges)
    words = -(-(hi - lo) // _WORD)
    end = lo + _WORD * words
    if words > 2 or end > limit:
        return None
    rows = render(period)
    cycle = np.ascontiguousarray(rows[:, lo : lo + _WORD * words])
    values = cycle.view(">u8").astype(np.uint64)
    reps = -(-(period + MAX_BATCH) // period)
    return Window(lo, np.tile(values, (reps, 1)), period)
