"""From streams to the pacer's plans: rates in frames/s, modes, chains, multipliers."""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass

from wirespeed.dataplane.pacer import PacerMode, StreamPlan
from wirespeed.errors import ValidationError
from wirespeed.model import ModeKind, Stream

__all__ = ["Multiplier", "MultiplierKind", "multiplier_factor", "plan_for", "tid_of"]


class MultiplierKind(enum.Enum):
    """How a start/update multiplier is expressed (TRex's ``mul.type``)."""

    RAW = "raw"  # a factor on every stream's own rate
    PPS = "pps"  # the whole port's frames/s
    BPS_L1 = "bpsl1"  # the whole port's L1 bit/s
    BPS_L2 = "bps"  # the whole port's L2 bit/s
    PERCENT = "percentage"  # of the port's nominal line rate (L1)


@dataclass(frozen=True)
class Multiplier:
    """A rate for the whole port; the streams keep their relative shares."""

    kind: MultiplierKind
    value: float

    def __post_init__(self) -> None:
        if not isinstance(self.value, int | float) or not math.isfinite(self.value):
            raise ValidationError("multiplier must be a number", field="mul.value")
        if self.value <= 0:
            raise ValidationError("multiplier must be > 0", field="mul.value")
        if self.kind is MultiplierKind.PERCENT and self.value > 100:
            raise ValidationError("percentage must be <= 100", field="mul.value")


_L1_BYTES = 20


def _pps(stream: Stream, line_bps: int) -> float:
    return stream.rate.to_pps(line_bps, stream.frame_length.mean_bytes)


def tid_of(stream: Stream) -> int:
    """The TPLD id a stream's frames carry (-1 = none): Xena TID or TRex pg_id."""
    if stream.tpld_id >= 0:
        return stream.tpld_id
    if stream.flow_stats is not None:
        return stream.flow_stats.pg_id
    return -1


def plan_for(
    stream_id: int, stream: Stream, line_bps: int, enabled: dict[int, Stream]
) -> StreamPlan:
    """The pacer's view of one stream."""
    mode = stream.mode
    nxt = stream.next_stream_id if stream.next_stream_id in enabled else None
    # a latency stream keeps its rate under any multiplier, as on TRex
    scaled = stream.flow_stats is None or not stream.flow_stats.is_latency
    if mode.kind is ModeKind.CONTINUOUS:
        return StreamPlan(
            stream_id,
            _pps(stream, line_bps),
            PacerMode.CONTINUOUS,
            isg_ns=int(stream.isg_us * 1000),
            self_start=stream.self_start,
            next_key=nxt,
            action_count=stream.action_count,
            scaled=scaled,
        )
    if mode.kind is ModeKind.SINGLE_BURST:
        return StreamPlan(
            stream_id,
            _pps(stream, line_bps),
            PacerMode.SINGLE_BURST,
            total_pkts=mode.total_pkts,
            isg_ns=int(stream.isg_us * 1000),
            self_start=stream.self_start,
            next_key=nxt,
            action_count=stream.action_count,
            scaled=scaled,
        )
    return StreamPlan(
        stream_id,
        _pps(stream, line_bps),
        PacerMode.MULTI_BURST,
        total_pkts=mode.pkts_per_burst,
        bursts=mode.count,
        ibg_ns=int(mode.ibg_us * 1000),
        isg_ns=int(stream.isg_us * 1000),
        self_start=stream.self_start,
        next_key=nxt,
        action_count=stream.action_count,
        scaled=scaled,
    )


def multiplier_factor(
    mul: Multiplier, streams: dict[int, Stream], line_bps: int
) -> float:
    """The factor that brings the port's streams to ``mul`` (shares kept)."""
    if mul.kind is MultiplierKind.RAW:
        return float(mul.value)
    pps = [_pps(s, line_bps) for s in streams.values()]
    sizes = [s.frame_length.mean_bytes for s in streams.values()]
    if mul.kind is MultiplierKind.PPS:
        base = sum(pps)
        target = mul.value
    elif mul.kind is MultiplierKind.BPS_L2:
        base = sum(p * z * 8 for p, z in zip(pps, sizes, strict=True))
        target = mul.value
    else:
        base = sum(p * (z + _L1_BYTES) * 8 for p, z in zip(pps, sizes, strict=True))
        target = (
            mul.value
            if mul.kind is MultiplierKind.BPS_L1
            else mul.value / 100 * line_bps
        )
    if base <= 0:
        raise ValidationError("the port's streams have no rate to scale", field="mul")
    return target / base
