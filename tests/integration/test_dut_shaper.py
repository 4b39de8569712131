"""A DUT with a known throughput: the kernel's token-bucket shaper on the bridge
DUT (``--impair rate=20mbit``); its drop counter is the ground truth of the loss."""

from __future__ import annotations

import pytest
from scapy.layers.inet import IP, UDP
from scapy.layers.l2 import Ether

from wirespeed.client import Chassis
from wirespeed.errors import ConfigError
from wirespeed.model import FrameLength, TxMode
from wirespeed.topology.impair import parse_impairment

pytestmark = pytest.mark.netns

HDR = (
    Ether(dst="02:77:73:00:00:02", src="02:77:73:00:00:01")
    / IP(src="198.18.0.1", dst="198.19.0.1")
    / UDP(sport=1025, dport=9)
)


def test_the_shaper_drops_exactly_what_is_lost_above_its_rate() -> None:
    imp = parse_impairment("rate=20mbit")
    with Chassis.embedded(modules=1, dut=True, impairment=imp) as chassis:
        bed = chassis.testbed
        assert bed is not None
        assert bed.impair_mechanism == "tbf"
        tx, rx = chassis.ports[0], chassis.ports[1]
        tx.reserve(force=True)
        for tid, pps, frames in ((1, 100, 200), (2, 10_000, 3000)):  # 0.8, 80 Mbit/s
            tx.reset()
            tx.streams.create(
                header=HDR,
                rate_pps=pps,
                length=FrameLength.fixed(1000),
                tpld_id=tid,
                mode=TxMode.single_burst(frames),
            )
            before = bed.dut_counters()
            tx.clear_counters()
            rx.clear_counters()
            chassis.traffic([tx], duration_s=5.0)
            after = bed.dut_counters()
            drops = after["shaper_drops"] - before.get("shaper_drops", 0)
            st = rx.tpld_statistics(tid)
            assert st is not None
            assert tx.statistics().tx_packets == frames
            # loss is TX - RX: the analyzer's sequence gaps cannot see frames
            # dropped after the last one that arrived
            assert frames - st.packets == drops
            assert st.lost <= drops
            if tid == 1:
                assert drops == 0  # under the rate: nothing lost
            else:
                assert drops > frames // 2  # 80 Mbit/s into 20: most of it


def test_a_bad_rate_names_the_knob() -> None:
    with pytest.raises(ConfigError) as err:
        parse_impairment("rate=fast")
    assert err.value.field == "impair.rate"
    with pytest.raises(ConfigError) as err:
        parse_impairment("rate=1bit")
    assert (err.value.field, err.value.reason) == (
        "impair.rate",
        "must be 8kbit..100gbit, got '1bit'",
    )
