"""Stamping TRex-style TPLDs (16 bytes, the layout of TRex's latency header) into a
batch, with per-frame work only where frames differ: their sequence numbers.

Layout (little-endian fields): magic ``0xAB``, a check byte (the low byte of the
CRC-32 of bytes 2-15), the hardware id (the TID, bit 15 = first packet), the 24-bit
sequence number, the 64-bit transmit time. Within one part of a batch the TID and
the time are the same for every frame, so the CRC is an affine function of the
sequence number alone (:class:`~wirespeed.tpld.checksums.FixedLengthCrc32`), and
the sequence numbers of a part are consecutive: a 65536-entry table holds, for the
low 16 bits, the first 64-bit word's sequence bytes and their CRC byte, so a run of
rows is a slice of that table XORed with one constant (magic, TID, the CRC of the
TID, the time and bits 16-23). :func:`wirespeed.tpld.codec.trex_tplds` is the
plain encoder this must equal byte for byte.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from numpy.typing import NDArray

from wirespeed.tpld.checksums import FixedLengthCrc32
from wirespeed.tpld.layout import TREX_MAGIC

__all__ = ["stamp_trex"]

I64Array = NDArray[np.int64]
U8Array = NDArray[np.uint8]

_CRC = FixedLengthCrc32(14)  # over TPLD bytes 2..15
_FIRST = 0x8000
_SEQ_MASK = (1 << 24) - 1


@lru_cache(maxsize=1)
def _tables() -> tuple[NDArray[np.uint32], NDArray[np.uint8], NDArray[np.int64]]:
    """(the per-position CRC tables, the CRC byte of bits 16-23 of the sequence,
    and per low 16 bits of the sequence: their CRC byte and their place in the
    TPLD's first little-endian 64-bit word)."""
    t = _CRC.tables
    lo = np.arange(1 << 16, dtype=np.int64)
    crc_lo = (t[2][lo & 0xFF] ^ t[3][lo >> 8]) & 0xFF
    words = (crc_lo.astype(np.int64) << 8) | (lo << 32)
    hi8 = (t[4] & 0xFF).astype(np.uint8)
    return t, hi8, words


def _const_crc(hw: int, ts: int | None) -> int:
    """The CRC's part from the hardware id and (one for all rows) time."""
    t = _tables()[0]
    crc = _CRC.zero ^ int(t[0][hw & 0xFF]) ^ int(t[1][hw >> 8])
    if ts is not None:
        for k, byte in enumerate(ts.to_bytes(8, "little")):
            crc ^= int(t[6 + k][byte])
    return crc & 0xFF


def stamp_trex(
    out: U8Array,
    tid: int,
    ts: I64Array | int,
    is_first: bool,
    seq0: int,
    *,
    want_sums: bool = True,
) -> I64Array | None:
    """Write one TPLD per row of ``out`` (``n x 16``, rows may be strided views
    into frames), the rows numbered ``seq0, seq0 + 1, ...`` (modulo 2**24).

    Args:
        out: where the TPLDs go.
        tid: the TID (below 0x8000).
        ts: the transmit time of every row, or one per row.
        is_first: row 0 is the stream's first frame.
        seq0: the first row's sequence number.
        want_sums: also return each TPLD's sum of big-endian 16-bit words (for
            L4 checksums over the frame).
    """
    t, hi8, words = _tables()
    n = out.shape[0]
    one_time = not isinstance(ts, np.ndarray)
    rows = np.empty((n, 2), dtype=np.int64)  # two little-endian words a row
    const = TREX_MAGIC | (tid << 16)
    const |= _const_crc(tid, int(ts) if one_time else None) << 8
    pos, seq = 0, seq0 & _SEQ_MASK
    while pos < n:  # runs of sequence numbers that share bits 16-23
        lo, hi = seq & 0xFFFF, seq >> 16
        k = min(n - pos, (1 << 16) - lo)
        run = rows[pos : pos + k, 0]
        run[:] = words[lo : lo + k]
        run ^= const ^ (int(hi8[hi]) << 8) ^ (hi << 48)
        pos, seq = pos + k, (seq + k) & _SEQ_MASK
    if one_time:
        rows[:, 1] = int(ts)
    else:
        rows[:, 1] = ts
        tbytes = rows[:, 1:].view(np.uint8)
        tcrc = np.zeros(n, dtype=np.uint8)
        for k in range(8):
            tcrc ^= (t[6 + k] & 0xFF).astype(np.uint8).take(tbytes[:, k])
        rows[:, 0] ^= tcrc.astype(np.int64) << 8
    if is_first and n and not tid & _FIRST:
        rows[0, 0] ^= (_FIRST << 16) | ((int(t[1][_FIRST >> 8]) & 0xFF) << 8)
    raw = rows.view(np.uint8)
    out[:] = raw
    if not want_sums:
        return None
    sums: I64Array = raw.view(">u2").astype(np.int64).sum(axis=1)
    return sums
