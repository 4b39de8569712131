"""The in-process tester every front end drives: ports, streams, traffic, statistics.

Front ends (the native API and CLI, TRex JSON-RPC, Xena XOA and text CLI) only
translate their protocol into calls on one :class:`Tester`; no traffic logic lives in
them. Every method is safe to call from any thread and returns quickly while ports
send at full rate: the frames are built, sent, received and analysed by two worker
processes per port (:mod:`wirespeed.service.workers`), which publish their counters in
shared memory.
"""

from __future__ import annotations

import contextlib
import enum
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from multiprocessing.connection import Connection, wait
from typing import Any

import numpy as np

from wirespeed.analysis import TidStats
from wirespeed.dataplane import rx_worker as rxw
from wirespeed.dataplane import tx_worker as txw
from wirespeed.errors import StateError, ValidationError
from wirespeed.fieldengine import ErrorInjector, InjectedError
from wirespeed.model import Stream, StreamEnable
from wirespeed.service.ownership import PortState, Reservation, Reservations
from wirespeed.service.plans import Multiplier, multiplier_factor, plan_for, tid_of
from wirespeed.service.sampling import sample_period_s
from wirespeed.service.stats import PortStats, RateMeter, StreamTxStats
from wirespeed.service.workers import MAX_STREAMS, PortWorkers, worker_cpus
from wirespeed.topology.links import link_counters, set_link_state
from wirespeed.topology.testbed import PortSpec, TesterConfig
from wirespeed.tpld import TpldMode

__all__ = ["EventKind", "ModuleInfo", "PortInfo", "Tester", "TrafficEvent"]


class EventKind(enum.Enum):
    """What happened on a port."""

    STARTED = "started"
    STOPPED = "stopped"
    PAUSED = "paused"
    RESUMED = "resumed"
    DONE = "done"  # a finite job ended by itself (bursts done or duration over)
    RESERVED = "reserved"
    RELEASED = "released"
    ERROR = "error"
    ATTR = "attr"


@dataclass(frozen=True)
class TrafficEvent:
    """An event delivered to subscribers."""

    kind: EventKind
    port: int
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass
class PortInfo:
    """A port as front ends see it."""

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

    @property
    def name(self) -> str:
        """``netns/interface`` (or just the interface)."""
        return (
            f"{self.spec.netns}/{self.spec.interface}"
            if self.spec.netns
            else self.spec.interface
        )


@dataclass
class ModuleInfo:
    """A group of ports (a Xena module)."""

    index: int
    ports: tuple[int, ...]
    media: str = "QSFP56_PAM4"  # accepted and reported


@dataclass
class _Port:
    info: PortInfo
    workers: PortWorkers | None = None
    streams: dict[int, Stream] = field(default_factory=dict)
    slots: dict[int, int] = field(default_factory=dict)
    free_slots: list[int] = field(
        default_factory=lambda: list(range(MAX_STREAMS - 1, -1, -1))
    )
    state: PortState = PortState.IDLE
    run_id: int = 0
    multiplier: float = 1.0
    tx_base: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    rx_base: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    slot_base: dict[int, tuple[int, int]] = field(default_factory=dict)
    meter: RateMeter = field(default_factory=RateMeter)
    cpu: list[int] = field(default_factory=list)
    cpu_prev: tuple[float, int] | None = None
    rx_clears: int = 0
    job_ids: set[int] = field(default_factory=set)
    rx_syncs: int = 0


class Tester:
    """Chassis -> modules -> ports -> streams, backed by real interfaces.

    Args:
        config: the ports (interfaces, namespaces, nominal speeds) and modules.
        qdisc_bypass: send without the local qdisc (see DESIGN.md).
        cpus: per port index, the (TX, RX) workers' CPUs (``None``: the port's
            own, else placed by :mod:`wirespeed.service.placement`).
    """

    def __init__(
        self,
        config: TesterConfig,
        *,
        qdisc_bypass: bool = True,
        cpus: dict[int, tuple[int | None, int | None]] | None = None,
    ) -> None:
        self.config = config
        self._qdisc_bypass = qdisc_bypass
        self._cpus = cpus or {}
        self._lock = threading.RLock()
        self._res = Reservations(len(config.ports))
        self._subs: list[Callable[[TrafficEvent], None]] = []
        self.modules = [ModuleInfo(i, m) for i, m in enumerate(config.modules)]
        where = {
            p: (mi, pi) for mi, m in enumerate(config.modules) for pi, p in enumerate(m)
        }
        self._ports: list[_Port] = []
        for i, spec in enumerate(config.ports):
            mod, pim = where[i]
            mac = spec.mac or _read_mac(spec)
            self._ports.append(_Port(PortInfo(i, spec, mod, pim, mac, spec.speed_bps)))
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._started = False
        self._cpu_t = 0.0

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> Tester:
        """Start the worker processes of every port and the service threads."""
        try:
            placed = worker_cpus(self.config.ports, self._cpus)
            for port in self._ports:
                port.workers = PortWorkers(
                    port.info.index,
                    port.info.spec,
                    qdisc_bypass=self._qdisc_bypass,
                    cpus=placed[port.info.index],
                )
            for port in self._ports:
                assert port.workers is not None
                port.workers.start()
                port.tx_base = np.zeros(port.workers.tx_counters.size, dtype=np.int64)
                port.rx_base = np.zeros(rxw.RX_PORT_WORDS, dtype=np.int64)
                if port.info.tpld_mode is not TpldMode.NORMAL:
                    self._tell_rx_mode(port)
        except BaseException:
            self.close()
            raise
        self._started = True
        for target, name in (
            (self._event_loop, "ws-events"),
            (self._sample_loop, "ws-rates"),
        ):
            t = threading.Thread(target=target, name=name, daemon=True)
            t.start()
            self._threads.append(t)
        return self

    def close(self) -> None:
        """Stop traffic and every worker process."""
        self._stop.set()
        for t in self._threads:
            t.join(timeout=3)
        for port in self._ports:
            if port.workers is not None:
                port.workers.close()
                port.workers = None

    def __enter__(self) -> Tester:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ events
    def subscribe(self, callback: Callable[[TrafficEvent], None]) -> Callable[[], None]:
        """Call ``callback`` for every event; returns a function that unsubscribes."""
        with self._lock:
            self._subs.append(callback)

        def unsubscribe() -> None:
            with self._lock, contextlib.suppress(ValueError):
                self._subs.remove(callback)

        return unsubscribe

    def _emit(self, kind: EventKind, port: int, **detail: Any) -> None:
        ev = TrafficEvent(kind, port, detail)
        for cb in list(self._subs):
            try:
                cb(ev)
            except Exception:
                continue

    def _event_loop(self) -> None:
        conns: dict[Connection, int] = {}
        for port in self._ports:
            if port.workers is not None:
                conns[port.workers.tx_conn] = port.info.index
        while not self._stop.is_set():
            try:
                ready = wait(list(conns), timeout=0.2)
            except OSError:
                return
            for conn in ready:
                assert isinstance(conn, Connection)
                try:
                    msg = conn.recv()
                except (EOFError, OSError):
                    conns.pop(conn, None)
                    continue
                self._on_worker(conns[conn], msg)

    def _on_worker(self, index: int, msg: tuple[Any, ...]) -> None:
        port = self._ports[index]
        kind = msg[0]
        with self._lock:
            if msg[1] != port.run_id or not port.state.is_active:
                return
            port.state = PortState.STREAMS if port.streams else PortState.IDLE
        if kind == "done":
            self._emit(EventKind.DONE, index)
        elif kind == "error":
            self._emit(EventKind.ERROR, index, message=msg[2])

    def _sample_loop(self) -> None:
        while not self._stop.wait(
            sample_period_s(any(p.state.is_active for p in self._ports))
        ):
            for port in self._ports:
                w = port.workers
                if w is None:
                    continue
                tx = w.tx_counters.read()
                rx = w.rx_counters.read(rxw.RX_PORT_WORDS)
                port.meter.add(np.concatenate([tx, rx]))
            self._sample_cpu()

    def _sample_cpu(self) -> None:
        now = time.monotonic()
        if now - self._cpu_t < 1.0:
            return
        ticks = os.sysconf("SC_CLK_TCK")
        for port in self._ports:
            if port.workers is None:
                continue
            total = 0
            for pid in port.workers.pids:
                with contextlib.suppress(OSError, IndexError, ValueError):
                    with open(f"/proc/{pid}/stat") as fh:
                        parts = fh.read().rsplit(")", 1)[1].split()
                    total += int(parts[11]) + int(parts[12])
            prev = port.cpu_prev
            port.cpu_prev = (now, total)
            if prev is not None:
                dt = now - prev[0]
                pct = round(100 * (total - prev[1]) / ticks / dt / 2) if dt > 0 else 0
                port.cpu.insert(0, max(0, min(100, pct)))
                del port.cpu[20:]
        self._cpu_t = now

    # ------------------------------------------------------------------ inventory
    @property
    def ports(self) -> list[PortInfo]:
        """Every port, in index order."""
        return [p.info for p in self._ports]

    def _port(self, index: int) -> _Port:
        if (
            not isinstance(index, int)
            or isinstance(index, bool)
            or not 0 <= index < len(self._ports)
        ):
            raise ValidationError(
                f"no port {index!r} (ports 0..{len(self._ports) - 1})", field="port_id"
            )
        return self._ports[index]

    def port_state(self, index: int) -> PortState:
        """IDLE, STREAMS, TX or PAUSE."""
        return self._port(index).state

    # ------------------------------------------------------------------ ownership
    def reserve(
        self, index: int, owner: str, session: str, *, force: bool = False
    ) -> str:
        """Reserve (TRex: acquire) a port; returns the token (TRex handler)."""
        self._port(index)
        with self._lock:
            token, previous = self._res.reserve(index, owner, session, force=force)
        self._emit(
            EventKind.RESERVED,
            index,
            owner=owner,
            session=session,
            force=force,
            previous=previous,
        )
        return token

    def release(self, index: int, who: str) -> None:
        """Release a port held by ``who`` (token or session)."""
        self._port(index)
        with self._lock:
            res = self._res.release(index, who)
        self._emit(EventKind.RELEASED, index, owner=res.owner, session=res.session)

    def relinquish(self, index: int) -> None:
        """Take a port's reservation away from whoever holds it."""
        self._port(index)
        with self._lock:
            res = self._res.relinquish(index)
        if res is not None:
            self._emit(EventKind.RELEASED, index, owner=res.owner, session=res.session)

    def release_session(self, session: str) -> list[int]:
        """Release every port ``session`` holds (its connection closed)."""
        with self._lock:
            freed = self._res.release_session(session)
        for index in freed:
            self._emit(EventKind.RELEASED, index, session=session)
        return freed

    def reservation(self, index: int) -> Reservation | None:
        """Who holds ``index`` (``None`` if nobody)."""
        self._port(index)
        return self._res.get(index)

    def check_owner(self, index: int, who: str | None) -> None:
        """Raise :class:`~wirespeed.errors.OwnershipError` unless ``who`` holds it."""
        self._port(index)
        self._res.check(index, who)

    # ------------------------------------------------------------------ port config
    def _check_idle(self, port: _Port, what: str) -> None:
        if port.state.is_active:
            raise StateError(
                f"port {port.info.index} is transmitting: cannot {what}",
                port=port.info.index,
            )

    def set_speed(self, index: int, speed_bps: int) -> None:
        """Set the nominal speed (the basis for "% of line")."""
        port = self._port(index)
        if not isinstance(speed_bps, int) or speed_bps <= 0:
            raise ValidationError(
                "speed must be a positive number of bit/s", field="speed"
            )
        with self._lock:
            self._check_idle(port, "change the speed")
            port.info.speed_bps = speed_bps

    def set_tpld_mode(self, index: int, mode: TpldMode) -> None:
        """Choose the port's TPLD form (normal 20 B / with payload checksum / micro)."""
        port = self._port(index)
        with self._lock:
            self._check_idle(port, "change the TPLD mode")
            port.info.tpld_mode = mode
            self._tell_rx_mode(port)

    def set_payload_checksum(self, index: int, offset: int) -> None:
        """Payload checksum offset (0 = off); on, the TPLD grows to 22 bytes."""
        port = self._port(index)
        if not isinstance(offset, int) or not 0 <= offset <= 2047:
            raise ValidationError(
                "offset must be 0..2047", field="payload_checksum_offset"
            )
        with self._lock:
            self._check_idle(port, "change the payload checksum")
            port.info.payload_checksum_offset = offset
            if offset and port.info.tpld_mode is TpldMode.NORMAL:
                port.info.tpld_mode = TpldMode.NORMAL_WITH_PAYLOAD_CHECKSUM
            elif (
                not offset
                and port.info.tpld_mode is TpldMode.NORMAL_WITH_PAYLOAD_CHECKSUM
            ):
                port.info.tpld_mode = TpldMode.NORMAL
            self._tell_rx_mode(port)

    def _tell_rx_mode(self, port: _Port) -> None:
        """The port receives in the form it sends (as on a Xena port): its receive
        worker decodes micro TPLDs, or checks payload checksums, from now on."""
        if port.workers is not None:
            port.workers.send_rx("mode", port.info.tpld_mode)
            self.settle([port.info.index])  # commands run in order: mode, then sync

    def set_latency_offset(self, index: int, offset_ns: int) -> None:
        """Subtracted from every latency reported for this port."""
        self._port(index).info.latency_offset_ns = int(offset_ns)

    def set_link(self, index: int, up: bool) -> None:
        """Really set the interface up or down."""
        port = self._port(index)
        set_link_state(port.info.spec, up)
        port.info.link_up = up
        self._emit(EventKind.ATTR, index, link_up=up)

    def set_promiscuous(self, index: int, on: bool) -> None:
        """Record the promiscuous flag (a test port always sees every frame)."""
        self._port(index).info.promiscuous = bool(on)
        self._emit(EventKind.ATTR, index, promiscuous=bool(on))

    def reset_port(self, index: int) -> None:
        """Stop traffic, remove every stream, restore the default port config."""
        port = self._port(index)
        self.stop_traffic([index])
        with self._lock:
            self.remove_all_streams(index)
            port.info.tpld_mode = TpldMode.NORMAL
            port.info.payload_checksum_offset = 0
            self._tell_rx_mode(port)
            port.info.latency_offset_ns = 0
            port.multiplier = 1.0

    # ------------------------------------------------------------------ streams
    def add_stream(self, index: int, stream_id: int, stream: Stream) -> None:
        """Add (or replace) stream ``stream_id`` on a port."""
        port = self._port(index)
        if (
            not isinstance(stream_id, int)
            or isinstance(stream_id, bool)
            or stream_id < 0
        ):
            raise ValidationError(
                "stream id must be a non-negative integer", field="stream_id"
            )
        if not isinstance(stream, Stream):
            raise ValidationError("not a stream", field="stream")
        with self._lock:
            if port.state.is_active and stream_id in port.streams:
                self._change_while_active(port, stream_id, stream)
            if stream_id not in port.slots:
                if not port.free_slots:
                    raise ValidationError(
                        f"at most {MAX_STREAMS} streams per port", field="stream_id"
                    )
                slot = port.free_slots.pop()
                port.slots[stream_id] = slot
                port.slot_base[slot] = self._slot_counts(port, slot)
            port.streams[stream_id] = stream
            if port.state is PortState.IDLE:
                port.state = PortState.STREAMS

    replace_stream = add_stream

    def _change_while_active(self, port: _Port, stream_id: int, new: Stream) -> None:
        """What may change in a stream while its port transmits (as on Xena):
        a stream that is off, and ON <-> SUPPRESS of a stream of the running job."""
        old = port.streams[stream_id]
        on, off = StreamEnable.ON, StreamEnable.OFF
        if old.enabled is off and new.enabled is off:
            return
        if (
            stream_id in port.job_ids
            and off not in (old.enabled, new.enabled)
            and replace(old, enabled=new.enabled) == new
        ):
            if old.enabled is not new.enabled:
                assert port.workers is not None
                port.workers.send_tx("suppress", stream_id, new.enabled is not on)
            return
        raise StateError(
            f"port {port.info.index} is transmitting: cannot change stream {stream_id}",
            port=port.info.index,
        )

    def _slot_counts(self, port: _Port, slot: int) -> tuple[int, int]:
        if port.workers is None:
            return (0, 0)
        w = port.workers.tx_counters.read()
        s = txw.TX_PORT_WORDS + 2 * slot
        return int(w[s]), int(w[s + 1])

    def remove_stream(self, index: int, stream_id: int) -> None:
        """Remove one stream."""
        port = self._port(index)
        with self._lock:
            if stream_id not in port.streams:
                raise ValidationError(
                    f"port {index} has no stream {stream_id}", field="stream_id"
                )
            if port.state.is_active:
                raise StateError(
                    f"port {index} is transmitting: cannot remove a stream", port=index
                )
            del port.streams[stream_id]
            port.free_slots.append(port.slots.pop(stream_id))
            if not port.streams:
                port.state = PortState.IDLE

    def remove_all_streams(self, index: int) -> None:
        """Remove every stream of a port."""
        port = self._port(index)
        with self._lock:
            if port.state.is_active:
                raise StateError(
                    f"port {index} is transmitting: cannot remove streams", port=index
                )
            for sid in list(port.streams):
                self.remove_stream(index, sid)

    def streams(self, index: int) -> dict[int, Stream]:
        """The port's streams by id (a copy)."""
        return dict(self._port(index).streams)

    # ------------------------------------------------------------------ traffic
    def start_traffic(
        self,
        ports: list[int],
        *,
        duration_s: float | None = None,
        multiplier: Multiplier | None = None,
        force: bool = False,
    ) -> None:
        """Start every enabled stream of each port (all ports validated first)."""
        if duration_s is not None and (duration_s <= 0 or duration_s != duration_s):
            raise ValidationError("duration must be > 0 seconds", field="duration")
        jobs: list[tuple[_Port, txw.TxJob]] = []
        with self._lock:
            for index in ports:
                port = self._port(index)
                if port.state.is_active:
                    if not force:
                        raise StateError(
                            f"port {index} is already transmitting", port=index
                        )
                    self._stop_port(port)
                jobs.append((port, self._job(port, duration_s, multiplier)))
            for port, job in jobs:
                assert port.workers is not None
                port.state = PortState.TX
                port.workers.send_tx("start", job)
        for port, job in jobs:
            self._emit(EventKind.STARTED, port.info.index, run_id=job.run_id)

    def _job(
        self, port: _Port, duration_s: float | None, mult: Multiplier | None
    ) -> txw.TxJob:
        info = port.info
        # SUPPRESS streams are part of the job (they can be switched on while it
        # runs); OFF streams are not.
        enabled = {
            sid: s
            for sid, s in port.streams.items()
            if s.enabled is not StreamEnable.OFF
        }
        if not any(s.enabled is StreamEnable.ON for s in enabled.values()):
            raise StateError(
                f"port {info.index} has no enabled stream", port=info.index
            )
        sjobs = []
        for sid in sorted(enabled):
            stream = enabled[sid]
            tid = tid_of(stream)
            if tid > info.tpld_mode.max_tid:
                raise ValidationError(
                    f"TPLD id {tid} > {info.tpld_mode.max_tid} for the port's "
                    f"{info.tpld_mode.value} TPLD",
                    field="tpld_id",
                )
            stream.validate_for_port(
                info.tpld_mode.length if tid >= 0 else 0,
                info.payload_checksum_offset > 0,
            )
            plan = plan_for(sid, stream, info.speed_bps, enabled)
            if stream.enabled is StreamEnable.SUPPRESS:
                plan = replace(plan, suppressed=True)
            sjobs.append(txw.TxStreamJob(port.slots[sid], stream, plan, tid))
        port.job_ids = set(enabled)
        factor = (
            1.0 if mult is None else multiplier_factor(mult, enabled, info.speed_bps)
        )
        port.multiplier = factor
        port.run_id += 1
        return txw.TxJob(
            run_id=port.run_id,
            streams=sjobs,
            tpld_mode=info.tpld_mode,
            pi_offset=info.payload_checksum_offset,
            duration_s=duration_s,
            multiplier=factor,
        )

    def inject_error(
        self, index: int, stream_id: int, error: InjectedError | str
    ) -> None:
        """Put one ``error`` into the next frame(s) of a stream that is sending.

        Its frames must carry a TPLD (and, for ``sequence`` and ``misorder``, a
        form with a sequence number); the error counts in
        ``PortStats.tx_injected_*`` once its frames are sent.

        Raises:
            ValidationError: unknown error, no such stream, or no TPLD.
            StateError: the port is not transmitting the stream.
        """
        port = self._port(index)
        try:
            kind = InjectedError(error)
        except ValueError:
            names = ", ".join(e.value for e in InjectedError)
            raise ValidationError(
                f"unknown error {error!r} (one of {names})", field="error"
            ) from None
        with self._lock:
            stream = port.streams.get(stream_id)
            if stream is None:
                raise ValidationError(
                    f"port {index} has no stream {stream_id}", field="stream_id"
                )
            if not port.state.is_active or stream_id not in port.job_ids:
                raise StateError(
                    f"port {index} is not transmitting stream {stream_id}", port=index
                )
            if tid_of(stream) < 0:
                raise ValidationError(
                    f"stream {stream_id} has no TPLD to inject errors into",
                    field="tpld_id",
                )
            if not ErrorInjector.supported(port.info.tpld_mode, kind):
                raise ValidationError(
                    f"a {port.info.tpld_mode.value} TPLD has no sequence number for "
                    f"a {kind.value} error",
                    field="error",
                )
            assert port.workers is not None
            port.workers.send_tx("inject", stream_id, kind.value)

    def _stop_port(self, port: _Port) -> None:
        assert port.workers is not None
        port.run_id += 1  # a late "done" of the old run is ignored
        port.workers.send_tx("stop")
        port.state = PortState.STREAMS if port.streams else PortState.IDLE

    def stop_traffic(self, ports: list[int]) -> None:
        """Stop the ports (a no-op for ports that are not transmitting)."""
        stopped = []
        with self._lock:
            for index in ports:
                port = self._port(index)
                if port.state.is_active:
                    self._stop_port(port)
                    stopped.append(index)
        for index in stopped:
            self._emit(EventKind.STOPPED, index)
        for index in stopped:
            self._wait_tx_idle(self._ports[index])

    def _wait_tx_idle(self, port: _Port, timeout_s: float = 2.0) -> None:
        assert port.workers is not None
        end = time.monotonic() + timeout_s
        while time.monotonic() < end:
            if port.workers.tx_counters.read()[txw.TX_RUNNING] == 0:
                return
            time.sleep(0.002)

    def pause(self, ports: list[int]) -> None:
        """Pause transmitting ports."""
        for index in ports:
            port = self._port(index)
            with self._lock:
                if port.state is not PortState.TX:
                    raise StateError(f"port {index} is not transmitting", port=index)
                assert port.workers is not None
                port.workers.send_tx("pause")
                port.state = PortState.PAUSE
            self._emit(EventKind.PAUSED, index)

    def resume(self, ports: list[int]) -> None:
        """Resume paused ports."""
        for index in ports:
            port = self._port(index)
            with self._lock:
                if port.state is not PortState.PAUSE:
                    raise StateError(f"port {index} is not paused", port=index)
                assert port.workers is not None
                port.workers.send_tx("resume")
                port.state = PortState.TX
            self._emit(EventKind.RESUMED, index)

    def update_traffic(self, ports: list[int], multiplier: Multiplier) -> None:
        """Change the rate of transmitting ports."""
        for index in ports:
            port = self._port(index)
            with self._lock:
                if not port.state.is_active:
                    raise StateError(f"port {index} is not transmitting", port=index)
                enabled = {
                    s: st
                    for s, st in port.streams.items()
                    if st.enabled is not StreamEnable.OFF
                }
                factor = multiplier_factor(multiplier, enabled, port.info.speed_bps)
                port.multiplier = factor
                assert port.workers is not None
                port.workers.send_tx("rate", factor)

    def pause_streams(self, index: int, stream_ids: list[int]) -> None:
        """Stop sending some streams of a transmitting port; the port keeps sending
        the others and stays in its state (TRex's ``pause_streams``)."""
        self._stream_command(index, "suppress", {s: (True,) for s in stream_ids})

    def resume_streams(self, index: int, stream_ids: list[int]) -> None:
        """Send paused streams again from now on (the pause is not made up for)."""
        self._stream_command(index, "suppress", {s: (False,) for s in stream_ids})

    def update_streams(self, index: int, factors: dict[int, float]) -> None:
        """Run each stream at ``factor`` times its own rate from now on, whatever
        the port's multiplier (TRex's ``update_streams``)."""
        for stream_id, factor in factors.items():
            if not factor > 0:
                raise ValidationError(
                    f"stream {stream_id}: factor {factor:g} must be above 0",
                    field="factor",
                )
        rates: dict[int, tuple[object, ...]] = {s: (f,) for s, f in factors.items()}
        self._stream_command(index, "stream_rate", rates)

    def _stream_command(
        self, index: int, op: str, args: dict[int, tuple[object, ...]]
    ) -> None:
        """Send ``op`` to the TX worker for each stream of the running job."""
        with self._lock:
            port = self._port(index)
            self._check_job_streams(port, list(args))
            assert port.workers is not None
            for stream_id, values in args.items():
                port.workers.send_tx(op, stream_id, *values)

    def _check_job_streams(self, port: _Port, stream_ids: list[int]) -> None:
        index = port.info.index
        if not port.state.is_active:
            raise StateError(f"port {index} is not transmitting", port=index)
        if not stream_ids:
            raise ValidationError("no stream ids given", field="stream_ids")
        for stream_id in stream_ids:
            if stream_id not in port.streams:
                raise ValidationError(
                    f"port {index} has no stream {stream_id}", field="stream_ids"
                )
            if stream_id not in port.job_ids:
                raise ValidationError(
                    f"stream {stream_id} of port {index} is not part of the running "
                    "traffic (it was off when the traffic started)",
                    field="stream_ids",
                )

    def wait_idle(self, ports: list[int], timeout_s: float) -> bool:
        """Wait until none of ``ports`` transmits; True if they all stopped."""
        end = time.monotonic() + timeout_s
        while time.monotonic() < end:
            if not any(self._port(i).state.is_active for i in ports):
                return True
            time.sleep(0.01)
        return False

    # ------------------------------------------------------------------ statistics
    def _rates(self, port: _Port) -> tuple[np.ndarray, np.ndarray]:
        assert port.workers is not None
        r = port.meter.rates()
        n_tx = port.workers.tx_counters.size
        if len(r) != n_tx + rxw.RX_PORT_WORDS:
            r = np.zeros(n_tx + rxw.RX_PORT_WORDS)
        return r[:n_tx], r[n_tx:]

    def port_stats(self, index: int, *, since_clear: bool = True) -> PortStats:
        """Counters and last-second rates of a port."""
        port = self._port(index)
        assert port.workers is not None
        tx_abs = port.workers.tx_counters.read()
        rx_abs = port.workers.rx_counters.read(rxw.RX_PORT_WORDS)
        tx = tx_abs - port.tx_base if since_clear else tx_abs
        rx = rx_abs - port.rx_base if since_clear else rx_abs
        tr, rr = self._rates(port)
        return PortStats(
            tx_packets=int(tx[txw.TX_PACKETS]),
            tx_bytes=int(tx[txw.TX_BYTES]),
            rx_packets=int(rx[rxw.RX_PACKETS]),
            rx_bytes=int(rx[rxw.RX_BYTES]),
            tx_notpld_packets=int(tx[txw.TX_NOTPLD_PACKETS]),
            tx_notpld_bytes=int(tx[txw.TX_NOTPLD_BYTES]),
            rx_notpld_packets=int(rx[rxw.RX_NOTPLD_PACKETS]),
            rx_notpld_bytes=int(rx[rxw.RX_NOTPLD_BYTES]),
            rx_tpld_packets=int(rx[rxw.RX_TPLD_PACKETS]),
            rx_tpld_errors=int(rx[rxw.RX_TPLD_ERRORS]),
            rx_dropped_by_tester=int(rx[rxw.RX_RING_DROPS]),
            tx_errors=int(tx[txw.TX_ERRORS]),
            tx_pps=float(tr[txw.TX_PACKETS]),
            tx_bps_l2=float(tr[txw.TX_BYTES]) * 8,
            rx_pps=float(rr[rxw.RX_PACKETS]),
            rx_bps_l2=float(rr[rxw.RX_BYTES]) * 8,
            requested_tx_pps=float(tx_abs[txw.TX_REQUESTED_MPPS]) / 1000,
            tx_notpld_pps=float(tr[txw.TX_NOTPLD_PACKETS]),
            tx_notpld_bps_l2=float(tr[txw.TX_NOTPLD_BYTES]) * 8,
            rx_notpld_pps=float(rr[rxw.RX_NOTPLD_PACKETS]),
            rx_notpld_bps_l2=float(rr[rxw.RX_NOTPLD_BYTES]) * 8,
            tx_injected_sequence=int(tx[txw.TX_INJECTED[InjectedError.SEQUENCE]]),
            tx_injected_misorder=int(tx[txw.TX_INJECTED[InjectedError.MISORDER]]),
            tx_injected_payload=int(tx[txw.TX_INJECTED[InjectedError.PAYLOAD]]),
            tx_injected_tpld=int(tx[txw.TX_INJECTED[InjectedError.TPLD]]),
        )

    def stream_tx_stats(self, index: int, stream_id: int) -> StreamTxStats:
        """What one stream sent since the last clear, and its last-second rate."""
        port = self._port(index)
        slot = port.slots.get(stream_id)
        if slot is None:
            raise ValidationError(
                f"port {index} has no stream {stream_id}", field="stream_id"
            )
        assert port.workers is not None
        w = port.workers.tx_counters.read()
        s = txw.TX_PORT_WORDS + 2 * slot
        base = port.slot_base.get(slot, (0, 0))
        tr, _ = self._rates(port)
        return StreamTxStats(
            int(w[s]) - base[0],
            int(w[s + 1]) - base[1],
            float(tr[s]),
            float(tr[s + 1]) * 8,
        )

    def tids(self, index: int) -> list[int]:
        """TIDs (TRex: pg_ids) seen on RX since the last clear."""
        port = self._port(index)
        assert port.workers is not None
        return rxw.table_tids(port.workers.rx_counters.read())

    def tid_stats(self, index: int, tid: int) -> TidStats | None:
        """RX analysis of one TID (``None`` if never seen)."""
        port = self._port(index)
        assert port.workers is not None
        st = rxw.table_tid_stats(port.workers.rx_counters.read(), tid)
        if st is not None and port.info.latency_offset_ns:
            st = replace(st, **rxw.shift_latency(st, port.info.latency_offset_ns))
        return st

    def clear_stats(self, index: int, *, tx: bool = True, rx: bool = True) -> None:
        """Counters start again from zero; RX analysis (per TID) is reset too.

        Port totals stay monotonic inside the workers; a clear only moves this
        tester's baseline (``since_clear=False`` reads the absolute values).
        """
        port = self._port(index)
        assert port.workers is not None
        if tx:
            port.tx_base = port.workers.tx_counters.read()
            for slot in port.slots.values():
                port.slot_base[slot] = self._slot_counts(port, slot)
        if rx:
            port.rx_base = port.workers.rx_counters.read(rxw.RX_PORT_WORDS)
            port.rx_clears += 1
            port.workers.send_rx("clear", port.rx_clears)
            deadline = time.monotonic() + 2
            while time.monotonic() < deadline:
                if port.workers.rx_counters.read()[rxw.RX_CLEARS] >= port.rx_clears:
                    break
                time.sleep(0.002)
        port.meter.reset()

    def settle(self, ports: list[int] | None = None, timeout_s: float = 5.0) -> bool:
        """Make every frame already received on ``ports`` show in the statistics.

        Each RX worker drains its ring and publishes; returns True when all have.
        (Frames still in flight, e.g. in a DUT's delay queue, need a cool-down.)
        """
        targets = [
            self._port(i) for i in (range(len(self._ports)) if ports is None else ports)
        ]
        for port in targets:
            assert port.workers is not None
            port.rx_syncs += 1
            port.workers.send_rx("sync", port.rx_syncs)
        deadline = time.monotonic() + timeout_s
        for port in targets:
            assert port.workers is not None
            while port.workers.rx_counters.read()[rxw.RX_SYNCS] < port.rx_syncs:
                if time.monotonic() > deadline:
                    return False
                time.sleep(0.001)
        return True

    def interface_counters(self, index: int) -> dict[str, int]:
        """The kernel's own counters of the port's interface."""
        return link_counters(self._port(index).info.spec)

    def cpu_utilization(self) -> list[list[int]]:
        """Worker CPU use per port, newest first (one value a second, 20 s).

        A port has two worker processes (TX and RX), each on a core of its own: the
        value is their mean, in percent of a core (100 = both cores busy).
        """
        return [list(p.cpu) for p in self._ports]


def _read_mac(spec: PortSpec) -> str:
    from wirespeed.topology.links import link_mac

    return link_mac(spec)
