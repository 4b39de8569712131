"""Stamping TPLDs at transmit speed: one batch of trailers in a few numpy passes.

The data plane stamps every test frame right before it is sent, so this sits on the
hot path. :func:`wirespeed.tpld.encode_batch` is the general, validating encoder;
:class:`TpldStamper` writes the same bytes (the tests compare them) for the case the
transmitter has: one TID, consecutive sequence numbers, a transmit time per frame.

It writes each TPLD as three big-endian words (8 + 8 + 4 bytes, after the 2-byte
payload checksum in the 22-byte form) instead of field by field, and computes the
CRC-32 from its linearity (see :class:`~wirespeed.tpld.checksums.FixedLengthCrc32`):
``crc = K(tid, flags) ^ S(seq) ^ T(timestamp)``, where ``S`` of consecutive sequence
numbers is a slice of a precomputed table and ``T`` three table lookups per frame.
:meth:`TpldStamper.begin` does everything but the timestamps, so that the
transmitter reads its clock as late as possible and :meth:`TpldStamper.end` has
little left to do before the frames go out: in the normal forms ``begin`` writes
each TPLD as at time 0, and a part of the rows that shares one time (what the
transmitter stamps before each send) is that XOR one constant, three passes.
"""

from __future__ import annotations

import functools
import zlib

import numpy as np
from numpy.typing import NDArray

from wirespeed.errors import ValidationError
from wirespeed.tpld.checksums import FixedLengthCrc32
from wirespeed.tpld.layout import (
    FLAG_CHECKSUM,
    FLAG_FIRST,
    PI_OFFSET_MAX,
    SEQ_MODULUS,
    TpldMode,
)
from wirespeed.tpld.trex_stamp import stamp_trex

__all__ = ["TpldStamper"]

U8Array = NDArray[np.uint8]
I64Array = NDArray[np.int64]
_Columns = tuple[NDArray[np.uint64], NDArray[np.uint64], NDArray[np.uint32]]


def _pair_table(tables: NDArray[np.uint32], pos: int) -> NDArray[np.uint32]:
    """Linear CRC part of a big-endian 16-bit value at byte ``pos``, per value."""
    v = np.arange(1 << 16, dtype=np.int64)
    out: NDArray[np.uint32] = tables[pos][v >> 8] ^ tables[pos + 1][v & 0xFF]
    return out


@functools.cache
def _normal_tables() -> tuple[NDArray[np.uint32], ...]:
    """(byte tables, seq bytes 1-2 (doubled), ts bytes 3-4, ts bytes 5-6)."""
    crc = FixedLengthCrc32(12)
    t = crc.tables
    seq_lo = _pair_table(t, 1)
    return t, np.concatenate([seq_lo, seq_lo]), _pair_table(t, 3), _pair_table(t, 5)


@functools.cache
def _micro_tables() -> tuple[NDArray[np.uint32], ...]:
    """(byte tables, ts bytes 3-4) of the 5 bytes the micro CRC covers."""
    t = FixedLengthCrc32(5).tables
    return t, _pair_table(t, 3)


@functools.cache
def _seq_words() -> _Columns:
    """The three words of a TPLD at time 0 per low 16 bits of its sequence
    number (the rest is zero), as native views of their big-endian bytes: word 0
    holds those bits, word 1 their part of the CRC, word 2 the same as 32 bits."""
    crc = _normal_tables()[1][: 1 << 16]
    lo = np.arange(1 << 16, dtype=np.uint64) << np.uint64(40)
    return (
        lo.astype(">u8").view(np.uint64),
        crc.astype(">u8").view(np.uint64),
        crc.astype(">u4").view(np.uint32),
    )


@functools.cache
def _swapped_time_tables() -> tuple[NDArray[np.uint32], ...]:
    """The CRC's linear part of a time's bytes 3-4, 5-6 (per 16-bit value) and of
    its low nibble (byte 11), byte-swapped: what the native view of the CRC's
    bytes changes by."""
    tables, _, ts_hi_t, ts_lo_t = _normal_tables()
    return tuple(
        t.astype(">u4").view(np.uint32) for t in (ts_hi_t, ts_lo_t, tables[11][:16])
    )


class TpldStamper:
    """Writes one port's TPLDs into batches (one TID and sequence run per call).

    Args:
        mode: the port's TPLD form.
        pi_offset: payload-integrity offset stored in the normal forms.

    Raises:
        ValidationError: ``pi_offset`` is out of range.
    """

    def __init__(self, mode: TpldMode, pi_offset: int = 0) -> None:
        if not isinstance(mode, TpldMode):
            raise ValidationError(f"unknown TPLD mode {mode!r}", field="tpld_mode")
        if isinstance(pi_offset, bool) or not 0 <= pi_offset <= PI_OFFSET_MAX:
            raise ValidationError("must be 0..2047", field="pi_offset")
        self.mode = mode
        self.length = mode.length
        self.pi_offset = pi_offset
        self._core = mode.core_offset
        self._ar = np.zeros(0, dtype=np.int64)
        self._with_pi = mode is TpldMode.NORMAL_WITH_PAYLOAD_CHECKSUM
        self._consts: dict[int, tuple[int, int]] = {}
        self._pending: tuple[int, int, bool] | None = None
        self._ended = 0  # rows of the pending ones already ended
        self._seq0 = 0
        self._want_sums = False
        self._seq_consts: dict[int, tuple[int, int, int]] = {}
        self._pending_tid = 0
        self._out = np.zeros((0, self.length), dtype=np.uint8)
        self._cols: _Columns | None = None  # of the rows begun, normal forms
        #: with ``want_sums``: the time-independent part of each TPLD's word sum
        self.static_sums = np.zeros(0, dtype=np.int64)
        # build the tables now, not in the middle of the first timed batch
        if mode is TpldMode.MICRO:
            _ = _micro_tables()
        else:
            _ = _seq_words(), _swapped_time_tables()

    def _arange(self, n: int) -> I64Array:
        if len(self._ar) < n:
            self._ar = np.arange(max(n, 2 * len(self._ar)), dtype=np.int64)
        return self._ar[:n]

    def stamp(
        self,
        out: U8Array,
        *,
        tid: int,
        seq0: int,
        ts_ns: I64Array,
        is_first: bool = False,
        pi_checksums: NDArray[np.integer] | None = None,
    ) -> None:
        """Write a TPLD into every row of ``out``: :meth:`begin` then :meth:`end`.

        Args:
            out: ``(n, length)`` uint8; rows may be spaced (any row stride) but each
                row's bytes are contiguous.
            tid: the TID of every frame.
            seq0: sequence number of row 0; row ``i`` gets ``(seq0 + i) mod 2**24``
                (ignored in the micro form, which has none).
            ts_ns: transmit time of each row in ns (int64, ``>= 0``).
            is_first: row 0 is the first frame since traffic started.
            pi_checksums: the payload integrity checksum of each row (22-byte form
                only; required there).

        Raises:
            ValidationError: ``tid`` is out of range, ``out`` has the wrong width,
                or the 22-byte form gets no payload checksums.
        """
        self.begin(
            out, tid=tid, seq0=seq0, is_first=is_first, pi_checksums=pi_checksums
        )
        self.end(out, ts_ns)

    def begin(
        self,
        out: U8Array,
        *,
        tid: int,
        seq0: int,
        is_first: bool = False,
        pi_checksums: NDArray[np.integer] | None = None,
        want_sums: bool = False,
    ) -> None:
        """Do everything that does not depend on the transmit times.

        The transmitter calls this before it reads the clock, and :meth:`end` with
        the times right before it sends, so that little happens in between.
        Arguments as for :meth:`stamp`. ``want_sums``: keep the TPLDs' word sums
        for a UDP/TCP checksum over them, split in two: :attr:`static_sums` (what
        does not depend on time, known after this call) and what :meth:`end`
        returns. Their sum is congruent modulo 0xFFFF to each TPLD's one's
        complement sum of big-endian words (any positive total folds the same).
        """
        n = out.shape[0]
        if out.shape[1:] != (self.length,):
            raise ValidationError(
                f"needs an array of shape ({n}, {self.length})", field="out"
            )
        if isinstance(tid, bool) or not 0 <= tid <= self.mode.max_tid:
            raise ValidationError(f"TID must be 0..{self.mode.max_tid}", field="tid")
        self._pending = (n, tid, is_first)
        self._ended = 0
        self._out = out
        self._cols = None
        self._want_sums = want_sums
        self._seq0 = seq0 % SEQ_MODULUS
        self._pending_tid = tid
        self.static_sums = np.zeros(n if want_sums else 0, dtype=np.int64)
        if self.mode in (TpldMode.MICRO, TpldMode.TREX) or n == 0:
            return
        if self._with_pi:
            if pi_checksums is None or len(pi_checksums) != n:
                raise ValidationError(
                    "the 22-byte TPLD needs one payload checksum per frame",
                    field="pi_checksums",
                )
            out[:, 0:2].view(">u2")[:, 0] = pi_checksums
        # native-endian views of the three words (the bytes XOR alike)
        core = out[:, self._core :]
        self._cols = (
            core[:, 0:8].view(np.uint64)[:, 0],
            core[:, 8:16].view(np.uint64)[:, 0],
            core[:, 16:20].view(np.uint32)[:, 0],
        )
        # the TPLDs as they are at time 0: a part stamped with one time is then
        # these bytes XOR one 20-byte constant (see _end_one_time)
        self._begin_normal(self._cols, n, tid, self._seq0)
        if is_first:
            self._mark_first(core[0])
        if want_sums and is_first:
            self.static_sums[0] += FLAG_FIRST

    def end(
        self, out: U8Array, ts_ns: I64Array | int, start: int = 0
    ) -> I64Array | int | None:
        """Write the transmit times (and what depends on them) of the rows begun.

        The rows may be ended in consecutive parts, each with its own times (a
        transmitter stamps each part right before the system call that sends it).

        Args:
            out: the rows given to :meth:`begin`, or rows ``start...`` of them.
            ts_ns: the transmit time of each of these rows, or one time for all.
            start: the index of ``out``'s first row among the rows begun; parts
                are ended in order, the last one at the last row.

        Returns:
            With ``want_sums``: the time's part of the word sums (one number for one
            time, else one per row; see :meth:`begin`).

        Raises:
            ValidationError: :meth:`begin` was not called for these rows.
        """
        pending = self._pending
        m = out.shape[0]
        if pending is None or start != self._ended or start + m > pending[0]:
            raise ValidationError("begin() the same rows first", field="ts_ns")
        n, tid, is_first = pending
        if isinstance(ts_ns, np.ndarray):
            if len(ts_ns) != m:
                raise ValidationError(f"needs {m} times", field="ts_ns")
        elif (  # one time: XORed into the rows begun, so they must be these
            m
            and self._cols is not None
            and not np.shares_memory(out[0], self._out[start])
        ):
            raise ValidationError("begin() the same rows first", field="out")
        self._advance(start + m, n)
        if m == 0:
            return np.zeros(0, dtype=np.int64) if self._want_sums else None
        is_first = is_first and start == 0
        if self.mode is TpldMode.MICRO:
            ts = ts_ns if isinstance(ts_ns, np.ndarray) else np.full(m, ts_ns, np.int64)
            micro = self._stamp_micro(out, tid, ts, is_first)
            return micro if self._want_sums else None
        if self.mode is TpldMode.TREX:
            trex = self._stamp_trex(out, tid, ts_ns, is_first, start)
            return trex if self._want_sums else None
        core = out[:, self._core :]
        rows = slice(start, start + m)
        sums: I64Array | int | None
        if isinstance(ts_ns, np.ndarray):
            sums = self._end_normal(core, ts_ns, rows)
            if is_first:
                self._mark_first(core[0])
            return sums
        return self._end_one_time(start, start + m, int(ts_ns))

    def _constants(self, tid: int) -> tuple[int, int]:
        """(CRC of everything that is the same in every frame, high bits of B)."""
        got = self._consts.get(tid)
        if got is not None:
            return got
        pio = self.pi_offset
        word = ((pio >> 8) << 4) | (FLAG_CHECKSUM if self._with_pi else 0)
        core = bytes(7) + tid.to_bytes(2, "big") + bytes([pio & 0xFF])
        core += word.to_bytes(2, "big")
        k = zlib.crc32(core)
        b_high = ((tid & 0xFF) << 56) | ((pio & 0xFF) << 48) | (word << 32)
        if b_high >= 1 << 63:  # int64 arithmetic: the top bit is the sign
            b_high -= 1 << 64
        self._consts[tid] = (k, b_high)
        return k, b_high

    def _seq_constants(self, tid: int, hi: int) -> tuple[int, int, int]:
        """What a TID and a sequence number's top byte ``hi`` put into the three
        words of a TPLD at time 0, as native views of their big-endian bytes (the
        rest is the low 16 bits' part, from :func:`_seq_words`)."""
        key = (tid << 8) | hi
        got = self._seq_consts.get(key)
        if got is not None:
            return got
        tables = _normal_tables()[0]
        k, b_high = self._constants(tid)
        crc = k ^ int(tables[0][hi])
        a = (hi << 56) | (tid >> 8)
        b = (b_high & 0xFFFFFFFFFFFFFFFF) | crc
        got = (
            int.from_bytes(a.to_bytes(8, "big"), "little"),
            int.from_bytes(b.to_bytes(8, "big"), "little"),
            int.from_bytes((crc ^ 0xFFFFFFFF).to_bytes(4, "big"), "little"),
        )
        self._seq_consts[key] = got
        return got

    def _begin_normal(self, cols: _Columns, n: int, tid: int, seq0: int) -> None:
        """Write the rows' TPLDs as at time 0: per run of rows whose sequence
        numbers share their top byte, each word is a slice of a table XOR one
        constant, one pass a word (the CRC is linear)."""
        a_t, b_t, c_t = _seq_words()
        r = 0
        while r < n:
            seq = (seq0 + r) % SEQ_MODULUS
            lo = seq & 0xFFFF
            m = min(n - r, (1 << 16) - lo)
            ka, kb, kc = self._seq_constants(tid, seq >> 16)
            np.bitwise_xor(a_t[lo : lo + m], np.uint64(ka), out=cols[0][r : r + m])
            np.bitwise_xor(b_t[lo : lo + m], np.uint64(kb), out=cols[1][r : r + m])
            np.bitwise_xor(c_t[lo : lo + m], np.uint32(kc), out=cols[2][r : r + m])
            r += m
        if not self._want_sums:
            return
        # word sum of everything but the time: seq(3) and tid/pio/word; the CRC and
        # its complement add up to 2 * 0xFFFF, nothing modulo 0xFFFF
        seqs = (self._arange(n) + np.int64(seq0)) & (SEQ_MODULUS - 1)
        word = (self._constants(tid)[1] >> 32) & 0xFFFF
        const = (tid >> 8) + ((tid & 0xFF) << 8 | (self.pi_offset & 0xFF)) + word
        self.static_sums = (seqs >> 8) + ((seqs & 0xFF) << 8)
        self.static_sums += const

    def _seq_parts(self, rows: slice) -> tuple[I64Array, NDArray[np.uint32]]:
        """Of the rows begun, ``rows``: word 0's sequence and TID bits, and the CRC
        of everything but the time (what a time per row is added to)."""
        tables, seq_lo_x2, _, _ = _normal_tables()
        tid = self._pending_tid
        k, _ = self._constants(tid)
        m = rows.stop - rows.start
        seqs = (self._arange(m) + np.int64(self._seq0 + rows.start)) & (SEQ_MODULUS - 1)
        crc = tables[0].take(seqs >> 16)
        crc ^= seq_lo_x2.take(seqs & 0xFFFF)
        crc ^= np.uint32(k)
        # bytes 0-7: seq(3) ts(4) tid-high; 8-15: tid-low pio word crc; 16-19: ~crc
        a = seqs << 40
        a |= tid >> 8
        return a, crc

    def end_next(self, m: int, ts_ns: int) -> int | I64Array | None:
        """:meth:`end` the next ``m`` rows begun (in the array given to
        :meth:`begin`), all with the time ``ts_ns``: what a transmitter does right
        before each send, in the fewest passes.

        Raises:
            ValidationError: fewer than ``m`` rows are left to end.
        """
        start = self._ended
        pending = self._pending
        if pending is None or not 0 <= m <= pending[0] - start:
            raise ValidationError(
                f"{m} rows to end, {0 if pending is None else pending[0] - start} "
                "begun and not ended",
                field="m",
            )
        if self._cols is None or m == 0:
            return self.end(self._out[start : start + m], ts_ns, start)
        self._advance(start + m, pending[0])
        return self._end_one_time(start, start + m, int(ts_ns))

    def _advance(self, ended: int, n: int) -> None:
        """Rows up to ``ended`` of the ``n`` begun are ended (all: none pending)."""
        self._ended = ended
        if ended == n:
            self._pending = None
            self._ended = 0

    def _end_one_time(self, start: int, stop: int, ts: int) -> int | None:
        """Rows ``start...stop - 1`` carry one time: written at time 0 by
        :meth:`begin`, each of their TPLDs changes by the same 20 bytes (the CRC is
        linear), XORed into three words (native-endian views: the bytes XOR alike).
        """
        assert self._cols is not None
        # time 0 put nothing into the words (the CRC tables are linear: a zero byte
        # adds 0), so the change is the time's own bits, byte-swapped to native:
        # word 0 holds u in its bytes 3-6, word 1 the nibble in byte 3 and the
        # CRC's part in bytes 4-7, word 2 that part alone (byte swaps are linear)
        hi_t, lo_t, nib_t = _swapped_time_tables()
        u, nib = (ts >> 4) & 0xFFFFFFFF, ts & 0xF
        crc = hi_t.item(u >> 16) ^ lo_t.item(u & 0xFFFF) ^ nib_t.item(nib)
        c0, c1, c2 = self._cols
        part = c0[start:stop]
        np.bitwise_xor(
            part, int.from_bytes(u.to_bytes(4, "big"), "little") << 24, out=part
        )
        part = c1[start:stop]
        np.bitwise_xor(part, (crc << 32) | (nib << 24), out=part)
        part4 = c2[start:stop]
        np.bitwise_xor(part4, crc, out=part4)
        if not self._want_sums:
            return None
        return (u >> 24) + ((u >> 8) & 0xFFFF) + ((u & 0xFF) << 8) + nib

    def _end_normal(self, core: U8Array, ts: I64Array, rows: slice) -> I64Array | None:
        tables, _, ts_hi_t, ts_lo_t = _normal_tables()
        u = (ts >> 4) & 0xFFFFFFFF
        nib = ts & 0xF
        crc = ts_hi_t.take(u >> 16)
        crc ^= ts_lo_t.take(u & 0xFFFF)
        crc ^= tables[11].take(nib)
        a, seq_crc = self._seq_parts(rows)
        crc ^= seq_crc
        # (int64 arithmetic: the top bit lands in the sign, the bytes are the same)
        core[:, 0:8].view(">u8")[:, 0] = (u << 8) | a
        b = (nib << 32) | crc
        b |= np.int64(self._constants(self._pending_tid)[1])
        core[:, 8:16].view(">u8")[:, 0] = b
        core[:, 16:20].view(">u4")[:, 0] = ~crc
        if not self._want_sums:
            return None
        sums = (u >> 24) + ((u >> 8) & 0xFFFF)
        sums += (u & 0xFF) << 8
        sums += nib
        return sums

    def _mark_first(self, core: U8Array) -> None:
        """Set the first-packet flag of one stamped TPLD and fix its CRC."""
        tables = _normal_tables()[0]
        flag = FLAG_FIRST >> 8
        core[10] |= flag
        delta = int(tables[10][flag])
        crc = int.from_bytes(bytes(core[12:16]), "big") ^ delta
        core[12:16] = np.frombuffer(crc.to_bytes(4, "big"), dtype=np.uint8)
        core[16:20] = np.frombuffer((crc ^ 0xFFFFFFFF).to_bytes(4, "big"), np.uint8)

    def _stamp_micro(
        self, out: U8Array, tid: int, ts: I64Array, is_first: bool
    ) -> I64Array:
        tables, ts_lo_t = _micro_tables()
        ts28 = (ts >> 4) & 0x0FFFFFFF
        # 48-bit word: first(1) reserved(1) tid(10) ts(28) crc(8)
        const = tid << 28
        crc = ts_lo_t.take(ts28 & 0xFFFF)
        crc ^= tables[2].take((ts28 >> 16) & 0xFF)
        crc ^= tables[1].take(ts28 >> 24)
        crc ^= np.uint32(zlib.crc32(const.to_bytes(5, "big")))
        head = ts28 | const
        out[:, 0:4].view(">u4")[:, 0] = head >> 8
        out[:, 4] = head & 0xFF
        out[:, 5] = crc & np.uint32(0xFF)
        if is_first:
            out[0, 0] |= 0x80
            out[0, 5] ^= int(tables[0][0x80]) & 0xFF
            head[0] |= 1 << 39
        # words: bytes 0-1, 2-3, 4 and the CRC byte
        sums = (head >> 24) + ((head >> 8) & 0xFFFF)
        sums += (head & 0xFF) << 8
        sums += out[:, 5]
        return sums

    def _stamp_trex(
        self, out: U8Array, tid: int, ts: I64Array | int, is_first: bool, start: int
    ) -> I64Array | None:
        """Write whole TRex-style TPLDs (rows ``start...`` of those begun); return
        each one's big-endian word sum (if wanted)."""
        seq0 = (self._seq0 + start) & (SEQ_MODULUS - 1)
        return stamp_trex(out, tid, ts, is_first, seq0, want_sums=self._want_sums)
