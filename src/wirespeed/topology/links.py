"""Reading and setting a port's interface through netlink, in its namespace."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from pyroute2 import IPRoute, NetNS

from wirespeed.errors import PortError
from wirespeed.topology.testbed import PortSpec

__all__ = [
    "VLAN_TPIDS",
    "link_counters",
    "link_mac",
    "link_mtu",
    "max_frame_bytes",
    "set_link_state",
]

ETH_HEADER_BYTES = 14
VLAN_TAG_BYTES = 4
#: Ethertypes of a VLAN tag: a tagged frame may be 4 bytes longer.
VLAN_TPIDS = (0x8100, 0x88A8)


@contextmanager
def _ipr(spec: PortSpec) -> Iterator[Any]:
    try:
        ctx: Any = NetNS(spec.netns) if spec.netns else IPRoute()
    except OSError as exc:
        raise PortError(f"{spec.netns}: cannot open namespace: {exc}") from exc
    with ctx as ipr:
        yield ipr


def _link(ipr: Any, spec: PortSpec) -> Any:
    idx = ipr.link_lookup(ifname=spec.interface)
    if not idx:
        raise PortError(
            f"no interface {spec.interface} in {spec.netns or 'the root namespace'}"
        )
    return ipr.get_links(idx[0])[0]


def link_mac(spec: PortSpec) -> str:
    """The interface's MAC address."""
    with _ipr(spec) as ipr:
        return str(_link(ipr, spec).get_attr("IFLA_ADDRESS"))


def link_mtu(spec: PortSpec) -> int:
    """The interface's MTU.

    Raises:
        PortError: the namespace or interface is gone.
    """
    with _ipr(spec) as ipr:
        return int(_link(ipr, spec).get_attr("IFLA_MTU"))


def max_frame_bytes(mtu: int, packet: bytes) -> int:
    """The longest frame (without FCS) the kernel sends for ``packet``'s kind."""
    limit = mtu + ETH_HEADER_BYTES
    if len(packet) >= 14 and int.from_bytes(packet[12:14], "big") in VLAN_TPIDS:
        limit += VLAN_TAG_BYTES
    return limit


def set_link_state(spec: PortSpec, up: bool) -> None:
    """Set the interface administratively up or down."""
    with _ipr(spec) as ipr:
        ipr.link("set", index=_link(ipr, spec)["index"], state="up" if up else "down")


def link_counters(spec: PortSpec) -> dict[str, int]:
    """The kernel's 64-bit counters of the interface (``rx_packets``, ...)."""
    with _ipr(spec) as ipr:
        stats = _link(ipr, spec).get_attr("IFLA_STATS64")
        if stats is None:
            return {}
        return {str(k): int(v) for k, v in dict(stats).items() if isinstance(v, int)}
