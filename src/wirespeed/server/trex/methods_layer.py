"""Layer configuration methods: ``set_l2``, ``set_l3``, ``conf_ipv6``, ``set_vlan``.

Each one changes the tester's identity of the port (:mod:`.layer` translates); the
port's service worker answers ARP, neighbour solicitations and pings for the
addresses it is given, and streams "to the port's destination" go to the MAC set
here or resolved for the gateway.
"""

from __future__ import annotations

import ipaddress
import re

from wirespeed.errors import StateError, ValidationError
from wirespeed.server.trex.dispatch import Method, MethodTable
from wirespeed.server.trex.frontend import TrexFrontEnd
from wirespeed.server.trex.layer import ipv4_identity, ipv6_identity
from wirespeed.server.trex.params import Params

__all__ = ["read_mac", "register", "require_service"]

_MAC_RE = re.compile(r"^([0-9a-fA-F]{2}:){5}[0-9a-fA-F]{2}$")


def read_mac(p: Params, name: str) -> str:
    """A MAC parameter, lower case."""
    value = p.str(name, max_len=64)
    if not _MAC_RE.match(value):
        raise ValidationError(f"{value!r} is not a MAC address", field=name)
    return value.lower()


def _ipv4(p: Params, name: str) -> str:
    value = p.str(name, max_len=64)
    try:
        return str(ipaddress.IPv4Address(value))
    except ValueError as exc:
        raise ValidationError(f"{value!r} is not an IPv4 address", field=name) from exc


def require_service(
    fe: TrexFrontEnd, port: int, method: str, *, idle: bool = True
) -> None:
    """As on TRex: ``method`` needs the port in service mode (and, with
    ``idle``, not transmitting)."""
    if not fe.views[port].service:
        raise StateError(f"{method} needs service mode on port {port}", port=port)
    if idle and fe.tester.port_state(port).name in ("TX", "PAUSE"):
        raise StateError(f"port {port} is transmitting", port=port)


def _set_l2(fe: TrexFrontEnd, p: Params) -> object:
    port = fe.owned_port(p)
    dst = read_mac(p, "dst_mac")
    p.bool("block", default=False)
    require_service(fe, port, "set_l2")
    svc = fe.tester.services
    ident = svc.l3(port)
    if ident.ipv4 is not None:
        svc.set_l3(port, ident.with_changes(ipv4=None, gateway4=None))
    svc.set_dst_mac(port, dst)
    return {}


def _set_l3(fe: TrexFrontEnd, p: Params) -> object:
    port = fe.owned_port(p)
    src = _ipv4(p, "src_addr")
    dst = _ipv4(p, "dst_addr")
    resolved = read_mac(p, "resolved_mac") if p.has("resolved_mac") else None
    p.bool("block", default=False)
    require_service(fe, port, "set_l3")
    svc = fe.tester.services
    ident = ipv4_identity(svc.l3(port), src, dst)
    svc.set_l3(port, ident, forget=True)  # "unresolved" until a MAC comes
    if resolved is not None:
        svc.set_neighbor(port, dst, resolved)
    return {}


def _conf_ipv6(fe: TrexFrontEnd, p: Params) -> object:
    port = fe.owned_port(p)
    enabled = p.bool("enabled")
    src = p.str("src_ipv6", default="", max_len=64)
    p.bool("block", default=False)
    require_service(fe, port, "conf_ipv6")
    svc = fe.tester.services
    mac = fe.tester.ports[port].mac
    svc.set_l3(port, ipv6_identity(svc.l3(port), mac, enabled=enabled, src=src))
    return {}


def _set_vlan(fe: TrexFrontEnd, p: Params) -> object:
    port = fe.owned_port(p)
    tags = p.int_list("vlan", lo=1, hi=4094)
    p.bool("block", default=False)
    if len(tags) > 1:
        raise ValidationError(
            "one VLAN tag at most (QinQ is not supported)", field="vlan"
        )
    if fe.tester.port_state(port).name in ("TX", "PAUSE"):
        raise StateError(f"port {port} is transmitting", port=port)
    svc = fe.tester.services
    svc.set_l3(port, svc.l3(port).with_changes(vlan=tags[0] if tags else None))
    return {}


def register(table: MethodTable) -> None:
    """Add this module's methods to ``table``."""
    table["set_l2"] = Method(_set_l2)
    table["set_l3"] = Method(_set_l3)
    table["conf_ipv6"] = Method(_conf_ipv6)
    table["set_vlan"] = Method(_set_vlan)
