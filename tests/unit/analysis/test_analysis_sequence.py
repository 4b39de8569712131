"""Loss, misordering, duplicates and restarts (wirespeed.analysis.sequence)."""

from __future__ import annotations

import numpy as np
import pytest
from _analysis_model import (
    SEQ_FIELDS,
    Model,
    Packet,
    build,
    counters,
    expect,
    run,
    sent,
)
from hypothesis import given, settings
from hypothesis import strategies as st

from wirespeed.analysis import RxAnalyzer
from wirespeed.errors import ValidationError
from wirespeed.tpld import TpldMode


def test_clean_stream() -> None:
    analyzer = run(sent(1, 100))
    assert counters(analyzer.tid_stats(1)) == expect(100)


def test_drop_three() -> None:
    pk = [p for p in sent(1, 100) if p.seq not in (10, 20, 30)]
    assert counters(run(pk).tid_stats(1)) == expect(97, lost=3, seq_too_high=3)


def test_drop_three_consecutive_is_one_jump() -> None:
    pk = [p for p in sent(1, 100) if p.seq not in (40, 41, 42)]
    assert counters(run(pk).tid_stats(1)) == expect(97, lost=3, seq_too_high=1)


def test_swap_two_adjacent() -> None:
    pk = sent(1, 100)
    pk[50], pk[51] = pk[51], pk[50]
    assert counters(run(pk).tid_stats(1)) == expect(
        100, misordered=1, seq_too_high=1, seq_too_low=1
    )


def test_duplicate_one() -> None:
    pk = sent(1, 100)
    pk.insert(61, pk[60])
    assert counters(run(pk).tid_stats(1)) == expect(101, duplicates=1, seq_too_low=1)


def test_drop_swap_duplicate_together() -> None:
    pk = [p for p in sent(1, 100) if p.seq not in (10, 20, 30)]
    pk[50], pk[51] = pk[51], pk[50]
    pk.insert(71, pk[70])
    assert counters(run(pk).tid_stats(1)) == expect(
        98, lost=3, misordered=1, duplicates=1, seq_too_high=4, seq_too_low=2
    )


def test_late_packet_lowers_loss_again() -> None:
    pk = sent(1, 40)
    late = pk.pop(10)
    analyzer = run(pk)
    assert counters(analyzer.tid_stats(1)) == expect(39, lost=1, seq_too_high=1)
    frames, lengths, rx = build([late])
    analyzer.analyse(frames, lengths, rx)
    assert counters(analyzer.tid_stats(1)) == expect(
        40, misordered=1, seq_too_high=1, seq_too_low=1
    )


def test_first_packet_overtaken_is_misordered_like_any_other() -> None:
    """The epoch starts at 0, not at the first number received: 1 before 0 is the
    same swap as 50 before 49."""
    pk = sent(1, 10)
    pk[0], pk[1] = pk[1], pk[0]
    assert counters(run(pk).tid_stats(1)) == expect(
        10, misordered=1, seq_too_high=1, seq_too_low=1
    )


def test_sequence_wrap_around() -> None:
    pk = sent(1, 40, seq0=0xFFFFF0, first=True)  # the flag: numbering starts here
    assert [p.seq for p in pk[14:18]] == [0xFFFFFE, 0xFFFFFF, 0, 1]
    assert counters(run(pk).tid_stats(1)) == expect(40)
    dropped = [p for p in pk if p.seq != 0]
    assert counters(run(dropped).tid_stats(1)) == expect(39, lost=1, seq_too_high=1)
    swapped = list(pk)
    swapped[15], swapped[16] = swapped[16], swapped[15]  # 0 before 0xFFFFFF
    assert counters(run(swapped).tid_stats(1)) == expect(
        40, misordered=1, seq_too_high=1, seq_too_low=1
    )
    duplicated = list(pk)
    duplicated.insert(17, duplicated[15])  # 0xFFFFFF again after 0
    assert counters(run(duplicated).tid_stats(1)) == expect(
        41, duplicates=1, seq_too_low=1
    )


def test_interleaved_tids_are_independent() -> None:
    a = [p for p in sent(1, 50) if p.seq != 7]
    b = sent(2, 50)
    b[20], b[21] = b[21], b[20]
    c = sent(3, 50, seq0=0xFFFFE0, first=True)
    c.insert(30, c[29])
    merged = [p for trio in zip(a, b, c, strict=False) for p in trio]
    merged += b[len(a) :] + c[len(a) :]
    analyzer = run(merged)
    assert counters(analyzer.tid_stats(1)) == expect(49, lost=1, seq_too_high=1)
    assert counters(analyzer.tid_stats(2)) == expect(
        50, misordered=1, seq_too_high=1, seq_too_low=1
    )
    assert counters(analyzer.tid_stats(3)) == expect(51, duplicates=1, seq_too_low=1)
    assert analyzer.tids() == [1, 2, 3]


def _impaired() -> list[Packet]:
    a = sent(1, 60, seq0=0xFFFFE0, first=True)
    a = [p for p in a if p.seq not in (3, 4, 0xFFFFF0)]
    a[30], a[31] = a[31], a[30]
    a.insert(45, a[40])
    a.append(a[5])  # very late duplicate
    b = sent(2, 60)
    b.insert(50, b.pop(10))  # 40 places late
    merged = [p for pair in zip(a, b, strict=False) for p in pair]
    return merged + a[len(b) :] + b[len(a) :]


def test_every_two_batch_split_gives_the_same_counters() -> None:
    pk = _impaired()
    whole = run(pk)
    want = {t: counters(whole.tid_stats(t)) for t in (1, 2)}
    assert want[1] == expect(
        59, lost=3, misordered=1, duplicates=2, seq_too_high=3, seq_too_low=3
    )
    assert want[2] == expect(60, misordered=1, seq_too_high=1, seq_too_low=1)
    for cut in range(1, len(pk)):
        analyzer = run(pk, [cut])
        assert {t: counters(analyzer.tid_stats(t)) for t in (1, 2)} == want, cut


def test_one_packet_batches_give_the_same_counters() -> None:
    pk = _impaired()
    whole = run(pk)
    single = run(pk, list(range(1, len(pk))))
    for tid in (1, 2):
        assert counters(single.tid_stats(tid)) == counters(whole.tid_stats(tid))


def test_beyond_the_window_is_stale() -> None:
    pk = sent(1, 60)
    pk.insert(50, pk.pop(5))  # arrives after 50: 45 behind, window 16
    analyzer = run(pk, window=16)
    assert counters(analyzer.tid_stats(1)) == expect(
        60, lost=1, stale=1, seq_too_high=1, seq_too_low=1
    )
    # within a 64-slot window the same packet is merely late
    assert counters(run(pk, window=64).tid_stats(1)) == expect(
        60, misordered=1, seq_too_high=1, seq_too_low=1
    )


def test_duplicate_detected_across_batches_and_window_slots() -> None:
    pk = sent(1, 100)
    pk.append(pk[90])  # duplicate of a packet 9 behind
    analyzer = run(pk, [50, 95], window=16)
    assert counters(analyzer.tid_stats(1)) == expect(101, duplicates=1, seq_too_low=1)


def test_restart_with_first_flag_opens_a_new_epoch() -> None:
    run1 = [p for p in sent(1, 50, first=True) if p.seq != 20]
    run2 = [p for p in sent(1, 30, t0=10_000_000, first=True) if p.seq not in (3, 4)]
    analyzer = run(run1 + run2)
    assert counters(analyzer.tid_stats(1)) == expect(
        77, lost=3, seq_too_high=2, restarts=1
    )


def test_restart_without_first_flag_looks_like_going_backwards() -> None:
    run1 = sent(1, 50)
    run2 = sent(1, 30, t0=10_000_000)
    analyzer = run(run1 + run2)
    stats = analyzer.tid_stats(1)
    assert stats is not None
    assert stats.restarts == 0
    assert stats.duplicates == 30


def test_duplicated_first_packet_does_not_restart() -> None:
    pk = sent(1, 20, first=True)
    pk.insert(5, pk[0])
    assert counters(run(pk).tid_stats(1)) == expect(21, duplicates=1, seq_too_low=1)


def test_reordered_first_packet_does_not_restart() -> None:
    pk = sent(1, 20, first=True)
    pk.insert(3, pk.pop(0))
    assert counters(run(pk).tid_stats(1)) == expect(
        20, misordered=1, seq_too_high=1, seq_too_low=1
    )


def test_straggler_of_previous_run_is_stale() -> None:
    run1 = sent(1, 50, first=True)
    run2 = sent(1, 30, t0=10_000_000, first=True)
    straggler = run1.pop(45)
    pk = run1 + run2[:5] + [straggler] + run2[5:]
    assert counters(run(pk).tid_stats(1)) == expect(
        80, lost=1, stale=1, seq_too_high=1, seq_too_low=1, restarts=1
    )


def test_many_tids_and_all_of_them_restart_in_one_batch() -> None:
    streams = [sent(tid, 10, first=True) for tid in range(40)]
    again = [sent(tid, 10, t0=1_000_000, first=True) for tid in range(40)]
    pk = [p for group in zip(*streams, strict=True) for p in group]
    pk += [p for group in zip(*again, strict=True) for p in group]
    analyzer = run(pk)
    for tid in range(40):
        assert counters(analyzer.tid_stats(tid)) == expect(20, restarts=1)


def test_micro_tpld_has_no_sequence_analysis() -> None:
    pk = [p for p in sent(1, 30) if p.seq != 4]
    analyzer = run(pk, mode=TpldMode.MICRO)
    assert counters(analyzer.tid_stats(1)) == expect(29)


def test_garbage_sequence_jumps_are_handled() -> None:
    rng = np.random.default_rng(5)
    seqs = rng.integers(0, 1 << 24, 300)
    pk = [
        Packet(tid=t, seq=int(s), tx_ns=i * 10)
        for i, (t, s) in enumerate(zip([1, 2] * 150, seqs, strict=True))
    ]
    model = Model()
    model.feed(pk)
    analyzer = run(pk)
    _assert_matches_model(analyzer, model)


def test_window_must_be_a_power_of_two() -> None:
    with pytest.raises(ValidationError) as info:
        RxAnalyzer(TpldMode.NORMAL, window=1000)
    assert info.value.field == "window"


def _assert_matches_model(analyzer: RxAnalyzer, model: Model) -> None:
    assert sorted(analyzer.tids()) == sorted(model.tids)
    for tid, ref in model.tids.items():
        got = counters(analyzer.tid_stats(tid))
        assert got == {name: getattr(ref, name) for name in SEQ_FIELDS}, tid


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[list[Packet], list[int]]:
    n_tids = draw(st.integers(1, 4))
    streams = []
    for tid in range(n_tids):
        n = draw(st.integers(1, 80))
        seq0 = draw(st.sampled_from([0, 0xFFFFF0, 12345]))
        t0 = draw(st.sampled_from([0, 5_000_000]))
        pk = sent(tid, n, seq0=seq0, t0=t0, first=draw(st.booleans()))
        if draw(st.booleans()):
            pk += sent(tid, draw(st.integers(1, 30)), t0=t0 + 1_000_000_000, first=True)
        ops = draw(
            st.lists(
                st.tuples(
                    st.sampled_from("dsumj"), st.integers(0, 200), st.integers(1, 40)
                ),
                max_size=8,
            )
        )
        for op, at, k in ops:
            if not pk:
                break
            i = at % len(pk)
            if op == "d":
                del pk[i]
            elif op == "s" and i + 1 < len(pk):
                pk[i], pk[i + 1] = pk[i + 1], pk[i]
            elif op == "u":
                pk.insert(min(i + k, len(pk)), pk[i])
            elif op == "m":
                pk.insert(min(i + k, len(pk)), pk.pop(i))
            elif op == "j":
                p = pk[i]
                pk[i] = Packet(p.tid, (p.seq + k * 1000) & 0xFFFFFF, p.tx_ns)
        streams.append(pk)
    merged: list[Packet] = []
    order = draw(st.permutations([t for t, pk in enumerate(streams) for _ in pk]))
    cursors = [0] * n_tids
    for t in order:
        merged.append(streams[t][cursors[t]])
        cursors[t] += 1
    splits = sorted(
        set(draw(st.lists(st.integers(1, max(len(merged) - 1, 1)), max_size=6)))
    )
    splits = [s for s in splits if 0 < s < len(merged)]
    return merged, splits


@settings(max_examples=150, deadline=None)
@given(scenarios(), st.sampled_from([16, 1 << 16]))
def test_vectorised_analyzer_matches_reference_model(
    scenario: tuple[list[Packet], list[int]], window: int
) -> None:
    packets, splits = scenario
    model = Model(window=window)
    model.feed(packets)
    _assert_matches_model(run(packets, splits, window=window), model)
    _assert_matches_model(run(packets, None, window=window), model)
