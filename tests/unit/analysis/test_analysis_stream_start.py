"""Where a stream's sequence starts: every start numbers from 0, so frames lost
before the first one received are lost, and a clear keeps each TID's place."""

from __future__ import annotations

import itertools

import pytest
from _analysis_model import Packet, build, counters, expect, run, sent

from wirespeed.analysis import RxAnalyzer
from wirespeed.tpld import TpldMode


def analyse(analyzer: RxAnalyzer, packets: list[Packet]) -> None:
    frames, lengths, rx = build(packets)
    analyzer.analyse(frames, lengths, rx)


def test_first_frame_lost_is_counted_lost() -> None:
    pk = sent(1, 100, first=True)[1:]
    assert counters(run(pk).tid_stats(1)) == expect(99, lost=1, seq_too_high=1)


def test_first_five_frames_lost_are_counted_lost() -> None:
    pk = sent(1, 100, first=True)[5:]
    assert counters(run(pk).tid_stats(1)) == expect(95, lost=5, seq_too_high=1)


def test_first_frame_duplicated_is_one_duplicate() -> None:
    pk = sent(1, 100, first=True)
    pk.insert(1, pk[0])
    analyzer = run(pk)
    assert counters(analyzer.tid_stats(1)) == expect(101, duplicates=1, seq_too_low=1)
    assert analyzer.port_totals().packets == 101


@pytest.mark.parametrize("splits", [[], [1], [2], [3], [1, 2]])
def test_first_lost_and_first_received_duplicated(splits: list[int]) -> None:
    """What a router resolving ARP does: the first frame dropped, the first one
    forwarded sent twice. Every frame received counts, whatever the batches."""
    pk = sent(1, 100, first=True)[1:]
    pk.insert(1, pk[0])
    analyzer = run(pk, splits)
    assert counters(analyzer.tid_stats(1)) == expect(
        100, lost=1, duplicates=1, seq_too_high=1, seq_too_low=1
    )
    totals = analyzer.port_totals()
    assert (totals.packets, totals.tpld_packets) == (100, 100)


def test_a_flagged_first_packet_starts_the_epoch_at_its_number() -> None:
    pk = sent(1, 30, seq0=1000, first=True)
    assert counters(run(pk).tid_stats(1)) == expect(30)


def test_a_packet_before_a_flagged_start_is_stale() -> None:
    pk = sent(1, 30, seq0=1000, first=True)
    pk.insert(5, Packet(tid=1, seq=990, tx_ns=500))
    assert counters(run(pk).tid_stats(1)) == expect(31, stale=1, seq_too_low=1)


# -- clearing ---------------------------------------------------------------------


def test_clear_while_traffic_runs_counts_nothing_lost() -> None:
    pk = sent(1, 100, first=True)
    analyzer = RxAnalyzer(TpldMode.NORMAL)
    analyse(analyzer, pk[:50])
    analyzer.clear(pk[49].rx_ns + 1)
    analyse(analyzer, pk[50:])
    assert counters(analyzer.tid_stats(1)) == expect(50)
    assert analyzer.tids() == [1]


def test_after_a_clear_losses_count_from_the_next_number() -> None:
    pk = sent(1, 100, first=True)
    analyzer = RxAnalyzer(TpldMode.NORMAL)
    analyse(analyzer, pk[:50])
    analyzer.clear(pk[49].rx_ns + 1)
    analyse(analyzer, [p for p in pk[50:] if p.seq not in (50, 60)])
    assert counters(analyzer.tid_stats(1)) == expect(48, lost=2, seq_too_high=2)


def test_a_frame_from_before_a_clear_is_stale_after_it() -> None:
    pk = sent(1, 100, first=True)
    late = pk.pop(45)
    analyzer = RxAnalyzer(TpldMode.NORMAL)
    analyse(analyzer, pk[:49])
    analyzer.clear(pk[48].rx_ns + 1)
    analyse(analyzer, [late, *pk[49:]])
    assert counters(analyzer.tid_stats(1)) == expect(51, stale=1, seq_too_low=1)


def test_two_clears_before_a_tid_comes_back() -> None:
    pk = sent(1, 100, first=True)
    analyzer = RxAnalyzer(TpldMode.NORMAL)
    analyse(analyzer, pk[:50])
    analyzer.clear(pk[49].rx_ns + 1)
    analyse(analyzer, sent(2, 10, t0=pk[49].tx_ns + 10, first=True))
    analyzer.clear(pk[49].rx_ns + 20_000)
    analyse(analyzer, pk[50:])
    assert counters(analyzer.tid_stats(1)) == expect(50)
    assert analyzer.tids() == [1]


def _restarted_after_clear(run2: list[Packet], splits: list[int]) -> RxAnalyzer:
    """A first run of 50 frames, a clear at 1 ms, then ``run2`` (cut at
    ``splits``)."""
    analyzer = RxAnalyzer(TpldMode.NORMAL)
    analyse(analyzer, sent(1, 50, first=True))
    analyzer.clear(1_000_000)
    frames, lengths, rx = build(run2)
    bounds = [0, *splits, len(run2)]
    for a, b in itertools.pairwise(bounds):
        analyzer.analyse(frames[a:b], lengths[a:b], rx[a:b])
    return analyzer


def test_a_start_after_a_clear_is_not_a_restart() -> None:
    run2 = sent(1, 30, t0=10_000_000, first=True)
    analyzer = _restarted_after_clear(run2, [])
    assert counters(analyzer.tid_stats(1)) == expect(30)


@pytest.mark.parametrize("splits", [[], [1], [2]])
def test_a_start_after_a_clear_that_loses_its_first_frame(splits: list[int]) -> None:
    """The flag is lost with the first frame: a frame sent after the clear, numbered
    below the old run's highest, can only be from a new start."""
    run2 = sent(1, 30, t0=10_000_000, first=True)[1:]
    run2.insert(1, run2[0])
    analyzer = _restarted_after_clear(run2, splits)
    assert counters(analyzer.tid_stats(1)) == expect(
        30, lost=1, duplicates=1, seq_too_high=1, seq_too_low=1
    )


def test_a_straggler_of_the_run_before_a_clear_is_stale() -> None:
    run1 = sent(1, 50, first=True)
    straggler = run1.pop(45)
    run2 = sent(1, 30, t0=10_000_000, first=True)[1:]
    analyzer = RxAnalyzer(TpldMode.NORMAL)
    analyse(analyzer, run1)
    analyzer.clear(1_000_000)
    analyse(analyzer, [*run2[:5], straggler, *run2[5:]])
    assert counters(analyzer.tid_stats(1)) == expect(
        30, lost=1, stale=1, seq_too_high=1, seq_too_low=1
    )
