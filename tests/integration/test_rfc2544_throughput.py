"""The RFC 2544 throughput search on a DUT of known throughput: the bridge DUT
shaped to 20 Mbit/s by the kernel's token bucket. The answer is the shaper's: at
most its rate plus what its bucket and queue let through in one trial."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from scapy.layers.inet import IP, UDP
from scapy.layers.l2 import Ether

from wirespeed.client import Chassis
from wirespeed.errors import ConfigError
from wirespeed.rfc2544 import BurstSettings, SearchSettings
from wirespeed.rfc2544_trials import (
    back_to_back,
    frame_loss,
    latency_at,
    measure_throughput,
)
from wirespeed.topology.impair import parse_impairment

pytestmark = [pytest.mark.netns, pytest.mark.slow]

RATE_BPS = 20_000_000  # the shaper, in bytes the kernel counts (frames without FCS)
TRIAL_S = 1.0
HDR = bytes(  # 34 bytes: a 64-byte frame still holds the 20-byte TPLD
    Ether(dst="02:77:73:00:00:02", src="02:77:73:00:00:01")
    / IP(src="198.18.0.1", dst="198.19.0.1", proto=253)
)
UDP_HDR = bytes(
    Ether(dst="02:77:73:00:00:02", src="02:77:73:00:00:01")
    / IP(src="198.18.0.1", dst="198.19.0.1")
    / UDP(sport=1025, dport=9)
)


@pytest.fixture(scope="module")
def shaped() -> Iterator[Chassis]:
    """The bridge DUT shaped to 20 Mbit/s, shared by this module's tests."""
    imp = parse_impairment(f"rate={RATE_BPS // 1_000_000}mbit")
    with Chassis.embedded(modules=1, dut=True, impairment=imp) as chassis:
        yield chassis


def _pct(frame_size: int, l2_bytes_per_s: float, line_bps: int) -> float:
    """A rate of the shaper's bytes as % of the line (L1) for one frame size."""
    pps = l2_bytes_per_s / (frame_size - 4)
    return pps * (frame_size + 20) * 8 / line_bps * 100


@pytest.mark.parametrize("frame_size", [64, 512, 1518])
def test_the_throughput_is_the_shapers_rate(shaped: Chassis, frame_size: int) -> None:
    settings = SearchSettings(
        initial_pct=10, min_pct=0.5, max_pct=10, resolution_pct=0.1
    )
    tester = shaped.tester
    res = measure_throughput(
        tester, 0, 1, header=HDR, frame_size=frame_size, settings=settings,
        trial_s=TRIAL_S, wait_s=0.3, tid=3,
    )  # fmt: skip
    line = tester.ports[0].speed_bps
    rate = RATE_BPS / 8
    burst = max(16_384, rate / 100)
    queue = rate * 0.05 + burst  # tbf's limit: its latency's worth plus the bucket
    low = _pct(frame_size, rate, line)
    high = _pct(frame_size, rate + (burst + queue) / TRIAL_S, line)
    assert res.rate_pct is not None
    assert low - settings.resolution_pct <= res.rate_pct <= high
    assert res.trial is not None
    assert res.trial.loss_frames == 0
    failed = [t for t in res.trials if t.rate_pct > res.rate_pct]
    assert failed
    if frame_size >= 512:  # above its rate the shaper drops: DUT loss
        assert res.tester_limited is False
        assert all(t.loss_frames > 0 for t in failed)
    else:  # 64 B: the shaped veth DUT may push back on the sender instead of
        # dropping: such trials were sent no faster than the shaper forwards
        limited = [t for t in failed if t.tester_limited and t.loss_frames == 0]
        assert all(t.achieved_pct <= high for t in limited)


def test_a_frame_too_small_for_header_and_tpld_names_the_frame_size(
    shaped: Chassis,
) -> None:
    with pytest.raises(ConfigError) as err:
        measure_throughput(
            shaped.tester, 0, 1, header=UDP_HDR, frame_size=64,
            settings=SearchSettings(), trial_s=0.1,
        )  # fmt: skip
    assert err.value.field == "frame_size"
    assert err.value.reason == (
        "frame size 64: frames of 64 bytes cannot hold 42 header + 20 TPLD + FCS "
        "bytes (need 66)"
    )


def test_a_trial_too_short_names_its_field() -> None:
    with pytest.raises(ConfigError) as err:
        measure_throughput(
            None,  # type: ignore[arg-type]
            0, 1, header=HDR, frame_size=512, settings=SearchSettings(), trial_s=0.01,
        )  # fmt: skip
    assert err.value.field == "trial_duration"


def test_frame_loss_is_the_shapers_drops_and_latency_is_measured(
    shaped: Chassis,
) -> None:
    tester, bed = shaped.tester, shaped.testbed
    assert bed is not None
    before = bed.dut_counters()["shaper_drops"]
    trials = frame_loss(
        tester, 0, 1, header=HDR, frame_size=1518, rates_pct=[8.0, 4.0, 1.0],
        trial_s=1.0, wait_s=0.3, tid=4,
    )  # fmt: skip
    drops = bed.dut_counters()["shaper_drops"] - before
    assert [t.rate_pct for t in trials] == [8.0, 4.0, 1.0]
    assert sum(t.loss_frames for t in trials) == drops  # exactly the DUT's
    assert trials[0].loss_frames > 0  # 8 % of 1 Gb/s into 20 Mbit/s
    assert trials[2].loss_frames == 0  # 1 %: 10 Mbit/s passes
    trial, st = latency_at(
        tester, 0, 1, header=HDR, frame_size=1518, rate_pct=1.0,
        trial_s=0.5, wait_s=0.3, tid=5,
    )  # fmt: skip
    assert st is not None
    assert st.packets == trial.rx_frames == trial.tx_frames
    assert st.latency.count == st.packets
    assert 0 < st.latency.min_ns <= st.latency.avg_ns <= st.latency.max_ns


def test_back_to_back_is_what_the_shapers_bucket_and_queue_hold(
    shaped: Chassis,
) -> None:
    size = 1518
    searches = back_to_back(
        shaped.tester, 0, 1, header=HDR, frame_size=size,
        settings=BurstSettings(min_frames=10, max_frames=2000, resolution_frames=2),
        repetitions=2, wait_s=0.3, tid=6,
    )  # fmt: skip
    rate = RATE_BPS / 8
    burst = max(16_384, rate / 100)
    held = (burst + rate * 0.05 + burst) / (size - 4)  # bucket + queue, in frames
    for search in searches:
        n = search.result_frames
        assert n is not None
        # what bucket and queue hold (115.6 frames), plus what the shaper sent
        # on while the burst came in (a few frames at the tester's rate)
        assert held - 2 <= n <= held + 12
        passed = [t for t in search.trials if t.tx_frames == n]
        assert passed
        assert passed[0].loss_frames == 0
        longer = [t for t in search.trials if t.tx_frames > n]
        assert longer
        assert all(t.loss_frames > 0 for t in longer)
