"""The two checksums of the test payload, vectorised over batches.

* **TPLD integrity checksum**: standard CRC-32 (the zlib / IEEE 802.3 polynomial,
  reflected, initial value and final XOR ``0xFFFFFFFF``) over a fixed number of
  leading TPLD bytes. CRC-32 is affine over GF(2), so for a fixed message length
  ``L`` it equals ``crc32(zeros(L)) XOR T[0][b0] XOR ... XOR T[L-1][b(L-1)]`` with one
  256-entry table per byte position. :class:`FixedLengthCrc32` builds those tables
  once (from :func:`zlib.crc32`) and then needs one table lookup per byte and
  frame, with no per-frame Python.
* **Payload integrity checksum**: the Internet checksum (RFC 1071): the ones'
  complement of the ones' complement sum of the big-endian 16-bit words of a byte
  range, an odd trailing byte padded with a zero byte. It is computed for every
  frame of a batch over its own ``[start, end)`` range with two ``reduceat`` sums.
"""

from __future__ import annotations

import zlib

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "FixedLengthCrc32",
    "internet_checksum",
    "internet_checksum_ranges",
    "ones_complement_sums",
]


class FixedLengthCrc32:
    """CRC-32 of the first ``length`` bytes of every row of a 2-D uint8 array.

    Args:
        length: the number of bytes covered (the same for every row).
    """

    def __init__(self, length: int) -> None:
        self.length = length
        zero = zlib.crc32(bytes(length))
        tables = np.empty((length, 256), dtype=np.uint32)
        for pos in range(length):
            msg = bytearray(length)
            for value in range(256):
                msg[pos] = value
                tables[pos, value] = zlib.crc32(msg) ^ zero
        self._tables = tables
        self._zero = np.uint32(zero)

    @property
    def tables(self) -> NDArray[np.uint32]:
        """``(length, 256)``: the CRC's linear part for each byte position and value.

        ``crc32(m) == zero ^ tables[0][m[0]] ^ ... ^ tables[L-1][m[L-1]]``; XORed
        values of one byte combine linearly: ``tables[p][a ^ b] == tables[p][a] ^
        tables[p][b]``.
        """
        return self._tables

    @property
    def zero(self) -> int:
        """The CRC-32 of ``length`` zero bytes."""
        return int(self._zero)

    def rows(self, data: NDArray[np.uint8]) -> NDArray[np.uint32]:
        """CRC-32 of ``data[i, :length]`` for every row ``i``.

        Args:
            data: a 2-D uint8 array with at least ``length`` columns.

        Returns:
            One uint32 per row, equal to ``zlib.crc32(bytes(data[i, :length]))``.
        """
        tables = self._tables
        cols = np.ascontiguousarray(data[:, : self.length].T, dtype=np.intp)
        acc: NDArray[np.uint32] = tables[0].take(cols[0])
        for pos in range(1, self.length):
            acc ^= tables[pos].take(cols[pos])
        acc ^= self._zero
        return acc


def internet_checksum(data: bytes) -> int:
    """RFC 1071 checksum of ``data`` (scalar reference, used by tests and tools).

    Args:
        data: the bytes to sum; an odd last byte is padded with a zero byte.

    Returns:
        The 16-bit checksum (``0xFFFF`` for an empty range).
    """
    if len(data) % 2:
        data = data + b"\x00"
    total = sum(int.from_bytes(data[i : i + 2], "big") for i in range(0, len(data), 2))
    while total > 0xFFFF:
        total = (total & 0xFFFF) + (total >> 16)
    return (~total) & 0xFFFF


def internet_checksum_ranges(
    frames: NDArray[np.uint8],
    starts: NDArray[np.int64],
    ends: NDArray[np.int64],
) -> NDArray[np.int64]:
    """RFC 1071 checksum of ``frames[i, starts[i]:ends[i]]`` for every row ``i``.

    Word boundaries are counted from each range's own start. An empty range
    (``starts[i] >= ends[i]``) has the checksum ``0xFFFF``.

    Args:
        frames: 2-D uint8 array, one frame per row.
        starts: first byte of each range (column index, >= 0).
        ends: one past the last byte of each range (<= the number of columns).

    Returns:
        One checksum (0..0xFFFF) per row, as int64.
    """
    return 0xFFFF - ones_complement_sums(frames, starts, ends)


def ones_complement_sums(
    frames: NDArray[np.uint8],
    starts: NDArray[np.int64],
    ends: NDArray[np.int64],
) -> NDArray[np.int64]:
    """The folded one's complement sum of ``frames[i, starts[i]:ends[i]]``, per row.

    Big-endian words counted from each range's own start (an odd last byte is the
    high byte of a word padded with zero); only bytes inside the ranges are read.
    The result is in 0..0xFFFF, 0 only for an all-zero (or empty) range.

    Args:
        frames: C-contiguous 2-D uint8 array, one frame per row.
        starts: first byte of each range (column index, >= 0).
        ends: one past the last byte of each range (<= the number of columns).
    """
    n_rows, width = frames.shape
    if n_rows == 0:
        return np.zeros(0, dtype=np.int64)
    flat = frames.reshape(-1)
    row_base = np.arange(n_rows, dtype=np.int64) * width
    s = row_base + np.minimum(starts, ends)
    e = row_base + ends
    even = flat[0::2]
    odd = flat[1::2]
    even_sum = _range_sums(even, (s + 1) // 2, (e + 1) // 2)
    odd_sum = _range_sums(odd, s // 2, e // 2)
    start_even = (s & 1) == 0
    high = np.where(start_even, even_sum, odd_sum)
    low = np.where(start_even, odd_sum, even_sum)
    total = high * 256 + low
    folded: NDArray[np.int64] = np.where(total == 0, 0, (total - 1) % 0xFFFF + 1)
    return folded


def _range_sums(
    values: NDArray[np.uint8], lo: NDArray[np.int64], hi: NDArray[np.int64]
) -> NDArray[np.int64]:
    """Sum of ``values[lo[i]:hi[i]]`` for every i (0 for empty ranges)."""
    size = values.shape[0]
    if size == 0:
        return np.zeros(lo.shape[0], dtype=np.int64)
    lo_c = np.minimum(lo, size - 1)
    idx = np.empty(2 * lo.shape[0], dtype=np.intp)
    idx[0::2] = lo_c
    idx[1::2] = np.minimum(hi, size - 1)
    sums = np.add.reduceat(values, idx, dtype=np.int64)[0::2]
    # reduceat stops one short when hi was clipped to the last element: add it back.
    clipped = hi > size - 1
    if clipped.any():
        sums = sums + np.where(clipped & (lo < size - 1), int(values[size - 1]), 0)
    return np.where(hi > lo, sums, 0)
