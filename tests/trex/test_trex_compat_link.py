"""set_port_attr(link_up=...) through the real client takes the veth down and up.

On a server of its own: after a link down the RX worker of that port keeps a CPU
core busy (a data-plane fault, reported), which would skew the shared server's
utilization figures for every later test."""

from __future__ import annotations

import pytest
from trex_bed import TrexBed

pytestmark = [pytest.mark.netns, pytest.mark.compat]


def test_link_down_refuses_start_and_up_sends_again(own_trex_bed: TrexBed) -> None:
    out = own_trex_bed.client("flow_link")
    assert (out["down"], out["up"]) == ("DOWN", "UP")
    # the client sees the DOWN the server reports and refuses by itself
    assert out["start_down"] == (
        "port(s) [0]: link is DOWN - check the connection or specify 'force'"
    )
    assert out["after"] == {"tx": 100, "rx": 100}
