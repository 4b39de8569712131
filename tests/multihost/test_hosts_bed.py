"""The three-host bed: each daemon serves its own cabled ports, answers over the
control network from the root namespace, and everything goes away afterwards."""

from __future__ import annotations

import json
import re
import socket
import time
import urllib.request
from pathlib import Path

import pytest
from hosts_bed import (  # type: ignore[import-not-found]
    CABLES,
    HOSTS,
    HTTP_PORT,
    HostsBed,
    hosts_bed,
)

from wirespeed.topology.netns import LAB_DIR, in_netns, netns_exists
from wirespeed.topology.testbed import PortSpec

pytestmark = pytest.mark.netns

# only what these tests need, so three daemons start quickly on two CPUs
FRONT_ENDS_OFF = ("--no-frontend", "otg", "--no-frontend", "xoa",
                  "--no-frontend", "xena-cli", "--no-frontend", "trex")  # fmt: skip
ETHERTYPE = b"\x88\xb5"  # IEEE local experimental: nothing else sends it
FRAMES = 3


def _get(url: str) -> object:
    with urllib.request.urlopen(url, timeout=10) as r:
        return json.loads(r.read())


def _mac_bytes(mac: str) -> bytes:
    return bytes.fromhex(mac.replace(":", ""))


def _send(port: PortSpec, dst_mac: str, count: int) -> None:
    """``count`` raw frames out of ``port``'s interface, from its namespace."""
    with in_netns(port.netns), socket.socket(socket.AF_PACKET, socket.SOCK_RAW) as s:
        s.bind((port.interface, 0))
        src = s.getsockname()[4]
        assert port.mac is not None
        assert src == _mac_bytes(port.mac)  # the link has the ports file's MAC
        frame = _mac_bytes(dst_mac) + src + ETHERTYPE + bytes(46)
        for _ in range(count):
            s.send(frame)


def _rx_packets(bed: HostsBed, host: str, port: int) -> int:
    view = _get(f"{bed.hosts[host].http_url}api/ports/{port}")
    assert isinstance(view, dict)
    return int(view["counters"]["rx_packets"])


def _wait_rx(bed: HostsBed, host: str, port: int, want: int) -> int:
    deadline = time.monotonic() + 15
    got = _rx_packets(bed, host, port)
    while got != want and time.monotonic() < deadline:
        time.sleep(0.1)
        got = _rx_packets(bed, host, port)
    return got


def _macs(bed: HostsBed) -> dict[tuple[str, int], str]:
    out = {}
    for name in HOSTS:
        chassis = _get(f"{bed.hosts[name].http_url}api/chassis")
        assert isinstance(chassis, dict)
        for i, p in enumerate(chassis["ports"]):
            out[name, i] = p["mac"]
    return out


def test_three_daemons_serve_their_cabled_ports(tmp_path: Path) -> None:
    with hosts_bed(tmp_path, *FRONT_ENDS_OFF) as bed:
        assert sorted(bed.hosts) == ["hostA", "hostB", "hostC"]
        net = bed.subnet.rsplit(".", 1)[0]
        assert [h.address for h in bed.hosts.values()] == [
            f"{net}.1",
            f"{net}.2",
            f"{net}.3",
        ]
        assert bed.root_address == f"{net}.254"
        for name, host in bed.hosts.items():
            index = _get(host.http_url + "api")
            assert isinstance(index, dict)
            assert "/api/chassis" in str(index["endpoints"])
            # the ports file names exactly this host's two ports, each in its
            # own namespace, and the daemon serves those
            letter = name[-1].lower()
            assert [(p.interface, p.speed_bps) for p in host.ports] == [
                (f"{letter}0", 1_000_000_000), (f"{letter}1", 1_000_000_000),
            ]  # fmt: skip
            assert all(netns_exists(p.netns or "") for p in host.ports)
            chassis = _get(host.http_url + "api/chassis")
            assert isinstance(chassis, dict)
            assert [p["name"] for p in chassis["ports"]] == [
                f"{p.netns}/{p.interface}" for p in host.ports
            ]
            # real TCP over the control veth, not loopback
            with socket.create_connection((host.address, HTTP_PORT), timeout=10) as s:
                assert s.getsockname()[0] == bed.root_address
        # the hosts reach each other
        a, b = bed.hosts["hostA"], bed.hosts["hostB"]
        with (
            in_netns(a.netns),
            socket.create_connection((b.address, HTTP_PORT), 10) as s,
        ):
            assert s.getsockname()[0] == a.address

        macs = _macs(bed)
        assert macs == {
            (h, i): p.mac
            for h, host in bed.hosts.items()
            for i, p in enumerate(host.ports)
        }
        assert len(set(macs.values())) == 6
        sent: dict[tuple[str, int], int] = {}
        for n, (src, dst) in enumerate(CABLES):  # 3, 4, 5 frames: each cable its own
            count = FRAMES + n
            _send(bed.hosts[src[0]].ports[src[1]], macs[dst], count)
            sent[dst] = count
        for end in macs:
            assert _wait_rx(bed, *end, sent.get(end, 0)) == sent.get(end, 0), end
        assert sent == {("hostB", 0): 3, ("hostC", 0): 4, ("hostA", 1): 5}
        assert bed.cables[("hostA", 1)] == ("hostC", 1)
        for host in bed.hosts.values():
            assert host.is_running(), host.log_text()
    # SIGTERM stopped each daemon cleanly
    assert [h.proc.returncode for h in bed.hosts.values() if h.proc] == [0, 0, 0]


def _bed_objects(bed: HostsBed) -> tuple[list[str], list[int]]:
    names = [h.netns for h in bed.hosts.values()]
    names += [p.netns or "" for h in bed.hosts.values() for p in h.ports]
    pids = [h.pid for h in bed.hosts.values()]
    for h in bed.hosts.values():  # and their workers
        pids += [int(p) for p in re.findall(r"worker pid (\d+)", h.log_text())]
    return names, pids


def _alive(pid: int) -> bool:
    return (
        Path(f"/proc/{pid}").exists()
        and "zombie" not in Path(f"/proc/{pid}/status").read_text()
    )


def test_a_host_killed_and_a_failing_test_leave_nothing(tmp_path: Path) -> None:
    labs_before = set(LAB_DIR.glob("mh*.json"))
    failing = pytest.raises(RuntimeError, match="the test failed")
    with failing, hosts_bed(tmp_path, *FRONT_ENDS_OFF) as bed:
        namespaces, pids = _bed_objects(bed)
        assert len(pids) == 3 + 3 * 4  # a daemon, a TX and an RX worker per port
        root_if = f"{namespaces[0].split('-')[0]}c"
        assert Path(f"/sys/class/net/{root_if}").exists()
        assert bed.kill("hostB") == -9
        assert not bed.hosts["hostB"].is_running()
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection((bed.hosts["hostB"].address, HTTP_PORT), 10)
        for name in ("hostA", "hostC"):
            chassis = _get(bed.hosts[name].http_url + "api/chassis")
            assert isinstance(chassis, dict)
            assert len(chassis["ports"]) == 2
        raise RuntimeError("the test failed")
    assert [ns for ns in namespaces if netns_exists(ns)] == []
    assert not Path(f"/sys/class/net/{root_if}").exists()
    assert [pid for pid in pids if _alive(pid)] == []
    assert set(LAB_DIR.glob("mh*.json")) <= labs_before
    assert "stopped on an error" not in bed.hosts["hostA"].log_text()
