"""The plan of an RFC 2544 run, without IO: its flows, the frame-loss rates, and
how many trials it will take (for a progress bar).

Flows: a pair ``{tx, rx}`` is one flow; ``bidirectional`` adds ``rx -> tx``; a
mesh of ports is every ordered pair of them. All flows of a run send at once in
each trial, and no flow may be listed twice.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from wirespeed.errors import ConfigError

__all__ = ["Progress", "burst_trials", "flows_of", "loss_rates", "search_trials"]


def flows_of(
    pairs: list[tuple[int, int, bool]], mesh: list[int]
) -> list[tuple[int, int]]:
    """The ordered (tx, rx) flows of ``pairs`` (tx, rx, bidirectional) and of a
    ``mesh`` of ports, in that order.

    Raises:
        ConfigError: a pair from a port to itself, a flow twice (naming the
            pair: ``pairs.1``, or ``mesh``).
    """
    out: list[tuple[int, int]] = []

    def add(flow: tuple[int, int], where: str) -> None:
        if flow[0] == flow[1]:
            raise ConfigError(f"port {flow[0]} sends to itself", field=where)
        if flow in out:
            raise ConfigError(f"flow {flow[0]} -> {flow[1]} twice", field=where)
        out.append(flow)

    for i, (tx, rx, both) in enumerate(pairs):
        add((tx, rx), f"pairs.{i}")
        if both:
            add((rx, tx), f"pairs.{i}")
    if len(set(mesh)) != len(mesh):
        raise ConfigError("a port twice in the mesh", field="mesh")
    for tx in mesh:
        for rx in mesh:
            if tx != rx:
                add((tx, rx), "mesh")
    return out


def loss_rates(start: float, end: float, step: float) -> list[float]:
    """RFC 2544 26.3's rates: from ``start`` down to ``end`` by ``step`` (% of
    line), ``end`` included when the steps reach it.

    Raises:
        ConfigError: a rate outside (0, 100] %, a step <= 0, end above start.
    """
    for name, v in (("start", start), ("end", end)):
        if not 0 < v <= 100:
            raise ConfigError(
                "rates are in (0, 100] % of line", field=f"frame_loss.{name}"
            )
    if not step > 0:
        raise ConfigError("the step is > 0 %", field="frame_loss.step")
    if end > start:
        raise ConfigError("the rates go down: end <= start", field="frame_loss.end")
    n = math.floor((start - end) / step + 1e-9)
    return [round(start - i * step, 9) for i in range(n + 1)]


def search_trials(min_pct: float, max_pct: float, resolution_pct: float) -> int:
    """About how many trials a throughput search takes (a binary search's count
    is known only at its end)."""
    return 1 + max(
        1, math.ceil(math.log2(max(1.0, (max_pct - min_pct) / resolution_pct)))
    )


def burst_trials(min_frames: int, max_frames: int, resolution: int) -> int:
    """About how many bursts a back-to-back search takes."""
    return search_trials(min_frames, max_frames, resolution)


@dataclass
class Progress:
    """Trials done and planned: searches count their estimate until they end,
    then what they took (planned is never below done: a search that takes more
    than its estimate raises it while it runs)."""

    expected: int = 0
    done: int = 0

    @property
    def planned(self) -> int:
        return max(self.expected, self.done)

    def plan(self, trials: int) -> None:
        """``trials`` more are expected."""
        self.expected += trials

    def step(self) -> None:
        """One trial is done."""
        self.done += 1

    def settle(self, estimated: int, took: int) -> None:
        """A search estimated at ``estimated`` trials took ``took``."""
        self.expected += took - estimated
