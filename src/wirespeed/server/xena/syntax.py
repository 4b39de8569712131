"""Lexer and parser of one Xena text CLI line.

A line is ``[<module>[/<port>]] <COMMAND> [[<idx>[,<idx>]]] <values...>|?``. Values
are words (numbers, coded names, ``0x`` hex, dotted addresses) or strings:
``"text"`` with non-printable characters as decimal codes joined by commas
(``"line one",13,10,"line two"``). Columns are counted from 1.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from wirespeed.errors import RemoteProtocolError

__all__ = ["CliLine", "CliSyntaxError", "Token", "parse_line"]

_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")
_PREFIX = re.compile(r"(\d{1,3})(?:/(\d{1,3}))?\Z")
_MAX_INDEX = 2**32 - 1
_CODE = re.compile(r"\d{1,3}")


class CliSyntaxError(RemoteProtocolError):
    """A CLI line is malformed at ``column`` (1-based).

    Args:
        message: what is wrong (for the log).
        column: where, counted from 1.
        kind: ``"Syntax"`` or ``"Index"`` (the word in ``#<kind> error in column N``).
    """

    def __init__(self, message: str, column: int, *, kind: str = "Syntax") -> None:
        super().__init__(f"{kind} error in column {column}: {message}")
        self.column = column
        self.kind = kind
        self.reason = message


@dataclass(frozen=True)
class Token:
    """One value word; ``quoted`` strings carry their decoded text."""

    text: str
    column: int
    quoted: bool = False


@dataclass(frozen=True)
class CliLine:
    """A parsed command line.

    Attributes:
        module: the module index of the prefix (None: no prefix).
        port: the port index of the prefix (None: module-only or no prefix).
        name: the command name, upper case.
        name_column: where the name starts.
        indices: the sub-indices in brackets.
        query: True for ``?``.
        values: the value tokens of a set.
        end_column: the column just past the line's last character.
    """

    module: int | None
    port: int | None
    name: str
    name_column: int
    indices: tuple[int, ...]
    query: bool
    values: tuple[Token, ...]
    end_column: int


def _read_string(line: str, i: int) -> tuple[Token, int]:
    """Read a compound string item list starting at ``i``; return it and the end."""
    start = i
    text: list[str] = []
    while True:
        if i < len(line) and line[i] == '"':
            close = line.find('"', i + 1)
            if close < 0:
                raise CliSyntaxError("unterminated string", i + 1)
            text.append(line[i + 1 : close])
            i = close + 1
        else:
            m = _CODE.match(line, i)
            if m is None or int(m[0]) > 255:
                raise CliSyntaxError("a string or character code was expected", i + 1)
            text.append(chr(int(m[0])))
            i = m.end()
        if i < len(line) and line[i] == ",":
            i += 1
            continue
        if i < len(line) and not line[i].isspace():
            raise CliSyntaxError("unexpected character after string", i + 1)
        return Token("".join(text), start + 1, quoted=True), i


def _is_compound(word: str) -> bool:
    return word.startswith('"') or (
        "," in word and bool(re.match(r'\d{1,3},(\d{1,3}|")', word))
    )


def _read_indices(line: str, i: int) -> tuple[tuple[int, ...], int]:
    close = line.find("]", i)
    if close < 0:
        raise CliSyntaxError("missing ]", i + 1)
    body = line[i + 1 : close]
    out: list[int] = []
    col = i + 2
    for part in body.split(","):
        stripped = part.strip()
        lead = len(part) - len(part.lstrip())
        if not stripped.isdigit() or int(stripped) > _MAX_INDEX:
            raise CliSyntaxError("bad index", col + lead, kind="Index")
        out.append(int(stripped))
        col += len(part) + 1
    return tuple(out), close + 1


def _words(line: str, i: int) -> list[Token]:
    tokens: list[Token] = []
    n = len(line)
    while True:
        while i < n and line[i].isspace():
            i += 1
        if i >= n:
            return tokens
        end = i
        while end < n and not line[end].isspace():
            end += 1
        word = line[i:end]
        if _is_compound(word):
            tok, i = _read_string(line, i)
            tokens.append(tok)
            continue
        tokens.append(Token(word, i + 1))
        i = end


def parse_line(line: str) -> CliLine | None:
    """Parse one CLI line (without its line ending).

    Args:
        line: the text; it must be 7-bit printable ASCII (tabs allowed).

    Returns:
        The parsed line, or None for an empty line or a ``;`` comment.

    Raises:
        CliSyntaxError: with the column of the first offending character.
    """
    for pos, ch in enumerate(line):
        if not (32 <= ord(ch) < 127 or ch == "\t"):
            raise CliSyntaxError("non-ASCII or control character", pos + 1)
    stripped = line.strip()
    if not stripped or stripped.startswith(";"):
        return None
    i = len(line) - len(line.lstrip())
    module = port = None
    end = i
    while end < len(line) and not line[end].isspace():
        end += 1
    first = line[i:end]
    m = _PREFIX.match(first)
    if m:
        module = int(m[1])
        port = int(m[2]) if m[2] is not None else None
        i = end
        while i < len(line) and line[i].isspace():
            i += 1
        end = i
        while end < len(line) and not line[end].isspace() and line[end] != "[":
            end += 1
    else:
        end = i
        while end < len(line) and not line[end].isspace() and line[end] != "[":
            end += 1
    name = line[i:end]
    if not _NAME.match(name):
        raise CliSyntaxError("a command name was expected", i + 1)
    name_column = i + 1
    i = end
    while i < len(line) and line[i].isspace():
        i += 1
    indices: tuple[int, ...] = ()
    if i < len(line) and line[i] == "[":
        indices, i = _read_indices(line, i)
    elif i < len(line) and line[i] == "]":
        raise CliSyntaxError("unexpected ]", i + 1)
    values = _words(line, i)
    query = False
    if any(t.text == "?" and not t.quoted for t in values):
        if len(values) != 1:
            lead = values[0]
            where = values[1] if lead.text == "?" and not lead.quoted else lead
            raise CliSyntaxError("? stands alone", where.column)
        query = True
        values = []
    return CliLine(
        module=module,
        port=port,
        name=name.upper(),
        name_column=name_column,
        indices=indices,
        query=query,
        values=tuple(values),
        end_column=len(line.rstrip()) + 1,
    )
