"""An in-process fake of :class:`wirespeed.service.Tester` for the TRex unit tests.

It keeps the real service's rules (ownership through the real ``Reservations``,
states, add = replace, events emitted synchronously) but sends nothing: tests set
the counters it reports. Only the test suite uses it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from wirespeed.analysis import TidStats
from wirespeed.errors import StateError, ValidationError
from wirespeed.model import Stream
from wirespeed.service import (
    EventKind,
    Multiplier,
    PortInfo,
    PortState,
    PortStats,
    Reservation,
    StreamTxStats,
    TrafficEvent,
)
from wirespeed.service.ownership import Reservations
from wirespeed.topology.testbed import PortSpec
from wirespeed.tpld import TpldMode

MACS = ("02:00:00:00:00:01", "02:00:00:00:00:02")


class FakeTester:
    """Two ports cabled 0<->1, 10 Gb/s, counters set by the test."""

    def __init__(self, n_ports: int = 2, speed_bps: int = 10_000_000_000) -> None:
        self.ports = [
            PortInfo(
                i,
                PortSpec(f"p{i}", f"ns{i}", speed_bps, MACS[i], i ^ 1),
                i // 2,
                i % 2,
                MACS[i],
                speed_bps,
            )
            for i in range(n_ports)
        ]
        self._res = Reservations(n_ports)
        self._streams: list[dict[int, Stream]] = [{} for _ in range(n_ports)]
        self._state = [PortState.IDLE] * n_ports
        self._subs: list[Callable[[TrafficEvent], None]] = []
        self.calls: list[tuple[Any, ...]] = []
        self.stats = [PortStats() for _ in range(n_ports)]
        self.tx: dict[tuple[int, int], StreamTxStats] = {}
        self.rx: dict[tuple[int, int], TidStats] = {}
        self.kernel = [{"rx_packets": 5, "tx_packets": 7, "rx_errors": 0}] * n_ports
        self.cpu = [[12, 10], [3]][:n_ports]
        self.settles = 0

    # events
    def subscribe(self, cb: Callable[[TrafficEvent], None]) -> Callable[[], None]:
        self._subs.append(cb)
        return lambda: self._subs.remove(cb)

    def emit(self, kind: EventKind, port: int, **detail: Any) -> None:
        for cb in list(self._subs):
            cb(TrafficEvent(kind, port, detail))

    def finish(self, port: int) -> None:
        """The port's finite job ends by itself."""
        self._state[port] = PortState.STREAMS
        self.emit(EventKind.DONE, port)

    def _check(self, index: int) -> None:
        if not 0 <= index < len(self.ports):
            raise ValidationError(f"no port {index}", field="port_id")

    # ownership
    def port_state(self, index: int) -> PortState:
        self._check(index)
        return self._state[index]

    def reserve(
        self, index: int, owner: str, session: str, *, force: bool = False
    ) -> str:
        self._check(index)
        token, previous = self._res.reserve(index, owner, session, force=force)
        self.emit(
            EventKind.RESERVED,
            index,
            owner=owner,
            session=session,
            force=force,
            previous=previous,
        )
        return token

    def release(self, index: int, who: str) -> None:
        res = self._res.release(index, who)
        self.emit(EventKind.RELEASED, index, owner=res.owner, session=res.session)

    def reservation(self, index: int) -> Reservation | None:
        self._check(index)
        return self._res.get(index)

    def check_owner(self, index: int, who: str | None) -> None:
        self._check(index)
        self._res.check(index, who)

    # port config
    def set_link(self, index: int, up: bool) -> None:
        self.calls.append(("set_link", index, up))
        self.ports[index].link_up = up
        self.emit(EventKind.ATTR, index, link_up=up)

    def set_promiscuous(self, index: int, on: bool) -> None:
        self.calls.append(("set_promiscuous", index, on))
        self.ports[index].promiscuous = on
        self.emit(EventKind.ATTR, index, promiscuous=on)

    def set_tpld_mode(self, index: int, mode: TpldMode) -> None:
        if self._state[index] in (PortState.TX, PortState.PAUSE):
            raise StateError(f"port {index} is transmitting", port=index)
        self.ports[index].tpld_mode = mode

    # streams
    def add_stream(self, index: int, stream_id: int, stream: Stream) -> None:
        self._check(index)
        if self._state[index] in (PortState.TX, PortState.PAUSE) and (
            stream_id in self._streams[index]
        ):
            raise StateError(f"port {index} is transmitting", port=index)
        self._streams[index][stream_id] = stream
        if self._state[index] is PortState.IDLE:
            self._state[index] = PortState.STREAMS

    replace_stream = add_stream

    def remove_stream(self, index: int, stream_id: int) -> None:
        if stream_id not in self._streams[index]:
            raise ValidationError(
                f"port {index} has no stream {stream_id}", field="stream_id"
            )
        if self._state[index] in (PortState.TX, PortState.PAUSE):
            raise StateError(f"port {index} is transmitting", port=index)
        del self._streams[index][stream_id]
        if not self._streams[index]:
            self._state[index] = PortState.IDLE

    def streams(self, index: int) -> dict[int, Stream]:
        self._check(index)
        return dict(self._streams[index])

    # traffic
    def start_traffic(
        self,
        ports: list[int],
        *,
        duration_s: float | None = None,
        multiplier: Multiplier | None = None,
        force: bool = False,
    ) -> None:
        for index in ports:
            if self._state[index] in (PortState.TX, PortState.PAUSE) and not force:
                raise StateError(f"port {index} is already transmitting", port=index)
            if not self._streams[index]:
                raise StateError(f"port {index} has no enabled stream", port=index)
        self.calls.append(("start_traffic", ports, duration_s, multiplier, force))
        for index in ports:
            self._state[index] = PortState.TX
            self.emit(EventKind.STARTED, index)

    def stop_traffic(self, ports: list[int]) -> None:
        self.calls.append(("stop_traffic", ports))
        for index in ports:
            if self._state[index] in (PortState.TX, PortState.PAUSE):
                self._state[index] = PortState.STREAMS
                self.emit(EventKind.STOPPED, index)

    def pause(self, ports: list[int]) -> None:
        for index in ports:
            if self._state[index] is not PortState.TX:
                raise StateError(f"port {index} is not transmitting", port=index)
            self._state[index] = PortState.PAUSE
            self.emit(EventKind.PAUSED, index)

    def resume(self, ports: list[int]) -> None:
        for index in ports:
            if self._state[index] is not PortState.PAUSE:
                raise StateError(f"port {index} is not paused", port=index)
            self._state[index] = PortState.TX
            self.emit(EventKind.RESUMED, index)

    def update_traffic(self, ports: list[int], multiplier: Multiplier) -> None:
        for index in ports:
            if self._state[index] not in (PortState.TX, PortState.PAUSE):
                raise StateError(f"port {index} is not transmitting", port=index)
        self.calls.append(("update_traffic", ports, multiplier))

    def _active(self, index: int) -> None:
        if self._state[index] not in (PortState.TX, PortState.PAUSE):
            raise StateError(f"port {index} is not transmitting", port=index)

    def pause_streams(self, index: int, stream_ids: list[int]) -> None:
        self._active(index)
        self.calls.append(("pause_streams", index, stream_ids))

    def resume_streams(self, index: int, stream_ids: list[int]) -> None:
        self._active(index)
        self.calls.append(("resume_streams", index, stream_ids))

    def update_streams(self, index: int, factors: dict[int, float]) -> None:
        self._active(index)
        self.calls.append(("update_streams", index, factors))

    def settle(self, ports: list[int] | None = None, timeout_s: float = 5.0) -> bool:
        self.settles += 1
        return True

    # statistics
    def port_stats(self, index: int, *, since_clear: bool = True) -> PortStats:
        assert since_clear is False, "the TRex front end reads absolute counters"
        return self.stats[index]

    def stream_tx_stats(self, index: int, stream_id: int) -> StreamTxStats:
        return self.tx.get((index, stream_id), StreamTxStats(0, 0, 0.0, 0.0))

    def tid_stats(self, index: int, tid: int) -> TidStats | None:
        return self.rx.get((index, tid))

    def interface_counters(self, index: int) -> dict[str, int]:
        return dict(self.kernel[index])

    def cpu_utilization(self) -> list[list[int]]:
        return [list(c) for c in self.cpu]
