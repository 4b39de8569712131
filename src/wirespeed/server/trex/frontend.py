"""The TRex front end's state: the tester, per-port TRex views, events, pg ids.

One :class:`TrexFrontEnd` serves every TRex client of a server. Handlers (the
``methods_*`` modules) run one at a time under :attr:`TrexFrontEnd.lock`; service
events arrive on a service thread and only touch the thread-safe event hub.
"""

from __future__ import annotations

import logging
import queue
import secrets
import threading
import time
from collections.abc import Callable
from typing import Any

from wirespeed.errors import ValidationError
from wirespeed.server.trex.capture import CaptureTable
from wirespeed.server.trex.events import (
    DEFAULT_PROFILE,
    EventHub,
    TrexEvent,
    session_number,
)
from wirespeed.server.trex.params import Params
from wirespeed.server.trex.pgstats import PgRegistry
from wirespeed.server.trex.portview import PortView
from wirespeed.server.trex.status import port_attr
from wirespeed.service import Tester, TrafficEvent
from wirespeed.topology.links import link_mtu
from wirespeed.topology.testbed import PortSpec

__all__ = ["TrexFrontEnd", "translate_event"]

_log = logging.getLogger(__name__)

# service event kind name -> (port event, profile event)
_STATE_EVENTS: dict[str, tuple[TrexEvent, TrexEvent]] = {
    "STARTED": (TrexEvent.PORT_STARTED, TrexEvent.PROFILE_STARTED),
    "STOPPED": (TrexEvent.PORT_STOPPED, TrexEvent.PROFILE_STOPPED),
    "PAUSED": (TrexEvent.PORT_PAUSED, TrexEvent.PROFILE_PAUSED),
    "RESUMED": (TrexEvent.PORT_RESUMED, TrexEvent.PROFILE_RESUMED),
}


def translate_event(
    event: TrafficEvent, profile_id: str = DEFAULT_PROFILE
) -> list[tuple[TrexEvent, dict[str, Any]]]:
    """The TRex events that tell a client about one service event.

    A finished job becomes *profile finished TX* (14, what ``wait_on_traffic`` waits
    for) followed by *port job done* (4). A failed job (the port stopped sending) is
    reported as an error (7, 17: the client warns) and then as finished, because the
    client only leaves its TX state on 14.
    """
    kind = event.kind.name
    port = event.port
    detail = event.detail
    if kind in _STATE_EVENTS:
        port_ev, prof_ev = _STATE_EVENTS[kind]
        return [
            (port_ev, {"port_id": port}),
            (prof_ev, {"port_id": port, "profile_id": profile_id}),
        ]
    done: list[tuple[TrexEvent, dict[str, Any]]] = [
        (TrexEvent.PROFILE_FINISHED_TX, {"port_id": port, "profile_id": profile_id}),
        (TrexEvent.PORT_JOB_DONE, {"port_id": port}),
    ]
    if kind == "DONE":
        return done
    if kind == "ERROR":
        if not detail.get("traffic_ended", True):  # a receiver failed: still sending
            return [(TrexEvent.PORT_ERROR, {"port_id": port})]
        return [
            (TrexEvent.PORT_ERROR, {"port_id": port}),
            (TrexEvent.PROFILE_ERROR, {"port_id": port, "profile_id": profile_id}),
            *done,
        ]
    if kind in ("RESERVED", "RELEASED"):
        return [_ownership_event(kind, port, detail)]
    return []


def _ownership_event(
    kind: str, port: int, detail: dict[str, Any]
) -> tuple[TrexEvent, dict[str, Any]]:
    data: dict[str, Any] = {
        "port_id": port,
        "who": str(detail.get("owner", "")),
        "session_id": session_number(detail.get("session", "")),
    }
    if kind == "RESERVED":
        data["force"] = bool(detail.get("force", False))
        return TrexEvent.PORT_ACQUIRED, data
    return TrexEvent.PORT_RELEASED, data


class TrexFrontEnd:
    """Everything the TRex RPC handlers act on.

    Args:
        tester: the in-process tester service (shared with other front ends).
        clock: epoch seconds (``time.time``); replaceable in tests.
        api_h: the API handle given by ``api_sync``; random by default.
        read_mtu: reads an interface's MTU (netlink by default).
    """

    def __init__(
        self,
        tester: Tester,
        *,
        clock: Callable[[], float] = time.time,
        api_h: str | None = None,
        read_mtu: Callable[[PortSpec], int] = link_mtu,
    ) -> None:
        self.tester = tester
        self._read_mtu = read_mtu
        self.clock = clock
        self.api_h = api_h or secrets.token_hex(4)
        self.started_s = clock()
        self.lock = threading.RLock()
        self.hub = EventHub()
        self.views = [PortView(index=i) for i in range(len(tester.ports))]
        self.pgs = PgRegistry(len(self.views))
        self.captures = CaptureTable()
        self.xstats_names: list[str] | None = None
        self._mtu: dict[int, int] = {}
        self._closed = False
        self._events: queue.SimpleQueue[TrafficEvent | threading.Event | None] = (
            queue.SimpleQueue()
        )
        self._relay = threading.Thread(
            target=self._relay_events, name="trex-events", daemon=True
        )
        self._relay.start()
        self._unsubscribe = tester.subscribe(self._events.put)

    @property
    def port_count(self) -> int:
        """Number of ports."""
        return len(self.views)

    def port(self, params: Params, name: str = "port_id") -> int:
        """Read and range-check a port index."""
        return params.int(name, lo=0, hi=self.port_count - 1)

    def owned_port(self, params: Params) -> int:
        """Read ``port_id`` and check ``handler`` against the port's owner.

        Raises:
            OwnershipError: the handler is not the owner's (names the owner).
            ValidationError: ``port_id`` or ``handler`` missing or of a wrong type.
        """
        port = self.port(params)
        handler = params.str("handler", max_len=256)
        self.tester.check_owner(port, handler)
        return port

    def mtu(self, port: int) -> int:
        """The port interface's MTU (read on first use)."""
        if port not in self._mtu:
            self._mtu[port] = self._read_mtu(self.tester.ports[port].spec)
        return self._mtu[port]

    def profile(self, params: Params, port: int, *, allow_all: bool = False) -> str:
        """Read ``profile_id`` (default ``"_"``) and check it fits the port.

        wirespeed keeps one profile per port: a port holding streams of one profile
        refuses another.
        """
        profile = params.str("profile_id", default=DEFAULT_PROFILE, max_len=128)
        if profile == "*" and allow_all:
            return profile
        if profile == "*":
            raise ValidationError(
                "'*' (all profiles) is not valid here", field="profile_id"
            )
        held = self.views[port].profile_id
        if held is not None and held != profile:
            raise ValidationError(
                f"port {port} holds profile {held!r}; wirespeed keeps one profile "
                "per port",
                field="profile_id",
            )
        return profile

    def post(self, events: list[tuple[TrexEvent, dict[str, Any]]]) -> None:
        """Queue events for every session."""
        self.hub.post_many(events, now_s=self.clock())

    def _relay_events(self) -> None:
        # One thread, so events keep their order. (The tester reports a stop or a
        # finished job once the receivers have counted what they hold.)
        while (event := self._events.get()) is not None:
            if isinstance(event, threading.Event):
                event.set()
                continue
            _log.debug(
                "tester event %s port %d %s", event.kind.name, event.port, event.detail
            )
            self._on_event(event)

    def relay_idle(self, timeout_s: float = 5.0) -> bool:
        """Wait until every tester event received so far is queued for clients."""
        marker = threading.Event()
        self._events.put(marker)
        return marker.wait(timeout_s)

    def _on_event(self, event: TrafficEvent) -> None:
        port = event.port
        if not 0 <= port < len(self.views):
            return
        if event.kind.name == "ATTR":
            attr = port_attr(self, port)
            self.post([(TrexEvent.PORT_ATTR_CHANGED, {"port_id": port, "attr": attr})])
            return
        profile = self.views[port].profile_id or DEFAULT_PROFILE
        self.post(translate_event(event, profile))

    def close(self, cause: str = "server shutdown") -> None:
        """Stop listening to the tester and tell clients the server is going away
        (once; later calls do nothing)."""
        if self._closed:
            return
        self._closed = True
        self._unsubscribe()
        self._events.put(None)
        self._relay.join(timeout=6.0)
        self.post([(TrexEvent.SERVER_STOPPED, {"cause": cause})])
