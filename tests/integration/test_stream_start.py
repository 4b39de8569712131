"""The first frames of a stream through a real kernel DUT, counted exactly.

The DUT is the test bed's bridge namespace with nftables rules at the ingress of
its port from the sender: the first test frame is dropped and the first one
forwarded is duplicated (``dup to`` the port towards the receiver), as a router
resolving ARP loses a stream's first frames. Each rule has an nftables counter,
the ground truth the per-TID analysis must equal.
"""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Iterator

import pytest
from embedded import DRIVERS  # type: ignore[import-not-found]
from scapy.layers.inet import IP, UDP
from scapy.layers.l2 import Ether

from wirespeed.analysis import TidStats
from wirespeed.client import Chassis, Port
from wirespeed.model import FrameLength, TxMode

pytestmark = pytest.mark.netns

HDR = (
    Ether(dst="02:77:73:00:00:02", src="02:77:73:00:00:01")
    / IP(src="198.18.0.1", dst="198.19.0.1")
    / UDP(sport=1025, dport=9)
)
FRAMES = 1000
TID = 4
TABLE = "wsfirst"
# numgen inc counts the frames that reach it from 0: "== 0" is the first of them
RULES = f"""table netdev {TABLE} {{
  counter dropped {{}}
  counter duplicated {{}}
  chain ingress {{
    type filter hook ingress device "d0" priority 0;
    ip daddr 198.19.0.1 udp dport 9 numgen inc mod 1000000 0 counter name dropped drop
    ip daddr 198.19.0.1 udp dport 9 numgen inc mod 1000000 0 counter name duplicated \
dup to "d1"
  }}
}}
"""


def _nft(netns: str, *args: str, stdin: str | None = None) -> str:
    cmd = ["ip", "netns", "exec", netns, "nft", *args]
    return subprocess.run(
        cmd, input=stdin, capture_output=True, text=True, check=True
    ).stdout


def _arm(netns: str) -> None:
    """(Re)install the rules: their counts and numgen start again from 0."""
    listed = _nft(netns, "list", "tables", "netdev")
    if f"table netdev {TABLE}" in listed:
        _nft(netns, "delete", "table", "netdev", TABLE)
    _nft(netns, "-f", "-", stdin=RULES)


def _dut_counts(netns: str) -> dict[str, int]:
    raw = json.loads(_nft(netns, "-j", "list", "counters", "table", "netdev", TABLE))
    return {
        str(item["counter"]["name"]): int(item["counter"]["packets"])
        for item in raw["nftables"]
        if "counter" in item
    }


@pytest.fixture(scope="module", params=DRIVERS)
def chassis(request: pytest.FixtureRequest) -> Iterator[Chassis]:
    with Chassis.embedded(modules=1, dut=True, driver=request.param) as c:
        yield c


@pytest.fixture
def ports(chassis: Chassis) -> Iterator[tuple[Port, Port, str]]:
    a, b = chassis.ports[0], chassis.ports[1]
    for p in (a, b):
        p.reserve(force=True)
        p.reset()
    assert chassis.testbed is not None
    assert chassis.testbed.dut_netns is not None
    yield a, b, chassis.testbed.dut_netns
    chassis.stop([a, b])


def _burst(chassis: Chassis, a: Port, b: Port) -> TidStats:
    """Start port ``a`` (a burst of FRAMES), wait until all is counted."""
    chassis.start([a])
    assert chassis.tester.wait_idle([a.index], 10)
    time.sleep(0.1)
    assert chassis.tester.settle()
    st = b.tpld_statistics(TID)
    assert st is not None
    return st


def _seq(st: TidStats) -> tuple[int, ...]:
    return (
        st.packets, st.lost, st.duplicates, st.misordered, st.stale,
        st.seq_too_high, st.seq_too_low, st.restarts,
    )  # fmt: skip


def test_first_frame_dropped_and_first_forwarded_duplicated(chassis, ports) -> None:
    a, b, dut = ports
    a.streams.create(
        header=HDR, rate_pps=20_000, length=FrameLength.fixed(128), tpld_id=TID,
        mode=TxMode.single_burst(FRAMES),
    )  # fmt: skip
    _arm(dut)
    a.clear_counters()
    b.clear_counters()
    st = _burst(chassis, a, b)
    assert _dut_counts(dut) == {"dropped": 1, "duplicated": 1}
    tx, rx = a.statistics(), b.statistics()
    assert tx.tx_packets == FRAMES
    assert (rx.rx_packets, rx.rx_bytes, rx.rx_notpld_packets) == (
        FRAMES - 1 + 1, FRAMES * 128, 0,
    )  # fmt: skip
    # packets, lost, dup, misordered, stale, too high, too low, restarts
    assert _seq(st) == (FRAMES, 1, 1, 0, 0, 1, 1, 0)
    # started again, nothing dropped (the rules matched their first frames only)
    st = _burst(chassis, a, b)
    assert _dut_counts(dut) == {"dropped": 1, "duplicated": 1}
    assert b.statistics().rx_packets == 2 * FRAMES
    assert _seq(st) == (2 * FRAMES, 1, 1, 0, 0, 1, 1, 1)
    # cleared, rules armed again: the next start loses its first frame (and flag)
    _arm(dut)
    a.clear_counters()
    b.clear_counters()
    st = _burst(chassis, a, b)
    assert _dut_counts(dut) == {"dropped": 1, "duplicated": 1}
    assert b.statistics().rx_packets == FRAMES
    assert _seq(st) == (FRAMES, 1, 1, 0, 0, 1, 1, 0)


def test_clear_while_the_stream_runs_counts_nothing_lost(chassis, ports) -> None:
    a, b, dut = ports
    _arm(dut)
    a.streams.create(
        header=HDR, rate_pps=10_000, length=FrameLength.fixed(128), tpld_id=TID,
        mode=TxMode.single_burst(6000),
    )  # fmt: skip
    a.clear_counters()
    b.clear_counters()
    chassis.start([a])
    time.sleep(0.2)
    b.clear_counters()  # about 2000 frames in: the place in the sequence stays
    assert chassis.tester.wait_idle([a.index], 10)
    time.sleep(0.1)
    assert chassis.tester.settle()
    st = b.tpld_statistics(TID)
    assert st is not None
    assert a.statistics().tx_packets == 6000
    assert _dut_counts(dut) == {"dropped": 1, "duplicated": 1}  # before the clear
    assert 1000 < st.packets < 6000
    assert st.packets <= b.statistics().rx_packets
    assert _seq(st)[1:] == (0, 0, 0, 0, 0, 0, 0)
