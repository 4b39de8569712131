"""Frame-size and payload patterns (Xena ``PS_PACKETLENGTH`` and ``PS_PAYLOAD``).

Frame sizes count the 4-byte FCS; the bytes handed to the kernel are ``size - 4``.
A frame under :data:`MIN_WIRE_FRAME_BYTES` leaves padded to it, as a NIC pads it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

from wirespeed.errors import ValidationError

__all__ = [
    "IMIX",
    "MAX_FRAME_BYTES",
    "MIN_FRAME_BYTES",
    "MIN_WIRE_FRAME_BYTES",
    "FrameLength",
    "LengthType",
    "Payload",
    "PayloadType",
]

MAX_FRAME_BYTES = 16384
"""Largest frame size accepted (16 KiB, FCS included)."""
MIN_FRAME_BYTES = 18
"""Smallest frame size accepted: a 14-byte Ethernet header plus the FCS."""
MIN_WIRE_FRAME_BYTES = 64
"""Shortest frame on the wire (FCS included): a shorter one is padded with zero bytes
to this (60 bytes handed to the kernel), as a NIC does, and counted at this size. A
test frame is built at this size instead, so that its TPLD still ends it."""

IMIX: tuple[tuple[int, int], ...] = ((64, 7), (594, 4), (1518, 1))
"""The simple IMIX used for ``MIX``: (frame size incl. FCS, weight) = 64:594:1518
in the proportion 7:4:1 (mean 4342 / 12 = 361.83 bytes). The frames of one
12-frame cycle are interleaved, not grouped (see ``wirespeed.fieldengine``)."""


class LengthType(IntEnum):
    """Frame-size pattern (Xena ``LengthType`` codes)."""

    FIXED = 0
    INCREMENTING = 1
    BUTTERFLY = 2
    RANDOM = 3
    MIX = 4


class PayloadType(IntEnum):
    """Payload fill (Xena ``PayloadType`` codes)."""

    PATTERN = 0
    INC8 = 1
    PRBS = 2
    RANDOM = 3
    DEC8 = 4
    INC16 = 5
    DEC16 = 6


def _check_size(value: int, field: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError("frame size must be an integer", field=field)
    if value < MIN_FRAME_BYTES:
        raise ValidationError(f"frame size {value} < {MIN_FRAME_BYTES}", field=field)
    if value > MAX_FRAME_BYTES:
        raise ValidationError(
            f"frame size {value} > {MAX_FRAME_BYTES} (16 KiB)", field=field
        )


@dataclass(frozen=True)
class FrameLength:
    """Frame-size pattern; sizes include the FCS.

    ``FIXED`` uses ``min_bytes`` (``max_bytes`` is kept as given, as Xena does).
    ``INCREMENTING`` walks min..max by 1 and wraps; ``BUTTERFLY`` goes min, max,
    min+1, max-1, ... and wraps; ``RANDOM`` is uniform in min..max; ``MIX`` cycles
    through ``mix`` (size, weight) pairs and ignores min/max.

    Attributes:
        kind: the pattern.
        min_bytes: smallest (or the fixed) frame size, FCS included.
        max_bytes: largest frame size, FCS included.
        mix: (size, weight) pairs used by ``MIX``.
    """

    kind: LengthType = LengthType.FIXED
    min_bytes: int = 64
    max_bytes: int = 64
    mix: tuple[tuple[int, int], ...] = IMIX

    def __post_init__(self) -> None:
        if not isinstance(self.kind, LengthType):
            raise ValidationError(f"unknown length type {self.kind!r}", field="kind")
        _check_size(self.min_bytes, "min_bytes")
        _check_size(self.max_bytes, "max_bytes")
        if self.kind is not LengthType.FIXED and self.max_bytes < self.min_bytes:
            raise ValidationError("max_bytes < min_bytes", field="max_bytes")
        if not self.mix:
            raise ValidationError("mix needs at least one size", field="mix")
        for i, entry in enumerate(self.mix):
            if len(entry) != 2:
                raise ValidationError("mix entries are (size, weight)", field="mix")
            _check_size(entry[0], f"mix[{i}].size")
            weight = entry[1]
            if isinstance(weight, bool) or not isinstance(weight, int) or weight < 1:
                raise ValidationError("weight must be an int >= 1", field=f"mix[{i}]")

    @classmethod
    def fixed(cls, size_bytes: int) -> FrameLength:
        """Return a FIXED pattern of ``size_bytes`` (FCS included)."""
        return cls(LengthType.FIXED, size_bytes, size_bytes)

    @property
    def smallest_bytes(self) -> int:
        """Smallest frame size the pattern produces (FCS included)."""
        if self.kind is LengthType.MIX:
            return min(size for size, _ in self.mix)
        return self.min_bytes

    @property
    def largest_bytes(self) -> int:
        """Largest frame size the pattern produces (FCS included)."""
        if self.kind is LengthType.FIXED:
            return self.min_bytes
        if self.kind is LengthType.MIX:
            return max(size for size, _ in self.mix)
        return self.max_bytes

    @property
    def mean_bytes(self) -> float:
        """Mean frame size over a long run (FCS included)."""
        if self.kind is LengthType.FIXED:
            return float(self.min_bytes)
        if self.kind is LengthType.MIX:
            total = sum(weight for _, weight in self.mix)
            return sum(size * weight for size, weight in self.mix) / total
        return (self.min_bytes + self.max_bytes) / 2

    @property
    def mean_wire_bytes(self) -> float:
        """Mean frame size on the wire over a long run (FCS included): a size under
        :data:`MIN_WIRE_FRAME_BYTES` counts as padded to it."""
        floor = MIN_WIRE_FRAME_BYTES
        if self.kind is LengthType.FIXED:
            return float(max(self.min_bytes, floor))
        if self.kind is LengthType.MIX:
            total = sum(weight for _, weight in self.mix)
            return sum(max(size, floor) * w for size, w in self.mix) / total
        lo, hi = self.min_bytes, self.max_bytes  # each size in lo..hi equally often
        if lo >= floor or hi <= floor:
            return float(max((lo + hi) / 2, floor))
        padded = (floor - lo) * floor + (floor + hi) * (hi - floor + 1) / 2
        return padded / (hi - lo + 1)


@dataclass(frozen=True)
class Payload:
    """What fills a frame after its template, up to the frame size (FCS excluded).

    ``PATTERN`` repeats ``pattern`` from the first payload byte of every frame;
    ``INC8``/``DEC8`` count bytes 00,01,../FF,FE,.. and ``INC16``/``DEC16`` count
    big-endian 16-bit words from the first payload byte; ``PRBS`` is PRBS-31
    (x^31 + x^28 + 1) continuing across frames; ``RANDOM`` is seeded random bytes.

    Attributes:
        kind: the fill.
        pattern: the bytes repeated by ``PATTERN`` (kept, unused, for other kinds).
    """

    kind: PayloadType = PayloadType.PATTERN
    pattern: bytes = b"\x00"

    def __post_init__(self) -> None:
        if not isinstance(self.kind, PayloadType):
            raise ValidationError(f"unknown payload type {self.kind!r}", field="kind")
        if not isinstance(self.pattern, bytes):
            raise ValidationError("pattern must be bytes", field="pattern")
        if self.kind is PayloadType.PATTERN and not self.pattern:
            raise ValidationError("PATTERN payload needs a pattern", field="pattern")
        if len(self.pattern) > MAX_FRAME_BYTES:
            raise ValidationError("pattern longer than 16 KiB", field="pattern")

    @property
    def is_incrementing(self) -> bool:
        """True for the counting payloads (INC8/DEC8/INC16/DEC16)."""
        return self.kind in {
            PayloadType.INC8,
            PayloadType.DEC8,
            PayloadType.INC16,
            PayloadType.DEC16,
        }
