"""RFC 2544 through the router DUT: the ports resolve their gateways by ARP (and
neighbour discovery), the frames go to the gateway's MAC from the ports' own
addresses, and every frame arrives; an unanswered ARP and a frame above the MTU
are errors naming the port or the field."""

from __future__ import annotations

from collections.abc import Iterator
from ipaddress import ip_address
from typing import Any

import pytest

from wirespeed.client import Chassis
from wirespeed.errors import ConfigError, PortError
from wirespeed.l3 import L3Identity
from wirespeed.rfc2544_suite import SuiteModel, run_suite
from wirespeed.topology.router import ROUTER_SIDES

pytestmark = [pytest.mark.netns]

TRIAL_S = 0.5
# 1 % of a 1 Gb/s line in 128-byte frames for 0.5 s, per flow
FRAMES = round(1e9 * 0.01 / ((128 + 20) * 8) * TRIAL_S)


def _suite(**changes: Any) -> SuiteModel:
    raw = {
        "testbed": {"modules": 1, "dut": "router"},
        "pairs": [{"tx": 0, "rx": 1, "bidirectional": True}],
        "frame_sizes": [128],
        "trial_duration": TRIAL_S,
        "wait": 0.2,
        "resolve_timeout": 1,
        "throughput": {"initial": 1, "min": 0.5, "max": 1, "resolution": 0.5},
        "latency": {"enabled": False},
    }
    return SuiteModel.from_dict({**raw, **changes})


@pytest.fixture(scope="module")
def router() -> Iterator[Chassis]:
    with Chassis.embedded(modules=1, dut="router") as chassis:
        yield chassis


def test_ipv4_both_ways_through_the_router_arrive_whole(router: Chassis) -> None:
    res = run_suite(_suite(), tester=router.tester, testbed=router.testbed)
    assert FRAMES == 4223
    (entry,) = res["throughput"]
    assert entry["rate_pct"] == 1.0
    assert [(t["tx"], t["rx"], t["passed"]) for t in entry["trials"]] == [
        (2 * FRAMES, 2 * FRAMES, True)
    ]
    assert entry["flows"] == [
        {"tx": 0, "rx": 1, "tx_frames": FRAMES, "rx_frames": FRAMES},
        {"tx": 1, "rx": 0, "tx_frames": FRAMES, "rx_frames": FRAMES},
    ]
    # each port sends to the router's side facing it, which its ARP found
    assert [f["dst_mac"] for f in res["flows"]] == [s.mac for s in ROUTER_SIDES]
    for side in ROUTER_SIDES:
        info = router.tester.ports[side.port]
        assert info.neighbor(side.ipv4.ip) == side.mac
    ports = res["testbed"]["ports"]
    assert [(p["ipv4"], p["gateway4"]) for p in ports] == [
        ("198.18.1.2/24", "198.18.1.1"),
        ("198.18.2.2/24", "198.18.2.1"),
    ]
    assert res["testbed"]["dut"] == {"kind": "router", "impair": None, "firewall": []}
    assert res["dut_counters"] == {}


def test_ipv6_through_the_router_goes_to_the_resolved_gateway(router: Chassis) -> None:
    suite = _suite(ip=6, pairs=[{"tx": 0, "rx": 1}])
    res = run_suite(suite, tester=router.tester, testbed=router.testbed)
    (entry,) = res["throughput"]
    assert entry["rate_pct"] == 1.0
    assert entry["flows"] == [
        {"tx": 0, "rx": 1, "tx_frames": FRAMES, "rx_frames": FRAMES}
    ]
    gw6 = ROUTER_SIDES[0].ipv6.ip
    assert res["flows"][0]["dst_mac"] == ROUTER_SIDES[0].mac
    assert router.tester.ports[0].neighbor(gw6) == ROUTER_SIDES[0].mac


def test_an_unanswered_arp_names_the_port(router: Chassis) -> None:
    tester = router.tester
    own = tester.services.l3(0)
    nobody = ip_address("198.18.1.99")
    tester.services.set_l3(
        0, L3Identity.parse(ipv4=own.ipv4, gateway=nobody, ipv6=own.ipv6)
    )
    try:
        with pytest.raises(PortError) as err:
            run_suite(
                _suite(resolve_timeout=0.5), tester=tester, testbed=router.testbed
            )
    finally:
        tester.services.set_l3(0, own)
    assert err.value.port == 0
    assert str(err.value) == "port 0: 198.18.1.99 did not answer ARP within 0.5 s"


def test_a_frame_above_the_mtu_names_its_size(router: Chassis) -> None:
    suite = _suite(frame_sizes=[128, 1518, 1519])
    with pytest.raises(ConfigError) as err:
        run_suite(suite, tester=router.tester, testbed=router.testbed)
    assert err.value.field == "frame_sizes.2"
    assert err.value.reason == (
        "frames of 1519 bytes are above the 1518 bytes allowed (flow 0 -> 1, MTU 1500)"
    )
