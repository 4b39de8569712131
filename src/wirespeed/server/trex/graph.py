"""The peak rate of a TRex profile: the base that TRex multipliers scale.

TRex's server turns ``"10kpps"``, ``"1gbps"`` or ``"50%"`` into a factor on the
streams' own rates by dividing the requested rate by the profile's *peak* rate: the
highest total rate reached at any moment when the streams run as scheduled. Streams
that never run at the same time (a chain of bursts) do not add up. The rules, as
TRex applies them:

* every enabled self-starting stream is the root of a chain, followed through
  ``next_stream_id`` until the chain ends or loops back; time starts at 0 per chain;
* a stream starts ``isg`` after the previous one of its chain ended;
* a continuous stream runs from its start on (the chain ends there);
* a single burst runs ``total_pkts / pps`` seconds; a multi burst
  ``(pkts_per_burst / pps + ibg) * count`` seconds (as one block);
* a burst of fewer than 1000 frames counts as 1 frame/s of 14 bytes (its own rate
  is not a sustained load);
* the peak is taken separately for frames/s, L2 bits/s and L1 bits/s, after each
  start or stop (in time order, starts and stops of the same instant in the order
  they were found);
* latency streams (flow stats with latency) have a fixed rate: the multiplier does
  not scale them, so they are summed apart (``Peak.fixed_*``) and take no time in
  their chain.

Pure code: rates come from the streams (:meth:`wirespeed.model.Rate.to_pps` at the
port's line rate and mean frame size, FCS included).
"""

from __future__ import annotations

from dataclasses import dataclass

from wirespeed.model import ModeKind, Stream

__all__ = ["MIN_BURST_FRAMES", "Peak", "is_fixed_rate", "profile_peak"]

#: Bursts shorter than this count as a minimal load (TRex's ``G_MIN_BURST_SIZE``).
MIN_BURST_FRAMES = 1000
_MIN_FRAME_BYTES = 14
_L1_OVERHEAD_BYTES = 20
_US = 1e6


@dataclass(frozen=True)
class Peak:
    """The highest rates a profile reaches (each maximum on its own).

    Attributes:
        pps: frames per second.
        bps_l2: bits per second of the frames (FCS included).
        bps_l1: bits per second on the line (frames + 20 bytes each).
    """

    pps: float = 0.0
    bps_l2: float = 0.0
    bps_l1: float = 0.0
    fixed_pps: float = 0.0
    fixed_bps_l2: float = 0.0
    fixed_bps_l1: float = 0.0


def is_fixed_rate(stream: Stream) -> bool:
    """True for a latency stream: the multiplier leaves its rate as it is."""
    return stream.flow_stats is not None and stream.flow_stats.is_latency


@dataclass(frozen=True)
class _Event:
    time_us: float
    pps: float
    bps_l2: float
    bps_l1: float


def _rates(stream: Stream, line_bps: int) -> tuple[float, float, float]:
    size = stream.frame_length.mean_bytes
    pps = stream.rate.to_pps(line_bps, size)
    return pps, pps * size * 8, pps * (size + _L1_OVERHEAD_BYTES) * 8


def _min_rates() -> tuple[float, float, float]:
    return 1.0, _MIN_FRAME_BYTES * 8.0, (_MIN_FRAME_BYTES + _L1_OVERHEAD_BYTES) * 8.0


def _stream_events(
    stream: Stream, start_us: float, line_bps: int
) -> tuple[list[_Event], float | None]:
    """The start/stop events of one stream and when the next one may start."""
    mode = stream.mode
    rates = _rates(stream, line_bps)
    begin = start_us + stream.isg_us
    if mode.kind is ModeKind.CONTINUOUS:
        return [_Event(begin, *rates)], None
    if mode.kind is ModeKind.SINGLE_BURST:
        frames = mode.total_pkts
    else:
        frames = mode.pkts_per_burst
    burst_us = frames / rates[0] * _US  # at the stream's own rate
    if frames < MIN_BURST_FRAMES:
        rates = _min_rates()
    if mode.kind is ModeKind.MULTI_BURST:
        burst_us = (burst_us + mode.ibg_us) * mode.count
    end = begin + burst_us
    stop = _Event(end, -rates[0], -rates[1], -rates[2])
    return [_Event(begin, *rates), stop], end


def _chain_events(root: int, streams: dict[int, Stream], line_bps: int) -> list[_Event]:
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


def profile_peak(streams: dict[int, Stream], line_bps: int) -> Peak:
    """The peak rates of ``streams`` (the enabled streams of one port).

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
    pps = l2 = l1 = 0.0
    best = [0.0, 0.0, 0.0]
    for ev in events:
        pps += ev.pps
        l2 += ev.bps_l2
        l1 += ev.bps_l1
        best = [max(best[0], pps), max(best[1], l2), max(best[2], l1)]
    fixed = [0.0, 0.0, 0.0]
    for stream in streams.values():
        if is_fixed_rate(stream):
            fixed = [
                a + b for a, b in zip(fixed, _rates(stream, line_bps), strict=True)
            ]
    return Peak(*best, *fixed)
