"""The largest frame a port's interface accepts (read once per port)."""

from __future__ import annotations

from typing import Any

from pyroute2 import IPRoute, NetNS

from wirespeed.errors import PortError
from wirespeed.topology.testbed import PortSpec

__all__ = ["VLAN_TPIDS", "link_mtu", "max_frame_bytes"]

ETH_HEADER_BYTES = 14
VLAN_TAG_BYTES = 4
#: Ethertypes of a VLAN tag: a tagged frame may be 4 bytes longer.
VLAN_TPIDS = (0x8100, 0x88A8)


def link_mtu(spec: PortSpec) -> int:
    """The interface's MTU (netlink, inside the port's namespace).

    Raises:
        PortError: the namespace or interface is gone.
    """
    try:
        ctx: Any = NetNS(spec.netns) if spec.netns else IPRoute()
    except OSError as exc:
        raise PortError(f"{spec.netns}: cannot open namespace: {exc}") from exc
    with ctx as ipr:
        idx = ipr.link_lookup(ifname=spec.interface)
        if not idx:
            raise PortError(f"no interface {spec.interface} in {spec.netns}")
        return int(ipr.get_links(idx[0])[0].get_attr("IFLA_MTU"))


def max_frame_bytes(mtu: int, packet: bytes) -> int:
    """The longest frame (without FCS) the kernel sends for ``packet``'s kind."""
    limit = mtu + ETH_HEADER_BYTES
    if len(packet) >= 14 and int.from_bytes(packet[12:14], "big") in VLAN_TPIDS:
        limit += VLAN_TAG_BYTES
    return limit
