"""The OTG conformance suite's traffic-only tests (vendored unmodified under
tests/peers/otg_conformance, run with the snappi 1.58 and pcap reader they pin)
against ``wirespeed server``: each configures flows with snappi, captures on both
ports, sends 100 frames at 50 frames/s and checks the flow metrics (frames_tx ==
frames_rx == 100, transmit stopped by itself) and every captured frame's bytes
(length with FCS, Ethernet, IPv4/IPv6 lengths, ports, VXLAN inner headers)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from otg_bed import CONFORMANCE, otg_daemon, peer_python  # type: ignore[import-not-found]

pytestmark = [pytest.mark.netns, pytest.mark.compat, pytest.mark.slow]

TESTS = [
    "feature/b2b/packet/udp/test_udp_port_value.py",
    "feature/b2b/packet/udp/test_udp_port_values.py",
    "feature/b2b/packet/udp/test_udp_port_incr_decr.py",
    "feature/b2b/packet/udp/test_ipv6_udp_port_values.py",
    "feature/b2b/packet/tcp/test_tcp_port_value.py",
    "feature/b2b/packet/tcp/test_tcp_port_values.py",
    "feature/b2b/packet/tcp/test_tcp_port_incr_decr.py",
    "feature/b2b/packet/vxlan/test_vxlan_inner_ipv4.py",
    "feature/b2b/packet/vxlan/test_vxlan_inner_ipv6.py",
    "examples/test_quickstart.py",
]


def test_the_conformance_suite_passes(tmp_path: Path) -> None:
    py = peer_python("WIRESPEED_OTGCONF_PYTHON", ".venv-otgconf")
    (tmp_path / "test-config.yaml").write_text(
        "otg_host: https://localhost:8443\n"
        "otg_ports: [veth-a, veth-z]\n"
        "otg_speed: speed_1_gbps\n"
        "otg_capture_check: true\n"
        "otg_grpc_transport: false\n"
    )
    with otg_daemon(tmp_path / "daemon.log") as bed:
        res = subprocess.run(
            bed.in_netns(
                py, "-m", "pytest", "-c", str(CONFORMANCE / "pytest.ini"),
                "--rootdir", str(CONFORMANCE), "-p", "no:cacheprovider",
                "-q", "-o", "log_cli=false",
                *(str(CONFORMANCE / t) for t in TESTS),
            ),
            cwd=tmp_path, capture_output=True, text=True, timeout=900,
            env={"PYTHONPATH": str(CONFORMANCE), "PATH": "/usr/bin:/bin"},
        )  # fmt: skip
    out = res.stdout + res.stderr
    assert res.returncode == 0, out[-6000:]
    assert f"{len(TESTS)} passed" in out, out[-3000:]
