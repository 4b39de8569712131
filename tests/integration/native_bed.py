"""``wirespeed server`` in a network namespace of its own, reached from this one
over a veth pair: the native client's calls cross a real link (TCP between two
network stacks, not loopback).

The link's two ends get a /30 of 198.19.0.0/16 that no route here uses yet; the
daemon listens on its end only, on the native RPC's default port (the namespace is
its own, so nothing else listens there). Everything is removed when the block
ends, the namespace even when the test fails.
"""

from __future__ import annotations

import ipaddress
import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
ENV = dict(os.environ, PYTHONPATH=str(REPO / "src"))


@dataclass(frozen=True)
class RemoteDaemon:
    """Where the daemon answers (``host:port``) and its output."""

    address: str
    netns: str
    lines: list[str]
    log: Path


def _ip(*args: str) -> str:
    out = subprocess.run(
        ["ip", *args], check=True, capture_output=True, text=True, timeout=30
    )
    return out.stdout


def _free_subnet() -> ipaddress.IPv4Network:
    """A /30 of 198.19.0.0/16 that no address here falls in."""
    used = [
        ipaddress.ip_interface(w).network
        for line in _ip("-4", "-o", "addr").splitlines()
        for w in line.split()[3:4]
    ]
    used += [
        ipaddress.ip_network(line.split()[0], strict=False)
        for line in _ip("-4", "route").splitlines()
        if line[0].isdigit()
    ]
    for _ in range(100):
        n = secrets.randbelow(16384)
        net = ipaddress.ip_network(f"198.19.{n >> 6}.{(n & 63) * 4}/30")
        if not any(net.overlaps(u) for u in used):
            return net
    raise RuntimeError("no free /30 in 198.19.0.0/16")


@contextmanager
def remote_daemon(log: Path, *args: str) -> Iterator[RemoteDaemon]:
    """``wirespeed server --modules 1 ARGS`` with only the native front end, in a
    new namespace linked to this one."""
    tag = secrets.token_hex(3)
    netns, here, there = f"wsnat{tag}", f"wsn{tag}a", f"wsn{tag}b"
    net = _free_subnet()
    local, remote = (str(h) for h in net.hosts())
    _ip("netns", "add", netns)
    proc = None
    try:
        _ip("link", "add", here, "type", "veth", "peer", "name", there)
        _ip("link", "set", there, "netns", netns)
        _ip("addr", "add", f"{local}/30", "dev", here)
        _ip("link", "set", here, "up")
        _ip("-n", netns, "addr", "add", f"{remote}/30", "dev", there)
        _ip("-n", netns, "link", "set", there, "up")
        _ip("-n", netns, "link", "set", "lo", "up")
        with log.open("w") as err:
            proc = subprocess.Popen(
                [
                    "nsenter", f"--net=/run/netns/{netns}", sys.executable, "-m",
                    "wirespeed.cli", "server", "--modules", "1", "--bind", remote,
                    *(f"--no-frontend={n}" for n in ("http", "otg", "trex", "xoa",
                                                      "xena-cli")),
                    *args,
                ],
                stdout=subprocess.PIPE, stderr=err, text=True, env=ENV,
            )  # fmt: skip
        assert proc.stdout is not None
        lines: list[str] = []
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                raise RuntimeError(f"daemon did not start: {log.read_text()[-3000:]}")
            lines.append(line)
            if line.startswith("front ends"):
                break
        yield RemoteDaemon(f"{remote}:4510", netns, lines, log)
    finally:
        if proc is not None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            assert proc.stdout is not None
            proc.stdout.close()
        subprocess.run(["ip", "link", "del", here], capture_output=True, timeout=30)
        _ip("netns", "delete", netns)
    assert "Traceback" not in log.read_text(), log.read_text()[-3000:]
