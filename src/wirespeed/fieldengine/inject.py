"""One-shot errors put into a stream's next frames, as a Xena port does (pure).

What ``PS_INJECTSEQERR`` / ``MISERR`` / ``PLDERR`` / ``TPLDERR`` ask of a stream,
done on the frames of a batch the field engine has finished (TPLDs stamped,
checksums final), right before it is sent:

* ``sequence``: the stream skips one sequence number (the receiver counts one lost
  frame);
* ``misorder``: the next two frames swap their sequence numbers (the receiver
  counts one misordered frame), across two batches when a batch holds one frame;
* ``payload``: one payload byte of the next frame changes (a payload integrity
  checksum, the 22-byte TPLD form, catches it);
* ``tpld``: the next frame's TPLD check bytes no longer match (the receiver counts
  a frame without TPLD and, by the sequence, one lost frame).

UDP/TCP/ICMPv6 checksums over an edited byte are recomputed, so only the intended
error is on the wire. The frame buffers are reused from batch to batch, so every
edit is undone once the batch is sent (:meth:`Undo.restore`).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace

import numpy as np
import numpy.typing as npt

from wirespeed.errors import ValidationError
from wirespeed.fieldengine.batches import TxBatch
from wirespeed.fieldengine.injected import InjectedError
from wirespeed.fieldengine.sums import L4Sum
from wirespeed.packet.checksum import l4_checksum
from wirespeed.tpld import TpldFields, TpldMode

__all__ = ["ErrorInjector", "InjectedError", "Undo"]

U8Array = npt.NDArray[np.uint8]
_SEQ_MASK = 0xFFFFFF


@dataclass
class Undo:
    """The bytes an injection overwrote, to put back after the send."""

    saved: list[tuple[U8Array, int, U8Array]] = field(default_factory=list)

    def keep(self, rows: U8Array, k: int) -> None:
        """Remember row ``k`` of ``rows`` (once) before it is edited."""
        if not any(r is rows and i == k for r, i, _ in self.saved):
            self.saved.append((rows, k, rows[k].copy()))

    def restore(self) -> None:
        """Put every remembered row back."""
        for rows, k, before in self.saved:
            rows[k] = before
        self.saved.clear()


class ErrorInjector:
    """The pending injections of one stream and what was done.

    Args:
        mode: the port's TPLD form (the stream has a TPLD).
        payload_from: the first payload byte an edit may change (past the headers
            and, with a payload checksum, at or past its offset).
        l4_sums: the stream's L4 checksums, innermost first.

    Attributes:
        done: how many injections of each kind reached the wire.
    """

    def __init__(self, mode: TpldMode, payload_from: int, l4_sums: list[L4Sum]) -> None:
        self.mode = mode
        self.payload_from = payload_from
        self.l4_sums = l4_sums
        self.done: Counter[InjectedError] = Counter()
        self._pending: list[InjectedError] = []
        self._first_seq: int | None = None  # the second half of a misorder

    @staticmethod
    def supported(mode: TpldMode, error: InjectedError) -> bool:
        """Whether ``error`` can be put into frames with TPLDs of form ``mode``."""
        has_seq = error in (InjectedError.SEQUENCE, InjectedError.MISORDER)
        return not (has_seq and mode is TpldMode.MICRO)

    def request(self, error: InjectedError) -> None:
        """Put ``error`` into the stream's next frame(s)."""
        if not self.supported(self.mode, error):
            raise ValidationError(
                f"a {self.mode.value} TPLD has no sequence number to disturb",
                field="error",
            )
        self._pending.append(error)

    @property
    def pending(self) -> int:
        """Requests not yet on the wire."""
        return len(self._pending) + (self._first_seq is not None)

    def skip(self) -> int:
        """Sequence numbers to skip before the next batch is stamped (takes them)."""
        n = self._pending.count(InjectedError.SEQUENCE)
        if n:
            self._pending = [
                e for e in self._pending if e is not InjectedError.SEQUENCE
            ]
            self.done[InjectedError.SEQUENCE] += n
        return n

    def apply(self, batch: TxBatch) -> Undo | None:
        """Edit the finished ``batch`` for what is pending; None if nothing was."""
        n = len(batch.lengths)
        if n == 0 or not (self._pending or self._first_seq is not None):
            return None
        undo = Undo()
        k = 0  # the next frame free for an edit
        if self._first_seq is not None:
            self._set_seq(batch, 0, self._first_seq, undo)
            self._first_seq = None
            self.done[InjectedError.MISORDER] += 1
            k = 1
        left: list[InjectedError] = []
        for error in self._pending:
            if error is InjectedError.SEQUENCE:  # taken by skip() when stamping
                left.append(error)
                continue
            if k >= n or not self._edit(batch, k, n, error, undo):
                left.append(error)
                continue
            k += 2 if error is InjectedError.MISORDER else 1
        self._pending = left
        return undo if undo.saved else None

    def _edit(
        self, batch: TxBatch, k: int, n: int, error: InjectedError, undo: Undo
    ) -> bool:
        if error is InjectedError.MISORDER:
            seq = self._fields(batch, k).seq
            self._set_seq(batch, k, (seq + 1) & _SEQ_MASK, undo)
            if k + 1 < n:
                self._set_seq(batch, k + 1, seq, undo)
                self.done[error] += 1
            else:  # the next batch's first frame gets this one's number
                self._first_seq = seq
            return True
        if error is InjectedError.PAYLOAD:
            end = int(batch.lengths[k]) - self.mode.length
            if self.payload_from >= end:
                return False  # no payload byte in front of the TPLD
            _keep(batch, k, undo)
            batch.body[k, self.payload_from] ^= 0xFF
        else:
            rows, row = self._tpld_rows(batch, k)
            _keep(batch, k, undo)
            rows[row, self.mode.check_index] ^= 0x01  # its own check fails
        self._refix(batch, k, undo)
        self.done[error] += 1
        return True

    def _tpld_rows(self, batch: TxBatch, k: int) -> tuple[U8Array, int]:
        """The rows holding frame ``k``'s TPLD, and its row."""
        if batch.tpld is not None:
            return batch.tpld, k
        end = int(batch.lengths[k])
        return batch.body[:, end - self.mode.length : end], k

    def _fields(self, batch: TxBatch, k: int) -> TpldFields:
        rows, row = self._tpld_rows(batch, k)
        return TpldFields.from_bytes(bytes(rows[row]), self.mode)

    def _set_seq(self, batch: TxBatch, k: int, seq: int, undo: Undo) -> None:
        rows, row = self._tpld_rows(batch, k)
        _keep(batch, k, undo)
        fields = replace(self._fields(batch, k), seq=seq)
        rows[row] = np.frombuffer(fields.to_bytes(self.mode), np.uint8)
        self._refix(batch, k, undo)

    def _refix(self, batch: TxBatch, k: int, undo: Undo) -> None:
        """Recompute frame ``k``'s L4 checksums, innermost first."""
        _keep(batch, k, undo)
        for plan in self.l4_sums:
            frame = batch.frame(k)
            at = plan.csum_offset
            csum = l4_checksum(frame[plan.l3 : plan.l4], frame[plan.l4 :], plan.proto)
            batch.body[k, at : at + 2] = np.frombuffer(
                csum.to_bytes(2, "big"), np.uint8
            )


def _keep(batch: TxBatch, k: int, undo: Undo) -> None:
    """Remember frame ``k`` (its row and its TPLD) before it is edited."""
    undo.keep(batch.body, k)
    if batch.tpld is not None:
        undo.keep(batch.tpld, k)
