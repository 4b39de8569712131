"""When each stream of a port sends how many frames (pure: time is an argument).

A :class:`PortPacer` holds one :class:`StreamPlan` per stream and answers, for a given
``now_ns``, how many frames of each stream are due. It implements the transmit modes
(continuous, single burst / packet limit, multi burst with inter-burst gap), the
inter-stream gap before a stream starts, chaining (``next_stream_id``, ``self_start``,
``action_count``), the port's duration and packet limit (the frames of all its
streams together, the first to depart first), pause/resume and rate changes while
running.

Frame ``k`` of a burst that starts at ``t`` departs at ``t + k / rate``; a burst of a
multi-burst stream starts ``ibg`` after the ideal end of the previous one. A stream
that cannot keep up simply stays behind: the pacer never lets a backlog turn into a
burst above the requested rate once the stream is on time again, because due counts
are capped by ``max_batch`` per call and the schedule is anchored, not accumulated.
"""

from __future__ import annotations

import enum
import heapq
import math
from dataclasses import dataclass, field

__all__ = ["Due", "PacerMode", "PortPacer", "StreamPlan"]

_NS = 1_000_000_000


class PacerMode(enum.Enum):
    """How a stream sends."""

    CONTINUOUS = "continuous"
    SINGLE_BURST = "single_burst"  # also Xena's packet limit
    MULTI_BURST = "multi_burst"


@dataclass(frozen=True)
class StreamPlan:
    """What the pacer needs to know of one stream.

    Attributes:
        key: the stream's id on the port.
        rate_pps: frames per second while a burst is running.
        mode: continuous, single burst or multi burst.
        total_pkts: frames in a single burst (or per burst for multi burst).
        bursts: number of bursts for multi burst (0 = forever).
        ibg_ns: gap after the ideal end of a burst before the next (multi burst).
        isg_ns: delay from when the stream is started until its first frame.
        self_start: starts when the port starts (else only when chained to).
        next_key: stream started when this one ends (``None`` = none).
        action_count: how many times this stream runs before it stops starting
            ``next_key`` (0 = no limit): it starts ``next_key`` ``action_count - 1``
            times, so a loop back to the chain's head runs the chain
            ``action_count`` times (TRex's rule: its data plane decrements the
            counter at each end and stops at zero; ``load_pcap(loop_count=N)`` sets
            ``action_count=N`` to send the capture N times).
        suppressed: configured but sending nothing until :meth:`PortPacer.suppress`
            switches it on (Xena's SUPPRESS).
        scaled: the port's multiplier applies (False: a fixed-rate stream, such as
            a TRex latency stream).
    """

    key: int
    rate_pps: float
    mode: PacerMode = PacerMode.CONTINUOUS
    total_pkts: int = 0
    bursts: int = 1
    ibg_ns: int = 0
    isg_ns: int = 0
    self_start: bool = True
    next_key: int | None = None
    action_count: int = 0
    suppressed: bool = False
    scaled: bool = True


@dataclass
class Due:
    """Frames due now for one stream: ``count`` frames, the first departing at
    ``first_ns`` and the next ones every ``interval_ns``."""

    key: int
    count: int
    first_ns: int
    interval_ns: float


@dataclass
class _Run:
    plan: StreamPlan
    rate_pps: float
    start_ns: int  # when frame 0 of the current burst departs
    sent_in_burst: int = 0
    bursts_done: int = 0


def _rescale(run: _Run, now_ns: int, ratio: float) -> None:
    """Multiply a run's rate by ``ratio`` from ``now_ns`` on, keeping the frames
    already sent (the schedule is re-anchored so the rest follow at the new rate)."""
    if now_ns > run.start_ns:
        run.start_ns = now_ns - int((now_ns - run.start_ns) / ratio if ratio > 0 else 0)
    run.rate_pps *= ratio


@dataclass
class _State:
    runs: dict[int, _Run] = field(default_factory=dict)
    gotos: dict[int, int] = field(default_factory=dict)


class PortPacer:
    """Schedules the streams of one port.

    Args:
        plans: the enabled streams of the port.
        start_ns: when the port starts.
        duration_ns: stop after this long (``None`` = until stopped or done).
        multiplier: factor applied to every stream's rate.
        packet_limit: stop after this many frames of all streams together
            (``None`` = no limit).
    """

    def __init__(
        self,
        plans: list[StreamPlan],
        start_ns: int,
        *,
        duration_ns: int | None = None,
        multiplier: float = 1.0,
        packet_limit: int | None = None,
    ) -> None:
        self._plans = {p.key: p for p in plans}
        self._limit = packet_limit
        self._sent_total = 0
        self._mult = multiplier
        self._end_ns = None if duration_ns is None else start_ns + duration_ns
        self._paused_at: int | None = None
        self._final_done = False
        self._suppressed = {p.key for p in plans if p.suppressed}
        self._own: dict[int, float] = {}  # streams given their own factor
        self._st = _State()
        for plan in plans:
            if plan.self_start:
                self._launch(plan, start_ns)

    # -- state ------------------------------------------------------------------
    @property
    def active_keys(self) -> list[int]:
        """Streams that are running or waiting for their start."""
        return sorted(self._st.runs)

    def is_done(self, now_ns: int) -> bool:
        """True when nothing will be sent any more (bursts done or duration over).

        Frames that were due before the end of the duration are still owed when the
        caller gets to them after the end: one last :meth:`poll` (one batch) hands
        them out. A stream that cannot keep up is not owed its whole backlog.
        """
        if self._limit_reached:
            return True
        if self._end_ns is not None and now_ns >= self._end_ns:
            return self._final_done
        return not self._st.runs

    @property
    def _limit_reached(self) -> bool:
        return self._limit is not None and self._sent_total >= self._limit

    @property
    def end_ns(self) -> int | None:
        """When the port's duration ends (``None``: no duration)."""
        return self._end_ns

    @property
    def is_paused(self) -> bool:
        """True between :meth:`pause` and :meth:`resume`."""
        return self._paused_at is not None

    def requested_pps(self) -> float:
        """The sum of the rates of the streams currently in a burst."""
        return sum(r.rate_pps for r in self._st.runs.values())

    # -- control ----------------------------------------------------------------
    def pause(self, now_ns: int) -> None:
        """Freeze every schedule."""
        if self._paused_at is None:
            self._paused_at = now_ns

    def resume(self, now_ns: int) -> None:
        """Continue every schedule where it stopped (the pause is not made up for)."""
        if self._paused_at is None:
            return
        gap = now_ns - self._paused_at
        self._paused_at = None
        for run in self._st.runs.values():
            run.start_ns += gap
        if self._end_ns is not None:
            self._end_ns += gap

    def set_multiplier(self, now_ns: int, multiplier: float) -> None:
        """Change every stream's rate from ``now_ns`` on (re-anchors the schedules)."""
        ratio = multiplier / self._mult
        self._mult = multiplier
        for run in self._st.runs.values():
            if run.plan.scaled and run.plan.key not in self._own:
                _rescale(run, now_ns, ratio)

    def set_stream_factor(self, now_ns: int, key: int, factor: float) -> None:
        """Run one stream at ``factor`` times its own rate from ``now_ns`` on,
        whatever the port's multiplier does later (TRex's ``update_streams``)."""
        self._own[key] = factor
        run = self._st.runs.get(key)
        if run is not None and run.rate_pps > 0:
            _rescale(run, now_ns, run.plan.rate_pps * factor / run.rate_pps)

    def suppress(self, now_ns: int, key: int, on: bool) -> None:
        """Stop (``on``) or resume sending one stream; it owes nothing for the pause."""
        if on:
            self._suppressed.add(key)
            return
        if key not in self._suppressed:
            return
        self._suppressed.discard(key)
        run = self._st.runs.get(key)
        if run is not None and run.rate_pps > 0 and now_ns > run.start_ns:
            run.start_ns = now_ns - int(run.sent_in_burst * _NS / run.rate_pps)

    # -- scheduling ---------------------------------------------------------------
    def _launch(self, plan: StreamPlan, at_ns: int) -> None:
        factor = self._mult if plan.scaled else 1.0
        factor = self._own.get(plan.key, factor)
        self._st.runs[plan.key] = _Run(
            plan, plan.rate_pps * factor, at_ns + plan.isg_ns
        )

    def _burst_len(self, plan: StreamPlan) -> int | None:
        if plan.mode is PacerMode.CONTINUOUS:
            return None
        return plan.total_pkts

    def poll(self, now_ns: int, max_batch: int) -> list[Due]:
        """Frames due at ``now_ns`` per stream (at most ``max_batch`` in all).

        Call :meth:`sent` afterwards with what was really handed to the kernel.
        """
        if self._paused_at is not None or self._limit_reached:
            return []
        limit = now_ns
        if self._end_ns is not None:
            limit = min(now_ns, self._end_ns - 1)
            if now_ns >= self._end_ns:
                self._final_done = True
        dues: list[Due] = []
        for key in sorted(self._st.runs):
            run = self._st.runs[key]
            if limit < run.start_ns or run.rate_pps <= 0 or key in self._suppressed:
                continue
            interval = _NS / run.rate_pps
            n = int((limit - run.start_ns) / interval) + 1 - run.sent_in_burst
            burst = self._burst_len(run.plan)
            if burst is not None:
                n = min(n, burst - run.sent_in_burst)
            if n > 0:
                first = run.start_ns + int(run.sent_in_burst * interval)
                dues.append(Due(key, n, first, interval))
        total = sum(d.count for d in dues)
        if total > max_batch:
            scale = max_batch / total
            for d in dues:
                d.count = max(1, math.floor(d.count * scale))
            while sum(d.count for d in dues) > max_batch:
                biggest = max(dues, key=lambda d: d.count)
                biggest.count -= 1
            dues = [d for d in dues if d.count > 0]
        if self._limit is not None:
            left = self._limit - self._sent_total
            if sum(d.count for d in dues) > left:
                dues = _earliest(dues, left)
        return dues

    def sent(self, key: int, count: int, now_ns: int) -> None:
        """Record that ``count`` frames of stream ``key`` were sent."""
        run = self._st.runs.get(key)
        if run is None:
            return
        self._sent_total += count
        run.sent_in_burst += count
        plan = run.plan
        burst = self._burst_len(plan)
        if burst is None or run.sent_in_burst < burst:
            return
        # the burst is complete
        run.bursts_done += 1
        interval = _NS / run.rate_pps if run.rate_pps > 0 else 0.0
        if plan.mode is PacerMode.MULTI_BURST and (
            plan.bursts == 0 or run.bursts_done < plan.bursts
        ):
            run.start_ns += int(burst * interval) + plan.ibg_ns
            run.sent_in_burst = 0
            return
        del self._st.runs[key]
        end_ns = run.start_ns + int(burst * interval)
        self._chain(plan, max(end_ns, min(now_ns, end_ns)))

    def _chain(self, plan: StreamPlan, at_ns: int) -> None:
        nxt = plan.next_key
        if nxt is None or nxt not in self._plans:
            return
        if plan.action_count > 0:
            taken = self._st.gotos.get(plan.key, 0)
            if taken + 1 >= plan.action_count:
                return
            self._st.gotos[plan.key] = taken + 1
        if nxt not in self._st.runs:
            self._launch(self._plans[nxt], at_ns)

    def next_wakeup_ns(self, now_ns: int) -> int | None:
        """The earliest time a frame becomes due (``None``: nothing will)."""
        if self._paused_at is not None or self._limit_reached:
            return None
        best: int | None = None
        for key, run in self._st.runs.items():
            if run.rate_pps <= 0 or key in self._suppressed:
                continue
            t = run.start_ns + int(run.sent_in_burst * _NS / run.rate_pps)
            best = t if best is None else min(best, t)
        if self._end_ns is not None and self._st.runs:  # none left: nothing to wait for
            best = self._end_ns if best is None else min(best, self._end_ns)
        return best


def _earliest(dues: list[Due], n: int) -> list[Due]:
    """``dues`` cut to the ``n`` frames that depart first (a tie: the lower key)."""
    taken = [0] * len(dues)
    heap: list[tuple[float, int]] = [(float(d.first_ns), i) for i, d in enumerate(dues)]
    heapq.heapify(heap)
    for _ in range(n):
        _, i = heapq.heappop(heap)
        taken[i] += 1
        d = dues[i]
        if taken[i] < d.count:
            heapq.heappush(heap, (d.first_ns + taken[i] * d.interval_ns, i))
    return [
        Due(d.key, k, d.first_ns, d.interval_ns)
        for d, k in zip(dues, taken, strict=True)
        if k > 0
    ]
