"""From streams to the pacer's plans: rates in frames/s, modes, chains."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from wirespeed.dataplane.messages import TxJob, TxStreamJob
from wirespeed.dataplane.pacer import PacerMode, StreamPlan
from wirespeed.errors import ValidationError
from wirespeed.model import ModeKind, Stream, StreamEnable
from wirespeed.model.scaling import is_fixed_rate, stream_rates
from wirespeed.service.types import PortInfo

__all__ = ["build_job", "plan_for", "tid_of"]


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
    scaled = not is_fixed_rate(stream)
    pps = stream_rates(stream, line_bps)[0]
    if mode.kind is ModeKind.CONTINUOUS:
        return StreamPlan(
            stream_id,
            pps,
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
            pps,
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
        pps,
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


def build_job(
    info: PortInfo,
    enabled: dict[int, Stream],
    slots: Mapping[int, int],
    run_id: int,
    duration_s: float | None,
    factor: float,
) -> TxJob:
    """What the TX worker needs to send ``enabled`` on the port ``info`` describes.

    Raises:
        ValidationError: a TPLD id too large for the port's TPLD, or a stream that
            does not fit the port (frames too short for its TPLD ...).
    """
    sjobs = []
    for sid in sorted(enabled):
        stream = enabled[sid]
        tid = tid_of(stream)
        if tid > info.tpld_mode.max_tid:
            raise ValidationError(
                f"TPLD id {tid} > {info.tpld_mode.max_tid} for the port's "
                f"{info.tpld_mode.value} TPLD",
                field="tpld_id",
            )
        stream.validate_for_port(
            info.tpld_mode.length if tid >= 0 else 0,
            info.payload_checksum_offset > 0,
        )
        plan = plan_for(sid, stream, info.speed_bps, enabled)
        if stream.enabled is StreamEnable.SUPPRESS:
            plan = replace(plan, suppressed=True)
        sjobs.append(TxStreamJob(slots[sid], stream, plan, tid))
    return TxJob(
        run_id=run_id,
        streams=sjobs,
        tpld_mode=info.tpld_mode,
        pi_offset=info.payload_checksum_offset,
        duration_s=duration_s,
        multiplier=factor,
    )
