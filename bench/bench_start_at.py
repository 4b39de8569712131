#!/usr/bin/env python3
"""A start at an agreed wall-clock time: how late each port's first frames leave,
and how far apart the ports start.

    PYTHONPATH=src python bench/bench_start_at.py [--reps 20] [--modules 2]

Each rep starts every port of the embedded test bed (a burst of 1000 frames of
128 B at 20,000 frames/s each) at a time 300 ms ahead, and reads the wall-clock
time each TX worker stamped its first frames with (``Tester.tx_job_first_ns``).
Printed: per rep the latest port's lateness and the spread between the ports
(first - agreed time; spread = latest - earliest), then their median and maximum.
On several hosts the same start time is given to every daemon; what is measured
here is what each host adds to its clock's own error.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from scapy.layers.inet import IP, UDP  # noqa: E402
from scapy.layers.l2 import Ether  # noqa: E402

from wirespeed.model import FrameLength, ModeKind, Rate, Stream, TxMode  # noqa: E402
from wirespeed.service import Tester  # noqa: E402
from wirespeed.topology.testbed import EmbeddedTestbed  # noqa: E402

HDR = bytes(Ether() / IP(src="198.18.0.1", dst="198.19.0.1") / UDP(dport=9))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=20)
    ap.add_argument("--modules", type=int, default=2)
    a = ap.parse_args()
    late_max, spreads = [], []
    with EmbeddedTestbed(modules=a.modules) as cfg, Tester(cfg) as t:
        ports = list(range(len(t.ports)))
        for p in ports:
            t.add_stream(p, 0, Stream(
                packet=HDR, tpld_id=p, length=FrameLength.fixed(128),
                rate=Rate.pps(20_000),
                mode=TxMode(ModeKind.SINGLE_BURST, total_pkts=1000),
            ))  # fmt: skip
        for rep in range(a.reps):
            at = time.time_ns() + 300_000_000
            t.start_traffic(ports, start_at_ns=at)
            t.wait_idle(ports, 10)
            late = [t.tx_job_first_ns(p) - at for p in ports]
            late_max.append(max(late))
            spreads.append(max(late) - min(late))
            print(f"rep {rep:2d}: latest {max(late) / 1e3:8.1f} us late, "
                  f"ports {(max(late) - min(late)) / 1e3:8.1f} us apart")  # fmt: skip
    print(
        f"{len(ports)} ports, {a.reps} reps: latest port late by median "
        f"{statistics.median(late_max) / 1e3:.1f} us (max {max(late_max) / 1e3:.1f}); "
        f"ports apart by median {statistics.median(spreads) / 1e3:.1f} us "
        f"(max {max(spreads) / 1e3:.1f}); none early: {min(late_max) >= 0}"
    )


if __name__ == "__main__":
    main()
