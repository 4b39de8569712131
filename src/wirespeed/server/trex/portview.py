"""What the TRex front end remembers about each port beyond the shared tester model.

The tester holds streams, ownership, state, counters and the port's identity (its
addresses, destination MAC and resolved neighbours: TRex's layer configuration is
read from there, :mod:`.layer`). TRex clients also see service mode, the RX queue
feature, a profile id, and the exact stream JSON they added (``get_all_streams``
must return it unchanged so that ``STLStream.from_json`` reloads it). Those live
here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["PortView"]


@dataclass
class PortView:
    """TRex-only state of one port.

    Attributes:
        index: the port index.
        service / service_filtered / service_mask: TRex service mode flags.
        rx_queue_size: the RX queue feature (0 = off).
        multicast / rx_filter_mode: reported attributes.
        profile_id: the profile that holds this port's streams (one per port).
        stream_json: the stream objects as ``add_stream`` received them.
        pg_of_stream: stream id -> pg_id for streams with flow stats.
    """

    index: int
    service: bool = False
    service_filtered: bool = False
    service_mask: int = 0
    rx_queue_size: int = 0
    multicast: bool = False
    rx_filter_mode: str = "hw"
    profile_id: str | None = None
    stream_json: dict[int, dict[str, Any]] = field(default_factory=dict)
    pg_of_stream: dict[int, int] = field(default_factory=dict)
