"""How the TX worker cuts and orders what it sends: the frames of several streams
in order of their due times, what each stream sends now and later, the parts a
batch is stamped and sent in, the end of a time-limited job."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Protocol

import numpy as np
import numpy.typing as npt

from wirespeed.dataplane.pacer import Due, PortPacer

__all__ = [
    "END_GRACE_NS",
    "Built",
    "parts",
    "past_end",
    "send_order",
    "split_dues",
]


class Built(Protocol):
    """Frames of a stream built ahead."""

    @property
    def left(self) -> int:
        """How many are not sent yet."""
        ...


def send_order(dues: list[Due]) -> npt.NDArray[np.int64] | None:
    """The frames of several streams in order of their due times (None: one stream).

    Frames are numbered stream after stream, in the order of ``dues``.
    """
    if len(dues) == 1:
        return None
    times = [
        d.first_ns + np.arange(d.count, dtype=np.float64) * d.interval_ns for d in dues
    ]
    order: npt.NDArray[np.int64] = np.argsort(np.concatenate(times), kind="stable")
    return order


def split_dues(
    dues: list[Due], ahead: Mapping[int, Built]
) -> tuple[list[Due], list[Due]]:
    """The frames each stream sends now, from what it has built, and what it owes
    after that (sent in a second round, from frames built anew)."""
    now: list[Due] = []
    rest: list[Due] = []
    for d in dues:
        left = ahead[d.key].left
        if left >= d.count:
            now.append(d)
            continue
        now.append(replace(d, count=left))
        first_ns = d.first_ns + int(left * d.interval_ns)
        rest.append(replace(d, count=d.count - left, first_ns=first_ns))
    return now, rest


END_GRACE_NS = 20_000_000
"""A time-limited job sends nothing later than this after its end: frames it
still owed then (a port held back by the kernel) are not sent."""


def past_end(pacer: PortPacer, now_ns: int) -> bool:
    """A time-limited job is past its end (and its grace) at monotonic
    ``now_ns``."""
    end = pacer.end_ns
    return end is not None and now_ns > end + END_GRACE_NS


def parts(
    dues: list[Due], order: npt.NDArray[np.int64] | None, n: int, part: int
) -> list[tuple[int, int, list[tuple[int, int]]]]:
    """The staged frames ``0...n - 1`` cut into parts of ``part`` frames.

    Each part is ``(start, stop, rows)``: its positions among the staged frames and,
    per stream of ``dues``, the rows of that stream's batch it holds (a stream's
    frames keep their order when interleaved, so they are consecutive rows).
    """
    if order is None:
        return [
            (a, min(n, a + part), [(a, min(n, a + part))]) for a in range(0, n, part)
        ]
    if n <= part:  # one part: every stream's frames are in it
        return [(0, n, [(0, d.count) for d in dues])]
    counts = [d.count for d in dues]
    owner = np.repeat(np.arange(len(dues)), counts)[order]
    done = [0] * len(dues)
    out = []
    for a in range(0, n, part):
        b = min(n, a + part)
        here = np.bincount(owner[a:b], minlength=len(dues))
        rows = []
        for i, k in enumerate(here.tolist()):
            rows.append((done[i], done[i] + k))
            done[i] += k
        out.append((a, b, rows))
    return out
