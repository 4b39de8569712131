"""The native RPC's methods: an allow-list of the tester's and its port services'
public calls, each with the ports the calling session must hold.

``tester.X`` and ``services.X`` call ``Tester.X`` and ``Tester.services.X`` with
the request's arguments, checked first against that method's own signature and
annotations. A few calls depend on the session (:class:`SessionCalls`): ``reserve``
and ``release`` act for the calling session (a client never names another's),
``reservation`` hides other owners' tokens, waits are bounded, and a capture is
always written where the daemon chooses (``services.start_capture`` refuses a
``path``; the client reads the file back with ``services.capture_bytes``).
Nothing private and nothing that ends the daemon or releases another session is
on the list.
"""

from __future__ import annotations

import inspect
import typing
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from wirespeed.errors import RemoteProtocolError, ValidationError
from wirespeed.server.native.sessions import EventLog, Session, Sessions
from wirespeed.service import ModuleInfo, PortInfo, PortServices, Reservation, Tester
from wirespeed.wire import check_type, is_checkable

__all__ = ["MAX_WAIT_S", "Method", "SessionCalls", "build_methods"]

MAX_WAIT_S = 10.0
"""The longest one ``wait_idle`` or ``settle`` call waits (a client loops)."""

_TESTER_READS = (
    "port_state", "streams", "port_stats", "stream_tx_stats", "tids", "tid_stats",
    "all_tid_stats", "tx_job_span_ns", "tx_job_first_ns", "rx_clears", "multiplier",
    "start_factor",
    "interface_counters", "link_mtu", "cpu_utilization", "clock_sync",
    "port_driver",
)  # fmt: skip
_TESTER_BY_INDEX = (
    "add_stream", "replace_stream", "remove_stream", "remove_all_streams",
    "inject_error", "clear_stats", "set_speed", "set_tpld_mode",
    "set_payload_checksum", "set_latency_offset", "set_fec_mode", "set_link",
    "set_promiscuous", "reset_port", "pause_streams", "resume_streams",
    "update_streams",
)  # fmt: skip
_TESTER_BY_PORTS = (
    "start_traffic",
    "stop_traffic",
    "pause",
    "resume",
    "update_traffic",
)
_SERVICE_READS = ("l3", "neighbors", "counters", "captures", "capture", "capture_bytes")
_SERVICE_BY_PORT = (
    "set_l3", "set_dst_mac", "set_neighbor", "resolve", "resolve_gateways", "ping",
    "send_frames",
)  # fmt: skip
_SERVICE_BY_CAPTURE = ("stop_capture", "remove_capture")


class SessionCalls:
    """The calls that act for the calling session."""

    def __init__(
        self, tester: Tester, session: Session, sessions: Sessions, events: EventLog
    ) -> None:
        self.tester = tester
        self.session = session
        self.sessions = sessions
        self.events = events

    def ports(self) -> list[PortInfo]:
        """Every port."""
        return self.tester.ports

    def modules(self) -> list[ModuleInfo]:
        """Every module."""
        return self.tester.modules

    def reserve(self, index: int, *, force: bool = False) -> str:
        """Reserve a port for this session; its token."""
        s = self.session
        return self.tester.reserve(index, s.owner, s.name, force=force)

    def release(self, index: int) -> None:
        """Release a port this session holds."""
        self.tester.release(index, self.session.name)

    def reservation(self, index: int) -> Reservation | None:
        """Who holds a port (another session's token is not shown)."""
        res = self.tester.reservation(index)
        if res is not None and res.session != self.session.name:
            res = replace(res, token="")
        return res

    def wait_idle(self, ports: list[int], timeout_s: float) -> bool:
        """Wait until none of ``ports`` transmits (at most :data:`MAX_WAIT_S`)."""
        return self.tester.wait_idle(ports, min(timeout_s, MAX_WAIT_S))

    def settle(self, ports: list[int] | None = None, timeout_s: float = 5.0) -> bool:
        """Every frame already received shows in the statistics (at most
        :data:`MAX_WAIT_S`)."""
        return self.tester.settle(ports, min(timeout_s, MAX_WAIT_S))

    def heartbeat(self) -> None:
        """Nothing: the request itself keeps the session alive."""

    def bye(self) -> list[int]:
        """End the session: the ports it holds are released."""
        self.sessions.close(self.session.key)
        return self.tester.release_session(self.session.name)

    def poll(self, after: int) -> dict[str, Any]:
        """Events numbered above ``after`` (``-1``: none, and where to start):
        ``{"next": n, "events": [...], "lost": k}``."""
        nxt, events, lost = self.events.since(after)
        return {"next": nxt, "events": events, "lost": lost}


@dataclass(frozen=True)
class Method:
    """One RPC method: ``func``'s signature and annotations define its
    arguments; ``on`` gives the object it is called on."""

    name: str
    func: Callable[..., Any]
    on: Callable[[SessionCalls], object]
    owns: str | None = None
    """The parameter naming what the session must hold: a port (``index``,
    ``port``), ``ports``, a ``module`` or a capture (``cid``)."""
    refused: tuple[str, ...] = ()
    """Parameters a client may not set (the daemon's own choice)."""

    def call(
        self, calls: SessionCalls, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> Any:
        """Check the arguments, then call.

        Raises:
            RemoteProtocolError: arguments that do not fit the signature.
            ValidationError: an argument of the wrong type (naming it).
        """
        bound = self.bind(args, kwargs)
        for port in self.owned_ports(calls.tester, bound):
            calls.tester.check_owner(port, calls.session.name)
        attr = self.name.split(".", 1)[1]
        return getattr(self.on(calls), attr)(*bound.args, **bound.kwargs)

    def bind(
        self, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> inspect.BoundArguments:
        """The arguments, checked against the signature and annotations."""
        sig, hints = _signature(self.func)
        try:
            bound = sig.bind(*args, **kwargs)
        except TypeError as exc:
            raise RemoteProtocolError(f"{self.name}: {exc}") from exc
        for name, value in bound.arguments.items():
            if name in self.refused and value is not None:
                raise ValidationError(
                    f"{self.name} takes no {name} over the native RPC (the daemon "
                    "chooses it)",
                    field=name,
                )
            check_type(value, hints[name], name)
        return bound

    def owned_ports(self, tester: Tester, bound: inspect.BoundArguments) -> list[int]:
        """The ports the session must hold for this call."""
        if self.owns is None:
            return []
        value = bound.arguments[self.owns]
        match self.owns:
            case "ports":
                return list(value)
            case "module":
                modules = tester.modules
                if not 0 <= value < len(modules):
                    raise ValidationError(f"no module {value}", field="module")
                return list(modules[value].ports)
            case "cid":
                return [
                    c.port for c in tester.services.captures() if c.capture_id == value
                ]
        return [value]


def _signature(func: Callable[..., Any]) -> tuple[inspect.Signature, dict[str, Any]]:
    sig = inspect.signature(func)
    sig = sig.replace(parameters=list(sig.parameters.values())[1:])  # not self
    hints = typing.get_type_hints(func)
    hints.pop("return", None)
    return sig, hints


def build_methods() -> dict[str, Method]:
    """Every method of the native RPC, by name.

    Raises:
        AssertionError: a name twice, or annotations that cannot be checked (a
            bug, found when the table is built).
    """
    table: list[Method] = []

    def add(
        prefix: str,
        cls: type,
        names: tuple[str, ...],
        on: Callable[[SessionCalls], object],
        owns: str | None = None,
        refused: tuple[str, ...] = (),
    ) -> None:
        table.extend(
            Method(f"{prefix}.{n}", getattr(cls, n), on, owns, refused) for n in names
        )

    add("tester", Tester, _TESTER_READS, _tester)
    add("tester", Tester, _TESTER_BY_INDEX, _tester, "index")
    add("tester", Tester, _TESTER_BY_PORTS, _tester, "ports")
    add("services", PortServices, _SERVICE_READS, _services)
    add("services", PortServices, _SERVICE_BY_PORT, _services, "port")
    add("services", PortServices, _SERVICE_BY_CAPTURE, _services, "cid")
    add("tester", SessionCalls, _SESSION_TESTER, _calls)
    add("tester", Tester, ("set_module_media",), _tester, "module")
    add("services", PortServices, ("start_capture",), _services, "port", ("path",))
    add("session", SessionCalls, ("heartbeat", "bye"), _calls)
    add("events", SessionCalls, ("poll",), _calls)
    methods = {m.name: m for m in table}
    assert len(methods) == len(table), "a method name twice"
    for m in table:
        _sig, hints = _signature(m.func)
        bad = [n for n, h in hints.items() if not is_checkable(h)]
        assert not bad, f"{m.name}: cannot check the annotations of {bad}"
    return methods


_SESSION_TESTER = (
    "ports", "modules", "reserve", "release", "reservation", "wait_idle", "settle"
)  # fmt: skip


def _tester(c: SessionCalls) -> object:
    return c.tester


def _services(c: SessionCalls) -> object:
    return c.tester.services


def _calls(c: SessionCalls) -> object:
    return c
