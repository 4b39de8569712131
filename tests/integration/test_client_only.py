"""The wirespeed-client distribution on its own: a fresh virtual environment
with only ``pip install packaging/client`` (and so pyzmq) drives a daemon in
another namespace: a burst of 1000 frames counts exactly, and numpy, scapy and
pyroute2 are not there to import."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from embedded import HDR
from native_bed import REPO, remote_daemon

from wirespeed.packet.template import (
    header_length,
    segments_from_scapy,
    template_from_scapy,
)

pytestmark = [pytest.mark.netns, pytest.mark.slow]

_SCRIPT = """
import json, sys
from wirespeed.client import Chassis
from wirespeed.model import FrameLength, Rate, Stream, TxMode

address, header = sys.argv[1], json.loads(sys.argv[2])
with Chassis.connect(address, owner="client-only") as chassis:
    a, b = chassis.ports
    for p in (a, b):
        p.reserve()
        p.reset()
        p.clear_counters()
    chassis.tester.add_stream(a.index, 0, Stream(
        packet=bytes.fromhex(header["hex"]), header_len_bytes=header["len"],
        segments=tuple(header["segments"]), length=FrameLength.fixed(128),
        rate=Rate.pps(20_000.0), mode=TxMode.single_burst(1000), tpld_id=5,
    ))
    chassis.traffic([a], duration_s=2.0, cooldown_s=0.2)
    tx, rx, tid = a.statistics(), b.statistics(), b.tpld_statistics(5)
    print(json.dumps({
        "tx": [tx.tx_packets, tx.tx_bytes], "rx": [rx.rx_packets, rx.rx_bytes],
        "tid": [tid.packets, tid.lost, tid.misordered, tid.duplicates],
        "engine": sorted(m for m in ("numpy", "scapy", "pyroute2") if m in sys.modules),
    }))
"""


@pytest.fixture(scope="module")
def client_python(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A new virtual environment with wirespeed-client installed from a copy of
    this checkout (the build leaves nothing in the repo)."""
    root = tmp_path_factory.mktemp("client-only")
    skip = shutil.ignore_patterns("__pycache__")
    shutil.copytree(REPO / "src" / "wirespeed", root / "src" / "wirespeed", ignore=skip)
    shutil.copytree(REPO / "packaging" / "client", root / "packaging" / "client")
    venv = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", venv], check=True, timeout=120)
    python = venv / "bin" / "python"
    pip = subprocess.run(
        [python, "-m", "pip", "install", "-q", root / "packaging" / "client"],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert pip.returncode == 0, pip.stdout + pip.stderr
    return python


def test_only_the_client_and_pyzmq_are_installed(client_python: Path) -> None:
    out = subprocess.run(
        [client_python, "-m", "pip", "list", "--format=json"],
        capture_output=True, text=True, check=True, timeout=60,
    )  # fmt: skip
    names = {p["name"].lower() for p in json.loads(out.stdout)}
    assert names - {"pip", "setuptools"} == {"wirespeed-client", "pyzmq"}
    for engine in ("numpy", "scapy", "pyroute2"):
        probe = subprocess.run(
            [client_python, "-c", f"import {engine}"],
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert probe.returncode == 1
        assert f"No module named '{engine}'" in probe.stderr


def test_a_burst_counts_exactly_through_the_client_only_install(
    client_python: Path, tmp_path: Path
) -> None:
    tmpl = template_from_scapy(HDR)
    header = {
        "hex": tmpl.hex(),
        "len": header_length(tmpl),
        "segments": list(segments_from_scapy(tmpl)),
    }
    with remote_daemon(tmp_path / "daemon.log") as daemon:
        run = subprocess.run(
            [client_python, "-c", _SCRIPT, daemon.address, json.dumps(header)],
            capture_output=True, text=True, timeout=120, cwd=tmp_path,
            env={"PATH": "/usr/bin:/bin"},
        )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout) == {
        "tx": [1000, 128_000],
        "rx": [1000, 128_000],
        "tid": [1000, 0, 0, 0],
        "engine": [],
    }
