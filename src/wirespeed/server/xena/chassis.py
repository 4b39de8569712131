"""The Xena command layer: one chassis view over the tester service.

:class:`XenaChassis` holds what only Xena clients see (module media, stream drafts,
module and chassis reservations, per-port Xena settings), the logged-on sessions,
and runs every command for both transports through :meth:`XenaChassis.execute`:
logon, lookup, addressing, index count, readable/writable, value decoding,
reservation and traffic guards, then the command's handler. Port reservations are
the tester's own (one ownership model for every front end).
"""

from __future__ import annotations

import logging
import queue
import threading
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from wirespeed.errors import WirespeedError
from wirespeed.server.xena.codes import CODE_BY_NAME, NAME_BY_CODE
from wirespeed.server.xena.draft import StreamDraft
from wirespeed.server.xena.enums import (
    LatencyMode,
    LoopbackMode,
    MediaType,
    OnOffSuppress,
    PortSpeedMode,
    ReservedStatus,
    TxMode,
)
from wirespeed.server.xena.profile import ChassisProfile
from wirespeed.server.xena.session import Push, XenaSession
from wirespeed.server.xena.status import Status, XenaStatusError, status_for
from wirespeed.server.xena.table import CommandSpec, Guard, Scope, Target
from wirespeed.server.xena.values import Field, Value

if TYPE_CHECKING:
    from wirespeed.service import Tester

__all__ = ["ModuleXena", "PortXena", "RunRecord", "XenaChassis"]

RATE_SHORTFALL = 0.95  # below this share of the requested rate, say so in the log
MIN_RUN_S = 0.5
SETTLE_TIMEOUT_S = 2.0

log = logging.getLogger("wirespeed.xena")

Decoder = Callable[[tuple[Field, ...]], tuple[Value, ...]]


@dataclass
class ModuleXena:
    """Xena-only state of a module (its media lives in the tester's ModuleInfo)."""

    owner: str | None = None


@dataclass
class PortXena:
    """Xena-only settings of a port.

    What other front ends also see (speed, TPLD mode, payload checksum, latency
    offset, FEC) lives in the tester's PortInfo.
    """

    comment: str = ""
    loopback: LoopbackMode = LoopbackMode.NONE
    latency_mode: LatencyMode = LatencyMode.LAST2LAST
    speed_selection: PortSpeedMode = PortSpeedMode.AUTO
    tx_time_limit_us: int = 0
    tx_mode: TxMode = TxMode.NORMAL
    random_seed: int = 0
    max_header_bytes: int = 128
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


_registry: weakref.WeakKeyDictionary[Any, XenaChassis] = weakref.WeakKeyDictionary()
_registry_lock = threading.Lock()


class XenaChassis:
    """The shared Xena command layer of one tester.

    Args:
        tester: the tester service.
        profile: the chassis/module model presented to clients.
        by_code: the command table by code (default: every implemented command).
        by_name: the command table by name.
    """

    def __init__(
        self,
        tester: Tester,
        profile: ChassisProfile | None = None,
        *,
        by_code: dict[int, CommandSpec] | None = None,
        by_name: dict[str, CommandSpec] | None = None,
    ) -> None:
        if by_code is None or by_name is None:
            from wirespeed.server.xena.commands import TABLE_BY_CODE, TABLE_BY_NAME

            by_code, by_name = TABLE_BY_CODE, TABLE_BY_NAME
        self.tester: Tester = tester
        self.profile: ChassisProfile = profile or ChassisProfile()
        self.by_code = by_code
        self.by_name = by_name
        self.lock = threading.RLock()
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
        self._sessions: set[XenaSession] = set()
        self._events: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._notifier: threading.Thread | None = None
        self._unsubscribe: Callable[[], None] | None = None
        self._unsettled: set[int] = set()
        self._rx_drops: list[int] | None = None

    # ------------------------------------------------------------ lifecycle
    @classmethod
    def attach(
        cls, tester: Tester, profile: ChassisProfile | None = None
    ) -> XenaChassis:
        """Return the one chassis of ``tester``, creating it on first use.

        The binary and text servers of a tester share it, so a stream set over one
        is read back over the other.

        Raises:
            ValueError: the chassis exists already with a different profile.
        """
        with _registry_lock:
            chassis = _registry.get(tester)
            if chassis is None:
                chassis = cls(tester, profile)
                _registry[tester] = chassis
            elif profile is not None and profile != chassis.profile:
                raise ValueError("the tester's Xena chassis has another profile")
            return chassis

    def start(self) -> None:
        """Subscribe to the tester's events and start delivering pushes."""
        with self.lock:
            if self._notifier is not None:
                return
            self._notifier = threading.Thread(
                target=self._notify_loop, name="xena-notify", daemon=True
            )
            self._notifier.start()
            self._unsubscribe = self.tester.subscribe(self._events.put)

    def close(self) -> None:
        """Stop delivering pushes."""
        with self.lock:
            notifier, self._notifier = self._notifier, None
            if self._unsubscribe is not None:
                self._unsubscribe()
                self._unsubscribe = None
        if notifier is not None:
            self._events.put(None)
            notifier.join(timeout=5)

    # ------------------------------------------------------------ sessions
    def open_session(self, session: XenaSession) -> None:
        """Register a connection (for pushes and the log)."""
        with self.lock:
            self._sessions.add(session)

    def close_session(self, session: XenaSession) -> None:
        """Forget a connection; its owner's reservations stay (as on Xena)."""
        with self.lock:
            self._sessions.discard(session)

    # ------------------------------------------------------------ dispatch
    def spec_for(self, code_or_name: int | str) -> CommandSpec:
        """Look a command up.

        Raises:
            XenaStatusError: BADPARAMETER for an unknown command, NOTSUPPORTED for a
                Xena command wirespeed does not implement.
        """
        if isinstance(code_or_name, int):
            spec = self.by_code.get(code_or_name)
            known = code_or_name in NAME_BY_CODE
        else:
            spec = self.by_name.get(code_or_name)
            known = code_or_name in CODE_BY_NAME
        if spec is not None:
            return spec
        if known:
            raise XenaStatusError(
                Status.NOTSUPPORTED, f"{code_or_name} not implemented"
            )
        raise XenaStatusError(Status.BADPARAMETER, f"unknown command {code_or_name}")

    def execute(
        self,
        session: XenaSession,
        code_or_name: int | str,
        *,
        is_set: bool,
        slot: int | None,
        port: int | None,
        indices: tuple[int, ...],
        decode: Decoder,
    ) -> tuple[CommandSpec, tuple[Value, ...] | None]:
        """Run one command for a session.

        Args:
            session: the asking connection.
            code_or_name: the command code (binary) or name (CLI).
            is_set: a set (True) or a get/query (False).
            slot: the Xena module slot, or None.
            port: the Xena port index in the module, or None.
            indices: the sub-indices.
            decode: turns the request's value bytes/tokens into values for fields.

        Returns:
            The command's spec, and the get values (None for a set).

        Raises:
            XenaStatusError: the status to answer; errors of the tester service are
                mapped onto a status (logged with their reason).
        """
        with self.lock:
            if not session.logged_on and code_or_name not in (1, "C_LOGON"):
                raise XenaStatusError(Status.NOTLOGGEDON, "log on first")
            spec = self.spec_for(code_or_name)
            target = self._resolve(spec, slot, port, indices)
            if len(indices) != spec.n_indices:
                raise XenaStatusError(
                    Status.BADINDEX, f"{spec.name} takes {spec.n_indices} indices"
                )
            setter = spec.setter
            if is_set:
                if setter is None or spec.set_fields is None:
                    raise XenaStatusError(
                        Status.NOTWRITABLE, f"{spec.name} is read-only"
                    )
                # malformed values are the transport's error (BADSIZE, a CLI
                # syntax error): decoded before anything runs
                values = decode(spec.set_fields)
            try:
                if setter is not None and is_set:
                    self._guard(session, spec, target)
                    setter(self, session, target, values)
                    return spec, None
                if spec.getter is None:
                    raise XenaStatusError(
                        Status.NOTREADABLE, f"{spec.name} is write-only"
                    )
                return spec, spec.getter(self, session, target)
            except XenaStatusError as exc:
                log.info("xena %s %s: %s", session.peer, spec.name, exc)
                raise
            except WirespeedError as exc:
                log.warning("xena %s %s: %s", session.peer, spec.name, exc)
                raise XenaStatusError(status_for(exc), str(exc)) from exc

    def _resolve(
        self,
        spec: CommandSpec,
        slot: int | None,
        port: int | None,
        indices: tuple[int, ...],
    ) -> Target:
        if spec.scope is Scope.CHASSIS:
            return Target(indices=indices)
        if slot is None or slot not in self._module_by_slot:
            raise XenaStatusError(Status.BADMODULE, f"no module in slot {slot}")
        module = self._module_by_slot[slot]
        if spec.scope is Scope.MODULE:
            return Target(slot=slot, module=module, indices=indices)
        ports = self.module_ports[module]
        if port is None or not 0 <= port < len(ports):
            raise XenaStatusError(Status.BADPORT, f"no port {slot}/{port}")
        return Target(slot, module, ports[port], port, indices)

    def _guard(self, session: XenaSession, spec: CommandSpec, target: Target) -> None:
        if spec.guard is Guard.SESSION:
            return
        if spec.scope is Scope.CHASSIS:
            if self.chassis_status(session) is not ReservedStatus.RESERVED_BY_YOU:
                raise XenaStatusError(Status.NOTRESERVED, "reserve the chassis first")
            return
        if spec.scope is Scope.MODULE:
            if self.module_status(session, target.module_index) is not (
                ReservedStatus.RESERVED_BY_YOU
            ):
                raise XenaStatusError(
                    Status.NOTRESERVED, f"reserve module {target.slot}"
                )
            if spec.guard is Guard.IDLE and any(
                self.traffic_on(p) for p in self.module_ports[target.module_index]
            ):
                raise XenaStatusError(Status.NOTVALID, "traffic is on")
            return
        p = target.port_index
        if self.port_status(session, p) is not ReservedStatus.RESERVED_BY_YOU:
            raise XenaStatusError(
                Status.NOTRESERVED, f"port {target.slot}/{target.port_in_module}"
            )
        if spec.guard is Guard.IDLE and self.traffic_on(p):
            raise XenaStatusError(Status.NOTVALID, "traffic is on")
        if spec.guard is Guard.STREAM and self.traffic_on(p):
            draft = (
                self.ports[p].streams.get(target.indices[0]) if target.indices else None
            )
            if draft is None or draft.enable is not OnOffSuppress.OFF:
                raise XenaStatusError(
                    Status.NOTVALID, "traffic is on and stream enabled"
                )

    # ------------------------------------------------------------ state helpers
    def traffic_on(self, p: int) -> bool:
        """True while the port transmits (or is paused by another front end)."""
        return self.tester.port_state(p).is_active

    def module_of(self, p: int) -> int:
        """The tester module index of tester port ``p``."""
        return self._port_place[p][0]

    def place_of(self, p: int) -> tuple[int, int]:
        """``(slot, port in module)`` of a tester port."""
        module, k = self._port_place[p]
        return self.slots[module], k

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

    def report_run(self, p: int) -> None:
        """Log when a finished run sent clearly less than it was asked to."""
        if not 0 <= p < len(self.ports):
            return
        run, self.ports[p].run = self.ports[p].run, None
        if run is None or run.requested_pps <= 0:
            return
        elapsed_s = (time.monotonic_ns() - run.start_ns) / 1e9
        sent = self.tester.port_stats(p, since_clear=False).tx_packets - run.tx_packets
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

    def note_started(self, ports: list[int]) -> None:
        """Remember ports that started sending (see :meth:`settle_stats`)."""
        if self._rx_drops is None:
            self._rx_drops = [self._rx_dropped(p) for p in range(len(self.ports))]
        self._unsettled.update(ports)

    def settle_stats(self) -> None:
        """Before statistics are read: count every frame of the runs that ended.

        When a port stops (P_TRAFFIC OFF, C_TRAFFIC OFF, its finite streams done),
        its last frames may still wait in the receiving port's ring; the receivers
        publish them here, so a read right after the stop is exact, as on a Xena
        port. Frames the receivers had to drop (ring full) are logged.
        """
        ended = {p for p in self._unsettled if not self.traffic_on(p)}
        if not ended:
            return
        if not self.tester.settle(timeout_s=SETTLE_TIMEOUT_S):
            log.warning("xena: a receiver did not publish its counters in %.0f s; "
                        "RX statistics may miss frames", SETTLE_TIMEOUT_S)  # fmt: skip
        self._unsettled -= ended
        self._report_rx_drops()

    def _rx_dropped(self, p: int) -> int:
        return int(self.tester.port_stats(p, since_clear=False).rx_dropped_by_tester)

    def _report_rx_drops(self) -> None:
        seen = self._rx_drops
        if seen is None:
            return
        for p, before in enumerate(seen):
            now = self._rx_dropped(p)
            if now > before:
                slot, k = self.place_of(p)
                log.warning(
                    "port %d/%d: %d received frames dropped by the tester (its "
                    "receive ring was full: the receiver could not keep up); the RX "
                    "counters (PR_TOTAL, PR_TPLDTRAFFIC...) miss them",
                    slot, k, now - before,
                )  # fmt: skip
            seen[p] = now

    # ------------------------------------------------------------ pushes
    def notify(self, event: Any) -> None:
        """Queue a push-worthy change (a tester event or a Xena-side change)."""
        self._events.put(event)

    def flush_pushes(self, timeout_s: float = 2.0) -> None:
        """Wait until every change queued so far has been handed to its sessions.

        A front end calls this after a batch of sets and before it writes the
        replies, so a client sees a command's pushes (``P_TRAFFIC`` ON, say) before
        its ``<OK>``: the XOA driver's cached ``port.info.traffic_state`` is then
        already ON when ``await port.traffic.state.set_start()`` returns.
        """
        if self._notifier is None:
            return
        done = threading.Event()
        self._events.put(done)
        done.wait(timeout_s)

    def _notify_loop(self) -> None:
        while True:
            event = self._events.get()
            if event is None:
                return
            if isinstance(event, threading.Event):
                event.set()
                continue
            try:
                self._deliver(event)
            except WirespeedError as exc:  # a port vanished under us: log, go on
                log.warning("xena push for %r failed: %s", event, exc)
            except Exception:  # a bug must cost one push, never all later ones
                log.exception("xena push for %r crashed", event)

    def _deliver(self, event: Any) -> None:
        from wirespeed.server.xena.pushes import pushes_for

        kind = getattr(getattr(event, "kind", None), "name", "")
        if kind == "ERROR":
            log.warning(
                "port %s stopped on an error: %s",
                getattr(event, "port", "?"),
                getattr(event, "detail", {}),
            )
        if kind in ("STOPPED", "DONE", "ERROR"):
            with self.lock:
                self.report_run(event.port)
                self.settle_stats()  # a client reacting to the push reads exact counts

        with self.lock:
            sessions = [s for s in self._sessions if s.push is not None and s.logged_on]
            batches = [(s, pushes_for(self, s, event)) for s in sessions]
        for session, pushes in batches:
            assert session.push is not None
            for push in pushes:
                session.push(push)

    def pushes_enabled(self) -> bool:
        """True once :meth:`start` ran."""
        return self._notifier is not None

    def make_push(
        self,
        session: XenaSession,
        name: str,
        p_or_m: int | None,
        *,
        module: bool = False,
    ) -> Push:
        """The push of command ``name``'s current value as ``session`` reads it."""
        spec = self.by_name[name]
        assert spec.getter is not None
        if spec.scope is Scope.CHASSIS:
            return Push(name, None, None, spec.getter(self, session, Target()))
        if module:
            assert p_or_m is not None
            target = Target(slot=self.slots[p_or_m], module=p_or_m)
            return Push(name, target.slot, None, spec.getter(self, session, target))
        assert p_or_m is not None
        slot, k = self.place_of(p_or_m)
        target = Target(slot, self._port_place[p_or_m][0], p_or_m, k)
        return Push(name, slot, k, spec.getter(self, session, target))
