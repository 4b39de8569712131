"""What the tester core hands out: port and module records, events, and the
effects (:class:`Send`, :class:`SendRx`, :class:`TrafficEvent`) its IO shell
carries out."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wirespeed.dataplane import service_messages as sm
from wirespeed.l3 import IPAddress, L3Identity
from wirespeed.topology.portspec import PortSpec
from wirespeed.tpld import TpldMode

if TYPE_CHECKING:
    from wirespeed.dataplane import messages as msg

__all__ = [
    "CaptureInfo",
    "Effect",
    "EventKind",
    "ModuleInfo",
    "PortInfo",
    "Send",
    "SendRx",
    "SendSvc",
    "TrafficEvent",
]


class EventKind(enum.Enum):
    """What happened on a port."""

    STARTED = "started"
    STOPPED = "stopped"
    PAUSED = "paused"
    RESUMED = "resumed"
    DONE = "done"  # a finite job ended by itself (bursts done or duration over)
    RESERVED = "reserved"
    RELEASED = "released"
    ERROR = "error"  # detail: message; traffic_ended (False: the port sends on)
    ATTR = "attr"


@dataclass(frozen=True)
class TrafficEvent:
    """An event delivered to subscribers."""

    kind: EventKind
    port: int
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class PortInfo:
    """A port as front ends see it (changed only through the tester)."""

    index: int
    spec: PortSpec
    module: int
    index_in_module: int
    mac: str
    speed_bps: int
    link_up: bool = True
    promiscuous: bool = True
    tpld_mode: TpldMode = TpldMode.NORMAL
    payload_checksum_offset: int = 0
    latency_offset_ns: int = 0
    fec_mode: str = "OFF"  # accepted and reported; a veth has no FEC
    l3: L3Identity = field(default_factory=L3Identity)
    dst_mac: str | None = None
    """Where frames of streams whose destination MAC is the port's go (TRex's L2
    destination, or the resolved gateway in L3 mode); the cabled peer's MAC until
    set, ``None`` when not known."""
    neighbors: tuple[tuple[IPAddress, str], ...] = ()
    """MACs resolved for this port (address, MAC), newest last."""

    def neighbor(self, addr: IPAddress) -> str | None:
        """The MAC resolved for ``addr`` (``None``: not resolved)."""
        for a, mac in reversed(self.neighbors):
            if a == addr:
                return mac
        return None

    @property
    def name(self) -> str:
        """``netns/interface`` (or just the interface)."""
        return (
            f"{self.spec.netns}/{self.spec.interface}"
            if self.spec.netns
            else self.spec.interface
        )


@dataclass(frozen=True)
class ModuleInfo:
    """A group of ports (a Xena module)."""

    index: int
    ports: tuple[int, ...]
    media: str = "QSFP56_PAM4"  # accepted and reported


@dataclass(frozen=True)
class CaptureInfo:
    """A capture as the tester knows it: where, what, and its last counts."""

    capture_id: int
    port: int
    spec: sm.CaptureSpec
    stats: sm.CaptureStats
    active: bool
    start_ns: int

    @property
    def path(self) -> Path:
        """The pcap/pcapng file."""
        return Path(self.spec.path)


@dataclass(frozen=True)
class Send:
    """A command for the TX worker of ``port``."""

    port: int
    command: msg.TxCommand


@dataclass(frozen=True)
class SendRx:
    """A command for the RX worker of ``port``."""

    port: int
    command: msg.RxCommand


@dataclass(frozen=True)
class SendSvc:
    """A command for the service worker of ``port``."""

    port: int
    command: sm.ServiceCommand


Effect = Send | SendRx | SendSvc | TrafficEvent
