"""A part's TPLD timestamp never runs ahead of its send."""

from __future__ import annotations

import time

from wirespeed.dataplane.tx_worker import _Clock


def test_the_lead_is_half_the_fastest_stamping_of_the_last_parts() -> None:
    clock = _Clock()
    for k in range(_Clock.TRUSTED - 1):
        clock.update(1_000, 1_000 + 40_000 + k)
    assert clock.time(5_000) == 5_000  # not trusted yet: no lead
    clock.update(0, 30_000)
    assert clock.lead_ns == 15_000
    assert clock.time(5_000) == 20_000
    for _ in range(_Clock.WINDOW):  # the 30 us part leaves the window
        clock.update(0, 50_000)
    assert clock.lead_ns == 25_000


def test_a_part_stamped_faster_than_the_lead_waits_for_its_timestamp() -> None:
    clock = _Clock()
    for _ in range(_Clock.TRUSTED):
        clock.update(0, 2_000_000)  # parts that took 2 ms to stamp
    t0 = time.time_ns()
    ts = clock.time(t0)
    assert ts == t0 + 1_000_000
    t1 = time.time_ns()  # this part took next to nothing
    assert clock.hold(ts, t1) >= ts
    assert time.time_ns() >= ts
    assert clock.hold(ts - 10, ts) == ts  # past its timestamp: no wait
