"""Checked parameter access: every failure names the field."""

from __future__ import annotations

import pytest

from wirespeed.errors import ValidationError
from wirespeed.server.trex.params import UINT64_MAX, Params


def _err(fn: object) -> str:
    with pytest.raises(ValidationError) as info:
        fn()  # type: ignore[operator]
    return str(info.value)


def test_int_rules() -> None:
    p = Params({"a": 5, "b": True, "c": 2.0, "d": 2.5, "e": "5", "m": UINT64_MAX})
    assert p.int("a", lo=0, hi=9) == 5
    assert p.int("c") == 2
    assert p.int("m", hi=UINT64_MAX) == UINT64_MAX
    assert p.int("zz", default=3) == 3
    assert _err(lambda: p.int("b")) == "b: must be an integer, got boolean"
    assert _err(lambda: p.int("d")) == "d: must be an integer, got number"
    assert _err(lambda: p.int("e")) == "e: must be an integer, got string"
    assert _err(lambda: p.int("a", hi=4)) == "a: 5 is above the maximum 4"
    assert _err(lambda: p.int("a", lo=6)) == "a: 5 is below the minimum 6"
    assert _err(lambda: p.int("nope")) == "nope: missing"


def test_float_bool_str_list() -> None:
    p = Params({"f": 1, "t": True, "s": "x" * 10, "l": [1, 2], "o": {"k": "v"}})
    assert p.float("f") == 1.0
    assert p.bool("t") is True
    assert p.str("s") == "x" * 10
    assert p.list("l") == [1, 2]
    assert _err(lambda: p.float("t")) == "t: must be a number, got boolean"
    assert _err(lambda: p.bool("f")) == "f: must be a boolean, got integer"
    assert _err(lambda: p.str("s", max_len=3)) == "s: longer than 3 characters"
    assert _err(lambda: p.list("o")) == "l: must be an array, got object".replace(
        "l:", "o:"
    )
    assert _err(lambda: p.float("f", lo=2.0)) == "f: 1 is below the minimum 2"


def test_nested_objects_carry_the_path() -> None:
    p = Params({"attr": {"promiscuous": {"enabled": 1}}})
    inner = p.obj("attr").obj("promiscuous")
    assert _err(lambda: inner.bool("enabled")) == (
        "attr.promiscuous.enabled: must be a boolean, got integer"
    )


def test_int_list() -> None:
    p = Params({"pgids": [1, 2, 3], "bad": [1, "x"]})
    assert p.int_list("pgids") == [1, 2, 3]
    assert _err(lambda: p.int_list("bad")) == "bad[1]: must be an integer, got string"
