"""One client connection to the Xena front ends (binary or text)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from wirespeed.server.xena.values import Value

__all__ = ["DEFAULT_TIMEOUT_S", "Push", "PushSink", "XenaSession"]

DEFAULT_TIMEOUT_S = 130


@dataclass(frozen=True)
class Push:
    """An unsolicited notification: the current value of a command's get.

    Attributes:
        name: the command (``P_TRAFFIC``, ``P_RESERVATION``...).
        slot: the Xena module slot (None for chassis commands).
        port_in_module: the Xena port index (None for chassis/module commands).
        values: the get values as the receiving session would read them.
    """

    name: str
    slot: int | None
    port_in_module: int | None
    values: tuple[Value, ...]


PushSink = Callable[[Push], None]


@dataclass(eq=False)
class XenaSession:
    """State of one connection.

    Reservations belong to the owner *name* (as on a Xena chassis): every session
    logged on with the same owner sees them as RESERVED_BY_YOU, also after a
    reconnect. In the tester service they are held under :attr:`service_session`.

    Attributes:
        transport: ``"xoa"`` or ``"cli"``.
        peer: the client's address, for the log.
        logged_on: C_LOGON succeeded.
        owner: the C_OWNER name.
        timeout_s: idle time after which the connection is closed (C_TIMEOUT).
        logging_off: C_LOGOFF was received; the transport closes after replying.
        push: where pushed notifications go (None: the transport does not push).
        sync_on: (CLI) append ``<SYNC>`` to every answer.
        id: a number unique in its chassis (given when the chassis opens it).
        logon_number: the chassis's change number when it logged on (it is told
            only of later changes).
    """

    transport: str
    peer: str = ""
    logged_on: bool = False
    owner: str = ""
    timeout_s: float = DEFAULT_TIMEOUT_S
    logging_off: bool = False
    push: PushSink | None = None
    sync_on: bool = False
    id: int = 0
    logon_number: int = 0

    @property
    def service_session(self) -> str:
        """The session key under which this owner's reservations are held."""
        return f"xena:{self.owner}"
