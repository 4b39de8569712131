#!/usr/bin/env python3
"""Receive analysis throughput on one core: TPLD decode + per-TID analysis.

    PYTHONPATH=src python bench/bench_analysis.py [--frames N] [--tids T] [--profile]

Builds N 64-byte frames (60 bytes without FCS, normal 20-byte TPLD) of T interleaved
TIDs with jittery latencies, then times RxAnalyzer.analyse over them in batches of
1024 and 8192 (frames are prebuilt; building them is not timed). Two traffic
patterns: "clean" (in order) and "impaired" (1% of frames dropped, 1% swapped with
the next frame of their TID, 0.5% duplicated). Prints frames per second for decode alone and
for decode + analysis, per CPU second of this process (the one-core cost, robust
against other load on the machine) and per wall-clock second, and the ratio to the
issue's target of 5 M frames/s. Best of 3 runs, each on a fresh analyzer.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import time
from collections.abc import Callable

import numpy as np

from wirespeed.analysis import RxAnalyzer
from wirespeed.tpld import TpldMode, decode_batch, encode_batch

TARGET_FPS = 5_000_000
FRAME_LEN = 60  # 64 B on the wire with the FCS


def build(
    n: int, n_tids: int, impaired: bool, seed: int = 1
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Frames, lengths and RX times, in arrival order."""
    rng = np.random.default_rng(seed)
    idx = np.arange(n, dtype=np.int64)
    tids = idx % n_tids
    seqs = idx // n_tids
    tx = 1_000_000_000 + idx * 200  # 5 Mpps
    order = idx
    if impaired:
        keep = rng.random(n) >= 0.01
        order = idx[keep]
        # swap with the next frame of the same TID (n_tids further on)
        swap = np.flatnonzero(rng.random(order.size - n_tids) < 0.01)
        order[swap], order[swap + n_tids] = order[swap + n_tids], order[swap].copy()
        dup = np.flatnonzero(rng.random(order.size) < 0.005)
        order = np.insert(order, dup + 1, order[dup])[:n]
    m = order.size
    frames = rng.integers(0, 256, (m, FRAME_LEN), dtype=np.uint8)
    lengths = np.full(m, FRAME_LEN, dtype=np.int64)
    encode_batch(
        frames,
        lengths,
        mode=TpldMode.NORMAL,
        tid=tids[order],
        seq=seqs[order],
        tx_ns=tx[order],
    )
    rx = 1_000_000_000 + np.arange(m) * 200 + 20_000 + rng.integers(0, 5_000, m)
    return frames, lengths, rx


def timed(fn: Callable[..., object], *args: object) -> tuple[float, float, object]:
    """(CPU seconds, wall seconds, result) of one call."""
    c0, w0 = time.process_time(), time.perf_counter()
    result = fn(*args)
    return time.process_time() - c0, time.perf_counter() - w0, result


def decode_all(frames: np.ndarray, lengths: np.ndarray, batch: int) -> None:
    for s in range(0, frames.shape[0], batch):
        decode_batch(frames[s : s + batch], lengths[s : s + batch], TpldMode.NORMAL)


def analyse_all(
    frames: np.ndarray, lengths: np.ndarray, rx: np.ndarray, batch: int
) -> RxAnalyzer:
    analyzer = RxAnalyzer(TpldMode.NORMAL)
    for s in range(0, frames.shape[0], batch):
        analyzer.analyse(
            frames[s : s + batch], lengths[s : s + batch], rx[s : s + batch]
        )
    return analyzer


def check(analyzer: RxAnalyzer, n: int, impaired: bool) -> None:
    """The figures are only worth printing if the counters are right."""
    port = analyzer.port_totals()
    if port.packets != n or port.tpld_packets != n:
        raise SystemExit(f"wrong port totals: {port}")
    stats = analyzer.snapshot().tids
    if not impaired and any(
        s.lost or s.misordered or s.duplicates for s in stats.values()
    ):
        raise SystemExit("clean traffic reported errors")
    if impaired and not all(s.lost and s.misordered for s in stats.values()):
        raise SystemExit("impaired traffic reported no loss or misordering")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--frames", type=int, default=1 << 20)
    ap.add_argument("--tids", type=int, default=16)
    ap.add_argument("--profile", action="store_true", help="cProfile one 8192 run")
    args = ap.parse_args()
    print(
        f"{args.frames} frames of {FRAME_LEN + 4} B, {args.tids} TIDs, "
        f"target {TARGET_FPS / 1e6:.0f} M frames/s; rates per CPU second "
        f"(and per wall second)"
    )
    for impaired in (False, True):
        frames, lengths, rx = build(args.frames, args.tids, impaired)
        n = frames.shape[0]
        label = "impaired" if impaired else "clean"
        for batch in (1024, 8192):
            dec = min(timed(decode_all, frames, lengths, batch)[:2] for _ in range(3))
            runs = [timed(analyse_all, frames, lengths, rx, batch) for _ in range(3)]
            full = min(run[:2] for run in runs)
            analyzer = runs[0][2]
            assert isinstance(analyzer, RxAnalyzer)
            check(analyzer, n, impaired)
            cpu_fps, wall_fps = n / full[0], n / full[1]
            print(
                f"{label:8s} batch {batch:5d}: decode {n / dec[0] / 1e6:5.2f} M/s | "
                f"decode+analysis {cpu_fps / 1e6:5.2f} M/s "
                f"({full[0] / n * 1e9:4.0f} ns/frame; wall {wall_fps / 1e6:5.2f} M/s) | "
                f"ratio to target {cpu_fps / TARGET_FPS:4.2f} "
                f"(wall {wall_fps / TARGET_FPS:4.2f})"
            )
    if args.profile:
        frames, lengths, rx = build(args.frames, args.tids, False)
        prof = cProfile.Profile()
        prof.enable()
        analyse_all(frames, lengths, rx, 8192)
        prof.disable()
        pstats.Stats(prof).sort_stats("tottime").print_stats(20)


if __name__ == "__main__":
    main()
