"""The peak rate of a profile (the base of TRex multipliers), hand-computed."""

from __future__ import annotations

from typing import Any

from trex_env import stream_json, udp_packet

from wirespeed.model import Stream
from wirespeed.server.trex.graph import Peak, profile_peak
from wirespeed.server.trex.stream_json import stream_from_trex_json

LINE = 10_000_000_000


def _stream(size: int, mode: dict[str, Any], **extra: Any) -> Stream:
    """A stream of ``size``-byte frames (FCS included)."""
    return stream_from_trex_json(stream_json(udp_packet(size - 4), mode=mode, **extra))


def _cont(pps: float) -> dict[str, Any]:
    return {"type": "continuous", "rate": {"type": "pps", "value": pps}}


def _burst(total: int, pps: float) -> dict[str, Any]:
    return {
        "type": "single_burst",
        "total_pkts": total,
        "rate": {"type": "pps", "value": pps},
    }


def _peak(pps: float, size: int) -> Peak:
    return Peak(pps, pps * size * 8, pps * (size + 20) * 8)


def test_continuous_streams_add_up_whatever_their_gaps() -> None:
    streams = {
        1: _stream(64, _cont(28), isg=0.0),
        2: _stream(594, _cont(20), isg=0.1),
        3: _stream(1518, _cont(4), isg=0.2),
    }
    assert profile_peak(streams, LINE) == Peak(
        52.0,
        (28 * 64 + 20 * 594 + 4 * 1518) * 8.0,
        (28 * 84 + 20 * 614 + 4 * 1538) * 8.0,
    )


def test_a_chain_of_bursts_peaks_at_its_fastest_stream() -> None:
    streams = {
        1: _stream(100, _burst(1000, 1000), next_stream_id=2),
        2: _stream(100, _burst(2000, 4000), self_start=False, next_stream_id=1),
    }
    assert profile_peak(streams, LINE) == _peak(4000, 100)


def test_short_bursts_count_as_one_small_frame_per_second() -> None:
    streams = {
        1: _stream(1518, _burst(999, 1e6), next_stream_id=2),
        2: _stream(1518, _burst(1, 1e6), self_start=False),
    }
    assert profile_peak(streams, LINE) == Peak(1.0, 14 * 8.0, 34 * 8.0)


def test_overlapping_bursts_add_up_and_back_to_back_ones_do_not() -> None:
    a = _stream(100, _burst(1000, 1000))  # 0 .. 1 s
    overlapping = _stream(100, _burst(1000, 2000), isg=500_000.0)  # 0.5 .. 1 s
    after = _stream(100, _burst(1000, 2000), isg=1_000_000.0)  # 1 .. 1.5 s
    assert profile_peak({1: a, 2: overlapping}, LINE) == _peak(3000, 100)
    assert profile_peak({1: a, 2: after}, LINE) == _peak(2000, 100)


def test_a_multi_burst_is_one_block_then_the_chain_goes_on() -> None:
    multi = {
        "type": "multi_burst",
        "pkts_per_burst": 1000,
        "ibg": 100_000.0,
        "count": 3,
        "rate": {"type": "pps", "value": 10_000},
    }
    streams = {
        1: _stream(100, multi, next_stream_id=2),  # 0 .. 0.6 s
        2: _stream(100, _cont(500), self_start=False),  # from 0.6 s
        3: _stream(100, _cont(100), isg=550_000.0),  # from 0.55 s
    }
    assert profile_peak(streams, LINE) == _peak(10_100, 100)


def test_percentage_rates_use_the_line_and_dangling_chains_end() -> None:
    half = {"type": "continuous", "rate": {"type": "percentage", "value": 50}}
    streams = {
        1: _stream(1250, half),
        2: _stream(64, _burst(5000, 10), next_stream_id=9),
    }
    pps = 5e9 / (1270 * 8)
    assert profile_peak(streams, LINE) == Peak(
        pps + 10, pps * 1250 * 8 + 10 * 64 * 8, 5e9 + 10 * 84 * 8
    )
    assert profile_peak({}, LINE) == Peak()
    assert profile_peak({1: _stream(64, _cont(5), self_start=False)}, LINE) == Peak()


def test_latency_streams_are_a_fixed_rate_beside_the_peak() -> None:
    """TRex: a latency stream keeps its rate; "100%" scales only the others."""
    from wirespeed.server.trex.multiplier import TrexMultiplier, start_factor

    streams = {
        1: _stream(128, _cont(1000.0)),
        2: _stream(128, _cont(500.0), pg_id=7, latency=True),
    }
    peak = profile_peak(streams, LINE)
    assert peak == Peak(
        1000.0, 1000.0 * 1024, 1000.0 * 148 * 8, 500.0, 500 * 1024, 500 * 148 * 8
    )
    # 10 kpps in all: the latency stream's 500 stay, the other goes to 9500
    assert (
        start_factor(TrexMultiplier("pps", 10_000.0), streams, LINE, force=False) == 9.5
    )
