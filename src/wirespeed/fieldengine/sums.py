"""Checksums of a batch rebuilt in place: IPv4 headers and UDP/TCP/ICMPv6.

The field engine reuses one frame buffer batch after batch and rewrites only what
changes (modified fields, lengths, checksums); the bytes of a row past its frame's
end are left over from longer frames. So checksums are never summed over whole rows.
Each one is a constant (the words that never change, summed once at compile time)
plus the words that do change, read back from the buffer, plus, for UDP/TCP/ICMPv6,
a lookup in a prefix-sum table of the template for the payload up to the frame's
end and the sum of the TPLD that travels behind it. Streams whose payload changes
per frame (PRBS, random bytes), or whose changing fields could lie past a short
frame's end, use the general path: sums over exactly each frame's own bytes.

Sums are one's complement sums (RFC 1071) of big-endian 16-bit words counted from
the start of the checksummed range; :func:`fold` reduces them to 16 bits.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from wirespeed.packet.checksum import L4_ICMPV6, L4_TCP, L4_UDP
from wirespeed.tpld.checksums import ones_complement_sums

__all__ = ["Ipv4HeaderSum", "L4Sum", "fold", "swap16"]

U8Array = npt.NDArray[np.uint8]
I64Array = npt.NDArray[np.int64]
Ranges = Iterable[tuple[int, int]]

CSUM_OFFSET = {L4_UDP: 6, L4_TCP: 16, L4_ICMPV6: 2}
"""Offset of the checksum field in the UDP, TCP and ICMPv6 headers."""


def fold(total: I64Array) -> I64Array:
    """Fold one's complement sums (``0 <= total < 2**32``) to 16 bits."""
    total = (total & 0xFFFF) + (total >> 16)
    return (total & 0xFFFF) + (total >> 16)


def swap16(value: I64Array) -> I64Array:
    """Swap the bytes of 16-bit values: the sum of the same bytes one byte later."""
    return ((value & 0xFF) << 8) | (value >> 8)


def _read_word(body: U8Array, offset: int) -> npt.NDArray[np.uint16]:
    word: npt.NDArray[np.uint16] = body[:, offset : offset + 2].view(">u2")[:, 0]
    return word


def _touched(start: int, end: int, written: Ranges) -> list[int]:
    """Offsets of the words of ``[start, end)`` (counted from ``start``) that any
    written byte range overlaps."""
    out: set[int] = set()
    for lo, hi in written:
        lo, hi = max(lo, start), min(hi, end)
        for k in range((lo - start) // 2, (hi - 1 - start) // 2 + 1 if hi > lo else 0):
            out.add(start + 2 * k)
    return sorted(out)


def _static_sum(base: U8Array, offsets: Iterable[int]) -> int:
    total = 0
    for off in offsets:
        total += (int(base[off]) << 8) | (
            int(base[off + 1]) if off + 1 < len(base) else 0
        )
    return total


def _written_byte(offset: int, written: Ranges) -> bool:
    return any(lo <= offset < hi for lo, hi in written)


@dataclass(frozen=True)
class Ipv4HeaderSum:
    """The IPv4 header checksum of every row.

    Attributes:
        offset: where the header starts.
        header_len: its length from the template's IHL (None: every frame's own IHL,
            because something writes the IHL).
        static: sum of the header words no write touches (checksum word excluded).
        words: offsets of the words written per frame, read back from the buffer.
    """

    offset: int
    header_len: int | None
    static: int
    words: tuple[int, ...]

    @classmethod
    def compile(cls, base: U8Array, offset: int, written: Ranges) -> Ipv4HeaderSum:
        """Plan the checksum of the header at ``offset`` of template row ``base``."""
        written = list(written)
        if _written_byte(offset, written):
            return cls(offset, None, 0, ())
        hlen = max(20, (int(base[offset]) & 0x0F) * 4)
        hlen = min(hlen, len(base) - offset)
        csum = offset + 10
        touched = [w for w in _touched(offset, offset + hlen, written) if w != csum]
        static = [
            w for w in range(offset, offset + hlen, 2) if w != csum and w not in touched
        ]
        return cls(offset, hlen, _static_sum(base, static), tuple(touched))

    def apply(self, body: U8Array) -> None:
        """Write the checksum into every row of ``body``."""
        csum = _read_word(body, self.offset + 10)
        if self.header_len is None:
            self._apply_per_row(body, csum)
            return
        if not self.words:
            csum[:] = ~fold(np.array(self.static)) & 0xFFFF
            return
        total = _read_word(body, self.words[0]) + np.int64(self.static)
        for w in self.words[1:]:
            total += _read_word(body, w)
        csum[:] = ~fold(total)

    def _apply_per_row(self, body: U8Array, csum: npt.NDArray[np.uint16]) -> None:
        """Each row's own IHL says how many header bytes the checksum covers."""
        off = self.offset
        width = min(60, (body.shape[1] - off) // 2 * 2)
        words = body[:, off : off + width].view(">u2").astype(np.int64)
        ihl = (body[:, off] & 0x0F).astype(np.int64) * 2  # header length in words
        cols = np.arange(words.shape[1], dtype=np.int64)
        keep = (cols[None, :] < ihl[:, None]) & (cols[None, :] != 5)
        csum[:] = ~fold((words * keep).sum(axis=1))


@dataclass(frozen=True)
class L4Sum:
    """The UDP, TCP or ICMPv6 checksum of every row.

    Attributes:
        l3: offset of the IP header (for the pseudo-header).
        l4: offset of the L4 header; the segment runs to the frame's end.
        proto: 17, 6 or 58.
        ip_version: 4 or 6 from the template, None when something writes the
            version nibble (each row's own version then decides).
        static: pseudo-header words no write touches, plus the protocol.
        pseudo_words: pseudo-header words read back per frame.
        prefix: sums of the template's segment bytes ``[l4, l4 + k)`` with the
            changing words and the checksum word taken as zero (None: the general
            path sums each frame's bytes).
        seg_words: segment words read back per frame.
    """

    l3: int
    l4: int
    proto: int
    ip_version: int | None
    static: int
    pseudo_words: tuple[int, ...]
    prefix: I64Array | None
    seg_words: tuple[int, ...]
    late: bool = False

    @property
    def splittable(self) -> bool:
        """True when all but the TPLD is summed before it is stamped
        (:meth:`partial` then :meth:`complete`); else :meth:`apply` does it all."""
        return self.prefix is not None and not self.late

    @property
    def csum_offset(self) -> int:
        """Where the checksum field is."""
        return self.l4 + CSUM_OFFSET[self.proto]

    @classmethod
    def compile(
        cls,
        base: U8Array,
        l3: int,
        l4: int,
        proto: int,
        written: Ranges,
        *,
        min_end: int,
        dynamic_from: int | None,
        late: Ranges = (),
    ) -> L4Sum:
        """Plan the checksum of the segment at ``l4`` behind the IP header at ``l3``.

        Args:
            base: the template row (template + static payload, full width).
            l3: IP header offset.
            l4: L4 header offset.
            proto: 17 (UDP), 6 (TCP) or 58 (ICMPv6).
            written: byte ranges rewritten per frame (fields, lengths, other
                checksums), without this checksum's own field.
            min_end: the smallest end of the bytes that travel in the frame body
                (frame length minus TPLD) of any frame.
            dynamic_from: where a payload that changes per frame starts (None: the
                payload is static).
            late: fields written after the TPLD is stamped (the checksums of
                inner segments): this checksum is then computed after them.
        """
        written = list(written)
        if _written_byte(l3, written):  # each row's version nibble decides
            return cls(l3, l4, proto, None, 0, (), None, ())
        version = 6 if int(base[l3]) >> 4 == 6 else 4
        csum = l4 + CSUM_OFFSET[proto]
        if version == 4:
            pseudo = range(l3 + 12, l3 + 20, 2)
        else:
            pseudo = range(l3 + 8, l3 + 40, 2)
        p_touched = [w for w in pseudo if _touched(w, w + 2, written)]
        p_static = [w for w in pseudo if w not in p_touched]
        static = _static_sum(base, p_static) + proto
        touched = [w for w in _touched(l4, max(l4, len(base)), written) if w != csum]
        is_late = bool(_touched(l4, max(l4, len(base)), late))
        fast = (
            dynamic_from is None
            and csum + 2 <= min_end
            and all(w + 2 <= min_end for w in touched)
        )
        if not fast:
            return cls(l3, l4, proto, version, 0, (), None, (), is_late)
        seg = base[l4:].astype(np.int64)
        for w in [*touched, csum]:
            seg[w - l4 : w - l4 + 2] = 0
        weights = np.where(np.arange(len(seg)) % 2 == 0, 256, 1)
        prefix = np.concatenate([[0], np.cumsum(seg * weights)]).astype(np.int64)
        return cls(
            l3,
            l4,
            proto,
            version,
            static,
            tuple(p_touched),
            prefix,
            tuple(touched),
            is_late,
        )

    def partial(
        self, body: U8Array, lengths: I64Array, body_ends: I64Array
    ) -> I64Array:
        """The word sum of everything but the TPLD (:attr:`splittable` only), not
        folded: below 2**30 (a segment of at most 16 KiB sums to less than 2**29)."""
        assert self.prefix is not None
        total = self.prefix.take(body_ends - self.l4) + self.static
        total += lengths - self.l4
        for w in self.pseudo_words:
            total += _read_word(body, w)
        for w in self.seg_words:
            total += _read_word(body, w)
        return total

    def complete(self, body: U8Array, total: I64Array) -> None:
        """Write the checksum of rows whose complete sum (TPLD included) is ``total``
        (positive, below 2**32)."""
        value = ~fold(total) & 0xFFFF
        if self.proto == L4_UDP:
            value[value == 0] = 0xFFFF
        _read_word(body, self.csum_offset)[:] = value

    def apply(
        self,
        body: U8Array,
        lengths: I64Array,
        body_ends: I64Array,
        tpld_sums: tuple[I64Array, I64Array] | None,
    ) -> None:
        """Write the checksum into every row of ``body``.

        Args:
            body: the frame bodies (C-contiguous rows).
            lengths: frame lengths (no FCS): the segment ends there.
            body_ends: where each frame's body ends (``lengths`` minus the TPLD).
            tpld_sums: folded word sums of each row's TPLD, as it follows a body end
                at an even and at an odd distance from ``l4`` (None: no TPLD or an
                all-zero one).
        """
        csum = _read_word(body, self.csum_offset)
        if self.prefix is None:
            csum[:] = 0
            total = ones_complement_sums(
                body, np.full(len(lengths), self.l4, dtype=np.int64), body_ends
            ) + self._pseudo_general(body)
        else:
            total = self.prefix.take(body_ends - self.l4) + self.static
            for w in self.pseudo_words:
                total += _read_word(body, w)
            for w in self.seg_words:
                total += _read_word(body, w)
        total += lengths - self.l4
        if tpld_sums is not None:
            even, odd = tpld_sums
            total += np.where((body_ends - self.l4) & 1, odd, even)
        value = ~fold(total) & 0xFFFF
        if self.proto == L4_UDP:
            value[value == 0] = 0xFFFF
        csum[:] = value

    def _pseudo_general(self, body: U8Array) -> I64Array:
        """Pseudo-header sum (without the length) read from every row."""
        l3 = self.l3

        def words(start: int, end: int) -> I64Array:
            total = np.zeros(body.shape[0], dtype=np.int64)
            for w in range(start, end, 2):
                total += _read_word(body, w)
            return total

        v4 = words(l3 + 12, l3 + 20)
        if self.ip_version == 4:
            return v4 + self.proto
        v6 = words(l3 + 8, l3 + 40) if l3 + 40 <= body.shape[1] else v4 * 0
        if self.ip_version == 6:
            return v6 + self.proto
        is_v4 = (body[:, l3] >> 4) == 4
        return np.where(is_v4, v4, v6) + self.proto
