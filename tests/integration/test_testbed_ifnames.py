"""The embedded test bed's ports under the names a user's tests expect (the OTG
conformance suite's ``veth-a``/``veth-z``), on a plain link and through the
router; wrong names refused naming the field."""

from __future__ import annotations

import subprocess

import pytest

from wirespeed.errors import ConfigError
from wirespeed.topology.testbed import EmbeddedTestbed

pytestmark = pytest.mark.netns


def _links(netns: str) -> list[str]:
    out = subprocess.run(
        ["ip", "-netns", netns, "-o", "link", "show"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    return [line.split(": ")[1].split("@")[0] for line in out.splitlines()]


@pytest.mark.parametrize("dut", [None, "router"])
def test_ports_take_the_names_given(dut: str | None) -> None:
    with EmbeddedTestbed(modules=1, dut=dut, ifnames=("veth-a", "veth-z")) as cfg:
        assert [p.interface for p in cfg.ports] == ["veth-a", "veth-z"]
        assert [p.peer for p in cfg.ports] == [1, 0]
        for p in cfg.ports:
            assert p.netns is not None
            assert p.interface in _links(p.netns)


@pytest.mark.parametrize(
    ("names", "field"),
    [
        (("veth-a",), "ifnames"),
        (("veth-a", "veth-a"), "ifnames"),
        (("veth-a", "no spaces"), "ifnames.1"),
        (("a" * 16, "b"), "ifnames.0"),
    ],
)
def test_bad_names_are_refused(names: tuple[str, ...], field: str) -> None:
    with pytest.raises(ConfigError) as err:
        EmbeddedTestbed(modules=1, ifnames=names).start()
    assert err.value.field == field
