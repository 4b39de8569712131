"""When each connection of a client entry starts.

Two ways, as in the original tool: a minimum gap between starts (``client_delay``,
closed loop: a start also waits for a free slot under ``client_concur``), or a target
rate (``client_cps``, open loop: connection ``i`` is due at ``t0 + i / cps`` whatever
happened before). In open loop a connection that starts late (every slot under
``client_concur`` was busy) counts that delay: its whole-connection time is measured
from the intended start, and its first transaction's latency includes how late it
started, so a stalled server shows up as latency instead of being hidden by a
generator that slowed down with it (no coordinated omission). Pure: times are
arguments.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["StartSchedule"]


@dataclass(frozen=True)
class StartSchedule:
    """The start times of one client entry's connections.

    Attributes:
        start_ns: when the entry starts.
        cps: target connections per second (open loop), or None.
        gap_s: minimum time between two starts (closed loop).
    """

    start_ns: int
    cps: float | None = None
    gap_s: float = 0.0

    def __post_init__(self) -> None:
        if self.cps is not None and self.cps <= 0:
            raise ValueError("cps must be > 0")
        if self.gap_s < 0:
            raise ValueError("gap_s must be >= 0")

    @property
    def is_open_loop(self) -> bool:
        """True when a target rate is set."""
        return self.cps is not None

    def due_ns(self, index: int, previous_start_ns: int | None) -> int:
        """When connection ``index`` may start.

        Args:
            index: 0-based connection number.
            previous_start_ns: when connection ``index - 1`` really started (None for
                the first); used in closed loop only.
        """
        if self.cps is not None:
            return self.start_ns + round(index * 1e9 / self.cps)
        if previous_start_ns is None:
            return self.start_ns
        return previous_start_ns + round(self.gap_s * 1e9)
