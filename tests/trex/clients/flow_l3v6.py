"""IPv6 through the router DUT, the way a TRex user does it. From TRex's defaults
(IPv6 off) ``set_l3_mode`` resolves the IPv4 gateway and ``conf_ipv6`` gives each
port its address (the port answers neighbour solicitations and pings for it).
TRex resolves IPv4 gateways only; for IPv6 the client offers its IPv6ND service
(a neighbour solicitation pushed, the advertisement captured), ``scan6`` and
``ping_ip`` (ICMPv6 echo to the port's destination MAC). IPv6 UDP flow-stats
bursts go 0 -> 1: to the port's destination (the IPv4 gateway's MAC, the same
router), to the MAC found by ND written in the packet, then in L2 mode with the
ND MAC as the port's destination; port 1 captures them to a list and a pcap file.
Last, TRex's "auto" IPv6 address (link-local) pings the router's link-local one.

argv[3]: a folder for the pcap file.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

from _common import burst_counts, connect, emit
from trex.common.services.trex_service_IPv6ND import (  # type: ignore[import-not-found]
    ServiceIPv6ND,
)
from trex.stl.api import (  # type: ignore[import-not-found]
    UDP,
    Ether,
    IPv6,
    STLFlowStats,
    STLPktBuilder,
    STLStream,
    STLTXSingleBurst,
)

BURST = 1000  # UDP to port 9, pg 7, the port's destination MAC (flags 0)
OTHER = 200  # UDP to port 10, the MAC found by ND written in the packet
SRC = ("2001:2:0:1::2", "2001:2:0:2::2")
ROUTER = ("2001:2:0:1::1", "2001:2:0:2::1")
ROUTER_LL = "fe80::77:73ff:fe01:1"  # EUI-64 of the router's MAC facing port 0
IPV4 = (("198.18.1.2", "198.18.1.1"), ("198.18.2.2", "198.18.2.1"))


def _layer(c: Any, port: int) -> dict[str, Any]:
    cfg = c.ports[port].get_layer_cfg()
    return {"ether": cfg["ether"], "ipv4": cfg["ipv4"], "ipv6": cfg["ipv6"]}


def _udp(dport: int, dst_mac: str | None = None, size: int = 120) -> STLPktBuilder:
    eth = Ether() if dst_mac is None else Ether(dst=dst_mac)
    base = eth / IPv6(src=SRC[0], dst=SRC[1]) / UDP(sport=1025, dport=dport)
    return STLPktBuilder(pkt=base / ("x" * (size - len(base))))


def _nd(c: Any, port: int) -> dict[str, Any]:
    """Resolve the router's address facing ``port`` with the client's service."""
    ctx = c.create_service_ctx(port=port)
    nd = ServiceIPv6ND(ctx, dst_ip=ROUTER[port], src_ip=SRC[port], timeout=2)
    ctx.run(nd)
    rec = nd.get_record()
    return {"state": rec.state, "mac": rec.dst_mac}


def _ping(c: Any, port: int, dst: str) -> list[Any]:
    pings = c.ping_ip(port, dst, count=3, interval_sec=0.2)
    return [[p["status"], p.get("src_ip"), p.get("ttl")] for p in pings]


def _summary(pkts: list[dict[str, Any]]) -> dict[str, Any]:
    rows = set()
    for p in pkts:
        eth = Ether(p["binary"])
        ip = eth[IPv6]
        rows.add((eth.src, eth.dst, ip.src, ip.dst, ip.hlim, eth[UDP].dport))
    return {"count": len(pkts), "rows": sorted(list(r) for r in rows)}


def _configure(c: Any, out: dict[str, Any]) -> None:
    """TRex's defaults, then IPv4 L3 mode and the IPv6 addresses."""
    c.set_service_mode(ports=[0, 1], enabled=True)
    for port in (0, 1):
        c.conf_ipv6(port, False)
    out["ipv6_off"] = [_layer(c, 0)["ipv6"], _layer(c, 1)["ipv6"]]
    for port in (0, 1):
        c.set_l3_mode(port, *IPV4[port])
        c.conf_ipv6(port, True, SRC[port])
    out["configured"] = [_layer(c, 0), _layer(c, 1)]


def main() -> None:
    folder = Path(sys.argv[3])
    c = connect()
    # reset() turned promiscuous off: the server announced it with the ports'
    # attributes of that moment (layer config included), which the client's
    # subscriber applies some ms later, over what the next commands synced
    # (the same with TRex): let it land before changing the layer config.
    time.sleep(0.2)
    out: dict[str, Any] = {}
    _configure(c, out)
    # first: the router has not met port 1 over IPv6 yet and solicits it; its
    # service worker answers (port 1 runs no client service), as it answers
    # the ping; port 0's worker and the client's ping service both answer for
    # port 0
    out["ping_port1"] = _ping(c, 0, SRC[1])
    out["ping_router"] = _ping(c, 0, ROUTER[0])
    out["nd"] = [_nd(c, 0), _nd(c, 1)]
    out["scan6"] = c.scan6(ports=[0], timeout=1)[0]
    c.set_service_mode(ports=[0, 1], enabled=False)
    # The router learned the ports' MACs from their solicitations (Linux keeps
    # those STALE) and probes each 5 s after first sending to it (the pings):
    # let those exchanges pass, so that the counts below are the bursts' alone.
    time.sleep(6.0)

    nd_mac = out["nd"][0]["mac"]
    c.add_streams(
        [
            STLStream(
                packet=_udp(9),
                mode=STLTXSingleBurst(total_pkts=BURST, pps=10_000),
                flow_stats=STLFlowStats(pg_id=7),
            ),
            STLStream(
                packet=_udp(10, nd_mac),
                mode=STLTXSingleBurst(total_pkts=OTHER, pps=2000),
            ),
        ],
        ports=[0],
    )
    cap = c.start_capture(rx_ports=[1], limit=5000, bpf_filter="ip6 and udp")
    out["l3_run"] = burst_counts(c, 7)
    listed: list[dict[str, Any]] = []
    c.stop_capture(cap["id"], listed)
    out["l3_listed"] = _summary(listed)

    # IPv6 alone: L2 mode to the MAC found by ND (IPv4 is gone from port 0)
    c.set_service_mode(ports=[0], enabled=True)
    c.set_l2_mode(0, nd_mac)
    c.set_service_mode(ports=[0], enabled=False)
    out["l2"] = _layer(c, 0)
    cap = c.start_capture(rx_ports=[1], bpf_filter="ip6 and udp dst port 9")
    out["l2_run"] = burst_counts(c, 7)
    c.stop_capture(cap["id"], str(folder / "v6.pcap"))

    # TRex's "auto" address: the port's link-local one pings the router's
    c.set_service_mode(ports=[0], enabled=True)
    c.conf_ipv6(0, True)
    out["auto"] = _layer(c, 0)["ipv6"]
    out["ping_link_local"] = _ping(c, 0, ROUTER_LL)
    c.set_service_mode(ports=[0], enabled=False)
    c.remove_all_streams(ports=[0])
    c.release()
    c.disconnect()
    emit(out)


if __name__ == "__main__":
    main()
