"""Through wirespeed's own impairer (the DUT where the kernel has no netem).

Each test puts one knob (with a delay, which sends the frames through the impairer)
between ports 0 and 1, sends a burst of TPLD frames and compares what the analyzer
found with what the impairer says it did, its counters being the ground truth.
"""

from __future__ import annotations

import time

import pytest
from scapy.layers.inet import IP, UDP
from scapy.layers.l2 import Ether

from wirespeed.client import Chassis
from wirespeed.dataplane.ingress import is_held
from wirespeed.model import FrameLength, Payload, PayloadType, TxMode
from wirespeed.topology.impair import has_netem, parse_impairment

pytestmark = [
    pytest.mark.netns,
    pytest.mark.skipif(has_netem(), reason="the kernel's netem is used instead"),
]

HDR = (
    Ether(dst="02:77:73:00:00:02", src="02:77:73:00:00:01")
    / IP(src="198.18.0.1", dst="198.19.0.1")
    / UDP(sport=1025, dport=9)
)
FRAMES = 8000


def _through(impair: str, **stream: object) -> tuple[object, object, dict[str, int]]:
    """Send FRAMES frames through the impaired DUT: (TID stats, RX port stats, DUT)."""
    with Chassis.embedded(
        modules=1, dut=True, impairment=parse_impairment(impair), impair_seed=7
    ) as c:
        assert c.testbed is not None
        assert c.testbed.impair_mechanism == "wirespeed"
        # what the impairer and the ports receive stops at their rings
        dut_ns = c.testbed.dut_netns
        assert [is_held(i, dut_ns) for i in ("d0", "d1")] == [True, True]
        assert [is_held(p.interface, p.netns) for p in c.tester.config.ports] == [
            True,
            True,
        ]
        a, b = c.ports[0], c.ports[1]
        a.reserve()
        a.streams.create(
            header=HDR, rate_pps=20_000, length=FrameLength.fixed(128), tpld_id=4,
            mode=TxMode.single_burst(FRAMES), **stream,
        )  # fmt: skip
        a.clear_counters()
        b.clear_counters()
        c.start([a])
        assert c.tester.wait_idle([a.index], 20)
        time.sleep(0.3)  # what the impairer still holds (delays of a few ms)
        assert c.tester.settle()
        dut = c.testbed.dut_counters()
        assert a.statistics().tx_packets == FRAMES
        assert dut["received"] == FRAMES
        st = b.tpld_statistics(4)
        assert st is not None
        rx = b.statistics()
        assert rx.rx_packets == dut["sent"]
        return st, rx, dut


def test_delay_and_jitter() -> None:
    st, _rx, dut = _through("delay=5ms,jitter=1ms")
    assert (st.packets, st.lost, st.duplicates) == (FRAMES, 0, 0)
    assert st.latency.min_ns >= 4_000_000
    assert dut["late"] > 0  # jitter reorders, as netem's does
    assert st.misordered == dut["late"]


def test_loss() -> None:
    st, _rx, dut = _through("loss=4%,delay=1ms")
    assert dut["dropped"] > 100
    assert st.packets == FRAMES - dut["dropped"]
    # a drop of the burst's last frames shows in no gap (nothing after them)
    assert 0 <= dut["dropped"] - st.lost <= 2
    assert (st.duplicates, st.misordered) == (0, 0)


def test_duplication() -> None:
    st, _rx, dut = _through("duplicate=3%,delay=1ms")
    assert dut["duplicated"] > 100
    assert (st.packets, st.duplicates, st.lost) == (
        FRAMES + dut["duplicated"], dut["duplicated"], 0,
    )  # fmt: skip


def test_reordering() -> None:
    st, _rx, dut = _through("delay=2ms,reorder=20%")
    assert dut["reordered"] > 1000
    assert dut["late"] > 0
    assert (st.packets, st.lost, st.duplicates) == (FRAMES, 0, 0)
    assert st.misordered == dut["late"]


def test_corruption() -> None:
    """A flipped bit in the TPLD spoils it: the frame counts as one without a TPLD
    and its sequence number as lost. (A flip elsewhere goes unseen: no payload
    checksum here.)"""
    st, rx, dut = _through("corrupt=3%,delay=1ms", payload=Payload(PayloadType.PRBS))
    assert dut["corrupted"] > 100
    # frames without a usable TPLD; those whose CRC failed are a subset (the others
    # lost the CRC/complement pattern itself)
    assert rx.rx_notpld_packets == dut["corrupted_tail"]
    assert 0 < rx.rx_tpld_errors < rx.rx_notpld_packets
    assert st.packets == FRAMES - dut["corrupted_tail"]
    assert 0 <= dut["corrupted_tail"] - st.lost <= 2
