"""A wirespeed daemon serving OTG in a private network namespace, for the snappi
and conformance tests.

The namespace is the daemon's alone, so the OTG API listens on its real port
(8443, where the conformance suite and snappi's examples look) without meeting
anything else on the machine; clients run in it too (``in_netns``). The daemon's
embedded test bed names its ports ``veth-a`` and ``veth-z`` (the suite's
locations), cabled to each other; everything is removed even when a test fails.
"""

from __future__ import annotations

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

import pytest

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
CONFORMANCE = REPO / "tests" / "peers" / "otg_conformance"
OTG_PORT = 8443
HTTP_PORT = 8444  # the same API over plain HTTP


@dataclass(frozen=True)
class OtgDaemon:
    """Where the daemon runs and where it logs."""

    netns: str
    log: Path

    def in_netns(self, *argv: str) -> list[str]:
        """A command line that runs ``argv`` in the daemon's namespace."""
        return ["nsenter", f"--net=/run/netns/{self.netns}", *argv]

    @property
    def https(self) -> str:
        return f"https://127.0.0.1:{OTG_PORT}"

    @property
    def http(self) -> str:
        return f"http://127.0.0.1:{HTTP_PORT}"


def peer_python(env_var: str, venv: str) -> str:
    """A peer client's interpreter (``$env_var`` or the repo's venv); skip
    without it, fail in CI."""
    path = os.environ.get(env_var) or str(REPO / venv / "bin" / "python")
    if Path(path).exists():
        return path
    msg = f"{venv} is missing (scripts/bootstrap.sh --test makes it)"
    if os.environ.get("CI", "").lower() in ("true", "1"):
        pytest.fail(msg)
    pytest.skip(msg)


def _ip(*args: str) -> None:
    subprocess.run(["ip", *args], check=True, capture_output=True, timeout=30)


@contextmanager
def otg_daemon(log: Path, *extra: str) -> Iterator[OtgDaemon]:
    """``wirespeed server`` with its OTG front end (HTTPS 8443, HTTP 8444) on
    ports veth-a <-> veth-z, in a new namespace, until the block ends."""
    netns = f"wsotg{secrets.token_hex(4)}"
    _ip("netns", "add", netns)
    proc = None
    try:
        _ip("-n", netns, "link", "set", "lo", "up")
        bed = OtgDaemon(netns, log)
        with log.open("w") as err:
            proc = subprocess.Popen(
                bed.in_netns(
                    sys.executable, "-m", "wirespeed.cli", "server", "--modules", "1",
                    "--ifnames", "veth-a,veth-z", "--no-frontend", "http",
                    "--no-frontend", "trex", "--no-frontend", "xoa",
                    "--no-frontend", "xena-cli", "--otg-port", str(OTG_PORT),
                    "--otg-http-port", str(HTTP_PORT), *extra,
                ),
                stdout=subprocess.PIPE, stderr=err, text=True,
                env=dict(os.environ, PYTHONPATH=str(REPO / "src")),
            )  # fmt: skip
        assert proc.stdout is not None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                raise RuntimeError(f"daemon did not start: {log.read_text()[-3000:]}")
            if line.startswith("front ends"):
                break
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
    assert "Traceback" not in log.read_text(), log.read_text()[-3000:]
