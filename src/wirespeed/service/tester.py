"""The in-process tester every front end drives: the IO shell of the tester core.

Front ends (the native API and CLI, TRex JSON-RPC, Xena XOA and text CLI) only
translate their protocol into calls on one :class:`Tester`. The rules live in the
sans-IO :class:`~wirespeed.service.core.TesterCore`; this shell runs it under one
lock over a :class:`~wirespeed.service.dataplane.Dataplane` (by default two
supervised worker processes per port), delivers events, keeps the counter
baselines of clears and measures rates. Every method is safe to call from any
thread and returns quickly while ports send at full rate.

Statistics have one path: a stop (or a job's end) is reported only once every
receiver has counted what its ring holds, so a client that reads after the event
sees exact counts.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import replace

from wirespeed.analysis import TidStats
from wirespeed.dataplane import messages as msg
from wirespeed.dataplane import rx_worker as rxw
from wirespeed.dataplane import service_messages as sm
from wirespeed.dataplane import tx_worker as txw
from wirespeed.dataplane.messages import WorkerReport
from wirespeed.errors import StateError
from wirespeed.fieldengine import InjectedError
from wirespeed.model import Stream
from wirespeed.model.scaling import Multiplier
from wirespeed.service.buildcheck import BuildCheck
from wirespeed.service.core import TesterCore
from wirespeed.service.counting import Counting
from wirespeed.service.dataplane import Dataplane, ProcessDataplane, WorkerLost
from wirespeed.service.ownership import PortState, Reservation
from wirespeed.service.port_services import PortServices
from wirespeed.service.sampling import sample_period_s
from wirespeed.service.stats import PortStats, StreamTxStats
from wirespeed.service.tester_host import TesterHost
from wirespeed.service.tester_settings import TesterSettings
from wirespeed.service.types import (
    Effect,
    EventKind,
    ModuleInfo,
    PortInfo,
    Send,
    SendRx,
    SendSvc,
    TrafficEvent,
)
from wirespeed.service.workers import ControllerSteering
from wirespeed.topology.testbed import PortSpec, TesterConfig
from wirespeed.tpld import TpldMode

__all__ = ["EventKind", "ModuleInfo", "PortInfo", "Tester", "TrafficEvent"]


_log = logging.getLogger(__name__)
_SETTLE_S = 5.0


class Tester(TesterSettings, TesterHost):
    """Chassis -> modules -> ports -> streams, backed by real interfaces.

    Args:
        config: the ports (interfaces, namespaces, nominal speeds) and modules.
        qdisc_bypass: send without the local qdisc (see DESIGN.md).
        cpus: per port index, the (TX, RX) workers' CPUs (``None``: the port's
            own, else placed by :mod:`wirespeed.service.placement`).
        dataplane: the data plane (default: worker processes on the ports);
            :class:`wirespeed.service.fake.FakeDataplane` for tests.
        steer_threads: keep this process's threads off the CPUs of sending ports'
            TX workers (for a process that serves this tester alone: the daemon).
    """

    def __init__(
        self,
        config: TesterConfig,
        *,
        qdisc_bypass: bool = True,
        cpus: dict[int, tuple[int | None, int | None]] | None = None,
        dataplane: Dataplane | None = None,
        steer_threads: bool = False,
    ) -> None:
        self.config = config
        self._steering = (
            ControllerSteering(config.ports, cpus) if steer_threads else None
        )
        self._sending: frozenset[int] = frozenset()
        where = {
            p: (mi, pi) for mi, m in enumerate(config.modules) for pi, p in enumerate(m)
        }
        infos = []
        for i, spec in enumerate(config.ports):
            mod, pim = where[i]
            mac = spec.mac or _read_mac(spec)
            infos.append(PortInfo(i, spec, mod, pim, mac, spec.speed_bps, l3=spec.l3))
        infos = [  # streams "to the port's destination" go to the cabled peer
            replace(p, dst_mac=infos[p.spec.peer].mac)
            if p.spec.peer is not None and 0 <= p.spec.peer < len(infos)
            else p
            for p in infos
        ]
        self._core = TesterCore(infos, [tuple(m) for m in config.modules])
        self._dp: Dataplane = dataplane or ProcessDataplane(
            list(config.ports), qdisc_bypass=qdisc_bypass, cpus=cpus
        )
        self._lock = threading.RLock()
        self._mtus: dict[int, int] = {}
        self._builds = BuildCheck()
        self._subs: list[Callable[[TrafficEvent], None]] = []
        self._counts: Counting | None = None
        self._reports: queue.Queue[
            tuple[int, WorkerReport | sm.ServiceReport | WorkerLost] | None
        ] = queue.Queue()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self.services = PortServices(
            self._core,
            self._dp,
            self._lock,
            self._run,
            lambda i, since_clear: self._counting.service_words(i, since_clear),
            lambda ports: self.settle(ports),
        )
        """L3 identity, resolution, ping, single frames, captures."""

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> Tester:
        """Start the data plane and the service threads."""
        self._dp.start(lambda port, report: self._reports.put((port, report)))
        if self._steering is not None:
            self._steering.steer(frozenset())
        self._counts = Counting(self._dp, len(self.ports))
        for i, port in enumerate(self.ports):
            if port.tpld_mode is not TpldMode.NORMAL:
                self._run([SendRx(i, msg.SetRxMode(port.tpld_mode))])
            if port.l3.is_l3:
                self._run([SendSvc(i, sm.SetIdentity(port.l3))])
        for target, name in (
            (self._report_loop, "ws-events"),
            (self._sample_loop, "ws-rates"),
        ):
            t = threading.Thread(target=target, name=name, daemon=True)
            t.start()
            self._threads.append(t)
        return self

    def close(self) -> None:
        """Stop traffic and the data plane."""
        self._stop.set()
        self._reports.put(None)
        for t in self._threads:
            t.join(timeout=3)
        self._dp.close()
        self.services.close()

    def __enter__(self) -> Tester:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def dataplane(self) -> Dataplane:
        """The data plane the tester runs on."""
        return self._dp

    # ------------------------------------------------------------------ effects
    def _run(self, effects: list[Effect]) -> list[TrafficEvent]:
        """Carry out the core's commands (under the lock); return its events."""
        events = []
        for e in effects:
            match e:
                case TrafficEvent():
                    events.append(e)
                case Send(port, command):
                    self._dp.send_tx(port, command)
                case SendRx(port, command):
                    self._dp.send_rx(port, command)
                case SendSvc(port, command):
                    self._dp.send_svc(port, command)
        return events

    def _act(self, fn: Callable[[], list[Effect]]) -> None:
        with self._lock:
            events = self._run(fn())
        self._emit_all(events)

    def subscribe(self, callback: Callable[[TrafficEvent], None]) -> Callable[[], None]:
        """Call ``callback`` for every event; returns a function that unsubscribes."""
        with self._lock:
            self._subs.append(callback)

        def unsubscribe() -> None:
            with self._lock, contextlib.suppress(ValueError):
                self._subs.remove(callback)

        return unsubscribe

    def _emit_all(self, events: list[TrafficEvent]) -> None:
        if events and self._steering is not None:
            with self._lock:
                sending = frozenset(
                    i for i in range(len(self.ports)) if self.port_state(i).is_active
                )
            if sending != self._sending:
                self._sending = sending
                self._steering.steer(sending)
        for ev in events:
            for cb in list(self._subs):
                try:
                    cb(ev)
                except Exception:
                    _log.exception("event subscriber failed on %s", ev.kind.name)

    def _report_loop(self) -> None:
        while (item := self._reports.get()) is not None:
            port, report = item
            if isinstance(report, sm.ServiceReport):
                self.services.on_report(port, report)
                continue
            with self._lock:
                if isinstance(report, WorkerLost) and report.role == "svc":
                    self._run([SendSvc(port, sm.SetIdentity(self.ports[port].l3))])
                    self.services.on_worker_lost(port, report.message)
                    events = []
                elif isinstance(report, WorkerLost):
                    lost = self._core.on_worker_lost(
                        port, report.message, sender=report.role == "tx"
                    )
                    events = self._run(lost)
                    if report.role == "rx":  # its analysis starts afresh
                        mode = self._core.port(port).info.tpld_mode
                        self._run([SendRx(port, msg.SetRxMode(mode))])
                else:
                    events = self._run(self._core.on_report(port, report))
            if events:
                self._settle_ended()  # frames already received count first
            self._emit_all(events)

    def _sample_loop(self) -> None:
        n = len(self.ports)
        while not self._stop.wait(
            sample_period_s(any(self.port_state(i).is_active for i in range(n)))
        ):
            self._counting.sample()

    @property
    def _counting(self) -> Counting:
        if self._counts is None:
            raise StateError("the tester is not started", port=None)
        return self._counts

    # ------------------------------------------------------------------ inventory
    @property
    def ports(self) -> list[PortInfo]:
        """Every port, in index order (records: change them through the tester)."""
        return self._core.ports

    @property
    def modules(self) -> list[ModuleInfo]:
        """Every module, in index order."""
        return list(self._core.modules)

    def port_state(self, index: int) -> PortState:
        """IDLE, STREAMS, TX or PAUSE."""
        return self._core.port(index).state

    # ------------------------------------------------------------------ ownership
    def reserve(
        self, index: int, owner: str, session: str, *, force: bool = False
    ) -> str:
        """Reserve (TRex: acquire) a port; returns the token (TRex handler)."""
        with self._lock:
            token, effects = self._core.reserve(index, owner, session, force=force)
            events = self._run(effects)
        self._emit_all(events)
        return token

    def release(self, index: int, who: str) -> None:
        """Release a port held by ``who`` (token or session)."""
        self._act(lambda: self._core.release(index, who))

    def relinquish(self, index: int) -> None:
        """Take a port's reservation away from whoever holds it."""
        self._act(lambda: self._core.relinquish(index))

    def release_session(self, session: str) -> list[int]:
        """Release every port ``session`` holds (its connection closed)."""
        with self._lock:
            freed, effects = self._core.release_session(session)
            events = self._run(effects)
        self._emit_all(events)
        return freed

    def reservation(self, index: int) -> Reservation | None:
        """Who holds ``index`` (``None`` if nobody)."""
        with self._lock:
            return self._core.reservation(index)

    def check_owner(self, index: int, who: str | None) -> None:
        """Raise :class:`~wirespeed.errors.OwnershipError` unless ``who`` holds it."""
        with self._lock:
            self._core.check_owner(index, who)

    # ------------------------------------------------------------------ streams
    def add_stream(self, index: int, stream_id: int, stream: Stream) -> None:
        """Add (or replace) stream ``stream_id`` on a port."""
        with self._lock:
            new = stream_id not in self._core.port(index).slots
            events = self._run(self._core.add_stream(index, stream_id, stream))
            if new:
                self._counting.stream_added(index, self._core.slot(index, stream_id))
        self._emit_all(events)

    replace_stream = add_stream

    def remove_stream(self, index: int, stream_id: int) -> None:
        """Remove one stream."""
        with self._lock:
            self._core.remove_stream(index, stream_id)

    def remove_all_streams(self, index: int) -> None:
        """Remove every stream of a port."""
        with self._lock:
            self._core.remove_all_streams(index)

    def streams(self, index: int) -> dict[int, Stream]:
        """The port's streams by id (a copy)."""
        with self._lock:
            return self._core.streams(index)

    # ------------------------------------------------------------------ traffic
    def start_traffic(
        self,
        ports: list[int],
        *,
        duration_s: float | None = None,
        multiplier: Multiplier | None = None,
        force: bool = False,
        packet_limit: int | None = None,
        start_at_ns: int | None = None,
    ) -> None:
        """Start every enabled stream of each port (all ports validated first).

        ``multiplier`` sets each port's peak rate, streams keeping their shares
        (:mod:`wirespeed.model.scaling`); without ``force`` a rate above the line
        rate, or a port already sending, is refused. Each port stops after
        ``duration_s`` or ``packet_limit`` frames (all its streams together),
        whichever comes first. ``start_at_ns`` (wall clock, ns since the epoch):
        the ports' first frames leave then (a start agreed across hosts); a time
        already past starts at once.
        """
        with self._lock:
            todo = self._builds.todo(self._core, ports)
        self._builds.check(todo)
        if not any(self.port_state(i).is_active for i in range(len(self.ports))):
            self._counting.run_starts()
        self._act(
            lambda: self._core.start(
                ports,
                duration_s=duration_s,
                multiplier=multiplier,
                force=force,
                packet_limit=packet_limit,
                start_at_ns=start_at_ns,
            )
        )

    def start_factor(
        self, index: int, multiplier: Multiplier | None, *, force: bool = False
    ) -> float:
        """The factor a start of ``index`` with ``multiplier`` would run (checked
        as a start checks it)."""
        with self._lock:
            return self._core.start_factor(index, multiplier, force=force)

    def multiplier(self, index: int) -> float:
        """The factor on its streams' own rates the port runs (or last ran)."""
        with self._lock:
            return self._core.multiplier(index)

    def stop_traffic(self, ports: list[int]) -> None:
        """Stop the ports (a no-op for ports that are not transmitting); returns
        once what they sent is counted where it was received."""
        with self._lock:
            events = self._run(self._core.stop(ports))
        if events:
            for ev in events:
                self._wait_tx_idle(ev.port)
            self._settle_ended()
        self._emit_all(events)

    def _settle_ended(self) -> None:
        """Traffic ended: every receiver counts what it holds, and frames a
        receiver had to drop (its ring full) are said in the log."""
        if not self.settle():
            _log.warning(
                "a receiver did not publish its counters in %.0f s; RX statistics "
                "may miss frames",
                _SETTLE_S,
            )
        self._counting.tell_drops([p.name for p in self.ports])

    def _wait_tx_idle(self, index: int, timeout_s: float = 2.0) -> None:
        end = time.monotonic() + timeout_s
        while time.monotonic() < end:
            if self._dp.tx_words(index)[txw.TX_RUNNING] == 0:
                return
            time.sleep(0.002)

    def pause(self, ports: list[int]) -> None:
        """Pause transmitting ports."""
        self._act(lambda: self._core.pause(ports))

    def resume(self, ports: list[int]) -> None:
        """Resume paused ports."""
        self._act(lambda: self._core.resume(ports))

    def update_traffic(
        self, ports: list[int], multiplier: Multiplier, *, force: bool = False
    ) -> None:
        """Change the rate of transmitting ports (abs, add or sub)."""
        self._act(lambda: self._core.update(ports, multiplier, force=force))

    def pause_streams(self, index: int, stream_ids: list[int]) -> None:
        """Stop sending some streams of a transmitting port; the port keeps sending
        the others and stays in its state (TRex's ``pause_streams``)."""
        self._act(lambda: self._core.suppress_streams(index, stream_ids, True))

    def resume_streams(self, index: int, stream_ids: list[int]) -> None:
        """Send paused streams again from now on (the pause is not made up for)."""
        self._act(lambda: self._core.suppress_streams(index, stream_ids, False))

    def update_streams(
        self,
        index: int,
        stream_ids: list[int],
        multiplier: Multiplier,
        *,
        force: bool = False,
    ) -> None:
        """Give each named stream, from now on, the rate ``multiplier`` gives it
        alone (TRex's ``update_streams``; latency streams keep their rate)."""
        self._act(
            lambda: self._core.update_streams(
                index, stream_ids, multiplier, force=force
            )
        )

    def inject_error(
        self, index: int, stream_id: int, error: InjectedError | str
    ) -> None:
        """Put one ``error`` into the next frame(s) of a stream that is sending;
        it counts in ``PortStats.tx_injected_*`` once its frames are sent."""
        self._act(lambda: self._core.inject_error(index, stream_id, error))

    def wait_idle(self, ports: list[int], timeout_s: float) -> bool:
        """Wait until none of ``ports`` transmits; True if they all stopped."""
        end = time.monotonic() + timeout_s
        while time.monotonic() < end:
            if not any(self.port_state(i).is_active for i in ports):
                return True
            time.sleep(0.01)
        return False

    # ------------------------------------------------------------------ statistics
    def port_stats(self, index: int, *, since_clear: bool = True) -> PortStats:
        """Counters and last-second rates of a port."""
        self._core.port(index)
        return self._counting.port_stats(index, since_clear)

    def stream_tx_stats(
        self, index: int, stream_id: int, *, since_clear: bool = True
    ) -> StreamTxStats:
        """What one stream sent since the last clear (or since it was added), and
        its last-second rate."""
        with self._lock:
            slot = self._core.slot(index, stream_id)
        return self._counting.stream_stats(index, slot, since_clear)

    def tids(self, index: int, *, since_clear: bool = True) -> list[int]:
        """TIDs (TRex: pg_ids) seen on RX since the last clear (or ever)."""
        self._core.port(index)
        return rxw.table_tids(self._dp.rx_words(index), since_clear=since_clear)

    def tid_stats(
        self, index: int, tid: int, *, since_clear: bool = True
    ) -> TidStats | None:
        """RX analysis of one TID (``None`` if not seen): since the last clear, or
        (``since_clear=False``) since the port started: counts that only grow,
        whoever clears the port."""
        offset = self._core.port(index).info.latency_offset_ns
        st = rxw.table_tid_stats(self._dp.rx_words(index), tid, since_clear=since_clear)
        if st is not None and offset:
            st = replace(st, **rxw.shift_latency(st, offset))
        return st

    def all_tid_stats(self, index: int, *, since_clear: bool = True) -> list[TidStats]:
        """RX analysis of every TID the port has seen (as :meth:`tid_stats`, from
        one reading of the receiver's counters)."""
        offset = self._core.port(index).info.latency_offset_ns
        words = self._dp.rx_words(index)
        stats = rxw.table_all_tid_stats(words, since_clear=since_clear)
        if offset:
            stats = [replace(st, **rxw.shift_latency(st, offset)) for st in stats]
        return stats

    def tx_job_first_ns(self, index: int) -> int:
        """Wall-clock time the port's last job sent its first frames (ns since
        the epoch; 0: none yet): where its TPLD timestamps start."""
        return int(self._dp.tx_words(index)[txw.TX_JOB_FIRST_WALL_NS])

    def tx_job_span_ns(self, index: int) -> int:
        """From the first to the last frame the port's last job sent (ns)."""
        w = self._dp.tx_words(index)
        return max(0, int(w[txw.TX_JOB_LAST_NS]) - int(w[txw.TX_JOB_FIRST_NS]))

    def rx_clears(self, index: int) -> int:
        """How many times the port's RX statistics were cleared (by anyone)."""
        self._core.port(index)
        return self._counting.rx_clears(index)

    def clear_stats(self, index: int, *, tx: bool = True, rx: bool = True) -> None:
        """Counters start again from zero; RX analysis (per TID) is reset too.

        Port totals stay monotonic in the workers; a clear moves this tester's
        baseline (``since_clear=False`` reads the absolute values).
        """
        with self._lock:
            slots = list(self._core.port(index).slots.values())
            serial = self._counting.clear(index, slots, tx=tx, rx=rx)
        if serial and self._counting.wait_rx(index, rxw.RX_CLEARS, serial, 2.0):
            with self._lock:  # the receiver counted its ring before it cleared
                self._counting.rebase_rx(index)

    def settle(
        self, ports: list[int] | None = None, timeout_s: float = _SETTLE_S
    ) -> bool:
        """Make every frame already received on ``ports`` show in the statistics.

        Each RX worker drains its ring and publishes; returns True when all have.
        (Frames still in flight, e.g. in a DUT's delay queue, need a cool-down.)
        """
        targets = list(range(len(self.ports))) if ports is None else ports
        with self._lock:
            for i in targets:
                self._core.port(i)
            serials = self._counting.sync(targets)
        deadline = time.monotonic() + timeout_s
        return all(
            self._counting.wait_rx(
                i, rxw.RX_SYNCS, serial, max(0.0, deadline - time.monotonic())
            )
            for i, serial in zip(targets, serials, strict=True)
        )


def _read_mac(spec: PortSpec) -> str:
    from wirespeed.topology.links import link_mac

    return link_mac(spec)
