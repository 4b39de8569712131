"""Typed access to a request's ``params`` object; every failure names the field.

JSON has no integer/float distinction and Python's ``bool`` is an ``int``: these
accessors apply a strict reading (a boolean is never a number; a number with a
fraction is never an integer, ``5.0`` is accepted as ``5``) so that a wrong type is
reported instead of silently coerced.
"""

from __future__ import annotations

import builtins
import math
from collections.abc import Mapping
from typing import Any

from wirespeed.errors import ValidationError

__all__ = ["UINT32_MAX", "UINT64_MAX", "Params", "type_name"]

UINT32_MAX = 2**32 - 1
UINT64_MAX = 2**64 - 1
_MISSING: Any = object()


def type_name(value: object) -> str:
    """The JSON name of a decoded value's type, for error messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


class Params:
    """A view on a JSON object with checked getters.

    Args:
        raw: the decoded object.
        prefix: the dotted path of ``raw`` inside the request (``""`` for params).
    """

    def __init__(self, raw: Mapping[str, Any], prefix: builtins.str = "") -> None:
        self.raw = raw
        self.prefix = prefix

    def _field(self, name: builtins.str) -> builtins.str:
        return f"{self.prefix}{name}"

    def _fail(self, name: builtins.str, reason: builtins.str) -> ValidationError:
        return ValidationError(reason, field=self._field(name))

    def has(self, name: builtins.str) -> builtins.bool:
        """True if ``name`` is present (even if null)."""
        return name in self.raw

    def _get(self, name: builtins.str, default: Any) -> Any:
        if name in self.raw:
            return self.raw[name]
        if default is _MISSING:
            raise self._fail(name, "missing")
        return default

    def int(
        self,
        name: builtins.str,
        *,
        default: Any = _MISSING,
        lo: builtins.int | None = None,
        hi: builtins.int | None = None,
    ) -> builtins.int:
        """An integer within ``[lo, hi]``."""
        value = self._get(name, default)
        if isinstance(value, bool) or not isinstance(value, int):
            if isinstance(value, float) and value.is_integer() and math.isfinite(value):
                value = int(value)
            else:
                raise self._fail(name, f"must be an integer, got {type_name(value)}")
        if lo is not None and value < lo:
            raise self._fail(name, f"{value} is below the minimum {lo}")
        if hi is not None and value > hi:
            raise self._fail(name, f"{value} is above the maximum {hi}")
        return value

    def float(
        self,
        name: builtins.str,
        *,
        default: Any = _MISSING,
        lo: builtins.float | None = None,
        hi: builtins.float | None = None,
    ) -> builtins.float:
        """A finite number within ``[lo, hi]``."""
        value = self._get(name, default)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self._fail(name, f"must be a number, got {type_name(value)}")
        result = float(value)
        if not math.isfinite(result):
            raise self._fail(name, "must be finite")
        if lo is not None and result < lo:
            raise self._fail(name, f"{result:g} is below the minimum {lo:g}")
        if hi is not None and result > hi:
            raise self._fail(name, f"{result:g} is above the maximum {hi:g}")
        return result

    def bool(self, name: builtins.str, *, default: Any = _MISSING) -> builtins.bool:
        """A boolean."""
        value = self._get(name, default)
        if not isinstance(value, bool):
            raise self._fail(name, f"must be a boolean, got {type_name(value)}")
        return value

    def str(
        self,
        name: builtins.str,
        *,
        default: Any = _MISSING,
        max_len: builtins.int = 4096,
    ) -> builtins.str:
        """A string of at most ``max_len`` characters."""
        value = self._get(name, default)
        if not isinstance(value, str):
            raise self._fail(name, f"must be a string, got {type_name(value)}")
        if len(value) > max_len:
            raise self._fail(name, f"longer than {max_len} characters")
        return value

    def obj(self, name: builtins.str, *, default: Any = _MISSING) -> Params:
        """A nested object, as a :class:`Params` whose errors carry the full path."""
        value = self._get(name, default)
        if not isinstance(value, dict):
            raise self._fail(name, f"must be an object, got {type_name(value)}")
        return Params(value, f"{self._field(name)}.")

    def list(
        self, name: builtins.str, *, default: Any = _MISSING
    ) -> builtins.list[Any]:
        """An array (elements unchecked)."""
        value = self._get(name, default)
        if not isinstance(value, list):
            raise self._fail(name, f"must be an array, got {type_name(value)}")
        return value

    def int_list(
        self,
        name: builtins.str,
        *,
        default: Any = _MISSING,
        lo: builtins.int = 0,
        hi: builtins.int = UINT32_MAX,
    ) -> builtins.list[builtins.int]:
        """An array of integers within ``[lo, hi]``."""
        items = self.list(name, default=default)
        sub = Params({f"[{i}]": v for i, v in enumerate(items)}, self._field(name))
        return [sub.int(f"[{i}]", lo=lo, hi=hi) for i in range(len(items))]
