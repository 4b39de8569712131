"""``wirespeed rfc2544 FILE.yaml``: the RFC 2544 tests from a YAML file.

Shape (every key but ``pairs`` optional; errors name the field)::

    testbed: {modules: 1, dut: bridge, impair: "rate=50mbit"}   # or config: FILE
    pairs: [{tx: 0, rx: 1}]          # one direction per pair
    frame_sizes: [64, 512, 1518]
    trial_duration: 1                # seconds per trial
    wait: 0.5                        # seconds for frames in flight after a trial
    throughput: {initial: 100, min: 0.1, max: 100, resolution: 0.5,
                 acceptable_loss: 0}
    latency: {enabled: true}         # a trial at the throughput found
    frame_loss: {rates: [100, 90, 80, 70, 60, 50, 40, 30, 20, 10]}
    back_to_back: {max_frames: 10000, resolution: 1, repetitions: 2}

Frames are Ethernet / IPv4 (protocol 253, 198.18.0.1 -> 198.19.0.1) from the
sending port's MAC to the receiving port's, with a TPLD: a 64-byte frame holds it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from wirespeed.errors import ConfigError
from wirespeed.profiles import TestbedModel
from wirespeed.rfc2544 import BurstSettings, SearchSettings, Trial
from wirespeed.rfc2544_trials import (
    back_to_back,
    frame_loss,
    latency_at,
    measure_throughput,
)
from wirespeed.runner import open_testbed
from wirespeed.service import Tester

__all__ = ["SuiteModel", "TrialEvent", "load_suite", "run_suite"]


@dataclass(frozen=True)
class TrialEvent:
    """One trial done, for a live view: which test, pair and frame size, the
    trial's exact counts, and how far the whole run is (``planned`` is an
    estimate while searches run: a binary search's steps are known only at its
    end)."""

    test: str  # "throughput" | "latency" | "frame_loss" | "back_to_back"
    tx: int
    rx: int
    frame_size: int | str  # bytes, or "imix"
    trial: Trial
    done: int
    planned: int


ProgressFn = Callable[[TrialEvent], None]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PairModel(_Strict):
    tx: int = Field(ge=0)
    rx: int = Field(ge=0)


class ThroughputModel(_Strict):
    initial: float = 100.0
    min: float = 0.1
    max: float = 100.0
    resolution: float = 0.5
    acceptable_loss: float = 0.0


class LatencyModel(_Strict):
    enabled: bool = True


class FrameLossModel(_Strict):
    rates: list[float] = Field(min_length=1)


class BackToBackModel(_Strict):
    max_frames: int = Field(10_000, ge=1)
    min_frames: int = Field(1, ge=1)
    resolution: int = Field(1, ge=1)
    repetitions: int = Field(1, ge=1, le=1000)


class SuiteModel(_Strict):
    testbed: TestbedModel = TestbedModel()  # type: ignore[call-arg]
    config: str | None = None
    pairs: list[PairModel] = Field(min_length=1)
    frame_sizes: list[int] = Field(
        default_factory=lambda: [64, 512, 1518], min_length=1
    )
    trial_duration: float = Field(1.0, ge=0.1, le=3600)
    wait: float = Field(0.5, ge=0, le=60)
    throughput: ThroughputModel = ThroughputModel()
    latency: LatencyModel = LatencyModel()
    frame_loss: FrameLossModel | None = None
    back_to_back: BackToBackModel | None = None


def load_suite(path: str | Path) -> tuple[SuiteModel, Path]:
    """Read and validate a suite file; errors name the field."""
    p = Path(path)
    try:
        raw: Any = yaml.safe_load(p.read_text())
    except OSError as exc:
        raise ConfigError(f"cannot read {p}: {exc}", field="rfc2544") from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"not valid YAML: {exc}", field="rfc2544") from exc
    try:
        model = SuiteModel.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = ".".join(str(x) for x in first["loc"])
        raise ConfigError(str(first["msg"]), field=loc or "rfc2544") from exc
    t = model.throughput
    SearchSettings(t.initial, t.min, t.max, t.resolution, t.acceptable_loss)  # checks
    return model, p.parent


def _header(tester: Tester, tx: int, rx: int) -> bytes:
    from scapy.layers.inet import IP
    from scapy.layers.l2 import Ether

    return bytes(
        Ether(src=tester.ports[tx].mac, dst=tester.ports[rx].mac)
        / IP(src="198.18.0.1", dst="198.19.0.1", proto=253)
    )


def run_suite(model: SuiteModel, base: Path | None = None) -> dict[str, Any]:
    """Run every test of ``model``; the results as plain data."""
    config, bed = open_testbed(model.testbed, model.config, base)
    try:
        with Tester(config) as tester:
            n = len(tester.ports)
            for i, pair in enumerate(model.pairs):
                for end in (pair.tx, pair.rx):
                    if end >= n:
                        raise ConfigError(
                            f"no port {end} (ports 0..{n - 1})", field=f"pairs.{i}"
                        )
            return {
                "pairs": [_run_pair(model, tester, p.tx, p.rx) for p in model.pairs],
                "dut": None if bed is None else bed.dut_counters(),
            }
    finally:
        if bed is not None:
            bed.close()


def _run_pair(model: SuiteModel, tester: Tester, tx: int, rx: int) -> dict[str, Any]:
    t = model.throughput
    settings = SearchSettings(t.initial, t.min, t.max, t.resolution, t.acceptable_loss)
    header = _header(tester, tx, rx)
    timing = {"trial_s": model.trial_duration, "wait_s": model.wait}
    out: dict[str, Any] = {"tx": tx, "rx": rx, "frame_sizes": []}
    for size in model.frame_sizes:
        res = measure_throughput(
            tester, tx, rx, header=header, frame_size=size, settings=settings,
            tid=1, **timing,
        )  # fmt: skip
        entry: dict[str, Any] = {
            "frame_size": size,
            "throughput_pct": res.rate_pct,
            "throughput_fps": None
            if res.trial is None
            else round(res.trial.tx_frames / model.trial_duration),
            "tester_limited": res.tester_limited,
            "trials": [
                {
                    "rate_pct": x.rate_pct,
                    "tx": x.tx_frames,
                    "rx": x.rx_frames,
                    "achieved_pct": round(x.achieved_pct, 4),
                }
                for x in res.trials
            ],
        }
        if model.latency.enabled and res.rate_pct is not None:
            _trial, st = latency_at(
                tester, tx, rx, header=header, frame_size=size,
                rate_pct=res.rate_pct, tid=2, **timing,
            )  # fmt: skip
            lat = None if st is None else st.latency
            entry["latency_ns"] = None if lat is None else {
                "min": lat.min_ns, "avg": lat.avg_ns, "max": lat.max_ns,
                "jitter": st.jitter_ns if st is not None else None,
            }  # fmt: skip
        if model.frame_loss is not None:
            trials = frame_loss(
                tester, tx, rx, header=header, frame_size=size,
                rates_pct=model.frame_loss.rates, tid=3, **timing,
            )  # fmt: skip
            entry["frame_loss"] = [
                {"rate_pct": x.rate_pct, "tx": x.tx_frames, "rx": x.rx_frames,
                 "loss_pct": round(x.loss_pct, 6),
                 "achieved_pct": round(x.achieved_pct, 4)}
                for x in trials
            ]  # fmt: skip
        if model.back_to_back is not None:
            b = model.back_to_back
            searches = back_to_back(
                tester, tx, rx, header=header, frame_size=size,
                settings=BurstSettings(b.min_frames, b.max_frames, b.resolution),
                repetitions=b.repetitions, wait_s=model.wait, tid=4,
            )  # fmt: skip
            found = [s.result_frames for s in searches]
            entry["back_to_back"] = {"frames": found}
        out["frame_sizes"].append(entry)
    return out
