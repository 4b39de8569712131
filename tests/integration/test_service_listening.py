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


def test_a_link_flap_leaves_the_service_worker_answering(caplog) -> None:
    """A link going down is an error the packet socket reports once (RFC 2889's
    toggle-sync takes every port down and up): the worker reads past it."""
    with Chassis.embedded(modules=1) as chassis:
        chassis.ports[0].set_l3(ipv4="198.18.0.2/24")
        chassis.ports[1].set_l3(ipv4="198.18.0.3/24")
        assert _until(chassis, 0, 2) == 2
        for up in (False, True):
            chassis.tester.set_link(0, up)
            chassis.tester.set_link(1, up)
            time.sleep(0.3)
        mac = chassis.tester.services.resolve(0, "198.18.0.3", timeout_s=2.0)
        assert mac == chassis.ports[1].info.mac
    assert [r.message for r in caplog.records if "died" in r.message] == []
