"""Stream rates: packets/s, L1 or L2 bits/s, percent or ppm of the line rate.

Frame sizes count the 4-byte FCS. L2 bits per frame are ``size * 8``; L1 bits add
the 8-byte preamble+SFD and the 12-byte minimum inter-frame gap:
``(size + 20) * 8``. Percent and ppm are fractions of the port's line rate in L1
bits/s (Xena's ``PS_RATEFRACTION`` "inter-frame gap included", TRex's
``percentage``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import Enum

from wirespeed.errors import ValidationError

__all__ = ["L1_OVERHEAD_BYTES", "Rate", "RateUnit", "convert_rate"]

L1_OVERHEAD_BYTES = 20
"""Preamble + SFD (8) and minimum inter-frame gap (12) added to each frame on L1."""


class RateUnit(Enum):
    """How a rate value is expressed (values are TRex's ``rate.type`` strings)."""

    PPS = "pps"
    L1_BPS = "bps_L1"
    L2_BPS = "bps_L2"
    PERCENT = "percentage"
    PPM = "ppm"


@dataclass(frozen=True)
class Rate:
    """A stream's rate, in one unit, validated at construction.

    Attributes:
        unit: the unit of ``value``.
        value: frames/s, bits/s, percent (0 < p <= 100) or ppm (0 < p <= 1e6).
    """

    unit: RateUnit
    value: float

    def __post_init__(self) -> None:
        if not isinstance(self.unit, RateUnit):
            raise ValidationError(f"unknown rate unit {self.unit!r}", field="rate.unit")
        value = self.value
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValidationError("rate must be a number", field="rate.value")
        if not math.isfinite(value) or value <= 0:
            raise ValidationError(f"rate must be > 0, got {value}", field="rate.value")
        if self.unit is RateUnit.PERCENT and value > 100:
            raise ValidationError("percentage must be <= 100", field="rate.value")
        if self.unit is RateUnit.PPM and value > 1_000_000:
            raise ValidationError("ppm must be <= 1000000", field="rate.value")

    @classmethod
    def pps(cls, value: float) -> Rate:
        """Return a rate of ``value`` frames per second."""
        return cls(RateUnit.PPS, value)

    @classmethod
    def percent(cls, value: float) -> Rate:
        """Return a rate of ``value`` percent of the line rate (L1)."""
        return cls(RateUnit.PERCENT, value)

    def to_pps(self, line_rate_bps: float, mean_frame_len: float) -> float:
        """Return the rate in frames per second.

        Args:
            line_rate_bps: the port's nominal L1 line rate in bits/s.
            mean_frame_len: mean frame size in bytes INCLUDING the FCS.

        Raises:
            ValidationError: a non-positive line rate or frame size.
        """
        return convert_rate(
            self.value, self.unit, RateUnit.PPS, line_rate_bps, mean_frame_len
        )


def convert_rate(
    value: float,
    unit: RateUnit,
    to: RateUnit,
    line_rate_bps: float,
    mean_frame_len: float,
    *,
    overhead_bytes: float = L1_OVERHEAD_BYTES,
) -> float:
    """``value`` in ``unit`` expressed in ``to`` (the one rate conversion).

    Args:
        value: the rate (0 is allowed: it converts to 0).
        unit / to: from and to which unit.
        line_rate_bps: the port's nominal L1 line rate in bits/s (for percent and
            ppm).
        mean_frame_len: mean frame size in bytes INCLUDING the FCS.
        overhead_bytes: what each frame costs on L1 besides itself: preamble and
            gap (a port sending with a shorter gap than the standard 12 bytes
            fits more frames in its line rate).

    Raises:
        ValidationError: a non-positive frame size, or line rate where needed.
    """
    if mean_frame_len <= 0:
        raise ValidationError("mean frame size must be > 0", field="mean_frame_len")
    l2_bits = mean_frame_len * 8
    l1_bits = (mean_frame_len + overhead_bytes) * 8
    fractions = {RateUnit.PERCENT: 100.0, RateUnit.PPM: 1e6}
    if (unit in fractions or to in fractions) and line_rate_bps <= 0:
        raise ValidationError("line rate must be > 0", field="line_rate_bps")
    if unit is RateUnit.PPS:
        pps = float(value)
    elif unit is RateUnit.L2_BPS:
        pps = value / l2_bits
    elif unit is RateUnit.L1_BPS:
        pps = value / l1_bits
    else:
        pps = value / fractions[unit] * line_rate_bps / l1_bits
    if to is RateUnit.PPS:
        return pps
    if to is RateUnit.L2_BPS:
        return pps * l2_bits
    if to is RateUnit.L1_BPS:
        return pps * l1_bits
    return pps * l1_bits / line_rate_bps * fractions[to]
