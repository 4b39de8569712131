"""The Xena chassis state: what the command handlers read and write.

:class:`ChassisState` holds what only Xena clients see (module media, stream drafts,
module and chassis reservations, per-port Xena settings) next to the tester service
that owns everything shared with other front ends (port reservations, streams,
speeds, traffic). It also keeps the bookkeeping of traffic runs (statistics settled
after a stop, a run that fell short of its rate) and queues the changes that clients
are told of by pushes (:attr:`ChassisState.outbox`, emptied by the push notifier).
"""

from __future__ import annotations

import itertools
import logging
import queue
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from wirespeed.capture import CapturedFrames
from wirespeed.model import L1_OVERHEAD_BYTES
from wirespeed.server.xena.draft import StreamDraft
from wirespeed.server.xena.enums import (
    CaptureKeep,
    CaptureStart,
    CaptureStop,
    LatencyMode,
    LoopbackMode,
    MediaType,
    PortSpeedMode,
    ReservedStatus,
    TxMode,
)
from wirespeed.server.xena.profile import ChassisProfile
from wirespeed.server.xena.session import XenaSession
from wirespeed.server.xena.status import Status, XenaStatusError

if TYPE_CHECKING:
    from wirespeed.service import Tester

__all__ = [
    "XENA_EPOCH_NS",
    "CaptureXena",
    "ChassisState",
    "ModuleXena",
    "PortXena",
    "RunRecord",
    "Target",
]

XENA_EPOCH_NS = 1_262_304_000 * 10**9
"""Xena's times (capture, P_XMITONETIME) count ns from 2010-01-01 00:00 UTC."""
RATE_SHORTFALL = 0.95  # below this share of the requested rate, say so in the log
MIN_RUN_S = 0.5

log = logging.getLogger("wirespeed.xena")


@dataclass
class ModuleXena:
    """Xena-only state of a module (its media lives in the tester's ModuleInfo)."""

    owner: str | None = None


@dataclass
class CaptureXena:
    """A port's Xena capture: PC_TRIGGER, PC_KEEP, and the tester's capture of the
    last P_CAPTURE ON (``frames``: what was read of it, for PC_PACKET/PC_EXTRA)."""

    start: CaptureStart = CaptureStart.ON
    start_filter: int = 0
    stop: CaptureStop = CaptureStop.FULL
    stop_filter: int = 0
    keep: CaptureKeep = CaptureKeep.ALL
    keep_index: int = -1
    keep_bytes: int = -1
    capture_id: int | None = None
    is_on: bool = False
    frames: CapturedFrames | None = None


@dataclass
class PortXena:
    """Xena-only settings of a port.

    What other front ends also see (speed, TPLD mode, payload checksum, latency
    offset, FEC, the L3 identity and its answering switches) lives in the tester's
    PortInfo.
    """

    comment: str = ""
    loopback: LoopbackMode = LoopbackMode.NONE
    latency_mode: LatencyMode = LatencyMode.LAST2LAST
    speed_selection: PortSpeedMode = PortSpeedMode.AUTO
    tx_time_limit_us: int = 0
    tx_packet_limit: int = 0  # P_TXPACKETLIMIT: 0 or -1 = none
    min_gap_bytes: int = L1_OVERHEAD_BYTES  # P_INTERFRAMEGAP, preamble included
    tx_mode: TxMode = TxMode.NORMAL
    random_seed: int = 0
    max_header_bytes: int = 128
    ipv6_wildcard_prefix: int = 0
    arp_rx_table: bytes = b""
    ndp_rx_table: bytes = b""
    capture: CaptureXena = field(default_factory=CaptureXena)
    streams: dict[int, StreamDraft] = field(default_factory=dict)
    traffic_since_ns: int | None = None
    run: RunRecord | None = None
    problems: dict[int, str] = field(default_factory=dict)
    deferred: set[int] = field(default_factory=set)
    orphans: set[int] = field(default_factory=set)


@dataclass(frozen=True)
class RunRecord:
    """What a traffic run was asked to do, to compare with what it did."""

    start_ns: int
    tx_packets: int
    requested_pps: float
    requested_ppm: int


@dataclass(frozen=True)
class Target:
    """What a command addresses, resolved to the tester's indices.

    Attributes:
        slot: the Xena module slot as the client wrote it (None for chassis).
        module: the tester's module index.
        port: the tester's port index (None for chassis/module commands).
        port_in_module: the Xena port index within the module.
        indices: the sub-indices (stream id, modifier id, TPLD id...).
    """

    slot: int | None = None
    module: int | None = None
    port: int | None = None
    port_in_module: int | None = None
    indices: tuple[int, ...] = ()

    @property
    def port_index(self) -> int:
        """The tester port index (only for port commands)."""
        assert self.port is not None
        return self.port

    @property
    def module_index(self) -> int:
        """The tester module index (only for module and port commands)."""
        assert self.module is not None
        return self.module


class ChassisState:
    """The Xena view of one tester, shared by the binary and the text protocol.

    Args:
        tester: the tester service.
        profile: the chassis/module model presented to clients.

    Raises:
        ValueError: the profile's module slots do not name one slot per module.
    """

    def __init__(self, tester: Tester, profile: ChassisProfile | None = None) -> None:
        self.tester: Tester = tester
        self.profile: ChassisProfile = profile or ChassisProfile()
        self.lock = threading.RLock()
        self.outbox: queue.SimpleQueue[Any] = queue.SimpleQueue()
        #: numbers the queued changes (and logons: see :meth:`notify`)
        self.event_numbers = itertools.count(1)
        self.started_ns = time.monotonic_ns()
        self.chassis_owner: str | None = None
        self.chassis_name: str = self.profile.name
        self.chassis_comment: str = ""
        groups = [tuple(m.ports) for m in tester.modules] or [
            tuple(range(len(tester.ports)))
        ]
        slots = self.profile.module_slots or tuple(range(len(groups)))
        if len(slots) != len(groups) or len(set(slots)) != len(slots):
            raise ValueError("module_slots must name one distinct slot per module")
        self.module_ports: list[tuple[int, ...]] = groups
        self.slots: tuple[int, ...] = tuple(slots)
        self._module_by_slot = {s: i for i, s in enumerate(self.slots)}
        self._port_place: dict[int, tuple[int, int]] = {
            p: (m, k) for m, ports in enumerate(groups) for k, p in enumerate(ports)
        }
        self.modules: list[ModuleXena] = [ModuleXena() for _ in groups]
        self.ports: list[PortXena] = [PortXena() for _ in tester.ports]

    # ------------------------------------------------------------ addressing
    def module_at(self, slot: int | None) -> int | None:
        """The tester module index in Xena ``slot`` (None if there is none)."""
        return None if slot is None else self._module_by_slot.get(slot)

    def module_of(self, p: int) -> int:
        """The tester module index of tester port ``p``."""
        return self._port_place[p][0]

    def place_of(self, p: int) -> tuple[int, int]:
        """``(slot, port in module)`` of a tester port."""
        module, k = self._port_place[p]
        return self.slots[module], k

    def port_target(self, p: int) -> Target:
        """The target of a port command without sub-indices on tester port ``p``."""
        module, k = self._port_place[p]
        return Target(self.slots[module], module, p, k)

    def module_target(self, m: int) -> Target:
        """The target of a module command on tester module ``m``."""
        return Target(slot=self.slots[m], module=m)

    # ------------------------------------------------------------ reservations
    def port_status(self, session: XenaSession, p: int) -> ReservedStatus:
        """P_RESERVATION as ``session`` sees it."""
        res = self.tester.reservation(p)
        if res is None:
            return ReservedStatus.RELEASED
        if session.owner and res.session == session.service_session:
            return ReservedStatus.RESERVED_BY_YOU
        return ReservedStatus.RESERVED_BY_OTHER

    def module_status(self, session: XenaSession, m: int) -> ReservedStatus:
        """M_RESERVATION as ``session`` sees it."""
        owner = self.modules[m].owner
        if owner is None:
            return ReservedStatus.RELEASED
        if session.owner and owner == session.owner:
            return ReservedStatus.RESERVED_BY_YOU
        return ReservedStatus.RESERVED_BY_OTHER

    def chassis_status(self, session: XenaSession) -> ReservedStatus:
        """C_RESERVATION as ``session`` sees it."""
        if self.chassis_owner is None:
            return ReservedStatus.RELEASED
        if session.owner and self.chassis_owner == session.owner:
            return ReservedStatus.RESERVED_BY_YOU
        return ReservedStatus.RESERVED_BY_OTHER

    # ------------------------------------------------------------ values
    def traffic_on(self, p: int) -> bool:
        """True while the port transmits (or is paused by another front end)."""
        return self.tester.port_state(p).is_active

    def media(self, m: int) -> MediaType:
        """The module's current media (kept in the tester's ModuleInfo)."""
        name = self.tester.modules[m].media if m < len(self.tester.modules) else ""
        member = MediaType.__members__.get(name)
        return member if member is not None else self.profile.module.media

    def set_media(self, m: int, media: MediaType) -> None:
        """Record the module's media where every front end sees it."""
        if m < len(self.tester.modules):
            self.tester.set_module_media(m, media.name)

    def draft(self, target: Target) -> StreamDraft:
        """The stream draft addressed by ``target.indices[0]`` (BADINDEX if absent)."""
        sid = target.indices[0]
        draft = self.ports[target.port_index].streams.get(sid)
        if draft is None:
            raise XenaStatusError(Status.BADINDEX, f"no stream {sid}")
        return draft

    def notify(self, event: Any) -> None:
        """Queue a push-worthy change (a tester event or a Xena-side change),
        numbered: a session that logs on later is not told of it."""
        self.outbox.put((next(self.event_numbers), event))

    # ------------------------------------------------------------ traffic runs
    def report_run(self, p: int) -> None:
        """Log when a finished run sent clearly less than it was asked to."""
        if not 0 <= p < len(self.ports):
            return
        run, self.ports[p].run = self.ports[p].run, None
        if run is None or run.requested_pps <= 0:
            return
        sent = self.tester.port_stats(p, since_clear=False).tx_packets - run.tx_packets
        # the rate over the span of the frames sent (the TX worker's first and
        # last frame): the time after a P_TXTIMELIMIT ended the run is not sending
        span_ns = self.tester.tx_job_span_ns(p)
        if sent > 1 and span_ns > 0:
            elapsed_s = span_ns / 1e9
            achieved = (sent - 1) / elapsed_s
        else:
            elapsed_s = (time.monotonic_ns() - run.start_ns) / 1e9
            achieved = sent / elapsed_s if elapsed_s > 0 else 0.0
        if elapsed_s >= MIN_RUN_S and achieved < RATE_SHORTFALL * run.requested_pps:
            slot, k = self.place_of(p)
            log.warning(
                "port %d/%d: %.0f frames/s requested (%.2f%% of the nominal line "
                "rate), %.0f frames/s sent on average over %.1f s (%.0f%% of the "
                "request): the port cannot reach the requested rate",
                slot, k, run.requested_pps, run.requested_ppm / 1e4, achieved,
                elapsed_s, 100 * achieved / run.requested_pps,
            )  # fmt: skip
