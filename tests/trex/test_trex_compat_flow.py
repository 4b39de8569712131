"""The real TRex STL client drives a wirespeed server: the everyday flow."""

from __future__ import annotations

import pytest
from trex_bed import TrexBed

pytestmark = [pytest.mark.netns, pytest.mark.compat]


def test_everyday_flow(any_trex_bed: TrexBed) -> None:
    out = any_trex_bed.client("flow_basic")
    # 1000 frames of 72 bytes + FCS, all received, totals over both ports
    assert out["burst"] == [1000, 76000, 1000, 76000, 1000]
    # 1000 pps * 0.5 s; raw 2 doubles it; the profile-wide forms set 4000 pps or
    # 1000 pps (1 Mb/s of 125-byte frames, 1.16 Mb/s L1, 0.116 % of 1 Gb/s L1)
    assert out["mult"] == {
        "1": {"tx": 500, "rx": 500},
        "2": {"tx": 1000, "rx": 1000},
        "4kpps": {"tx": 2000, "rx": 2000},
        "1mbps": {"tx": 500, "rx": 500},
        "1.16mbpsl1": {"tx": 500, "rx": 500},
        "0.116%": {"tx": 500, "rx": 500},
    }
    # measured last-second rates (what really crossed the veth, so a band): 2 kpps,
    # then 4 kpps of 125-byte frames = 4.64 Mb/s on L1; pausing stops the counters
    run = out["running"]
    assert 1800 <= run["tx_pps_2k"] <= 2200
    assert 3600 <= run["tx_pps_4k"] <= 4400
    assert 0.9 * 4.64e6 <= run["tx_bps_l1_4k"] <= 1.1 * 4.64e6
    assert (run["paused_state"], run["paused_still"]) == ("PAUSE", True)
    assert run["after_stop_equal"] is True
    assert run["state_after_stop"] == "IDLE"  # the client shows STREAMS as IDLE
    assert out["xstats"] == {"n": out["xstats"]["n"], "has_rx_packets": True}
    assert out["xstats"]["n"] >= 20
    assert (out["prom"], out["prom_off"], out["service"]) == ("on", "off", True)
    assert out["util_cpu_rows"] == 2
