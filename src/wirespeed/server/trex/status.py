"""The port status and attribute objects TRex clients read."""

from __future__ import annotations

from typing import Any, Protocol

from wirespeed.server.trex.layer import layer_cfg, vlan_tags
from wirespeed.server.trex.portview import PortView
from wirespeed.service import Tester

__all__ = [
    "StatusSource",
    "cores_per_port",
    "dp_core_count",
    "port_attr",
    "port_status",
]


class StatusSource(Protocol):
    """What the status objects are read from (:class:`.frontend.TrexFrontEnd`)."""

    @property
    def tester(self) -> Tester:
        """The tester service."""

    @property
    def views(self) -> list[PortView]:
        """The TRex view of each port."""

    @property
    def port_count(self) -> int:
        """Number of ports."""


def dp_core_count(fe: StatusSource) -> int:
    """Data-plane cores (TRex's DP threads): the ports' TX/RX worker sets."""
    return len(fe.tester.cpu_utilization()) or fe.port_count


def cores_per_port(fe: StatusSource) -> int:
    """Data-plane cores each port sends with (bits of ``start_traffic.core_mask``)."""
    return max(1, dp_core_count(fe) // max(1, fe.port_count))


def port_attr(fe: StatusSource, port: int) -> dict[str, Any]:
    """The ``attr`` object of ``get_port_status`` (``speed`` in Gb/s)."""
    info = fe.tester.ports[port]
    view = fe.views[port]
    gbps = int(info.speed_bps) / 1e9
    return {
        "speed": int(gbps) if gbps.is_integer() else gbps,
        "link": {"up": bool(info.link_up)},
        "promiscuous": {"enabled": bool(info.promiscuous)},
        "multicast": {"enabled": view.multicast},
        "fc": {"mode": 0},
        "vlan": {"tags": vlan_tags(info)},
        "rx_filter_mode": view.rx_filter_mode,
        "vxlan_fs": [],
        "layer_cfg": layer_cfg(info),
    }


def port_status(fe: StatusSource, port: int) -> dict[str, Any]:
    """The ``get_port_status`` result."""
    view = fe.views[port]
    res = fe.tester.reservation(port)
    state = fe.tester.port_state(port).name  # TX already while a start waits
    streams = fe.tester.streams(port)
    profiles: dict[str, str] = {}
    if streams or state != "IDLE":
        profiles[view.profile_id or "_"] = state
    return {
        "owner": res.owner if res is not None else "",
        "state": state,
        "state_profile": profiles,
        "max_stream_id": max(streams, default=0),
        "service": view.service,
        "service_filtered": view.service_filtered,
        "speed": int(fe.tester.ports[port].speed_bps) // 1_000_000,
        "attr": port_attr(fe, port),
        "rx_info": {
            "queue": {
                "is_active": view.rx_queue_size > 0,
                "count": 0,
                "size": view.rx_queue_size,
            },
            "grat_arp": {"is_active": False, "interval_sec": 0},
        },
    }
