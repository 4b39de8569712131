"""The wire tables of the model's enumerations."""

from __future__ import annotations

import pytest

from wirespeed.model import (
    Endian,
    LengthType,
    ModifierAction,
    PayloadType,
    SegmentType,
    StreamEnable,
)
from wirespeed.server.xena.coding import (
    LENGTH_TYPE,
    MODIFIER_ACTION,
    MODIFIER_ENDIAN,
    PAYLOAD_TYPE,
    SEGMENTS,
    STREAM_STATE,
    TPLD_MODE,
)
from wirespeed.server.xena.status import Status, XenaStatusError
from wirespeed.tpld import TpldMode


@pytest.mark.parametrize(
    ("coding", "members"),
    [
        (MODIFIER_ACTION, ModifierAction),
        (MODIFIER_ENDIAN, Endian),
        (LENGTH_TYPE, LengthType),
        (PAYLOAD_TYPE, PayloadType),
        (STREAM_STATE, StreamEnable),
        (SEGMENTS, SegmentType),
    ],
)
def test_every_member_has_one_code_and_name(coding, members) -> None:
    for member in members:
        code = coding.code(member)
        assert coding.member(code) is member
        assert coding.code_of(coding.name(code)) == code


def test_tpld_modes() -> None:
    assert TPLD_MODE.code(TpldMode.NORMAL) == 0
    assert TPLD_MODE.code(TpldMode.NORMAL_WITH_PAYLOAD_CHECKSUM) == 0
    assert TPLD_MODE.code(TpldMode.MICRO) == 1
    assert TPLD_MODE.member(0) is TpldMode.NORMAL
    assert (TPLD_MODE.name(0), TPLD_MODE.name(1)) == ("NORMAL", "MICRO")
    with pytest.raises(ValueError, match="no code"):
        TPLD_MODE.code(TpldMode.TREX)


def test_a_value_without_a_code_is_badvalue() -> None:
    with pytest.raises(XenaStatusError) as err:
        MODIFIER_ACTION.member(3)
    assert err.value.status is Status.BADVALUE


def test_raw_segments() -> None:
    assert SEGMENTS.name(254) == "RAW_2"
    assert SEGMENTS.name(106) == "RAW_150"
    assert SEGMENTS.name(105) is None
    assert SEGMENTS.code_of("RAW_150") == 106
    assert SEGMENTS.code_of("RAW_151") is None
