"""TRex's layer configuration, read from and written to the tester's port identity.

TRex shows a port as L2 (a configured destination MAC) or L3 (a source and a
destination address, the destination resolved or not), with IPv6 on or off and a
VLAN. wirespeed keeps one identity per port (:class:`~wirespeed.l3.L3Identity`,
the port's destination MAC and its resolved neighbours), which every front end
shares; this module translates between the two and keeps no state of its own:

* L3 mode = the identity has an IPv4 address and gateway; ``dst`` is the gateway,
  ``resolved`` when the tester holds a MAC for it.
* ``set_l3 {src, dst}`` gives the port ``src`` with the longest prefix (at most /30)
  that holds both addresses (a /31 when ``src`` would be its network or broadcast
  address), ``dst`` as gateway.
* ``conf_ipv6`` without an address uses TRex's "auto" address, the link-local
  EUI-64 address of the port's MAC (the one the client's IPv6 services assume).
  It changes IPv6 alone: the IPv4 gateway stays resolved, as on TRex (whose
  IPv6 streams go to that MAC, or to one the client found by ND and set).
"""

from __future__ import annotations

import ipaddress
from ipaddress import IPv4Address, IPv4Interface, IPv6Address, IPv6Interface
from typing import Any

from wirespeed.errors import ConfigError, ValidationError
from wirespeed.l3 import L3Identity
from wirespeed.service import PortInfo

__all__ = [
    "NO_MAC",
    "auto_ipv6",
    "ipv4_identity",
    "ipv6_identity",
    "layer_cfg",
    "vlan_tags",
]

NO_MAC = "00:00:00:00:00:00"
_MAX_PREFIX = 30


def auto_ipv6(mac: str) -> IPv6Interface:
    """The link-local EUI-64 address of ``mac`` (TRex's "auto" IPv6 source)."""
    b = bytearray(bytes.fromhex(mac.replace(":", "")))
    b[0] ^= 0x02
    iid = bytes(b[:3]) + b"\xff\xfe" + bytes(b[3:])
    return IPv6Interface((IPv6Address(b"\xfe\x80" + bytes(6) + iid), 64))


def vlan_tags(info: PortInfo) -> list[int]:
    """``attr.vlan.tags``: the port's VLAN (none or one)."""
    return [] if info.l3.vlan is None else [info.l3.vlan]


def layer_cfg(info: PortInfo) -> dict[str, Any]:
    """``attr.layer_cfg`` of ``get_port_status``, from the tester's view of the
    port (a port with an IPv4 address but no gateway shows as L2: TRex's L3 mode
    needs a destination)."""
    ident = info.l3
    ether = {
        "src": info.mac,
        "dst": info.dst_mac or NO_MAC,
        "state": "configured" if info.dst_mac is not None else "unconfigured",
    }
    ipv4: dict[str, Any] = {"state": "none"}
    if ident.ipv4 is not None and ident.gateway4 is not None:
        resolved = info.neighbor(ident.gateway4) is not None
        ipv4 = {
            "state": "resolved" if resolved else "unresolved",
            "src": str(ident.ipv4.ip),
            "dst": str(ident.gateway4),
        }
    ipv6: dict[str, Any] = {"enabled": False}
    if ident.ipv6 is not None:
        is_auto = ident.ipv6 == auto_ipv6(info.mac)
        ipv6 = {"enabled": True, "src": "" if is_auto else str(ident.ipv6.ip)}
    return {"ether": ether, "ipv4": ipv4, "ipv6": ipv6}


def _subnet(src: IPv4Address, dst: IPv4Address) -> IPv4Interface:
    """``src`` in the smallest subnet (/30 or wider) holding both; a /31 when
    ``src`` would be that subnet's network or broadcast address."""
    prefix = min(_MAX_PREFIX, 32 - (int(src) ^ int(dst)).bit_length())
    net = ipaddress.IPv4Network((src, prefix), strict=False)
    if src not in (net.network_address, net.broadcast_address):
        return IPv4Interface((src, prefix))
    if int(src) >> 1 == int(dst) >> 1:
        return IPv4Interface((src, 31))
    edge = "network" if src == net.network_address else "broadcast"
    raise ValidationError(
        f"{src} is the {edge} address of {net}, the smallest subnet holding {dst}",
        field="src_addr",
    )


def ipv4_identity(current: L3Identity, src: str, dst: str) -> L3Identity:
    """``current`` in L3 mode: address ``src`` (see the module doc), gateway
    ``dst``; IPv6 and VLAN kept.

    Raises:
        ValidationError: the addresses do not fit together (naming the field).
    """
    a, b = IPv4Address(src), IPv4Address(dst)
    if a == b:
        raise ValidationError(f"{dst} is the port's own address", field="dst_addr")
    try:
        return current.with_changes(ipv4=_subnet(a, b), gateway4=b)
    except ConfigError as exc:
        raise ValidationError(exc.reason, field="src_addr") from exc


def ipv6_identity(
    current: L3Identity, mac: str, *, enabled: bool, src: str
) -> L3Identity:
    """``current`` with IPv6 off, on with ``src`` (a /64), or on with the "auto"
    address (``src`` empty); a gateway outside the new subnet is dropped.

    Raises:
        ValidationError: ``src`` is not an IPv6 host address (field ``src_ipv6``).
    """
    if not enabled:
        return current.with_changes(ipv6=None, gateway6=None)
    if not src:
        iface = auto_ipv6(mac)
    else:
        try:
            iface = IPv6Interface((IPv6Address(src), 64))
        except ValueError as exc:
            raise ValidationError(
                f"{src!r} is not an IPv6 address", field="src_ipv6"
            ) from exc
    gw = current.gateway6
    if gw is not None and (gw not in iface.network or gw == iface.ip):
        gw = None
    try:
        return current.with_changes(ipv6=iface, gateway6=gw)
    except ConfigError as exc:
        raise ValidationError(exc.reason, field="src_ipv6") from exc
