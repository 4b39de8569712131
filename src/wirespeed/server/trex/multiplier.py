"""TRex traffic multipliers (``start_traffic.mul``, ``update_traffic.mul``) read
into the tester's :class:`~wirespeed.model.scaling.Multiplier`.

The client sends ``{"type": T, "value": V, "op": O}``; what the multiplier means
(the profile's peak rate, latency streams at their own rate, the line-rate check)
is the tester's one rule, :mod:`wirespeed.model.scaling`.
"""

from __future__ import annotations

from wirespeed.errors import ValidationError
from wirespeed.model.scaling import Multiplier, MultiplierKind, MultiplierOp
from wirespeed.server.trex.params import Params

__all__ = ["decode_multiplier"]

_KINDS = tuple(k.value for k in MultiplierKind)
_OPS = tuple(o.value for o in MultiplierOp)


def decode_multiplier(params: Params, name: str = "mul") -> Multiplier:
    """Read ``params[name]`` as a multiplier.

    Raises:
        ValidationError: unknown type or op, value not a positive finite number.
    """
    mul = params.obj(name)
    kind = mul.str("type", max_len=64)
    if kind not in _KINDS:
        raise ValidationError(
            f"unknown multiplier type {kind!r} (one of {', '.join(_KINDS)})",
            field=f"{name}.type",
        )
    op = mul.str("op", default="abs")
    if op not in _OPS:
        raise ValidationError(
            f"unknown op {op!r} (one of {', '.join(_OPS)})", field=f"{name}.op"
        )
    value = mul.float("value", lo=0.0)
    if value <= 0.0:
        raise ValidationError("must be greater than 0", field=f"{name}.value")
    return Multiplier(MultiplierKind(kind), value, MultiplierOp(op))
