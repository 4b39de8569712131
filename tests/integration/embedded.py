"""What the integration tests on the embedded test bed share: a UDP header between
ports 0 and 1 (addresses from 198.18.0.0/15), a chassis for a module's tests, and
``wirespeed server`` in a subprocess."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from scapy.layers.inet import IP, UDP
from scapy.layers.l2 import Ether

from wirespeed.client import Chassis

HDR = (
    Ether(dst="02:77:73:00:00:02", src="02:77:73:00:00:01")
    / IP(src="198.18.0.1", dst="198.19.0.1")
    / UDP(sport=1025, dport=9)
)


DRIVERS = ("afpacket", "afxdp")
"""The drivers the tests that send real frames run on (``params`` of their
chassis fixture), so the two can never drift apart."""


def one_module(request: pytest.FixtureRequest) -> Iterator[Chassis]:
    """A chassis of one module (ports 0 <-> 1) on the driver ``request.param``,
    removed when the generator ends (a fixture with ``params=DRIVERS``)."""
    with Chassis.embedded(modules=1, driver=request.param) as c:
        assert c.tester.port_driver(0)[0] == request.param
        yield c


ROOT = Path(__file__).parents[2]
ENV = dict(os.environ, PYTHONPATH=str(ROOT / "src"))


@contextlib.contextmanager
def server_process(*args: str) -> Iterator[list[str]]:
    """``wirespeed server ARGS``: its lines up to "front ends"; stopped with
    SIGTERM at the end (which must exit 0)."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "wirespeed.cli", "server", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=ENV,
    )
    assert proc.stdout is not None
    lines: list[str] = []
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            lines.append(line)
            if line.startswith("front ends") or not line:
                break
        yield lines
    finally:
        proc.send_signal(signal.SIGTERM)
        rc = proc.wait(timeout=30)
        rest = proc.stdout.read()
        proc.stdout.close()
    assert rc == 0, "".join(lines) + rest
