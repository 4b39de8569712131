"""The native front end's sessions (one per connected client) and its event log.

A client says ``session.hello`` with its owner name and how long it may stay
silent; every request refreshes it, and a session with a request in progress is
alive however long that request takes. A session silent for longer is expired and
the ports it holds are released, as when a TRex or XOA client's connection closes.
"""

from __future__ import annotations

import collections
import itertools
import secrets
import threading
from dataclasses import dataclass, replace

from wirespeed.errors import StateError, ValidationError
from wirespeed.service import Reservation, TrafficEvent

__all__ = ["EventLog", "Session", "Sessions"]

MIN_TIMEOUT_S = 1.0
MAX_TIMEOUT_S = 3600.0


@dataclass
class Session:
    """One client: ``key`` is its secret (sent with every request), ``name`` the
    session string its reservations show."""

    key: str
    name: str
    owner: str
    timeout_s: float
    last_s: float
    busy: int = 0


class Sessions:
    """Every open session, by key (thread-safe)."""

    def __init__(self) -> None:
        self._by_key: dict[str, Session] = {}
        self._lock = threading.Lock()
        self._numbers = itertools.count(1)

    def open(self, owner: str, timeout_s: float, now: float) -> Session:
        """A new session for ``owner``.

        Raises:
            ValidationError: an empty or over-long owner, a timeout out of range.
        """
        if not owner or len(owner) > 64 or not owner.isprintable():
            raise ValidationError("1..64 printable characters", field="owner")
        if not MIN_TIMEOUT_S <= timeout_s <= MAX_TIMEOUT_S:
            raise ValidationError(
                f"{MIN_TIMEOUT_S:g}..{MAX_TIMEOUT_S:g} s", field="timeout_s"
            )
        with self._lock:
            name = f"native:{owner}#{next(self._numbers)}"
            session = Session(secrets.token_hex(16), name, owner, timeout_s, now)
            self._by_key[session.key] = session
        return session

    def enter(self, key: str | None, now: float) -> Session:
        """The session of ``key``, now serving a request.

        Raises:
            StateError: no such session (never opened, closed or expired).
        """
        with self._lock:
            session = self._by_key.get(key or "")
            if session is None:
                raise StateError(
                    "no such session (it expired, or was never opened): "
                    "connect again with session.hello"
                )
            session.busy += 1
            session.last_s = now
        return session

    def leave(self, session: Session, now: float) -> None:
        """A request of ``session`` is answered."""
        with self._lock:
            session.busy -= 1
            session.last_s = now

    def close(self, key: str) -> Session | None:
        """Forget a session (the client said bye)."""
        with self._lock:
            return self._by_key.pop(key, None)

    def expire(self, now: float) -> list[Session]:
        """Forget and return every session idle for longer than its timeout."""
        with self._lock:
            gone = [
                s
                for s in self._by_key.values()
                if s.busy == 0 and now - s.last_s > s.timeout_s
            ]
            for s in gone:
                del self._by_key[s.key]
        return gone

    def __len__(self) -> int:
        with self._lock:
            return len(self._by_key)


class EventLog:
    """The tester's latest events, numbered from 1, for clients that poll them
    (reservation tokens masked: they are each owner's own)."""

    def __init__(self, size: int = 10_000) -> None:
        self._events: collections.deque[tuple[int, TrafficEvent]] = collections.deque(
            maxlen=size
        )
        self._seq = 0
        self._lock = threading.Lock()

    def append(self, event: TrafficEvent) -> None:
        """Keep one event (a tester subscriber)."""
        detail = {
            k: replace(v, token="") if isinstance(v, Reservation) else v
            for k, v in event.detail.items()
        }
        with self._lock:
            self._seq += 1
            self._events.append((self._seq, replace(event, detail=detail)))

    def since(
        self, after: int, limit: int = 1000
    ) -> tuple[int, list[TrafficEvent], int]:
        """Events numbered above ``after`` (at most ``limit``): the number of the
        last one returned, the events, and how many the log no longer held.
        ``after < 0``: none, and the number of the latest."""
        with self._lock:
            if after < 0:
                return self._seq, [], 0
            first = self._events[0][0] if self._events else self._seq + 1
            lost = max(0, first - after - 1)
            out = [(n, e) for n, e in self._events if n > after][:limit]
        last = out[-1][0] if out else max(after, first - 1)
        return last, [e for _n, e in out], lost
