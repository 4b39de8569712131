"""get_utilization and get_global_stats report the workers' real CPU use."""

from __future__ import annotations

import base64
import time
from typing import Any

import pytest
from scapy.layers.inet import IP, UDP
from scapy.layers.l2 import Ether
from trex_bed import RawRpc, TrexBed

pytestmark = [pytest.mark.netns, pytest.mark.compat]


def _stream(bed: TrexBed, pps: float) -> dict[str, Any]:
    frame = bytes(
        Ether(dst=bed.macs[1], src=bed.macs[0])
        / IP(src="198.18.0.1", dst="198.19.0.1")
        / UDP(sport=1025, dport=12)
        / (b"u" * 18)
    )
    return {
        "flags": 3,
        "enabled": True,
        "self_start": True,
        "isg": 0.0,
        "mode": {"type": "continuous", "rate": {"type": "pps", "value": pps}},
        "packet": {"binary": base64.b64encode(frame).decode(), "meta": ""},
        "vm": {"instructions": []},
        "flow_stats": {"enabled": False},
        "next_stream_id": -1,
    }


def _cpu(rpc: RawRpc) -> list[int]:
    """Each port's newest figure (percent)."""
    return [row[0] for row in rpc.ok("get_utilization")["cpu"]]


def test_utilization_follows_the_load(raw_rpc: RawRpc, trex_bed: TrexBed) -> None:
    r = raw_rpc
    handler = r.ok("acquire", port_id=0, user="util", session_id=9, force=True)
    r.ok("stop_traffic", handler=handler, port_id=0)
    r.ok("remove_all_streams", handler=handler, port_id=0)
    stream = _stream(trex_bed, 200_000)
    r.ok("add_stream", handler=handler, port_id=0, stream_id=1, stream=stream)
    time.sleep(2.2)  # two idle samples (one a second)
    idle = _cpu(r)
    r.ok("start_traffic", handler=handler, port_id=0, duration=3.0)
    time.sleep(2.5)
    busy = _cpu(r)
    glob = r.ok("get_global_stats")
    tx = r.ok("get_port_stats", port_id=0)
    r.ok("stop_traffic", handler=handler, port_id=0)
    r.ok("remove_all_streams", handler=handler, port_id=0)
    r.ok("release", handler=handler, port_id=0)
    assert r.ok("get_system_info")["dp_core_count"] == len(idle) == 2
    # idle workers sleep; sending 200 kpps (about 165 kpps here) keeps port 0's TX
    # worker and port 1's RX worker busy (each figure: the port's two workers'
    # CPU time over the last second, in % of two cores)
    assert max(idle) <= 5, idle
    assert busy[0] >= 10, busy
    assert busy[1] >= 4, busy
    assert tx["m_total_tx_pps"] > 50_000
    assert tx["m_cpu_util"] >= 10
    assert glob["m_cpu_util"] >= 7
