"""A start at an agreed wall-clock time: no port's first frame leaves before it
(the wall-clock time the TX worker stamps its first frames with, and the first
frame's TPLD timestamp at the receiver); a stop before that time ends the job
with nothing sent. How close to the time they leave is a measurement
(``bench/bench_start_at.py``), not a test: a loaded machine delays them."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from embedded import DRIVERS, HDR, one_module  # type: ignore[import-not-found]

from wirespeed.client import Chassis
from wirespeed.errors import ValidationError
from wirespeed.model import FrameLength, ModeKind, Rate, Stream, TxMode

pytestmark = pytest.mark.netns

N = 2000


@pytest.fixture(scope="module", params=DRIVERS)
def chassis(request: pytest.FixtureRequest) -> Iterator[Chassis]:
    yield from one_module(request)


def _burst(tid: int) -> Stream:
    return Stream(
        packet=bytes(HDR),
        tpld_id=tid,
        length=FrameLength.fixed(128),
        rate=Rate.pps(20_000),
        mode=TxMode(ModeKind.SINGLE_BURST, total_pkts=N),
    )


def test_ports_start_together_at_the_agreed_time(chassis: Chassis) -> None:
    t = chassis.tester
    ports = chassis.modules[0].ports
    for i, p in enumerate(ports):
        t.add_stream(p.index, 0, _burst(10 + i))
        p.clear_counters()
    at = time.time_ns() + 400_000_000
    chassis.start(ports, start_at_ns=at)
    assert t.wait_idle([p.index for p in ports], 10)
    t.settle()
    late = [t.tx_job_first_ns(p.index) - at for p in ports]
    assert all(0 <= ns < 1_000_000_000 for ns in late), late
    for i, p in enumerate(ports):
        assert p.statistics().tx_packets == N
        rx = p.peer.tpld_statistics(10 + i)
        assert rx is not None
        assert (rx.packets, rx.lost) == (N, 0)
        # the first frame's TPLD timestamp is not before the agreed time
        assert rx.first_ns is not None
        assert rx.first_ns >= at


def test_a_stop_before_the_time_sends_nothing(chassis: Chassis) -> None:
    t = chassis.tester
    p = chassis.modules[0].ports[0]
    t.add_stream(p.index, 0, _burst(20))
    p.clear_counters()
    chassis.start([p], start_at_ns=time.time_ns() + 2_000_000_000)
    time.sleep(0.2)
    chassis.stop([p])
    assert p.statistics().tx_packets == 0
    assert t.tx_job_first_ns(p.index) == 0


def test_a_start_time_is_checked(chassis: Chassis) -> None:
    p = chassis.modules[0].ports[0]
    with pytest.raises(ValidationError) as err:
        chassis.start([p], start_at_ns=-5)
    assert err.value.field == "start_at_ns"
