"""TRex traffic multipliers (``start_traffic.mul``) turned into a factor on the
streams' own rates, the way TRex's server computes its effective factor.

The client sends ``{"type": T, "value": V, "op": O}``. ``raw`` is the factor itself;
``pps``, ``bps`` (L2), ``bpsl1`` and ``percentage`` (of the nominal line rate, L1)
set the profile's *peak* rate (:mod:`.graph`: streams that never run together do not
add up), streams keeping their relative shares. The tester is then given that factor
as a ``raw`` multiplier, so the front end knows the factor that runs and
``update_traffic`` can apply TRex's relative operations:

* ``abs``: the new factor replaces the running one;
* ``add`` / ``sub``: the new factor is added to / taken from the running one, whatever
  the types (``"10kpps+"`` adds the factor that 10 kpps alone would need);
* a relative ``percentage`` (``"10%+"``) is a percentage of the *running* rate, not
  of the line rate.

Without ``force``, a peak above the port's line rate (L1, 0.01 % rounding allowed) is
refused, as TRex refuses it; ``force`` sends it anyway.

Latency streams keep their own rate whatever the multiplier, as on TRex: a target
rate is what the other streams' peak is scaled to, on top of the latency streams'
fixed rate (``factor = (target - fixed) / peak``).
"""

from __future__ import annotations

from dataclasses import dataclass

from wirespeed.errors import ValidationError
from wirespeed.model import Stream
from wirespeed.server.trex.graph import Peak, profile_peak
from wirespeed.server.trex.params import Params

__all__ = [
    "LINE_RATE_TOLERANCE",
    "TrexMultiplier",
    "decode_multiplier",
    "start_factor",
    "update_factor",
]

_KINDS = ("raw", "pps", "bps", "bpsl1", "percentage")
_OPS = ("abs", "add", "sub")
#: TRex allows this much above the line rate for float rounding.
LINE_RATE_TOLERANCE = 1.0001


@dataclass(frozen=True)
class TrexMultiplier:
    """A decoded multiplier.

    Attributes:
        kind: TRex's type: ``raw``, ``pps``, ``bps`` (L2), ``bpsl1``, ``percentage``.
        value: factor (raw), packets/s, bits/s or percent.
        op: ``abs``, ``add`` or ``sub``.
    """

    kind: str
    value: float
    op: str = "abs"


def decode_multiplier(params: Params, name: str = "mul") -> TrexMultiplier:
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
    return TrexMultiplier(kind, value, op)


def _need(rate: float) -> float:
    if rate <= 0.0:
        raise ValidationError(
            "the streams have no rate to scale: no enabled stream starts by itself",
            field="mul",
        )
    return rate


def _factor_of(
    mul: TrexMultiplier, peak: Peak, line_bps: int, current: float | None
) -> float:
    """The factor ``mul`` alone stands for (before its op is applied)."""
    if mul.kind == "raw":
        return mul.value
    if mul.kind == "percentage" and mul.op != "abs":
        if current is None:
            raise ValidationError(
                "a relative percentage needs running traffic", field="mul.op"
            )
        return current * mul.value / 100.0
    if mul.kind == "pps":
        return _scaled(mul.value, peak.fixed_pps, peak.pps)
    if mul.kind == "bps":
        return _scaled(mul.value, peak.fixed_bps_l2, peak.bps_l2)
    target = mul.value if mul.kind == "bpsl1" else mul.value / 100.0 * line_bps
    return _scaled(target, peak.fixed_bps_l1, peak.bps_l1)


def _scaled(target: float, fixed: float, variable: float) -> float:
    """The factor that takes ``variable`` to ``target`` on top of ``fixed``."""
    if target <= fixed:
        raise ValidationError(
            f"the latency streams alone already take {fixed:g} of the {target:g} "
            "asked for",
            field="mul.value",
        )
    return (target - fixed) / _need(variable)


def _checked(factor: float, peak: Peak, line_bps: int, force: bool) -> float:
    _need(peak.bps_l1 + peak.fixed_bps_l1)
    if force:
        return factor
    room = line_bps - peak.fixed_bps_l1
    if peak.bps_l1 <= 0.0:  # only fixed-rate streams: nothing to scale
        if room < 0:
            raise ValidationError(
                f"the latency streams alone take {peak.fixed_bps_l1 / 1e9:.6g} Gb/s, "
                f"more than the port's line rate {line_bps / 1e9:g} Gb/s",
                field="mul",
            )
        return factor
    full = room / peak.bps_l1
    if room <= 0 or factor / full > LINE_RATE_TOLERANCE:
        expected = factor * peak.bps_l1 + peak.fixed_bps_l1
        raise ValidationError(
            f"the expected L1 rate {expected / 1e9:.6g} Gb/s exceeds the port's line "
            f"rate {line_bps / 1e9:g} Gb/s (use force to send it anyway)",
            field="mul",
        )
    return min(factor, full)


def start_factor(
    mul: TrexMultiplier, streams: dict[int, Stream], line_bps: int, *, force: bool
) -> float:
    """The factor on the streams' own rates that ``start_traffic`` runs.

    Args:
        mul: the multiplier (``op`` must be ``abs``).
        streams: the streams that will run (their rates are the base).
        line_bps: the port's nominal speed.
        force: allow more than the line rate.

    Raises:
        ValidationError: a relative op, or a rate above the line rate without force.
    """
    if mul.op != "abs":
        raise ValidationError("start needs op 'abs'", field="mul.op")
    peak = profile_peak(streams, line_bps)
    return _checked(_factor_of(mul, peak, line_bps, None), peak, line_bps, force)


def update_factor(
    current: float,
    mul: TrexMultiplier,
    streams: dict[int, Stream],
    line_bps: int,
    *,
    force: bool,
) -> float:
    """The factor after ``update_traffic`` (TRex's abs/add/sub on factors).

    Raises:
        ValidationError: the result is not positive, or above the line rate without
            force.
    """
    peak = profile_peak(streams, line_bps)
    change = _factor_of(mul, peak, line_bps, current)
    if mul.op == "abs":
        new = change
    elif mul.op == "add":
        new = current + change
    else:
        new = current - change
    if new <= 0.0:
        raise ValidationError(
            f"the update takes the rate to {new:g} times the streams' own rates "
            f"({current:g} - {change:g}); it must stay above 0",
            field="mul.value",
        )
    return _checked(new, peak, line_bps, force)
