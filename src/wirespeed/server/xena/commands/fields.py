"""Short constructors for the value fields of the command table."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any, TypeVar

from wirespeed.server.xena.status import Status, XenaStatusError
from wirespeed.server.xena.values import Coding, Field, Kind, Value

E = TypeVar("E", bound=enum.IntEnum)
Coded = Coding[Any] | type[enum.IntEnum] | None
"""A field's coded values: a coding table, or an enumeration of Xena's own."""

__all__ = [
    "addr4",
    "addr6",
    "hexf",
    "i32",
    "i32s",
    "i64",
    "i64x",
    "string",
    "u8",
    "u8s",
]


def _coding(coded: Coded) -> Coding[Any] | None:
    if coded is None or isinstance(coded, Coding):
        return coded
    return Coding.of(coded)


def u8(name: str, coded: Coded = None, **aliases: int) -> Field:
    """A byte (``B``), optionally coded."""
    return Field(name, Kind.U8, coded=_coding(coded), aliases=_aliases(aliases))


def i32(name: str, coded: Coded = None) -> Field:
    """A 32-bit integer (``I``)."""
    return Field(name, Kind.I32, coded=_coding(coded))


def i64(name: str) -> Field:
    """A 64-bit integer (``L``)."""
    return Field(name, Kind.I64)


def i64x(*names: str) -> tuple[Field, ...]:
    """Several 64-bit integers."""
    return tuple(i64(n) for n in names)


def hexf(name: str, size: int | None = None) -> Field:
    """Raw bytes (``H<size>``, or ``H*`` running to the end)."""
    return Field(name, Kind.HEX, size=size)


def string(name: str) -> Field:
    """A string (``S``)."""
    return Field(name, Kind.STR)


def addr4(name: str) -> Field:
    """An IPv4 address (``A``)."""
    return Field(name, Kind.IPV4)


def addr6(name: str) -> Field:
    """An IPv6 address (16 bytes)."""
    return Field(name, Kind.IPV6)


def u8s(name: str, coded: Coded = None) -> Field:
    """A list of bytes to the end (``B*``)."""
    return Field(name, Kind.LIST_U8, coded=_coding(coded))


def i32s(name: str) -> Field:
    """A list of 32-bit integers to the end (``I*``)."""
    return Field(name, Kind.LIST_I32)


def _aliases(aliases: Mapping[str, int]) -> dict[str, int]:
    return {k.upper(): v for k, v in aliases.items()}


def as_int(value: Value) -> int:
    """A decoded integer value (the field types guarantee it)."""
    if not isinstance(value, int):
        raise XenaStatusError(Status.BADVALUE, f"not a number: {value!r}")
    return value


def as_enum(cls: type[E], value: Value) -> E:
    """A decoded coded value; BADVALUE if it is not one of ``cls``."""
    try:
        return cls(as_int(value))
    except ValueError:
        raise XenaStatusError(
            Status.BADVALUE, f"bad {cls.__name__} {value!r}"
        ) from None
