"""Rates and frame-size/payload patterns."""

import pytest

from wirespeed.errors import ValidationError
from wirespeed.model import (
    FrameLength,
    LengthType,
    Modifier,
    ModifierAction,
    Payload,
    PayloadType,
    Rate,
    RateUnit,
)
from wirespeed.model.modifiers import Endian

LINE_10G = 10_000_000_000


@pytest.mark.parametrize(
    ("rate", "expected"),
    [
        (Rate(RateUnit.PPS, 500.0), 500.0),
        (Rate(RateUnit.L2_BPS, 1_000_000), 1000.0),  # 125 B * 8 bits
        (Rate(RateUnit.L1_BPS, 1_160_000), 1000.0),  # (125 + 20) * 8 bits
        (Rate(RateUnit.PERCENT, 10), 0.1 * LINE_10G / 1160),
        (Rate(RateUnit.PPM, 100_000), 0.1 * LINE_10G / 1160),
    ],
)
def test_to_pps(rate, expected):
    assert rate.to_pps(LINE_10G, 125.0) == pytest.approx(expected, rel=1e-12)


def test_64_byte_line_rate():
    assert Rate.percent(100).to_pps(LINE_10G, 64) == pytest.approx(14_880_952.38, 1e-9)


@pytest.mark.parametrize(
    ("unit", "value"),
    [
        (RateUnit.PPS, 0),
        (RateUnit.PPS, -1),
        (RateUnit.PERCENT, 101),
        (RateUnit.PPM, 2e6),
    ],
)
def test_bad_rates_name_the_field(unit, value):
    with pytest.raises(ValidationError) as info:
        Rate(unit, value)
    assert info.value.field == "rate.value"


def test_frame_length_rules():
    with pytest.raises(ValidationError) as info:
        FrameLength(LengthType.RANDOM, 200, 100)
    assert info.value.field == "max_bytes"
    with pytest.raises(ValidationError) as info:
        FrameLength(LengthType.RANDOM, 64, 16385)
    assert info.value.field == "max_bytes"
    with pytest.raises(ValidationError) as info:
        FrameLength.fixed(17)
    assert info.value.field == "min_bytes"
    assert FrameLength(LengthType.FIXED, 128, 64).largest_bytes == 128


def test_frame_length_means():
    assert FrameLength(LengthType.MIX).mean_bytes == pytest.approx(4342 / 12)
    assert FrameLength(LengthType.MIX).smallest_bytes == 64
    assert FrameLength(LengthType.BUTTERFLY, 64, 1518).mean_bytes == 791.0


@pytest.mark.parametrize(
    ("length", "want"),
    [
        (FrameLength.fixed(46), 64.0),
        (FrameLength.fixed(64), 64.0),
        (FrameLength.fixed(65), 65.0),
        (FrameLength(LengthType.INCREMENTING, 18, 63), 64.0),
        (FrameLength(LengthType.INCREMENTING, 60, 67), (5 * 64 + 65 + 66 + 67) / 8),
        (FrameLength(LengthType.RANDOM, 50, 70), (14 * 64 + sum(range(64, 71))) / 21),
        (FrameLength(LengthType.BUTTERFLY, 64, 1518), 791.0),
        (FrameLength(LengthType.MIX, mix=((46, 3), (128, 1))), (3 * 64 + 128) / 4),
        (FrameLength(LengthType.MIX), 4342 / 12),
    ],
)
def test_mean_wire_bytes_counts_short_frames_padded(length, want):
    """Frames under 64 bytes leave padded to 64, as a NIC sends them."""
    assert length.mean_wire_bytes == pytest.approx(want)


def test_payload_rules():
    with pytest.raises(ValidationError) as info:
        Payload(PayloadType.PATTERN, b"")
    assert info.value.field == "pattern"
    assert Payload(PayloadType.INC16).is_incrementing
    assert not Payload(PayloadType.PRBS).is_incrementing


def test_modifier_mask_units():
    mod = Modifier(pos=6, mask=0x0FC00000, action=ModifierAction.RANDOM)
    assert mod.field_mask == 0x0FC0
    assert mod.shift == 6
    assert mod.value_max == 63
    ext = Modifier(pos=6, mask=0xFFFFFF00, is_extended=True)
    assert (ext.width_bytes, ext.field_mask, ext.value_max) == (3, 0xFFFFFF, 0xFFFFFF)
    little = Modifier(pos=0, mask=0xFF000000, endian=Endian.LITTLE)
    assert little.field_mask == 0x00FF


def test_modifier_range_rules():
    with pytest.raises(ValidationError) as info:
        Modifier(pos=0, min_value=100, step=10, max_value=205)
    assert info.value.field == "max_value"
    with pytest.raises(ValidationError) as info:
        Modifier(pos=0, mask=0x00FF0000, max_value=256)
    assert info.value.field == "max_value"
    with pytest.raises(ValidationError) as info:
        Modifier(pos=0, mask=0x0000FFFF)  # only the upper 2 bytes apply
    assert info.value.field == "mask"
    with pytest.raises(ValidationError) as info:
        Modifier(pos=0, repeat=0)
    assert info.value.field == "repeat"
    assert Modifier(pos=0, min_value=100, step=10, max_value=200).value_count == 11
