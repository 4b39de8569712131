"""L3 test ports through the router DUT, from the API: resolution, answering while
receiving at full rate, streams to the resolved MAC, single frames, captures.

One test bed for the module: ports 0 and 1 behind the router (198.18.1.0/24 and
198.18.2.0/24, 2001:2:0:1::/64 and 2001:2:0:2::/64), a firewall rule dropping UDP
port 9; ports 2 and 3 back to back on 198.18.3.0/24.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from embedded import DRIVERS  # type: ignore[import-not-found]
from scapy.layers.inet import IP, UDP
from scapy.layers.inet6 import IPv6
from scapy.layers.l2 import Ether

from wirespeed.client import Chassis, Port
from wirespeed.errors import ConfigError, PortError
from wirespeed.model import FrameLength

pytestmark = [pytest.mark.netns, pytest.mark.slow]

R0_MAC = "02:77:73:01:00:01"  # the router's side towards port 0
R1_MAC = "02:77:73:01:00:02"  # ... towards port 1
DROP = "udp dport 9 drop"


@pytest.fixture(scope="module", params=DRIVERS)
def chassis(request: pytest.FixtureRequest) -> Iterator[Chassis]:
    with Chassis.embedded(
        modules=2, dut="router", firewall=[DROP], driver=request.param
    ) as c:
        for p in c.ports:
            p.reserve(force=True)
        yield c


@pytest.fixture
def ports(chassis: Chassis) -> list[Port]:
    for p in chassis.ports:
        p.reset()
    return chassis.ports


def _router_ns(chassis: Chassis) -> str:  # the router DUT's namespace
    bed = chassis.testbed
    assert bed is not None
    assert bed.router is not None
    return bed.router.netns


def _tshark(path: Path, *fields: str) -> list[list[str]]:
    out = subprocess.run(
        [
            "tshark",
            "-r",
            str(path),
            "-T",
            "fields",
            *(a for f in fields for a in ("-e", f)),
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return [line.split("\t") for line in out.splitlines()]


def test_gateways_resolve_to_the_routers_macs(ports: list[Port]) -> None:
    assert ports[0].resolve() == R0_MAC
    assert ports[0].resolve("2001:2:0:1::1") == R0_MAC
    assert ports[1].resolve() == R1_MAC
    table = dict((str(a), m) for a, m in ports[0].arp_table())
    assert table["198.18.1.1"] == R0_MAC
    assert table["2001:2:0:1::1"] == R0_MAC


def test_an_address_nobody_has_fails_with_a_clear_error(ports: list[Port]) -> None:
    with pytest.raises(PortError) as err:
        ports[0].resolve("198.18.1.77", timeout_s=0.5)
    assert str(err.value) == "198.18.1.77 did not answer ARP on port 0 within 0.5 s"


def test_pings_through_the_router(ports: list[Port]) -> None:
    for dst in ("198.18.2.2", "2001:2:0:2::2"):
        replies = ports[0].ping(dst, count=3, interval_s=0.05)
        assert [(r.seq, r.status, str(r.src), r.ttl) for r in replies] == [
            (i, "success", dst, 63) for i in (1, 2, 3)
        ]
        assert all(0 < r.rtt_ns < 1_000_000_000 for r in replies)


@pytest.mark.parametrize(
    ("ip", "ttl_field"),
    [
        (IP(src="198.18.1.2", dst="198.18.2.2", ttl=64), "ip.ttl"),
        (IPv6(src="2001:2:0:1::2", dst="2001:2:0:2::2", hlim=64), "ipv6.hlim"),
    ],
)
def test_streams_to_the_resolved_mac_cross_the_router_exactly(
    chassis: Chassis, ports: list[Port], tmp_path: Path, ip: object, ttl_field: str
) -> None:
    p0, p1 = ports[0], ports[1]
    p0.resolve("198.18.1.1" if ttl_field == "ip.ttl" else "2001:2:0:1::1")
    for tid, dport, count in ((1, 10, 1000), (2, 9, 700)):
        p0.streams.create(
            header=Ether() / ip / UDP(sport=1025, dport=dport),
            rate_pps=20_000,
            length=FrameLength.fixed(128),
            tpld_id=tid,
            packet_limit=count,
            dst_mac="auto",
        )
    before = chassis.testbed.dut_counters()[DROP]  # type: ignore[union-attr]
    p0.clear_counters()
    p1.clear_counters()
    with p1.capture(filter="udp", limit=5000, path=tmp_path / "p1.pcapng") as cap:
        chassis.traffic([p0], duration_s=2.0)
        time.sleep(0.3)
    t1 = p1.tpld_statistics(1)
    assert t1 is not None
    assert (t1.packets, t1.lost) == (1000, 0)
    assert p1.tpld_statistics(2) is None  # every port-9 frame dropped by the DUT
    assert chassis.testbed.dut_counters()[DROP] - before == 700  # type: ignore[union-attr]
    st = p0.statistics()  # the router's neighbour probes are answered meanwhile
    assert st.tx_packets - st.service_tx_packets == 1700
    rows = _tshark(cap.path, "eth.src", "eth.dst", ttl_field, "udp.dstport")
    assert rows == [[R1_MAC, p1.info.mac, "63", "10"]] * 1000


def test_the_router_is_answered_while_the_port_receives_flat_out(
    chassis: Chassis, ports: list[Port]
) -> None:
    p0, p1 = ports[0], ports[1]
    # port 1 gets the router's pings while port 0 floods it through the router
    p0.resolve()
    p0.streams.create(
        header=Ether() / IP(src="198.18.1.2", dst="198.18.2.2") / UDP(dport=10),
        rate_percent=100,
        length=FrameLength.fixed(70),
        tpld_id=3,
        dst_mac="auto",
    )
    before = p1.service_counters()
    chassis.start([p0])
    try:
        time.sleep(0.3)
        ns = _router_ns(chassis)
        for dst in ("198.18.2.2", "2001:2:0:2::2"):
            res = subprocess.run(
                [
                    "ip",
                    "netns",
                    "exec",
                    ns,
                    "ping",
                    "-c",
                    "5",
                    "-i",
                    "0.1",
                    "-W",
                    "1",
                    dst,
                ],
                capture_output=True,
                text=True,
                check=False,
                timeout=20,
            )
            assert " 5 received" in res.stdout, res.stdout
        assert p1.statistics().rx_pps > 10_000  # it was receiving meanwhile
    finally:
        chassis.stop([p0])
    after = p1.service_counters()
    for name in ("ping_requests_rx", "ping_replies_tx", "ping6_requests_rx",
                 "ping6_replies_tx"):  # fmt: skip
        assert after[name] - before[name] == 5, name
    assert p1.tpld_ids() == [3]  # service frames never in the TPLD statistics


def test_single_frames_count_as_tx(chassis: Chassis, ports: list[Port]) -> None:
    p2, p3 = ports[2], ports[3]
    p2.clear_counters()
    p3.clear_counters()
    frame = bytes(
        Ether(src=p2.info.mac, dst=p3.info.mac)
        / IP(src="198.18.3.1", dst="198.18.3.2")
        / UDP(dport=7)
    )
    sent = p2.send_frames([frame] * 5)
    assert (sent.count, sent.bytes) == (5, 5 * 64)
    time.sleep(0.2)
    assert p2.statistics().tx_packets == 5
    assert p2.service_counters()["single_packets"] >= 5
    assert p3.statistics().rx_packets == 5


def test_a_capture_holds_exactly_the_frames_in_both_directions(
    chassis: Chassis, ports: list[Port], tmp_path: Path
) -> None:
    p2, p3 = ports[2], ports[3]
    p2.resolve("198.18.3.2")
    p3.resolve("198.18.3.1")
    flows = (
        (p2, "198.18.3.1", "198.18.3.2", 400),
        (p3, "198.18.3.2", "198.18.3.1", 300),
    )
    for port, src, dst, n in flows:
        for dport, count in ((9, n), (10, 50)):
            port.streams.create(
                header=Ether() / IP(src=src, dst=dst) / UDP(dport=dport),
                rate_pps=10_000,
                length=FrameLength.fixed(100),
                tpld_id=5 if dport == 9 else -1,
                packet_limit=count,
                dst_mac="auto",
            )
    path = tmp_path / "p2.pcapng"
    with p2.capture(filter="udp and dst port 9", path=path) as cap:
        chassis.traffic([p2, p3], duration_s=2.0)
        time.sleep(0.3)
    assert (cap.stats.frames, cap.stats.missed) == (700, 0)
    rows = _tshark(
        path, "frame.len", "udp.dstport", "ip.src", "frame.packet_flags_direction"
    )
    inbound = [r for r in rows if r[2] == "198.18.3.2"]
    outbound = [r for r in rows if r[2] == "198.18.3.1"]
    assert len(inbound) == 300
    assert len(outbound) == 400
    assert {tuple(r[:2]) for r in rows} == {("96", "9")}
    assert {r[3] for r in inbound} == {"0x00000001"}  # inbound
    assert {r[3] for r in outbound} == {"0x00000002"}  # outbound


def test_a_bad_filter_names_libpcaps_complaint(ports: list[Port]) -> None:
    with pytest.raises(ConfigError) as err:
        ports[0].capture(filter="udp and dst prot 9")
    assert (err.value.field, err.value.reason) == ("filter", "unknown host 'prot'")


def _svc_pid(port: Port) -> int:
    spec = port.info.spec
    res = subprocess.run(
        [
            "pgrep",
            "-f",
            f"worker_main svc --netns {spec.netns} --ifname {spec.interface}",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    (pid,) = res.stdout.split()
    return int(pid)


def test_a_killed_service_worker_comes_back_with_the_ports_addresses(
    ports: list[Port], tmp_path: Path
) -> None:
    p0, p1 = ports[0], ports[1]
    cap = p1.capture(filter="icmp", path=tmp_path / "lost.pcapng")
    old = _svc_pid(p1)
    os.kill(old, signal.SIGKILL)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        with contextlib.suppress(subprocess.CalledProcessError, ValueError):
            if _svc_pid(p1) != old:
                break
        time.sleep(0.05)
    assert _svc_pid(p1) != old
    time.sleep(0.5)  # the identity reaches the new worker
    replies = p0.ping("198.18.2.2", count=2, interval_s=0.05)
    assert [r.status for r in replies] == ["success", "success"]
    assert p1.resolve() == R1_MAC
    stats = cap.stats
    assert stats.done
    assert stats.error is not None
    assert "the service worker died" in stats.error


def test_a_capture_at_full_rate_changes_no_count(
    chassis: Chassis, ports: list[Port], tmp_path: Path
) -> None:
    p2, p3 = ports[2], ports[3]
    p2.resolve("198.18.3.2")
    frames = 100_000
    p2.streams.create(
        header=Ether() / IP(src="198.18.3.1", dst="198.18.3.2") / UDP(dport=9),
        rate_percent=100,
        length=FrameLength.fixed(128),
        tpld_id=6,
        packet_limit=frames,
        dst_mac="auto",
    )
    p2.clear_counters()
    p3.clear_counters()
    with p3.capture(
        filter="udp", limit=1_000_000, path=tmp_path / "full.pcapng"
    ) as cap:
        chassis.traffic([p2], duration_s=10.0)
        time.sleep(0.5)
    st = p3.tpld_statistics(6)
    assert st is not None
    assert (p2.statistics().tx_packets, st.packets, st.lost) == (frames, frames, 0)
    kept, missed = cap.stats.frames, cap.stats.missed
    assert kept + missed == frames  # what it could not keep, it says
    assert len(cap.frames()) == kept
