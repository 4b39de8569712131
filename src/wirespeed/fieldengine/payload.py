"""Payload fills: static patterns, PRBS-31 and seeded random byte streams."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from wirespeed.model.patterns import PayloadType

__all__ = ["Prbs31", "RandomBytes", "fill_dynamic", "static_payload"]

U8Array = npt.NDArray[np.uint8]


def static_payload(kind: PayloadType, pattern: bytes, length: int) -> U8Array:
    """Return the first ``length`` payload bytes of a per-frame (static) fill.

    PATTERN repeats ``pattern``; INC8/DEC8 count bytes from 00/FF; INC16/DEC16
    count big-endian 16-bit words from 0000/FFFF. The fill restarts in every frame.

    Raises:
        ValueError: ``kind`` is PRBS or RANDOM (those continue across frames).
    """
    idx = np.arange(length, dtype=np.int64)
    if kind is PayloadType.PATTERN:
        return np.resize(np.frombuffer(pattern, dtype=np.uint8), length)
    if kind is PayloadType.INC8:
        return (idx & 0xFF).astype(np.uint8)
    if kind is PayloadType.DEC8:
        return (0xFF - (idx & 0xFF)).astype(np.uint8)
    if kind in (PayloadType.INC16, PayloadType.DEC16):
        words = idx // 2
        if kind is PayloadType.DEC16:
            words = 0xFFFF - (words & 0xFFFF)
        high = (words >> 8) & 0xFF
        low = words & 0xFF
        return np.where(idx % 2 == 0, high, low).astype(np.uint8)
    raise ValueError(f"{kind.name} is not a static payload")


_J = 12
_HIST = 31 << _J
_BLOCK = 28 << _J
_BOOT: U8Array | None = None


def _bootstrap() -> U8Array:
    """Return the first ``_HIST`` bytes of the PRBS-31 sequence."""
    global _BOOT
    if _BOOT is not None:
        return _BOOT
    bits = [1] * 31  # register seeded with all ones
    for n in range(31, 31 * 8):
        bits.append(bits[n - 31] ^ bits[n - 28])
    seq = np.packbits(np.asarray(bits, dtype=np.uint8))
    j = 0
    while len(seq) < _HIST:
        hist_len, block = 31 << j, 28 << j
        while len(seq) < (31 << (j + 1)) and len(seq) < _HIST:
            tail = seq[-hist_len:]
            seq = np.concatenate([seq, tail[:block] ^ tail[hist_len - block :]])
        j += 1
    _BOOT = seq[:_HIST].copy()
    return _BOOT


class Prbs31:
    """PRBS-31 (x^31 + x^28 + 1) byte stream, continuing across calls.

    Bit ``n`` is ``bit[n-31] XOR bit[n-28]``; the first 31 bits are ones; bits are
    packed MSB first. Bytes obey the same recurrence (``B[m] = B[m-31] ^ B[m-28]``,
    and with lags scaled by powers of two), so large blocks come from one XOR.
    """

    def __init__(self) -> None:
        """Start at the first byte of the sequence."""
        self.reset()

    def reset(self) -> None:
        """Go back to the first byte of the sequence."""
        self._buf = _bootstrap()
        self._pos = 0

    def take(self, n: int) -> U8Array:
        """Return the next ``n`` bytes of the sequence."""
        need = self._pos + n
        if need > len(self._buf):
            parts = [self._buf]
            tail = self._buf[-_HIST:]
            have = len(self._buf)
            while have < need:
                block = tail[:_BLOCK] ^ tail[_HIST - _BLOCK :]
                parts.append(block)
                tail = np.concatenate([tail[_BLOCK:], block])
                have += _BLOCK
            self._buf = np.concatenate(parts)
        out = self._buf[self._pos : need]
        self._pos = need
        drop = min(self._pos, len(self._buf) - _HIST)
        if drop > 0:
            self._buf = self._buf[drop:]
            self._pos -= drop
        return out


class RandomBytes:
    """Random bytes from a numpy Generator, independent of how they are batched."""

    def __init__(self, rng: np.random.Generator) -> None:
        """Draw from ``rng``'s bit generator (64 bits at a time)."""
        self._rng = rng
        self._left = np.zeros(0, dtype=np.uint8)

    def take(self, n: int) -> U8Array:
        """Return the next ``n`` random bytes."""
        missing = n - len(self._left)
        if missing > 0:
            raw = self._rng.bit_generator.random_raw((missing + 7) // 8)
            fresh = np.asarray(raw, dtype="<u8").view(np.uint8)
            pool = np.concatenate([self._left, fresh])
        else:
            pool = self._left
        self._left = pool[n:]
        return pool[:n]


def fill_dynamic(
    body: U8Array,
    lengths: npt.NDArray[np.int64],
    start: int,
    source: Prbs31 | RandomBytes,
) -> None:
    """Fill the payload of each row, bytes ``start`` to its frame's length, with the
    next bytes of ``source`` (the bytes past a frame's end are left as they are)."""
    region = body[:, start:]
    if region.shape[1] == 0:
        return
    plen = np.maximum(lengths - start, 0)
    width = region.shape[1]
    if int(plen.min()) == width:
        region[:] = source.take(len(lengths) * width).reshape(-1, width)
        return
    cols = np.arange(width, dtype=np.int64)
    mask = cols[None, :] < plen[:, None]
    region[mask] = source.take(int(plen.sum()))
