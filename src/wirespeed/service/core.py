"""The tester's rules, without IO (h11's shape): ports, streams, owners, the port
state machine, job building and validation.

:class:`TesterCore` takes what a front end asks for and returns what must happen:
:class:`Send` (a typed command for one of a port's workers) and
:class:`TrafficEvent` (for subscribers), in order. It touches no thread, pipe, clock
or file: :class:`wirespeed.service.Tester` is the IO shell that runs it over a
:class:`~wirespeed.service.dataplane.Dataplane`, under one lock.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from wirespeed.dataplane import messages as msg
from wirespeed.dataplane import service_messages as sm
from wirespeed.errors import StateError, ValidationError
from wirespeed.fieldengine import ErrorInjector, InjectedError
from wirespeed.model import Stream, StreamEnable
from wirespeed.model.scaling import (
    Multiplier,
    start_factor,
    stream_factor,
    update_factor,
)
from wirespeed.service.ownership import (
    PortState,
    Reservation,
    Reservations,
    Trigger,
    next_state,
)
from wirespeed.service.plans import build_job, tid_of
from wirespeed.service.port_settings import PortSettings
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
from wirespeed.tpld import TpldMode

__all__ = ["MAX_STREAMS", "TesterCore"]

MAX_STREAMS = 4096


@dataclass
class _Port:
    info: PortInfo
    streams: dict[int, Stream] = field(default_factory=dict)
    slots: dict[int, int] = field(default_factory=dict)
    free_slots: list[int] = field(
        default_factory=lambda: list(range(MAX_STREAMS - 1, -1, -1))
    )
    state: PortState = PortState.IDLE
    run_id: int = 0
    multiplier: float = 1.0
    job_ids: set[int] = field(default_factory=set)


class TesterCore(PortSettings):
    """Chassis -> modules -> ports -> streams: the rules, with no IO.

    Args:
        ports: the ports, in index order.
        modules: the port indices of each module.
    """

    def __init__(self, ports: list[PortInfo], modules: list[tuple[int, ...]]) -> None:
        self._ports = [_Port(p) for p in ports]
        self.modules = [ModuleInfo(i, m) for i, m in enumerate(modules)]
        self._res = Reservations(len(ports))

    # ------------------------------------------------------------------ inventory
    @property
    def ports(self) -> list[PortInfo]:
        """Every port, in index order."""
        return [p.info for p in self._ports]

    def port(self, index: object) -> _Port:
        """The port's state (raises ValidationError for a bad index)."""
        if (
            not isinstance(index, int)
            or isinstance(index, bool)
            or not 0 <= index < len(self._ports)
        ):
            raise ValidationError(
                f"no port {index!r} (ports 0..{len(self._ports) - 1})", field="port_id"
            )
        return self._ports[index]

    def _move_port(self, port: _Port, trigger: Trigger) -> None:
        port.state = next_state(port.info.index, port.state, trigger, port.streams)

    def _set(self, port: _Port, **changes: Any) -> None:
        port.info = replace(port.info, **changes)

    # ------------------------------------------------------------------ ownership
    def reserve(
        self, index: int, owner: str, session: str, *, force: bool
    ) -> tuple[str, list[Effect]]:
        """Reserve a port; the token and the RESERVED event."""
        self.port(index)
        token, previous = self._res.reserve(index, owner, session, force=force)
        detail = {
            "owner": owner,
            "session": session,
            "force": force,
            "previous": previous,
        }
        return token, [TrafficEvent(EventKind.RESERVED, index, detail)]

    def release(self, index: int, who: str) -> list[Effect]:
        """Release a port held by ``who`` (token or session)."""
        self.port(index)
        res = self._res.release(index, who)
        return [_released(index, res)]

    def relinquish(self, index: int) -> list[Effect]:
        """Take a port's reservation away from whoever holds it."""
        self.port(index)
        res = self._res.relinquish(index)
        return [] if res is None else [_released(index, res)]

    def release_session(self, session: str) -> tuple[list[int], list[Effect]]:
        """Release every port ``session`` holds."""
        freed = self._res.release_session(session)
        events: list[Effect] = [
            TrafficEvent(EventKind.RELEASED, i, {"session": session}) for i in freed
        ]
        return freed, events

    def reservation(self, index: int) -> Reservation | None:
        """Who holds ``index`` (``None`` if nobody)."""
        self.port(index)
        return self._res.get(index)

    def check_owner(self, index: int, who: str | None) -> None:
        """Raise :class:`~wirespeed.errors.OwnershipError` unless ``who`` holds it."""
        self.port(index)
        self._res.check(index, who)

    # ------------------------------------------------------------------ port config
    def reset_port(self, index: int) -> list[Effect]:
        """Stop traffic, remove every stream, restore the default port config."""
        port = self.port(index)
        effects = self.stop([index])
        for sid in list(port.streams):
            self.remove_stream(index, sid)
        self._set(port, tpld_mode=TpldMode.NORMAL, payload_checksum_offset=0)
        self._set(port, latency_offset_ns=0)
        port.multiplier = 1.0
        return [*effects, SendRx(index, msg.SetRxMode(TpldMode.NORMAL))]

    # ------------------------------------------------------------------ streams
    def add_stream(self, index: int, stream_id: int, stream: Stream) -> list[Effect]:
        """Add (or replace) stream ``stream_id`` on a port."""
        port = self.port(index)
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
        effects: list[Effect] = []
        if port.state.is_active and stream_id in port.streams:
            effects = self._change_while_active(port, stream_id, stream)
        if stream_id not in port.slots:
            if not port.free_slots:
                raise ValidationError(
                    f"at most {MAX_STREAMS} streams per port", field="stream_id"
                )
            port.slots[stream_id] = port.free_slots.pop()
        port.streams[stream_id] = stream
        self._move_port(port, Trigger.ADD)
        return effects

    def _change_while_active(
        self, port: _Port, stream_id: int, new: Stream
    ) -> list[Effect]:
        """What may change in a stream while its port transmits (as on Xena):
        a stream that is off, and ON <-> SUPPRESS of a stream of the running job."""
        old = port.streams[stream_id]
        on, off = StreamEnable.ON, StreamEnable.OFF
        if old.enabled is off and new.enabled is off:
            return []
        if (
            stream_id in port.job_ids
            and off not in (old.enabled, new.enabled)
            and replace(old, enabled=new.enabled) == new
        ):
            if old.enabled is new.enabled:
                return []
            cmd = msg.SuppressStream(stream_id, new.enabled is not on)
            return [Send(port.info.index, cmd)]
        raise StateError(
            f"port {port.info.index} is transmitting: cannot change stream {stream_id}",
            port=port.info.index,
        )

    def slot(self, index: int, stream_id: int) -> int:
        """The counter slot of a stream (raises ValidationError if none)."""
        slot = self.port(index).slots.get(stream_id)
        if slot is None:
            raise ValidationError(
                f"port {index} has no stream {stream_id}", field="stream_id"
            )
        return slot

    def remove_stream(self, index: int, stream_id: int) -> int:
        """Remove one stream; returns the slot it freed."""
        port = self.port(index)
        if stream_id not in port.streams:
            raise ValidationError(
                f"port {index} has no stream {stream_id}", field="stream_id"
            )
        if port.state.is_active:
            raise StateError(
                f"port {index} is transmitting: cannot remove a stream", port=index
            )
        del port.streams[stream_id]
        slot = port.slots.pop(stream_id)
        port.free_slots.append(slot)
        if not port.streams:
            self._move_port(port, Trigger.EMPTY)
        return slot

    def remove_all_streams(self, index: int) -> None:
        """Remove every stream of a port."""
        port = self.port(index)
        if port.state.is_active:
            raise StateError(
                f"port {index} is transmitting: cannot remove streams", port=index
            )
        for sid in list(port.streams):
            self.remove_stream(index, sid)

    def streams(self, index: int) -> dict[int, Stream]:
        """The port's streams by id (a copy)."""
        return dict(self.port(index).streams)

    # ------------------------------------------------------------------ traffic
    @staticmethod
    def _enabled(port: _Port) -> dict[int, Stream]:
        # SUPPRESS streams are part of the job (they can be switched on while it
        # runs); OFF streams are not.
        return {
            sid: s
            for sid, s in port.streams.items()
            if s.enabled is not StreamEnable.OFF
        }

    def start_factor(
        self, index: int, multiplier: Multiplier | None, *, force: bool = False
    ) -> float:
        """The factor on the streams' own rates that a start with ``multiplier``
        runs (:mod:`wirespeed.model.scaling`; ``None``: the streams' own rates,
        unchecked, as a Xena port sends them)."""
        port = self.port(index)
        enabled = self._enabled(port)
        if not any(s.enabled is StreamEnable.ON for s in enabled.values()):
            raise StateError(f"port {index} has no enabled stream", port=index)
        if multiplier is None:
            return 1.0
        return start_factor(multiplier, enabled, port.info.speed_bps, force=force)

    def multiplier(self, index: int) -> float:
        """The factor the port runs (or last ran) its streams at."""
        return self.port(index).multiplier

    def start(
        self,
        ports: list[int],
        *,
        duration_s: float | None = None,
        multiplier: Multiplier | None = None,
        force: bool = False,
        packet_limit: int | None = None,
        start_at_ns: int | None = None,
    ) -> list[Effect]:
        """Start every enabled stream of each port (all validated before any);
        each port stops after ``duration_s``, or after ``packet_limit`` frames of
        all its streams together, whichever comes first. With ``start_at_ns``
        (wall clock, ns since the epoch) every port's first frames leave then."""
        if start_at_ns is not None and (
            isinstance(start_at_ns, bool)
            or not isinstance(start_at_ns, int)
            or start_at_ns <= 0
        ):
            raise ValidationError(
                "a start time is ns since the epoch, > 0", field="start_at_ns"
            )
        if duration_s is not None and not duration_s > 0:
            raise ValidationError("duration must be > 0 seconds", field="duration")
        if packet_limit is not None and (
            isinstance(packet_limit, bool)
            or not isinstance(packet_limit, int)
            or packet_limit < 1
        ):
            raise ValidationError(
                "a port's packet limit is a count of frames >= 1",
                field="packet_limit",
            )
        for index in ports:
            port = self.port(index)
            if port.state.is_active and not force:
                raise StateError(f"port {index} is already transmitting", port=index)
        factors = [self.start_factor(i, multiplier, force=force) for i in ports]
        jobs = [
            build_job(
                self.port(i).info,
                self._enabled(self.port(i)),
                self.port(i).slots,
                self.port(i).run_id + 1,
                duration_s,
                f,
                packet_limit,
                start_at_ns,
            )
            for i, f in zip(ports, factors, strict=True)
        ]
        effects: list[Effect] = [  # switches and routers learn the port first
            SendSvc(i, sm.Gratuitous())
            for i in ports
            if self.port(i).info.l3.gratuitous
        ]
        for index in ports:
            if self.port(index).state.is_active:
                effects.append(Send(index, msg.StopJob()))
        for index, job in zip(ports, jobs, strict=True):
            port = self.port(index)
            port.run_id = job.run_id
            port.job_ids = set(self._enabled(port))
            port.multiplier = job.multiplier
            self._move_port(port, Trigger.START)
            effects.append(Send(index, msg.StartJob(job)))
        effects += [
            TrafficEvent(EventKind.STARTED, i, {"run_id": j.run_id})
            for i, j in zip(ports, jobs, strict=True)
        ]
        return effects

    def stop(self, ports: list[int]) -> list[Effect]:
        """Stop the ports that transmit (others are left as they are)."""
        effects: list[Effect] = []
        for index in ports:
            port = self.port(index)
            if port.state.is_active:
                port.run_id += 1  # a late "done" of the old run is ignored
                self._move_port(port, Trigger.STOP)
                effects.append(Send(index, msg.StopJob()))
                effects.append(TrafficEvent(EventKind.STOPPED, index))
        return effects

    def pause(self, ports: list[int]) -> list[Effect]:
        """Pause transmitting ports."""
        for index in ports:
            if self.port(index).state is not PortState.TX:
                raise StateError(f"port {index} is not transmitting", port=index)
        effects: list[Effect] = []
        for index in ports:
            self._move_port(self.port(index), Trigger.PAUSE)
            effects += [
                Send(index, msg.PauseJob()),
                TrafficEvent(EventKind.PAUSED, index),
            ]
        return effects

    def resume(self, ports: list[int]) -> list[Effect]:
        """Resume paused ports."""
        for index in ports:
            if self.port(index).state is not PortState.PAUSE:
                raise StateError(f"port {index} is not paused", port=index)
        effects: list[Effect] = []
        for index in ports:
            self._move_port(self.port(index), Trigger.RESUME)
            effects += [
                Send(index, msg.ResumeJob()),
                TrafficEvent(EventKind.RESUMED, index),
            ]
        return effects

    def update(
        self, ports: list[int], multiplier: Multiplier, *, force: bool = False
    ) -> list[Effect]:
        """Change the rate of transmitting ports (abs, add or sub)."""
        factors = []
        for index in ports:
            port = self.port(index)
            if not port.state.is_active:
                raise StateError(f"port {index} is not transmitting", port=index)
            factors.append(
                update_factor(
                    port.multiplier,
                    multiplier,
                    self._enabled(port),
                    port.info.speed_bps,
                    force=force,
                )
            )
        for index, factor in zip(ports, factors, strict=True):
            self.port(index).multiplier = factor
        return [Send(i, msg.SetFactor(f)) for i, f in zip(ports, factors, strict=True)]

    def suppress_streams(
        self, index: int, stream_ids: list[int], suppressed: bool
    ) -> list[Effect]:
        """Stop (or resume) sending some streams of a transmitting port; the port
        keeps sending the others and stays in its state (TRex's
        ``pause_streams``/``resume_streams``)."""
        self._check_job_streams(self.port(index), stream_ids)
        return [Send(index, msg.SuppressStream(s, suppressed)) for s in stream_ids]

    def update_streams(
        self,
        index: int,
        stream_ids: list[int],
        multiplier: Multiplier,
        *,
        force: bool = False,
    ) -> list[Effect]:
        """Give each named stream the rate ``multiplier`` gives it alone, whatever
        the port's multiplier does later (TRex's ``update_streams``)."""
        port = self.port(index)
        self._check_job_streams(port, stream_ids)
        speed = port.info.speed_bps
        return [
            Send(
                index,
                msg.SetStreamFactor(
                    sid,
                    stream_factor(multiplier, port.streams[sid], speed, force=force),
                ),
            )
            for sid in stream_ids
        ]

    def inject_error(
        self, index: int, stream_id: int, error: InjectedError | str
    ) -> list[Effect]:
        """Put one ``error`` into the next frame(s) of a stream that is sending.

        Raises:
            ValidationError: unknown error, no such stream, or no TPLD.
            StateError: the port is not transmitting the stream.
        """
        port = self.port(index)
        try:
            kind = InjectedError(error)
        except ValueError:
            names = ", ".join(e.value for e in InjectedError)
            raise ValidationError(
                f"unknown error {error!r} (one of {names})", field="error"
            ) from None
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
        return [Send(index, msg.InjectError(stream_id, kind.value))]

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

    # ------------------------------------------------------------------ reports
    def on_report(self, index: int, report: msg.WorkerReport) -> list[Effect]:
        """A TX worker's report: a job of the current run ended (done or failed)."""
        port = self.port(index)
        match report:
            case msg.JobDone(run_id) if run_id == port.run_id and port.state.is_active:
                self._move_port(port, Trigger.END)
                return [TrafficEvent(EventKind.DONE, index)]
            case msg.JobFailed(run_id, message) if (
                run_id == port.run_id and port.state.is_active
            ):
                self._move_port(port, Trigger.END)
                detail = {"message": message, "traffic_ended": True}
                return [TrafficEvent(EventKind.ERROR, index, detail)]
        return []

    def on_worker_lost(
        self, index: int, message: str, *, sender: bool = True
    ) -> list[Effect]:
        """A worker of the port died (the shell restarts it): the port reports an
        error; a sender's death also ends the port's traffic (a receiver's leaves
        it sending: only its analysis starts afresh)."""
        port = self.port(index)
        if sender:
            port.run_id += 1
            if port.state.is_active:
                self._move_port(port, Trigger.END)
        detail = {"message": message, "traffic_ended": sender}
        return [TrafficEvent(EventKind.ERROR, index, detail)]


def _released(index: int, res: Reservation) -> TrafficEvent:
    return TrafficEvent(
        EventKind.RELEASED, index, {"owner": res.owner, "session": res.session}
    )
