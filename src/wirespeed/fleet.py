"""Several hosts' testers as one: ports named ``host/index``, statistics joined,
starts agreed at one wall-clock time.

A :class:`FleetTester` puts the ports of several testers (each host's daemon,
reached with ``Chassis.connect``'s remote tester, or in-process ones) in one
numbering, host after host, and answers the tester calls the native API, the
profile runner and the RFC 2544 runner make, each on the host that owns the
port. A stream sent on host A and received on host B is counted on both: its TX
on A, its TPLD analysis on B (loss, misorder and duplicates need no common
clock and are exact; latency across hosts is as good as the hosts' clocks).

A start of ports on several hosts is scheduled at a common timestamp a little
ahead (``lead_s``, as TRex's synchronized start does), so every host's first
frames leave together within what the clocks agree. A host that does not answer
is reported by name (:class:`HostLost`); the others are stopped cleanly and
their counts kept.
"""

from __future__ import annotations

import contextlib
import functools
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any

from wirespeed.analysis import TidStats
from wirespeed.analysis.clocksync import ClockSync, latency_across
from wirespeed.errors import ConfigError, RemoteProtocolError, RpcError, WirespeedError
from wirespeed.model import Stream
from wirespeed.service import (
    ModuleInfo,
    PortInfo,
    PortState,
    PortStats,
    Reservation,
    StreamTxStats,
    TrafficEvent,
)

__all__ = ["DEFAULT_LEAD_S", "FleetTester", "Host", "HostLost", "open_fleet"]

DEFAULT_LEAD_S = 0.3
"""How far ahead a start on several hosts is scheduled: time for every host to
get the command and build its first frames."""


class HostLost(WirespeedError):
    """A host of the fleet did not answer (its daemon stopped, or the network
    between failed)."""

    def __init__(self, host: str, detail: str) -> None:
        super().__init__(f"host {host} is lost: {detail}")
        self.host = host


@dataclass(frozen=True)
class Host:
    """One member: its name and its tester (remote or in-process)."""

    name: str
    tester: Any


def _call(method: str, *args: Any, **kwargs: Any) -> Callable[[Any], Any]:
    """``tester.method(*args, **kwargs)`` as a function of the tester."""
    return lambda t: getattr(t, method)(*args, **kwargs)


def _method(method: str) -> Callable[..., Any]:
    """``tester.method(local)`` with the tester first and ``local=`` ports."""
    return lambda t, local: getattr(t, method)(local)


def _states(t: Any, local: list[int]) -> list[PortState]:
    return [t.port_state(i) for i in local]


def _lost_errors() -> tuple[type[BaseException], ...]:
    return (ConnectionError, TimeoutError, OSError, RemoteProtocolError, RpcError)


class _Services:
    """The port services of the fleet (each on the port's host)."""

    def __init__(self, fleet: FleetTester) -> None:
        self._fleet = fleet

    def __getattr__(self, name: str) -> Callable[..., Any]:
        def call(port: int, *args: Any, **kwargs: Any) -> Any:
            host, local = self._fleet.where(port)
            return self._fleet.on(
                host, lambda t: getattr(t.services, name)(local, *args, **kwargs)
            )

        return call


class FleetTester:
    """The testers of several hosts as one tester (see the module).

    Args:
        hosts: the members, in the order their ports are numbered.
        lead_s: how far ahead a start on several hosts is agreed.
        cabling: ``{"A/0": "B/0", ...}`` links between hosts (each port's
            ``spec.peer`` then names the global index of the other end).
    """

    def __init__(
        self,
        hosts: Sequence[Host],
        *,
        lead_s: float = DEFAULT_LEAD_S,
        cabling: dict[str, str] | None = None,
    ) -> None:
        if not hosts:
            raise ConfigError("a fleet needs at least one host", field="hosts")
        names = [h.name for h in hosts]
        if len(set(names)) != len(names):
            raise ConfigError("host names must differ", field="hosts")
        self.hosts = {h.name: h for h in hosts}
        self.lead_s = lead_s
        self._map: list[tuple[str, int]] = []
        self._base: dict[str, int] = {}
        for h in hosts:
            self._base[h.name] = len(self._map)
            self._map += [(h.name, i) for i in range(len(h.tester.ports))]
        self._peers: dict[int, int] = {}
        for a, b in (cabling or {}).items():
            ia, ib = self.index(a), self.index(b)
            self._peers[ia], self._peers[ib] = ib, ia
        self.services = _Services(self)
        self.lost: set[str] = set()
        self._lock = threading.Lock()
        self._clocks: dict[str, ClockSync] | None = None

    # ------------------------------------------------------------------ naming
    @property
    def ports_known(self) -> list[tuple[str, int]]:
        """(host, its own index) of every port, in the fleet's numbering (known
        without asking the hosts)."""
        return list(self._map)

    def index(self, name: str) -> int:
        """The global index of ``host/port`` (ConfigError naming it if unknown)."""
        host, sep, local = name.partition("/")
        if not sep or host not in self.hosts or not local.isdigit():
            raise ConfigError(
                f"{name!r} is not host/port of this fleet "
                f"(hosts {', '.join(self.hosts)})",
                field="port",
            )
        n = len(self.hosts[host].tester.ports)
        if int(local) >= n:
            raise ConfigError(f"host {host} has ports 0..{n - 1}", field="port")
        return self._base[host] + int(local)

    def name(self, index: int) -> str:
        """``host/port`` of a global index."""
        host, local = self.where(index)
        return f"{host}/{local}"

    def where(self, index: int) -> tuple[str, int]:
        """The host and its own index of a global port index."""
        if not 0 <= index < len(self._map):
            raise ConfigError(
                f"no port {index} (ports 0..{len(self._map) - 1})", field="port"
            )
        return self._map[index]

    def on(self, host: str, fn: Callable[[Any], Any]) -> Any:
        """``fn(host's tester)``; a host that does not answer is :class:`HostLost`."""
        if host in self.lost:
            raise HostLost(host, "it stopped answering earlier")
        try:
            return fn(self.hosts[host].tester)
        except _lost_errors() as exc:
            with self._lock:
                self.lost.add(host)
            raise HostLost(host, str(exc) or type(exc).__name__) from exc

    def _port(self, index: int, fn: Callable[[Any, int], Any]) -> Any:
        host, local = self.where(index)
        return self.on(host, lambda t: fn(t, local))

    def _by_host(self, ports: list[int]) -> dict[str, list[int]]:
        out: dict[str, list[int]] = {}
        for p in ports:
            host, local = self.where(p)
            out.setdefault(host, []).append(local)
        return out

    # ------------------------------------------------------------------ inventory
    @property
    def ports(self) -> list[PortInfo]:
        """Every port of every host, in the fleet's numbering."""
        out = []
        for host in self.hosts:
            base = self._base[host]
            for p in self.on(host, lambda t: list(t.ports)):
                g = base + p.index
                peer = self._peers.get(g)
                if peer is None and p.spec.peer is not None:
                    peer = base + p.spec.peer
                out.append(replace(p, index=g, spec=replace(p.spec, peer=peer)))
        return out

    @property
    def modules(self) -> list[ModuleInfo]:
        """Every host's modules, their ports in the fleet's numbering."""
        out: list[ModuleInfo] = []
        for host in self.hosts:
            base = self._base[host]
            for m in self.on(host, lambda t: list(t.modules)):
                out.append(
                    replace(m, index=len(out), ports=tuple(base + p for p in m.ports))
                )
        return out

    def port_state(self, index: int) -> PortState:
        """IDLE, STREAMS, TX or PAUSE."""
        return self._port(index, lambda t, i: t.port_state(i))

    # ------------------------------------------------------------------ ownership
    def reserve(
        self, index: int, owner: str, session: str, *, force: bool = False
    ) -> str:
        """Reserve a port on its host (its own ownership rules apply)."""
        return self._port(index, lambda t, i: t.reserve(i, owner, session, force=force))

    @contextlib.contextmanager
    def hold(self, ports: Sequence[int], owner: str) -> Iterator[None]:
        """Reserve ``ports`` for ``owner`` on their hosts (each daemon's own
        ownership rules: a port someone else holds is refused with their name),
        and release them at the end (a lost host's are gone with it)."""
        taken: list[int] = []
        try:
            for p in sorted(set(ports)):
                self.reserve(p, owner, owner)
                taken.append(p)
            yield
        finally:
            for p in taken:
                with contextlib.suppress(WirespeedError):
                    self.release(p, owner)

    def release(self, index: int, who: str) -> None:
        self._port(index, lambda t, i: t.release(i, who))

    def relinquish(self, index: int) -> None:
        self._port(index, lambda t, i: t.relinquish(i))

    def reservation(self, index: int) -> Reservation | None:
        return self._port(index, lambda t, i: t.reservation(i))

    # ------------------------------------------------------------------ streams
    def add_stream(self, index: int, stream_id: int, stream: Stream) -> None:
        self._port(index, lambda t, i: t.add_stream(i, stream_id, stream))

    replace_stream = add_stream

    def remove_stream(self, index: int, stream_id: int) -> None:
        self._port(index, lambda t, i: t.remove_stream(i, stream_id))

    def remove_all_streams(self, index: int) -> None:
        self._port(index, lambda t, i: t.remove_all_streams(i))

    def streams(self, index: int) -> dict[int, Stream]:
        return self._port(index, lambda t, i: t.streams(i))

    # ------------------------------------------------------------------ traffic
    def start_traffic(self, ports: list[int], **kwargs: Any) -> None:
        """Start ``ports``; on several hosts at one agreed time ``lead_s`` ahead
        (or the ``start_at_ns`` given). A host that refuses or is lost stops the
        ones already started."""
        groups = self._by_host(ports)
        if len(groups) > 1 and kwargs.get("start_at_ns") is None:
            kwargs["start_at_ns"] = time.time_ns() + int(self.lead_s * 1e9)
        started: list[str] = []
        try:
            for host, local in groups.items():
                self.on(host, _call("start_traffic", local, **kwargs))
                started.append(host)
        except BaseException:
            for host in started:
                self._quietly(host, _call("stop_traffic", groups[host]))
            raise

    def stop_traffic(self, ports: list[int]) -> None:
        """Stop ``ports`` on every host that answers; then report a lost one."""
        self._each(ports, _method("stop_traffic"))

    def pause(self, ports: list[int]) -> None:
        self._each(ports, _method("pause"))

    def resume(self, ports: list[int]) -> None:
        self._each(ports, _method("resume"))

    def _each(self, ports: list[int], fn: Callable[..., Any]) -> None:
        lost: HostLost | None = None
        for host, local in self._by_host(ports).items():
            try:
                self.on(host, functools.partial(fn, local=local))
            except HostLost as exc:
                lost = lost or exc
        if lost is not None:
            raise lost

    def _quietly(self, host: str, fn: Callable[[Any], Any]) -> None:
        with contextlib.suppress(HostLost):  # it is reported by the caller
            self.on(host, fn)

    def wait_idle(self, ports: list[int], timeout_s: float) -> bool:
        """Wait until none of ``ports`` sends. A host lost meanwhile: the others'
        ports are stopped (their counts kept) and :class:`HostLost` names it."""
        end = time.monotonic() + timeout_s
        groups = self._by_host(ports)
        try:
            while True:
                busy = False
                for host, local in groups.items():
                    states = self.on(host, functools.partial(_states, local=local))
                    busy = busy or any(s.is_active for s in states)
                if not busy:
                    return True
                if time.monotonic() >= end:
                    return False
                time.sleep(0.05)
        except HostLost:
            for host, local in groups.items():
                if host not in self.lost:
                    self._quietly(host, _call("stop_traffic", local))
            raise

    def settle(self, ports: list[int] | None = None, timeout_s: float = 5.0) -> bool:
        """Every host's receivers count what they hold."""
        groups = (
            self._by_host(ports) if ports is not None else {h: None for h in self.hosts}
        )
        return all(
            self.on(h, _call("settle", local, timeout_s)) for h, local in groups.items()
        )

    # ------------------------------------------------------------------ statistics
    def port_stats(self, index: int, *, since_clear: bool = True) -> PortStats:
        return self._port(index, lambda t, i: t.port_stats(i, since_clear=since_clear))

    def stream_tx_stats(
        self, index: int, stream_id: int, *, since_clear: bool = True
    ) -> StreamTxStats:
        return self._port(
            index, lambda t, i: t.stream_tx_stats(i, stream_id, since_clear=since_clear)
        )

    def tids(self, index: int, *, since_clear: bool = True) -> list[int]:
        return self._port(index, lambda t, i: t.tids(i, since_clear=since_clear))

    def tid_stats(
        self, index: int, tid: int, *, since_clear: bool = True
    ) -> TidStats | None:
        return self._port(
            index, lambda t, i: t.tid_stats(i, tid, since_clear=since_clear)
        )

    def all_tid_stats(self, index: int, *, since_clear: bool = True) -> list[TidStats]:
        return self._port(
            index, lambda t, i: t.all_tid_stats(i, since_clear=since_clear)
        )

    def tx_job_span_ns(self, index: int) -> int:
        return self._port(index, lambda t, i: t.tx_job_span_ns(i))

    def tx_job_first_ns(self, index: int) -> int:
        return self._port(index, lambda t, i: t.tx_job_first_ns(i))

    def clear_stats(self, index: int, *, tx: bool = True, rx: bool = True) -> None:
        self._port(index, lambda t, i: t.clear_stats(i, tx=tx, rx=rx))

    def link_mtu(self, index: int) -> int:
        return self._port(index, lambda t, i: t.link_mtu(i))

    def port_driver(self, index: int) -> tuple[str, str]:
        return self._port(index, lambda t, i: t.port_driver(i))

    # ------------------------------------------------------------------ settings
    def set_speed(self, index: int, speed_bps: int) -> None:
        self._port(index, lambda t, i: t.set_speed(i, speed_bps))

    def set_tpld_mode(self, index: int, mode: Any) -> None:
        self._port(index, lambda t, i: t.set_tpld_mode(i, mode))

    def set_payload_checksum(self, index: int, offset: int) -> None:
        self._port(index, lambda t, i: t.set_payload_checksum(i, offset))

    def clocks(self) -> dict[str, ClockSync]:
        """Each host's clock synchronisation (hosts that answer)."""
        out = {}
        for host in self.hosts:
            with contextlib.suppress(HostLost):
                out[host] = self.on(host, _call("clock_sync"))
        return out

    def latency_note(self, tx_port: int, rx_port: int) -> str | None:
        """What latency from ``tx_port``'s host to ``rx_port``'s is worth
        (``None``: one host, one clock)."""
        tx_host, rx_host = self.where(tx_port)[0], self.where(rx_port)[0]
        if tx_host == rx_host:
            return None
        clocks = self._clocks if self._clocks is not None else self.clocks()
        self._clocks = clocks
        if tx_host not in clocks or rx_host not in clocks:
            return "latency across these hosts is not known: a host is lost"
        return latency_across(
            tx_host, clocks[tx_host], rx_host, clocks[rx_host]
        ).sentence

    # ------------------------------------------------------------------ events
    def subscribe(self, callback: Callable[[TrafficEvent], None]) -> Callable[[], None]:
        """Every host's events, their ports in the fleet's numbering."""
        offs = []
        for host in self.hosts:
            base = self._base[host]

            def relay(ev: TrafficEvent, base: int = base) -> None:
                callback(replace(ev, port=base + ev.port))

            offs.append(self.on(host, _call("subscribe", relay)))

        def unsubscribe() -> None:
            for off in offs:
                off()

        return unsubscribe

    def __iter__(self) -> Iterator[str]:
        return iter(self.hosts)


@contextlib.contextmanager
def open_fleet(
    hosts: dict[str, str], *, owner: str, lead_s: float = DEFAULT_LEAD_S
) -> Iterator[FleetTester]:
    """Connect to each host's daemon (``name -> host[:port]`` of its native RPC)
    with the remote native client and present them as one tester; the
    connections are closed at the end (a lost host's too).

    Raises:
        HostLost: a host could not be reached (naming it).
    """
    from wirespeed.client import Chassis

    opened: list[Any] = []
    try:
        members = []
        for name, address in hosts.items():
            try:
                chassis = Chassis.connect(address, owner=owner)
            except _lost_errors() as exc:
                raise HostLost(name, f"{address}: {exc}") from exc
            opened.append(chassis)
            members.append(Host(name, chassis.tester))
        yield FleetTester(members, lead_s=lead_s)
    finally:
        for chassis in opened:
            with contextlib.suppress(Exception):  # a lost host cannot say goodbye
                chassis.close()
