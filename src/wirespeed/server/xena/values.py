"""Value fields of the Xena commands and their two encodings.

A command's values are a tuple of Python values described by a tuple of
:class:`Field`. The binary protocol packs them big-endian back to back with no
per-field alignment (:func:`decode_binary`, :func:`encode_binary`); the text CLI
writes them as space-separated tokens: decimal numbers or coded names, ``0x`` hex
strings, quoted strings, dotted IPv4 addresses (:func:`parse_text`,
:func:`format_text`). A coded field's numbers and names come from its
:class:`Coding`.
"""

from __future__ import annotations

import enum
import struct
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from ipaddress import IPv4Address, IPv6Address
from typing import Any, Generic, TypeVar

from wirespeed.server.xena.status import Status, XenaStatusError
from wirespeed.server.xena.syntax import CliSyntaxError, Token

__all__ = [
    "Coding",
    "Field",
    "Kind",
    "Value",
    "decode_binary",
    "encode_binary",
    "format_text",
    "parse_text",
]

Value = int | bytes | str | IPv4Address | IPv6Address | tuple[int, ...]


class Kind(enum.Enum):
    """Wire type of one field (the letters are the XOA type letters)."""

    U8 = "B"
    I32 = "I"
    U32 = "U"
    I64 = "L"
    HEX = "H"
    STR = "S"
    IPV4 = "A"
    IPV6 = "A6"
    LIST_U8 = "B*"
    LIST_I32 = "I*"
    LIST_I64 = "L*"


_STRUCT: dict[Kind, struct.Struct] = {
    Kind.U8: struct.Struct("!B"),
    Kind.I32: struct.Struct("!i"),
    Kind.U32: struct.Struct("!I"),
    Kind.I64: struct.Struct("!q"),
    Kind.LIST_U8: struct.Struct("!B"),
    Kind.LIST_I32: struct.Struct("!i"),
    Kind.LIST_I64: struct.Struct("!q"),
}
_RANGE: dict[Kind, tuple[int, int]] = {
    Kind.U8: (0, 0xFF),
    Kind.I32: (-(2**31), 2**32 - 1),
    Kind.U32: (0, 2**32 - 1),
    Kind.I64: (-(2**63), 2**64 - 1),
    Kind.LIST_U8: (0, 0xFF),
    Kind.LIST_I32: (-(2**31), 2**32 - 1),
    Kind.LIST_I64: (-(2**63), 2**64 - 1),
}
_LISTS = (Kind.LIST_U8, Kind.LIST_I32, Kind.LIST_I64)

M = TypeVar("M", bound=enum.Enum)
IE = TypeVar("IE", bound=enum.IntEnum)


@dataclass(frozen=True)
class Coding(Generic[M]):
    """The coded values of a field: wire code, CLI name and enumeration member.

    Attributes:
        title: the name of the coded type, for messages (``ModifierAction``).
        rows: ``(wire code, CLI name, member)``; the first row of a code decodes it,
            later rows only say how further members are written.
    """

    title: str
    rows: tuple[tuple[int, str, M], ...]
    _by_code: dict[int, tuple[str, M]] = field(init=False, repr=False, compare=False)
    _by_name: dict[str, int] = field(init=False, repr=False, compare=False)
    _by_member: dict[M, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_code: dict[int, tuple[str, M]] = {}
        by_name: dict[str, int] = {}
        by_member: dict[M, int] = {}
        for code, name, member in self.rows:
            by_code.setdefault(code, (name, member))
            by_name.setdefault(name, code)
            by_member.setdefault(member, code)
        object.__setattr__(self, "_by_code", by_code)
        object.__setattr__(self, "_by_name", by_name)
        object.__setattr__(self, "_by_member", by_member)

    @classmethod
    def of(cls, members: type[IE]) -> Coding[IE]:
        """The coding of an enumeration whose names and values are the wire's."""
        return Coding(members.__name__, tuple((int(m), m.name, m) for m in members))

    def name(self, code: int) -> str | None:
        """The CLI name of a wire code (None if it has none)."""
        row = self._by_code.get(code)
        return None if row is None else row[0]

    def code_of(self, name: str) -> int | None:
        """The wire code of a CLI name in upper case (None if unknown)."""
        return self._by_name.get(name)

    def member(self, value: Any) -> M:
        """The member a decoded value stands for.

        Raises:
            XenaStatusError: BADVALUE if ``value`` is no code of this field.
        """
        row = self._by_code.get(value) if isinstance(value, int) else None
        if row is None:
            raise XenaStatusError(Status.BADVALUE, f"bad {self.title} {value!r}")
        return row[1]

    def code(self, member: M) -> int:
        """The wire code of a member.

        Raises:
            ValueError: the field has no code for ``member``.
        """
        code = self._by_member.get(member)
        if code is None:
            raise ValueError(f"{self.title} has no code for {member!r}")
        return code


@dataclass(frozen=True)
class Field:
    """One value of a command.

    Attributes:
        name: the field name (as in Xena's documentation, snake case).
        kind: its wire type.
        size: byte size of a fixed-size HEX field (None: runs to the end).
        coded: the coded values, whose names the CLI accepts and prints.
        aliases: extra coded names accepted on input (e.g. START for ON).
    """

    name: str
    kind: Kind
    size: int | None = None
    coded: Coding[Any] | None = None
    aliases: Mapping[str, int] = field(default_factory=dict)

    @property
    def is_variable(self) -> bool:
        """True if the field runs to the end of the values (string, H*, lists)."""
        return self.kind in (Kind.STR, *_LISTS) or (
            self.kind is Kind.HEX and self.size is None
        )

    @property
    def type_letter(self) -> str:
        """The XOA type letter(s) shown by HELP (``B``, ``I``, ``H4``, ``I*``...)."""
        if self.kind is Kind.HEX:
            return f"H{self.size}" if self.size is not None else "H*"
        return self.kind.value if self.kind is not Kind.U32 else "I"


def _wrap(kind: Kind, value: int) -> int:
    """Fold an unsigned spelling of a signed field into its signed value."""
    if kind in (Kind.I32, Kind.LIST_I32) and value >= 2**31:
        return value - 2**32
    if kind in (Kind.I64, Kind.LIST_I64) and value >= 2**63:
        return value - 2**64
    return value


# ---------------------------------------------------------------- binary
def decode_binary(fields: Sequence[Field], data: bytes) -> tuple[Value, ...]:
    """Unpack the value bytes of a request.

    Args:
        fields: the command's set fields.
        data: exactly the value bytes (without padding).

    Returns:
        One value per field.

    Raises:
        XenaStatusError: BADSIZE if ``data`` is too short or too long.
    """
    out: list[Value] = []
    pos = 0
    for f in fields:
        rest = data[pos:]
        if f.kind in _LISTS:
            step = _STRUCT[f.kind].size
            if len(rest) % step:
                raise XenaStatusError(Status.BADSIZE, f"{f.name}: ragged list")
            out.append(tuple(v for (v,) in _STRUCT[f.kind].iter_unpack(rest)))
            pos = len(data)
        elif f.kind is Kind.STR:
            out.append(rest.split(b"\0", 1)[0].decode("latin-1"))
            pos = len(data)
        elif f.kind is Kind.HEX and f.size is None:
            out.append(bytes(rest))
            pos = len(data)
        else:
            size = _fixed_size(f)
            if len(rest) < size:
                raise XenaStatusError(Status.BADSIZE, f"{f.name}: too few bytes")
            chunk = rest[:size]
            pos += size
            if f.kind is Kind.HEX:
                out.append(bytes(chunk))
            elif f.kind is Kind.IPV4:
                out.append(IPv4Address(chunk))
            elif f.kind is Kind.IPV6:
                out.append(IPv6Address(chunk))
            else:
                out.append(_STRUCT[f.kind].unpack(chunk)[0])
    if pos != len(data):
        raise XenaStatusError(Status.BADSIZE, f"{len(data) - pos} extra value bytes")
    return tuple(out)


def _fixed_size(f: Field) -> int:
    if f.kind is Kind.HEX:
        assert f.size is not None
        return f.size
    if f.kind is Kind.IPV4:
        return 4
    if f.kind is Kind.IPV6:
        return 16
    return _STRUCT[f.kind].size


def encode_binary(fields: Sequence[Field], values: Sequence[Value]) -> bytes:
    """Pack reply values; strings not at the end are NUL-padded to 4 bytes.

    Args:
        fields: the command's get fields.
        values: one value per field (ints already in range).

    Returns:
        The value bytes (the framing adds the final padding).
    """
    parts: list[bytes] = []
    last = len(fields) - 1
    for i, (f, v) in enumerate(zip(fields, values, strict=True)):
        if f.kind in _LISTS:
            assert isinstance(v, tuple)
            fmt = _STRUCT[f.kind].format[1:]
            parts.append(struct.pack(f"!{len(v)}{fmt}", *(_wrap(f.kind, x) for x in v)))
        elif f.kind is Kind.STR:
            assert isinstance(v, str)
            raw = v.encode("latin-1", "replace")
            if i != last:  # the client cuts at the first NUL on a 4-byte boundary
                raw += b"\0" * (4 - len(raw) % 4)
            parts.append(raw)
        elif f.kind is Kind.HEX:
            assert isinstance(v, bytes)
            if f.size is not None:
                v = v[: f.size].ljust(f.size, b"\0")
            parts.append(v)
        elif f.kind in (Kind.IPV4, Kind.IPV6):
            assert isinstance(v, IPv4Address | IPv6Address)
            parts.append(v.packed)
        else:
            assert isinstance(v, int)
            parts.append(_STRUCT[f.kind].pack(_wrap(f.kind, v)))
    return b"".join(parts)


# ---------------------------------------------------------------- text
def _format_int(f: Field, v: int) -> str:
    name = f.coded.name(v) if f.coded is not None else None
    return str(v) if name is None else name


def _format_str(v: str) -> str:
    parts: list[str] = []
    run = ""
    for ch in v:
        if 32 <= ord(ch) < 127 and ch != '"':
            run += ch
            continue
        if run:
            parts.append(f'"{run}"')
            run = ""
        parts.append(str(ord(ch)))
    if run or not parts:
        parts.append(f'"{run}"')
    return ",".join(parts)


def format_text(fields: Sequence[Field], values: Sequence[Value]) -> str:
    """Write values as CLI tokens separated by spaces.

    Args:
        fields: the command's get fields.
        values: one value per field.

    Returns:
        The value part of a query reply, e.g. ``6 0x0FC00000 RANDOM 1``.
    """
    tokens: list[str] = []
    for f, v in zip(fields, values, strict=True):
        if f.kind in _LISTS:
            assert isinstance(v, tuple)
            tokens.extend(_format_int(f, x) for x in v)
        elif f.kind is Kind.STR:
            assert isinstance(v, str)
            tokens.append(_format_str(v))
        elif f.kind is Kind.HEX:
            assert isinstance(v, bytes)
            tokens.append("0x" + v.hex().upper())
        elif f.kind is Kind.IPV4:
            tokens.append(str(v))
        elif f.kind is Kind.IPV6:
            assert isinstance(v, IPv6Address)
            tokens.append("0x" + v.packed.hex().upper())
        else:
            assert isinstance(v, int)
            tokens.append(_format_int(f, v))
    return " ".join(tokens)


def _parse_int(f: Field, tok: Token) -> int:
    text = tok.text
    if tok.quoted:
        raise CliSyntaxError("a number was expected", tok.column)
    try:
        value = int(text, 16) if text[:2].lower() == "0x" else int(text, 10)
    except ValueError:
        value = _parse_coded(f, tok)
    low, high = _RANGE[f.kind]
    if not low <= value <= high:
        raise CliSyntaxError(f"{f.name} out of range", tok.column)
    return _wrap(f.kind, value)


def _parse_coded(f: Field, tok: Token) -> int:
    name = tok.text.upper()
    if name in f.aliases:
        return f.aliases[name]
    code = f.coded.code_of(name) if f.coded is not None else None
    if code is not None:
        return code
    raise CliSyntaxError(f"bad value for {f.name}", tok.column)


def _parse_hex(f: Field, tok: Token) -> bytes:
    text = tok.text
    if tok.quoted or text[:2].lower() != "0x":
        raise CliSyntaxError("a 0x hex value was expected", tok.column)
    digits = text[2:]
    if len(digits) % 2:
        raise CliSyntaxError("odd number of hex digits", tok.column)
    try:
        raw = bytes.fromhex(digits)
    except ValueError:
        raise CliSyntaxError("bad hex digit", tok.column) from None
    if f.size is not None:
        if len(raw) > f.size:
            raise CliSyntaxError(f"{f.name} has {f.size} bytes", tok.column)
        raw = raw.ljust(f.size, b"\0")  # short masks are left-aligned (0xFFFF)
    return raw


def _parse_addr(f: Field, tok: Token) -> IPv4Address | IPv6Address:
    text = tok.text
    try:
        if text[:2].lower() == "0x":
            raw = bytes.fromhex(text[2:])
            return IPv4Address(raw) if f.kind is Kind.IPV4 else IPv6Address(raw)
        if f.kind is Kind.IPV4:
            return IPv4Address(int(text) if text.isdigit() else text)
        return IPv6Address(text)
    except ValueError:
        raise CliSyntaxError(f"bad address for {f.name}", tok.column) from None


def parse_text(
    fields: Sequence[Field], tokens: Sequence[Token], end_column: int
) -> tuple[Value, ...]:
    """Read CLI value tokens into values.

    Args:
        fields: the command's set fields.
        tokens: the value tokens of the line.
        end_column: the column just past the end of the line (for a missing value).

    Returns:
        One value per field.

    Raises:
        CliSyntaxError: a token is malformed, missing or in excess (with its column).
    """
    out: list[Value] = []
    i = 0
    for f in fields:
        if f.kind in _LISTS:
            out.append(tuple(_parse_int(f, t) for t in tokens[i:]))
            i = len(tokens)
            continue
        if i >= len(tokens):
            raise CliSyntaxError(f"{f.name} is missing", end_column)
        tok = tokens[i]
        i += 1
        if f.kind is Kind.STR:
            out.append(tok.text)
        elif f.kind is Kind.HEX:
            out.append(_parse_hex(f, tok))
        elif f.kind in (Kind.IPV4, Kind.IPV6):
            out.append(_parse_addr(f, tok))
        else:
            out.append(_parse_int(f, tok))
    if i < len(tokens):
        raise CliSyntaxError("too many values", tokens[i].column)
    return tuple(out)
