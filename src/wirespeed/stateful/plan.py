"""The topology a case needs, worked out before anything is created.

Each talk point becomes a host namespace with one veth, whose peer is attached to the
talk point's bridge. A bridge that already exists in the root namespace is used as it
is (our veth peer joins it, nothing else changes). Bridges that do not exist are
created inside one private *fabric* namespace, which also routes between them: it
holds every talk point's gateway address on the bridge of that gateway's subnet and
forwards IPv4, standing in for the path (an SD-WAN tunnel in the original test beds)
between the client and server sides.

:func:`plan_topology` checks what can only be checked against bridges (a talk point
outside its bridge's subnet, a name that is not a bridge, overlapping subnets) and
raises :class:`~wirespeed.errors.ConfigError` naming the field. Pure: the state of
existing bridges is an argument.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass

from wirespeed.errors import ConfigError
from wirespeed.stateful.case import CaseSpec, HostSpec

__all__ = [
    "HOST_IFNAME",
    "BridgePlan",
    "ExistingLink",
    "HostLink",
    "TopologyPlan",
    "check_impairments",
    "plan_topology",
]

HOST_IFNAME = "eth0"


@dataclass(frozen=True)
class ExistingLink:
    """An interface found in the root namespace under a bridge name of the case."""

    name: str
    is_bridge: bool
    addresses: tuple[ipaddress.IPv4Interface, ...] = ()


@dataclass(frozen=True)
class BridgePlan:
    """A bridge to create in the fabric namespace, with the gateway addresses."""

    name: str
    subnet: ipaddress.IPv4Network
    gateways: tuple[ipaddress.IPv4Interface, ...]
    defined_by: str


@dataclass(frozen=True)
class HostLink:
    """How one host is wired: its veth peer and the bridge the peer joins."""

    host: HostSpec
    bridge: str
    existing: bool
    peer: str


@dataclass(frozen=True)
class TopologyPlan:
    """Everything to create for a case."""

    bridges: tuple[BridgePlan, ...]
    links: tuple[HostLink, ...]

    @property
    def needs_fabric(self) -> bool:
        """True if some bridge must be created (in the fabric namespace)."""
        return bool(self.bridges)

    def link(self, host_key: str) -> HostLink:
        """The link of host ``host_key``."""
        for link in self.links:
            if link.host.key == host_key:
                return link
        raise KeyError(host_key)


def _check_existing(host: HostSpec, found: ExistingLink) -> None:
    tp = host.talk_point
    if not found.is_bridge:
        raise ConfigError(
            f"{found.name} exists but is not a bridge", field=f"{host.field}.to_bridge"
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
            links.append(HostLink(host, tp.to_bridge, True, f"{root_prefix}{host.key}"))
            continue
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
        links.append(HostLink(host, tp.to_bridge, False, f"{host.key}p"))
    bridges = tuple(
        BridgePlan(name, net, tuple(gateways[name]), where)
        for name, (net, where) in subnets.items()
    )
    return TopologyPlan(bridges, tuple(links))


def check_impairments(plan: TopologyPlan, *, has_netem: bool) -> None:
    """Refuse impairments this machine or this wiring cannot do honestly.

    Loss is done with nftables on the host's veth peer, inside the fabric namespace,
    so it needs a bridge that wirespeed creates. Delay and jitter need netem.

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
            if link.existing and (imp.loss or imp.needs_netem):
                raise ConfigError(
                    f"impairment needs a bridge that wirespeed creates; {link.bridge} "
                    "exists and is left untouched",
                    field=where,
                )
            if imp.needs_netem and not has_netem:
                knob = "delay" if imp.delay else "jitter"
                raise ConfigError(
                    "this kernel has no netem qdisc (CONFIG_NET_SCH_NETEM), so delay "
                    "and jitter cannot be emulated; loss works without it",
                    field=f"{where}.{knob}",
                )
