"""The RX worker reads until it has about caught up, or (for a sync) until empty."""

from __future__ import annotations

import numpy as np
import pytest

from wirespeed.dataplane import rx_worker as rxw
from wirespeed.dataplane.afpacket import RxBatch
from wirespeed.dataplane.counters import CounterBlock


class _Ring:
    """Hands out batches of the given sizes (60-byte frames without a TPLD)."""

    def __init__(self, sizes: list[int]) -> None:
        self.sizes = sizes
        self.reads: list[int] = []

    def read(self, max_frames: int = 8192) -> RxBatch | None:
        if not self.sizes:
            self.reads.append(0)
            return None
        n = self.sizes.pop(0)
        assert n <= max_frames
        self.reads.append(n)
        return RxBatch(
            data=np.zeros((n, 60), dtype=np.uint8),
            lengths=np.full(n, 60, dtype=np.int64),
            ts_ns=np.arange(n, dtype=np.int64) + 1_000,
            vlan_stripped=np.zeros(n, dtype=np.bool_),
            vlan_tci=np.zeros(n, dtype=np.uint32),
            vlan_tpid=np.zeros(n, dtype=np.uint32),
        )

    def drops(self) -> int:
        return 0


def test_catching_up_stops_at_the_first_small_read_a_sync_reads_to_empty() -> None:
    small = rxw._SMALL_BATCH
    ring = _Ring([8192, small, small - 1, 8192, 5])
    counters = CounterBlock(rxw.rx_words())
    try:
        rcv = rxw._Receiver(ring, counters)  # type: ignore[arg-type]
        assert rcv.drain(to_empty=False) == 8192 + small + small - 1
        assert ring.reads == [8192, small, small - 1]
        assert rcv.drain(to_empty=False) == 8192 + 5  # on to the next small read
        assert ring.reads[3:] == [8192, 5]
        assert ring.sizes == []
        ring.sizes = [3, 2]
        assert rcv.drain() == 5  # to empty: past the small reads
        assert ring.reads[-3:] == [3, 2, 0]
        rcv.publish()
        words = counters.read()
        assert words[rxw.RX_PACKETS] == 2 * 8192 + 2 * small - 1 + 5 + 5
        assert words[rxw.RX_NOTPLD_PACKETS] == words[rxw.RX_PACKETS]
        assert words[rxw.RX_BYTES] == 64 * words[rxw.RX_PACKETS]
    finally:
        counters.close()


@pytest.mark.parametrize(
    ("got", "elapsed_ns", "slots", "want_s"),
    [
        (1_500, 10_000_000, 49152, 0.010),  # 150 kpps: 2048 frames take 13.7 ms
        (2_000, 2_000_000, 49152, 0.002048),  # 1 Mpps: 2048 frames take 2.05 ms
        (6_000, 2_000_000, 49152, 0.002),  # 3 Mpps: at least 2 ms
        (3_000, 2_000_000, 4096, 4096 / 4 / 1.5e6),  # a small ring: a quarter of it
        (0, 5_000_000, 49152, 0.002),  # nothing read: the shortest wait
    ],
)
def test_frames_gather_for_about_2048_at_the_last_rate(got, elapsed_ns, slots, want_s):
    assert rxw._gather_s(got, elapsed_ns, slots) == pytest.approx(want_s, rel=1e-12)


def test_an_idle_worker_waits_for_the_next_roll_then_without_end() -> None:
    ring = _Ring([10])
    counters = CounterBlock(rxw.rx_words())
    try:
        rcv = rxw._Receiver(ring, counters)  # type: ignore[arg-type]
        rcv.next_second = 0  # a second has ended: the next wait is none
        assert rcv.idle_wait_s() == 0.0
        rcv.tick()  # closes the second frames may have arrived in
        assert rcv.quiet_rolls == 1
        rcv.next_second = 0
        rcv.tick()  # the last second's rates are zero now
        assert rcv.quiet_rolls == 2
        assert rcv.idle_wait_s() is None
        assert rcv.drain() == 10  # frames: rolls count again
        assert rcv.quiet_rolls == 0
        rcv.next_second = 0
        assert rcv.idle_wait_s() == 0.0
    finally:
        counters.close()


def test_a_reader_copies_only_the_words_it_asks_for() -> None:
    counters = CounterBlock(40)
    try:
        with counters.writing() as w:
            w[:] = range(40)
        del w  # a view into the block: it must go before the block closes
        assert counters.read(16).tolist() == list(range(16))
        assert counters.read().tolist() == list(range(40))
    finally:
        counters.close()
