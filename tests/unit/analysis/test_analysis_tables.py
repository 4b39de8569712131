"""Port totals, publishing, clearing and merging (wirespeed.analysis)."""

from __future__ import annotations

import numpy as np
import pytest
from _analysis_model import Packet, build

from wirespeed.analysis import (
    AnalyzerSnapshot,
    PortTotals,
    RxAnalyzer,
    TidStats,
    analyzer_dtype,
)
from wirespeed.errors import ValidationError
from wirespeed.tpld import TpldMode, encode_batch

PI = TpldMode.NORMAL_WITH_PAYLOAD_CHECKSUM


def stream(tid: int, n: int, t0: int = 0, length: int = 64) -> list[Packet]:
    return [
        Packet(tid=tid, seq=i, tx_ns=t0 + i * 1000, length=length) for i in range(n)
    ]


def test_port_totals_split_tpld_and_other_frames() -> None:
    frames, lengths, rx = build(stream(1, 6, length=100))
    frames[1, 80] ^= 0x01  # sequence bit: corrupted TPLD
    frames[2, 96] ^= 0xFF  # checksum bytes: no TPLD
    lengths[3] = 10  # too short for a TPLD
    junk = np.random.default_rng(1).integers(0, 256, (2, 100), dtype=np.uint8)
    frames = np.vstack([frames, junk])
    lengths = np.concatenate([lengths, [100, 60]])
    rx = np.concatenate([rx, [0, 0]])
    analyzer = RxAnalyzer(TpldMode.NORMAL)
    analyzer.analyse(frames, lengths, rx)
    assert analyzer.port_totals() == PortTotals(
        packets=8,
        bytes=5 * 104 + 14 + 104 + 64,
        tpld_packets=3,
        tpld_bytes=3 * 104,
        non_tpld_packets=5,
        non_tpld_bytes=2 * 104 + 14 + 104 + 64,
        tpld_checksum_errors=1,
        too_short=1,
    )
    stats = analyzer.tid_stats(1)
    assert stats is not None
    assert (stats.packets, stats.bytes, stats.lost) == (3, 312, 3)


def test_vlan_tags_the_kernel_took_out_are_counted() -> None:
    """Frames whose VLAN tag the kernel moved into metadata arrive 4 bytes short
    (their TPLD still ends them); they crossed the wire with it."""
    frames, lengths, rx = build(stream(1, 4, length=124) + stream(2, 2, length=124))
    tags = np.array([True, True, True, True, False, False])
    analyzer = RxAnalyzer(TpldMode.NORMAL)
    analyzer.analyse(frames, lengths, rx, tags)
    totals = analyzer.port_totals()
    assert (totals.bytes, totals.tpld_bytes) == (4 * 132 + 2 * 128, 4 * 132 + 2 * 128)
    one, two = analyzer.tid_stats(1), analyzer.tid_stats(2)
    assert one is not None
    assert two is not None
    assert (one.packets, one.bytes, one.lost) == (4, 4 * 132, 0)
    assert (two.packets, two.bytes) == (2, 2 * 128)
    with pytest.raises(ValidationError) as info:
        analyzer.analyse(frames, lengths, rx, tags[:2])
    assert info.value.field == "tags_stripped"


def test_traffic_counters_and_times() -> None:
    analyzer = RxAnalyzer(TpldMode.NORMAL)
    pk = stream(7, 10, t0=1_000_000, length=128)
    frames, lengths, rx = build(pk)
    analyzer.analyse(frames[:4], lengths[:4], rx[:4])
    analyzer.analyse(frames[4:], lengths[4:], rx[4:])
    stats = analyzer.tid_stats(7)
    assert stats is not None
    assert stats.packets == 10
    assert stats.bytes == 10 * 132
    assert stats.first_ns == pk[0].rx_ns
    assert stats.last_ns == pk[-1].rx_ns
    assert analyzer.tid_stats(8) is None
    assert analyzer.tid_stats(-1) is None


def test_payload_integrity_errors_per_tid() -> None:
    n = 6
    frames = np.random.default_rng(2).integers(0, 256, (n, 90), dtype=np.uint8)
    lengths = np.full(n, 90)
    tids = np.array([1, 2, 1, 2, 1, 2])
    encode_batch(
        frames,
        lengths,
        mode=PI,
        tid=tids,
        seq=np.array([0, 0, 1, 1, 2, 2]),
        tx_ns=0,
        pi_offset=14,
    )
    frames[2, 30] ^= 0x40
    frames[4, 67] ^= 0x01  # last payload byte before the TPLD
    frames[5, 10] ^= 0x01  # before the PI offset: not covered
    analyzer = RxAnalyzer(PI)
    analyzer.analyse(frames, lengths, np.zeros(n, dtype=np.int64))
    one, two = analyzer.tid_stats(1), analyzer.tid_stats(2)
    assert one is not None
    assert two is not None
    assert (one.payload_errors, two.payload_errors) == (2, 0)
    assert (one.packets, two.packets) == (3, 3)


def test_accepted_tids_filter() -> None:
    pk = stream(1, 3) + stream(2, 4) + stream(3, 2)
    frames, lengths, rx = build(pk)
    analyzer = RxAnalyzer(TpldMode.NORMAL)
    analyzer.set_accepted_tids([1, 3])
    analyzer.analyse(frames, lengths, rx)
    assert analyzer.tids() == [1, 3]
    port = analyzer.port_totals()
    assert (port.tpld_packets, port.non_tpld_packets, port.unknown_tid) == (5, 4, 4)
    analyzer.set_accepted_tids(None)
    analyzer.analyse(frames, lengths, rx)
    assert analyzer.tids() == [1, 3, 2]
    with pytest.raises(ValidationError) as info:
        analyzer.set_accepted_tids([70000])
    assert info.value.field == "tid"


def test_capacity_overflow_is_counted() -> None:
    pk = stream(5, 2) + stream(3, 2) + stream(9, 3)
    frames, lengths, rx = build(pk)
    analyzer = RxAnalyzer(TpldMode.NORMAL, capacity=2)
    analyzer.analyse(frames, lengths, rx)
    assert analyzer.tids() == [3, 5]
    port = analyzer.port_totals()
    assert (port.tpld_packets, port.tid_overflow) == (7, 3)
    with pytest.raises(ValidationError) as info:
        RxAnalyzer(TpldMode.NORMAL, capacity=0)
    assert info.value.field == "capacity"


def test_publish_into_shared_buffer_and_read_back() -> None:
    analyzer = RxAnalyzer(TpldMode.NORMAL, capacity=16)
    pk = stream(1, 20) + stream(4, 5)
    del pk[3]
    frames, lengths, rx = build(pk)
    analyzer.analyse(frames, lengths, rx)
    analyzer.roll_second(1_000_000_000)
    dtype = analyzer_dtype(16)
    buffer = bytearray(dtype.itemsize)  # stands in for shared memory
    shared = np.ndarray((), dtype=dtype, buffer=buffer)
    analyzer.to_array(out=shared)
    reader = np.ndarray((), dtype=dtype, buffer=bytes(buffer))
    snap = AnalyzerSnapshot.from_array(reader)
    assert snap == analyzer.snapshot()
    assert set(snap.tids) == {1, 4}
    assert snap.tids[1].lost == 1
    assert snap.port.tpld_packets == 24
    assert int(reader["port"]["tids_in_use"]) == 2
    assert AnalyzerSnapshot.from_array(analyzer.to_array()) == snap
    with pytest.raises(ValidationError) as info:
        analyzer.to_array(out=np.zeros((), dtype=analyzer_dtype(8)))
    assert info.value.field == "out"


def test_clear_forgets_every_counter() -> None:
    analyzer = RxAnalyzer(TpldMode.NORMAL)
    frames, lengths, rx = build(stream(1, 10))
    analyzer.analyse(frames, lengths, rx)
    analyzer.clear(now_ns=5)
    assert analyzer.tids() == []
    assert analyzer.port_totals() == PortTotals()
    assert analyzer.snapshot() == AnalyzerSnapshot(port=PortTotals(), tids={})
    # the same frames again, sent before the clear: from before the place the TID
    # had reached (which a clear keeps), so stale, not duplicates
    analyzer.analyse(frames, lengths, rx)
    stats = analyzer.tid_stats(1)
    assert stats is not None
    assert (stats.packets, stats.duplicates, stats.stale, stats.lost) == (10, 0, 10, 0)
    assert stats.latency.count == 10
    assert stats.jitter.count == 9


def test_merging_the_same_tid_from_two_ports() -> None:
    a, b = RxAnalyzer(TpldMode.NORMAL), RxAnalyzer(TpldMode.NORMAL)
    pa = stream(1, 10)
    del pa[4]
    pb = [Packet(tid=1, seq=i, tx_ns=i * 1000, latency_ns=9000) for i in range(5)]
    for analyzer, pk in ((a, pa), (b, pb)):
        frames, lengths, rx = build(pk)
        analyzer.analyse(frames, lengths, rx)
    sa, sb = a.tid_stats(1), b.tid_stats(1)
    assert sa is not None
    assert sb is not None
    merged = sa.merged(sb)
    assert (merged.packets, merged.bytes, merged.lost) == (14, 14 * 68, 1)
    assert merged.latency.count == 14
    assert merged.latency.min_ns == 5000
    assert merged.latency.max_ns == 9000
    assert merged.latency.avg_ns == pytest.approx((9 * 5000 + 5 * 9000) / 14)
    assert merged.first_ns == 5000
    assert merged.last_ns == 9 * 1000 + 5000
    assert sum(merged.histogram) == 14
    assert sa.merged(TidStats(tid=1)) == sa
    with pytest.raises(ValidationError):
        sa.merged(TidStats(tid=2))


def test_bad_batch_shapes_are_refused() -> None:
    analyzer = RxAnalyzer(TpldMode.NORMAL)
    frames = np.zeros((3, 64), dtype=np.uint8)
    with pytest.raises(ValidationError) as info:
        analyzer.analyse(frames, [64, 64], [0, 0, 0])
    assert info.value.field == "lengths"
    with pytest.raises(ValidationError) as info:
        analyzer.analyse(frames, [64, 64, 64], [0])
    assert info.value.field == "rx_ns"
    analyzer.analyse(frames[:0], [], [])
    assert analyzer.port_totals() == PortTotals()


def test_large_batches_are_processed_in_chunks() -> None:
    n = 70_000
    frames = np.zeros((n, 64), dtype=np.uint8)
    lengths = np.full(n, 64)
    tids = np.arange(n) % 3
    seqs = np.arange(n) // 3
    encode_batch(
        frames,
        lengths,
        mode=TpldMode.NORMAL,
        tid=tids,
        seq=seqs,
        tx_ns=np.arange(n) * 100,
    )
    keep = np.ones(n, dtype=bool)
    keep[[30_000, 65_536 * 3 // 3 + 1]] = False
    analyzer = RxAnalyzer(TpldMode.NORMAL)
    analyzer.analyse(frames[keep], lengths[keep], np.arange(n)[keep] * 100 + 800)
    totals = {tid: analyzer.tid_stats(tid) for tid in range(3)}
    assert [s.packets for s in totals.values() if s] == [23333, 23333, 23332]
    assert [s.lost for s in totals.values() if s] == [1, 0, 1]
    assert [s.latency.max_ns for s in totals.values() if s] == [800, 800, 800]
