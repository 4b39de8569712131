"""Capture filters that keep frames with (of one TID) or without a TPLD, run by
libpcap on frames with real TPLDs."""

from __future__ import annotations

import pytest

from wirespeed.capture import compile_filter
from wirespeed.errors import ValidationError
from wirespeed.tpld import TpldFields, TpldMode, tpld_filter

BODY = bytes(range(14)) + bytes(40)


def _frame(mode: TpldMode, tid: int) -> bytes:
    return BODY + TpldFields(tid, seq=5, ts_ns=123_456_789).to_bytes(mode)


@pytest.mark.parametrize(
    "mode", [TpldMode.NORMAL, TpldMode.NORMAL_WITH_PAYLOAD_CHECKSUM]
)
def test_tpld_frames_kept_by_tid_others_by_the_negation(mode: TpldMode) -> None:
    with_any = compile_filter(tpld_filter(mode, with_tpld=True))
    with_7 = compile_filter(tpld_filter(mode, with_tpld=True, tid=7))
    without = compile_filter(tpld_filter(mode, with_tpld=False))
    tid7, tid8 = _frame(mode, 7), _frame(mode, 0x0807)
    plain, short = BODY + bytes(20), bytes(range(14))
    assert [bool(with_any.matches(f)) for f in (tid7, tid8, plain, short)] == [
        True, True, False, False,
    ]  # fmt: skip
    assert [bool(with_7.matches(f)) for f in (tid7, tid8, plain)] == [
        True, False, False,
    ]  # fmt: skip
    assert [bool(without.matches(f)) for f in (tid7, tid8, plain, short)] == [
        False, False, True, True,
    ]  # fmt: skip


def test_forms_without_a_shape_and_bad_tids_are_refused() -> None:
    for mode in (TpldMode.MICRO, TpldMode.TREX):
        with pytest.raises(ValidationError, match="cannot be told apart") as exc:
            tpld_filter(mode, with_tpld=True)
        assert exc.value.field == "tpld_mode"
    with pytest.raises(ValidationError, match=r"outside 0\.\.65535"):
        tpld_filter(TpldMode.NORMAL, with_tpld=True, tid=70_000)
    with pytest.raises(ValidationError, match="needs with_tpld"):
        tpld_filter(TpldMode.NORMAL, with_tpld=False, tid=3)
