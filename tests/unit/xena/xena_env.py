"""Helpers of the Xena command-layer tests: a real tester over the package's fake
data plane (no worker processes or interfaces). A test says what the wire did
through the fake (``count_tx``, ``count_rx``, ``finish`` ...) and checks what the
tester sent its workers (``fake.commands``)."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from typing import TypeVar

from wirespeed.analysis.stats import LatencyStats, TidStats
from wirespeed.service import EventKind, Tester, TrafficEvent
from wirespeed.service.fake import FakeDataplane
from wirespeed.topology.testbed import PortSpec, TesterConfig

C = TypeVar("C")
#: testers :func:`fake_tester` started; conftest.py closes them after each test
OPEN: list[Tester] = []


def xena_config(modules: int = 2) -> TesterConfig:
    """Modules of two ports, 1 Gbit/s each, cabled 0<->1, 2<->3, like the embedded
    test bed."""
    ports = tuple(
        PortSpec(f"wsT{i}", None, 1_000_000_000, f"02:00:00:00:00:{i + 1:02x}", i ^ 1)
        for i in range(2 * modules)
    )
    return TesterConfig(ports, TesterConfig.default_modules(ports))


def new_tester(modules: int = 2) -> tuple[Tester, FakeDataplane]:
    """A started tester of ``modules`` x 2 ports over a fake data plane (no CRC
    errors on the wire); the caller closes it."""
    fake = FakeDataplane(2 * modules)
    for port in range(2 * modules):
        fake.kernel[port] = {"rx_crc_errors": 0}
    return Tester(xena_config(modules), dataplane=fake).start(), fake


def fake_tester(modules: int = 2) -> tuple[Tester, FakeDataplane]:
    """:func:`new_tester`, closed when the test ends."""
    tester, fake = new_tester(modules)
    OPEN.append(tester)
    return tester, fake


def sent(fake: FakeDataplane, port: int, kind: type[C]) -> list[C]:
    """The commands of ``kind`` the tester sent to ``port``'s workers."""
    return [c for c in fake.commands(port, kind) if isinstance(c, kind)]


def until(tester: Tester, kind: EventKind, port: int, act: Callable[[], None]) -> None:
    """Do ``act`` and return once the tester has told its subscribers of a
    ``kind`` event of ``port`` (reports are handled on the tester's own thread)."""
    seen = threading.Event()

    def on_event(ev: TrafficEvent) -> None:
        if ev.kind is kind and ev.port == port:
            seen.set()

    unsubscribe = tester.subscribe(on_event)
    try:
        act()
        assert seen.wait(5.0), f"no {kind.name} event of port {port}"
    finally:
        unsubscribe()


def finish(tester: Tester, fake: FakeDataplane, port: int) -> None:
    """The port's job ends by itself; returns once the tester has handled it."""
    until(tester, EventKind.DONE, port, lambda: fake.finish(port))


_NUMBER = re.compile(r"\d+")


def masked(answers: list[str], expected: list[str]) -> list[str]:
    """``answers`` with each value that ``expected`` has as ``*`` written ``*`` if
    it is a number >= 0: rates the tester measures over real time (compare the
    result with ``expected``)."""
    out = []
    for got, want in zip(answers, expected, strict=False):
        a, b = got.split(" "), want.split(" ")
        if len(a) == len(b):
            a = [
                "*" if y == "*" and _NUMBER.fullmatch(x) else x
                for x, y in zip(a, b, strict=True)
            ]
        out.append(" ".join(a))
    return out + answers[len(out) :]


def tid_stats(tid: int, packets: int, lo: int, avg: float, hi: int) -> TidStats:
    """A TidStats with latency figures."""
    lat = LatencyStats(count=packets, min_ns=lo, avg_ns=avg, max_ns=hi)
    return TidStats(
        tid=tid,
        packets=packets,
        bytes=packets * 128,
        pps_last_s=10,
        bps_last_s=10240,
        lost=3,
        misordered=1,
        payload_errors=2,
        latency=lat,
        latency_last_s=lat,
    )
