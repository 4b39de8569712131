"""A port's service worker listens only while the port has an address: an L2
port's received frames pass no filter but its RX ring's."""

from __future__ import annotations

import subprocess
import time

import pytest

from wirespeed.client import Chassis
from wirespeed.l3 import L3Identity

pytestmark = pytest.mark.netns


def _listeners(chassis: Chassis, index: int) -> int:
    """Packet sockets on the port's interface that take every protocol."""
    spec = chassis.ports[index].info.spec
    assert spec.netns is not None
    ns = ["ip", "netns", "exec", spec.netns]
    ifindex = subprocess.run(
        [*ns, "cat", f"/sys/class/net/{spec.interface}/ifindex"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    table = subprocess.run(
        [*ns, "cat", "/proc/net/packet"], capture_output=True, text=True, check=True
    ).stdout.splitlines()[1:]
    # sk RefCnt Type Proto Iface R Rmem User Inode
    return sum(1 for row in table if row.split()[3:5] == ["0003", ifindex])


def _until(chassis: Chassis, index: int, want: int) -> int:
    deadline = time.monotonic() + 5
    while (got := _listeners(chassis, index)) != want and time.monotonic() < deadline:
        time.sleep(0.02)
    return got


def test_only_an_l3_port_has_its_service_socket_on_the_receive_path() -> None:
    with Chassis.embedded(modules=1) as chassis:
        assert _until(chassis, 1, 1) == 1  # the RX ring alone
        chassis.ports[1].set_l3(ipv4="198.18.0.2/24")
        assert _until(chassis, 1, 2) == 2
        chassis.tester.services.set_l3(1, L3Identity())
        assert _until(chassis, 1, 1) == 1
