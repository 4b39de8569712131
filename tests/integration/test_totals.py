"""Per-TID totals only grow, whoever clears the port: since-clear figures restart
at a clear, totals since the port started do not (what TRex's client needs while a
Xena client clears the same port)."""

from __future__ import annotations

import time

import pytest
from embedded import DRIVERS, HDR, one_module  # type: ignore[import-not-found]

from wirespeed.client import Chassis
from wirespeed.model import FrameLength, TxMode

pytestmark = pytest.mark.netns


chassis = pytest.fixture(scope="module", name="chassis", params=DRIVERS)(one_module)


def _burst(chassis: Chassis, frames: int) -> None:
    tx = chassis.ports[0]
    tx.reset()
    tx.streams.create(
        header=HDR,
        rate_pps=20_000,
        mode=TxMode.single_burst(frames),
        length=FrameLength.fixed(128),
        tpld_id=7,
    )
    chassis.start([tx])
    assert chassis.tester.wait_idle([tx.index], 10.0)
    time.sleep(0.05)


def test_a_clear_restarts_since_clear_figures_not_totals(chassis: Chassis) -> None:
    tester = chassis.tester
    for p in chassis.ports:
        p.reserve(force=True)
    _burst(chassis, 100)
    assert tester.tid_stats(1, 7).packets == 100  # type: ignore[union-attr]
    tester.clear_stats(1)  # what a Xena PR_CLEAR does
    assert tester.tid_stats(1, 7) is None
    assert tester.tid_stats(1, 7, since_clear=False).packets == 100  # type: ignore[union-attr]
    _burst(chassis, 150)
    now = tester.tid_stats(1, 7)
    total = tester.tid_stats(1, 7, since_clear=False)
    assert now is not None
    assert total is not None
    assert (now.packets, now.bytes) == (150, 150 * 128)
    assert (total.packets, total.bytes, total.lost) == (250, 250 * 128, 0)
    assert total.latency.count == 250
    assert sum(total.histogram) == 250
    assert tester.tids(1) == [7]
    assert tester.tids(1, since_clear=False) == [7]
    # the stream's own TX totals count from when it was added, not from a clear
    tester.clear_stats(0)
    sid = next(iter(tester.streams(0)))
    assert tester.stream_tx_stats(0, sid).packets == 0
    assert tester.stream_tx_stats(0, sid, since_clear=False).packets == 150


def test_a_receiver_that_dies_keeps_its_totals(chassis: Chassis) -> None:
    import os
    import signal

    tester = chassis.tester
    for p in chassis.ports:
        p.reserve(force=True)
    before = tester.tid_stats(1, 7, since_clear=False)
    done = before.packets if before is not None else 0
    rx0 = tester.port_stats(1, since_clear=False).rx_packets
    _burst(chassis, 200)
    pid = tester.dataplane.pids(1)[1]
    assert pid is not None
    os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while tester.dataplane.pids(1)[1] in (pid, None) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert tester.settle([1])
    total = tester.tid_stats(1, 7, since_clear=False)
    assert total is not None
    assert total.packets == done + 200
    assert tester.port_stats(1, since_clear=False).rx_packets == rx0 + 200
