"""The CLI line parser: prefixes, indices, queries, strings, error columns."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wirespeed.server.xena.syntax import CliSyntaxError, parse_line


def test_seed_line() -> None:
    line = parse_line("0/1 PS_MODIFIER [5,0] 6 0x0FC00000 RANDOM 1")
    assert line is not None
    assert (line.module, line.port, line.name, line.indices) == (
        0,
        1,
        "PS_MODIFIER",
        (5, 0),
    )
    assert [t.text for t in line.values] == ["6", "0x0FC00000", "RANDOM", "1"]
    assert [t.column for t in line.values] == [23, 25, 36, 43]
    assert not line.query


def test_query_module_and_chassis_forms() -> None:
    q = parse_line("0/1 PS_MODIFIER [5,0] ?")
    assert q is not None
    assert q.query
    assert q.values == ()
    m = parse_line("4 M_MEDIA ?")
    assert m is not None
    assert (m.module, m.port, m.name) == (4, None, "M_MEDIA")
    c = parse_line('c_owner "me"')
    assert c is not None
    assert c.module is None
    assert c.name == "C_OWNER"
    assert c.values[0].text == "me"
    assert c.values[0].quoted


def test_index_without_space_and_spaces_inside() -> None:
    a = parse_line('0/0 PS_COMMENT[2] "x y"')
    b = parse_line('0/0 PS_COMMENT [ 2 ] "x y"')
    assert a is not None
    assert b is not None
    assert a.indices == b.indices == (2,)
    assert a.values[0].text == "x y"


def test_compound_strings() -> None:
    line = parse_line('0/0 PS_COMMENT [0] "a",13,10,"b"')
    assert line is not None
    assert line.values[0].text == "a\r\nb"
    line = parse_line("0/0 PS_COMMENT [0] 65,66")
    assert line is not None
    assert line.values[0].text == "AB"


def test_empty_and_comment_lines() -> None:
    assert parse_line("") is None
    assert parse_line("   ") is None
    assert parse_line("; a comment") is None


@pytest.mark.parametrize(
    ("text", "column", "kind"),
    [
        ("0/1 PS_MODIFIER [5,x] 6", 20, "Index"),
        ("0/1 PS_MODIFIER [5,0 6", 17, "Syntax"),
        ("0/1 9ABC", 5, "Syntax"),
        ('C_OWNER "unterminated', 9, "Syntax"),
        ("0/1 P_TRAFFIC ON ?", 15, "Syntax"),
        ("0/1 P_TRAFFIC ? ?", 17, "Syntax"),
        ("0/1 P_TRAFFIC ? ON", 17, "Syntax"),
        ('C_LOGON "x\u00e9"', 11, "Syntax"),
        ('0/0 PS_COMMENT [0] "a"b', 23, "Syntax"),
        ("0/0 PS_COMMENT ] 1", 16, "Syntax"),
    ],
)
def test_errors(text: str, column: int, kind: str) -> None:
    with pytest.raises(CliSyntaxError) as err:
        parse_line(text)
    assert (err.value.column, err.value.kind) == (column, kind)


def _only_syntax_errors(text: str) -> None:
    column = 1
    try:
        parse_line(text)
    except CliSyntaxError as exc:
        column = exc.column
    assert 1 <= column <= len(text) + 1


@given(st.text(max_size=80))
def test_parser_only_raises_syntax_errors(text: str) -> None:
    _only_syntax_errors(text)
