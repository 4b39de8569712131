"""Who owns a port, and the port state machine (pure).

One ownership model serves every front end: a TRex ``acquire`` and a Xena
``P_RESERVATION RESERVE`` are the same act. The owner is a user name; the session is
an opaque string naming the connection; the token is what TRex calls the handler.
"""

from __future__ import annotations

import enum
import secrets
from collections.abc import Sized
from dataclasses import dataclass

from wirespeed.errors import OwnershipError, StateError

__all__ = ["PortState", "Reservation", "Reservations", "Trigger", "next_state"]


class PortState(enum.Enum):
    """A port's traffic state (the names are TRex's strings)."""

    IDLE = "IDLE"  # no streams
    STREAMS = "STREAMS"  # streams, not sending
    TX = "TX"  # sending
    PAUSE = "PAUSE"  # sending, paused

    @property
    def is_active(self) -> bool:
        """True while the port is transmitting (or paused mid-transmission)."""
        return self in (PortState.TX, PortState.PAUSE)


class Trigger(enum.Enum):
    """What moves a port from one state to another."""

    ADD = "add a stream"
    EMPTY = "remove its last stream"
    START = "start"
    STOP = "stop"
    PAUSE = "pause"
    RESUME = "resume"
    END = "end its job"


_S = PortState
_TRANSITIONS: dict[tuple[PortState, Trigger], PortState] = {
    (_S.IDLE, Trigger.ADD): _S.STREAMS,
    (_S.STREAMS, Trigger.ADD): _S.STREAMS,
    (_S.TX, Trigger.ADD): _S.TX,
    (_S.PAUSE, Trigger.ADD): _S.PAUSE,
    (_S.STREAMS, Trigger.EMPTY): _S.IDLE,
    (_S.IDLE, Trigger.EMPTY): _S.IDLE,
    (_S.STREAMS, Trigger.START): _S.TX,
    (_S.TX, Trigger.START): _S.TX,  # with force: restarted
    (_S.PAUSE, Trigger.START): _S.TX,
    (_S.TX, Trigger.STOP): _S.STREAMS,
    (_S.PAUSE, Trigger.STOP): _S.STREAMS,
    (_S.TX, Trigger.END): _S.STREAMS,
    (_S.PAUSE, Trigger.END): _S.STREAMS,
    (_S.TX, Trigger.PAUSE): _S.PAUSE,
    (_S.PAUSE, Trigger.RESUME): _S.TX,
}
"""The port state machine: a (state, trigger) pair not here is refused."""


def next_state(
    port: int, state: PortState, trigger: Trigger, streams: Sized
) -> PortState:
    """The state ``trigger`` moves a port in ``state`` to (a port left with no
    streams is IDLE).

    Raises:
        StateError: the table has no such move.
    """
    new = _TRANSITIONS.get((state, trigger))
    if new is None:
        raise StateError(
            f"port {port} is {state.value}: cannot {trigger.value}", port=port
        )
    if new is PortState.STREAMS and not len(streams):
        return PortState.IDLE
    return new


@dataclass(frozen=True)
class Reservation:
    """The current owner of a port."""

    owner: str
    session: str
    token: str

    def matches(self, who: str) -> bool:
        """True if ``who`` is this reservation's token or session."""
        return who in (self.token, self.session)


class Reservations:
    """Reservations of ``n`` ports."""

    def __init__(self, n: int) -> None:
        self._by_port: list[Reservation | None] = [None] * n

    def get(self, port: int) -> Reservation | None:
        """The reservation of ``port`` (``None`` if free)."""
        return self._by_port[port]

    def reserve(
        self, port: int, owner: str, session: str, *, force: bool
    ) -> tuple[str, Reservation | None]:
        """Reserve ``port``; return the new token and the reservation it replaced.

        Raises:
            OwnershipError: another session holds the port and ``force`` is false.
        """
        cur = self._by_port[port]
        if cur is not None and cur.session != session and not force:
            raise OwnershipError(
                f"port {port} is owned by {cur.owner!r}; use force to take it",
                port=port,
            )
        token = secrets.token_hex(4)
        self._by_port[port] = Reservation(owner, session, token)
        return token, cur

    def release(self, port: int, who: str) -> Reservation:
        """Release ``port`` held by ``who`` (token or session)."""
        cur = self._by_port[port]
        if cur is None:
            raise StateError(f"port {port} is not reserved", port=port)
        if not cur.matches(who):
            raise OwnershipError(f"port {port} is owned by {cur.owner!r}", port=port)
        self._by_port[port] = None
        return cur

    def relinquish(self, port: int) -> Reservation | None:
        """Take the reservation away from whoever holds it (Xena RELINQUISH)."""
        cur = self._by_port[port]
        self._by_port[port] = None
        return cur

    def check(self, port: int, who: str | None) -> None:
        """Raise :class:`OwnershipError` unless ``who`` holds ``port``."""
        cur = self._by_port[port]
        if cur is None:
            raise OwnershipError(
                f"port {port} is not reserved; acquire it first", port=port
            )
        if who is None or not cur.matches(who):
            raise OwnershipError(
                f"port {port} is owned by {cur.owner!r}, not by this session", port=port
            )

    def release_session(self, session: str) -> list[int]:
        """Release every port held by ``session`` (a closed connection)."""
        freed = []
        for port, cur in enumerate(self._by_port):
            if cur is not None and cur.session == session:
                self._by_port[port] = None
                freed.append(port)
        return freed
