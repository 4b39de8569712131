"""Helpers that read JSON values and raise ValidationError naming the field."""

from __future__ import annotations

import math
from typing import Any

from wirespeed.errors import ValidationError

__all__ = ["get_bool", "get_float", "get_int", "get_obj", "get_str", "opt_int"]

_MISSING = object()


def _name(field: str, key: str) -> str:
    return f"{field}.{key}" if field else key


def get_obj(obj: Any, field: str) -> dict[str, Any]:
    """Return ``obj`` if it is a JSON object."""
    if not isinstance(obj, dict):
        raise ValidationError("must be an object", field=field)
    return obj


def _value(obj: dict[str, Any], key: str, field: str, default: Any) -> Any:
    value = obj.get(key, default)
    if value is _MISSING:
        raise ValidationError("missing", field=_name(field, key))
    return value


def get_int(
    obj: dict[str, Any], key: str, field: str = "", default: Any = _MISSING
) -> int:
    """Return ``obj[key]`` as an int; decimal strings ("65537") are accepted."""
    value = _value(obj, key, field, default)
    name = _name(field, key)
    if isinstance(value, bool):
        raise ValidationError("must be an integer", field=name)
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        try:
            return int(value, 0)
        except ValueError as exc:
            raise ValidationError(f"not an integer: {value!r}", field=name) from exc
    if isinstance(value, float) and value.is_integer():
        return int(value)
    raise ValidationError("must be an integer", field=name)


def opt_int(obj: dict[str, Any], key: str, field: str = "") -> int | None:
    """Return ``obj[key]`` as an int, or None if missing or null."""
    if obj.get(key) is None:
        return None
    return get_int(obj, key, field)


def get_float(
    obj: dict[str, Any], key: str, field: str = "", default: Any = _MISSING
) -> float:
    """Return ``obj[key]`` as a finite float."""
    value = _value(obj, key, field, default)
    name = _name(field, key)
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValidationError("must be a number", field=name)
    try:
        number = float(value)
    except ValueError as exc:
        raise ValidationError(f"not a number: {value!r}", field=name) from exc
    if not math.isfinite(number):
        raise ValidationError("must be finite", field=name)
    return number


def get_bool(
    obj: dict[str, Any], key: str, field: str = "", default: Any = _MISSING
) -> bool:
    """Return ``obj[key]`` as a bool (JSON true/false only)."""
    value = _value(obj, key, field, default)
    if not isinstance(value, bool):
        raise ValidationError("must be true or false", field=_name(field, key))
    return value


def get_str(
    obj: dict[str, Any], key: str, field: str = "", default: Any = _MISSING
) -> str:
    """Return ``obj[key]`` as a string."""
    value = _value(obj, key, field, default)
    if not isinstance(value, str):
        raise ValidationError("must be a string", field=_name(field, key))
    return value
