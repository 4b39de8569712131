"""RFC 2544 trials on a tester: send a burst at a rate, wait for the frames in
flight, count TX and RX of the test frames (issue 18's engine; the search is
:mod:`wirespeed.rfc2544`).

A trial is one single burst of ``rate × trial_s`` frames on the sending port, with
a TPLD, so TX is exact and RX is the receiving port's per-TID count after the
in-flight wait: loss is TX - RX, never an estimate. The rate the tester really sent
is the burst's frames over the span from its first to its last frame (the TX
worker's clock, :meth:`Tester.tx_job_span_ns`); a trial sent slower than asked (the
tester could not keep the rate) is marked as the tester's limit by the search.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from wirespeed.analysis import TidStats
from wirespeed.errors import ConfigError, ValidationError
from wirespeed.model import FrameLength, Rate, Stream, TxMode
from wirespeed.model.rate import L1_OVERHEAD_BYTES
from wirespeed.packet.template import header_length, segments_from_scapy
from wirespeed.rfc2544 import (
    BurstSearch,
    BurstSettings,
    SearchSettings,
    ThroughputResult,
    ThroughputSearch,
    Trial,
)
from wirespeed.service import EventKind, Tester, TrafficEvent

__all__ = [
    "back_to_back",
    "frame_loss",
    "latency_at",
    "measure_throughput",
    "run_burst",
    "run_trial",
]

_STREAM_ID = 0


@dataclass(frozen=True)
class _Path:
    """What every trial of one test shares: the ports, the frames, the TID."""

    tester: Tester
    tx: int
    rx: int
    header: bytes
    frame_size: int
    wait_s: float
    tid: int

    def burst(self, rate_pct: float, frames: int) -> Trial:
        return run_burst(
            self.tester, self.tx, self.rx, header=self.header,
            frame_size=self.frame_size, rate_pct=rate_pct, frames=frames,
            wait_s=self.wait_s, tid=self.tid,
        )  # fmt: skip

    def trial(self, rate_pct: float, trial_s: float) -> Trial:
        pps = _pps(self.tester, self.tx, rate_pct, self.frame_size)
        return self.burst(rate_pct, max(1, round(pps * trial_s)))


def _pps(tester: Tester, port: int, rate_pct: float, frame_size: int) -> float:
    line = tester.ports[port].speed_bps
    return line * rate_pct / 100.0 / ((frame_size + L1_OVERHEAD_BYTES) * 8)


def run_trial(
    tester: Tester,
    tx: int,
    rx: int,
    *,
    header: bytes,
    frame_size: int,
    rate_pct: float,
    trial_s: float,
    wait_s: float,
    tid: int,
) -> Trial:
    """One trial at ``rate_pct`` of ``tx``'s line rate (L1) for ``trial_s``; its
    exact counts (the receiver's analysis of it: ``tester.tid_stats(rx, tid)``
    until the next trial)."""
    path = _Path(tester, tx, rx, header, frame_size, wait_s, tid)
    return path.trial(rate_pct, trial_s)


def run_burst(
    tester: Tester,
    tx: int,
    rx: int,
    *,
    header: bytes,
    frame_size: int,
    rate_pct: float,
    frames: int,
    wait_s: float,
    tid: int,
) -> Trial:
    """A burst of exactly ``frames`` frames at ``rate_pct``; its exact counts."""
    pps = _pps(tester, tx, rate_pct, frame_size)
    tester.remove_all_streams(tx)
    tester.add_stream(
        tx,
        _STREAM_ID,
        Stream(
            packet=header,
            header_len_bytes=header_length(header),
            segments=segments_from_scapy(header),  # lengths follow the frame size
            length=FrameLength.fixed(frame_size),
            rate=Rate.pps(pps),
            mode=TxMode.single_burst(frames),
            tpld_id=tid,
        ),
    )
    tester.clear_stats(tx)
    tester.clear_stats(rx)
    done = threading.Event()

    def on(ev: TrafficEvent) -> None:
        if ev.port == tx and ev.kind in (EventKind.DONE, EventKind.STOPPED):
            done.set()

    unsubscribe = tester.subscribe(on)
    try:
        tester.start_traffic([tx])
        if not done.wait(frames / pps * 10 + 5):
            tester.stop_traffic([tx])
    finally:
        unsubscribe()
    time.sleep(wait_s)  # frames still in the DUT
    tester.settle([rx])
    sent = tester.stream_tx_stats(tx, _STREAM_ID).packets
    st = tester.tid_stats(rx, tid)
    got = 0 if st is None else st.packets
    span_s = tester.tx_job_span_ns(tx) / 1e9
    asked_s = (sent - 1) / pps  # the span of ``sent`` frames at the asked rate
    achieved = rate_pct * min(1.0, asked_s / span_s) if span_s > 0 else rate_pct
    return Trial(rate_pct, sent, got, achieved if sent else 0.0)


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
    path = _Path(tester, tx, rx, header, frame_size, wait_s, tid)
    search = ThroughputSearch(settings)
    while (rate := search.next_rate()) is not None:
        try:
            trial = path.trial(rate, trial_s)
        except ValidationError as exc:  # the frame cannot hold header and TPLD
            raise ConfigError(
                f"frame size {frame_size}: {exc.reason}", field="frame_size"
            ) from exc
        search.record(trial)
    return search.result()


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
    """RFC 2544 26.3: a trial at each rate (100 %, 90 % ... as given), each with
    its exact loss."""
    if not rates_pct or any(not 0 < r <= 100 for r in rates_pct):
        raise ConfigError("rates are in (0, 100] % of line", field="frame_loss.rates")
    path = _Path(tester, tx, rx, header, frame_size, wait_s, tid)
    return [path.trial(r, trial_s) for r in rates_pct]


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
    """RFC 2544 26.2: a trial at ``rate_pct`` (the throughput found) and the
    receiver's latency and jitter of its frames (every frame timed by its TPLD)."""
    trial = _Path(tester, tx, rx, header, frame_size, wait_s, tid).trial(
        rate_pct, trial_s
    )
    return trial, tester.tid_stats(rx, tid)


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
    """RFC 2544 26.4: the longest lossless burst at ``settings.rate_pct``, searched
    ``repetitions`` times (the RFC asks for 50; the average is the result)."""
    if not 1 <= repetitions <= 1000:
        raise ConfigError("repetitions are 1..1000", field="back_to_back.repetitions")
    path = _Path(tester, tx, rx, header, frame_size, wait_s, tid)
    searches = []
    for _ in range(repetitions):
        search = BurstSearch(settings)
        while (n := search.next_frames()) is not None:
            search.record(path.burst(settings.rate_pct, n))
        searches.append(search)
    return searches
