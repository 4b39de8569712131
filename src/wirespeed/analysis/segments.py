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

__all__ = ["Groups", "group_rows", "segmented_ewma"]

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


def group_rows(rows: NDArray[np.intp]) -> Groups:
    """Group a non-empty batch by row (see :class:`Groups`)."""
    n = rows.shape[0]
    first_row = rows[0]
    if (rows == first_row).all():
        return Groups(
            order=None,
            rows=rows[:1].copy(),
            starts=np.zeros(1, dtype=np.intp),
            ends=np.full(1, n - 1, dtype=np.intp),
            counts=np.full(1, n, dtype=np.int64),
            gidx=np.zeros(n, dtype=np.intp),
        )
    # int16 keys let numpy use its O(n) radix sort for the stable sort.
    order = np.argsort(rows.astype(np.int16), kind="stable")
    sorted_rows = rows[order]
    brk = np.flatnonzero(sorted_rows[1:] != sorted_rows[:-1]) + 1
    starts = np.concatenate(([0], brk)).astype(np.intp)
    ends = np.concatenate((brk - 1, [n - 1])).astype(np.intp)
    mark = np.zeros(n, dtype=np.intp)
    mark[brk] = 1
    return Groups(
        order=order,
        rows=sorted_rows[starts],
        starts=starts,
        ends=ends,
        counts=(ends - starts + 1).astype(np.int64),
        gidx=np.cumsum(mark),
    )


_CHUNK = 1024


def _powers(keep: float) -> tuple[NDArray[np.float64], ...]:
    t = np.arange(_CHUNK, dtype=np.float64)
    neg = keep**-t
    return (1.0 - keep) * neg, keep * neg, keep**t, keep ** (t + 1)


_POWER_CACHE: dict[float, tuple[NDArray[np.float64], ...]] = {}


def segmented_ewma(
    x: NDArray[np.float64],
    starts: NDArray[np.intp],
    initial: NDArray[np.float64],
    keep: float,
) -> NDArray[np.float64]:
    """Run ``y[i] = keep * y[i-1] + (1 - keep) * x[i]`` over every group.

    Each group starts from its own ``initial`` value as ``y[-1]``. The recurrence is
    solved in chunks of 1024 with scaled cumulative sums (``y[t] * keep**-t`` is a
    plain sum within a chunk); only the chunks are iterated in Python.

    Args:
        x: inputs in group order.
        starts: index of each group's first element (ascending, ``starts[0] == 0``).
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
            before = np.concatenate(([0.0], cs))[np.maximum(last_start, 0)]
            y = (cs - before) * pos[:k]
            cont = last_start < 0
            if cont[0]:
                y[cont] += carry * pos1[:k][cont]
        else:
            y = np.cumsum(scaled) * pos[:k] + carry * pos1[:k]
        out[c0:c1] = y
        carry = float(y[-1])
    return out
