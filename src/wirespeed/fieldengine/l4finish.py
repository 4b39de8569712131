"""UDP/TCP/ICMPv6 checksums of a batch, split around its TPLDs' transmit times.

The checksums cover the TPLD, whose transmit time is written last, right before the
frames are sent. :meth:`L4Finisher.prepare` sums everything else before the clock is
read; :meth:`L4Finisher.finish` adds each part's times and writes its checksums.
Checksums that cannot be split so (:attr:`~.sums.L4Sum.splittable`) are summed
whole at finish, innermost first.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from wirespeed.fieldengine.sequences import I64Array
from wirespeed.fieldengine.sums import L4Sum, fold, swap16
from wirespeed.tpld.stamper import TpldStamper

__all__ = ["L4Finisher"]

U8Array = npt.NDArray[np.uint8]
Odd = npt.NDArray[np.bool_] | bool


def _odd_start(ends: I64Array, l4: L4Sum, fixed_end: int | None) -> Odd:
    """Where the TPLD starts an odd number of bytes into the segment at ``l4``."""
    if fixed_end is not None:
        return bool((fixed_end - l4.l4) & 1)
    return ((ends - l4.l4) & 1).astype(bool)


def _aligned(words: I64Array | int, odd: Odd) -> I64Array | int:
    """A TPLD's word sum (below 2**32) folded as it adds to a segment: byte-swapped
    where the TPLD starts an odd number of bytes into it."""
    even = fold(np.asarray(words, dtype=np.int64))
    if isinstance(odd, bool):
        return swap16(even) if odd else even
    return np.where(odd, swap16(even), even)


class L4Finisher:
    """The L4 checksums of the batch prepared last (state kept between the calls).

    Args:
        l4: the compiled checksums, innermost first.
        stamper: the generator's TPLD stamper (None: no stamping).
        tpld_len: TPLD bytes at the end of each frame.
        has_pi: the TPLDs carry a payload checksum (its word comes first).
        fixed_end: where every frame's TPLD starts (None: frame sizes vary).
    """

    def __init__(
        self,
        l4: list[L4Sum],
        stamper: TpldStamper | None,
        tpld_len: int,
        *,
        has_pi: bool,
        fixed_end: int | None,
    ) -> None:
        self._l4 = l4
        self._stamper = stamper
        self._tpld_len = tpld_len
        self._has_pi = has_pi
        self._fixed_end = fixed_end
        self._partials: list[I64Array | None] = []
        self._odd: list[Odd] = []
        self._tpld_static = np.zeros(0, dtype=np.int64)

    def prepare(
        self,
        body: U8Array,
        lengths: I64Array,
        ends: I64Array,
        tpld: U8Array | None,
        stamped: bool,
    ) -> None:
        """Sum everything but the TPLD's time (before the clock)."""
        self._tpld_static = np.zeros(len(lengths), dtype=np.int64)
        if stamped:
            assert self._stamper is not None
            assert tpld is not None
            self._tpld_static = self._stamper.static_sums
            if self._has_pi:  # the payload checksum's word comes first
                self._tpld_static = self._tpld_static + tpld[:, 0:2].view(">u2")[:, 0]
        out: list[I64Array | None] = []
        self._odd = []
        for l4 in self._l4:
            odd = _odd_start(ends, l4, self._fixed_end)
            self._odd.append(odd)
            if not l4.splittable:
                out.append(None)
                continue
            partial = l4.partial(body, lengths, ends)
            out.append(fold(partial + _aligned(self._tpld_static, odd)))
        self._partials = out

    def finish(
        self,
        part_body: U8Array,
        part_lengths: I64Array,
        rows: slice,
        time_part: I64Array | int,
        stamped: bool,
    ) -> None:
        """The checksums of a part (``rows`` of the batch), after its TPLDs."""
        ends = part_lengths - self._tpld_len
        for l4, partial, odd in zip(self._l4, self._partials, self._odd, strict=True):
            odd_rows = odd if isinstance(odd, bool) else odd[rows]
            if partial is not None:
                l4.complete(part_body, partial[rows] + _aligned(time_part, odd_rows))
            else:  # all of it now: after the TPLD and the inner checksums
                sums = None
                if stamped:
                    assert self._stamper is not None
                    even = fold(self._tpld_static[rows] + time_part)
                    sums = (even, swap16(even))
                l4.apply(part_body, part_lengths, ends, sums)
