"""Choosing a port's driver: ``auto`` takes AF_XDP where it works and says why
not where it does not; ``afxdp`` asked for where it cannot work is refused with
the reason; the server prints each port's driver."""

from __future__ import annotations

import subprocess

import pytest
from embedded import server_process  # type: ignore[import-not-found]

from wirespeed.client import Chassis
from wirespeed.errors import PortError
from wirespeed.service import Tester as _Tester
from wirespeed.topology.testbed import EmbeddedTestbed

pytestmark = pytest.mark.netns

JUMBO = "AF_XDP not used: p0: MTU 9216 too large for AF_XDP frames (at most 3814)"


def test_auto_takes_af_xdp_on_a_veth_and_names_its_mode() -> None:
    with Chassis.embedded(modules=1, driver="auto") as c:
        assert c.tester.port_driver(0) == ("afxdp", "AF_XDP, copy mode")
        assert c.tester.port_driver(1) == ("afxdp", "AF_XDP, copy mode")


def test_auto_falls_back_to_packet_sockets_with_the_reason() -> None:
    with EmbeddedTestbed(modules=1, mtu=9216, driver="auto") as config:  # noqa: SIM117
        with _Tester(config) as t:
            assert t.port_driver(0) == ("afpacket", JUMBO)


def test_af_xdp_where_it_cannot_work_is_refused_with_the_reason() -> None:
    with EmbeddedTestbed(modules=1, mtu=9216, driver="afxdp") as config:
        with pytest.raises(PortError) as err:
            _Tester(config).start()
        assert str(err.value) == JUMBO.removeprefix("AF_XDP not used: ")


def test_the_server_prints_each_ports_driver() -> None:
    with server_process(
        "--modules", "1", "--driver", "afxdp", "--no-frontend", "http",
        "--no-frontend", "otg", "--trex-port", "47301", "--trex-pub-port", "47302",
        "--xoa-port", "47303", "--cli-port", "47304", "--native-port", "47305",
    ) as lines:  # fmt: skip
        ports = [ln for ln in lines if ln.startswith("port ")]
        assert len(ports) == 2
        assert all(
            ln.rstrip().endswith("driver afxdp (AF_XDP, copy mode)") for ln in ports
        )


def _veth_state(netns: str, ifname: str) -> tuple[str, str]:
    out = subprocess.run(
        ["ip", "netns", "exec", netns, "sh", "-c",
         f"cat /sys/class/net/{ifname}/threaded; tc qdisc show dev {ifname} root"],
        capture_output=True, text=True, check=True,
    ).stdout.split("\n")  # fmt: skip
    return out[0], out[1].split()[1]


def test_an_af_xdp_veth_gets_threaded_napi_and_a_qdisc_while_it_runs() -> None:
    with EmbeddedTestbed(modules=1, driver="afxdp") as config:
        ports = [(p.netns, p.interface) for p in config.ports]
        assert [_veth_state(*p) for p in ports] == [("0", "noqueue")] * 2
        with _Tester(config):
            assert [_veth_state(*p) for p in ports] == [("1", "pfifo")] * 2
        assert [_veth_state(*p) for p in ports] == [("0", "noqueue")] * 2
