"""RFC 2544 trials on a tester: send a burst at a rate on one or several flows at
once, wait for the frames in flight, count TX and RX of the test frames (issue
18's engine; the searches are :mod:`wirespeed.rfc2544`).

A trial is one single burst of ``rate × trial_s`` frames per flow, each flow a
stream of its own with its own TPLD id, so TX is exact per flow and RX is the
receiving port's count of that TID after the in-flight wait: loss is TX - RX,
never an estimate. A port's rate (% of its line, L1) is shared equally by the
flows it sends. The rate the tester really sent is a port's frames over the span
from its first to its last frame (the TX worker's clock,
:meth:`Tester.tx_job_span_ns`); a trial any port sent slower than asked (the
tester could not keep the rate) is marked as the tester's limit by the search.

:class:`TrialSet` runs trials of a set of flows; :func:`throughput`,
:func:`loss_curve`, :func:`latency_trials` and :func:`burst_searches` are the four
tests on it. :func:`measure_throughput`, :func:`frame_loss`, :func:`latency_at`
and :func:`back_to_back` are the same for one flow.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from wirespeed.analysis import HISTOGRAM_BOUNDS_US, TidStats
from wirespeed.errors import ConfigError, ValidationError
from wirespeed.model import FrameLength, Rate, Stream, TxMode
from wirespeed.model.rate import L1_OVERHEAD_BYTES
from wirespeed.packet.template import header_length, segments_from_scapy
from wirespeed.rfc2544 import (
    BurstSearch,
    BurstSettings,
    FlowCount,
    Histogram,
    LatencySummary,
    SearchSettings,
    ThroughputResult,
    ThroughputSearch,
    Trial,
)
from wirespeed.service import EventKind, Tester, TrafficEvent

__all__ = [
    "Flow",
    "OnTrial",
    "TrialSet",
    "back_to_back",
    "burst_searches",
    "frame_loss",
    "latency_at",
    "latency_of",
    "latency_trials",
    "loss_curve",
    "measure_throughput",
    "throughput",
]

OnTrial = Callable[[Trial], None]
"""Told of each trial when it is done."""

_LOWER_NS = tuple(b * 1000 for b in HISTOGRAM_BOUNDS_US)


def _ignore(_trial: Trial) -> None:
    return None


def latency_of(st: TidStats | None) -> LatencySummary | None:
    """The receiver's latency of one TID (``None``: no frame measured)."""
    if st is None or st.latency.count == 0:
        return None
    lat = st.latency
    low, avg, high = lat.min_ns, lat.avg_ns, lat.max_ns
    if low is None or avg is None or high is None:
        raise ValidationError("a latency with frames has no value", field="latency")
    return LatencySummary(
        lat.count,
        low,
        avg,
        high,
        st.jitter.count,
        st.jitter.avg_ns,
        Histogram(_LOWER_NS, st.histogram),
    )


@dataclass(frozen=True)
class Flow:
    """One flow: frames of ``header`` from port ``tx`` to port ``rx``, tagged
    with TPLD id ``tid`` (unique among the flows a port receives)."""

    tx: int
    rx: int
    header: bytes
    tid: int


@dataclass(frozen=True)
class TrialSet:
    """What every trial of one test shares: the flows (sent at once), the frame
    sizes, the in-flight wait."""

    tester: Tester
    flows: tuple[Flow, ...]
    length: FrameLength
    wait_s: float
    _by_port: dict[int, list[int]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_port: dict[int, list[int]] = {}
        for i, f in enumerate(self.flows):
            by_port.setdefault(f.tx, []).append(i)
        object.__setattr__(self, "_by_port", by_port)

    def pps(self, i: int, rate_pct: float) -> float:
        """Flow ``i``'s frames/s at ``rate_pct`` of its port's line."""
        f = self.flows[i]
        line = self.tester.ports[f.tx].speed_bps
        wire_bits = (self.length.mean_wire_bytes + L1_OVERHEAD_BYTES) * 8
        return line * rate_pct / 100.0 / wire_bits / len(self._by_port[f.tx])

    def trial(self, rate_pct: float, trial_s: float) -> Trial:
        """A trial of ``trial_s`` at ``rate_pct`` on every flow."""
        n = [
            max(1, round(self.pps(i, rate_pct) * trial_s))
            for i in range(len(self.flows))
        ]
        return self._send(rate_pct, n)

    def burst(self, rate_pct: float, frames: int) -> Trial:
        """A burst of exactly ``frames`` frames on every flow."""
        return self._send(rate_pct, [frames] * len(self.flows))

    def _send(self, rate_pct: float, frames: list[int]) -> Trial:
        t = self.tester
        pps = [self.pps(i, rate_pct) for i in range(len(self.flows))]
        for port, idx in self._by_port.items():
            t.remove_all_streams(port)
            for sid, i in enumerate(idx):
                t.add_stream(port, sid, self._stream(i, pps[i], frames[i]))
        for p in sorted({p for f in self.flows for p in (f.tx, f.rx)}):
            t.clear_stats(p)
        timeout = max(n / r for n, r in zip(frames, pps, strict=True)) * 10 + 5
        _start_and_wait(t, list(self._by_port), timeout)
        time.sleep(self.wait_s)  # frames still in the DUT
        t.settle(sorted({f.rx for f in self.flows}))
        return self._count(rate_pct, pps)

    def _stream(self, i: int, pps: float, frames: int) -> Stream:
        f = self.flows[i]
        return Stream(
            packet=f.header,
            header_len_bytes=header_length(f.header),
            segments=segments_from_scapy(f.header),  # lengths follow the frame size
            length=self.length,
            rate=Rate.pps(pps),
            mode=TxMode.single_burst(frames),
            tpld_id=f.tid,
        )

    def _count(self, rate_pct: float, pps: list[float]) -> Trial:
        t = self.tester
        counts: dict[int, FlowCount] = {}
        tx_bytes, ratio, span_max = 0, 1.0, 0
        for port, idx in self._by_port.items():
            sent = 0
            for sid, i in enumerate(idx):
                f = self.flows[i]
                st = t.stream_tx_stats(port, sid)
                rx = t.tid_stats(f.rx, f.tid)
                got = 0 if rx is None else rx.packets
                counts[i] = FlowCount(st.packets, got, latency_of(rx))
                sent += st.packets
                tx_bytes += st.bytes
            span = t.tx_job_span_ns(port)
            span_max = max(span_max, span)
            asked_s = (sent - 1) / sum(pps[i] for i in idx)  # ``sent`` at the rate
            if sent == 0:
                ratio = 0.0
            elif span > 0:
                ratio = min(ratio, asked_s / (span / 1e9))
        return Trial.of_flows(
            rate_pct,
            rate_pct * min(1.0, ratio),
            tuple(counts[i] for i in range(len(self.flows))),
            tx_bytes=tx_bytes,
            tx_span_ns=span_max,
        )


def _start_and_wait(tester: Tester, ports: list[int], timeout_s: float) -> None:
    pending = set(ports)
    lock = threading.Lock()
    done = threading.Event()

    def on(ev: TrafficEvent) -> None:
        if ev.kind in (EventKind.DONE, EventKind.STOPPED):
            with lock:
                pending.discard(ev.port)
                if not pending:
                    done.set()

    unsubscribe = tester.subscribe(on)
    try:
        tester.start_traffic(ports)
        if not done.wait(timeout_s):
            tester.stop_traffic(ports)
    finally:
        unsubscribe()


# ---------------------------------------------------------------------- the tests
def throughput(
    ts: TrialSet,
    settings: SearchSettings,
    *,
    trial_s: float,
    verify_s: float | None = None,
    on_trial: OnTrial = _ignore,
) -> ThroughputResult:
    """RFC 2544 26.1 (and NDR/PDR): the search's trials on ``ts``; the
    verification trial (with ``settings.verify``) lasts ``verify_s``."""
    search = ThroughputSearch(settings)
    while (rate := search.next_rate()) is not None:
        duration = trial_s
        if search.is_verifying and verify_s is not None:
            duration = verify_s
        trial = ts.trial(rate, duration)
        search.record(trial)
        on_trial(trial)
    return search.result()


def loss_curve(
    ts: TrialSet, rates_pct: list[float], *, trial_s: float, on_trial: OnTrial = _ignore
) -> list[Trial]:
    """RFC 2544 26.3: a trial at each rate (100 %, 90 % ... as given), each with
    its exact loss."""
    out = []
    for r in rates_pct:
        out.append(ts.trial(r, trial_s))
        on_trial(out[-1])
    return out


def latency_trials(
    ts: TrialSet,
    rate_pct: float,
    *,
    repetitions: int,
    trial_s: float,
    on_trial: OnTrial = _ignore,
) -> list[Trial]:
    """RFC 2544 26.2: ``repetitions`` trials at ``rate_pct``, every frame timed
    by its TPLD (each trial's flows carry their latency)."""
    return loss_curve(ts, [rate_pct] * repetitions, trial_s=trial_s, on_trial=on_trial)


def burst_searches(
    ts: TrialSet,
    settings: BurstSettings,
    *,
    repetitions: int,
    on_trial: OnTrial = _ignore,
) -> list[BurstSearch]:
    """RFC 2544 26.4: the longest lossless burst at ``settings.rate_pct``, searched
    ``repetitions`` times (the RFC asks for 50; the average is the result)."""
    if not 1 <= repetitions <= 1000:
        raise ConfigError("repetitions are 1..1000", field="back_to_back.repetitions")
    searches = []
    for _ in range(repetitions):
        search = BurstSearch(settings)
        while (n := search.next_frames()) is not None:
            trial = ts.burst(settings.rate_pct, n)
            search.record(trial)
            on_trial(trial)
        searches.append(search)
    return searches


# ------------------------------------------------------------ one flow, by itself
def _one(
    tester: Tester, tx: int, rx: int, header: bytes, frame_size: int, wait_s: float,
    tid: int,
) -> TrialSet:  # fmt: skip
    return TrialSet(
        tester, (Flow(tx, rx, header, tid),), FrameLength.fixed(frame_size), wait_s
    )


def measure_throughput(
    tester: Tester,
    tx: int,
    rx: int,
    *,
    header: bytes,
    frame_size: int,
    settings: SearchSettings,
    trial_s: float = 1.0,
    wait_s: float = 0.5,
    tid: int = 0,
) -> ThroughputResult:
    """The throughput from ``tx`` to ``rx`` at one frame size (RFC 2544 26.1).

    Raises:
        ConfigError: a frame size the header and TPLD do not fit in, a trial
            shorter than 0.1 s (each naming its field).
    """
    if not 0.1 <= trial_s <= 3600:
        raise ConfigError("a trial lasts 0.1 s to 1 h", field="trial_duration")
    if not 0 <= wait_s <= 60:
        raise ConfigError("the in-flight wait is 0 to 60 s", field="wait")
    if frame_size < 64 or frame_size > 16_384:
        raise ConfigError(
            f"frame size {frame_size} is not 64..16384", field="frame_size"
        )
    ts = _one(tester, tx, rx, header, frame_size, wait_s, tid)
    try:
        return throughput(ts, settings, trial_s=trial_s)
    except ValidationError as exc:  # the frame cannot hold header and TPLD
        raise ConfigError(
            f"frame size {frame_size}: {exc.reason}", field="frame_size"
        ) from exc


def frame_loss(
    tester: Tester,
    tx: int,
    rx: int,
    *,
    header: bytes,
    frame_size: int,
    rates_pct: list[float],
    trial_s: float = 1.0,
    wait_s: float = 0.5,
    tid: int = 0,
) -> list[Trial]:
    """RFC 2544 26.3 for one flow (:func:`loss_curve`)."""
    if not rates_pct or any(not 0 < r <= 100 for r in rates_pct):
        raise ConfigError("rates are in (0, 100] % of line", field="frame_loss.rates")
    ts = _one(tester, tx, rx, header, frame_size, wait_s, tid)
    return loss_curve(ts, rates_pct, trial_s=trial_s)


def latency_at(
    tester: Tester,
    tx: int,
    rx: int,
    *,
    header: bytes,
    frame_size: int,
    rate_pct: float,
    trial_s: float = 1.0,
    wait_s: float = 0.5,
    tid: int = 0,
) -> tuple[Trial, TidStats | None]:
    """RFC 2544 26.2 for one flow: a trial at ``rate_pct`` (the throughput found)
    and the receiver's analysis of its frames (every frame timed by its TPLD)."""
    ts = _one(tester, tx, rx, header, frame_size, wait_s, tid)
    return ts.trial(rate_pct, trial_s), tester.tid_stats(rx, tid)


def back_to_back(
    tester: Tester,
    tx: int,
    rx: int,
    *,
    header: bytes,
    frame_size: int,
    settings: BurstSettings,
    repetitions: int = 1,
    wait_s: float = 0.5,
    tid: int = 0,
) -> list[BurstSearch]:
    """RFC 2544 26.4 for one flow (:func:`burst_searches`)."""
    ts = _one(tester, tx, rx, header, frame_size, wait_s, tid)
    return burst_searches(ts, settings, repetitions=repetitions)
