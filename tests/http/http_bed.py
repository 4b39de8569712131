"""A daemon with its HTTP front end on a free port, for the dashboard, API,
metrics and ``wirespeed top`` tests; streams are added through its tester (the
same engine every front end drives) and the HTTP side only reads and controls."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from scapy.layers.inet import IP, UDP
from scapy.layers.l2 import Ether

from wirespeed.model import FrameLength, ModeKind, Rate, Stream, TxMode
from wirespeed.rfc2544_suite import DaemonSuites
from wirespeed.server.daemon import Daemon, DaemonOptions
from wirespeed.server.http import HttpServer
from wirespeed.service import Tester

TOKEN = "test-token"
HDR = bytes(
    Ether(dst="02:77:73:00:00:02", src="02:77:73:00:00:01")
    / IP(src="198.18.0.1", dst="198.19.0.1")
    / UDP(sport=1025, dport=9)
)


@contextmanager
def http_daemon(modules: int = 1, **opts: Any) -> Iterator[tuple[Daemon, HttpServer]]:
    """``wirespeed server`` with only the HTTP front end (it runs RFC 2544
    suites), on a free port, token :data:`TOKEN`; closed (test bed removed) at
    the end."""
    daemon = Daemon(
        DaemonOptions(
            modules=modules,
            front_ends=("http",),
            ports={"http": {"port": 0, "token": TOKEN}},
            suites=DaemonSuites,
            **opts,
        )
    )
    daemon.start()
    try:
        server = daemon.front_ends["http"]
        assert isinstance(server, HttpServer)
        yield daemon, server
    finally:
        daemon.close()


def burst_stream(n: int, pps: float, tid: int, size: int = 128) -> Stream:
    """``n`` UDP frames of ``size`` bytes (FCS included) at ``pps``, TPLD ``tid``."""
    return Stream(
        packet=HDR,
        name=f"burst{tid}",
        tpld_id=tid,
        length=FrameLength.fixed(size),
        rate=Rate.pps(pps),
        mode=TxMode(ModeKind.SINGLE_BURST, total_pkts=n),
    )


def send_burst(
    tester: Tester, port: int, stream: Stream, timeout_s: float = 20
) -> None:
    """Send one burst on ``port`` and wait until every frame is counted."""
    tester.add_stream(port, 0, stream)
    tester.start_traffic([port])
    assert tester.wait_idle([port], timeout_s)
    tester.settle()


def get(server: HttpServer, path: str) -> tuple[int, Any]:
    """GET ``path``: the status and the JSON answer."""
    return request(server, "GET", path)


def request(
    server: HttpServer,
    method: str,
    path: str,
    body: Any = None,
    token: str | None = None,
    raw: bytes | None = None,
) -> tuple[int, Any]:
    """An HTTP request to the server: the status and the JSON answer."""
    data = (
        raw if raw is not None else None if body is None else json.dumps(body).encode()
    )
    req = urllib.request.Request(
        server.url.rstrip("/") + path, data=data, method=method
    )
    if token is not None:
        req.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())
