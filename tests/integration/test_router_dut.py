"""The router DUT of the embedded test bed, with the kernel stacks of ports 0 and 1
as its hosts (configured here from the ports' identities): it forwards IPv4 and IPv6,
rewrites the MACs, decrements TTL and hop limit, and its firewall rules drop exactly
what they match, as their counters say."""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from scapy.layers.inet import ICMP, IP
from scapy.layers.inet6 import ICMPv6EchoRequest, IPv6
from scapy.layers.l2 import Ether

from wirespeed.client import Chassis
from wirespeed.errors import ConfigError
from wirespeed.profiles import profile_from_dict
from wirespeed.runner import run_profile
from wirespeed.topology.netns import in_netns, netns_exists
from wirespeed.topology.router import Router
from wirespeed.topology.testbed import EmbeddedTestbed, PortSpec

pytestmark = pytest.mark.netns

RULE = "udp dport 9 drop"
ETH_P_ALL = 3


@dataclass
class Bed:
    bed: EmbeddedTestbed
    router: Router
    p0: PortSpec
    p1: PortSpec


def _sh(ns: str, *args: str) -> None:
    subprocess.run(["ip", "netns", "exec", ns, *args], check=True, capture_output=True)


def _host_stack(port: PortSpec) -> None:
    """Give the port's namespace a kernel stack with the port's identity."""
    ns, dev, l3 = port.netns, port.interface, port.l3
    assert ns is not None
    assert l3.ipv4 is not None
    assert l3.ipv6 is not None
    for key in ("all", "default", dev):
        _sh(ns, "sysctl", "-qw", f"net.ipv6.conf.{key}.disable_ipv6=0")
        _sh(ns, "sysctl", "-qw", f"net.ipv6.conf.{key}.accept_dad=0")
    _sh(ns, "ip", "addr", "add", str(l3.ipv4), "dev", dev)
    _sh(ns, "ip", "route", "add", "default", "via", str(l3.gateway4))
    _sh(ns, "ip", "-6", "addr", "add", str(l3.ipv6), "dev", dev, "nodad")
    _sh(ns, "ip", "-6", "route", "add", "default", "via", str(l3.gateway6))


@pytest.fixture(scope="module")
def bed() -> Iterator[Bed]:
    tb = EmbeddedTestbed(modules=1, dut="router", firewall=(RULE,))
    config = tb.start()
    try:
        assert tb.router is not None
        p0, p1 = config.ports
        for port in (p0, p1):
            _host_stack(port)
        yield Bed(tb, tb.router, p0, p1)
    finally:
        tb.close()
    assert not netns_exists(tb.router.netns)


def _capture(port: PortSpec) -> socket.socket:
    """A raw socket on the port seeing every frame it receives."""
    with in_netns(port.netns):
        sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    sock.bind((port.interface, 0))
    sock.settimeout(2.0)
    return sock


def _received(sock: socket.socket, want: type, count: int) -> list[Ether]:
    """The first ``count`` frames received (not sent) that carry ``want``."""
    out: list[Ether] = []
    while len(out) < count:
        data, addr = sock.recvfrom(65535)
        frame = Ether(data)
        if addr[2] == socket.PACKET_HOST and want in frame:
            out.append(frame)
    return out


def _ping(port: PortSpec, family: socket.AddressFamily, dst: str) -> bytes:
    """One echo request from the port's stack with TTL/hop limit 64; the reply."""
    is_v4 = family == socket.AF_INET
    proto = socket.IPPROTO_ICMP if is_v4 else socket.IPPROTO_ICMPV6
    with in_netns(port.netns):
        sock = socket.socket(family, socket.SOCK_RAW, proto)
    with sock:
        sock.settimeout(2.0)
        if is_v4:
            sock.setsockopt(socket.IPPROTO_IP, socket.IP_TTL, 64)
            req = bytes(ICMP(type=8, id=0x77, seq=1) / b"wirespeed")
        else:
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_UNICAST_HOPS, 64)
            req = bytes([128, 0, 0, 0, 0, 0x77, 0, 1]) + b"wirespeed"  # csum by kernel
        sock.sendto(req, (dst, 0))
        while True:
            data = sock.recv(2048)
            icmp = data[(data[0] & 0xF) * 4 :] if is_v4 else data
            if icmp[0] == (0 if is_v4 else 129):
                return icmp


def test_ports_get_the_addresses_around_the_router(bed: Bed) -> None:
    assert (bed.p0.l3.describe(), bed.p1.l3.describe()) == (
        "198.18.1.2/24 via 198.18.1.1, 2001:2:0:1::2/64 via 2001:2:0:1::1",
        "198.18.2.2/24 via 198.18.2.1, 2001:2:0:2::2/64 via 2001:2:0:2::1",
    )
    assert [(s.ifname, s.mac) for s in bed.router.sides] == [
        ("d0", "02:77:73:01:00:01"),
        ("d1", "02:77:73:01:00:02"),
    ]
    assert bed.router.netns == bed.bed.dut_netns == bed.bed.lab.netns_name("dut")


def test_ipv4_ping_is_routed(bed: Bed) -> None:
    with _capture(bed.p1) as cap:
        reply = _ping(bed.p0, socket.AF_INET, "198.18.2.2")
        (frame,) = _received(cap, ICMP, 1)
    assert reply[8:] == b"wirespeed"
    assert (frame.src, frame.dst) == (bed.router.side(1).mac, bed.p1.mac)
    assert (frame[IP].src, frame[IP].dst, frame[IP].ttl) == (
        "198.18.1.2",
        "198.18.2.2",
        63,
    )
    assert (frame[ICMP].type, frame[ICMP].id) == (8, 0x77)


def test_ipv6_ping_is_routed(bed: Bed) -> None:
    with _capture(bed.p1) as cap:
        reply = _ping(bed.p0, socket.AF_INET6, "2001:2:0:2::2")
        (frame,) = _received(cap, ICMPv6EchoRequest, 1)
    assert reply[8:] == b"wirespeed"
    assert (frame.src, frame.dst) == (bed.router.side(1).mac, bed.p1.mac)
    assert (frame[IPv6].src, frame[IPv6].dst, frame[IPv6].hlim) == (
        "2001:2:0:1::2",
        "2001:2:0:2::2",
        63,
    )
    assert frame[ICMPv6EchoRequest].id == 0x77


def _udp(port: PortSpec, family: socket.AddressFamily) -> socket.socket:
    with in_netns(port.netns):
        return socket.socket(family, socket.SOCK_DGRAM)


def test_firewall_drops_exactly_what_its_rule_matches(bed: Bed) -> None:
    plan = [  # (family, destination, frames to port 9, frames to port 10)
        (socket.AF_INET, "198.18.2.2", 5, 4),
        (socket.AF_INET6, "2001:2:0:2::2", 3, 2),
    ]
    assert bed.bed.dut_counters() == {RULE: 0}
    got: list[bytes] = []
    for family, dst, to_9, to_10 in plan:
        with (
            _udp(bed.p1, family) as rx9,
            _udp(bed.p1, family) as rx10,
            _udp(bed.p0, family) as tx,
        ):
            rx9.bind((dst, 9))
            rx10.bind((dst, 10))
            rx10.settimeout(2.0)
            for i in range(to_9):
                tx.sendto(b"nine %d" % i, (dst, 9))
            for i in range(to_10):
                tx.sendto(b"ten %d" % i, (dst, 10))
            got += [rx10.recv(100) for _ in range(to_10)]
            rx9.setblocking(False)
            with pytest.raises(BlockingIOError):
                rx9.recv(100)
    assert got == [b"ten 0", b"ten 1", b"ten 2", b"ten 3", b"ten 0", b"ten 1"]
    deadline = time.monotonic() + 2.0
    while bed.bed.dut_counters()[RULE] < 8 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert bed.bed.dut_counters() == {RULE: 8}


def test_a_bad_rule_is_refused_with_nfts_message_before_anything_is_built() -> None:
    tb = EmbeddedTestbed(modules=1, dut="router", firewall=("udp dprot 9 drop",))
    with pytest.raises(ConfigError) as err:
        tb.start()
    assert err.value.field == "firewall"
    assert err.value.reason.startswith("rule 0 'udp dprot 9 drop': Error: syntax error")
    assert not netns_exists(tb.lab.netns_name("p0"))
    assert tb.config is None


def test_a_router_without_firewall_counts_nothing() -> None:
    tb = EmbeddedTestbed(modules=1, dut="router")
    tb.start()
    try:
        assert tb.dut_counters() == {}
        assert tb.impair_mechanism == "router"
    finally:
        tb.close()


def test_chassis_embedded_with_the_router() -> None:
    with Chassis.embedded(modules=2, dut="router", firewall=[RULE]) as c:
        assert c.testbed is not None
        assert c.testbed.router is not None
        router_ns = c.testbed.router.netns
        assert c.testbed.dut_counters() == {RULE: 0}
        assert [p.spec.l3.describe() for p in c.tester.ports] == [
            "198.18.1.2/24 via 198.18.1.1, 2001:2:0:1::2/64 via 2001:2:0:1::1",
            "198.18.2.2/24 via 198.18.2.1, 2001:2:0:2::2/64 via 2001:2:0:2::1",
            "198.18.3.1/24, 2001:2:0:3::1/64",
            "198.18.3.2/24, 2001:2:0:3::2/64",
        ]
    assert not netns_exists(router_ns)


def test_a_profile_run_reports_the_router_and_its_firewall_counts() -> None:
    profile = profile_from_dict(
        {
            "testbed": {"modules": 1, "dut": "router", "firewall": [RULE]},
            "duration": 2,  # an upper bound: the burst ends the run
            "cooldown": 0.2,
            "streams": [
                {
                    "port": 0,
                    "header": [
                        {"Ether": {"dst": "02:77:73:01:00:01"}},
                        {"IP": {"src": "198.18.1.2", "dst": "198.18.2.2"}},
                        {"UDP": {"sport": 1025, "dport": 9}},
                    ],
                    "rate": {"pps": 10000},
                    "length": {"type": "fixed", "min": 128},
                    "mode": {"type": "single_burst", "total_pkts": 500},
                    "tpld_id": 0,
                }
            ],
        }
    )
    results = run_profile(profile)
    assert results["ports"]["0"]["tx_packets"] == 500
    assert results["ports"]["1"]["rx_packets"] == 0
    assert results["dut"] == {
        "mechanism": "router",
        "counters": {RULE: 500},
        "router": Router(results["dut"]["router"]["netns"]).to_dict(),
    }
    assert not netns_exists(results["dut"]["router"]["netns"])
