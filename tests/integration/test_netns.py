from __future__ import annotations

import json
import os
import socket
import subprocess
import sys

import pytest

from wirespeed.errors import TopologyError
from wirespeed.topology.netns import LAB_DIR, Lab, cleanup_stale, in_netns, netns_exists

pytestmark = pytest.mark.netns


def _ping(ns: str, ip: str) -> int:
    return subprocess.run(
        ["ip", "netns", "exec", ns, "ping", "-c1", "-W1", ip], capture_output=True
    ).returncode


def test_lab_builds_bridge_and_hosts_then_removes_everything() -> None:
    with Lab("wst") as lab:
        a = lab.add_netns("a")
        b = lab.add_netns("b")
        sw = lab.add_netns("sw")
        lab.add_bridge("br0", netns=sw)
        for host, ip in ((a, "198.18.5.1/24"), (b, "198.18.5.2/24")):
            short = host[-1]
            lab.add_veth(
                "e0", host, f"p{short}", sw, mac=f"02:00:00:00:05:0{ord(short) % 10}"
            )
            lab.set_master(f"p{short}", "br0", netns=sw)
            lab.add_address("e0", ip, netns=host)
        assert lab.exists_link("br0", netns=sw)
        assert lab.link_mac("e0", netns=a) == "02:00:00:00:05:07"
        # a TCP connection across the bridge, sockets made with in_netns
        with in_netns(b):
            srv = socket.create_server(("198.18.5.2", 0))
        port = srv.getsockname()[1]
        with in_netns(a):
            cli = socket.create_connection(("198.18.5.2", port), timeout=5)
        conn, peer = srv.accept()
        assert peer[0] == "198.18.5.1"
        cli.sendall(b"hello")
        assert conn.recv(5) == b"hello"
        for s in (cli, conn, srv):
            s.close()
        names = (a, b, sw)
        record = json.loads((LAB_DIR / f"{lab.lab_id}.json").read_text())
        assert record["netns"] == list(names)
    for ns in names:
        assert not netns_exists(ns)
    assert not (LAB_DIR / f"{lab.lab_id}.json").exists()


def test_lab_removes_namespaces_when_body_raises() -> None:
    created: list[str] = []

    def body() -> None:
        with Lab("wst") as lab:
            created.append(lab.add_netns("x"))
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        body()
    assert len(created) == 1
    assert not netns_exists(created[0])


def test_stale_lab_of_dead_process_is_removed() -> None:
    # A child process creates a lab and dies without cleaning up (SIGKILL).
    code = (
        "import os; from wirespeed.topology.netns import Lab; lab = Lab('wst'); "
        "lab.open(); print(lab.add_netns('dead'), flush=True); os._exit(0)"
    )
    env = dict(os.environ, PYTHONPATH="src")
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    ns = out.stdout.strip()
    assert netns_exists(ns)
    removed = cleanup_stale()
    assert ns.split("-")[0] in removed
    assert not netns_exists(ns)


def test_in_netns_unknown_namespace_is_a_topology_error() -> None:
    with pytest.raises(TopologyError), in_netns("ws-does-not-exist"):
        pass


def test_rx_ring_clears_the_error_of_a_link_gone_down() -> None:
    """A down link leaves ENETDOWN pending on the socket: poll() would return at
    once forever (a receive worker spinning at 100 % CPU) unless wait() reads it."""
    import select

    from wirespeed.dataplane.afpacket import RxRing
    from wirespeed.topology.links import set_link_state
    from wirespeed.topology.testbed import PortSpec

    with Lab("wsr") as lab:
        a, b = lab.add_netns("a"), lab.add_netns("b")
        lab.add_veth("e0", a, "e1", b)
        with in_netns(b):
            ring = RxRing("e1", frame_size=2048, frame_count=64)
            try:
                set_link_state(PortSpec("e1", b), False)
                events = [ev for _fd, ev in ring._poll.poll(100)]
                assert events
                assert events[0] & select.POLLERR
                assert ring.wait(0.01) is False
                assert ring._poll.poll(0) == []  # nothing pending any more
            finally:
                ring.close()
