"""One scaling rule (:mod:`wirespeed.model.scaling`): peak rates, hand-computed, and
the factors every way in gets for the same streams."""

from __future__ import annotations

import pytest

from wirespeed.errors import ValidationError
from wirespeed.model import FlowStats, FlowStatsKind, Rate, Stream, TxMode
from wirespeed.model.scaling import (
    Multiplier,
    MultiplierKind,
    MultiplierOp,
    Peak,
    profile_peak,
    start_factor,
    stream_factor,
    update_factor,
)

LINE = 10_000_000_000
GIG = 1_000_000_000


def _stream(size: int, mode: TxMode | None = None, **extra: object) -> Stream:
    """A stream of ``size``-byte frames (FCS included), 1 frame/s unless given."""
    rate = extra.pop("rate", Rate.pps(1.0))
    return Stream(
        packet=b"\x02" * (size - 4), mode=mode or TxMode(), rate=rate, **extra
    )  # type: ignore[arg-type]


def _cont(size: int, pps: float, **extra: object) -> Stream:
    return _stream(size, TxMode.continuous(), rate=Rate.pps(pps), **extra)


def _burst(size: int, total: int, pps: float, **extra: object) -> Stream:
    return _stream(size, TxMode.single_burst(total), rate=Rate.pps(pps), **extra)


def _latency(size: int, pps: float, pg_id: int = 7) -> Stream:
    return _cont(size, pps, flow_stats=FlowStats(pg_id, FlowStatsKind.LATENCY))


def _peak(pps: float, size: int) -> Peak:
    return Peak(pps, pps * size * 8, pps * (size + 20) * 8)


def test_continuous_streams_add_up_whatever_their_gaps() -> None:
    streams = {
        1: _cont(64, 28),
        2: _cont(594, 20, isg_us=100_000.0),
        3: _cont(1518, 4, isg_us=200_000.0),
    }
    assert profile_peak(streams, LINE) == Peak(
        52.0,
        (28 * 64 + 20 * 594 + 4 * 1518) * 8.0,
        (28 * 84 + 20 * 614 + 4 * 1538) * 8.0,
    )


def test_a_chain_of_bursts_peaks_at_its_fastest_stream() -> None:
    streams = {
        1: _burst(100, 1000, 1000, next_stream_id=2),
        2: _burst(100, 2000, 4000, self_start=False, next_stream_id=1),
    }
    assert profile_peak(streams, LINE) == _peak(4000, 100)


def test_short_bursts_count_as_one_small_frame_per_second() -> None:
    streams = {
        1: _burst(1518, 999, 1e6, next_stream_id=2),
        2: _burst(1518, 1, 1e6, self_start=False),
    }
    assert profile_peak(streams, LINE) == Peak(1.0, 14 * 8.0, 34 * 8.0)


def test_overlapping_bursts_add_up_and_back_to_back_ones_do_not() -> None:
    a = _burst(100, 1000, 1000)  # 0 .. 1 s
    overlapping = _burst(100, 1000, 2000, isg_us=500_000.0)  # 0.5 .. 1 s
    after = _burst(100, 1000, 2000, isg_us=1_000_000.0)  # 1 .. 1.5 s
    assert profile_peak({1: a, 2: overlapping}, LINE) == _peak(3000, 100)
    assert profile_peak({1: a, 2: after}, LINE) == _peak(2000, 100)


def test_a_multi_burst_is_one_block_then_the_chain_goes_on() -> None:
    multi = TxMode.multi_burst(1000, 100_000.0, 3)
    streams = {
        1: _stream(100, multi, rate=Rate.pps(10_000), next_stream_id=2),  # 0..0.6 s
        2: _cont(100, 500, self_start=False),  # from 0.6 s
        3: _cont(100, 100, isg_us=550_000.0),  # from 0.55 s
    }
    assert profile_peak(streams, LINE) == _peak(10_100, 100)


def test_percentage_rates_use_the_line_and_dangling_chains_end() -> None:
    streams = {
        1: _stream(1250, TxMode.continuous(), rate=Rate.percent(50)),
        2: _burst(64, 5000, 10, next_stream_id=9),
    }
    pps = 5e9 / (1270 * 8)
    assert profile_peak(streams, LINE) == Peak(
        pps + 10, pps * 1250 * 8 + 10 * 64 * 8, 5e9 + 10 * 84 * 8
    )
    assert profile_peak({}, LINE) == Peak()
    assert profile_peak({1: _cont(64, 5, self_start=False)}, LINE) == Peak()


# The three cases where the API and TRex used to disagree, now one rule: the
# factor, and the frames/s it gives (pps of the scaled streams * factor + fixed).
@pytest.mark.parametrize(
    ("streams", "mul", "factor", "total_pps"),
    [
        # a latency stream keeps its 500 frames/s: 10 kpps in all (the API summed
        # the rates and gave 9,191 frames/s)
        ({1: _cont(128, 1000.0), 2: _latency(128, 500.0)}, "10kpps", 9.5, 10_000.0),
        # two chained 5,000-frame bursts at 25 kpps each peak at 25 kpps, not 50
        (
            {
                1: _burst(64, 5000, 25_000, next_stream_id=2),
                2: _burst(64, 5000, 25_000, self_start=False),
            },
            "50kpps",
            2.0,
            50_000.0,
        ),
        # latency streams only: nothing to scale, any multiplier runs them as they
        # are (TRex refused none of these; wirespeed refused all)
        ({2: _latency(128, 500.0)}, "1kpps", 1.0, 500.0),
        ({2: _latency(128, 500.0)}, "10%", 1.0, 500.0),
        ({2: _latency(128, 500.0)}, "3", 3.0, 500.0),
    ],
)
def test_one_factor_for_every_way_in(
    streams: dict[int, Stream], mul: str, factor: float, total_pps: float
) -> None:
    got = start_factor(Multiplier.parse(mul), streams, GIG, force=False)
    assert got == factor
    peak = profile_peak(streams, GIG)
    assert peak.pps * (got if peak.pps else 0.0) + peak.fixed_pps == total_pps


def test_above_the_line_rate_is_refused_without_force() -> None:
    streams = {1: _cont(1000, 1000.0)}  # 8.16 Mb/s on L1
    with pytest.raises(ValidationError, match=r"1\.2 Gb/s exceeds .* 1 Gb/s") as exc:
        start_factor(Multiplier.parse("1.2gbpsl1"), streams, GIG, force=False)
    assert exc.value.field == "mul"
    assert start_factor(
        Multiplier.parse("1.2gbpsl1"), streams, GIG, force=True
    ) == pytest.approx(1.2e9 / 8_160_000)
    # exactly the line rate, and 0.01 % above it (float rounding) are capped to it
    full = GIG / 8_160_000
    assert start_factor(Multiplier.parse("100%"), streams, GIG, force=False) == full
    assert (
        start_factor(Multiplier.parse("1.00009gbpsl1"), streams, GIG, force=False)
        == full
    )


def test_latency_streams_set_the_floor() -> None:
    streams = {1: _cont(128, 1000.0), 2: _latency(128, 500.0)}
    with pytest.raises(ValidationError, match="latency streams alone take 500 "):
        start_factor(Multiplier.parse("500pps"), streams, GIG, force=False)
    with pytest.raises(ValidationError, match="exceeds"):
        start_factor(Multiplier.parse("2"), {2: _latency(1000, 2e6)}, GIG, force=False)


def test_updates_add_subtract_and_take_percentages_of_the_running_rate() -> None:
    streams = {1: _cont(100, 1000.0)}
    up = update_factor(2.0, Multiplier.parse("1kpps+"), streams, LINE, force=False)
    assert up == 3.0
    assert update_factor(3.0, Multiplier.parse("1-"), streams, LINE, force=False) == 2.0
    assert (
        update_factor(4.0, Multiplier.parse("50%+"), streams, LINE, force=False) == 6.0
    )
    with pytest.raises(ValidationError, match="must stay above 0") as exc:
        update_factor(1.0, Multiplier.parse("1kpps-"), streams, LINE, force=False)
    assert exc.value.field == "mul.value"


def test_one_stream_alone_gets_the_rate_named() -> None:
    chained = _burst(100, 5000, 1000, self_start=False, next_stream_id=3)
    assert stream_factor(Multiplier.parse("3kpps"), chained, LINE, force=False) == 3.0
    with pytest.raises(ValidationError, match="latency stream keeps its own rate"):
        stream_factor(Multiplier.parse("3kpps"), _latency(128, 5.0), LINE, force=False)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2", Multiplier(MultiplierKind.RAW, 2.0)),
        ("10kpps", Multiplier(MultiplierKind.PPS, 10_000.0)),
        ("1gbps", Multiplier(MultiplierKind.BPS_L2, 1e9)),
        ("1.5mbpsl1", Multiplier(MultiplierKind.BPS_L1, 1.5e6)),
        ("50%", Multiplier(MultiplierKind.PERCENT, 50.0)),
        ("10%+", Multiplier(MultiplierKind.PERCENT, 10.0, MultiplierOp.ADD)),
        ("1kpps-", Multiplier(MultiplierKind.PPS, 1000.0, MultiplierOp.SUB)),
    ],
)
def test_multipliers_read_trex_spellings(text: str, expected: Multiplier) -> None:
    assert Multiplier.parse(text) == expected


@pytest.mark.parametrize("text", ["", "fast", "0", "-3", "10 furlongs", "1e999"])
def test_what_is_not_a_multiplier_says_so(text: str) -> None:
    with pytest.raises(ValidationError) as exc:
        Multiplier.parse(text)
    assert exc.value.field in ("mul", "mul.value")


def test_kinds_own_their_spellings() -> None:
    assert MultiplierKind.parse("L1_BPS") is MultiplierKind.BPS_L1
    assert MultiplierKind.parse("%") is MultiplierKind.PERCENT
    with pytest.raises(ValidationError, match="unknown multiplier kind 'bogus'"):
        MultiplierKind.parse("bogus")
