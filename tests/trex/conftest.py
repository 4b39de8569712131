"""Fixtures of the TRex compatibility tests (see trex_bed.py)."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from trex_bed import (
    MACS,
    REPO,
    ROUTER_MACS,
    Capture,
    RawRpc,
    TrexBed,
    trex_python,
    wait_ready,
)

from wirespeed.topology.netns import Lab


def _client_python() -> str:
    python = trex_python()
    if python is None:
        pytest.skip(
            "no lbr-trex-client interpreter (set WIRESPEED_TREX_PYTHON or run "
            "scripts/bootstrap.sh --test)"
        )
    return python


@contextlib.contextmanager
def _server(tmp: Path, *args: str) -> Iterator[tuple[int, int, tuple[str, ...], Path]]:
    """``run_server.py ARGS`` with this checkout's sources: its RPC and publisher
    ports, its ports' namespaces and its log; stopped on exit."""
    log = tmp / "server.log"
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    with log.open("w") as errf:
        proc = subprocess.Popen(
            [sys.executable, str(Path(__file__).parent / "run_server.py"), *args],
            stdout=subprocess.PIPE,
            stderr=errf,
            text=True,
            env=env,
        )
    try:
        rpc, pub, netns = wait_ready(proc, 60.0)
        yield rpc, pub, netns, log
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()


@contextlib.contextmanager
def _server_bed(tmp: Path, prefix: str, driver: str = "afpacket") -> Iterator[TrexBed]:
    """A server process on a fresh veth pair (namespaces ``<prefix>...``), its
    ports on ``driver``, removed on exit, also after a failure. The pair's MTU is
    9216 (jumbo frames), 1500 on AF_XDP (whose frames end at 3814 bytes)."""
    python = _client_python()
    with Lab(prefix) as lab:
        a, b = lab.add_netns("a"), lab.add_netns("b")
        mtu = 1500 if driver == "afxdp" else 9216
        lab.add_veth("p0", a, "p1", b, mac=MACS[0], peer_mac=MACS[1], mtu=mtu)
        config = {
            "name": "trex-compat",
            "ports": [
                {
                    "interface": "p0",
                    "netns": a,
                    "speed": "1G",
                    "mac": MACS[0],
                    "peer": 1,
                    "driver": driver,
                },
                {
                    "interface": "p1",
                    "netns": b,
                    "speed": "1G",
                    "mac": MACS[1],
                    "peer": 0,
                    "driver": driver,
                },
            ],
        }
        cfg = tmp / "ports.yaml"
        cfg.write_text(yaml.safe_dump(config))
        with _server(tmp, str(cfg)) as (rpc, pub, _netns, log):
            yield TrexBed(python, rpc, pub, (a, b), log=log)


@pytest.fixture(scope="session")
def trex_bed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TrexBed]:
    """The server process shared by the session's tests."""
    with _server_bed(tmp_path_factory.mktemp("trexbed"), "wsT") as bed:
        yield bed


@pytest.fixture(scope="module")
def trex_bed_afxdp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TrexBed]:
    """A server process whose ports are on the AF_XDP driver."""
    with _server_bed(tmp_path_factory.mktemp("trexxdp"), "wsTx", "afxdp") as bed:
        yield bed


@pytest.fixture(params=["trex_bed", "trex_bed_afxdp"], ids=["afpacket", "afxdp"])
def any_trex_bed(request: pytest.FixtureRequest) -> TrexBed:
    """The shared server on packet sockets, then one on AF_XDP: the real client's
    flows must pass on both drivers."""
    bed: TrexBed = request.getfixturevalue(request.param)
    return bed


@pytest.fixture(scope="module")
def router_trex_bed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TrexBed]:
    """A server on the embedded test bed with the router DUT (``--dut router``):
    port 0 198.18.1.2/24 and port 1 198.18.2.2/24, the router at .1 of each."""
    python = _client_python()
    tmp = tmp_path_factory.mktemp("trexrouter")
    with _server(tmp, "--dut", "router") as (rpc, pub, netns, log):
        yield TrexBed(python, rpc, pub, (netns[0], netns[1]), macs=ROUTER_MACS, log=log)


@pytest.fixture
def own_trex_bed(tmp_path: Path) -> Iterator[TrexBed]:
    """A server of the test's own, for tests whose effects must not outlive them."""
    with _server_bed(tmp_path, "wsTo") as bed:
        yield bed


@pytest.fixture
def capture_rx(trex_bed: TrexBed) -> Iterator[Capture]:
    """Capture what port 1 receives (frames sent by port 0)."""
    cap = Capture(trex_bed.netns[1], trex_bed.ifnames[1])
    try:
        yield cap
    finally:
        if not cap._stop.is_set():
            cap.stop()


@pytest.fixture
def raw_rpc(trex_bed: TrexBed) -> Iterator[RawRpc]:
    rpc = RawRpc(trex_bed)
    rpc.api_h = rpc.ok("api_sync_v2", name="STL", major=5, minor=1)["api_h"]
    try:
        yield rpc
    finally:
        rpc.close()
