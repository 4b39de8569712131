"""A worker that dies does not take its port (or the daemon) with it: the death is
noticed at once, reported as a port error, the worker is started again and the
port sends and counts exactly after a reset."""

from __future__ import annotations

import os
import signal
import threading
import time

import pytest
from embedded import DRIVERS, HDR, one_module  # type: ignore[import-not-found]

from wirespeed.client import Chassis
from wirespeed.model import FrameLength, TxMode
from wirespeed.service import EventKind, PortState, TrafficEvent

pytestmark = pytest.mark.netns


chassis = pytest.fixture(scope="module", name="chassis", params=DRIVERS)(one_module)


def _events(chassis: Chassis) -> tuple[list[TrafficEvent], threading.Event]:
    seen: list[TrafficEvent] = []
    error = threading.Event()

    def on(ev: TrafficEvent) -> None:
        seen.append(ev)
        if ev.kind is EventKind.ERROR:
            error.set()

    chassis.tester.subscribe(on)
    return seen, error


def _exact_burst(chassis: Chassis, frames: int) -> tuple[int, int, int]:
    tx, rx = chassis.ports[0], chassis.ports[1]
    for p in (tx, rx):
        p.reserve(force=True)
        p.reset()
    tx.streams.create(
        header=HDR,
        rate_pps=20_000,
        mode=TxMode.single_burst(frames),
        length=FrameLength.fixed(128),
        tpld_id=3,
    )
    tx.clear_counters()
    rx.clear_counters()
    chassis.start([tx])
    assert chassis.tester.wait_idle([tx.index], 10.0)
    time.sleep(0.05)
    assert chassis.tester.settle()
    st = rx.tpld_statistics(3)
    assert st is not None
    return tx.statistics().tx_packets, rx.statistics().rx_packets, st.packets


@pytest.mark.parametrize("role", ["tx", "rx"])
def test_a_worker_killed_mid_traffic_is_restarted_and_counts_exactly(
    chassis: Chassis, role: str
) -> None:
    tx, rx = chassis.ports[0], chassis.ports[1]
    for p in (tx, rx):
        p.reserve(force=True)
        p.reset()
    tx.streams.create(header=HDR, rate_pps=10_000, length=FrameLength.fixed(128))
    seen, error = _events(chassis)
    chassis.start([tx])
    victim = tx if role == "tx" else rx
    which = 0 if role == "tx" else 1
    pid = chassis.tester.dataplane.pids(victim.index)[which]
    assert pid is not None
    time.sleep(0.2)
    os.kill(pid, signal.SIGKILL)
    assert error.wait(10.0)
    lost = [e for e in seen if e.kind is EventKind.ERROR]
    assert [e.port for e in lost] == [victim.index]
    assert lost[0].detail["message"] == (
        f"the {role.upper()} worker died (killed by signal 9); restarted"
    )
    # a TX worker's death ends the port's traffic; an RX worker's leaves it sending
    expected = PortState.STREAMS if role == "tx" else PortState.TX
    assert chassis.tester.port_state(tx.index) is expected
    new_pid = chassis.tester.dataplane.pids(victim.index)[which]
    assert new_pid not in (None, pid)
    chassis.stop([tx])
    # after a reset, the port sends and counts as before: exact
    assert _exact_burst(chassis, 3000) == (3000, 3000, 3000)
