"""What the field engine hands out: assembled frames, and frames as they are sent."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from wirespeed.fieldengine.sequences import I64Array
from wirespeed.model.patterns import MIN_WIRE_FRAME_BYTES
from wirespeed.model.stream import FCS_BYTES

__all__ = ["FrameBatch", "TpldStamp", "TxBatch"]

U8Array = npt.NDArray[np.uint8]
_PAD_TO = MIN_WIRE_FRAME_BYTES - FCS_BYTES


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
    """Frames as the data plane sends them: a head per row, the shared rest, a TPLD.

    Frame ``i`` is ``body[i, :end]`` with ``end = lengths[i] - tpld_len``, followed
    by its TPLD ``tpld[i]``. When ``tail`` is given, the rows hold only the first
    ``body.shape[1]`` bytes of each frame (everything that changes from frame to
    frame) and the frame's bytes from there up to ``end`` are the first bytes of
    ``tail``, which every frame shares; these are the pieces of one ``sendmmsg``
    message. With ``tpld`` None the rows (and the tail) hold whole frames (no TPLD,
    or one stamped in place as for fixed-size frames). The arrays are views of
    buffers the generator reuses: they are valid until its next ``fill``.

    Attributes:
        body: ``(n, width)`` uint8; bytes of a row past its frame are unspecified.
        lengths: ``(n,)`` int64 frame lengths (no FCS), TPLD included.
        tpld: ``(n, tpld_len)`` uint8, or None.
        tail: the static bytes that follow every row, or None (rows are whole).
    """

    body: U8Array
    lengths: I64Array
    tpld: U8Array | None
    tail: U8Array | None = None

    def sent_bytes(self, k: int) -> int:
        """Bytes of the first ``k`` frames on the wire, FCS included (what a TX
        counter adds): a frame under 60 bytes counts as padded to 60."""
        if not self.lengths.flags.writeable:  # fixed size: the generator's constant
            return k * (max(int(self.lengths[0]), _PAD_TO) + FCS_BYTES) if k else 0
        return int(np.maximum(self.lengths[:k], _PAD_TO).sum()) + FCS_BYTES * k

    def rows(self, start: int, stop: int) -> TxBatch:
        """Frames ``start...stop - 1`` as a batch (views of the same buffers)."""
        tpld = None if self.tpld is None else self.tpld[start:stop]
        return TxBatch(self.body[start:stop], self.lengths[start:stop], tpld, self.tail)

    @property
    def tpld_len(self) -> int:
        """TPLD bytes at the end of each frame (0 = none)."""
        return 0 if self.tpld is None else self.tpld.shape[1]

    def pieces(self) -> tuple[npt.NDArray[np.uint64], I64Array]:
        """Each frame's pieces as ``(n, 3)`` addresses and lengths: its head, its
        part of the shared tail, its TPLD (a piece it lacks has length 0)."""
        n, width = self.body.shape
        rows = np.arange(n, dtype=np.uint64)
        addrs = np.empty((n, 3), dtype=np.uint64)
        lens = np.zeros((n, 3), dtype=np.int64)
        addrs[:] = (
            np.uint64(self.body.ctypes.data) + rows * np.uint64(self.body.strides[0])
        )[:, None]
        ends = self.lengths - self.tpld_len
        if self.tail is None:
            lens[:, 0] = ends
        else:
            lens[:, 0] = np.minimum(ends, width)
            lens[:, 1] = ends - lens[:, 0]
            addrs[:, 1] = self.tail.ctypes.data
        if self.tpld is not None:
            addrs[:, 2] = np.uint64(self.tpld.ctypes.data) + rows * np.uint64(
                self.tpld.strides[0]
            )
            lens[:, 2] = self.tpld_len
        return addrs, lens

    def frame(self, i: int) -> bytes:
        """The bytes of frame ``i`` as built (no FCS; the socket pads one under 60
        bytes with zeros)."""
        end = int(self.lengths[i]) - self.tpld_len
        width = self.body.shape[1]
        out = bytes(self.body[i, : min(end, width)])
        if self.tail is not None and end > width:
            out += bytes(self.tail[: end - width])
        if self.tpld is not None:
            out += bytes(self.tpld[i])
        return out

    def assemble(self) -> FrameBatch:
        """Whole frames in a new array (zero past each frame's end)."""
        n, width = self.body.shape
        ends = self.lengths - self.tpld_len
        rows = self.body
        if self.tail is not None:  # the generator's tail runs to its widest frame
            rows = np.empty((n, width + len(self.tail)), dtype=np.uint8)
            rows[:, :width] = self.body
            rows[:, width:] = self.tail
            width = rows.shape[1]
        cols = np.arange(width, dtype=np.int64)
        data = np.where(cols[None, :] < ends[:, None], rows, np.uint8(0))
        if self.tpld is not None and n:
            at = ends[:, None] + np.arange(self.tpld_len, dtype=np.int64)[None, :]
            data[np.arange(n)[:, None], at] = self.tpld
        return FrameBatch(data, self.lengths.copy())
