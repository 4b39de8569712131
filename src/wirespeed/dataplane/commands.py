"""The worker's side of its command pipe: is there a command?

``multiprocessing.connection.Connection.poll()`` builds, registers and closes a
selector on every call (5-6 microseconds, several times that with the caches cold
after a large ``sendmmsg``); a worker asks after every batch, so it keeps one
``poll`` object instead (half a microsecond).
"""

from __future__ import annotations

import select
from multiprocessing.connection import Connection

__all__ = ["CommandPoller"]


class CommandPoller:
    """Answers whether ``conn`` has something to read (a command, or its end:
    ``recv()`` then raises EOFError, as after ``Connection.poll()``)."""

    def __init__(self, conn: Connection) -> None:
        self._poll = select.poll()
        self._poll.register(conn.fileno(), select.POLLIN | select.POLLHUP)

    def ready(self, timeout_s: float = 0.0) -> bool:
        """True when a read would not block; waits up to ``timeout_s`` seconds
        (rounded up to the millisecond)."""
        return bool(self._poll.poll(max(0.0, timeout_s) * 1000.0))
