"""The real TRex client's multiplier forms and updates on a 1 Gb/s port."""

from __future__ import annotations

import pytest
from trex_bed import TrexBed

pytestmark = [pytest.mark.netns, pytest.mark.compat]


def test_multipliers_line_rate_and_relative_updates(trex_bed: TrexBed) -> None:
    out = trex_bed.client("flow_mult")
    # 100 % of 1 Gb/s in 6250-byte (L1) frames is 20000/s: 4000 in 0.2 s
    assert out["100%"] == {"tx": 4000, "rx": 4000}
    # 1 Gb/s of L2 is above the line (TRex refuses it); with force it is sent
    assert out["1gbps"] == (
        "Port 0 : *** start_traffic: mul: the expected L1 rate 1.0032 Gb/s exceeds "
        "the port's line rate 1 Gb/s (use force to send it anyway)"
    )
    assert out["1gbps_force"] == {"tx": 4000, "rx": 4000}
    assert out["10kpps"] == {"tx": 2000, "rx": 2000}
    assert out["3"] == {"tx": 600, "rx": 600}
    # the TX engine's rate after 2kpps, +1 kpps, -50 %, +10 %, 4kpps (it reports
    # milli-frames/s, truncated: 1650 after -50 % and +10 % reads 1649.999)
    assert [round(v) for v in out["expected"]] == [2000, 3000, 1500, 1650, 4000]
    assert 3600 <= out["tx_pps_4k"] <= 4400  # measured on the veth
    assert out["below_zero"] == (
        "Port 0 : *** update_traffic: mul.value: the update takes the rate to -1 "
        "times the streams' own rates (4 - 5); it must stay above 0"
    )


def test_stream_level_pause_resume_update(trex_bed: TrexBed) -> None:
    out = trex_bed.client("flow_streams")
    # the TX engine's rate: both streams; paused (the port's rate is unchanged, as
    # on TRex); stream 2 at 3 kpps; then the port at x2 (stream 1 to 2 kpps only)
    assert [round(v) for v in out["expected"]] == [2000, 2000, 4000, 5000]
    assert (out["paused_sent"], out["active_while_paused"]) == (0, True)
    # the client refuses relative forms itself (the server too: unit tests)
    assert out["relative"] == "Argument: 'mult' invalid value: '1kpps+'"
    assert out["unknown"].endswith("stream_ids: stream 102 does not exist on port 0")
    assert out["tx"] == out["rx"] > 3000
    flows = out["flows"]
    assert flows["1"]["tx"] == flows["1"]["rx"] > 1000
    assert flows["2"]["tx"] == flows["2"]["rx"] > 3000
    assert flows["1"]["tx"] + flows["2"]["tx"] == out["tx"]
