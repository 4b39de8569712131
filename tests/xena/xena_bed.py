"""A wirespeed daemon in a private network namespace, for the Xena tests.

The namespace is made for the daemon alone, so its front ends listen on the real
Xena ports (22606, 22611) without meeting anything else on the machine; clients run
in it too (``in_netns``) and connect to 127.0.0.1. The daemon builds its embedded
test bed as ``wirespeed server`` does and removes it on SIGTERM; the namespace is
removed even when the test fails.
"""

from __future__ import annotations

import json
import math
import os
import secrets
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]


@dataclass(frozen=True)
class PrivateDaemon:
    """Where the daemon runs and where it logs."""

    netns: str
    log: Path

    def in_netns(self, *argv: str) -> list[str]:
        """A command line that runs ``argv`` in the daemon's namespace."""
        return ["nsenter", f"--net=/run/netns/{self.netns}", *argv]

    def log_since(self, offset: int) -> str:
        """The daemon's log from ``offset`` characters on."""
        return self.log.read_text()[offset:]


LINE_BPS = 1_000_000_000  # the daemon's ports (xena_daemon.py: 1G)
SHAPER_BPS = 20_000_000  # the shaped DUTs' rate, in the bytes the kernel counts


def frames_in(pct: float, frame_size: int, seconds: float = 1.0) -> int:
    """Frames a port sends in a ``seconds`` time limit at ``pct`` of the line
    (the first at 0 s, the last within the limit)."""
    return math.floor(LINE_BPS * pct / 100 / ((frame_size + 20) * 8) * seconds) + 1


def pct_of_line(frame_size: int, l2_bytes_per_s: float) -> float:
    """A byte rate the kernel counts (no FCS) as % of the line (L1)."""
    pps = l2_bytes_per_s / (frame_size - 4)
    return pps * (frame_size + 20) * 8 / LINE_BPS * 100


def shaper_bounds(frame_size: int) -> tuple[float, float]:
    """The throughput a 1 s trial can find through the shaper
    (:func:`wirespeed.topology.impair._shape`): its rate, up to what its bucket
    and queue let through in that second (% of the line)."""
    rate = SHAPER_BPS / 8
    burst = max(16_384, rate / 100)
    queue = rate * 0.05 + burst
    return pct_of_line(frame_size, rate), pct_of_line(frame_size, rate + burst + queue)


def daemon_process(cfg: dict, log: Path) -> Iterator[dict]:
    """Run ``tests/xena/xena_daemon.py`` with ``cfg`` here (any free ports) until
    the generator is closed; yields its JSON line with ``log`` added. A data-plane
    error in the log fails the test."""
    env = dict(os.environ, PYTHONPATH=str(REPO / "src"))
    with log.open("w") as err:
        proc = subprocess.Popen(
            [sys.executable, str(HERE / "xena_daemon.py"), json.dumps(cfg)],
            stdout=subprocess.PIPE, stderr=err, text=True, env=env,
        )  # fmt: skip
    assert proc.stdout is not None
    try:
        line = proc.stdout.readline()
        if not line:
            raise RuntimeError(f"daemon did not start: {log.read_text()[-3000:]}")
        yield {**json.loads(line), "log": log}
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        proc.stdout.close()
    assert "stopped on an error" not in log.read_text()


def _ip(*args: str) -> None:
    subprocess.run(["ip", *args], check=True, capture_output=True, timeout=30)


@contextmanager
def private_daemon(
    slots: tuple[int, ...], log: Path, driver: str = "afpacket"
) -> Iterator[PrivateDaemon]:
    """Run ``tests/xena/xena_daemon.py`` on 22606/22611 in a new namespace, its
    ports on ``driver``."""
    netns = f"wsxd{secrets.token_hex(4)}"
    cfg = json.dumps(
        {"slots": list(slots), "xoa": 22606, "cli": 22611, "driver": driver}
    )
    _ip("netns", "add", netns)
    proc = None
    try:
        _ip("-n", netns, "link", "set", "lo", "up")
        bed = PrivateDaemon(netns, log)
        with log.open("w") as err:
            proc = subprocess.Popen(
                bed.in_netns(sys.executable, str(HERE / "xena_daemon.py"), cfg),
                stdout=subprocess.PIPE, stderr=err, text=True,
                env=dict(os.environ, PYTHONPATH=str(REPO / "src")),
            )  # fmt: skip
        assert proc.stdout is not None
        if not proc.stdout.readline():
            raise RuntimeError(f"daemon did not start: {log.read_text()[-3000:]}")
        yield bed
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
        _ip("netns", "delete", netns)
