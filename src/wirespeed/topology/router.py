"""The router DUT of the embedded test bed, and the ports' addresses around it.

::

    port 0 ----------- d0 [router] d1 ----------- port 1
    198.18.1.2/24      198.18.1.1/24  198.18.2.1/24      198.18.2.2/24
    2001:2:0:1::2/64   2001:2:0:1::1/64  2001:2:0:2::1/64   2001:2:0:2::2/64

The router is a namespace of its own that forwards IPv4 and IPv6 with the kernel's
stack: it decrements TTL and hop limit, rewrites the MACs (its own, fixed ones, as
source) and resolves the ports' MACs with ARP and neighbour discovery. Its addresses
are usable at once (no duplicate address detection), and it sends nothing of its own
but ARP and neighbour discovery: no router solicitations, and no MLD reports (dropped
on its way out, as a switch without MLD snooping would never need them).

Ports 0 and 1 get the addresses facing it with the router as their gateway; the
ports of every other module, cabled back to back, get on-link addresses
(``198.18.{m+2}.1/24`` and ``.2/24`` for module ``m``, and the same in
``2001:2:0:{m+2}::/64``).
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from ipaddress import IPv4Interface, IPv6Interface
from typing import Any

from wirespeed.errors import TopologyError
from wirespeed.l3 import L3Identity
from wirespeed.topology.netns import Lab

__all__ = [
    "ROUTER_SIDES",
    "Router",
    "RouterSide",
    "back_to_back_identities",
    "build_router",
]


@dataclass(frozen=True)
class RouterSide:
    """The router's interface facing one test port."""

    port: int
    ifname: str
    mac: str
    ipv4: IPv4Interface
    ipv6: IPv6Interface

    def port_identity(self) -> L3Identity:
        """The facing port's identity: the next address, the router as gateway."""
        return L3Identity.parse(
            ipv4=IPv4Interface((self.ipv4.ip + 1, self.ipv4.network.prefixlen)),
            gateway=self.ipv4.ip,
            ipv6=IPv6Interface((self.ipv6.ip + 1, self.ipv6.network.prefixlen)),
            gateway6=self.ipv6.ip,
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain data for reports."""
        return {
            "port": self.port,
            "interface": self.ifname,
            "mac": self.mac,
            "ipv4": str(self.ipv4),
            "ipv6": str(self.ipv6),
        }


ROUTER_SIDES = (
    RouterSide(
        0,
        "d0",
        "02:77:73:01:00:01",
        IPv4Interface("198.18.1.1/24"),
        IPv6Interface("2001:2:0:1::1/64"),
    ),
    RouterSide(
        1,
        "d1",
        "02:77:73:01:00:02",
        IPv4Interface("198.18.2.1/24"),
        IPv6Interface("2001:2:0:2::1/64"),
    ),
)


@dataclass(frozen=True)
class Router:
    """A router DUT that has been built: its namespace and its two sides."""

    netns: str
    sides: tuple[RouterSide, ...] = ROUTER_SIDES

    def side(self, port: int) -> RouterSide:
        """The side facing test port ``port``."""
        for s in self.sides:
            if s.port == port:
                return s
        raise KeyError(port)

    def to_dict(self) -> dict[str, Any]:
        """Plain data for reports."""
        return {"netns": self.netns, "sides": [s.to_dict() for s in self.sides]}


def back_to_back_identities(module: int) -> tuple[L3Identity, L3Identity]:
    """On-link identities of the two ports of ``module`` (1 and up), no gateway."""
    net = module + 2
    return (
        L3Identity.parse(ipv4=f"198.18.{net}.1/24", ipv6=f"2001:2:0:{net:x}::1/64"),
        L3Identity.parse(ipv4=f"198.18.{net}.2/24", ipv6=f"2001:2:0:{net:x}::2/64"),
    )


# set before the interfaces exist, so that they inherit the "default" ones
_SYSCTLS = (
    ("net.ipv4.ip_forward", "1"),
    ("net.ipv6.conf.all.forwarding", "1"),
    ("net.ipv6.conf.all.accept_dad", "0"),
    ("net.ipv6.conf.default.accept_dad", "0"),
    ("net.ipv6.conf.default.dad_transmits", "0"),
    ("net.ipv6.conf.default.accept_ra", "0"),
    ("net.ipv6.conf.default.router_solicitations", "0"),
)

_QUIET = """table inet wsrouter {
  chain output {
    type filter hook output priority 0; policy accept;
    icmpv6 type { mld-listener-report, mld2-listener-report } drop
  }
}
"""


def build_router(
    lab: Lab,
    port_netns: tuple[str, str],
    port_macs: tuple[str, str],
    *,
    mtu: int,
    port_ifnames: tuple[str, str] = ("p0", "p1"),
) -> Router:
    """Port 0 -- d0 [router] d1 -- port 1, in a new namespace of ``lab``."""
    ns = lab.add_netns("dut", ipv6=True)
    for key, value in _SYSCTLS:
        lab.sysctl(ns, key, value)
    _nft(ns, _QUIET)
    router = Router(ns)
    sides = zip(router.sides, port_netns, port_macs, port_ifnames, strict=True)
    for side, port_ns, port_mac, port_ifname in sides:
        lab.add_veth(
            port_ifname,
            port_ns,
            side.ifname,
            ns,
            mac=port_mac,
            peer_mac=side.mac,
            mtu=mtu,
        )
        lab.add_address(side.ifname, str(side.ipv4), netns=ns)
        lab.add_address(side.ifname, str(side.ipv6), netns=ns)
    return router


def _nft(netns: str, ruleset: str) -> None:
    proc = subprocess.run(
        ["ip", "netns", "exec", netns, "nft", "-f", "-"],
        input=ruleset,
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        raise TopologyError(f"nft in {netns} failed: {proc.stderr.strip()}")
