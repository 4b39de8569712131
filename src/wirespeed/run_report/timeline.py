"""The samples of a run (:mod:`wirespeed.monitor.history`) as series over time:
the seconds since the first sample, and each port, stream or TID's entries lined
up on them (``None`` where a sample has no such object, as a TID before its first
frame)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

__all__ = ["KINDS", "lined_up", "times_s"]

Samples = Sequence[Mapping[str, Any]]
Entry = Mapping[str, Any]
Key = tuple[int, ...]

KINDS: dict[str, Callable[[Entry], Key]] = {
    "ports": lambda e: (e["port"],),
    "streams": lambda e: (e["port"], e["stream"]),
    "tids": lambda e: (e["port"], e["tid"]),
}
"""A sample's lists, and what names an object in each: port; port and stream id;
receiving port and TID."""


def times_s(samples: Samples) -> list[float]:
    """Each sample's time in seconds since the first (ms resolution)."""
    if not samples:
        return []
    t0 = samples[0]["time_ns"]
    return [round((s["time_ns"] - t0) / 1e9, 3) for s in samples]


def lined_up(samples: Samples, kind: str) -> dict[Key, list[Entry | None]]:
    """Every object of ``kind`` (a key of :data:`KINDS`), in the order first seen,
    with its entry in each sample (``None``: not in that sample)."""
    key = KINDS[kind]
    out: dict[Key, list[Entry | None]] = {}
    for i, sample in enumerate(samples):
        for entry in sample[kind]:
            out.setdefault(key(entry), [None] * len(samples))[i] = entry
    return out
