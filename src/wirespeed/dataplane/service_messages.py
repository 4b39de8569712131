"""What the controller and a port's service worker say to each other, and the
worker's counter words.

The service worker (:mod:`wirespeed.dataplane.service_worker`) answers ARP,
neighbour solicitations and pings for the port's addresses, resolves neighbours,
pings, sends single frames and runs captures. A command that wants an answer carries
a request number ``req``; the answer carries the same number.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from wirespeed.l3 import IPAddress, L3Identity

__all__ = [
    "SVC_RX_WORDS",
    "SVC_TIME_WORDS",
    "SVC_WORDS",
    "CaptureDone",
    "CaptureSpec",
    "CaptureStats",
    "CaptureStatus",
    "FramesSent",
    "Gratuitous",
    "NeighborList",
    "PingEntry",
    "PingResult",
    "QueryCaptures",
    "QueryNeighbors",
    "Resolve",
    "ResolveResult",
    "SendFrames",
    "ServiceCommand",
    "ServiceReport",
    "SetIdentity",
    "StartCapture",
    "StartPing",
    "StopCapture",
]

# ---------------------------------------------------------------- counter words
SVC_TX_PACKETS = 0
"""Every frame the service worker sent (answers, requests, pings, single frames)."""
SVC_TX_BYTES = 1
SVC_RX_PACKETS = 2
"""Service frames received: ARP, neighbour discovery, echo for the port."""
SVC_RX_BYTES = 3
SVC_SINGLE_PACKETS = 4
"""Single frames sent on request (Xena ``P_XMITONE``, TRex ``push_pkts``)."""
SVC_SINGLE_BYTES = 5
SVC_SINGLE_LAST_NS = 6
"""When the last single frame was sent (epoch ns)."""
ARP_REQUESTS_RX = 7
ARP_REPLIES_TX = 8
ARP_REQUESTS_TX = 9
ARP_REPLIES_RX = 10
NS_RX = 11
NA_TX = 12
NS_TX = 13
NA_RX = 14
PING4_REQUESTS_RX = 15
PING4_REPLIES_TX = 16
PING4_REQUESTS_TX = 17
PING4_REPLIES_RX = 18
PING6_REQUESTS_RX = 19
PING6_REPLIES_TX = 20
PING6_REQUESTS_TX = 21
PING6_REPLIES_RX = 22
SVC_IGNORED = 23
"""Frames the service filter passed that were not for the port (another VLAN,
another address, malformed)."""
SVC_WORDS = 24
SVC_RX_WORDS = (
    SVC_RX_PACKETS, SVC_RX_BYTES, ARP_REQUESTS_RX, ARP_REPLIES_RX, NS_RX, NA_RX,
    PING4_REQUESTS_RX, PING4_REPLIES_RX, PING6_REQUESTS_RX, PING6_REPLIES_RX,
    SVC_IGNORED,
)  # fmt: skip
"""Words counting what the port received: a clear of RX statistics zeroes them, a
clear of TX statistics the others."""
SVC_TIME_WORDS = (SVC_SINGLE_LAST_NS,)
"""Words holding a time, not a count: no clear changes them."""


# ---------------------------------------------------------------- commands
@dataclass(frozen=True)
class SetIdentity:
    """The port's addresses changed (its filter is compiled again)."""

    identity: L3Identity


@dataclass(frozen=True)
class Resolve:
    """Find the MAC of ``addr`` (ARP or neighbour solicitation)."""

    req: int
    addr: IPAddress
    timeout_s: float = 3.0
    interval_s: float = 0.5


@dataclass(frozen=True)
class StartPing:
    """Ping ``dst`` through ``dst_mac`` (its next hop's MAC)."""

    req: int
    dst: IPAddress
    dst_mac: str
    count: int = 5
    interval_s: float = 1.0
    size_bytes: int = 64
    timeout_s: float = 1.0


@dataclass(frozen=True)
class SendFrames:
    """Send these frames now, ``ipg_us`` apart (no FCS in the bytes)."""

    req: int
    frames: tuple[bytes, ...]
    ipg_us: float = 0.0


@dataclass(frozen=True)
class Gratuitous:
    """Send a gratuitous ARP and an unsolicited neighbour advertisement."""


@dataclass(frozen=True)
class QueryNeighbors:
    """Ask for the neighbour table."""

    req: int


@dataclass(frozen=True)
class CaptureSpec:
    """What a capture keeps and where it writes it."""

    path: str
    filter: str = ""
    snaplen: int = 65535
    limit_frames: int | None = None
    limit_bytes: int | None = None
    rx: bool = True
    tx: bool = True
    fmt: str = "pcapng"
    mode: str = "fixed"
    """``fixed``: the first frames up to the limit; ``cyclic``: the latest."""


@dataclass(frozen=True)
class StartCapture:
    """Start capture ``capture_id``."""

    req: int
    capture_id: int
    spec: CaptureSpec


@dataclass(frozen=True)
class StopCapture:
    """Stop capture ``capture_id`` (its file stays)."""

    req: int
    capture_id: int


@dataclass(frozen=True)
class QueryCaptures:
    """Ask for the counts of every capture."""

    req: int


ServiceCommand = (
    SetIdentity
    | Resolve
    | StartPing
    | SendFrames
    | Gratuitous
    | QueryNeighbors
    | StartCapture
    | StopCapture
    | QueryCaptures
)


# ---------------------------------------------------------------- reports
@dataclass(frozen=True)
class ResolveResult:
    """``mac`` of ``addr``, or ``error`` saying why not."""

    req: int
    addr: IPAddress
    mac: str | None
    error: str | None = None


@dataclass(frozen=True)
class PingEntry:
    """One echo request: ``status`` is ``success`` or ``timeout``."""

    seq: int
    status: str
    src: IPAddress | None = None
    rtt_ns: int = 0
    ttl: int = 0
    size_bytes: int = 0


@dataclass(frozen=True)
class PingResult:
    """The replies (and timeouts) of a ping run, in sequence order."""

    req: int
    entries: tuple[PingEntry, ...]
    error: str | None = None


@dataclass(frozen=True)
class FramesSent:
    """The frames of a :class:`SendFrames` went out (or ``error``)."""

    req: int
    count: int
    bytes: int
    last_ns: int
    error: str | None = None


@dataclass(frozen=True)
class NeighborList:
    """The neighbour table: (address, MAC) pairs."""

    req: int
    entries: tuple[tuple[IPAddress, str], ...]


@dataclass(frozen=True)
class CaptureStats:
    """A capture's counts: frames and bytes kept, frames the kernel dropped
    because the capture could not keep up, whether it ended (limit or stop)."""

    frames: int = 0
    bytes: int = 0
    missed: int = 0
    done: bool = False
    error: str | None = None


@dataclass(frozen=True)
class CaptureStatus:
    """Answer to :class:`StartCapture`, :class:`StopCapture` or
    :class:`QueryCaptures`."""

    req: int
    captures: dict[int, CaptureStats] = field(default_factory=dict)
    error: str | None = None


@dataclass(frozen=True)
class CaptureDone:
    """A capture reached its limit by itself (pushed, ``req`` 0)."""

    capture_id: int
    stats: CaptureStats


ServiceReport = (
    ResolveResult | PingResult | FramesSent | NeighborList | CaptureStatus | CaptureDone
)
