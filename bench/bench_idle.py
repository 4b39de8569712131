#!/usr/bin/env python3
"""What an idle daemon costs: CPU of ``wirespeed server`` and its workers, at rest.

Run as root from the repository root::

    PYTHONPATH=src python bench/bench_idle.py [--dur 10] [--modules 2]

It starts ``wirespeed server`` on its embedded test bed (``--modules`` two-port
modules, every front end on free ports), lets it settle, then reads
``/proc/<pid>/stat`` (user + system time) of the daemon, each of its threads and
each worker process at the start and end of ``--dur`` seconds, and prints the CPU
each used in that time (percent of one core), how often each woke up (voluntary
context switches, from ``/proc/<pid>/status``; for the daemon the sum of its
threads') and the CPU each worker is allowed on.
Nothing is sent: every figure is what waiting costs.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TICK_S = 1.0 / os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def cpu_ticks(path: str) -> int:
    """utime + stime of a /proc stat file (0 if it is gone)."""
    try:
        with open(path) as fh:
            parts = fh.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    return int(parts[11]) + int(parts[12])


def wakeups(stat_path: str) -> int:
    """Voluntary context switches (times it slept and woke) of a process or
    thread (0 if it is gone)."""
    try:
        with open(stat_path.replace("/stat", "/status")) as fh:
            for line in fh:
                if line.startswith("voluntary_ctxt_switches"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as fh:
            return [int(x) for x in fh.read().split()]
    except OSError:
        return []


def label(pid: int) -> str:
    with open(f"/proc/{pid}/cmdline", "rb") as fh:
        argv = fh.read().decode().split("\0")
    if "wirespeed.dataplane.worker_main" in argv:
        i = argv.index("wirespeed.dataplane.worker_main")
        ifname = argv[argv.index("--ifname") + 1]
        return f"{argv[i + 1]} worker {ifname}"
    return " ".join(argv[:3])


def threads(pid: int) -> dict[str, str]:
    """thread stat path -> thread name."""
    out = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{tid}/comm") as fh:
            out[f"/proc/{pid}/task/{tid}/stat"] = f"{fh.read().strip()} ({tid})"
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--dur", type=float, default=10.0)
    ap.add_argument("--modules", type=int, default=2)
    ap.add_argument("--settle", type=float, default=3.0)
    a = ap.parse_args()
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    cmd = [
        sys.executable,
        "-m",
        "wirespeed.cli",
        "server",
        "--modules",
        str(a.modules),
        "--trex-port",
        str(free_port()),
        "--trex-pub-port",
        str(free_port()),
        "--xoa-port",
        str(free_port()),
        "--cli-port",
        str(free_port()),
        "--http-port",
        str(free_port()),
        "--otg-port",
        str(free_port()),
        "--native-port",
        str(free_port()),
    ]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            if line.startswith("front ends:"):
                break
        else:
            raise SystemExit("the server did not start")
        time.sleep(a.settle)
        paths: dict[str, str] = {f"/proc/{proc.pid}/stat": "daemon (all threads)"}
        paths.update(threads(proc.pid))
        for child in children(proc.pid):
            aff = sorted(os.sched_getaffinity(child))
            paths[f"/proc/{child}/stat"] = f"{label(child)} (cpus {aff})"
        t0 = time.monotonic()
        before = {p: (cpu_ticks(p), wakeups(p)) for p in paths}
        time.sleep(a.dur)
        after = {p: (cpu_ticks(p), wakeups(p)) for p in paths}
        dt = time.monotonic() - t0
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    print(
        f"idle {dt:.1f} s, {a.modules * 2} ports: CPU used (% of one core), "
        "wake-ups a second"
    )
    rate = {p: (after[p][1] - before[p][1]) / dt for p in paths}
    # a process's status counts its main thread's switches only: sum the threads
    rate[f"/proc/{proc.pid}/stat"] = sum(r for p, r in rate.items() if "/task/" in p)
    total = [0.0, 0.0]
    for p, name in paths.items():
        pct = 100 * (after[p][0] - before[p][0]) * TICK_S / dt
        if "/task/" not in p:
            total[0] += pct
            total[1] += rate[p]
        print(f"  {pct:6.2f} %  {rate[p]:7.1f}/s  {name}")
    print(f"  {total[0]:6.2f} %  {total[1]:7.1f}/s  total (daemon + workers)")


if __name__ == "__main__":
    main()
