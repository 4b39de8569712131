"""Starting ports at a given server time (``start_traffic.start_at_ts``)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any, Protocol

from wirespeed.errors import WirespeedError
from wirespeed.server.trex.events import DEFAULT_PROFILE, TrexEvent
from wirespeed.service import Multiplier, Tester

__all__ = ["PendingStart", "SchedulerHost", "StartScheduler", "job_failed_events"]

_log = logging.getLogger(__name__)


def job_failed_events(port: int) -> list[tuple[TrexEvent, dict[str, Any]]]:
    """Error (7, 17), then finished (14, 4): the client leaves TX only on 14."""
    profile = {"port_id": port, "profile_id": DEFAULT_PROFILE}
    return [
        (TrexEvent.PORT_ERROR, {"port_id": port}),
        (TrexEvent.PROFILE_ERROR, profile),
        (TrexEvent.PROFILE_FINISHED_TX, profile),
        (TrexEvent.PORT_JOB_DONE, {"port_id": port}),
    ]


class SchedulerHost(Protocol):
    """What the scheduler needs of the front end (:class:`.frontend.TrexFrontEnd`)."""

    @property
    def lock(self) -> AbstractContextManager[Any]:
        """Held while the handlers or a delayed start act."""

    @property
    def tester(self) -> Tester:
        """The tester service."""

    @property
    def clock(self) -> Callable[[], float]:
        """Epoch seconds."""

    def post(self, events: list[tuple[TrexEvent, dict[str, Any]]]) -> None:
        """Queue events for every session."""


@dataclass
class PendingStart:
    """A start waiting for its ``start_at_ts``.

    Attributes:
        port: the port.
        duration_s: how long it sends (``None``: until stopped).
        multiplier: the start's multiplier (checked when asked).
        force: start even if the port sends.
    """

    port: int
    duration_s: float | None
    multiplier: Multiplier
    force: bool


@dataclass
class StartScheduler:
    """Starts ports at a given server time (``start_at_ts``, synchronized start).

    Ports asked to start at the same time with the same duration and factor are
    started by one tester call, so their first frames leave together.
    """

    fe: SchedulerHost
    pending: dict[float, list[PendingStart]] = field(default_factory=dict)
    timers: dict[float, threading.Timer] = field(default_factory=dict)

    def schedule(self, at_s: float, item: PendingStart) -> None:
        """Start ``item`` at epoch second ``at_s``."""
        self.cancel(item.port)
        self.pending.setdefault(at_s, []).append(item)
        if at_s not in self.timers:
            delay = max(0.0, at_s - self.fe.clock())
            timer = threading.Timer(delay, self._fire, args=(at_s,))
            timer.daemon = True
            self.timers[at_s] = timer
            timer.start()

    def cancel(self, port: int) -> bool:
        """Forget a pending start of ``port``; True if there was one."""
        found = False
        for at_s, items in list(self.pending.items()):
            kept = [i for i in items if i.port != port]
            found = found or len(kept) != len(items)
            if kept:
                self.pending[at_s] = kept
            else:
                del self.pending[at_s]
                timer = self.timers.pop(at_s, None)
                if timer is not None:
                    timer.cancel()
        return found

    def is_pending(self, port: int) -> bool:
        """True if ``port`` waits for its start time."""
        return any(i.port == port for items in self.pending.values() for i in items)

    def close(self) -> None:
        """Cancel every pending start."""
        for timer in self.timers.values():
            timer.cancel()
        self.timers.clear()
        self.pending.clear()

    def _fire(self, at_s: float) -> None:
        with self.fe.lock:
            items = self.pending.pop(at_s, [])
            self.timers.pop(at_s, None)
            groups: dict[tuple[float | None, Multiplier, bool], list[int]] = {}
            for item in items:
                key = (item.duration_s, item.multiplier, item.force)
                groups.setdefault(key, []).append(item.port)
            for (duration_s, mul, force), ports in groups.items():
                try:
                    self.fe.tester.start_traffic(
                        ports, duration_s=duration_s, multiplier=mul, force=force
                    )
                except WirespeedError as exc:
                    _log.warning("delayed start of ports %s failed: %s", ports, exc)
                    for port in ports:
                        self.fe.post(job_failed_events(port))
