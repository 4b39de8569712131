"""The ``wirespeed`` command end to end (real namespaces, real frames)."""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from embedded import ENV, ROOT, server_process  # type: ignore[import-not-found]

pytestmark = pytest.mark.netns


def _ws(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "wirespeed.cli", *args],
        capture_output=True,
        text=True,
        env=dict(ENV, COLUMNS="200"),  # the final tables untruncated
        timeout=timeout,
    )


def test_run_profile_prints_exact_json(tmp_path: Path) -> None:
    prof = yaml.safe_load((ROOT / "examples" / "profile.yaml").read_text())
    prof["duration"] = 20  # an upper bound: the bursts end the run
    for s in prof["streams"]:
        s["mode"] = {"type": "single_burst", "total_pkts": 2000}
    path = tmp_path / "p.yaml"
    path.write_text(yaml.safe_dump(prof))
    res = _ws("run", str(path), "--json", "-")
    assert res.returncode == 0, res.stderr
    data = json.loads(res.stdout)  # stdout holds the JSON alone (no live display)
    assert data["ports"]["0"]["tx_packets"] == 2000
    assert data["ports"]["1"]["rx_packets"] == 2000
    assert data["ports"]["1"]["tx_packets"] == 2000
    assert data["ports"]["0"]["rx_packets"] == 2000
    rows = {line.split()[1]: line.split() for line in res.stderr.splitlines()
            if line.startswith("│")}  # fmt: skip
    for s in data["streams"]:
        assert s["tx_packets"] == 2000
        assert s["rx"]["packets"] == 2000
        assert s["rx"]["lost"] == 0
        # the final table shows the same figures, latency in us
        lat = s["rx"]["latency"]
        cells = [c for c in rows[s["name"]] if c != "│"]
        assert cells == [
            s["name"], str(s["tpld_id"]), "2000", "2000", "0", "0", "0",
            f"{lat['min_ns'] / 1e3:.1f}", f"{lat['avg_ns'] / 1e3:.1f}",
            f"{lat['max_ns'] / 1e3:.1f}", f"{s['rx']['jitter_ns'] / 1e3:.1f}",
        ]  # fmt: skip


def test_run_profile_error_names_the_field(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("streams:\n  - {port: 0, header: [{Ether: {}}], rate: {ppx: 1}}\n")
    res = _ws("run", str(path))
    assert res.returncode != 0
    assert "streams.0.rate.ppx" in res.stderr


@contextlib.contextmanager
def _server(*args: str) -> Iterator[list[str]]:
    """``wirespeed server --modules 1 ARGS`` with only the HTTP and OTG front
    ends, on free ports (see :func:`server_process`)."""
    with server_process(
        "--modules", "1", "--no-frontend", "trex", "--no-frontend", "xoa",
        "--otg-port", "0",
        "--no-frontend", "xena-cli", "--no-frontend", "native",
        "--http-port", "0", "--http-token", "tok", *args,
    ) as lines:  # fmt: skip
        yield lines


def _netns() -> str:
    out = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True)
    return out.stdout


def test_server_starts_on_the_embedded_bed_and_cleans_up() -> None:
    with _server() as lines:
        ports = [ln for ln in lines if ln.startswith("port ")]
        assert len(ports) == 2
        ns = ports[0].split()[2].split("/")[0]
        assert ns in _netns()
        (dash,) = [ln for ln in lines if ln.startswith("dashboard: ")]
        url = dash.split()[1]
        assert dash == f"dashboard: {url} (control token: tok)\n"
        with urllib.request.urlopen(url + "api/chassis", timeout=10) as r:
            chassis = json.loads(r.read())
        assert [p["name"] for p in chassis["ports"]] == [ln.split()[2] for ln in ports]
        assert lines[-1] == "front ends: http, otg on 127.0.0.1; Ctrl-C to stop\n"
    assert ns not in _netns()


def test_server_with_the_router_dut_shows_the_addresses() -> None:
    with _server("--dut", "router", "--firewall", "udp dport 9 drop") as lines:
        shown = [ln for ln in lines if ln.startswith(("port ", "router "))]
        lab = shown[0].split()[2].split("-")[0]
        assert f"{lab}-dut" in _netns()
    assert lab not in _netns()
    assert [ln.replace(lab, "LAB") for ln in shown] == [
        "port 0: LAB-p0/p0 mac 02:77:73:00:00:01 speed 1G (module 0 port 0) "
        "198.18.1.2/24 via 198.18.1.1, 2001:2:0:1::2/64 via 2001:2:0:1::1 "
        "driver afpacket\n",
        "port 1: LAB-p1/p1 mac 02:77:73:00:00:02 speed 1G (module 0 port 1) "
        "198.18.2.2/24 via 198.18.2.1, 2001:2:0:2::2/64 via 2001:2:0:2::1 "
        "driver afpacket\n",
        "router d0 (to port 0): mac 02:77:73:01:00:01 198.18.1.1/24 2001:2:0:1::1/64\n",
        "router d1 (to port 1): mac 02:77:73:01:00:02 198.18.2.1/24 2001:2:0:2::1/64\n",
    ]


def test_server_refuses_a_bad_firewall_rule_and_impairing_the_router() -> None:
    res = _ws("server", "--dut", "router", "--firewall", "udp dprot 9 drop")
    assert res.returncode == 1
    assert "firewall: rule 0 'udp dprot 9 drop': Error: syntax error" in res.stderr
    res = _ws("server", "--dut", "router", "--impair", "loss=1%")
    assert res.returncode == 1
    assert (
        "impair: impairments need a bridge DUT (dut=bridge or switch); the router "
        "forwards unimpaired" in res.stderr
    )
