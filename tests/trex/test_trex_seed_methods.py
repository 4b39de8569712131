"""The seed document's methods and objects on a real server (bare JSON-RPC)."""

from __future__ import annotations

import time
from typing import Any

import pytest
from scapy.layers.inet import IP, UDP
from scapy.layers.l2 import Ether
from trex_bed import RawRpc, TrexBed

pytestmark = [pytest.mark.netns, pytest.mark.compat]

SEED_CMDS = {
    "start_traffic",
    "get_all_streams",
    "get_stream",
    "stop_traffic",
    "get_utilization",
    "release",
    "api_sync",
    "get_port_status",
    "get_port_stats",
    "publish_now",
    "get_system_info",
    "get_supported_cmds",
    "get_version",
    "get_port_xstats_names",
    "update_traffic",
    "get_active_pgids",
    "pause_traffic",
    "get_owner",
    "acquire",
    "set_port_attr",
    "get_port_xstats_values",
    "remove_rx_filters",
    "resume_traffic",
    "add_stream",
    "remove_stream",
    "remove_all_streams",
    "ping",
    "get_stream_list",
}


def _wait_finished(rpc: RawRpc, session: int, port: int) -> list[int]:
    """Fetch events until the port's job is reported finished (type 14)."""
    seen: list[int] = []
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        for ev in rpc.ok("get_async_events", session_id=session, user="sub")["data"]:
            seen.append(ev["type"])
            if ev["type"] == 14 and ev["data"]["port_id"] == port:
                return seen
        time.sleep(0.02)
    raise AssertionError(f"no finished event, got {seen}")


def _xstat(rpc: RawRpc, port: int, name: str) -> int:
    names = rpc.ok("get_port_xstats_names", port_id=port)["xstats_names"]
    values = rpc.ok("get_port_xstats_values", port_id=port)["xstats_values"]
    assert len(names) == len(values)
    return int(dict(zip(names, values, strict=True))[name])


def test_seed_flow(raw_rpc: RawRpc, trex_bed: TrexBed) -> None:
    r = raw_rpc
    assert r.ok("api_sync", api_vers=[{"type": "core", "major": 1, "minor": 0}]) == {
        "api_vers": [{"type": "core", "api_h": r.api_h}]
    }
    assert abs(r.ok("ping")["ts"] - time.time()) < 5
    assert set(r.ok("get_supported_cmds")) >= SEED_CMDS
    assert r.ok("get_version")["mode"] == "STL"
    assert r.ok("get_system_info")["port_count"] == 2
    r.ok("get_async_events", session_id=77, user="sub")  # start the session
    handler = r.ok("Acquire", port_id=0, user="itay", force=True)
    assert r.ok("get_owner", port_id=0) == {"owner": "itay"}
    r.ok("stop_traffic", handler=handler, port_id=0)  # what earlier users left
    r.ok("remove_all_streams", handler=handler, port_id=0)
    frame = bytes(
        Ether() / IP(src="198.18.0.1", dst="198.19.0.1") / UDP() / (b"z" * 58)
    )
    stream: dict[str, Any] = {
        "enabled": True,
        "isg": 4.3,
        "self_start": True,
        "next_stream_id": -1,
        "mode": {
            "rate": {"type": "pps", "value": 1000},
            "total_pkts": 100,
            "type": "single_burst",
        },
        "packet": {"binary": list(frame), "meta": ""},
        "rx_stats": {
            "enabled": True,
            "stream_id": 9,
            "seq_enabled": True,
            "latency_enabled": True,
        },
        "vm": [],
    }
    assert (
        r.ok("add_stream", handler=handler, port_id=0, stream_id=502, stream=stream)
        == {}
    )
    assert r.ok("get_stream_list", port_id=0) == [502]
    assert r.ok("get_stream", port_id=0, stream_id=502) == {"stream": stream}
    assert r.ok("get_all_streams", port_id=0)["streams"] == {"502": stream}
    before = r.ok("get_port_stats", port_id=0)
    rx_before = r.ok("get_port_stats", port_id=1)
    kernel_before = _xstat(r, 1, "rx_packets")
    assert r.ok("start_traffic", handler=handler, port_id=0, core_mask=0xFF) == {}
    assert _wait_finished(r, 77, 0)[-3:] == [0, 10, 14]
    after = r.ok("get_port_stats", port_id=0)
    rx_after = r.ok("get_port_stats", port_id=1)
    assert after["total_tx_pkts"] - before["total_tx_pkts"] == 100
    assert after["opackets"] - before["opackets"] == 100
    assert after["obytes"] - before["obytes"] == 100 * 104
    assert rx_after["ipackets"] - rx_before["ipackets"] == 100
    assert _xstat(r, 1, "rx_packets") - kernel_before == 100
    sstats = r.ok("get_stream_stats", port_id=0, stream_id=502)
    assert (sstats["total_tx_pkts"], sstats["total_rx_pkts"]) == (100, 100)
    assert (sstats["total_tx_bytes"], sstats["total_rx_bytes"]) == (10400, 10400)
    assert 0 < sstats["latency"][0] <= sstats["latency"][1] + 1
    glob = r.ok("get_global_stats")
    assert glob["state"] == "owned"
    assert glob["total_tx_pkts"] >= 100
    util = r.ok("get_utilization")
    assert len(util["cpu"]) == 2
    assert all(0 <= v <= 100 for row in util["cpu"] for v in row)
    assert (
        r.ok(
            "set_port_attr",
            handler=handler,
            port_id=0,
            attr={"promiscuous": {"enabled": True}},
        )
        == {}
    )
    # a plain (uncompressed) request is answered too
    assert "result" in r.call("get_port_status", compress=False, port_id=0)
    assert r.ok("remove_rx_filters", handler=handler, port_id=0) == {}
    assert r.ok("remove_stream", handler=handler, port_id=0, stream_id=502) == {}
    assert r.ok("remove_all_streams", handler=handler, port_id=0) == {}
    # another user takes the port: the old handler is refused with a clear error
    r.ok("acquire", port_id=0, user="other", session_id=5, force=True)
    refused = r.call(
        "add_stream", handler=handler, port_id=0, stream_id=1, stream=stream
    )["error"]
    assert (refused["code"], refused["specific_err"]) == (
        -32000,
        "add_stream: port 0 is owned by 'other', not by this session",
    )
    events = r.ok("get_async_events", session_id=77, user="sub")["data"]
    assert {"port_id": 0, "who": "other", "session_id": 5, "force": True} in [
        e["data"] for e in events if e["type"] == 5
    ]
