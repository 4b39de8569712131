"""The throughput (NDR/PDR, latency limit, verification) and back-to-back searches
against DUTs whose answer is known: exact trial rates."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wirespeed.errors import ConfigError
from wirespeed.rfc2544 import (
    BurstSearch,
    BurstSettings,
    FlowCount,
    Histogram,
    LatencySummary,
    SearchSettings,
    ThroughputSearch,
    Trial,
)

FRAMES = 100_000


def _dut(limit_pct: float, tester_max_pct: float = 100.0):  # type: ignore[no-untyped-def]
    """A DUT forwarding up to ``limit_pct`` of line; a tester reaching at most
    ``tester_max_pct``."""

    def trial(rate: float) -> Trial:
        sent = min(rate, tester_max_pct)
        rx = FRAMES if sent <= limit_pct else int(FRAMES * limit_pct / sent)
        return Trial(rate, FRAMES, rx, sent)

    return trial


def _run(settings: SearchSettings, dut) -> ThroughputSearch:  # type: ignore[no-untyped-def]
    search = ThroughputSearch(settings)
    while (rate := search.next_rate()) is not None:
        search.record(dut(rate))
    return search


def test_binary_search_rates_and_result() -> None:
    s = _run(SearchSettings(initial_pct=100, resolution_pct=1.0), _dut(30.0))
    rates = [t.rate_pct for t in s.result().trials]
    assert rates == [100, 50.05, 25.075, 37.5625, 31.31875, 28.196875, 29.7578125,
                     30.53828125]  # fmt: skip
    res = s.result()
    assert res.rate_pct == 29.7578125
    assert res.tester_limited is False
    assert 30.0 - res.rate_pct <= 1.0


def test_everything_passes_and_nothing_passes() -> None:
    top = _run(SearchSettings(initial_pct=100), _dut(100.0)).result()
    assert ([t.rate_pct for t in top.trials], top.rate_pct) == ([100], 100)
    none = _run(SearchSettings(initial_pct=10, min_pct=1, resolution_pct=2), _dut(0.5))
    rates = [t.rate_pct for t in none.result().trials]
    assert rates == [10, 5.5, 3.25, 2.125, 1]  # down to min, which fails too
    assert none.result().rate_pct is None


def test_acceptable_loss_is_the_pdr() -> None:
    # 31 % offered to a DUT of 30 % loses 3.2 %; a 5 % allowance passes it
    s = _run(SearchSettings(initial_pct=31, resolution_pct=0.5,
                            acceptable_loss_pct=5.0), _dut(30.0))  # fmt: skip
    res = s.result()
    assert res.rate_pct is not None
    assert 30.0 < res.rate_pct <= 30.0 / 0.95
    assert res.trial is not None
    assert res.trial.loss_pct <= 5.0


def test_a_rate_the_tester_cannot_send_is_not_dut_loss() -> None:
    res = _run(SearchSettings(initial_pct=100, resolution_pct=1.0),
               _dut(90.0, tester_max_pct=40.0)).result()  # fmt: skip
    assert res.tester_limited is True
    assert res.rate_pct is not None
    assert 39.0 <= res.rate_pct <= 40.0
    limited = [t for t in res.trials if t.tester_limited]
    assert all(t.loss_frames == 0 for t in limited)  # it lost nothing: not the DUT


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"min_pct": 0}, "throughput.min"),
        ({"min_pct": 50, "max_pct": 40, "initial_pct": 45}, "throughput.min"),
        ({"max_pct": 120}, "throughput.max"),
        ({"initial_pct": 0.01}, "throughput.initial"),
        ({"resolution_pct": 0}, "throughput.resolution"),
        ({"acceptable_loss_pct": 100}, "throughput.acceptable_loss"),
    ],
)
def test_bad_settings_name_the_field(kwargs: dict[str, float], field: str) -> None:
    with pytest.raises(ConfigError) as err:
        SearchSettings(**kwargs)
    assert err.value.field == field


@given(
    limit=st.floats(0.2, 100.0),
    initial=st.floats(0.1, 100.0),
    resolution=st.floats(0.05, 10.0),
)
def test_the_result_is_within_the_resolution_below_the_limit(
    limit: float, initial: float, resolution: float
) -> None:
    res = _run(SearchSettings(initial_pct=initial, resolution_pct=resolution),
               _dut(limit)).result()  # fmt: skip
    assert res.rate_pct is not None
    assert res.rate_pct <= limit
    assert limit - res.rate_pct <= resolution or res.rate_pct == 100.0
    assert len(res.trials) <= 2 + int(__import__("math").log2(100 / resolution)) + 2


def test_a_loss_at_a_rate_the_tester_could_not_reach_is_still_the_duts() -> None:
    # the tester reaches 60 %, the DUT forwards 30 %: the 100 % trial sent 60 %
    # and lost frames there, so the DUT failed; the result is the DUT's
    res = _run(SearchSettings(initial_pct=100, resolution_pct=1.0),
               _dut(30.0, tester_max_pct=60.0)).result()  # fmt: skip
    assert res.trials[0].tester_limited is True
    assert res.trials[0].loss_frames > 0
    assert res.tester_limited is False
    assert res.rate_pct is not None
    assert 29.0 <= res.rate_pct <= 30.0


def _burst_dut(holds: int):  # type: ignore[no-untyped-def]
    """A DUT that buffers ``holds`` frames of a line-rate burst and drops the rest."""

    def trial(frames: int) -> Trial:
        return Trial(100.0, frames, min(frames, holds), 100.0)

    return trial


def _burst_run(settings: BurstSettings, dut) -> BurstSearch:  # type: ignore[no-untyped-def]
    search = BurstSearch(settings)
    while (n := search.next_frames()) is not None:
        search.record(dut(n))
    return search


def test_back_to_back_finds_the_longest_lossless_burst() -> None:
    s = _burst_run(BurstSettings(min_frames=1, max_frames=1000), _burst_dut(300))
    assert s.result_frames == 300
    assert [t.tx_frames for t in s.trials][:4] == [1000, 500, 250, 375]
    coarse = _burst_run(
        BurstSettings(max_frames=1000, resolution_frames=10), _burst_dut(300)
    )
    assert coarse.result_frames is not None
    assert 290 <= coarse.result_frames <= 300
    assert (
        _burst_run(BurstSettings(max_frames=100), _burst_dut(500)).result_frames == 100
    )
    none = _burst_run(BurstSettings(min_frames=5, max_frames=100), _burst_dut(2))
    assert none.result_frames is None
    assert none.trials[-1].tx_frames == 5


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"min_frames": 0}, "back_to_back.min_frames"),
        ({"min_frames": 10, "max_frames": 5}, "back_to_back.min_frames"),
        ({"resolution_frames": 0}, "back_to_back.resolution"),
        ({"rate_pct": 0}, "back_to_back.rate"),
    ],
)
def test_bad_burst_settings_name_the_field(
    kwargs: dict[str, float], field: str
) -> None:
    with pytest.raises(ConfigError) as err:
        BurstSettings(**kwargs)  # type: ignore[arg-type]
    assert err.value.field == field


# ------------------------------------------------------------- flows, NDR/PDR
LOWER = (0, 10_000, 20_000, 100_000, 1_000_000)


def _lat(counts: tuple[int, ...], high: int) -> LatencySummary:
    n = sum(counts)
    return LatencySummary(
        n, 1_000, 5_000.0, high, n - 1, None, Histogram(LOWER, counts)
    )


def test_a_flows_duplicates_never_hide_anothers_loss() -> None:
    # flow a lost 10, flow b got 10 duplicates: the sums balance, the trial fails
    t = Trial.of_flows(50.0, 50.0, (FlowCount(1000, 990), FlowCount(1000, 1010)))
    assert (t.tx_frames, t.rx_frames, t.loss_frames) == (2000, 2000, 0)
    assert t.worst_loss_pct == 1.0
    assert ThroughputSearch(SearchSettings()).passed(t) is False
    pdr = ThroughputSearch(SearchSettings(acceptable_loss_pct=1.0))
    assert pdr.passed(t) is True  # 1 % of flow a is within a 1 % PDR


def _flows_dut(limit_pct: float, latency_high_above: float):  # type: ignore[no-untyped-def]
    """Two flows through a DUT of ``limit_pct``, whose latency jumps to 3 ms
    above ``latency_high_above`` (a queue building up)."""

    def trial(rate: float) -> Trial:
        rx = FRAMES if rate <= limit_pct else int(FRAMES * limit_pct / rate)
        high = 3_000_000 if rate > latency_high_above else 50_000
        counts = (0, 0, rx - 1, 0, 1) if high > 1_000_000 else (0, 0, rx, 0, 0)
        flow = FlowCount(FRAMES, rx, _lat(counts, high))
        return Trial.of_flows(rate, rate, (flow, flow))

    return trial


def test_a_latency_limit_bounds_the_highest_latency() -> None:
    dut = _flows_dut(limit_pct=40.0, latency_high_above=20.0)
    plain = _run(SearchSettings(initial_pct=100, resolution_pct=1.0), dut).result()
    assert plain.rate_pct is not None
    assert 39.0 <= plain.rate_pct <= 40.0
    assert plain.latency_limited is False
    s = SearchSettings(initial_pct=100, resolution_pct=1.0, latency_limit_ns=1_000_000)
    res = _run(s, dut).result()
    assert res.rate_pct is not None
    assert 19.0 <= res.rate_pct <= 20.0  # lossless up to 40 %, but 3 ms above 20 %
    assert res.latency_limited is True
    assert res.trial is not None
    lat = res.trial.latency
    assert lat is not None
    assert lat.max_ns == 50_000
    assert lat.count == 2 * FRAMES  # both flows


@pytest.mark.parametrize(
    ("tolerance_pct", "low", "high", "latency_limited"),
    [(0.002, 39.0, 40.0, False), (0.0005, 19.0, 20.0, True)],
)
def test_a_latency_tolerance_counts_frames_in_buckets_above_the_limit(
    tolerance_pct: float, low: float, high: float, latency_limited: bool
) -> None:
    # above 20 %, one frame of 100 000 per flow lies at or above 1 ms: 0.001 %
    dut = _flows_dut(limit_pct=40.0, latency_high_above=20.0)
    s = SearchSettings(
        initial_pct=100,
        resolution_pct=1.0,
        latency_limit_ns=1_000_000,
        latency_tolerance_pct=tolerance_pct,
    )
    res = _run(s, dut).result()  # fmt: skip
    assert res.rate_pct is not None
    assert low <= res.rate_pct <= high
    assert res.latency_limited is latency_limited


def test_the_verification_trial_repeats_the_rate_found() -> None:
    s = SearchSettings(initial_pct=100, resolution_pct=1.0, verify=True)
    search = ThroughputSearch(s)
    rates, verifying = [], []
    while (rate := search.next_rate()) is not None:
        rates.append(rate)
        verifying.append(search.is_verifying)
        search.record(_dut(30.0)(rate))
    res = search.result()
    assert rates[-1] == res.rate_pct == 29.7578125
    assert verifying == [False] * 8 + [True]
    assert len(res.trials) == 8  # the verification is not one of the search's
    assert res.verified is True
    assert res.verification is not None
    assert res.verification.rate_pct == 29.7578125


def test_a_failed_verification_goes_on_below_with_long_trials() -> None:
    s = SearchSettings(initial_pct=100, resolution_pct=1.0, verify=True)
    search = ThroughputSearch(s)
    while search.next_rate() is not None and not search.is_verifying:
        search.record(_dut(30.0)(search.next_rate() or 0))
    assert search.is_verifying
    rate = search.next_rate()
    assert rate == 29.7578125
    search.record(Trial(rate, FRAMES, FRAMES - 1, rate))  # one frame lost
    # on below the failed rate, every trial as long as a verification: a DUT
    # that holds 20 % for that long
    rates = []
    while (nxt := search.next_rate()) is not None:
        assert search.is_verifying
        rates.append(nxt)
        search.record(_dut(20.0)(nxt))
    assert rates[0] == (s.min_pct + 29.7578125) / 2
    res = search.result()
    assert res.rate_pct is not None
    assert 20.0 - s.resolution_pct <= res.rate_pct <= 20.0
    assert (res.verified, res.long_trials) == (True, True)
    assert res.verification is not None
    assert res.verification.rate_pct == 29.7578125  # the one that failed
    assert len(res.trials) == 8 + len(rates)


def test_no_rate_when_no_long_trial_holds() -> None:
    s = SearchSettings(initial_pct=10, min_pct=1, resolution_pct=2, verify=True)
    search = ThroughputSearch(s)
    while search.next_rate() is not None and not search.is_verifying:
        search.record(_dut(5.0)(search.next_rate() or 0))
    while (nxt := search.next_rate()) is not None:
        search.record(Trial(nxt, FRAMES, FRAMES - 1, nxt))  # nothing holds
    res = search.result()
    assert (res.rate_pct, res.verified, res.long_trials) == (None, False, True)
    assert res.verification is not None


def test_nothing_to_verify_when_nothing_passed() -> None:
    s = SearchSettings(initial_pct=10, min_pct=1, resolution_pct=2, verify=True)
    res = _run(s, _dut(0.5)).result()
    assert (res.rate_pct, res.verified, res.verification) == (None, None, None)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"latency_limit_ns": 0}, "throughput.latency_limit_us"),
        ({"latency_tolerance_pct": 100}, "throughput.latency_tolerance"),
    ],
)
def test_bad_latency_settings_name_the_field(
    kwargs: dict[str, float], field: str
) -> None:
    with pytest.raises(ConfigError) as err:
        SearchSettings(**kwargs)  # type: ignore[arg-type]
    assert err.value.field == field


def test_a_burst_of_several_flows_passes_only_if_each_is_whole() -> None:
    search = BurstSearch(BurstSettings(min_frames=1, max_frames=100))
    search.record(
        Trial.of_flows(100.0, 100.0, (FlowCount(100, 100), FlowCount(100, 99)))
    )
    assert search.result_frames is None
    assert search.next_frames() == 50
    both = Trial.of_flows(100.0, 100.0, (FlowCount(50, 50), FlowCount(50, 50)))
    search.record(both)
    assert (search.result_frames, search.best) == (50, both)
