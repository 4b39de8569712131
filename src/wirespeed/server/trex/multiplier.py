"""TRex traffic multipliers (``start_traffic.mul``) decoded into the service's terms.

The client sends ``{"type": T, "value": V, "op": O}``. ``raw`` scales every stream's
own rate; ``pps``, ``bps`` (L2), ``bpsl1`` and ``percentage`` (of the nominal line
rate, L1) set the rate of the whole profile, streams keeping their relative shares.
``op`` is ``abs`` for start; ``update_traffic`` may also ``add``/``sub`` to the
current value of the same type.
"""

from __future__ import annotations

from dataclasses import dataclass

from wirespeed.errors import ValidationError
from wirespeed.server.trex.params import Params
from wirespeed.service import Multiplier, MultiplierKind

__all__ = ["TrexMultiplier", "apply_op", "decode_multiplier", "to_service"]

_KINDS = ("raw", "pps", "bps", "bpsl1", "percentage")
_OPS = ("abs", "add", "sub")


@dataclass(frozen=True)
class TrexMultiplier:
    """A decoded multiplier.

    Attributes:
        kind: TRex's type: ``raw``, ``pps``, ``bps`` (L2), ``bpsl1``, ``percentage``.
        value: factor (raw), packets/s, bits/s or percent of the line rate.
    """

    kind: str
    value: float


def decode_multiplier(params: Params, name: str = "mul") -> tuple[TrexMultiplier, str]:
    """Read ``params[name]`` as a multiplier; return it and its ``op``.

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
    if value <= 0.0 and op == "abs":
        raise ValidationError("must be greater than 0", field=f"{name}.value")
    return TrexMultiplier(kind, value), op


def apply_op(
    current: TrexMultiplier | None, change: TrexMultiplier, op: str
) -> TrexMultiplier:
    """The multiplier after ``update_traffic``: ``change`` itself for ``abs``, else
    ``current`` plus or minus ``change`` (same type only).

    Raises:
        ValidationError: relative change of a different type than the running one,
            or a result that is not positive.
    """
    if op == "abs":
        return change
    if current is None or current.kind != change.kind:
        running = "none" if current is None else current.kind
        raise ValidationError(
            f"op {op!r} needs the running multiplier to be of the same type "
            f"(running: {running}, given: {change.kind})",
            field="mul.op",
        )
    value = (
        current.value + change.value if op == "add" else current.value - change.value
    )
    if value <= 0.0:
        raise ValidationError(
            f"the result {value:g} {change.kind} is not positive", field="mul.value"
        )
    return TrexMultiplier(change.kind, value)


def to_service(mul: TrexMultiplier) -> Multiplier:
    """The tester's :class:`~wirespeed.service.plans.Multiplier` for ``mul``."""
    return Multiplier(MultiplierKind(mul.kind), mul.value)
