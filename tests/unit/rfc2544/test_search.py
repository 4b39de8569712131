"""The throughput search against DUTs whose answer is known: exact trial rates."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wirespeed.errors import ConfigError
from wirespeed.rfc2544 import (
    BurstSearch,
    BurstSettings,
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
        ({"min_pct": 0}, "rate.min"),
        ({"min_pct": 50, "max_pct": 40, "initial_pct": 45}, "rate.min"),
        ({"max_pct": 120}, "rate.max"),
        ({"initial_pct": 0.01}, "rate.initial"),
        ({"resolution_pct": 0}, "rate.resolution"),
        ({"acceptable_loss_pct": 100}, "acceptable_loss"),
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
        ({"min_frames": 0}, "back_to_back.min"),
        ({"min_frames": 10, "max_frames": 5}, "back_to_back.min"),
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
