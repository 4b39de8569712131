"""The real TRex STL client in L3 mode against ``wirespeed server --dut router``:
resolution with its own services (capture + push_pkts), ping, bursts through the
router, and captures fetched, saved as pcap and taken with the console."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from trex_bed import ROUTER_MACS, TrexBed

pytestmark = [pytest.mark.netns, pytest.mark.compat, pytest.mark.slow]

ROUTER = ("02:77:73:01:00:01", "02:77:73:01:00:02")
BURST, OTHER = 1000, 200
_FIELDS = ("-e", "eth.src", "-e", "eth.dst", "-e", "ip.ttl", "-e", "udp.dstport")


def _tshark(path: Path) -> list[str]:
    out = subprocess.run(
        ["tshark", "-r", str(path), "-T", "fields", "-E", "separator=,", *_FIELDS],
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout.splitlines()


def test_l3_mode_through_the_router(router_trex_bed: TrexBed, tmp_path: Path) -> None:
    out = router_trex_bed.client("flow_l3", str(tmp_path), timeout_s=240.0)
    # the router bed's ports start in L3 mode, their gateways not resolved yet
    for port, (src, gw) in enumerate(
        (("198.18.1.2", "198.18.1.1"), ("198.18.2.2", "198.18.2.1"))
    ):
        assert out["initial"][port]["ipv4"] == {
            "state": "unresolved",
            "src": src,
            "dst": gw,
        }
        assert out["initial"][port]["ether"]["src"] == ROUTER_MACS[port]
        assert out["resolved"][port] == {
            "ether": {
                "src": ROUTER_MACS[port],
                "dst": ROUTER[port],
                "state": "configured",
            },
            "ipv4": {"state": "resolved", "src": src, "dst": gw},
            "ipv6": {"enabled": True, "src": f"2001:2:0:{port + 1}::2"},
        }
    # port 1 answers; the router decrements the TTL of the reply
    assert out["ping"] == [[True, "198.18.2.2", 63]] * 3
    both = {"opackets": BURST + OTHER, "ipackets": BURST + OTHER}
    for run in ("listed_run", "pcap_run", "console_run", "monitor_run"):
        assert out[run] == {**both, "pg_tx": BURST, "pg_rx": BURST}, run
    # forwarded: the router's MAC as source, port 1's as destination, TTL 63
    assert out["listed"] == {
        "count": BURST + OTHER,
        "rows": [
            [ROUTER[1], ROUTER_MACS[1], 63, 9, 1, "RX"],
            [ROUTER[1], ROUTER_MACS[1], 63, 10, 1, "RX"],
        ],
        "indices_in_order": True,
        "ts_in_order": True,
    }
    forwarded = f"{ROUTER[1]},{ROUTER_MACS[1]},63"
    assert _tshark(tmp_path / "client.pcap") == [f"{forwarded},9"] * BURST
    console = _tshark(tmp_path / "console.pcap")
    assert len(console) == BURST + OTHER
    assert sorted(set(console)) == [f"{forwarded},10", f"{forwarded},9"]
    # the monitor fetched (10 frames every 0.5 s) what its cyclic buffer kept
    assert out["monitor"]["listed"] is True
    assert 10 <= out["monitor"]["seen"] <= 100, out["monitor"]
    assert out["bad_filter"].startswith("capture: filter: "), out["bad_filter"]
    assert out["captures_left"] == []
    assert out["still_serving"] == "UP"
