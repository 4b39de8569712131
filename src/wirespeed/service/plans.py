"""From streams to the pacer's plans: rates in frames/s, modes, chains."""

from __future__ import annotations

from wirespeed.dataplane.pacer import PacerMode, StreamPlan
from wirespeed.model import ModeKind, Stream
from wirespeed.model.scaling import is_fixed_rate, stream_rates

__all__ = ["plan_for", "tid_of"]


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
