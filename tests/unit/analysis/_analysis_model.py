"""A packet-by-packet reference model of the analyzer's documented semantics.

Slow and obvious on purpose: the vectorised analyzer must give the same counters.
Also builds frames for scenarios and runs them through the analyzer.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import numpy as np

from wirespeed.analysis import HISTOGRAM_BOUNDS_US, RxAnalyzer, TidStats
from wirespeed.tpld import TpldMode, encode_batch

MASK = (1 << 24) - 1
HALF = 1 << 23


@dataclass
class Packet:
    """One received frame of a scenario."""

    tid: int
    seq: int
    tx_ns: int
    latency_ns: int = 5_000
    first: bool = False
    length: int = 64

    @property
    def rx_ns(self) -> int:
        return self.tx_ns + self.latency_ns


def build(
    packets: list[Packet], mode: TpldMode = TpldMode.NORMAL
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Frames, lengths and RX times of a scenario."""
    n = len(packets)
    width = max([p.length for p in packets], default=64)
    frames = np.zeros((n, width), dtype=np.uint8)
    lengths = np.array([p.length for p in packets], dtype=np.int64)
    if n:
        encode_batch(
            frames,
            lengths,
            mode=mode,
            tid=np.array([p.tid for p in packets]),
            seq=np.array([p.seq for p in packets]),
            tx_ns=np.array([p.tx_ns for p in packets]),
            is_first=np.array([p.first for p in packets]),
        )
    rx = np.array([p.rx_ns for p in packets], dtype=np.int64)
    return frames, lengths, rx


@dataclass
class TidModel:
    """Reference state and counters of one TID."""

    window: int
    packets: int = 0
    bytes: int = 0
    lost_base: int = 0
    misordered: int = 0
    duplicates: int = 0
    stale: int = 0
    seq_too_high: int = 0
    seq_too_low: int = 0
    restarts: int = 0
    valid: bool = False
    high: int = 0
    low: int = 0
    unique: int = 0
    last: int = 0
    accepted: set[int] = field(default_factory=set)
    epoch_start: int | None = None
    newest: int | None = None
    latencies: list[int] = field(default_factory=list)
    jitter: float = 0.0
    last_transit: int | None = None
    jitter_samples: list[float] = field(default_factory=list)
    hist: list[int] = field(default_factory=lambda: [0] * len(HISTOGRAM_BOUNDS_US))

    @property
    def lost(self) -> int:
        if not self.valid or self.unique == 0:
            return self.lost_base
        return self.lost_base + (self.high - self.low + 1) - self.unique

    def feed(self, p: Packet, lat: int, has_sequence: bool) -> None:
        self.packets += 1
        self.bytes += p.length + 4
        self.latencies.append(lat)
        bucket = max(
            i for i, b in enumerate(HISTOGRAM_BOUNDS_US) if lat >= b * 1000 or i == 0
        )
        self.hist[bucket] += 1
        if self.last_transit is not None:
            self.jitter += (abs(lat - self.last_transit) - self.jitter) / 16
            self.jitter_samples.append(self.jitter)
        self.last_transit = lat
        if has_sequence:
            self._sequence(p.seq, p.rx_ns - lat, p.first)

    def _sequence(self, seq: int, tx: int, first: bool) -> None:
        if first:
            if self.valid:
                assert self.newest is not None
                if tx > self.newest:
                    self.lost_base = self.lost
                    self.valid = False
                    self.restarts += 1
                    self.epoch_start = tx
            else:
                self.epoch_start = tx
        if self.epoch_start is not None and tx < self.epoch_start:
            self.stale += 1
            self.seq_too_low += 1
            return
        if not self.valid:
            # an epoch starts at a flagged packet's number, else at 0 (every start
            # numbers from 0): the first packet is counted forward from there
            start = seq if first else 0
            self.valid = True
            self.last = start + ((seq - start) & MASK)
            self.high = start - 1
            self.low = start
            self.unique = 0
            self.accepted = set()
            self.newest = None
        step = ((seq - (self.last & MASK) + HALF) & MASK) - HALF
        e = self.last + step
        self.last = e
        self.newest = tx if self.newest is None else max(self.newest, tx)
        accept = False
        if e > self.high:
            accept = True
            if e > self.high + 1:
                self.seq_too_high += 1
        elif e <= self.high - self.window or e < self.low:
            self.stale += 1
            self.seq_too_low += 1
        else:
            self.seq_too_low += 1
            if e in self.accepted:
                self.duplicates += 1
            else:
                self.misordered += 1
                accept = True
        if accept:
            self.accepted.add(e)
            self.unique += 1
            self.high = max(self.high, e)


class Model:
    """Reference analyzer over whole scenarios."""

    def __init__(self, mode: TpldMode = TpldMode.NORMAL, window: int = 1 << 16):
        self.mode = mode
        self.window = window
        self.tids: dict[int, TidModel] = {}

    def feed(self, packets: list[Packet]) -> None:
        bits = self.mode.ts_bits
        for p in packets:
            ts = p.tx_ns & ((1 << bits) - 1)
            if self.mode is TpldMode.MICRO:
                ts &= ~0xF
            lat = ((p.rx_ns - ts + (1 << (bits - 1))) & ((1 << bits) - 1)) - (
                1 << (bits - 1)
            )
            tid = self.tids.setdefault(p.tid, TidModel(self.window))
            tid.feed(p, lat, self.mode.has_sequence)


SEQ_FIELDS = (
    "packets", "lost", "misordered", "duplicates", "stale", "seq_too_high",
    "seq_too_low", "restarts",
)  # fmt: skip


def sent(
    tid: int, n: int, seq0: int = 0, t0: int = 0, gap: int = 1000, first: bool = False
) -> list[Packet]:
    """Packets as sent: consecutive sequence numbers, TX time by send order."""
    return [
        Packet(
            tid=tid,
            seq=(seq0 + i) & 0xFFFFFF,
            tx_ns=t0 + i * gap,
            first=first and i == 0,
        )
        for i in range(n)
    ]


def run(
    packets: list[Packet],
    splits: list[int] | None = None,
    window: int = 1 << 16,
    mode: TpldMode = TpldMode.NORMAL,
) -> RxAnalyzer:
    """Analyse packets, cut into batches at ``splits``."""
    analyzer = RxAnalyzer(mode, window=window)
    frames, lengths, rx = build(packets, mode)
    bounds = [0, *(splits or []), len(packets)]
    for a, b in itertools.pairwise(bounds):
        analyzer.analyse(frames[a:b], lengths[a:b], rx[a:b])
    return analyzer


def counters(stats: TidStats | None) -> dict[str, int]:
    assert stats is not None
    return {name: getattr(stats, name) for name in SEQ_FIELDS}


def expect(packets: int, **nonzero: int) -> dict[str, int]:
    out = dict.fromkeys(SEQ_FIELDS, 0)
    out["packets"] = packets
    out.update(nonzero)
    return out
