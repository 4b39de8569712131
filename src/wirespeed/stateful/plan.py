"""The topology a case needs, worked out before anything is created.

Each talk point becomes a host namespace with one veth, whose peer is attached to the
talk point's bridge. A bridge that already exists in the root namespace is used as it
is (our veth peer joins it, nothing else changes). Bridges that do not exist are
created inside one private *fabric* namespace, which also routes between them: it
holds every talk point's gateway address on the bridge of that gateway's subnet and
forwards IPv4, standing in for the path (an SD-WAN tunnel in the original test beds)
between the client and server sides.

Impairments act where the host's link enters the fabric namespace, as on a wire
(the host's own kernel never sees the drop). A host on an existing bridge that has
an impairment gets a little bridge of its own in the fabric namespace, between its
link and the veth that joins the existing bridge, so the impairment has a place
that is ours.

:func:`plan_topology` checks what can only be checked against bridges (a talk point
outside its bridge's subnet, a name that is not a bridge, overlapping subnets) and
raises :class:`~wirespeed.errors.ConfigError` naming the field. Pure: the state of
existing bridges is an argument.

An existing bridge is left exactly as it is, which takes care: the kernel gives a
bridge whose MAC address was never set the lowest MAC of its ports, and the lowest
MTU of its ports (unless that was set). So the port wirespeed adds gets the bridge's
MTU and a MAC above the usual ranges (``fe:ff:ff:..``; libvirt's taps are
``fe:54:00:..``), and a bridge whose MAC would still change (no ports and no fixed
address) is refused with an error instead of being modified.
"""

from __future__ import annotations

import hashlib
import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass

from wirespeed.errors import ConfigError
from wirespeed.stateful.case import CaseSpec, HostSpec

__all__ = [
    "HOST_IFNAME",
    "PEER_MAC_PREFIX",
    "BridgePlan",
    "ExistingLink",
    "HostLink",
    "TopologyPlan",
    "check_impairments",
    "peer_mac",
    "plan_topology",
]

HOST_IFNAME = "eth0"
PEER_MAC_PREFIX = "fe:ff:ff"


@dataclass(frozen=True)
class ExistingLink:
    """An interface found in the root namespace under a bridge name of the case.

    Attributes:
        name: the interface name.
        is_bridge: True for a Linux bridge.
        addresses: its IPv4 addresses.
        is_up: administratively up (``IFF_UP``).
        mtu: its MTU.
        mac: its MAC address (lower case, colon separated).
        has_fixed_mac: its MAC was set explicitly (``addr_assign_type`` 3), so the
            kernel never replaces it with a port's.
        port_macs: the MAC addresses of its ports.
    """

    name: str
    is_bridge: bool
    addresses: tuple[ipaddress.IPv4Interface, ...] = ()
    is_up: bool = True
    mtu: int = 1500
    mac: str = ""
    has_fixed_mac: bool = True
    port_macs: tuple[str, ...] = ()


@dataclass(frozen=True)
class BridgePlan:
    """A bridge to create in the fabric namespace, with the gateway addresses."""

    name: str
    subnet: ipaddress.IPv4Network
    gateways: tuple[ipaddress.IPv4Interface, ...]
    defined_by: str


@dataclass(frozen=True)
class HostLink:
    """How one host is wired: its veth peer and the bridge the peer joins.

    Attributes:
        host: the host.
        bridge: the bridge the peer joins.
        existing: the bridge exists in the root namespace (and stays as it is).
        peer: the name of the veth end on the bridge.
        peer_mac: the MAC of that end (existing bridges only; else the kernel's).
        mtu: the MTU of both veth ends (an existing bridge's; else the default).
        shim: the host is on an existing bridge through a bridge of its own in the
            fabric namespace (``<key>b``, ports ``<key>p`` to the host and
            ``<key>u`` to ``peer``), where its impairments are.
    """

    host: HostSpec
    bridge: str
    existing: bool
    peer: str
    peer_mac: str | None = None
    mtu: int | None = None
    shim: bool = False

    @property
    def fabric_port(self) -> str | None:
        """The fabric namespace's end of the host's link (impairments go there)."""
        if self.existing and not self.shim:
            return None
        return f"{self.host.key}p"


@dataclass(frozen=True)
class TopologyPlan:
    """Everything to create for a case."""

    bridges: tuple[BridgePlan, ...]
    links: tuple[HostLink, ...]

    @property
    def needs_fabric(self) -> bool:
        """True if some bridge must be created (in the fabric namespace)."""
        return bool(self.bridges) or any(link.shim for link in self.links)

    def link(self, host_key: str) -> HostLink:
        """The link of host ``host_key``."""
        for link in self.links:
            if link.host.key == host_key:
                return link
        raise KeyError(host_key)


def peer_mac(peer: str) -> str:
    """The MAC of the veth end named ``peer`` on an existing bridge (unicast, local).

    Above every MAC outside ``fe:ff:ff:..``, so it never becomes the lowest port MAC
    of a bridge that has another port; derived from the (unique) name.
    """
    tail = hashlib.sha256(peer.encode()).digest()[:3]
    return PEER_MAC_PREFIX + "".join(f":{b:02x}" for b in tail)


def _mac_value(mac: str) -> int:
    return int(mac.replace(":", ""), 16)


def _check_existing(host: HostSpec, found: ExistingLink) -> None:
    tp = host.talk_point
    if not found.is_bridge:
        raise ConfigError(
            f"{found.name} exists but is not a bridge", field=f"{host.field}.to_bridge"
        )
    if not found.is_up:
        raise ConfigError(
            f"bridge {found.name} exists but is down (wirespeed leaves it as it is)",
            field=f"{host.field}.to_bridge",
        )
    if found.addresses and not any(tp.ip.ip in a.network for a in found.addresses):
        nets = ", ".join(str(a.network) for a in found.addresses)
        raise ConfigError(
            f"{tp.ip.ip} is outside the subnet of bridge {found.name} ({nets})",
            field=f"{host.field}.ip",
        )


def plan_topology(
    case: CaseSpec,
    existing: Mapping[str, ExistingLink],
    *,
    root_prefix: str,
) -> TopologyPlan:
    """Work out the bridges and links of ``case``.

    Args:
        case: the checked case.
        existing: interfaces of the root namespace named like a bridge of the case.
        root_prefix: a unique prefix for veth peers that land in the root namespace
            (at most 10 characters, so that prefix + host key fits in 15).

    Raises:
        ConfigError: naming the talk point field that does not fit.
    """
    if len(root_prefix) > 10:
        raise ValueError("root_prefix must be at most 10 characters")
    subnets: dict[str, tuple[ipaddress.IPv4Network, str]] = {}
    gateways: dict[str, list[ipaddress.IPv4Interface]] = {}
    links: list[HostLink] = []
    for host in case.hosts:
        tp = host.talk_point
        found = existing.get(tp.to_bridge)
        if found is not None:
            _check_existing(host, found)
            peer = f"{root_prefix}{host.key}"
            shim = tp.egress is not None or tp.ingress is not None
            links.append(
                HostLink(
                    host, tp.to_bridge, True, peer, peer_mac(peer), found.mtu, shim
                )
            )
            continue
        _plan_created(host, subnets, gateways)
        links.append(HostLink(host, tp.to_bridge, False, f"{host.key}p"))
    bridges = tuple(
        BridgePlan(name, net, tuple(gateways[name]), where)
        for name, (net, where) in subnets.items()
    )
    _check_bridge_macs(links, existing)
    _check_names(subnets, case)
    return TopologyPlan(bridges, tuple(links))


def _plan_created(
    host: HostSpec,
    subnets: dict[str, tuple[ipaddress.IPv4Network, str]],
    gateways: dict[str, list[ipaddress.IPv4Interface]],
) -> None:
    """Record the subnet and gateway of a host on a bridge that will be created."""
    tp = host.talk_point
    net = tp.ip.network
    if tp.to_bridge not in subnets:
        for other, (onet, where) in subnets.items():
            if net.overlaps(onet):
                raise ConfigError(
                    f"{net} overlaps {onet} of bridge {other} ({where})",
                    field=f"{host.field}.ip",
                )
        subnets[tp.to_bridge] = (net, host.field)
        gateways[tp.to_bridge] = []
    subnet, where = subnets[tp.to_bridge]
    if net != subnet:
        raise ConfigError(
            f"{tp.ip} is outside the subnet {subnet} of bridge {tp.to_bridge}"
            f" (set by {where})",
            field=f"{host.field}.ip",
        )
    if tp.gw is not None:
        gw = ipaddress.IPv4Interface(f"{tp.gw}/{subnet.prefixlen}")
        if gw not in gateways[tp.to_bridge]:
            gateways[tp.to_bridge].append(gw)


def _check_bridge_macs(
    links: list[HostLink], existing: Mapping[str, ExistingLink]
) -> None:
    ours: dict[str, list[HostLink]] = {}
    for link in links:
        if link.existing:
            ours.setdefault(link.bridge, []).append(link)
    for name, mine in ours.items():
        found = existing[name]
        if found.has_fixed_mac:
            continue
        macs = [*found.port_macs, *(lk.peer_mac or "" for lk in mine)]
        lowest = min(macs, key=_mac_value)
        if _mac_value(lowest) != _mac_value(found.mac or "0"):
            raise ConfigError(
                f"adding a port would change the MAC address of bridge {name}: the "
                "kernel gives a bridge without a fixed address the lowest MAC of its "
                f"ports, and it has {len(found.port_macs)} port(s). Give it a fixed "
                f"address (ip link set {name} address {found.mac}) or a port first",
                field=f"{mine[0].host.field}.to_bridge",
            )


def _check_names(
    subnets: Mapping[str, tuple[ipaddress.IPv4Network, str]], case: CaseSpec
) -> None:
    # the links wirespeed may make in the fabric namespace, next to created bridges
    taken = {"lo"} | {f"{h.key}{end}" for h in case.hosts for end in "pbu"}
    for name, (_net, where) in subnets.items():
        if name in taken:
            raise ConfigError(
                f"{name!r} is the name of a link wirespeed makes next to the bridge; "
                "choose another bridge name",
                field=f"{where}.to_bridge",
            )


def check_impairments(plan: TopologyPlan, *, has_netem: bool) -> None:
    """Refuse impairments this machine cannot do honestly.

    Loss is done with nftables on the fabric namespace's end of the host's link (see
    :attr:`HostLink.fabric_port`); delay and jitter need the kernel's netem qdisc.

    Raises:
        ConfigError: naming the impairment field.
    """
    for link in plan.links:
        tp = link.host.talk_point
        form = "netem" if tp.netem is not None else "tc"
        for direction, imp in (("egress", tp.egress), ("ingress", tp.ingress)):
            if imp is None:
                continue
            where = f"{link.host.field}.{form}" + (
                "" if form == "netem" else f".{direction}"
            )
            if imp.needs_netem and not has_netem:
                knob = "delay" if imp.delay else "jitter"
                raise ConfigError(
                    "this kernel has no netem qdisc (CONFIG_NET_SCH_NETEM), so delay "
                    "and jitter cannot be emulated; loss works without it",
                    field=f"{where}.{knob}",
                )
