"""Vectorised TPLD encoding and decoding over batches of frames.

A batch is a 2-D uint8 array ``frames`` (one frame per row, rows may be wider than
the frames) and a vector ``lengths`` (bytes used in each row, no FCS). The TPLD is
the last ``mode.length`` bytes of each frame. The byte layout is documented in
:mod:`wirespeed.tpld.layout`.

``encode_batch`` writes TPLDs in place; ``decode_batch`` never raises on frame
content: a frame that is too short or whose TPLD checksum fails gets
``valid = False`` and a :class:`DecodeStatus` saying why.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, fields, replace
from functools import cached_property
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from wirespeed.errors import ValidationError
from wirespeed.tpld.checksums import FixedLengthCrc32, internet_checksum_ranges
from wirespeed.tpld.layout import (
    FLAG_CHECKSUM,
    FLAG_FIRST,
    PI_OFFSET_MAX,
    SEQ_MODULUS,
    TREX_MAGIC,
    TpldMode,
)

__all__ = [
    "DecodeStatus",
    "DecodedTplds",
    "decode_any",
    "decode_batch",
    "encode_batch",
    "highest_tid",
    "latency_ns",
    "trex_tplds",
]


class DecodeStatus(enum.IntEnum):
    """Why a frame's TPLD was accepted or rejected."""

    OK = 0
    """A TPLD with a correct checksum."""
    TOO_SHORT = 1
    """The frame is shorter than the TPLD."""
    NOT_TPLD = 2
    """The checksum bytes do not look like a TPLD: a frame without TPLD."""
    BAD_CHECKSUM = 3
    """The checksum bytes are complementary but the CRC fails: a corrupted TPLD."""


def _core_dtype(base: int, itemsize: int) -> np.dtype[np.void]:
    return np.dtype(
        {
            "names": ["seq_hi", "seq_lo", "ts", "tid", "pio", "word", "crc", "ncrc"],
            "formats": ["u1", ">u2", ">u4", ">u2", "u1", ">u2", ">u4", ">u4"],
            "offsets": [base + o for o in (0, 1, 3, 7, 9, 10, 12, 16)],
            "itemsize": itemsize,
        }
    )


_NORMAL_DTYPE = _core_dtype(0, 20)
_PI_DTYPE = _core_dtype(2, 22)
_MICRO_DTYPE = np.dtype(
    {"names": ["head", "low"], "formats": [">u2", ">u4"], "offsets": [0, 2]}
)
_TREX_DTYPE = np.dtype(
    {
        "names": ["magic", "check", "hw_id", "seq", "ts"],
        "formats": ["u1", "u1", "<u2", "<u4", "<u8"],
        "offsets": [0, 1, 2, 4, 8],
        "itemsize": 16,
    }
)
_CRC_CORE = FixedLengthCrc32(12)
_CRC_MICRO = FixedLengthCrc32(5)
_CRC_TREX = FixedLengthCrc32(14)
_TS36 = (1 << 36) - 1
_SEQ_MASK = SEQ_MODULUS - 1


@dataclass(frozen=True)
class DecodedTplds:
    """The decoded TPLDs of a batch: one entry per frame.

    Fields of rows that are not ``valid`` hold whatever the bytes said; use them
    only under the ``valid`` mask.

    Attributes:
        valid: True where a TPLD with a correct checksum was found.
        tid: test payload id (int64).
        seq: 24-bit sequence number (int64; 0 in micro form).
        ts_ns: stored transmit time (int64, modulo ``2**mode.ts_bits``).
        is_first: first-packet flag.
        pi_checked: the payload integrity checksum was verified (22-byte form with
            the checksum-enabled flag set).
        pi_ok: False only where a verified payload checksum did not match.
        pi_offset: payload-integrity offset (int64; 0 in micro form).
        looks_like_tpld: the checksum bytes have the TPLD shape (CRC followed by
            its complement) whether or not the CRC matches (always False in micro
            form, which cannot tell).
        too_short: the frame is shorter than the TPLD.
    """

    valid: NDArray[np.bool_]
    tid: NDArray[np.int64]
    seq: NDArray[np.int64]
    ts_ns: NDArray[np.int64]
    is_first: NDArray[np.bool_]
    pi_checked: NDArray[np.bool_]
    pi_ok: NDArray[np.bool_]
    pi_offset: NDArray[np.int64]
    looks_like_tpld: NDArray[np.bool_]
    too_short: NDArray[np.bool_]

    @cached_property
    def status(self) -> NDArray[np.uint8]:
        """:class:`DecodeStatus` per frame (uint8)."""
        status = np.full(self.valid.shape[0], DecodeStatus.NOT_TPLD, dtype=np.uint8)
        status[self.looks_like_tpld] = DecodeStatus.BAD_CHECKSUM
        status[self.valid] = DecodeStatus.OK
        status[self.too_short] = DecodeStatus.TOO_SHORT
        return status

    def count(self, status: DecodeStatus) -> int:
        """Number of frames with this status."""
        n = self.valid.shape[0]
        if status is DecodeStatus.OK:
            return int(np.count_nonzero(self.valid))
        if status is DecodeStatus.TOO_SHORT:
            return int(np.count_nonzero(self.too_short))
        bad = int(
            np.count_nonzero(self.looks_like_tpld & ~self.valid & ~self.too_short)
        )
        if status is DecodeStatus.BAD_CHECKSUM:
            return bad
        good = self.count(DecodeStatus.OK)
        return int(n - bad - good - self.count(DecodeStatus.TOO_SHORT))


def latency_ns(
    rx_ns: NDArray[np.int64] | int, ts_ns: NDArray[np.int64] | int, mode: TpldMode
) -> NDArray[np.int64]:
    """Signed latency from receive times and stored TPLD timestamps.

    ``(rx_ns - ts_ns) mod 2**mode.ts_bits``, read as a signed number: exact for
    latencies within +-34.36 s (micro: +-2.147 s, with the TX time truncated to
    16 ns, so the result is up to 15 ns too high).

    Args:
        rx_ns: receive times in ns (full 64-bit clock values).
        ts_ns: decoded ``DecodedTplds.ts_ns``.
        mode: the TPLD form.
    """
    bits = mode.ts_bits
    half = np.int64(1 << (bits - 1))
    mask = np.int64((1 << bits) - 1)
    diff = np.asarray(rx_ns, dtype=np.int64) - np.asarray(ts_ns, dtype=np.int64)
    result: NDArray[np.int64] = ((diff + half) & mask) - half
    return result


def _as_int64(value: ArrayLike, n: int, field: str) -> NDArray[np.int64]:
    arr = np.asarray(value, dtype=np.int64)
    if arr.ndim == 0:
        return np.full(n, arr, dtype=np.int64)
    if arr.shape != (n,):
        raise ValidationError(f"must be a scalar or have {n} entries", field=field)
    return arr


def _check_range(arr: NDArray[np.int64], lo: int, hi: int, field: str) -> None:
    if arr.size and (int(arr.min()) < lo or int(arr.max()) > hi):
        raise ValidationError(f"must be {lo}..{hi}", field=field)


def encode_batch(
    frames: NDArray[np.uint8],
    lengths: ArrayLike,
    *,
    mode: TpldMode,
    tid: ArrayLike,
    tx_ns: ArrayLike,
    seq: ArrayLike = 0,
    is_first: ArrayLike = False,
    pi_offset: ArrayLike = 0,
) -> None:
    """Write a TPLD into the last ``mode.length`` bytes of every frame, in place.

    Args:
        frames: 2-D uint8 array, one frame per row (modified in place).
        lengths: frame lengths in bytes (no FCS), one per row.
        mode: the TPLD form.
        tid: TID, a scalar or one per frame.
        tx_ns: transmit time in ns, a scalar or one per frame.
        seq: a scalar start sequence (frame ``i`` gets ``(seq + i) mod 2**24``) or
            one sequence number per frame (taken modulo ``2**24``). Ignored in
            micro form.
        is_first: first-packet flag, a scalar or one per frame.
        pi_offset: payload-integrity offset, a scalar or one per frame (0..2047,
            at most the TPLD start). In the 22-byte form the payload checksum is
            computed over ``[pi_offset, TPLD start)`` of each frame, so the rest of
            the frame must already be in place.

    Raises:
        ValidationError: a frame is shorter than the TPLD or another argument is
            out of range (the error names the argument).
    """
    n = frames.shape[0]
    lens = _as_int64(lengths, n, "lengths")
    length = mode.length
    _check_range(lens, length, frames.shape[1], "lengths")
    tids = _as_int64(tid, n, "tid")
    _check_range(tids, 0, mode.max_tid, "tid")
    tx = _as_int64(tx_ns, n, "tx_ns")
    first = np.asarray(is_first, dtype=bool)
    if mode is TpldMode.MICRO:
        raw = _encode_micro(n, tids, tx, first)
    else:
        seq_arr = np.asarray(seq, dtype=np.int64)
        if seq_arr.ndim == 0:
            seqs = (np.arange(n, dtype=np.int64) + seq_arr) & _SEQ_MASK
        else:
            seqs = _as_int64(seq_arr, n, "seq") & _SEQ_MASK
        if mode is TpldMode.TREX:
            raw = trex_tplds(tids, tx, first, seqs)
        else:
            pio = _as_int64(pi_offset, n, "pi_offset")
            _check_range(pio, 0, PI_OFFSET_MAX, "pi_offset")
            raw = _encode_normal(frames, lens, mode, tids, tx, first, seqs, pio)
    _scatter(frames, lens, raw)


def _encode_normal(
    frames: NDArray[np.uint8],
    lens: NDArray[np.int64],
    mode: TpldMode,
    tids: NDArray[np.int64],
    tx: NDArray[np.int64],
    first: NDArray[np.bool_],
    seqs: NDArray[np.int64],
    pio: NDArray[np.int64],
) -> NDArray[np.uint8]:
    n = frames.shape[0]
    with_pi = mode is TpldMode.NORMAL_WITH_PAYLOAD_CHECKSUM
    rec = np.zeros(n, dtype=_PI_DTYPE if with_pi else _NORMAL_DTYPE)
    rec["seq_hi"] = seqs >> 16
    rec["seq_lo"] = seqs & 0xFFFF
    rec["ts"] = (tx >> 4) & 0xFFFFFFFF
    rec["tid"] = tids
    rec["pio"] = pio & 0xFF
    word = ((pio >> 8) << 4) | (tx & 0xF)
    word |= np.where(first, FLAG_FIRST, 0)
    if with_pi:
        word |= FLAG_CHECKSUM
    rec["word"] = word
    raw = rec.view(np.uint8).reshape(n, mode.length)
    off = mode.core_offset
    crc = _CRC_CORE.rows(raw[:, off : off + 12])
    rec["crc"] = crc
    rec["ncrc"] = ~crc
    if with_pi:
        tpld_start = lens - mode.length
        if n and int((pio - tpld_start).max()) > 0:
            raise ValidationError("must not exceed the TPLD start", field="pi_offset")
        pic = internet_checksum_ranges(frames, pio, tpld_start)
        raw[:, 0] = pic >> 8
        raw[:, 1] = pic & 0xFF
    return raw


def _encode_micro(
    n: int, tids: NDArray[np.int64], tx: NDArray[np.int64], first: NDArray[np.bool_]
) -> NDArray[np.uint8]:
    ts16 = (tx >> 4) & 0x0FFFFFFF
    head40 = (tids << 28) | ts16
    head40 |= np.where(first, np.int64(1 << 39), np.int64(0))
    rec = np.zeros(n, dtype=_MICRO_DTYPE)
    rec["head"] = head40 >> 24
    rec["low"] = (head40 & 0xFFFFFF) << 8
    raw = rec.view(np.uint8).reshape(n, 6)
    raw[:, 5] = _CRC_MICRO.rows(raw) & 0xFF
    return raw


def trex_tplds(
    tids: NDArray[np.int64] | np.int64,
    tx: NDArray[np.int64] | np.int64,
    first: NDArray[np.bool_],
    seqs: NDArray[np.int64],
) -> NDArray[np.uint8]:
    """TRex-style TPLDs, one row per sequence number (TIDs and times: one per row
    or one for all; sequence numbers already below 2**24)."""
    n = seqs.shape[0]
    rec = np.zeros(n, dtype=_TREX_DTYPE)
    rec["magic"] = TREX_MAGIC
    rec["hw_id"] = tids | np.where(first, 0x8000, 0)
    rec["seq"] = seqs
    rec["ts"] = tx.astype(np.uint64)
    raw = rec.view(np.uint8).reshape(n, 16)
    raw[:, 1] = _CRC_TREX.rows(np.ascontiguousarray(raw[:, 2:])) & 0xFF
    return raw


def _uniform_length(lens: NDArray[np.int64]) -> int | None:
    """The common length of all frames, or None if lengths differ."""
    if lens.size == 0:
        return None
    lo = int(lens.min())
    return lo if lo == int(lens.max()) else None


def _scatter(
    frames: NDArray[np.uint8], lens: NDArray[np.int64], raw: NDArray[np.uint8]
) -> None:
    width = raw.shape[1]
    same = _uniform_length(lens)
    if same is not None:
        frames[:, same - width : same] = raw
    elif lens.size:
        cols = (lens - width)[:, None] + np.arange(width)
        frames[np.arange(lens.size)[:, None], cols] = raw


def _gather(
    frames: NDArray[np.uint8], lens: NDArray[np.int64], lo: int, hi: int, width: int
) -> NDArray[np.uint8]:
    """The last ``width`` bytes of every frame (clamped into the row) as a
    contiguous ``(n, width)`` array."""
    if lo == hi and lo >= width:
        return np.ascontiguousarray(frames[:, lo - width : lo])
    if frames.shape[1] < width:
        return np.zeros((lens.size, width), dtype=np.uint8)
    starts = np.clip(lens - width, 0, frames.shape[1] - width)
    if frames.flags.c_contiguous and frames.size >= width:
        # frames of mixed sizes (several streams): each row's bytes from a view of
        # every ``width`` bytes of the buffer, one index a frame (not one per byte)
        windows = np.lib.stride_tricks.sliding_window_view(frames.reshape(-1), width)
        at = np.arange(lens.size, dtype=np.int64) * frames.shape[1] + starts
        rows: NDArray[np.uint8] = windows[at]
        return rows
    cols = starts[:, None] + np.arange(width)
    gathered: NDArray[np.uint8] = frames[np.arange(lens.size)[:, None], cols]
    return gathered


def decode_batch(
    frames: NDArray[np.uint8], lengths: ArrayLike, mode: TpldMode
) -> DecodedTplds:
    """Decode the TPLD at the end of every frame of a batch.

    Never raises on frame content: frames that are too short or whose checksum
    fails are marked invalid (see :class:`DecodeStatus`). Lengths beyond the row
    width are treated as the row width.

    Args:
        frames: 2-D uint8 array, one frame per row.
        lengths: frame lengths in bytes (no FCS), one per row.
        mode: the port's TPLD form.

    Returns:
        The decoded fields and the per-frame status.
    """
    n, row_width = frames.shape
    lens = np.asarray(lengths, dtype=np.int64)
    width = mode.length
    lo = int(lens.min()) if n else 0
    hi = int(lens.max()) if n else 0
    if hi > row_width:
        lens = np.minimum(lens, row_width)
        lo, hi = min(lo, row_width), row_width
    raw = _gather(frames, lens, lo, hi, width)
    too_short = lens < width if lo < width else np.zeros(n, dtype=bool)
    if mode is TpldMode.MICRO:
        return _decode_micro(raw, too_short, lo < width)
    if mode is TpldMode.TREX:
        return _decode_trex(raw, too_short, lo < width)
    core = raw if width == 20 else np.ascontiguousarray(raw[:, 2:])
    words = core.view(">u4").astype(np.int64)
    w0, w1, w2, w3 = words[:, 0], words[:, 1], words[:, 2], words[:, 3]
    crc = _CRC_CORE.rows(core)
    looks = (w3 ^ words[:, 4]) == 0xFFFFFFFF
    valid = (crc == w3) & looks
    if lo < width:
        valid &= ~too_short
    pio = ((w2 >> 16) & 0xFF) | ((w2 & 0x70) << 4)
    pi_ok = np.ones(n, dtype=bool)
    if width == 22:
        pi_checked = valid & ((w2 & FLAG_CHECKSUM) != 0)
        if np.count_nonzero(pi_checked):
            idx = np.flatnonzero(pi_checked)
            ends = lens[idx] - width
            calc = internet_checksum_ranges(frames[idx], pio[idx], ends)
            stored_pi = (raw[idx, 0].astype(np.int64) << 8) | raw[idx, 1]
            pi_ok[idx] = calc == stored_pi
    else:
        pi_checked = np.zeros(n, dtype=bool)
    return DecodedTplds(
        valid=valid,
        tid=((w1 & 0xFF) << 8) | (w2 >> 24),
        seq=w0 >> 8,
        ts_ns=((w0 & 0xFF) << 28) | ((w1 >> 8) << 4) | (w2 & 0xF),
        is_first=(w2 & FLAG_FIRST) != 0,
        pi_checked=pi_checked,
        pi_ok=pi_ok,
        pi_offset=pio,
        looks_like_tpld=looks,
        too_short=too_short,
    )


def _decode_micro(
    raw: NDArray[np.uint8], too_short: NDArray[np.bool_], any_short: bool
) -> DecodedTplds:
    n = raw.shape[0]
    rec = raw.view(_MICRO_DTYPE).reshape(n)
    valid = (_CRC_MICRO.rows(raw) & 0xFF) == raw[:, 5]
    if any_short:
        valid &= ~too_short
    head = rec["head"].astype(np.int64)
    low = rec["low"].astype(np.int64)
    zeros = np.zeros(n, dtype=np.int64)
    return DecodedTplds(
        valid=valid,
        tid=(head >> 4) & 0x3FF,
        seq=zeros,
        ts_ns=((((head & 0xF) << 24) | (low >> 8)) << 4),
        is_first=(head & 0x8000) != 0,
        pi_checked=np.zeros(n, dtype=bool),
        pi_ok=np.ones(n, dtype=bool),
        pi_offset=zeros,
        looks_like_tpld=np.zeros(n, dtype=bool),
        too_short=too_short,
    )


def _decode_trex(
    raw: NDArray[np.uint8], too_short: NDArray[np.bool_], any_short: bool
) -> DecodedTplds:
    n = raw.shape[0]
    rec = raw.view(_TREX_DTYPE).reshape(n)
    seq = rec["seq"].astype(np.int64)
    looks = (rec["magic"] == TREX_MAGIC) & (seq >> 24 == 0)
    check = _CRC_TREX.rows(np.ascontiguousarray(raw[:, 2:])) & 0xFF
    valid = looks & (check == rec["check"])
    if any_short:
        valid &= ~too_short
    hw_id = rec["hw_id"].astype(np.int64)
    zeros = np.zeros(n, dtype=np.int64)
    return DecodedTplds(
        valid=valid,
        tid=hw_id & 0x7FFF,
        seq=seq & _SEQ_MASK,
        ts_ns=rec["ts"].astype(np.int64) & _TS36,
        is_first=(hw_id & 0x8000) != 0,
        pi_checked=np.zeros(n, dtype=bool),
        pi_ok=np.ones(n, dtype=bool),
        pi_offset=zeros,
        looks_like_tpld=looks,
        too_short=too_short,
    )


#: The other form a port recognises besides its own: Xena's and TRex's test frames
#: may meet on one port (a TRex user owns only the sending port, say).
_ALSO = {
    TpldMode.NORMAL: TpldMode.TREX,
    TpldMode.NORMAL_WITH_PAYLOAD_CHECKSUM: TpldMode.TREX,
    TpldMode.TREX: TpldMode.NORMAL,
}


def highest_tid(mode: TpldMode) -> int:
    """The highest TID :func:`decode_any` can return for a port of form ``mode``."""
    other = _ALSO.get(mode)
    return mode.max_tid if other is None else max(mode.max_tid, other.max_tid)


def decode_any(
    frames: NDArray[np.uint8], lengths: ArrayLike, mode: TpldMode
) -> DecodedTplds:
    """:func:`decode_batch` in the port's form, then, for frames that carry none,
    in the other 36-bit form with a sequence number (20-byte normal <-> TRex-style).

    Both forms time in ns modulo 2**36 and number frames with 24 bits, so their
    frames are analysed alike. A micro port decodes micro TPLDs only.
    """
    dec = decode_batch(frames, lengths, mode)
    other = _ALSO.get(mode)
    if other is None or dec.valid.all():
        return dec
    miss = np.flatnonzero(~dec.valid)
    lens = np.asarray(lengths, dtype=np.int64)
    alt = decode_batch(frames[miss], lens[miss] if lens.ndim else lens, other)
    if not alt.valid.any():
        return dec
    take = miss[alt.valid]
    changes: dict[str, Any] = {}
    for f in fields(dec):
        if f.name != "looks_like_tpld":  # what the port's own form saw
            arr = getattr(dec, f.name).copy()
            arr[take] = getattr(alt, f.name)[alt.valid]
            changes[f.name] = arr
    return replace(dec, **changes)
