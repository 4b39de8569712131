"""One timer for the I/O deadlines of many connections.

Giving every read, write and connect its own ``asyncio.timeout`` costs a timer handle
each; at thousands of connections per second that is a visible share of the work. A
:class:`Watchdog` instead keeps a deadline per connection task, which the task moves
forward (a dict write) before each I/O step, and checks all of them a few times per
timeout period: a task whose deadline passed is cancelled, and the task tells that
apart from a stop with :meth:`Watchdog.expired` (which also un-cancels it, so it can
count the timeout and go on). A deadline fires at most one tick late.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

__all__ = ["Watchdog"]


class Watchdog:
    """Cancels connection tasks whose I/O deadline passed.

    Args:
        timeout_s: the I/O timeout the deadlines are made of.
        ticks_per_timeout: how often per ``timeout_s`` the deadlines are checked.
    """

    def __init__(self, timeout_s: float, ticks_per_timeout: int = 10) -> None:
        self.timeout_ns = round(timeout_s * 1e9)
        self._tick_s = min(timeout_s / ticks_per_timeout, 0.25)
        self._deadlines: dict[asyncio.Task[Any], int] = {}
        self._fired: set[asyncio.Task[Any]] = set()
        self._handle: asyncio.TimerHandle | None = None

    def start(self) -> None:
        """Start checking (inside the running loop)."""
        if self._handle is None:
            self._handle = asyncio.get_running_loop().call_later(
                self._tick_s, self._check
            )

    def close(self) -> None:
        """Stop checking."""
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None
        self._deadlines.clear()

    def arm(self, task: asyncio.Task[Any], now_ns: int) -> None:
        """The task's next I/O step must end within the timeout from ``now_ns``."""
        self._deadlines[task] = now_ns + self.timeout_ns

    def disarm(self, task: asyncio.Task[Any]) -> None:
        """The task does no I/O for now (think time, or it is done)."""
        self._deadlines.pop(task, None)

    def expired(self, task: asyncio.Task[Any]) -> bool:
        """True if the deadline cancelled the task (then it is un-cancelled)."""
        if task not in self._fired:
            return False
        self._fired.discard(task)
        task.uncancel()
        return True

    def _check(self) -> None:
        now = time.monotonic_ns()
        late = [task for task, deadline in self._deadlines.items() if deadline <= now]
        for task in late:
            del self._deadlines[task]
            self._fired.add(task)
            task.cancel()
        self._handle = asyncio.get_running_loop().call_later(self._tick_s, self._check)
