"""Multipliers: one rule for turning "10 kpps", "1 Gb/s" or "50 %" into a factor on
the streams' own rates, for every way in (API, CLI, TRex, Xena).

A multiplier of kind ``pps``, ``bps`` (L2), ``bpsl1`` or ``percentage`` (of the
port's nominal line rate, L1) sets the *peak* rate of the port's streams: the highest
total rate they reach at any moment when they run as scheduled (:func:`profile_peak`;
streams that never run together, such as a chain of bursts, do not add up). ``raw``
is the factor itself. The rules are TRex's:

* every enabled self-starting stream is the root of a chain, followed through
  ``next_stream_id`` until the chain ends or loops back; time starts at 0 per chain;
* a stream starts ``isg`` after the previous one of its chain ended; a continuous
  stream runs from its start on (the chain ends there); a single burst runs
  ``total_pkts / pps`` seconds; a multi burst ``(pkts_per_burst / pps + ibg) * count``;
* a burst of fewer than 1000 frames counts as 1 frame/s of 14 bytes;
* latency streams (flow stats with latency) keep their own rate: they are summed
  apart (``Peak.fixed_*``) and a target rate scales the other streams on top of them
  (``factor = (target - fixed) / variable``). A profile of latency streams only has
  nothing to scale: any multiplier runs it at its own rate;
* updates: ``abs`` replaces the running factor, ``add``/``sub`` add to / take from it
  the factor the multiplier alone stands for; a relative percentage (``"10%+"``) is a
  percentage of the running rate;
* without ``force``, a result above the line rate (L1, 0.01 % rounding allowed) is
  refused, and one within it is capped at the line rate.

Pure code: rates come from :meth:`wirespeed.model.Rate.to_pps` at the port's line
rate and each stream's mean frame size (FCS included).
"""

from __future__ import annotations

import enum
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace

from wirespeed.errors import ValidationError
from wirespeed.model.rate import L1_OVERHEAD_BYTES
from wirespeed.model.stream import ModeKind, Stream

__all__ = [
    "LINE_RATE_TOLERANCE",
    "MIN_BURST_FRAMES",
    "Multiplier",
    "MultiplierKind",
    "MultiplierOp",
    "Peak",
    "is_fixed_rate",
    "profile_peak",
    "start_factor",
    "stream_factor",
    "stream_rates",
    "update_factor",
]

#: Bursts shorter than this count as a minimal load (TRex's ``G_MIN_BURST_SIZE``).
MIN_BURST_FRAMES = 1000
#: A result may exceed the line rate by this much (float rounding), as on TRex.
LINE_RATE_TOLERANCE = 1.0001
_MIN_FRAME_BYTES = 14
_US = 1e6


class MultiplierKind(enum.Enum):
    """What a multiplier's value is (the values are TRex's ``mul.type``)."""

    RAW = "raw"  # a factor on every stream's own rate
    PPS = "pps"  # frames/s of the port
    BPS_L2 = "bps"  # L2 bit/s of the port
    BPS_L1 = "bpsl1"  # L1 bit/s of the port
    PERCENT = "percentage"  # of the port's nominal line rate (L1)

    @classmethod
    def parse(cls, text: str) -> MultiplierKind:
        """A kind from any of its spellings (``"l1_bps"``, ``"%"``, ``"pps"`` ...).

        Raises:
            ValidationError: an unknown spelling.
        """
        kind = _KIND_SPELLINGS.get(str(text).strip().lower())
        if kind is None:
            names = ", ".join(sorted(_KIND_SPELLINGS))
            raise ValidationError(
                f"unknown multiplier kind {text!r} (one of {names})", field="mul.type"
            )
        return kind


_KIND_SPELLINGS = {
    "raw": MultiplierKind.RAW,
    "factor": MultiplierKind.RAW,
    "x": MultiplierKind.RAW,
    "pps": MultiplierKind.PPS,
    "bps": MultiplierKind.BPS_L2,
    "bps_l2": MultiplierKind.BPS_L2,
    "l2_bps": MultiplierKind.BPS_L2,
    "bpsl1": MultiplierKind.BPS_L1,
    "bps_l1": MultiplierKind.BPS_L1,
    "l1_bps": MultiplierKind.BPS_L1,
    "percentage": MultiplierKind.PERCENT,
    "percent": MultiplierKind.PERCENT,
    "%": MultiplierKind.PERCENT,
}


class MultiplierOp(enum.Enum):
    """How an update combines with the running factor (TRex's ``mul.op``)."""

    ABS = "abs"
    ADD = "add"
    SUB = "sub"


_SUFFIX = {"": 1.0, "k": 1e3, "m": 1e6, "g": 1e9}
_TEXT = re.compile(
    r"^\s*(?P<num>[0-9]*\.?[0-9]+(?:e[+-]?[0-9]+)?)\s*"
    r"(?P<unit>%|[kmg]?(?:pps|bpsl1|bps)|x)?\s*(?P<op>[+-])?\s*$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Multiplier:
    """A rate for a port's streams, which keep their relative shares.

    Attributes:
        kind: what ``value`` is.
        value: a factor, frames/s, bit/s or percent (> 0).
        op: for updates, how it combines with the running factor.
    """

    kind: MultiplierKind
    value: float
    op: MultiplierOp = MultiplierOp.ABS

    def __post_init__(self) -> None:
        if not isinstance(self.kind, MultiplierKind):
            raise ValidationError(f"unknown kind {self.kind!r}", field="mul.type")
        if not isinstance(self.op, MultiplierOp):
            raise ValidationError(f"unknown op {self.op!r}", field="mul.op")
        value = self.value
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValidationError("multiplier must be a number", field="mul.value")
        if not math.isfinite(value) or value <= 0:
            raise ValidationError("multiplier must be > 0", field="mul.value")

    @classmethod
    def raw(cls, factor: float) -> Multiplier:
        """A factor on every stream's own rate."""
        return cls(MultiplierKind.RAW, factor)

    @classmethod
    def parse(cls, text: str) -> Multiplier:
        """Read TRex's console spelling: ``"2"``, ``"10kpps"``, ``"1gbps"`` (L2),
        ``"1gbpsl1"``, ``"50%"``, with ``+``/``-`` for a relative update.

        Raises:
            ValidationError: the text is not a multiplier.
        """
        m = _TEXT.match(str(text))
        if m is None:
            raise ValidationError(f"not a multiplier: {text!r}", field="mul")
        unit = (m["unit"] or "x").lower()
        scale = 1.0
        if unit not in ("%", "x") and unit[0] in "kmg":
            scale, unit = _SUFFIX[unit[0]], unit[1:]
        op = {"+": MultiplierOp.ADD, "-": MultiplierOp.SUB}.get(m["op"] or "")
        return cls(
            MultiplierKind.parse(unit), float(m["num"]) * scale, op or MultiplierOp.ABS
        )


@dataclass(frozen=True)
class Peak:
    """The highest rates a set of streams reaches (each maximum on its own).

    ``pps``/``bps_l2``/``bps_l1`` are of the streams a multiplier scales;
    ``fixed_*`` of the latency streams, which keep their rate.
    """

    pps: float = 0.0
    bps_l2: float = 0.0
    bps_l1: float = 0.0
    fixed_pps: float = 0.0
    fixed_bps_l2: float = 0.0
    fixed_bps_l1: float = 0.0

    def total_bps_l1(self, factor: float) -> float:
        """The port's peak L1 rate when the scaled streams run at ``factor``."""
        return self.bps_l1 * factor + self.fixed_bps_l1


def is_fixed_rate(stream: Stream) -> bool:
    """True for a latency stream: a multiplier leaves its rate as it is."""
    return stream.flow_stats is not None and stream.flow_stats.is_latency


def stream_rates(stream: Stream, line_bps: int) -> tuple[float, float, float]:
    """A stream's own rate as (frames/s, L2 bit/s, L1 bit/s) on a port of
    ``line_bps`` (its mean frame size, FCS included)."""
    size = stream.frame_length.mean_wire_bytes
    pps = stream.rate.to_pps(line_bps, size)
    return pps, pps * size * 8, pps * (size + L1_OVERHEAD_BYTES) * 8


@dataclass(frozen=True)
class _Event:
    time_us: float
    rates: tuple[float, float, float]


def _stream_events(
    stream: Stream, start_us: float, line_bps: int
) -> tuple[list[_Event], float | None]:
    """The start/stop events of one stream and when the next one may start."""
    mode = stream.mode
    rates = stream_rates(stream, line_bps)
    begin = start_us + stream.isg_us
    if mode.kind is ModeKind.CONTINUOUS:
        return [_Event(begin, rates)], None
    frames = (
        mode.total_pkts if mode.kind is ModeKind.SINGLE_BURST else (mode.pkts_per_burst)
    )
    burst_us = frames / rates[0] * _US  # at the stream's own rate
    if frames < MIN_BURST_FRAMES:
        b = float(_MIN_FRAME_BYTES)
        rates = (1.0, b * 8, (b + L1_OVERHEAD_BYTES) * 8)
    if mode.kind is ModeKind.MULTI_BURST:
        burst_us = (burst_us + mode.ibg_us) * mode.count
    end = begin + burst_us
    stop = _Event(end, (-rates[0], -rates[1], -rates[2]))
    return [_Event(begin, rates), stop], end


def _chain_events(
    root: int, streams: Mapping[int, Stream], line_bps: int
) -> list[_Event]:
    events: list[_Event] = []
    seen: set[int] = set()
    sid: int | None = root
    start_us: float | None = 0.0
    while sid is not None and start_us is not None and sid not in seen:
        seen.add(sid)
        stream = streams[sid]
        if not is_fixed_rate(stream):
            new, start_us = _stream_events(stream, start_us, line_bps)
            events.extend(new)
        nxt = stream.next_stream_id
        sid = nxt if nxt in streams else None
    return events


def profile_peak(streams: Mapping[int, Stream], line_bps: int) -> Peak:
    """The peak rates of ``streams`` (the streams of one port that will run).

    Args:
        streams: stream id -> stream; only these take part (chains into streams
            that are not here end).
        line_bps: the port's nominal speed (for streams given in % of the line).
    """
    events: list[_Event] = []
    for sid in sorted(streams):
        if streams[sid].self_start:
            events.extend(_chain_events(sid, streams, line_bps))
    events.sort(key=lambda e: e.time_us)  # stable: ties keep their order
    now = [0.0, 0.0, 0.0]
    best = [0.0, 0.0, 0.0]
    for ev in events:
        now = [a + b for a, b in zip(now, ev.rates, strict=True)]
        best = [max(a, b) for a, b in zip(best, now, strict=True)]
    fixed = [0.0, 0.0, 0.0]
    for stream in streams.values():
        if is_fixed_rate(stream):
            own = stream_rates(stream, line_bps)
            fixed = [a + b for a, b in zip(fixed, own, strict=True)]
    return Peak(*best, *fixed)


def _scaled(target: float, fixed: float, variable: float, unit: str) -> float:
    """The factor that takes ``variable`` to ``target`` on top of ``fixed``."""
    if target <= fixed:
        raise ValidationError(
            f"the latency streams alone take {fixed:g} {unit}, the whole rate asked "
            f"for ({target:g} {unit}); ask for more",
            field="mul.value",
        )
    if variable <= 0.0:  # latency streams only: nothing to scale
        return 1.0
    return (target - fixed) / variable


def _factor_of(
    mul: Multiplier, peak: Peak, line_bps: int, current: float | None
) -> float:
    """The factor ``mul`` alone stands for (before its op is applied)."""
    kind = mul.kind
    if kind is MultiplierKind.RAW:
        return float(mul.value)
    if kind is MultiplierKind.PERCENT and mul.op is not MultiplierOp.ABS:
        if current is None:
            raise ValidationError(
                "a relative percentage needs running traffic", field="mul.op"
            )
        return current * mul.value / 100.0
    if kind is MultiplierKind.PPS:
        return _scaled(mul.value, peak.fixed_pps, peak.pps, "frames/s")
    if kind is MultiplierKind.BPS_L2:
        return _scaled(mul.value, peak.fixed_bps_l2, peak.bps_l2, "bit/s (L2)")
    target = mul.value if kind is MultiplierKind.BPS_L1 else mul.value / 100 * line_bps
    return _scaled(target, peak.fixed_bps_l1, peak.bps_l1, "bit/s (L1)")


def _checked(factor: float, peak: Peak, line_bps: int, force: bool) -> float:
    expected = peak.total_bps_l1(factor)
    if expected <= 0.0:
        raise ValidationError(
            "the streams have no rate: no enabled stream starts by itself",
            field="mul",
        )
    if force:
        return factor
    if expected / line_bps > LINE_RATE_TOLERANCE:
        raise ValidationError(
            f"the expected L1 rate {expected / 1e9:.6g} Gb/s exceeds the port's line "
            f"rate {line_bps / 1e9:g} Gb/s (use force to send it anyway)",
            field="mul",
        )
    if peak.bps_l1 <= 0.0:
        return factor
    return min(factor, (line_bps - peak.fixed_bps_l1) / peak.bps_l1)


def start_factor(
    mul: Multiplier, streams: Mapping[int, Stream], line_bps: int, *, force: bool
) -> float:
    """The factor on the streams' own rates that a start with ``mul`` runs.

    Args:
        mul: the multiplier (its op must be ``abs``).
        streams: the streams that will run (their rates are the base).
        line_bps: the port's nominal speed.
        force: allow more than the line rate.

    Raises:
        ValidationError: a relative op, no rate, or a rate above the line rate
            without force.
    """
    if mul.op is not MultiplierOp.ABS:
        raise ValidationError("a start needs an absolute multiplier", field="mul.op")
    peak = profile_peak(streams, line_bps)
    return _checked(_factor_of(mul, peak, line_bps, None), peak, line_bps, force)


def update_factor(
    current: float,
    mul: Multiplier,
    streams: Mapping[int, Stream],
    line_bps: int,
    *,
    force: bool,
) -> float:
    """The factor after an update of running traffic (abs/add/sub on factors).

    Raises:
        ValidationError: the result is not positive, or above the line rate without
            force.
    """
    peak = profile_peak(streams, line_bps)
    change = _factor_of(mul, peak, line_bps, current)
    if mul.op is MultiplierOp.ABS:
        new = change
    elif mul.op is MultiplierOp.ADD:
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


def stream_factor(
    mul: Multiplier, stream: Stream, line_bps: int, *, force: bool
) -> float:
    """The factor that gives one stream, alone, the rate ``mul`` names (TRex's
    ``update_streams``: absolute only; latency streams keep their rate).

    Raises:
        ValidationError: a relative op, a latency stream, or above the line rate.
    """
    if is_fixed_rate(stream):
        raise ValidationError("a latency stream keeps its own rate", field="stream_ids")
    alone = {0: replace(stream, self_start=True, next_stream_id=-1)}
    return start_factor(mul, alone, line_bps, force=force)
