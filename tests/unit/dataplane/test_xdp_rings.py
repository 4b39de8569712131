"""AF_XDP rings worked with numpy: indices wrap at 2**32, entries at the ring's
size; the memory here stands in for the kernel's mapping."""

from __future__ import annotations

import numpy as np
import pytest

from wirespeed.dataplane.xdp.rings import DESC, ConsumerRing, ProducerRing


def _memory(size: int, dtype: object) -> tuple[np.ndarray, np.ndarray, list[int]]:
    words = np.zeros(4, dtype=np.uint32)  # producer, consumer, flags, spare
    entries = np.zeros(size, dtype=dtype)
    base = words.ctypes.data
    return words, entries, [base, base + 4, entries.ctypes.data, base + 8]


def test_a_producer_ring_writes_across_its_end_and_moves_its_index() -> None:
    words, entries, where = _memory(8, np.uint64)
    words[0] = words[1] = 0xFFFFFFFE  # both indices about to wrap at 2**32
    ring = ProducerRing(*where, 8, np.uint64)
    assert (ring.free(), ring.pending()) == (8, 0)
    ring.put(np.arange(10, 16, dtype=np.uint64))
    assert int(words[0]) == 4  # 0xFFFFFFFE + 6, modulo 2**32
    assert (ring.free(), ring.pending()) == (2, 6)
    # positions 6, 7, then 0...3
    assert entries.tolist() == [12, 13, 14, 15, 0, 0, 10, 11]
    words[1] = 2  # the kernel took four
    assert (ring.free(), ring.pending()) == (6, 2)
    words[2] = 1
    assert ring.needs_wakeup()


def test_a_consumer_ring_reads_what_is_ready_and_gives_it_back() -> None:
    words, entries, where = _memory(4, DESC)
    ring = ConsumerRing(*where, 4, DESC)
    assert ring.ready() == 0
    entries["addr"] = [100, 200, 300, 400]
    entries["len"] = [60, 61, 62, 63]
    words[1] = 3  # consumer at 3: the next entries are 3, 0, 1
    words[0] = 6
    assert ring.ready() == 3
    got = ring.take(3)
    assert got["addr"].tolist() == [400, 100, 200]
    assert got["len"].tolist() == [63, 60, 61]
    entries["addr"][3] = 999  # a copy: the ring may be refilled
    assert got["addr"][0] == 400
    ring.release(3)
    assert (int(words[1]), ring.ready()) == (6, 0)


def test_a_ring_size_must_be_a_power_of_two() -> None:
    _, _, where = _memory(6, np.uint64)
    with pytest.raises(ValueError, match="power of two"):
        ProducerRing(*where, 6, np.uint64)
