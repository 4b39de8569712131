"""Values that cross the native RPC, as JSON (pure: no IO).

JSON's own values (``None``, booleans, ints, finite floats, strings, lists, and
objects whose keys are strings other than ``"$"``) stand for themselves. Every
other value is an object tagged with ``"$"``::

    {"$": "tuple", "items": [...]}              a tuple
    {"$": "bytes", "base64": "..."}             bytes
    {"$": "float", "value": "nan"}              nan, inf, -inf
    {"$": "dict", "items": [[key, value], ...]} a dict with other keys
    {"$": "TpldMode", "name": "MICRO"}          a member of a registered enum
    {"$": "IPv4Address", "value": "198.18.0.1"} a registered text value
    {"$": "PortStats", "fields": {...}}         a registered frozen dataclass

Decoding builds only what a :class:`WireTypes` allow-list names, and checks each
dataclass field against its annotation before the class (and its own validation)
sees it: a peer can never make this side build an arbitrary class.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import enum
import math
import numbers
import typing
from collections.abc import Callable
from typing import Any

from wirespeed.errors import LocalProtocolError, RemoteProtocolError, WirespeedError
from wirespeed.wire.checks import check_type

__all__ = ["TAG", "WireTypes", "decode_value", "encode_value"]

TAG = "$"
_MAX_DEPTH = 64
_FLOATS = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}


@dataclasses.dataclass(frozen=True)
class _Entry:
    cls: type
    kind: str  # "dataclass", "enum" or "text"
    parse: Callable[[str], object] | None = None
    hints: dict[str, Any] = dataclasses.field(default_factory=dict)
    fields: tuple[str, ...] = ()


class WireTypes:
    """The classes that may cross the wire, by name (an explicit allow-list)."""

    def __init__(self) -> None:
        self._by_name: dict[str, _Entry] = {}
        self._by_class: dict[type, str] = {}

    def register(self, *classes: type) -> None:
        """Allow frozen dataclasses and enums (by their class name).

        Raises:
            LocalProtocolError: a class of another kind, or a name taken twice.
        """
        for cls in classes:
            if isinstance(cls, type) and issubclass(cls, enum.Enum):
                self._add(_Entry(cls, "enum"))
            elif dataclasses.is_dataclass(cls) and cls.__dataclass_params__.frozen:  # type: ignore[attr-defined]
                init = tuple(f.name for f in dataclasses.fields(cls) if f.init)
                hints = typing.get_type_hints(cls)
                self._add(_Entry(cls, "dataclass", None, hints, init))
            else:
                raise LocalProtocolError(
                    f"{cls!r} is neither a frozen dataclass nor an enum"
                )

    def register_text(self, cls: type, parse: Callable[[str], object]) -> None:
        """Allow a class whose values are ``parse(str(value))`` (IP addresses)."""
        self._add(_Entry(cls, "text", parse))

    def _add(self, entry: _Entry) -> None:
        name = entry.cls.__name__
        if name in self._by_name or name in ("tuple", "bytes", "float", "dict"):
            raise LocalProtocolError(f"two wire types are named {name!r}")
        self._by_name[name] = entry
        self._by_class[entry.cls] = name

    def __contains__(self, cls: object) -> bool:
        return cls in self._by_class

    @property
    def classes(self) -> list[type]:
        """Every allowed class, in the order registered."""
        return [e.cls for e in self._by_name.values()]

    def name_of(self, cls: type) -> str | None:
        """The wire name of ``cls`` (``None``: not allowed)."""
        return self._by_class.get(cls)

    def entry(self, name: str) -> _Entry | None:
        """What the wire name ``name`` stands for (``None``: not allowed)."""
        return self._by_name.get(name)


def encode_value(value: object, types: WireTypes) -> Any:
    """``value`` as a JSON value (tagged where JSON has no form for it).

    Raises:
        LocalProtocolError: a value of a class that may not cross the wire.
    """
    return _encode(value, types, 0)


def _encode(value: object, types: WireTypes, depth: int) -> Any:
    if depth > _MAX_DEPTH:
        raise LocalProtocolError(f"a value nested deeper than {_MAX_DEPTH} levels")
    name = types.name_of(type(value))
    if name is not None:
        return _encode_registered(value, name, types, depth)
    match value:
        case enum.Enum():
            raise LocalProtocolError(f"{type(value).__name__} is not a wire type")
        case None | bool() | str():
            return value
        case int():
            return int(value)
        case float():
            return (
                value if math.isfinite(value) else {TAG: "float", "value": str(value)}
            )
        case bytes() | bytearray():
            return {TAG: "bytes", "base64": base64.b64encode(value).decode("ascii")}
        case list():
            return [_encode(v, types, depth + 1) for v in value]
        case tuple():
            return {
                TAG: "tuple",
                "items": [_encode(v, types, depth + 1) for v in value],
            }
        case dict():
            return _encode_dict(value, types, depth)
        case numbers.Integral():  # numpy integers from counter words
            return int(value)
        case numbers.Real():
            return _encode(float(value), types, depth)
    raise LocalProtocolError(f"a {type(value).__name__} cannot cross the wire")


def _encode_registered(value: object, name: str, types: WireTypes, depth: int) -> Any:
    entry = types.entry(name)
    assert entry is not None
    if entry.kind == "enum":
        assert isinstance(value, enum.Enum)
        return {TAG: name, "name": value.name}
    if entry.kind == "text":
        return {TAG: name, "value": str(value)}
    fields = {f: _encode(getattr(value, f), types, depth + 1) for f in entry.fields}
    return {TAG: name, "fields": fields}


def _encode_dict(value: dict[Any, Any], types: WireTypes, depth: int) -> Any:
    if all(isinstance(k, str) for k in value) and TAG not in value:
        return {k: _encode(v, types, depth + 1) for k, v in value.items()}
    items = [
        [_encode(k, types, depth + 1), _encode(v, types, depth + 1)]
        for k, v in value.items()
    ]
    return {TAG: "dict", "items": items}


def decode_value(data: Any, types: WireTypes) -> Any:
    """The value ``data`` (a JSON value) stands for.

    Raises:
        RemoteProtocolError: a malformed value or a class not allowed.
        ValidationError: a dataclass field of the wrong type (naming it), or a
            value its class's own validation refuses.
    """
    return _decode(data, types, 0)


def _decode(data: Any, types: WireTypes, depth: int) -> Any:
    if depth > _MAX_DEPTH:
        raise RemoteProtocolError(f"a value nested deeper than {_MAX_DEPTH} levels")
    match data:
        case None | bool() | int() | float() | str():
            return data
        case list():
            return [_decode(v, types, depth + 1) for v in data]
        case dict() if TAG in data:
            return _decode_tagged(data, types, depth)
        case dict():
            return {k: _decode(v, types, depth + 1) for k, v in data.items()}
    raise RemoteProtocolError(f"not a JSON value: {type(data).__name__}")


def _decode_tagged(data: dict[str, Any], types: WireTypes, depth: int) -> Any:
    tag = data[TAG]
    if not isinstance(tag, str):
        raise RemoteProtocolError(f"a type tag must be a string, not {tag!r}")
    if tag in _BUILTIN:
        key, decode = _BUILTIN[tag]
        return decode(_member(data, tag, key), types, depth)
    entry = types.entry(tag)
    if entry is None:
        raise RemoteProtocolError(f"{tag!r} is not a type this side accepts")
    if entry.kind == "enum":
        name = _member(data, tag, "name")
        member = getattr(entry.cls, "__members__", {}).get(name)
        if member is None:
            raise RemoteProtocolError(f"{tag} has no member {name!r}")
        return member
    if entry.kind == "text":
        return _parse_text(entry, _member(data, tag, "value"))
    return _decode_dataclass(entry, _member(data, tag, "fields"), types, depth)


def _member(data: dict[str, Any], tag: str, key: str) -> Any:
    if set(data) != {TAG, key}:
        raise RemoteProtocolError(f"a {tag} value has the keys {TAG!r} and {key!r}")
    return data[key]


def _parse_text(entry: _Entry, text: Any) -> object:
    assert entry.parse is not None
    if not isinstance(text, str):
        raise RemoteProtocolError(f"a {entry.cls.__name__} is written as a string")
    try:
        return entry.parse(text)
    except ValueError as exc:
        raise RemoteProtocolError(f"not a {entry.cls.__name__}: {text!r}") from exc


def _decode_dataclass(
    entry: _Entry, fields: Any, types: WireTypes, depth: int
) -> object:
    name = entry.cls.__name__
    if not isinstance(fields, dict):
        raise RemoteProtocolError(f"the fields of a {name} are an object")
    unknown = set(fields) - set(entry.fields)
    if unknown:
        raise RemoteProtocolError(f"{name} has no field {sorted(unknown)[0]!r}")
    values = {k: _decode(v, types, depth + 1) for k, v in fields.items()}
    for key, value in values.items():
        check_type(value, entry.hints[key], f"{name}.{key}")
    try:
        return entry.cls(**values)
    except WirespeedError:
        raise
    except (TypeError, ValueError, AttributeError) as exc:
        raise RemoteProtocolError(f"not a valid {name}: {exc}") from exc


def _items(data: Any, types: WireTypes, depth: int) -> list[Any]:
    if not isinstance(data, list):
        raise RemoteProtocolError("the items of a tuple or dict are a list")
    return [_decode(v, types, depth + 1) for v in data]


def _tuple(data: Any, types: WireTypes, depth: int) -> tuple[Any, ...]:
    return tuple(_items(data, types, depth))


def _bytes(data: Any, types: WireTypes, depth: int) -> bytes:
    if not isinstance(data, str):
        raise RemoteProtocolError("bytes are written in base64")
    try:
        return base64.b64decode(data, validate=True)
    except binascii.Error as exc:
        raise RemoteProtocolError(f"bad base64: {exc}") from exc


def _float(data: Any, types: WireTypes, depth: int) -> float:
    if data not in _FLOATS:
        raise RemoteProtocolError(f"a tagged float is nan, inf or -inf, not {data!r}")
    return _FLOATS[data]


def _dict(data: Any, types: WireTypes, depth: int) -> dict[Any, Any]:
    out: dict[Any, Any] = {}
    for pair in _items(data, types, depth):
        if not isinstance(pair, list) or len(pair) != 2:
            raise RemoteProtocolError("a dict's items are [key, value] pairs")
        try:
            out[pair[0]] = pair[1]
        except TypeError as exc:
            raise RemoteProtocolError(f"a dict key cannot be {pair[0]!r}") from exc
    return out


_BUILTIN: dict[str, tuple[str, Callable[[Any, WireTypes, int], Any]]] = {
    "tuple": ("items", _tuple),
    "bytes": ("base64", _bytes),
    "float": ("value", _float),
    "dict": ("items", _dict),
}
