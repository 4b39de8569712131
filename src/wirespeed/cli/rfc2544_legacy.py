"""Until :func:`wirespeed.rfc2544_suite.run_suite` returns results of schema 1 and
takes ``progress`` (issue 18's runner change, merged separately): run it and turn
its per-pair results into schema 1, so every view reads one layout.

Once the runner has ``progress``, :func:`run_v1` only passes the call on; then
delete this module and call ``run_suite(model, base, progress=...)`` directly.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wirespeed._version import __version__
from wirespeed.model.rate import L1_OVERHEAD_BYTES
from wirespeed.rfc2544 import BurstSettings, SearchSettings, ThroughputSearch, Trial

if TYPE_CHECKING:
    from wirespeed.rfc2544_suite import SuiteModel, TrialEvent

__all__ = ["run_v1"]


def run_v1(
    model: SuiteModel, base: Path | None, progress: Callable[[TrialEvent], None] | None
) -> dict[str, Any]:
    """``run_suite``'s results in schema 1 (live ``progress`` once it exists)."""
    from wirespeed.rfc2544_suite import run_suite

    if "progress" in inspect.signature(run_suite).parameters:
        out: dict[str, Any] = run_suite(model, base, progress=progress)  # type: ignore[call-arg,unused-ignore]
        return out
    started = _utc_now()
    legacy = run_suite(model, base)
    return _to_v1(model, legacy, started, _utc_now())


def _utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _to_v1(
    model: SuiteModel, legacy: dict[str, Any], started: str, finished: str
) -> dict[str, Any]:
    t = model.throughput
    search = ThroughputSearch(
        SearchSettings(t.initial, t.min, t.max, t.resolution, t.acceptable_loss)
    )
    entries = [(p, e) for p in legacy["pairs"] for e in p["frame_sizes"]]
    return {
        "schema": 1,
        "wirespeed_version": __version__,
        "started": started,
        "finished": finished,
        "settings": model.model_dump(mode="json"),
        "testbed": {
            "dut": {
                "kind": model.testbed.dut or None,
                "impair": model.testbed.impair,
                "firewall": model.testbed.firewall,
            },
            "ports": [],  # the per-pair runner does not report them
        },
        "flows": [{"tx": p["tx"], "rx": p["rx"]} for p in legacy["pairs"]],
        "dut_counters": legacy["dut"],
        "throughput": [_throughput(p, e, search) for p, e in entries],
        "latency": [_latency(e) for _, e in entries if e.get("latency_ns")],
        "frame_loss": [_frame_loss(e) for _, e in entries if "frame_loss" in e],
        "back_to_back": [_b2b(e) for _, e in entries if "back_to_back" in e],
    }


def _trial(x: dict[str, Any]) -> Trial:
    return Trial(x["rate_pct"], x["tx"], x["rx"], x["achieved_pct"])


def _throughput(
    pair: dict[str, Any], e: dict[str, Any], search: ThroughputSearch
) -> dict[str, Any]:
    size, fps = e["frame_size"], e["throughput_fps"]
    trials = [_trial(x) for x in e["trials"]]
    found = [
        x for x in trials if x.rate_pct == e["throughput_pct"] and search.passed(x)
    ]
    return {
        "frame_size": size,
        "rate_pct": e["throughput_pct"],
        "fps": fps,
        "l2_mbps": None if fps is None else fps * size * 8 / 1e6,
        "l1_mbps": None if fps is None else fps * (size + L1_OVERHEAD_BYTES) * 8 / 1e6,
        "tester_limited": e["tester_limited"],
        "verified": None,
        "latency_limited": False,
        "trials": [
            {
                "rate_pct": x.rate_pct,
                "achieved_pct": x.achieved_pct,
                "tx": x.tx_frames,
                "rx": x.rx_frames,
                "loss_pct": x.loss_pct,
                "passed": search.passed(x),
                "latency_avg_ns": None,
            }
            for x in trials
        ],
        "flows": [
            {
                "tx": pair["tx"],
                "rx": pair["rx"],
                "tx_frames": x.tx_frames,
                "rx_frames": x.rx_frames,
            }
            for x in found[-1:]
        ],
    }


def _latency(e: dict[str, Any]) -> dict[str, Any]:
    lat = e["latency_ns"]
    return {
        "frame_size": e["frame_size"],
        "rate_pct": e["throughput_pct"],
        "min_ns": lat["min"],
        "avg_ns": lat["avg"],
        "max_ns": lat["max"],
        "jitter_ns": lat["jitter"],
        "percentiles_ns": {},
        "histogram": None,
        "repetitions": [],
    }


def _frame_loss(e: dict[str, Any]) -> dict[str, Any]:
    return {
        "frame_size": e["frame_size"],
        "points": [
            {
                "rate_pct": x["rate_pct"],
                "achieved_pct": x["achieved_pct"],
                "tx": x["tx"],
                "rx": x["rx"],
                "loss_pct": x["loss_pct"],
                "tester_limited": _trial(x).tester_limited,
            }
            for x in e["frame_loss"]
        ],
    }


def _b2b(e: dict[str, Any]) -> dict[str, Any]:
    frames = e["back_to_back"]["frames"]
    return {
        "frame_size": e["frame_size"],
        "rate_pct": BurstSettings().rate_pct,
        "frames": frames,
        "average": sum(frames) / len(frames),
        "duration_us_avg": None,
    }
