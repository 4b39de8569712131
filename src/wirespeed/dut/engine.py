"""What an impaired link does to each frame, decided a batch at a time (pure).

The knobs mean what they mean in ``tc netem`` (each frame independently, no
correlation):

* ``loss``: the frame is dropped;
* ``duplicate``: a frame that is not dropped is sent twice, the copy right after it;
* ``corrupt``: one random bit of one random byte of the frame is flipped (the copy
  of a duplicated frame is sent as it arrived);
* ``delay`` and ``jitter``: the frame leaves ``delay`` plus a uniform draw in
  ``[-jitter, +jitter]`` after it arrived (never before it arrived); frames leave in
  the order of these times, so jitter reorders, as netem does;
* ``reorder`` (with ``delay``): a frame leaves at once with this probability, the
  others after the delay, so the immediate ones overtake the delayed ones.

Time is an argument (arrival times in ns) and randomness a seed. Every knob draws
from a generator of its own, frame after frame, so the decisions do not depend on
how the frames were batched: a test replays a run in one batch and predicts every
decision.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from wirespeed.dut.spec import Impairment

__all__ = ["Decisions", "ImpairmentEngine"]

I64Array = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class Decisions:
    """The fate of one batch of arriving frames.

    Attributes:
        source: for each frame to send, the index of the arriving frame it is (a
            duplicate appears twice, a dropped frame not at all), in arrival order.
        release_ns: when each frame to send leaves.
        flip_byte: byte offset whose bit is flipped in each frame to send (-1: none).
        flip_mask: the bit (a one-bit byte mask) flipped there.
        dropped: arriving frames that were dropped.
        duplicated: arriving frames that were sent twice.
        immediate: arriving frames that skipped the delay (``reorder``).
    """

    source: I64Array
    release_ns: I64Array
    flip_byte: I64Array
    flip_mask: npt.NDArray[np.uint8]
    dropped: int
    duplicated: int
    immediate: int

    @property
    def corrupted(self) -> int:
        """Frames sent with a flipped bit."""
        return int(np.count_nonzero(self.flip_byte >= 0))


class ImpairmentEngine:
    """Decides, for batch after batch, what happens to each arriving frame.

    Args:
        imp: the impairment.
        seed: seed of the random draws (None: fresh entropy).
    """

    def __init__(self, imp: Impairment, seed: int | None = None) -> None:
        self.imp = imp
        knobs = np.random.SeedSequence(seed).spawn(6)
        (
            self._loss,
            self._dup,
            self._reorder,
            self._jitter,
            self._corrupt,
            self._flip,
        ) = (np.random.Generator(np.random.PCG64(k)) for k in knobs)
        self._delay_ns = round(imp.delay_s * 1e9)
        self._jitter_ns = round(imp.jitter_s * 1e9)

    @staticmethod
    def _hits(rng: np.random.Generator, n: int, p: float) -> BoolArray:
        if p <= 0.0:
            return np.zeros(n, dtype=bool)
        hits: BoolArray = rng.random(n) < p
        return hits

    def decide(self, lengths: I64Array, arrival_ns: I64Array) -> Decisions:
        """Decide the fate of frames of these lengths arriving at these times."""
        n = len(lengths)
        imp = self.imp
        keep = ~self._hits(self._loss, n, imp.loss)
        dup = self._hits(self._dup, n, imp.duplicate) & keep
        now = self._hits(self._reorder, n, imp.reorder) & keep
        if not self._delay_ns:
            now &= False
        release = arrival_ns.astype(np.int64).copy()
        late = keep & ~now
        if self._delay_ns or self._jitter_ns:
            extra = np.full(n, self._delay_ns, dtype=np.int64)
            if self._jitter_ns:
                extra += self._jitter.integers(
                    -self._jitter_ns, self._jitter_ns, size=n, endpoint=True
                )
            release = np.where(late, release + np.maximum(extra, 0), release)
        flip = self._hits(self._corrupt, n, imp.corrupt) & keep
        offsets = np.full(n, -1, dtype=np.int64)
        masks = np.zeros(n, dtype=np.uint8)
        if flip.any():
            k = int(np.count_nonzero(flip))
            span = np.maximum(lengths[flip], 1)
            where = self._flip.random(2 * k).reshape(k, 2)
            offsets[flip] = (where[:, 0] * span).astype(np.int64)
            masks[flip] = np.left_shift(1, (where[:, 1] * 8).astype(np.int64)).astype(
                np.uint8
            )
        kept = np.flatnonzero(keep)
        copies = np.flatnonzero(dup)
        source = np.sort(np.concatenate([kept, copies]), kind="stable")
        first = np.ones(len(source), dtype=bool)
        first[1:] = source[1:] != source[:-1]  # the copy follows its original
        return Decisions(
            source=source,
            release_ns=release[source],
            flip_byte=np.where(first, offsets[source], -1),
            flip_mask=np.where(first, masks[source], 0).astype(np.uint8),
            dropped=n - len(kept),
            duplicated=len(copies),
            immediate=int(np.count_nonzero(now)),
        )
