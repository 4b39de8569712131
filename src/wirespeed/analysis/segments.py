"""Grouping a batch by TID row and segmented (per-group) scans, all vectorised.

A batch is sorted by row with a stable sort, so each row's packets form one
contiguous group that keeps arrival order. Per-group sums, minima and maxima are then
``ufunc.reduceat`` calls, running values are global scans with per-group
corrections, and nothing loops over packets in Python.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

import numpy as np
from numpy.typing import NDArray

__all__ = ["MAX_GROUP_BATCH", "Groups", "group_rows", "segmented_ewma"]

_T = TypeVar("_T", bound=np.generic)


@dataclass(frozen=True)
class Groups:
    """A batch grouped by row.

    Attributes:
        order: permutation that sorts the batch by row (stable), or None when the
            batch has a single row (already "sorted").
        rows: the distinct rows, one per group, ascending.
        starts: index (in sorted order) of each group's first packet.
        ends: index of each group's last packet.
        counts: packets per group.
        gidx: group index of every packet (sorted order).
    """

    order: NDArray[np.intp] | None
    rows: NDArray[np.intp]
    starts: NDArray[np.intp]
    ends: NDArray[np.intp]
    counts: NDArray[np.int64]
    gidx: NDArray[np.intp]

    def sort(self, values: NDArray[_T]) -> NDArray[_T]:
        """``values`` (arrival order) in group order."""
        return values if self.order is None else values[self.order]


MAX_GROUP_BATCH = 1 << 16
"""Most packets :func:`group_rows` accepts (positions must fit in 16 bits)."""


def group_rows(rows: NDArray[np.intp]) -> Groups:
    """Group a non-empty batch by row (see :class:`Groups`).

    Rows must be below 32768 and the batch at most :data:`MAX_GROUP_BATCH` long:
    the stable sort is a plain sort of ``row << 16 | position`` int32 keys.
    """
    n = rows.shape[0]
    first_row = rows[0]
    if np.count_nonzero(rows != first_row) == 0:
        return Groups(
            order=None,
            rows=rows[:1].copy(),
            starts=np.zeros(1, dtype=np.intp),
            ends=np.full(1, n - 1, dtype=np.intp),
            counts=np.full(1, n, dtype=np.int64),
            gidx=np.zeros(n, dtype=np.intp),
        )
    key = rows.astype(np.int32) << 16
    key |= np.arange(n, dtype=np.int32)
    key.sort()
    order = (key & 0xFFFF).astype(np.intp)
    sorted_rows = key >> 16
    brk = np.flatnonzero(sorted_rows[1:] != sorted_rows[:-1]) + 1
    starts = np.empty(brk.shape[0] + 1, dtype=np.intp)
    starts[0] = 0
    starts[1:] = brk
    ends = np.empty_like(starts)
    ends[:-1] = brk - 1
    ends[-1] = n - 1
    counts = (ends - starts + 1).astype(np.int64)
    return Groups(
        order=order,
        rows=sorted_rows[starts].astype(np.intp),
        starts=starts,
        ends=ends,
        counts=counts,
        gidx=np.repeat(np.arange(starts.shape[0], dtype=np.intp), counts),
    )


_CHUNK = 8192


def _powers(keep: float) -> tuple[NDArray[np.float64], ...]:
    t = np.arange(_CHUNK, dtype=np.float64)
    neg = keep**-t
    return (1.0 - keep) * neg, keep * neg, keep**t, keep ** (t + 1)


_POWER_CACHE: dict[float, tuple[NDArray[np.float64], ...]] = {}


def segmented_ewma(
    x: NDArray[np.float64],
    starts: NDArray[np.intp],
    gidx: NDArray[np.intp],
    initial: NDArray[np.float64],
    keep: float,
) -> NDArray[np.float64]:
    """Run ``y[i] = keep * y[i-1] + (1 - keep) * x[i]`` over every group.

    Each group starts from its own ``initial`` value as ``y[-1]``. The recurrence is
    solved with scaled cumulative sums: ``y[t] * keep**-t`` is a plain sum, so one
    ``cumsum`` serves all groups, each subtracting what came before its start. Up to
    8192 elements take one pass; longer inputs go in chunks of 8192 with the value
    carried across. The absolute error stays below about ``1e-15 * 16 * max(x)``.

    Args:
        x: inputs in group order.
        starts: index of each group's first element (ascending, ``starts[0] == 0``).
        gidx: group index of every element.
        initial: the value before each group's first element.
        keep: the decay factor (15/16 for RFC 3550 jitter).

    Returns:
        ``y`` for every element (float64).
    """
    powers = _POWER_CACHE.get(keep)
    if powers is None:
        powers = _POWER_CACHE.setdefault(keep, _powers(keep))
    gain_neg, keep_neg, pos, pos1 = powers
    n = x.shape[0]
    if n <= _CHUNK:
        scaled = x * gain_neg[:n]
        scaled[starts] += initial * keep_neg[starts]
        cs = np.cumsum(scaled)
        before = cs[starts] - scaled[starts]
        cs -= before[gidx]
        cs *= pos[:n]
        return cs
    out = np.empty(n, dtype=np.float64)
    is_start = np.zeros(n, dtype=bool)
    is_start[starts] = True
    init_at = np.zeros(n, dtype=np.float64)
    init_at[starts] = initial
    carry = 0.0
    for c0 in range(0, n, _CHUNK):
        c1 = min(c0 + _CHUNK, n)
        k = c1 - c0
        scaled = x[c0:c1] * gain_neg[:k]
        local = np.flatnonzero(is_start[c0:c1])
        if local.size:
            scaled[local] += init_at[c0 + local] * keep_neg[local]
            cs = np.cumsum(scaled)
            marker = np.full(k, -1, dtype=np.intp)
            marker[local] = local
            last_start = np.maximum.accumulate(marker)
            before_all = np.concatenate(([0.0], cs))[np.maximum(last_start, 0)]
            y = (cs - before_all) * pos[:k]
            cont = last_start < 0
            if cont[0]:
                y[cont] += carry * pos1[:k][cont]
        else:
            y = np.cumsum(scaled) * pos[:k] + carry * pos1[:k]
        out[c0:c1] = y
        carry = float(y[-1])
    return out
