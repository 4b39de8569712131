"""RFC 2544 suites on the bridge DUT: both directions at once through a shaper on
each way (a known throughput), IMIX, latency percentiles from the receiver's
histogram, progress; learning frames, and two pairs sent at once."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from wirespeed.client import Chassis
from wirespeed.fieldengine.sequences import mix_cycle
from wirespeed.model import IMIX
from wirespeed.rfc2544_suite import SuiteModel, TrialEvent, run_suite
from wirespeed.topology.impair import (
    apply_impairment,
    impairment_counters,
    parse_impairment,
)

pytestmark = [pytest.mark.netns]

RATE_BPS = 20_000_000  # each way, in bytes the kernel counts (frames without FCS)
TRIAL_S = 0.5
VERIFY_S = 1.0
RESOLUTION = 0.1
IMIX_MEAN = sum(s * w for s, w in IMIX) / sum(w for _, w in IMIX)  # 361.83 B

SHAPED = {
    "pairs": [{"tx": 0, "rx": 1, "bidirectional": True}],
    "frame_sizes": [1518, "imix"],
    "trial_duration": TRIAL_S,
    "wait": 0.3,
    "throughput": {"initial": 3.5, "min": 1.5, "max": 3.5, "resolution": RESOLUTION,
                   "verify": True, "verify_duration": VERIFY_S},
    "latency": {"repetitions": 2},
}  # fmt: skip


@dataclass
class Shaped:
    result: dict[str, Any]
    events: list[TrialEvent]
    back_drops: int  # the shaper's drops from port 1 to port 0


@pytest.fixture(scope="module")
def shaped() -> Iterator[Shaped]:
    imp = parse_impairment(f"rate={RATE_BPS // 1_000_000}mbit")
    with Chassis.embedded(modules=1, dut=True, impairment=imp) as chassis:
        bed = chassis.testbed
        assert bed is not None
        assert bed.dut_netns is not None
        apply_impairment(imp, bed.dut_netns, "d1", "d0", "br0")  # the way back too
        events: list[TrialEvent] = []
        result = run_suite(
            SuiteModel.from_dict(SHAPED), progress=events.append,
            tester=chassis.tester, testbed=bed,
        )  # fmt: skip
        back = impairment_counters(bed.dut_netns, "d0")["shaper_drops"]
        yield Shaped(result, events, back)


def _bounds_pct(mean_bytes: float) -> tuple[float, float]:
    """The shaper's rate as % of line (L1) for frames of ``mean_bytes`` (FCS
    included), and that plus what its bucket and queue pass in one trial."""
    rate = RATE_BPS / 8
    burst = max(16_384, rate / 100)
    queue = rate * 0.05 + burst  # tbf's limit: its latency's worth plus the bucket

    def pct(l2_bytes_per_s: float) -> float:
        return l2_bytes_per_s / (mean_bytes - 4) * (mean_bytes + 20) * 8 / 1e9 * 100

    return pct(rate), pct(rate + (burst + queue) / TRIAL_S)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("index", "mean_bytes", "cycle"),
    [(0, 1518.0, [1518]), (1, IMIX_MEAN, [int(s) for s in mix_cycle(IMIX)])],
)
def test_both_directions_find_the_shapers_rate(
    shaped: Shaped, index: int, mean_bytes: float, cycle: list[int]
) -> None:
    entry = shaped.result["throughput"][index]
    low, high = _bounds_pct(mean_bytes)
    rate = entry["rate_pct"]
    assert low - RESOLUTION <= rate <= high
    assert entry["latency_limited"] is False
    flows = entry["flows"]
    assert [(f["tx"], f["rx"]) for f in flows] == [(0, 1), (1, 0)]
    assert all(f["tx_frames"] == f["rx_frames"] > 0 for f in flows)
    # the passing trial: each way sent rate % of a 1 Gb/s line (L1) for 0.5 s
    # (or, when the verification failed and the search went on with long trials
    # only, for the verification's 1 s), within one frame (imix: one 12-frame
    # cycle of the mix) per way
    dur = entry["trial_s"]
    assert dur == (VERIFY_S if entry["verification"]["passed"] is False else TRIAL_S)
    cycle_mbps = sum(s + 20 for s in cycle) * 8 / dur / 1e6
    assert abs(entry["l1_mbps"] - 2 * rate * 10) <= 2 * cycle_mbps
    # exactly the sizes the engine's cycle gives that many frames
    sent = sum(cycle[i % len(cycle)] for f in flows for i in range(f["tx_frames"]))
    assert entry["l2_mbps"] == round(sent * 8 / dur / 1e6, 4)
    assert entry["fps"] == round(sum(f["tx_frames"] for f in flows) / dur, 1)
    # every trial above what the shapers pass lost frames in each direction, or
    # (small frames: the shaped veth may push back on the sender instead of
    # dropping) was sent no faster than they forward, and marked the tester's
    size = entry["frame_size"]
    above = [
        e.trial
        for e in shaped.events
        if e.test == "throughput" and e.frame_size == size and e.trial.rate_pct > high
    ]
    assert above
    for t in above:
        lost = all(f.loss_frames > 0 for f in t.flows)
        assert lost or (t.tester_limited and t.achieved_pct <= high)
    if size == 1518:
        assert entry["tester_limited"] is False
        assert all(all(f.loss_frames > 0 for f in t.flows) for t in above)


@pytest.mark.slow
def test_each_directions_loss_is_its_shapers_drops(shaped: Shaped) -> None:
    there = sum(e.trial.flows[0].loss_frames for e in shaped.events)
    back = sum(e.trial.flows[1].loss_frames for e in shaped.events)
    assert there == shaped.result["dut_counters"]["shaper_drops"]
    assert back == shaped.back_drops
    assert there > 0
    assert back > 0


@pytest.mark.slow
def test_the_verification_trial_lasts_its_own_duration(shaped: Shaped) -> None:
    entry = shaped.result["throughput"][0]
    check = entry["verification"]
    rate = entry["rate_pct"]

    def frames(pct: float) -> int:  # both ways, exactly
        return 2 * round(1e9 * pct / 100 / ((1518 + 20) * 8) * VERIFY_S)

    assert check["tx"] == frames(check["rate_pct"])
    assert check["passed"] is (check["tx"] == check["rx"])
    if check["passed"]:
        assert (check["rate_pct"], entry["verified"]) == (rate, True)
        assert entry["trial_s"] == TRIAL_S
    else:  # the search went on below it with trials as long: the rate held
        assert rate < check["rate_pct"]
        assert (entry["verified"], entry["trial_s"]) == (True, VERIFY_S)
        assert sum(f["tx_frames"] for f in entry["flows"]) == frames(rate)


@pytest.mark.slow
def test_latency_comes_from_the_receivers_histogram(shaped: Shaped) -> None:
    res = shaped.result
    assert [e["frame_size"] for e in res["latency"]] == [1518, "imix"]
    for lat, thr in zip(res["latency"], res["throughput"], strict=True):
        assert lat["rate_pct"] == thr["rate_pct"]
        reps = lat["repetitions"]
        assert len(reps) == 2
        hist = lat["histogram"]
        edges, counts = hist["edges_ns"], hist["counts"]
        assert sum(counts) == sum(r["rx"] for r in reps)  # every frame, once
        assert sum(r["rx"] for r in reps) > 0
        assert len(edges) == len(counts) + 1
        assert edges == sorted(set(edges))
        assert counts[0] > 0
        assert counts[-1] > 0
        assert edges[0] <= lat["min_ns"] <= lat["avg_ns"] <= lat["max_ns"] < edges[-1]
        assert lat["min_ns"] == min(r["min_ns"] for r in reps)
        assert lat["max_ns"] == max(r["max_ns"] for r in reps)
        p = lat["percentiles_ns"]
        assert p["50"] <= p["90"] <= p["99"] <= p["99.9"] <= lat["max_ns"]
        assert all(v in edges or v == lat["max_ns"] for v in p.values())
        assert lat["jitter_ns"] > 0


@pytest.mark.slow
def test_progress_is_told_of_every_trial(shaped: Shaped) -> None:
    res, events = shaped.result, shaped.events
    trials = sum(len(e["trials"]) + 1 for e in res["throughput"])  # + verification
    trials += sum(len(e["repetitions"]) for e in res["latency"])
    assert [e.done for e in events] == list(range(1, trials + 1))
    assert events[-1].planned == trials
    assert all(e.planned >= e.done for e in events)
    assert [e.test for e in events if e.frame_size == 1518][-2:] == ["latency"] * 2
    assert {(e.tx, e.rx) for e in events} == {(0, 1)}  # the first flow
    assert res["flows"] == [
        {"tx": 0, "rx": 1, "tid": 1, "dst_mac": "02:77:73:00:00:02"},
        {"tx": 1, "rx": 0, "tid": 2, "dst_mac": "02:77:73:00:00:01"},
    ]
    assert res["schema"] == 1
    dut = {"kind": "bridge", "impair": "rate_bps=20000000", "firewall": []}
    assert res["testbed"]["dut"] == dut
    assert res["settings"]["frame_sizes"] == [1518, "imix"]
    assert res["frame_loss"] == res["back_to_back"] == []
    json.dumps(res, allow_nan=False)  # plain JSON


# ------------------------------------------------------------------- learning
LEARNING = {
    "testbed": {"modules": 2},
    "pairs": [{"tx": 0, "rx": 1}, {"tx": 2, "rx": 3}],
    "frame_sizes": [64, 1518],
    "trial_duration": 0.3,
    "wait": 0.2,
    "learning": {"enabled": True, "frames": 7, "rate_pct": 1, "wait": 0.2},
    "throughput": {"enabled": False},
    "latency": {"enabled": False},
    "frame_loss": {"rates": [1]},
    "back_to_back": {
        "min_frames": 10,
        "max_frames": 100,
        "resolution": 10,
        "repetitions": 2,
    },
}


def _learned(dut_netns: str, mac: str) -> list[str]:
    """The bridge ports where the DUT learned ``mac``."""
    out = subprocess.run(
        ["ip", "netns", "exec", dut_netns, "bridge", "-j", "fdb", "show", "br", "br0"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    return [e["ifname"] for e in json.loads(out) if e["mac"] == mac]


def test_learning_frames_teach_the_bridge_and_two_pairs_send_at_once() -> None:
    with Chassis.embedded(modules=2, dut=True) as chassis:
        bed, tester = chassis.testbed, chassis.tester
        assert bed is not None
        assert bed.dut_netns is not None
        rx_mac = tester.ports[1].mac
        assert _learned(bed.dut_netns, rx_mac) == []  # port 1 has sent nothing
        events: list[TrialEvent] = []
        res = run_suite(
            SuiteModel.from_dict(LEARNING), progress=events.append,
            tester=tester, testbed=bed,
        )  # fmt: skip
        assert _learned(bed.dut_netns, rx_mac) == ["d1"]
        single = [tester.services.counters(p)["single_packets"] for p in range(4)]
    assert single == [0, 14, 0, 14]  # 7 learning frames per frame size, receivers
    assert [(f["tx"], f["rx"]) for f in res["flows"]] == [(0, 1), (2, 3)]
    # 1 % of 1 Gb/s for 0.3 s on each pair, exactly, and all of it arrived
    expected = {64: round(1e7 / (84 * 8) * 0.3), 1518: round(1e7 / (1538 * 8) * 0.3)}
    assert expected == {64: 4464, 1518: 244}
    for ev in (e for e in events if e.test == "frame_loss"):
        assert [f.tx_frames for f in ev.trial.flows] == [expected[ev.frame_size]] * 2
        assert [f.rx_frames for f in ev.trial.flows] == [expected[ev.frame_size]] * 2
    points = [e["points"][0] for e in res["frame_loss"]]
    assert [(p["tx"], p["rx"]) for p in points] == [(8928, 8928), (488, 488)]
    # bursts of 100 frames on both pairs pass the bridge whole, the first time
    for b2b in res["back_to_back"]:
        assert (b2b["frames"], b2b["average"]) == ([100, 100], 100.0)
        assert b2b["duration_us_avg"] > 0
    bursts = [e.trial for e in events if e.test == "back_to_back"]
    assert [[f.tx_frames for f in t.flows] for t in bursts] == [[100, 100]] * 4
