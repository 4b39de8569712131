"""What the field engine hands out: assembled frames, and frames as they are sent."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from wirespeed.fieldengine.sequences import I64Array

__all__ = ["FrameBatch", "TpldStamp", "TxBatch"]

U8Array = npt.NDArray[np.uint8]


@dataclass(frozen=True)
class FrameBatch:
    """Whole frames, one per row.

    Attributes:
        data: ``(n, width)`` uint8, one frame per row; bytes past a row's length
            are zero.
        lengths: ``(n,)`` int64, bytes of each frame handed to the kernel
            (frame size minus the 4-byte FCS).
    """

    data: U8Array
    lengths: I64Array

    def frame(self, i: int) -> bytes:
        """Return the bytes of frame ``i`` (no FCS)."""
        return bytes(self.data[i, : int(self.lengths[i])])


@dataclass(frozen=True)
class TpldStamp:
    """What the TPLDs of one batch of a stream carry besides the transmit times.

    Attributes:
        tid: the stream's TID.
        seq0: sequence number of the batch's first frame (the next ones count up).
        is_first: the batch's first frame is the stream's first since traffic
            started.
    """

    tid: int
    seq0: int
    is_first: bool = False


@dataclass(frozen=True)
class TxBatch:
    """Frames as the data plane sends them: a body per row, then its TPLD.

    Frame ``i`` is ``body[i, :lengths[i] - tpld_len]`` followed by ``tpld[i]``
    (two pieces of one ``sendmmsg`` message), or just ``body[i, :lengths[i]]``
    when ``tpld`` is None. The arrays are views of buffers the generator reuses:
    they are valid until its next ``fill``.

    Attributes:
        body: ``(n, width)`` uint8; bytes of a row past its frame are unspecified.
        lengths: ``(n,)`` int64 frame lengths (no FCS), TPLD included.
        tpld: ``(n, tpld_len)`` uint8, or None when the rows hold whole frames
            (no TPLD, or one stamped in place as for fixed-size frames).
    """

    body: U8Array
    lengths: I64Array
    tpld: U8Array | None

    def sent_bytes(self, k: int) -> int:
        """Bytes of the first ``k`` frames, FCS included (what a TX counter adds)."""
        if not self.lengths.flags.writeable:  # fixed size: the generator's constant
            return k * (int(self.lengths[0]) + 4) if k else 0
        return int(self.lengths[:k].sum()) + 4 * k

    @property
    def tpld_len(self) -> int:
        """TPLD bytes at the end of each frame (0 = none)."""
        return 0 if self.tpld is None else self.tpld.shape[1]

    def assemble(self) -> FrameBatch:
        """Whole frames in a new array (zero past each frame's end)."""
        n, width = self.body.shape
        ends = self.lengths - self.tpld_len
        cols = np.arange(width, dtype=np.int64)
        data = np.where(cols[None, :] < ends[:, None], self.body, np.uint8(0))
        if self.tpld is not None and n:
            at = ends[:, None] + np.arange(self.tpld_len, dtype=np.int64)[None, :]
            data[np.arange(n)[:, None], at] = self.tpld
        return FrameBatch(data, self.lengths.copy())
