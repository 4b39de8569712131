"""Delivering pushes: tester events and Xena-side changes, to every session.

:class:`PushNotifier` subscribes to the tester's events and empties the chassis
state's outbox on one thread, so changes are pushed in the order they happened.
Before a push that says a port stopped, it settles the statistics (a client that
reacts to the push reads exact counts) and logs a run that fell short of its rate.
"""

from __future__ import annotations

import itertools
import logging
import threading
from collections.abc import Callable, Mapping
from typing import Any

from wirespeed.errors import WirespeedError
from wirespeed.server.xena.pushes import make_push, pushes_for
from wirespeed.server.xena.session import Push, XenaSession
from wirespeed.server.xena.state import ChassisState
from wirespeed.server.xena.table import CommandSpec

__all__ = ["PushNotifier"]

log = logging.getLogger("wirespeed.xena")


class PushNotifier:
    """The logged-on sessions of a chassis and the thread that pushes to them.

    Args:
        state: the chassis state whose outbox holds the changes to push.
        by_name: the command table by name (a push carries a get's value).
    """

    def __init__(self, state: ChassisState, by_name: Mapping[str, CommandSpec]) -> None:
        self.state = state
        self.by_name = by_name
        self._sessions: set[XenaSession] = set()
        self._ids = itertools.count(1)
        self._thread: threading.Thread | None = None
        self._unsubscribe: Callable[[], None] | None = None

    # ------------------------------------------------------------ lifecycle
    def start(self) -> None:
        """Subscribe to the tester's events and start delivering pushes."""
        with self.state.lock:
            if self._thread is not None:
                return
            self._thread = threading.Thread(
                target=self._loop, name="xena-notify", daemon=True
            )
            self._thread.start()
            self._unsubscribe = self.state.tester.subscribe(self.state.notify)

    def close(self) -> None:
        """Stop delivering pushes."""
        with self.state.lock:
            thread, self._thread = self._thread, None
            if self._unsubscribe is not None:
                self._unsubscribe()
                self._unsubscribe = None
        if thread is not None:
            self.state.outbox.put(None)
            thread.join(timeout=5)

    def is_running(self) -> bool:
        """True once :meth:`start` ran (and :meth:`close` did not)."""
        return self._thread is not None

    # ------------------------------------------------------------ sessions
    def open_session(self, session: XenaSession) -> None:
        """Register a connection (for pushes) and number it (for the log)."""
        with self.state.lock:
            session.id = next(self._ids)
            self._sessions.add(session)

    def close_session(self, session: XenaSession) -> None:
        """Forget a connection; its owner's reservations stay (as on Xena)."""
        with self.state.lock:
            self._sessions.discard(session)

    # ------------------------------------------------------------ pushes
    def flush(self, timeout_s: float = 2.0) -> None:
        """Wait until every change queued so far has been handed to its sessions."""
        if self._thread is None:
            return
        done = threading.Event()
        self.state.outbox.put(done)
        done.wait(timeout_s)

    def make_push(
        self, session: XenaSession, name: str, p_or_m: int | None, *, module: bool
    ) -> Push:
        """The push of command ``name``'s current value as ``session`` reads it."""
        return make_push(self.state, self.by_name, session, name, p_or_m, module=module)

    def _loop(self) -> None:
        while True:
            event = self.state.outbox.get()
            if event is None:
                return
            if isinstance(event, threading.Event):
                event.set()
                continue
            number, change = event
            try:
                self._deliver(number, change)
            except WirespeedError as exc:  # a port vanished under us: log, go on
                log.warning("xena push for %r failed: %s", change, exc)
            except Exception:  # a bug must cost one push, never all later ones
                log.exception("xena push for %r crashed", change)

    def _deliver(self, number: int, event: Any) -> None:
        state = self.state
        kind = getattr(getattr(event, "kind", None), "name", "")
        if kind == "ERROR":
            log.warning(
                "port %s stopped on an error: %s",
                getattr(event, "port", "?"),
                getattr(event, "detail", {}),
            )
        if kind in ("STOPPED", "DONE", "ERROR"):
            with state.lock:
                state.report_run(event.port)

        with state.lock:
            sessions = [
                s
                for s in self._sessions
                if s.push is not None and s.logged_on and s.logon_number < number
            ]
            batches = [(s, pushes_for(state, self.by_name, s, event)) for s in sessions]
        for session, pushes in batches:
            assert session.push is not None
            for push in pushes:
                session.push(push)
