"""App traffic between real hosts (namespaces) on bridges that the run creates."""

from __future__ import annotations

import copy
import os
import secrets
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from pyroute2 import IPRoute

from wirespeed.errors import ConfigError
from wirespeed.stateful.flows import BUILTIN_FLOWS
from wirespeed.stateful.orchestrator import (
    AppResults,
    CloudTrafficManager,
    read_case_file,
)
from wirespeed.topology.impair import has_netem
from wirespeed.topology.netns import Lab, netns_exists

pytestmark = pytest.mark.netns

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "app_demo.yaml"
Raw = dict[str, Any]


def _namespaces(res: AppResults) -> list[str]:
    topo = res.topology
    names = [h["netns"] for h in topo["hosts"].values()]
    return [*names, topo["fabric_netns"]] if topo["fabric_netns"] else names


def _run_case(raw: Raw, name: str = "t", timeout_s: float = 120.0) -> AppResults:
    mgr = CloudTrafficManager(grace_s=2.0)
    try:
        mgr.start_traffic(
            name=name,
            server=raw["servers"],
            client=raw.get("clients"),
            flows=raw.get("flows"),
        )
        live = mgr.results()
        assert all(netns_exists(ns) for ns in _namespaces(live))
        res = mgr.wait(timeout_s=timeout_s)
        assert res.finished
    finally:
        final = mgr.stop()
    for ns in _namespaces(final):
        assert not netns_exists(ns)
    return final


def test_demo_tls_1000_connections_exact(demo: Raw) -> None:
    res = _run_case(demo, "base")
    t = res.total
    assert (t.planned, t.attempted, t.established, t.completed, t.failed) == (
        1000,
        1000,
        1000,
        1000,
        0,
    )
    assert (t.transactions, t.bytes_tx, t.bytes_rx) == (12_000, 6_000_000, 6_000_000)
    assert t.errors == {}
    assert t.hists["tls_handshake"].count == 1000
    assert t.hists["transaction"].count == 12_000
    assert res.clients["c1[0]->s1"].peak_concurrent == 5  # client_concur
    s = res.servers["s1"]  # the server's own counts agree
    assert (s.accepted, s.tls_established, s.sni_ok, s.sni_mismatch) == (
        1000,
        1000,
        1000,
        0,
    )
    assert (s.completed, s.failed, s.transactions) == (1000, 0, 12_000)
    assert (s.bytes_rx, s.bytes_tx) == (t.bytes_tx, t.bytes_rx)
    assert set(res.topology["bridges_created"]) == {"virbr24", "virbr25"}
    hosts = res.topology["hosts"]
    assert {k: (h["ip"], h["bridge"]) for k, h in hosts.items()} == {
        "s1": ("198.18.25.110/24", "virbr25"),
        "c1": ("198.18.24.110/24", "virbr24"),
    }
    assert res.topology["fabric_netns"].endswith("-fab")  # the router in between


def test_refusing_server_reports_failures_by_cause(demo: Raw) -> None:
    srv = demo["servers"][0]
    srv["traffic"] = [
        {"name": "down", "ip": "198.18.25.110", "listen": False, "no_print": True},
        {"name": "up", "ip": "198.18.25.110", "server_port": 80, "flow_mode": "mouse"},
    ]
    demo["clients"][0]["traffic"] = [
        {"s_name": "down", "client_sum": 50, "client_concur": 5, "no_print": True},
        {"s_name": "up", "client_sum": 50, "client_concur": 5},
    ]
    res = _run_case(demo)
    down, up = res.clients["c1[0]->down"], res.clients["c1[1]->up"]
    assert (down.attempted, down.established, down.completed, down.failed) == (
        50,
        0,
        0,
        50,
    )
    assert down.errors == {"refused": 50}
    assert (up.completed, up.failed, up.bytes_tx, up.bytes_rx) == (50, 0, 50, 50)
    assert res.servers["down"].accepted == 0
    assert (res.servers["up"].accepted, res.servers["up"].completed) == (50, 50)
    assert res.total.errors == {"refused": 50}


def test_multi_server_multi_client_example() -> None:
    name, raw, dbs = read_case_file(EXAMPLE, "multi")
    assert dbs == {}
    res = _run_case(dict(raw), name or "multi")
    expect = {"c1[0]->s1": 500, "c1[1]->s2": 50, "c2[0]->s3": 100}
    for label, n in expect.items():
        c = res.clients[label]
        assert (c.attempted, c.completed, c.failed) == (n, n, 0)
    for sname, n in (("s1", 500), ("s2", 50), ("s3", 100)):
        s = res.servers[sname]
        assert (s.accepted, s.completed, s.failed) == (n, n, 0)
    assert res.servers["s2"].sni_ok == 50
    login_req = len(b"POST /login HTTP/1.1\r\nContent-Length: 0\r\n\r\n") + 3 * 200
    assert res.servers["s3"].bytes_rx == 100 * login_req
    assert res.servers["s3"].bytes_tx == 100 * (300 + 3 * 20_000)
    assert res.clients["c2[0]->s3"].transactions == 400
    assert res.clients["c1[1]->s2"].bytes_rx == 50 * 600_000


def test_udp_example() -> None:
    name, raw, _ = read_case_file(EXAMPLE, "udp")
    res = _run_case(dict(raw), name or "udp")
    c, s = res.total, res.servers["s1"]
    assert (c.attempted, c.completed, c.failed) == (1000, 1000, 0)
    assert (s.accepted, s.completed, s.bytes_rx, s.bytes_tx) == (
        1000,
        1000,
        14_000,
        15_000,
    )


def test_a_crashed_server_worker_is_reported_and_everything_removed(
    demo: Raw,
) -> None:
    mgr = CloudTrafficManager(grace_s=1.0)
    try:
        mgr.start_traffic(name="x", server=demo["servers"], client=demo["clients"])
        namespaces = _namespaces(mgr.results())
        # the server reports now and then: wait until its own count (what it
        # says last before it dies) has reached 50, not only the clients'
        while (r := mgr.results()).total.completed < 50 or (
            "s1" not in r.servers or r.servers["s1"].completed < 50
        ):
            time.sleep(0.05)
        (server,) = [w for w in mgr._workers if w.role == "server"]
        server.process.kill()  # the host's worker crashes (our child, by its handle)
        server.process.wait(timeout=10)
        res = mgr.wait(timeout_s=60)
        assert res.finished
    finally:
        final = mgr.stop()
    assert final.worker_errors == {
        "s1": "server worker s1 exited unexpectedly (killed by signal 9)"
    }
    t = final.total
    assert t.completed >= 50
    assert t.failed > 0
    assert t.attempted == t.completed + t.failed == 1000
    # the host is still there and its kernel refuses (or resets what was open: a
    # client may also be writing or inside TLS when the reset comes)
    allowed = {"refused", "reset", "eof", "tls_handshake", "broken_pipe", "tls_error"}
    assert set(t.errors) <= allowed
    assert t.errors.get("refused", 0) > 0
    assert 50 <= final.servers["s1"].completed <= t.completed  # its last report
    assert not any(netns_exists(ns) for ns in namespaces)


def _curl(ns: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["ip", "netns", "exec", ns, "curl", "-sS", "-m", "5", "-A", "probe", *args],
        capture_output=True,
        text=True,
        timeout=30,
    )


@pytest.mark.compat
@pytest.mark.skipif(shutil.which("curl") is None, reason="needs curl")
def test_servers_alone_answer_real_probes(demo: Raw) -> None:
    # the seed's point 2: app servers that a probe (here curl, from the router
    # namespace of the run) can reach, over HTTP and over TLS with SNI checked
    demo["servers"][0]["traffic"] = [
        {"name": "web", "ip": "198.18.25.110", "server_port": 80},
        {
            "name": "tls",
            "ip": "198.18.25.110",
            "ssl": True,
            "server_name": "www.sharepoint.com",
            "flow_mode": "baseHttp",
        },
    ]
    mgr = CloudTrafficManager(grace_s=1.0)
    try:
        mgr.start_traffic(name="probe", server=demo["servers"])
        assert mgr.ca_path is not None
        ca = mgr.ca_path
        fab = mgr.results().topology["fabric_netns"]
        web = _curl(
            fab, "-w", "%{http_code}", "-o", "/dev/null", "http://198.18.25.110/"
        )
        assert (web.returncode, web.stdout) == (0, "200")
        head = _curl(fab, "-I", "http://198.18.25.110/")
        assert head.returncode == 0
        assert head.stdout.splitlines()[0] == "HTTP/1.1 200 OK"
        resolve = "www.sharepoint.com:443:198.18.25.110"
        tls = _curl(
            fab,
            "--cacert",
            str(ca),
            "--resolve",
            resolve,
            "-w",
            "%{http_code}",
            "-o",
            "/dev/null",
            "https://www.sharepoint.com/",
        )
        assert (tls.returncode, tls.stdout) == (0, "200"), tls.stderr
        wrong = _curl(  # a name the server is not: refused in the handshake
            fab,
            "-k",
            "--resolve",
            "www.office.com:443:198.18.25.110",
            "https://www.office.com/",
        )
        assert wrong.returncode != 0
        res = mgr.results()
        assert not res.finished  # servers only: nothing to finish
    finally:
        final = mgr.stop()
    assert not ca.exists()
    w, t = final.servers["web"], final.servers["tls"]
    rest = b" / HTTP/1.1\r\nHost: 198.18.25.110\r\nUser-Agent: probe\r\n"
    rest += b"Accept: */*\r\n\r\n"  # what curl sends after GET and HEAD
    response = BUILTIN_FLOWS["baseHttp"].steps[0].response
    assert (w.accepted, w.completed, w.failed) == (2, 2, 0)
    assert (w.bytes_rx, w.bytes_tx) == (7 + 2 * len(rest), 2 * len(response))
    assert (t.accepted, t.tls_established, t.sni_ok, t.sni_mismatch) == (2, 1, 1, 1)
    assert (t.completed, t.failed, t.errors) == (1, 1, {"sni_mismatch": 1})
    assert final.clients == {}


def _example(case: str, client_sum: int) -> Raw:
    _, raw, _ = read_case_file(EXAMPLE, case)
    out: Raw = yaml.safe_load(yaml.safe_dump(dict(raw)))  # a deep, plain copy
    for entry in out["clients"]:
        for traffic in entry["traffic"]:
            traffic["client_sum"] = client_sum
    return out


def test_rate_example_keeps_its_target() -> None:
    res = _run_case(_example("http_rate", 200), "http_rate")  # 200 conn/s
    (c,) = res.clients.values()
    assert (c.attempted, c.completed, c.failed) == (200, 200, 0)
    assert c.hists["connection"].count == 200
    # the 200th start is due 995 ms after the schedule's start, and the first may
    # start some ms after it on a busy machine: never much faster than asked, and
    # far slower than unpaced (200 connections take about 0.3 s here)
    assert c.elapsed_ns >= 900_000_000
    assert c.summary()["cps"] <= 225.0
    assert res.servers["s1"].completed == 200


def test_lossy_example_drops_and_tcp_recovers() -> None:
    res = _run_case(_example("lossy", 50), "lossy")  # 2 % loss on the client's link
    t = res.total
    assert (t.attempted, t.completed, t.failed) == (50, 50, 0)
    assert (t.bytes_tx, t.bytes_rx) == (50 * 6_000, 50 * 6_000)  # every byte came
    assert set(res.impairment_drops) == {"c1"}
    assert set(res.impairment_drops["c1"]) == {"egress"}
    assert res.impairment_drops["c1"]["egress"] > 0


def test_total_loss_fails_connects_and_counts_drops(demo: Raw) -> None:
    demo["servers"][0]["talk_point"]["tc"] = {"ingress": {"loss": 100}}
    t = demo["clients"][0]["traffic"][0]
    t.update(client_sum=3, client_concur=3, timeout_s=0.5)
    res = _run_case(demo)
    assert res.total.errors == {"connect_timeout": 3}
    assert res.servers["s1"].accepted == 0
    # every frame towards the server is dropped: the router's ARP requests already
    assert res.impairment_drops["s1"]["ingress"] >= 1


@pytest.mark.skipif(has_netem(), reason="this kernel has netem")
def test_delay_without_netem_is_refused_before_anything_exists(demo: Raw) -> None:
    demo["clients"][0]["talk_point"]["netem"] = {"delay": 20}
    prefix = "wz" + secrets.token_hex(1)
    mgr = CloudTrafficManager(lab_prefix=prefix)
    with pytest.raises(ConfigError) as info:
        mgr.start_traffic(name="base", server=demo["servers"], client=demo["clients"])
    assert info.value.field == "base.clients[0].talk_point.netem.delay"
    assert not mgr.running
    out = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True)
    assert prefix not in out.stdout


def _bridge_state(name: str) -> dict[str, Any]:
    with IPRoute() as ipr:
        idx = ipr.link_lookup(ifname=name)[0]
        link = ipr.get_links(idx)[0]
        ports = sorted(
            str(p.get_attr("IFLA_IFNAME"))
            for p in ipr.get_links()
            if p.get_attr("IFLA_MASTER") == idx
        )
        addrs = sorted(str(a.get_attr("IFA_ADDRESS")) for a in ipr.get_addr(index=idx))
    assign = Path(f"/sys/class/net/{name}/addr_assign_type").read_text().strip()
    return {
        "index": idx,
        "mac": link.get_attr("IFLA_ADDRESS"),
        "addr_assign_type": assign,
        "mtu": link.get_attr("IFLA_MTU"),
        "up": bool(link["flags"] & 1),
        "ports": ports,
        "addresses": addrs,
    }


def _two_hosts_on(bridge: str) -> Raw:
    return {
        "servers": [
            {
                "talk_point": {"to_bridge": bridge, "ip": "198.18.77.10/24"},
                "traffic": [{"name": "s1", "ip": "198.18.77.10", "flow_mode": "sym"}],
            }
        ],
        "clients": [
            {
                "talk_point": {"to_bridge": bridge, "ip": "198.18.77.11/24"},
                "traffic": [{"s_name": "s1", "client_sum": 20, "client_concur": 2}],
            }
        ],
    }


def test_existing_bridge_is_used_as_it_is() -> None:
    token = f"{os.getpid() % 10000}{secrets.token_hex(2)}"
    bridge, side = f"wsb{token}", f"wsq{token}"
    raw = _two_hosts_on(bridge)
    with Lab("wst") as lab:
        # made (and removed) by the test: a bridge in the root namespace whose MAC
        # and MTU come from its one port (a jumbo port with a libvirt-like tap MAC)
        lab.add_bridge(bridge)
        ns = lab.add_netns("side")
        lab.add_veth(side, None, "x0", ns, mac="fe:54:00:00:00:01", mtu=9000)
        lab.set_master(side, bridge)
        before = _bridge_state(bridge)
        assert (before["mac"], before["mtu"], before["ports"]) == (
            "fe:54:00:00:00:01",
            9000,
            [side],
        )
        assert before["addr_assign_type"] != "3"  # the kernel picks its MAC
        mgr = CloudTrafficManager(grace_s=2.0)
        try:
            mgr.start_traffic(name="x", server=raw["servers"], client=raw["clients"])
            during = _bridge_state(bridge)
            ours = sorted(set(during["ports"]) - {side})
            assert len(ours) == 2
            assert {**during, "ports": [side]} == before  # same MAC, MTU, addresses
            res = mgr.wait(timeout_s=60)
        finally:
            mgr.stop()
        assert (res.total.completed, res.total.failed) == (20, 0)
        # full-size segments crossed at the bridge's MTU
        assert res.total.bytes_tx == 20 * 6_000
        assert res.topology["bridges_created"] == []
        assert res.topology["bridges_existing"] == [bridge]
        assert _bridge_state(bridge) == before  # still there, no port or address left

        lab.add_address(bridge, "198.18.76.1/24")
        mgr = CloudTrafficManager()
        with pytest.raises(ConfigError) as info:
            mgr.start_traffic(name="x", server=raw["servers"], client=raw["clients"])
        assert info.value.field == "x.servers[0].talk_point.ip"
        assert "outside the subnet of bridge" in info.value.reason
        assert not mgr.running


def test_impairment_on_an_existing_bridge(demo: Raw) -> None:
    # the seed's test bed has its bridges already: loss still works, in a bridge of
    # the host's own in our fabric namespace, and the existing bridge stays as it is
    token = f"{os.getpid() % 10000}{secrets.token_hex(2)}"
    bridge, side = f"wsb{token}", f"wsq{token}"
    raw = _two_hosts_on(bridge)
    raw["clients"][0]["talk_point"]["netem"] = {"loss": 2}
    raw["clients"][0]["traffic"][0]["client_sum"] = 30
    with Lab("wst") as lab:
        lab.add_bridge(bridge)
        ns = lab.add_netns("side")
        lab.add_veth(side, None, "x0", ns, mac="fe:54:00:00:00:02", mtu=9000)
        lab.set_master(side, bridge)
        before = _bridge_state(bridge)
        mgr = CloudTrafficManager(grace_s=2.0)
        try:
            mgr.start_traffic(name="x", server=raw["servers"], client=raw["clients"])
            during = _bridge_state(bridge)
            assert len(during["ports"]) == 3
            assert {**during, "ports": [side]} == before
            res = mgr.wait(timeout_s=60)
        finally:
            final = mgr.stop()
        assert _bridge_state(bridge) == before
        assert (res.total.completed, res.total.failed) == (30, 0)
        assert res.total.bytes_tx == 30 * 6_000
        assert set(final.impairment_drops) == {"c1"}
        assert final.impairment_drops["c1"]["egress"] > 0
        hosts = final.topology["hosts"]
        assert (hosts["c1"]["via_fabric"], hosts["s1"]["via_fabric"]) == (True, False)
        assert final.topology["bridges_created"] == []

        del raw["clients"][0]["talk_point"]["netem"]
        raw["servers"][0]["talk_point"]["tc"] = {"ingress": {"loss": 100}}
        raw["clients"][0]["traffic"][0].update(client_sum=3, timeout_s=0.5)
        res = _run_case(raw)
        assert res.total.errors == {"connect_timeout": 3}
        assert res.servers["s1"].accepted == 0
        assert res.impairment_drops["s1"]["ingress"] >= 1  # ARP requests already
        assert _bridge_state(bridge) == before


def test_existing_bridge_that_would_change_is_refused() -> None:
    bridge = f"wsb{os.getpid() % 10000}{secrets.token_hex(2)}"
    raw = _two_hosts_on(bridge)
    with Lab("wst") as lab:
        lab.add_bridge(bridge)  # no port, no fixed MAC: a port would become its MAC
        before = _bridge_state(bridge)
        mgr = CloudTrafficManager()
        with pytest.raises(ConfigError) as info:
            mgr.start_traffic(name="x", server=raw["servers"], client=raw["clients"])
        assert info.value.field == "x.servers[0].talk_point.to_bridge"
        assert "would change the MAC address" in info.value.reason
        assert not mgr.running
        assert _bridge_state(bridge) == before
        lab.set_mac(bridge, "02:00:00:00:00:77")  # a fixed MAC: now usable as it is
        pinned = _bridge_state(bridge)
        res = _run_case(raw)
        assert (res.total.completed, res.total.failed) == (20, 0)
        assert _bridge_state(bridge) == pinned


def test_api_like_the_original(demo: Raw) -> None:
    demo["clients"][0]["traffic"][0]["client_sum"] = 20
    untouched = copy.deepcopy(demo)
    mgr = CloudTrafficManager()
    started = mgr.start_traffic(server=demo["servers"], client=demo["clients"])
    assert started == [True, "app traffic started: 1 server(s), 1 client entry(ies)"]
    res = mgr.wait(timeout_s=60)
    final = mgr.clear_all()  # the original's name for stop()
    assert not mgr.running
    assert (res.total.completed, final.total.completed, final.total.failed) == (
        20,
        20,
        0,
    )
    assert demo == untouched  # the same dicts can start the next run
    assert mgr.stop() is final  # stopping again changes nothing
    mgr = CloudTrafficManager()
    assert mgr.deploy_from_yaml(EXAMPLE, "udp")[0] is True
    try:
        assert mgr.wait(timeout_s=60).total.completed == 1000
    finally:
        mgr.stop()
