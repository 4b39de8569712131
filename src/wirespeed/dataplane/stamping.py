"""Writing the TPLD into a batch of frames just before they are sent."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from wirespeed.tpld import TpldMode, encode_batch

__all__ = ["Stamper"]


class Stamper:
    """Stamps TPLDs of one port's form into batches.

    Args:
        mode: the port's TPLD form.
        pi_offset: payload-integrity offset (the 22-byte form checksums the frame
            bytes from here up to the TPLD).
    """

    def __init__(self, mode: TpldMode, pi_offset: int = 0) -> None:
        self.mode = mode
        self.length = mode.length
        self.pi_offset = pi_offset
        self._first = np.zeros(1, dtype=bool)

    def stamp(
        self,
        frames: npt.NDArray[np.uint8],
        lengths: npt.NDArray[np.int64],
        tid: int,
        seq0: int,
        tx_ns: int,
        is_first: bool,
    ) -> None:
        """Write TPLDs with sequences ``seq0, seq0+1, ...`` into every row."""
        n = len(lengths)
        if is_first:
            first = np.zeros(n, dtype=bool)
            first[0] = True
            flag: npt.NDArray[np.bool_] | bool = first
        else:
            flag = False
        encode_batch(
            frames,
            lengths,
            mode=self.mode,
            tid=tid,
            tx_ns=tx_ns,
            seq=seq0,
            is_first=flag,
            pi_offset=self.pi_offset,
        )
