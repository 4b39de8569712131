"""Xena field modifiers (``PS_MODIFIER``/``PS_MODIFIEREXT`` + range + endian).

A modifier acts on 2 bytes (16-bit modifier) or 3 bytes (24-bit "extended"
modifier) at byte ``pos`` of every frame. Its 32-bit ``mask`` is written as four
bytes; only the first 2 (or 3) of them apply, to the bytes at ``pos``, ``pos+1``
(``pos+2``). Bits outside the mask keep the template's value.

Values are in units of the masked field: a value ``v`` is shifted left to the
mask's lowest set bit and ANDed with the mask. ``INC`` walks min, min+step, ..., max
and wraps; ``DEC`` walks max, max-step, ..., min and wraps; ``RANDOM`` draws every
possible bit pattern under the mask. Each value is used for ``repeat`` consecutive
frames. ``BIG`` endian (default) reads the bytes as a big-endian number, so an
increment starts at the highest address; ``LITTLE`` reads them little-endian (the
mask still selects the same bits of the same bytes).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

from wirespeed.errors import ValidationError

__all__ = ["Endian", "Modifier", "ModifierAction"]


class ModifierAction(IntEnum):
    """Modifier action (Xena ``ModifierAction`` codes)."""

    INC = 0
    DEC = 1
    RANDOM = 2


class Endian(IntEnum):
    """Byte order of the modified field (Xena ``PS_MODIFIER_ENDIAN``)."""

    BIG = 0
    LITTLE = 1


def _int(value: object, field: str, lo: int, hi: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError("must be an integer", field=field)
    if not lo <= value <= hi:
        raise ValidationError(f"{value} not in {lo}..{hi}", field=field)
    return value


@dataclass(frozen=True)
class Modifier:
    """One Xena modifier; ``None`` range bounds mean the whole masked field.

    Attributes:
        pos: byte offset in the frame (from the start of the Ethernet header).
        mask: the four mask bytes as a 32-bit number, e.g. ``0xFFFF0000``.
        action: INC, DEC or RANDOM.
        repeat: how many consecutive frames carry each value (>= 1).
        min_value: first INC value (None = 0).
        step: distance between values (>= 1).
        max_value: last INC value (None = all mask bits set); ``max`` must equal
            ``min + k * step``.
        endian: byte order of the field.
        is_extended: True for a 24-bit (``PS_MODIFIEREXT``) modifier.
    """

    pos: int
    mask: int = 0xFFFF0000
    action: ModifierAction = ModifierAction.INC
    repeat: int = 1
    min_value: int | None = None
    step: int = 1
    max_value: int | None = None
    endian: Endian = Endian.BIG
    is_extended: bool = False

    def __post_init__(self) -> None:
        _int(self.pos, "pos", 0, 16383)
        _int(self.mask, "mask", 0, 0xFFFFFFFF)
        if not isinstance(self.action, ModifierAction):
            raise ValidationError(f"unknown action {self.action!r}", field="action")
        if not isinstance(self.endian, Endian):
            raise ValidationError(f"unknown endian {self.endian!r}", field="endian")
        _int(self.repeat, "repeat", 1, 0xFFFFFFFF)
        if self.field_mask == 0:
            raise ValidationError("mask selects no bit of the field", field="mask")
        top = self.value_max
        _int(self.step, "step", 1, max(top, 1))
        lo = _int(self.range_min, "min_value", 0, top)
        hi = _int(self.range_max, "max_value", 0, top)
        if hi < lo:
            raise ValidationError("max_value < min_value", field="max_value")
        if (hi - lo) % self.step:
            raise ValidationError(
                "max_value must equal min_value + k * step", field="max_value"
            )

    @property
    def width_bytes(self) -> int:
        """Bytes the modifier touches: 2 (16-bit) or 3 (24-bit extended)."""
        return 3 if self.is_extended else 2

    @property
    def field_mask(self) -> int:
        """The mask over the touched bytes, read in the modifier's byte order.

        The mask bytes always cover the same bytes of the frame (``pos``...);
        only the number they form depends on ``endian``.
        """
        raw = (self.mask >> (32 - 8 * self.width_bytes)).to_bytes(self.width_bytes)
        return int.from_bytes(raw, "big" if self.endian is Endian.BIG else "little")

    @property
    def shift(self) -> int:
        """Bit position (in the big-endian field) of the mask's lowest set bit."""
        m = self.field_mask
        return (m & -m).bit_length() - 1

    @property
    def value_max(self) -> int:
        """Largest value the masked field holds (all mask bits set, shifted down)."""
        return self.field_mask >> self.shift

    @property
    def range_min(self) -> int:
        """Effective minimum value."""
        return 0 if self.min_value is None else self.min_value

    @property
    def range_max(self) -> int:
        """Effective maximum value."""
        return self.value_max if self.max_value is None else self.max_value

    @property
    def value_count(self) -> int:
        """Number of distinct INC/DEC values in one cycle."""
        return (self.range_max - self.range_min) // self.step + 1
