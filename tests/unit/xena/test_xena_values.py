"""Value fields: binary packing as the XOA client does it, CLI tokens."""

from __future__ import annotations

from ipaddress import IPv4Address

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wirespeed.model import ModifierAction
from wirespeed.server.xena.coding import SEGMENTS
from wirespeed.server.xena.commands.fields import (
    addr4,
    hexf,
    i32,
    i32s,
    i64,
    string,
    u8,
    u8s,
)
from wirespeed.server.xena.enums import OnOff
from wirespeed.server.xena.status import Status, XenaStatusError
from wirespeed.server.xena.syntax import CliSyntaxError, Token
from wirespeed.server.xena.values import (
    decode_binary,
    encode_binary,
    format_text,
    parse_text,
)

MODIFIER = (
    i32("position"),
    hexf("mask", 4),
    i32("action", ModifierAction),
    i32("repetition"),
)


def toks(*words: str) -> list[Token]:
    out, col = [], 1
    for w in words:
        out.append(Token(w, col))
        col += len(w) + 1
    return out


def test_modifier_binary() -> None:
    raw = bytes.fromhex("00000006 0FC00000 00000002 00000001")
    values = decode_binary(MODIFIER, raw)
    assert values == (6, b"\x0f\xc0\x00\x00", 2, 1)
    assert encode_binary(MODIFIER, values) == raw


def test_no_alignment_between_fields() -> None:
    fields = (u8("on_off", OnOff), i32s("module_ports"))
    raw = b"\x01" + bytes.fromhex("00000000 00000001")
    assert decode_binary(fields, raw) == (1, (0, 1))


def test_sizes_are_checked() -> None:
    with pytest.raises(XenaStatusError) as err:
        decode_binary(MODIFIER, bytes(15))
    assert err.value.status is Status.BADSIZE
    with pytest.raises(XenaStatusError) as err:
        decode_binary((i32("x"),), bytes(5))
    assert err.value.status is Status.BADSIZE
    with pytest.raises(XenaStatusError):
        decode_binary((i32s("x"),), bytes(6))


def test_strings() -> None:
    assert decode_binary((string("s"),), b"XOA") == ("XOA",)
    assert encode_binary((string("s"),), ("abcd",)) == b"abcd"
    # a string followed by another field is NUL-padded to a 4-byte boundary
    fields = (string("a"), i32("b"))
    assert encode_binary(fields, ("abcd", 1)) == b"abcd\0\0\0\0\0\0\0\1"
    assert encode_binary(fields, ("ab", 1)) == b"ab\0\0\0\0\0\1"


def test_signed_and_unsigned_spellings() -> None:
    assert encode_binary((i32("x"),), (-1,)) == b"\xff" * 4
    assert encode_binary((i32("x"),), (0xFFFFFFFF,)) == b"\xff" * 4
    assert decode_binary((i64("x"),), b"\xff" * 8) == (-1,)
    assert encode_binary((addr4("a"),), (IPv4Address("198.18.0.1"),)) == bytes(
        [198, 18, 0, 1]
    )


def test_text_modifier_from_the_seed() -> None:
    values = parse_text(MODIFIER, toks("6", "0x0FC00000", "RANDOM", "1"), 30)
    assert values == (6, b"\x0f\xc0\x00\x00", 2, 1)
    assert format_text(MODIFIER, values) == "6 0x0FC00000 RANDOM 1"


def test_text_short_mask_is_left_aligned() -> None:
    values = parse_text(MODIFIER, toks("14", "0xFFFF", "inc", "1"), 30)
    assert values[1] == b"\xff\xff\x00\x00"
    assert values[2] == 0


def test_text_lists_and_coded_lists() -> None:
    seg = (u8s("segments", SEGMENTS),)
    assert parse_text(seg, toks("ETHERNET", "IP", "UDP", "RAW_2"), 40) == (
        (1, 4, 6, 254),
    )
    assert format_text(seg, ((1, 4, 254),)) == "ETHERNET IP RAW_2"
    assert parse_text((i32s("x"),), [], 5) == ((),)


def test_text_strings_with_codes() -> None:
    assert format_text((string("c"),), ('a"b\n',)) == '"a",34,"b",10'
    assert format_text((string("c"),), ("",)) == '""'


@pytest.mark.parametrize(
    ("fields", "words", "column"),
    [
        (MODIFIER, ("6", "0xZZ", "INC", "1"), 3),
        (MODIFIER, ("6", "0x0FC00000", "SIDEWAYS", "1"), 14),
        (MODIFIER, ("6", "0x0FC0000000", "INC", "1"), 3),
        (MODIFIER, ("6", "0x0FC00000", "INC"), 99),
        (MODIFIER, ("6", "0x0FC00000", "INC", "1", "7"), 20),
        ((u8("b"),), ("256",), 1),
        ((hexf("h"),), ("0xABC",), 1),
    ],
)
def test_text_errors_have_columns(fields, words, column) -> None:
    with pytest.raises(CliSyntaxError) as err:
        parse_text(fields, toks(*words), 99)
    assert err.value.column == column


@given(st.lists(st.integers(-(2**31), 2**31 - 1), max_size=8))
def test_int_list_round_trip(xs: list[int]) -> None:
    fields = (i32s("x"),)
    assert decode_binary(fields, encode_binary(fields, (tuple(xs),))) == (tuple(xs),)
    words = format_text(fields, (tuple(xs),)).split()
    assert parse_text(fields, toks(*words), 1) == (tuple(xs),)


@given(st.binary(max_size=64))
def test_hex_round_trip(data: bytes) -> None:
    fields = (u8("kind"), hexf("data"))
    assert decode_binary(fields, encode_binary(fields, (3, data))) == (3, data)
    assert parse_text(fields, toks(*format_text(fields, (3, data)).split()), 1) == (
        3,
        data,
    )
