"""RFC 2544 suites: throughput (NDR/PDR), latency, frame loss and back-to-back on
the flows of a suite file (:mod:`wirespeed.rfc2544_model`), per frame size, with
the results as plain data (schema 1, below).

From the command line: ``wirespeed rfc2544 FILE.yaml``. From Python::

    from wirespeed.rfc2544_suite import SuiteModel, run_suite

    model = SuiteModel.from_dict({
        "testbed": {"modules": 1, "dut": "bridge", "impair": "rate=50mbit"},
        "pairs": [{"tx": 0, "rx": 1, "bidirectional": True}],
        "frame_sizes": [64, 1518, "imix"],
        "throughput": {"initial": 10, "max": 10, "resolution": 0.1},
    })
    result = run_suite(model, progress=lambda ev: print(ev.done, ev.planned))
    # or on a chassis already open: run_suite(model, tester=chassis.tester,
    #                                         testbed=chassis.testbed)

Flows: each pair is a flow (``bidirectional`` adds the reverse one); ``mesh:
[ports]`` is sugar for every ordered pair of those ports. All flows send at once
in every trial, each its own stream with its own TPLD id; a port's rate is shared
by the flows it sends; a trial passes only if every flow passes; counts are kept
per flow. Frame sizes are bytes with FCS, or ``"imix"``: the engine's weighted
mix (:data:`wirespeed.model.IMIX`, 64/594/1518 at 7:4:1, interleaved), whose rates
count its mean size on the wire. Before the trials of each frame size, learning
frames (see :mod:`wirespeed.rfc2544_ports`, which also resolves L3 next hops).

The result (``schema`` 1): ``wirespeed_version``, ``started``/``finished`` (UTC),
``settings`` (the model), ``testbed`` (DUT, ports), ``flows``, ``dut_counters``,
and one list per test: ``throughput`` (per frame size: the rate found in % of
line, frames/s, L2/L1 Mbit/s, duration (``trial_s``) and the flows' counts of the
passing trial,
``tester_limited``, ``verified``, ``latency_limited``, every trial),
``latency`` (per frame size and rate: min/avg/max/jitter over all repetitions and
flows, percentiles and the histogram of the receiver, per repetition),
``frame_loss`` (per frame size, a point per rate) and ``back_to_back`` (per frame
size, the longest lossless burst of each repetition, their average, and the mean
time the passing bursts took to send). A test not run is an empty list; values
that do not exist are ``None``. Every count is exact: TX - RX of test frames
after the in-flight wait. Latency percentiles come from the receiver's histogram
(:mod:`wirespeed.rfc2544.latency`).

Progress: ``progress(TrialEvent)`` after each trial, with trials done and
planned (searches count an estimate until they end).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from wirespeed import __version__
from wirespeed.errors import ConfigError
from wirespeed.model.rate import L1_OVERHEAD_BYTES
from wirespeed.rfc2544 import LatencySummary, ThroughputSearch, Trial
from wirespeed.rfc2544.plan import Progress, burst_trials, search_trials
from wirespeed.rfc2544_model import SuiteModel, check_ports, load_suite
from wirespeed.rfc2544_ports import (
    build_flows,
    check_frame_sizes,
    describe_testbed,
    frame_length,
    send_learning,
)
from wirespeed.rfc2544_trials import (
    Flow,
    TrialSet,
    burst_searches,
    latency_trials,
    loss_curve,
    throughput,
)
from wirespeed.runner import open_testbed
from wirespeed.service import Tester
from wirespeed.topology.testbed import EmbeddedTestbed

__all__ = [
    "SCHEMA",
    "DaemonSuites",
    "SuiteModel",
    "TrialEvent",
    "load_suite",
    "run_suite",
]

SCHEMA = 1
"""The version of the result's shape."""


@dataclass(frozen=True)
class TrialEvent:
    """One trial done, for a live view: which test, flow and frame size, the
    trial's exact counts (over every flow; ``tx``/``rx`` name the first flow),
    and how far the whole run is (``planned`` is an estimate while searches
    run: a binary search's steps are known only at its end)."""

    test: str  # "throughput" | "latency" | "frame_loss" | "back_to_back"
    tx: int
    rx: int
    frame_size: int | str  # bytes, or "imix"
    trial: Trial
    done: int
    planned: int


ProgressFn = Callable[[TrialEvent], None]


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def run_suite(
    model: SuiteModel,
    base: Path | None = None,
    progress: ProgressFn | None = None,
    *,
    tester: Tester | None = None,
    testbed: EmbeddedTestbed | None = None,
) -> dict[str, Any]:
    """Run every test of ``model``; the results as plain data (see the module).

    Args:
        model: the suite.
        base: the folder a ``config`` file name is relative to.
        progress: told of each trial.
        tester: run on this tester (and ``testbed``, to describe the DUT and
            read its counters) instead of opening the suite's own.

    Raises:
        ConfigError: a port, frame size or address the ports cannot serve
            (naming the field).
        PortError: a next hop or gateway did not answer ARP/ND (naming the port).
    """
    started = _now()
    if tester is not None:
        return _Run(model, tester, testbed, progress).run(started, None)
    if model.hosts:  # ports on several daemons, one numbering
        from wirespeed.fleet import open_fleet

        owner = "wirespeed-rfc2544"
        with open_fleet(model.hosts, owner=owner) as fleet:
            on_fleet = model.on_ports(fleet.index)
            ports = [p for flow in on_fleet.flows() for p in flow]
            with fleet.hold(ports, owner):
                run = _Run(on_fleet, fleet, None, progress)  # type: ignore[arg-type]
                return run.run(started, None)
    config, bed = open_testbed(model.testbed, model.config, base)
    try:
        with Tester(config) as own:
            return _Run(model, own, bed, progress).run(started, model.testbed.impair)
    finally:
        if bed is not None:
            bed.close()


class _Run:
    """One run of a suite on a tester."""

    def __init__(
        self,
        model: SuiteModel,
        tester: Tester,
        bed: EmbeddedTestbed | None,
        progress: ProgressFn | None,
    ) -> None:
        self.model, self.tester, self.bed = model, tester, bed
        self.tell = progress
        self.progress = Progress()
        self.flows: tuple[Flow, ...] = ()

    def run(self, started: str, impair: str | None) -> dict[str, Any]:
        m, t = self.model, self.tester
        check_ports(m, len(t.ports))
        self.flows = build_flows(t, m, timeout_s=m.resolve_timeout)
        check_frame_sizes(t, self.flows, list(m.frame_sizes))
        self._plan()
        out: dict[str, Any] = {
            "schema": SCHEMA,
            "wirespeed_version": __version__,
            "started": started,
            "finished": None,
            "settings": m.model_dump(mode="json"),
            "testbed": describe_testbed(t, self.bed, impair),
            "flows": [
                {"tx": f.tx, "rx": f.rx, "tid": f.tid, "dst_mac": _dst_mac(f.header)}
                for f in self.flows
            ],
            "dut_counters": None,
            "throughput": [],
            "latency": [],
            "frame_loss": [],
            "back_to_back": [],
        }
        try:
            for size in m.frame_sizes:
                self._frame_size(size, out)
        finally:
            for p in sorted({f.tx for f in self.flows}):
                t.remove_all_streams(p)
        out["dut_counters"] = None if self.bed is None else self.bed.dut_counters()
        out["finished"] = _now()
        return out

    def _plan(self) -> None:
        m, n = self.model, len(self.model.frame_sizes)
        if m.throughput.enabled:
            self.progress.plan(n * self._search_estimate())
        if m.latency.enabled:
            self.progress.plan(n * m.latency.repetitions * len(m.latency.rates or [0]))
        if m.frame_loss is not None:
            self.progress.plan(n * len(m.frame_loss.rates_pct()))
        if m.back_to_back is not None:
            self.progress.plan(n * self._burst_estimate())

    def _search_estimate(self) -> int:
        t = self.model.throughput
        return search_trials(t.min, t.max, t.resolution) + int(t.verify)

    def _burst_estimate(self) -> int:
        b = self.model.back_to_back
        assert b is not None
        return b.repetitions * burst_trials(b.min_frames, b.max_frames, b.resolution)

    def _on(self, test: str, size: int | str) -> Callable[[Trial], None]:
        def told(trial: Trial) -> None:
            self.progress.step()
            if self.tell is not None:
                first = self.flows[0]
                done, planned = self.progress.done, self.progress.planned
                ev = TrialEvent(test, first.tx, first.rx, size, trial, done, planned)
                self.tell(ev)

        return told

    def _frame_size(self, size: int | str, out: dict[str, Any]) -> None:
        m = self.model
        if m.learning.enabled:
            send_learning(self.tester, sorted({f.rx for f in self.flows}), m.learning)
        ts = TrialSet(self.tester, self.flows, frame_length(size), m.wait)
        found: float | None = None
        if m.throughput.enabled:
            entry = self._throughput(ts, size)
            out["throughput"].append(entry)
            found = entry["rate_pct"]
        if m.latency.enabled:
            rates: list[float | None] = [found]
            if m.latency.rates is not None:
                rates = list(m.latency.rates)
            for rate in rates:
                out["latency"].append(self._latency(ts, size, rate))
        if m.frame_loss is not None:
            out["frame_loss"].append(self._loss(ts, size))
        if m.back_to_back is not None:
            out["back_to_back"].append(self._burst(ts, size))

    def _throughput(self, ts: TrialSet, size: int | str) -> dict[str, Any]:
        tm, trial_s = self.model.throughput, self.model.trial_duration
        settings = tm.settings()
        res = throughput(
            ts, settings, trial_s=trial_s, verify_s=tm.verify_duration,
            on_trial=self._on("throughput", size),
        )  # fmt: skip
        best = res.trial
        took = len(res.trials) + int(res.verification is not None)
        self.progress.settle(self._search_estimate(), took)
        judge = ThroughputSearch(settings)
        # after a failed verification the search went on with long trials only
        best_s = tm.verify_duration if res.long_trials else trial_s
        entry: dict[str, Any] = {
            "frame_size": size,
            "rate_pct": res.rate_pct,
            "trial_s": None if best is None else best_s,
            **_rates(best, best_s),
            "tester_limited": res.tester_limited,
            "verified": res.verified,
            "latency_limited": res.latency_limited,
            "trials": [_trial(x, judge.passed(x)) for x in res.trials],
            "verification": None
            if res.verification is None
            else _trial(res.verification, judge.passed(res.verification)),
            "flows": [] if best is None else _flows(self.flows, best),
        }
        return entry

    def _latency(
        self, ts: TrialSet, size: int | str, rate: float | None
    ) -> dict[str, Any]:
        reps = self.model.latency.repetitions
        trials: list[Trial] = []
        if rate is not None:
            trials = latency_trials(
                ts, rate, repetitions=reps, trial_s=self.model.trial_duration,
                on_trial=self._on("latency", size),
            )  # fmt: skip
        else:
            self.progress.settle(reps, 0)
        lat = LatencySummary.merge_all([x.latency for x in trials])
        entry: dict[str, Any] = {"frame_size": size, "rate_pct": rate}
        entry.update(_latency_dict(lat))
        entry["percentiles_ns"] = None if lat is None else lat.percentiles_ns()
        entry["histogram"] = None if lat is None else lat.histogram.to_dict(lat.max_ns)
        entry["repetitions"] = [
            {**_latency_dict(x.latency), "tx": x.tx_frames, "rx": x.rx_frames}
            for x in trials
        ]
        return entry

    def _loss(self, ts: TrialSet, size: int | str) -> dict[str, Any]:
        fl = self.model.frame_loss
        assert fl is not None
        trials = loss_curve(
            ts, fl.rates_pct(), trial_s=self.model.trial_duration,
            on_trial=self._on("frame_loss", size),
        )  # fmt: skip
        points = [
            {
                "rate_pct": x.rate_pct,
                "achieved_pct": round(x.achieved_pct, 4),
                "tx": x.tx_frames,
                "rx": x.rx_frames,
                "loss_pct": round(x.loss_pct, 6),
                "tester_limited": x.tester_limited,
            }
            for x in trials
        ]
        return {"frame_size": size, "points": points}

    def _burst(self, ts: TrialSet, size: int | str) -> dict[str, Any]:
        b = self.model.back_to_back
        assert b is not None
        searches = burst_searches(
            ts, b.settings(), repetitions=b.repetitions,
            on_trial=self._on("back_to_back", size),
        )  # fmt: skip
        self.progress.settle(
            self._burst_estimate(), sum(len(s.trials) for s in searches)
        )
        found = [s.result_frames for s in searches]
        lengths = [n for n in found if n is not None]
        spans = [s.best.tx_span_ns for s in searches if s.best is not None]
        return {
            "frame_size": size,
            "rate_pct": b.rate,
            "frames": found,
            "average": sum(lengths) / len(lengths) if lengths else None,
            "duration_us_avg": round(sum(spans) / len(spans) / 1e3, 3)
            if spans
            else None,
        }


def _dst_mac(header: bytes) -> str:
    return ":".join(f"{b:02x}" for b in header[:6])


def _rates(trial: Trial | None, trial_s: float) -> dict[str, float | None]:
    """frames/s and L2/L1 Mbit/s of a trial (over every flow)."""
    if trial is None:
        return {"fps": None, "l2_mbps": None, "l1_mbps": None}
    l1_bytes = trial.tx_bytes + L1_OVERHEAD_BYTES * trial.tx_frames
    return {
        "fps": round(trial.tx_frames / trial_s, 1),
        "l2_mbps": round(trial.tx_bytes * 8 / trial_s / 1e6, 4),
        "l1_mbps": round(l1_bytes * 8 / trial_s / 1e6, 4),
    }


def _trial(trial: Trial, passed: bool) -> dict[str, Any]:
    lat = trial.latency
    return {
        "rate_pct": trial.rate_pct,
        "achieved_pct": round(trial.achieved_pct, 4),
        "tx": trial.tx_frames,
        "rx": trial.rx_frames,
        "loss_pct": round(trial.loss_pct, 6),
        "passed": passed,
        "tester_limited": trial.tester_limited,
        "latency_avg_ns": None if lat is None else round(lat.avg_ns, 1),
    }


def _flows(flows: tuple[Flow, ...], trial: Trial) -> list[dict[str, int]]:
    return [
        {"tx": f.tx, "rx": f.rx, "tx_frames": c.tx_frames, "rx_frames": c.rx_frames}
        for f, c in zip(flows, trial.per_flow, strict=True)
    ]


def _latency_dict(lat: LatencySummary | None) -> dict[str, Any]:
    if lat is None:
        return {"min_ns": None, "avg_ns": None, "max_ns": None, "jitter_ns": None}
    return lat.to_dict()


class DaemonSuites:
    """Suites run by a daemon on its own ports (what its HTTP front end's
    ``POST /api/rfc2544`` runs): the suite's ``testbed`` is the daemon's."""

    def __init__(self, tester: Tester, testbed: EmbeddedTestbed | None) -> None:
        self.tester = tester
        self.testbed = testbed

    def parse(self, data: Any) -> SuiteModel:
        """The suite, checked against this daemon's ports.

        Raises:
            ConfigError: naming the wrong field.
        """
        model = SuiteModel.from_dict(data)
        if model.config is not None:
            raise ConfigError(
                "a suite run by the daemon uses the daemon's ports; leave it out",
                field="config",
            )
        check_ports(model, len(self.tester.ports))
        return model

    def ports(self, suite: SuiteModel) -> list[int]:
        """The ports the suite's flows use."""
        return sorted({p for flow in suite.flows() for p in flow})

    def run(
        self, suite: SuiteModel, progress: Callable[[dict[str, Any]], None]
    ) -> dict[str, Any]:
        """Run it; ``progress`` gets each trial as plain data."""

        def tell(ev: TrialEvent) -> None:
            progress(
                {
                    "test": ev.test,
                    "frame_size": ev.frame_size,
                    "rate_pct": ev.trial.rate_pct,
                    "achieved_pct": ev.trial.achieved_pct,
                    "tx": ev.trial.tx_frames,
                    "rx": ev.trial.rx_frames,
                    "done": ev.done,
                    "planned": ev.planned,
                }
            )

        return run_suite(suite, progress=tell, tester=self.tester, testbed=self.testbed)
