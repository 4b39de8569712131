"""What the TRex front end remembers about each port beyond the shared tester model.

The tester holds streams, ownership, state and counters. TRex clients also see a
layer configuration (L2 destination MAC or L3 addresses), service mode, the RX queue
feature, a profile id, and the exact stream JSON they added (``get_all_streams`` must
return it unchanged so that ``STLStream.from_json`` reloads it). Those live here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["BROADCAST_MAC", "PortView"]

BROADCAST_MAC = "ff:ff:ff:ff:ff:ff"


@dataclass
class PortView:
    """TRex-only state of one port.

    Attributes:
        index: the port index.
        src_mac: the port's own MAC (written into frames whose ``flags`` bit 0 is 0).
        dst_mac: the configured L2 destination (written into frames whose dst mode
            is 0): the cabled peer's MAC by default, set by ``set_l2``/``set_l3``.
        ipv4_src / ipv4_dst: L3 mode addresses (``None`` in L2 mode).
        ipv4_resolved: in L3 mode, whether ``dst_mac`` came with ``resolved_mac``.
        service / service_filtered / service_mask: TRex service mode flags.
        rx_queue_size: the RX queue feature (0 = off).
        multicast / rx_filter_mode: reported attributes.
        profile_id: the profile that holds this port's streams (one per port).
        stream_json: the stream objects as ``add_stream`` received them.
        pg_of_stream: stream id -> pg_id for streams with flow stats.
    """

    index: int
    src_mac: str
    dst_mac: str
    ipv4_src: str | None = None
    ipv4_dst: str | None = None
    ipv4_resolved: bool = False
    service: bool = False
    service_filtered: bool = False
    service_mask: int = 0
    rx_queue_size: int = 0
    multicast: bool = False
    rx_filter_mode: str = "hw"
    profile_id: str | None = None
    stream_json: dict[int, dict[str, Any]] = field(default_factory=dict)
    pg_of_stream: dict[int, int] = field(default_factory=dict)

    def layer_cfg(self) -> dict[str, Any]:
        """The ``attr.layer_cfg`` object of ``get_port_status``."""
        if self.ipv4_src is None:
            ipv4: dict[str, Any] = {"state": "none"}
        else:
            ipv4 = {
                "state": "resolved" if self.ipv4_resolved else "unresolved",
                "src": self.ipv4_src,
                "dst": self.ipv4_dst,
            }
        return {
            "ether": {"src": self.src_mac, "dst": self.dst_mac, "state": "configured"},
            "ipv4": ipv4,
            "ipv6": {"enabled": False},
        }
