"""The real TRex STL client with IPv6 against ``wirespeed server --dut router``:
``conf_ipv6`` after ``set_l3_mode``, the client's IPv6ND service and ``scan6``,
``ping_ip`` across the router, IPv6 flow-stats bursts through it (to the port's
destination in L3 and L2 mode, and to a MAC written in the packet) and captures."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
from trex_bed import ROUTER_MACS, TrexBed

pytestmark = [pytest.mark.netns, pytest.mark.compat, pytest.mark.slow]

ROUTER = ("02:77:73:01:00:01", "02:77:73:01:00:02")
BURST, OTHER = 1000, 200
SRC = ("2001:2:0:1::2", "2001:2:0:2::2")
_FIELDS = ("-e", "eth.src", "-e", "eth.dst", "-e", "ipv6.hlim", "-e", "udp.dstport")


def _tshark(path: Path) -> list[str]:
    out = subprocess.run(
        ["tshark", "-r", str(path), "-T", "fields", "-E", "separator=,", *_FIELDS],
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout.splitlines()


@pytest.fixture(scope="module")
def v6(
    router_trex_bed: TrexBed, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Any]:
    """The scenario's facts (run once for the module's tests)."""
    folder = tmp_path_factory.mktemp("l3v6")
    out = router_trex_bed.client("flow_l3v6", str(folder), timeout_s=240.0)
    return {**out, "folder": folder}


def test_conf_ipv6_keeps_the_resolved_ipv4_gateway(v6: dict[str, Any]) -> None:
    assert v6["ipv6_off"] == [{"enabled": False}] * 2
    for port, (src, gw) in enumerate(
        (("198.18.1.2", "198.18.1.1"), ("198.18.2.2", "198.18.2.1"))
    ):
        assert v6["configured"][port] == {
            "ether": {
                "src": ROUTER_MACS[port],
                "dst": ROUTER[port],
                "state": "configured",
            },
            "ipv4": {"state": "resolved", "src": src, "dst": gw},
            "ipv6": {"enabled": True, "src": SRC[port]},
        }


def test_the_clients_nd_and_scan6_find_the_router(v6: dict[str, Any]) -> None:
    assert v6["nd"] == [
        {"state": "REACHABLE", "mac": ROUTER[0]},
        {"state": "REACHABLE", "mac": ROUTER[1]},
    ]
    assert v6["scan6"] == [
        {"ipv6": "2001:2:0:1::1", "mac": ROUTER[0], "type": "Router"}
    ]


def test_ping_ip_across_the_router(v6: dict[str, Any]) -> None:
    # the router answers with hop limit 64; port 1's answer crossed it once
    assert v6["ping_router"] == [["success", "2001:2:0:1::1", 64]] * 3
    assert v6["ping_port1"] == [["success", SRC[1], 63]] * 3


def test_ipv6_bursts_through_the_router_exact_counts(v6: dict[str, Any]) -> None:
    exact = {
        "opackets": BURST + OTHER,
        "ipackets": BURST + OTHER,
        "pg_tx": BURST,
        "pg_rx": BURST,
    }
    assert v6["l3_run"] == exact
    assert v6["l2_run"] == exact
    # forwarded: the router's MAC as source, port 1's as destination, hop limit 63
    forwarded = [ROUTER[1], ROUTER_MACS[1], SRC[0], SRC[1], 63]
    assert v6["l3_listed"] == {
        "count": BURST + OTHER,
        "rows": [[*forwarded, 9], [*forwarded, 10]],
    }
    assert (
        _tshark(v6["folder"] / "v6.pcap")
        == [f"{ROUTER[1]},{ROUTER_MACS[1]},63,9"] * BURST
    )


def test_l2_mode_keeps_ipv6(v6: dict[str, Any]) -> None:
    assert v6["l2"] == {
        "ether": {"src": ROUTER_MACS[0], "dst": ROUTER[0], "state": "configured"},
        "ipv4": {"state": "none"},
        "ipv6": {"enabled": True, "src": SRC[0]},
    }


def test_the_auto_address_pings_the_routers_link_local(v6: dict[str, Any]) -> None:
    assert v6["auto"] == {"enabled": True, "src": ""}
    assert v6["ping_link_local"] == [["success", "fe80::77:73ff:fe01:1", 64]] * 3
