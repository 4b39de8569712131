"""Builds a case's hosts, bridges and router in a wirespeed ``Lab``.

:func:`probe_bridges` looks at the root namespace (read only) for the bridges a case
names; :func:`build_fabric` creates what the
:class:`~wirespeed.stateful.plan.TopologyPlan` says: the fabric namespace with the
missing bridges and the gateway addresses (forwarding on), one namespace per host with
``eth0`` (address, default route), the veth peers on their bridges, and the
impairments. Every object is recorded by the lab and removed with it. An existing
bridge only gains our veth peer (with the bridge's MTU and a MAC that does not become
the bridge's), which goes away with the lab; an impaired host on it is wired through
a bridge of its own in the fabric namespace, where its loss rules are.
"""

from __future__ import annotations

import ipaddress
import json
import socket
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pyroute2 import IPRoute

from wirespeed.errors import TopologyError
from wirespeed.stateful.plan import HOST_IFNAME, ExistingLink, HostLink, TopologyPlan
from wirespeed.stateful.schema import Impairment
from wirespeed.topology.netns import Lab

__all__ = ["Fabric", "build_fabric", "probe_bridges"]

_NFT_TABLE = "wsapp"
_IFF_UP = 0x1


def _fixed_mac(name: str) -> bool:
    # addr_assign_type is only in sysfs (3 = NET_ADDR_SET: set by a user or a tool)
    try:
        text = Path(f"/sys/class/net/{name}/addr_assign_type").read_text()
    except OSError:
        return False
    return text.strip() == "3"


def probe_bridges(names: Iterable[str]) -> dict[str, ExistingLink]:
    """The root-namespace interfaces among ``names``: kind, state, addresses, ports.

    Read only: nothing is changed.
    """
    found: dict[str, ExistingLink] = {}
    with IPRoute() as ipr:
        for name in dict.fromkeys(names):
            idx = ipr.link_lookup(ifname=name)
            if not idx:
                continue
            link = ipr.get_links(idx[0])[0]
            info = link.get_attr("IFLA_LINKINFO")
            kind = info.get_attr("IFLA_INFO_KIND") if info is not None else None
            addrs = tuple(
                ipaddress.IPv4Interface(f"{a.get_attr('IFA_ADDRESS')}/{a['prefixlen']}")
                for a in ipr.get_addr(index=idx[0], family=socket.AF_INET)
            )
            ports = tuple(
                str(p.get_attr("IFLA_ADDRESS")).lower()
                for p in ipr.get_links()
                if p.get_attr("IFLA_MASTER") == idx[0]
            )
            found[name] = ExistingLink(
                name,
                kind == "bridge",
                addrs,
                is_up=bool(link["flags"] & _IFF_UP),
                mtu=int(link.get_attr("IFLA_MTU")),
                mac=str(link.get_attr("IFLA_ADDRESS")).lower(),
                has_fixed_mac=_fixed_mac(name),
                port_macs=ports,
            )
    return found


@dataclass
class Fabric:
    """The namespaces of a built case.

    Attributes:
        fabric_ns: the namespace holding created bridges and routing (or None).
        host_ns: host key -> namespace name.
        impaired: host keys with an nftables loss rule (counters to read).
    """

    fabric_ns: str | None
    host_ns: dict[str, str]
    impaired: list[str] = field(default_factory=list)

    def impairment_drops(self) -> dict[str, dict[str, int]]:
        """Packets each loss rule dropped: ``{host: {egress: n, ingress: n}}``."""
        if self.fabric_ns is None or not self.impaired:
            return {}
        raw = _run(
            ["ip", "netns", "exec", self.fabric_ns, "nft", "-j", "list", "counters"]
        )
        out: dict[str, dict[str, int]] = {}
        for item in json.loads(raw).get("nftables", []):
            counter = item.get("counter")
            if not counter or counter.get("table") != _NFT_TABLE:
                continue
            host, _, direction = str(counter["name"]).rpartition("_")
            out.setdefault(host, {})[direction] = int(counter["packets"])
        return out


def _run(args: list[str], stdin: str | None = None) -> str:
    proc = subprocess.run(
        args, input=stdin, capture_output=True, text=True, check=False
    )
    if proc.returncode != 0:
        raise TopologyError(f"{' '.join(args)} failed: {proc.stderr.strip()}")
    return proc.stdout


def _netem(ns: str, dev: str, imp: Impairment) -> None:
    args = ["ip", "netns", "exec", ns, "tc", "qdisc", "add", "dev", dev, "root"]
    args += ["netem", "delay", f"{imp.delay * 1000:.0f}us"]
    if imp.jitter:
        args.append(f"{imp.jitter * 1000:.0f}us")
    _run(args)


def _loss_rules(link: HostLink) -> list[str]:
    key, peer = link.host.key, link.fabric_port
    tp = link.host.talk_point
    rules: list[str] = []
    # Host egress = frames entering the fabric on the peer; host ingress = frames
    # leaving it there. Both drops are silent for the sender, as on a wire.
    for direction, imp, hook in (
        ("egress", tp.egress, "ingress"),
        ("ingress", tp.ingress, "egress"),
    ):
        if imp is None or not imp.loss:
            continue
        per_million = round(imp.loss * 10_000)
        match = (
            ""
            if per_million >= 1_000_000
            else f"numgen random mod 1000000 < {per_million} "
        )
        rules += [
            f"  counter {key}_{direction} {{}}",
            f"  chain {key}_{direction} {{",
            f'    type filter hook {hook} device "{peer}" priority 0;',
            f"    {match}counter name {key}_{direction} drop",
            "  }",
        ]
    return rules


def _wire_shim(lab: Lab, link: HostLink, ns: str, fabric_ns: str) -> None:
    # host eth0 -- <key>p [bridge <key>b] <key>u -- peer (root) on the existing bridge
    key = link.host.key
    lab.add_veth(HOST_IFNAME, ns, f"{key}p", fabric_ns, mtu=link.mtu)
    lab.add_bridge(f"{key}b", netns=fabric_ns)
    lab.set_master(f"{key}p", f"{key}b", netns=fabric_ns)
    lab.add_veth(link.peer, None, f"{key}u", fabric_ns, mac=link.peer_mac, mtu=link.mtu)
    lab.set_master(f"{key}u", f"{key}b", netns=fabric_ns)


def _wire(lab: Lab, link: HostLink, ns: str, fabric_ns: str | None) -> None:
    if link.shim:
        assert fabric_ns is not None
        _wire_shim(lab, link, ns, fabric_ns)
    elif link.existing:
        # Root end first, so that the lab records (and removes) the link that sits
        # on the existing bridge, not only the namespace it came from. Its MTU and
        # a high MAC keep the bridge's own MTU and MAC as they are.
        lab.add_veth(link.peer, None, HOST_IFNAME, ns, mac=link.peer_mac, mtu=link.mtu)
    else:
        lab.add_veth(HOST_IFNAME, ns, link.peer, fabric_ns)
    lab.set_master(link.peer, link.bridge, netns=None if link.existing else fabric_ns)


def build_fabric(lab: Lab, plan: TopologyPlan) -> Fabric:
    """Create every namespace, bridge and link of ``plan`` in ``lab``."""
    fabric_ns: str | None = None
    if plan.needs_fabric:
        fabric_ns = lab.add_netns("fab")
        lab.sysctl(fabric_ns, "net.ipv4.ip_forward", "1")
        for bridge in plan.bridges:
            lab.add_bridge(bridge.name, netns=fabric_ns)
            for gw in bridge.gateways:
                lab.add_address(bridge.name, str(gw), netns=fabric_ns)
    fabric = Fabric(fabric_ns, {})
    nft: list[str] = []
    for link in plan.links:
        host = link.host
        tp = host.talk_point
        ns = lab.add_netns(host.key)
        fabric.host_ns[host.key] = ns
        _wire(lab, link, ns, fabric_ns)
        lab.add_address(HOST_IFNAME, str(tp.ip), netns=ns)
        if tp.gw is not None:
            lab.add_route("default", gateway=str(tp.gw), netns=ns)
        if tp.egress is not None and tp.egress.needs_netem:
            _netem(ns, HOST_IFNAME, tp.egress)
        port = link.fabric_port
        if tp.ingress is not None and tp.ingress.needs_netem and port is not None:
            assert fabric_ns is not None
            _netem(fabric_ns, port, tp.ingress)
        rules = _loss_rules(link)
        if rules:
            nft += rules
            fabric.impaired.append(host.key)
    if nft and fabric_ns is not None:
        script = "\n".join([f"table netdev {_NFT_TABLE} {{", *nft, "}"]) + "\n"
        _run(["ip", "netns", "exec", fabric_ns, "nft", "-f", "-"], stdin=script)
    return fabric


def describe(fabric: Fabric, plan: TopologyPlan) -> dict[str, Any]:
    """A JSON-friendly description of what was built (for reports)."""
    return {
        "fabric_netns": fabric.fabric_ns,
        "bridges_created": [b.name for b in plan.bridges],
        "bridges_existing": sorted({lk.bridge for lk in plan.links if lk.existing}),
        "hosts": {
            lk.host.key: {
                "netns": fabric.host_ns.get(lk.host.key),
                "ip": str(lk.host.talk_point.ip),
                "bridge": lk.bridge,
                "via_fabric": lk.fabric_port is not None,
            }
            for lk in plan.links
        },
    }
