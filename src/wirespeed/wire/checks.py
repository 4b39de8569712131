"""Whether a value decoded from the wire has the type an annotation says (pure).

The native RPC checks every argument against the annotation of the method it
calls, every dataclass field against its class's annotation and every result
against the proxy's, so what a peer sends is refused at the boundary, naming the
field, and never reaches the tester as a wrong type.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Mapping, Sequence
from typing import Any

from wirespeed.errors import LocalProtocolError, ValidationError

__all__ = ["check_type", "describe", "is_checkable"]


def check_type(value: object, hint: Any, field: str) -> None:
    """Raise unless ``value`` is of type ``hint``.

    ``hint`` is a class, ``None``, ``Any``, a union, ``list``/``Sequence``/
    ``tuple``/``dict``/``Mapping`` of those, or a ``Literal``. An ``int`` is a
    ``float`` (PEP 484); a ``bool`` is not an ``int``.

    Raises:
        ValidationError: naming ``field``, what was expected and what came.
    """
    if not _matches(value, hint):
        raise ValidationError(
            f"expected {describe(hint)}, got {type(value).__name__}", field=field
        )


def is_checkable(hint: Any) -> bool:
    """True if :func:`check_type` understands every part of ``hint`` (tables
    check their annotations once, when they are built)."""
    if hint is Any or hint is object or hint is None or hint is type(None):
        return True
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin is typing.Literal:
        return True
    if origin in _GENERICS or origin is typing.Union or origin is types.UnionType:
        return all(a is Ellipsis or is_checkable(a) for a in args)
    return origin is None and isinstance(hint, type)


_GENERICS = (list, tuple, dict, Sequence, Mapping)


def _matches(value: object, hint: Any) -> bool:
    if hint is Any or hint is object:
        return True
    if hint is None or hint is type(None):
        return value is None
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin is typing.Union or origin is types.UnionType:
        return any(_matches(value, a) for a in args)
    if origin is typing.Literal:
        return any(value == a and type(value) is type(a) for a in args)
    if origin is list or origin is Sequence:
        kinds = (list,) if origin is list else (list, tuple)
        item = args[0] if args else Any
        if not isinstance(value, list | tuple) or not isinstance(value, kinds):
            return False
        return all(_matches(v, item) for v in value)
    if origin is tuple:
        return isinstance(value, tuple) and _matches_tuple(value, args)
    if origin is dict or origin is Mapping:
        key, item = args or (Any, Any)
        return isinstance(value, dict) and all(
            _matches(k, key) and _matches(v, item) for k, v in value.items()
        )
    if origin is not None or not isinstance(hint, type):
        raise LocalProtocolError(f"cannot check a value against {hint!r}")
    if hint is float:
        return isinstance(value, int | float) and not isinstance(value, bool)
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, hint)


def _matches_tuple(value: tuple[Any, ...], args: tuple[Any, ...]) -> bool:
    if not args:
        return True
    if len(args) == 2 and args[1] is Ellipsis:
        return all(_matches(v, args[0]) for v in value)
    return len(value) == len(args) and all(
        _matches(v, a) for v, a in zip(value, args, strict=True)
    )


def describe(hint: Any) -> str:
    """An annotation as a person reads it (``int | None``, ``list[int]``)."""
    if hint is None or hint is type(None):
        return "None"
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin is typing.Union or origin is types.UnionType:
        return " | ".join(describe(a) for a in args)
    if origin is not None:
        inner = ", ".join("..." if a is Ellipsis else describe(a) for a in args)
        return f"{getattr(origin, '__name__', str(origin))}[{inner}]"
    return getattr(hint, "__name__", str(hint))
