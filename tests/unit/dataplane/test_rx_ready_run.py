"""How the RX ring finds the ready slots: a few probes, never short of the run."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from wirespeed.dataplane.afpacket import TP_STATUS_USER, RxRing


def _ring(status: np.ndarray) -> tuple[RxRing, list[int]]:
    ring = object.__new__(RxRing)
    ring.count = len(status)
    seen: list[int] = []

    class Probe:
        def __getitem__(self, i):
            seen.append(int(i))
            return status[i]

    ring._status = Probe()
    return ring, seen


@settings(max_examples=300, deadline=None)
@given(st.integers(1, 300), st.data())
def test_a_run_of_ready_slots_is_found_exactly(count, data):
    pos = data.draw(st.integers(0, count - 1))
    run = data.draw(st.integers(1, count))
    n = data.draw(st.integers(1, count))
    status = np.zeros(count, dtype=np.uint32)
    status[(pos + np.arange(run)) % count] = TP_STATUS_USER | 0x20  # + other flags
    ring, seen = _ring(status)
    assert ring._ready_run(pos, n) == min(run, n)
    # a handful of status words, not the window: at most ~2 log2(n) + 2
    assert len(seen) <= 2 * max(1, n).bit_length() + 2


@settings(max_examples=300, deadline=None)
@given(st.lists(st.booleans(), min_size=1, max_size=200), st.data())
def test_never_short_of_the_first_gap(ready, data):
    # slots may complete out of order: the answer may pass a gap (the reader
    # then stops at it) but never stops before the first one
    ready[0] = True  # read() only asks when the first slot is ready
    count = len(ready)
    n = data.draw(st.integers(1, count))
    status = np.where(ready, TP_STATUS_USER, 0).astype(np.uint32)
    ring, _ = _ring(status)
    got = ring._ready_run(0, n)
    first_gap = next((i for i in range(n) if not ready[i]), n)
    assert first_gap <= got <= n
    assert got == n or not ready[got]  # it ends before a slot that is not ready


def test_wraps_around_the_end_of_the_ring():
    status = np.zeros(16, dtype=np.uint32)
    status[[13, 14, 15, 0, 1]] = TP_STATUS_USER
    ring, seen = _ring(status)
    assert ring._ready_run(13, 16) == 5
    assert max(seen) <= 15
