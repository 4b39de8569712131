"""The container's capabilities, tried on a real daemon.

A container's root keeps only the capabilities it is given (compose's
``cap_drop: [ALL]`` + ``cap_add``, the DaemonSet's ``securityContext``); with the
host's network its ports are interfaces of the namespace it runs in. Here a
namespace plays the host: ``setpriv`` limits the daemon's bounding set to the
compose file's capabilities (root's capabilities after exec are that set) and sets
no_new_privs (``allowPrivilegeEscalation: false``); its ports are a veth pair in
that namespace. It must serve them and count frames; without either capability
it must stop, saying why; ports in namespaces of their own need SYS_ADMIN too.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import yaml

from wirespeed.topology.netns import Lab, in_netns

pytestmark = pytest.mark.netns

ROOT = Path(__file__).parents[2]
CAPS = tuple(yaml.safe_load((ROOT / "deploy" / "compose.yaml").read_text())[
    "services"]["wirespeed"]["cap_add"])  # fmt: skip
OFF = ("otg", "xoa", "xena-cli", "trex")


@contextmanager
def _host(own_port_netns: bool) -> Iterator[tuple[str, list[tuple[str, str]]]]:
    """A namespace standing for the host, and its ports (interface, namespace):
    a veth pair in the host's namespace, or each end in a namespace of its own."""
    with Lab("cap") as lab:
        host = lab.add_netns("host")
        ns = [lab.add_netns(f"p{i}") for i in (0, 1)] if own_port_netns else [host] * 2
        lab.add_veth("x0", ns[0], "x1", ns[1])
        yield host, [("x0", ns[0]), ("x1", ns[1])]


def _daemon(host: str, ports: list[tuple[str, str]], caps: tuple[str, ...], tmp: Path):
    """Run ``wirespeed server`` in ``host`` with only ``caps``; the process and
    its log once it printed its banner or exited."""
    cfg = tmp / "ports.yaml"
    cfg.write_text(yaml.safe_dump({"ports": [
        {"interface": i} | ({} if ns == host else {"netns": ns}) for i, ns in ports
    ]}))  # fmt: skip
    bounding = ",".join(["-all", *(f"+{c.lower()}" for c in caps)])
    log = tmp / "daemon.log"
    argv = [
        "nsenter", f"--net=/run/netns/{host}", "--",
        "setpriv", f"--bounding-set={bounding}", "--inh-caps=-all", "--no-new-privs",
        "--", sys.executable, "-m", "wirespeed.cli", "server", "--config", str(cfg),
        "--bind", "127.0.0.1", "--http-token", "t",
        *(a for f in OFF for a in ("--no-frontend", f)),
    ]  # fmt: skip
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    with log.open("w") as out:
        proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, env=env)
    deadline = time.monotonic() + 60
    while proc.poll() is None and "front ends: " not in log.read_text():
        assert time.monotonic() < deadline, log.read_text()
        time.sleep(0.05)
    return proc, log


def _stop(proc: subprocess.Popen[bytes]) -> int:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
    return proc.wait(timeout=30)


def _rx_packets(host: str, port: int) -> int:
    with in_netns(host):  # the API listens on the host's 127.0.0.1
        url = f"http://127.0.0.1:8080/api/ports/{port}"
        with urllib.request.urlopen(url, timeout=10) as r:
            return int(json.loads(r.read())["counters"]["rx_packets"])


def test_the_compose_capabilities_serve_the_hosts_ports(tmp_path: Path) -> None:
    assert CAPS == ("NET_ADMIN", "NET_RAW")
    with _host(own_port_netns=False) as (host, ports):
        proc, log = _daemon(host, ports, CAPS, tmp_path)
        try:
            assert proc.poll() is None, log.read_text()
            with in_netns(host), socket.socket(socket.AF_PACKET, socket.SOCK_RAW) as s:
                s.bind(("x0", 0))
                for _ in range(5):
                    s.send(b"\xff" * 6 + s.getsockname()[4] + b"\x88\xb5" + bytes(46))
            deadline = time.monotonic() + 15
            while _rx_packets(host, 1) != 5 and time.monotonic() < deadline:
                time.sleep(0.1)
            assert _rx_packets(host, 1) == 5
        finally:
            rc = _stop(proc)
        assert rc == 0, log.read_text()


@pytest.mark.parametrize(
    ("missing", "says"),
    [
        ("NET_RAW", "x0: AF_PACKET needs CAP_NET_RAW"),
        ("NET_ADMIN", "x0: cannot open for TX: [Errno 1] Operation not permitted"),
    ],
)
def test_each_capability_is_needed(tmp_path: Path, missing: str, says: str) -> None:
    with _host(own_port_netns=False) as (host, ports):
        caps = tuple(c for c in CAPS if c != missing)
        proc, log = _daemon(host, ports, caps, tmp_path)
        assert _stop(proc) != 0
        assert says in log.read_text()


def test_ports_in_namespaces_of_their_own_need_sys_admin(tmp_path: Path) -> None:
    with _host(own_port_netns=True) as (host, ports):
        proc, log = _daemon(host, ports, CAPS, tmp_path)
        assert _stop(proc) != 0
        assert f"Error: {ports[0][1]}: cannot open namespace" in log.read_text()
        proc, log = _daemon(host, ports, (*CAPS, "SYS_ADMIN"), tmp_path)
        assert proc.poll() is None, log.read_text()
        assert _stop(proc) == 0
