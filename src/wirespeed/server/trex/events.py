"""TRex asynchronous events: ids, per-session queues with contiguous ``seq``.

The TRex client learns about port changes only through events: the PUB socket sends
the 2-byte trigger ``{}``, and the client then calls ``get_async_events`` with its
``session_id``. Each session has its own queue and its own ``seq`` counter, which rises
by exactly one per delivered event (a gap makes the client kill itself). Sequence
numbers are assigned when events are *delivered*, so trimming a full queue never
creates a gap.
"""

from __future__ import annotations

import threading
import zlib
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any

__all__ = [
    "DEFAULT_PROFILE",
    "EventHub",
    "TrexEvent",
    "session_number",
]

#: The profile id the client uses when it names none.
DEFAULT_PROFILE = "_"


class TrexEvent(IntEnum):
    """The ``type`` ids of ``trex-event`` messages."""

    PORT_STARTED = 0
    PORT_STOPPED = 1
    PORT_PAUSED = 2
    PORT_RESUMED = 3
    PORT_JOB_DONE = 4
    PORT_ACQUIRED = 5
    PORT_RELEASED = 6
    PORT_ERROR = 7
    PORT_ATTR_CHANGED = 8
    PROFILE_STARTED = 10
    PROFILE_STOPPED = 11
    PROFILE_PAUSED = 12
    PROFILE_RESUMED = 13
    PROFILE_FINISHED_TX = 14
    PROFILE_ERROR = 17
    SERVER_STOPPED = 100


def session_number(session: object) -> int:
    """The ``session_id`` number to put in events for a service reservation.

    TRex sessions are unsigned 32-bit numbers; reservations made by other front ends
    carry other tokens, which become a stable number the TRex client will not mistake
    for its own (a CRC-32 of the text).
    """
    if isinstance(session, int) and not isinstance(session, bool):
        return session
    text = str(session)
    number = text.removeprefix("trex:")
    if number.isdigit():
        return int(number)
    return zlib.crc32(text.encode())


@dataclass
class _Session:
    next_seq: int = 0
    pending: deque[tuple[int, dict[str, Any]]] = field(default_factory=deque)
    last_poll_s: float = 0.0


class EventHub:
    """Fan-out of TRex events to every known session.

    Args:
        max_pending: events kept per session (older ones are dropped first).
        session_ttl_s: sessions that have not polled for this long are forgotten.
        on_post: called (outside the lock) after events are queued; the transport
            uses it to publish the ``{}`` trigger.
    """

    def __init__(
        self,
        *,
        max_pending: int = 10_000,
        session_ttl_s: float = 300.0,
        on_post: Callable[[], None] | None = None,
    ) -> None:
        self._max_pending = max_pending
        self._ttl_s = session_ttl_s
        self._sessions: dict[int, _Session] = {}
        self._lock = threading.Lock()
        self.on_post = on_post

    def post(self, event: TrexEvent, data: dict[str, Any], *, now_s: float) -> None:
        """Queue one event for every session."""
        self.post_many([(event, data)], now_s=now_s)

    def post_many(
        self, events: list[tuple[TrexEvent, dict[str, Any]]], *, now_s: float
    ) -> None:
        """Queue several events, in order, for every session."""
        if not events:
            return
        with self._lock:
            self._expire(now_s)
            for session in self._sessions.values():
                for event, data in events:
                    session.pending.append((int(event), data))
                while len(session.pending) > self._max_pending:
                    session.pending.popleft()
        if self.on_post is not None:
            self.on_post()

    def drain(self, session_id: int, *, now_s: float) -> list[dict[str, Any]]:
        """Take the pending events of ``session_id`` (creating the session).

        Returns:
            ``trex-event`` messages with contiguous ``seq`` numbers.
        """
        with self._lock:
            session = self._sessions.get(session_id)
            if session is None:
                session = self._sessions[session_id] = _Session()
            session.last_poll_s = now_s
            out = []
            while session.pending:
                event_type, data = session.pending.popleft()
                out.append(
                    {
                        "name": "trex-event",
                        "type": event_type,
                        "data": data,
                        "seq": session.next_seq,
                        "baseline": False,
                    }
                )
                session.next_seq += 1
            self._expire(now_s)
            return out

    def wake(self) -> None:
        """Ask the transport to publish a trigger now (``publish_now``)."""
        if self.on_post is not None:
            self.on_post()

    def pending_count(self) -> int:
        """Events queued and not yet fetched, over all sessions."""
        with self._lock:
            return sum(len(s.pending) for s in self._sessions.values())

    def session_count(self) -> int:
        """How many sessions are known."""
        with self._lock:
            return len(self._sessions)

    def _expire(self, now_s: float) -> None:
        stale = [
            sid
            for sid, s in self._sessions.items()
            if now_s - s.last_poll_s > self._ttl_s
        ]
        for sid in stale:
            del self._sessions[sid]
