"""Link down and up through set_port_attr: a port that is down does not start."""

from __future__ import annotations

from typing import Any

from _common import connect, finish, udp
from trex.stl.api import (  # type: ignore[import-not-found]
    STLStream,
    STLTXSingleBurst,
    TRexError,
)


def main() -> None:
    c = connect()
    out: dict[str, Any] = {}
    c.add_streams(
        STLStream(packet=udp(100), mode=STLTXSingleBurst(total_pkts=100, pps=1000)),
        ports=[0],
    )
    try:
        # STLClient.set_port_attr(link_up=...) of this client version passes
        # link_up where the port expects link_status, so it never sends it: use
        # the port object's own call, which is what it means to send
        c.ports[0].set_attr(link_status=False)
        out["down"] = c.get_port_attr(0)["link"]
        try:
            c.start(ports=[0])
            out["start_down"] = "accepted"
        except TRexError as exc:
            out["start_down"] = str(exc)
    finally:
        c.ports[0].set_attr(link_status=True)
    out["up"] = c.get_port_attr(0)["link"]
    c.clear_stats()
    c.start(ports=[0])
    c.wait_on_traffic(ports=[0])
    st = c.get_stats()
    out["after"] = {"tx": st[0]["opackets"], "rx": st[1]["ipackets"]}
    finish(c, out)


if __name__ == "__main__":
    main()
