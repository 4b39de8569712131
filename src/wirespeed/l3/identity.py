"""A test port's layer-3 identity: its addresses, gateways, VLAN and what it answers.

A port with an identity answers ARP, IPv6 neighbour solicitations and echo requests
for its own addresses (each switchable, as Xena's ``P_ARPREPLY``, ``P_PINGREPLY``,
``P_ARPV6REPLY`` and ``P_PINGV6REPLY`` switch them), resolves its gateways, and sends
streams whose destination MAC is "from resolution" to the MAC it resolved.

Everything is checked once, when the identity is made (:meth:`L3Identity.parse`):
an address outside its prefix, a gateway outside the port's subnet or equal to the
port's own address, a VLAN outside 1-4094 -- each a :class:`ConfigError` naming the
field.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, replace
from ipaddress import IPv4Address, IPv4Interface, IPv6Address, IPv6Interface

from wirespeed.errors import ConfigError

__all__ = ["IPAddress", "L3Identity", "parse_address"]

IPAddress = IPv4Address | IPv6Address


def parse_address(value: object, field: str) -> IPAddress:
    """``"198.18.1.1"`` or ``"2001:2::1"`` -> an address; else a ConfigError."""
    try:
        return ipaddress.ip_address(str(value).strip())
    except ValueError:
        raise ConfigError(f"not an IP address: {value!r}", field=field) from None


@dataclass(frozen=True)
class L3Identity:
    """Addresses (with prefix), gateways, VLAN and answering switches of a port.

    A port without addresses is a layer-2 port: it answers nothing and resolves
    nothing, as before.
    """

    ipv4: IPv4Interface | None = None
    gateway4: IPv4Address | None = None
    ipv6: IPv6Interface | None = None
    gateway6: IPv6Address | None = None
    vlan: int | None = None
    arp_reply: bool = True
    ping_reply: bool = True
    ndp_reply: bool = True
    ping6_reply: bool = True
    gratuitous: bool = False
    """Send a gratuitous ARP / unsolicited neighbour advertisement when traffic
    starts (switches and routers learn the port's MAC before the first frame)."""

    def family_addresses(self, version: int) -> tuple[object, ...]:
        """What resolving neighbours of IP ``version`` (4 or 6) depends on: that
        family's address and gateway, and the VLAN."""
        if version == 4:
            return (self.ipv4, self.gateway4, self.vlan)
        return (self.ipv6, self.gateway6, self.vlan)

    @property
    def is_l3(self) -> bool:
        """The port has an address of either family."""
        return self.ipv4 is not None or self.ipv6 is not None

    @classmethod
    def parse(
        cls,
        *,
        ipv4: object = None,
        gateway: object = None,
        ipv6: object = None,
        gateway6: object = None,
        vlan: object = None,
        where: str = "",
    ) -> L3Identity:
        """An identity from user input (ports file, API, a front end's values).

        ``ipv4``/``ipv6`` are ``address/prefix`` (no prefix: a host route, /32 or
        /128); ``where`` prefixes the field names in errors (``"ports.0."``).

        Raises:
            ConfigError: naming the field that is wrong.
        """
        v4 = None if ipv4 is None else _interface(ipv4, 4, where + "ipv4")
        v6 = None if ipv6 is None else _interface(ipv6, 6, where + "ipv6")
        gw4 = None if gateway is None else _address(gateway, 4, where + "gateway")
        gw6 = None if gateway6 is None else _address(gateway6, 6, where + "gateway6")
        assert v4 is None or isinstance(v4, IPv4Interface)
        assert v6 is None or isinstance(v6, IPv6Interface)
        assert gw4 is None or isinstance(gw4, IPv4Address)
        assert gw6 is None or isinstance(gw6, IPv6Address)
        tag = None if vlan is None else _vlan(vlan, where + "vlan")
        ident = cls(v4, gw4, v6, gw6, tag)
        ident.check(where)
        return ident

    def check(self, where: str = "") -> None:
        """Raise ConfigError if the addresses do not fit together."""
        for iface, gw, name in (
            (self.ipv4, self.gateway4, "gateway"),
            (self.ipv6, self.gateway6, "gateway6"),
        ):
            if iface is not None:
                _check_host(iface, where + ("ipv4" if iface.version == 4 else "ipv6"))
            if gw is None:
                continue
            if iface is None:
                family = "ipv4" if gw.version == 4 else "ipv6"
                raise ConfigError(
                    f"a gateway needs the port's own {family} address",
                    field=where + name,
                )
            if gw not in iface.network:
                raise ConfigError(
                    f"{gw} is outside the port's subnet {iface.network}",
                    field=where + name,
                )
            if gw == iface.ip:
                raise ConfigError(f"{gw} is the port's own address", field=where + name)
        if self.vlan is not None:
            _vlan(self.vlan, where + "vlan")

    def with_changes(self, **changes: object) -> L3Identity:
        """A copy with ``changes`` applied, checked again."""
        ident = replace(self, **changes)  # type: ignore[arg-type]
        ident.check()
        return ident

    def owns(self, addr: IPAddress) -> bool:
        """``addr`` is one of the port's own addresses."""
        own = self.ipv4 if addr.version == 4 else self.ipv6
        return own is not None and own.ip == addr

    def is_own_vlan(self, vlan: int | None) -> bool:
        """A frame of ``vlan`` (None: untagged) is on the port: tagged with the
        port's VLAN, or untagged when the port has none."""
        return vlan == self.vlan

    def source_for(self, addr: IPAddress) -> IPAddress | None:
        """The port's own address of ``addr``'s family (``None``: it has none)."""
        own = self.ipv4 if addr.version == 4 else self.ipv6
        return None if own is None else own.ip

    def next_hop(self, dst: IPAddress) -> IPAddress:
        """The address whose MAC frames to ``dst`` go to: ``dst`` itself when it
        is on the port's subnet, else the gateway of its family.

        Raises:
            ConfigError: the port has no address of that family, or ``dst`` is
                off-link and there is no gateway.
        """
        own = self.ipv4 if dst.version == 4 else self.ipv6
        gw = self.gateway4 if dst.version == 4 else self.gateway6
        family = "ipv4" if dst.version == 4 else "ipv6"
        if own is None:
            raise ConfigError(f"the port has no {family} address", field=family)
        if dst in own.network:
            return dst
        if gw is None:
            raise ConfigError(
                f"{dst} is not on the port's subnet {own.network} and the port "
                "has no gateway",
                field="gateway" if dst.version == 4 else "gateway6",
            )
        return gw

    def describe(self) -> str:
        """``198.18.1.2/24 via 198.18.1.1, 2001:2:0:1::2/64 via ...`` (or
        ``L2``)."""
        parts = []
        for iface, gw in ((self.ipv4, self.gateway4), (self.ipv6, self.gateway6)):
            if iface is not None:
                parts.append(f"{iface}" + (f" via {gw}" if gw is not None else ""))
        if self.vlan is not None:
            parts.append(f"vlan {self.vlan}")
        return ", ".join(parts) if parts else "L2"


def _interface(
    value: object, version: int, field: str
) -> IPv4Interface | IPv6Interface:
    text = str(value).strip()
    try:
        iface = ipaddress.ip_interface(text)
    except ValueError:
        raise ConfigError(
            f"not an address with prefix (like 198.18.1.2/24): {value!r}", field=field
        ) from None
    if iface.version != version:
        raise ConfigError(f"{text} is not an IPv{version} address", field=field)
    return iface


def _address(value: object, version: int, field: str) -> IPv4Address | IPv6Address:
    addr = parse_address(value, field)
    if addr.version != version:
        raise ConfigError(f"{addr} is not an IPv{version} address", field=field)
    return addr


def _check_host(iface: IPv4Interface | IPv6Interface, field: str) -> None:
    net = iface.network
    if iface.ip.is_multicast or iface.ip.is_unspecified:
        raise ConfigError(f"{iface.ip} cannot be a port's address", field=field)
    if iface.version == 4 and net.prefixlen < 31:
        if iface.ip == net.network_address:
            raise ConfigError(
                f"{iface.ip} is the network address of {net}", field=field
            )
        if iface.ip == net.broadcast_address:
            raise ConfigError(
                f"{iface.ip} is the broadcast address of {net}", field=field
            )


def _vlan(value: object, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigError(f"a VLAN id is a number, got {value!r}", field=field)
    if not 1 <= value <= 4094:
        raise ConfigError(f"VLAN id {value} is outside 1-4094", field=field)
    return value
