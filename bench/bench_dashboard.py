#!/usr/bin/env python3
"""Does watching the daemon slow it down? Port 0's TX rate with and without viewers.

Run as root from the repository root::

    PYTHONPATH=src python bench/bench_dashboard.py [--dur 3] [--reps 5]

On the one-module test bed of bench_dataplane (p0 <-> p1), one ``wirespeed
server`` (its TRex and HTTP front ends, on free ports) is driven by the real TRex
client (``lbr-trex-client``, in its own interpreter) sending bench_dataplane case
(d)'s stream flat out on port 0: 64-byte frames, latency statistics analysed on
port 1. Each rep runs the same traffic twice, in alternating order:

(a) nobody watching: the daemon's one-a-second history still samples (it always
    does while the HTTP front end runs), nothing else reads it;
(b) watched: the dashboard's WebSocket ``/api/live`` connected (an aiohttp
    client reading every message), ``GET /metrics`` and ``GET /api/snapshot``
    once a second each.

The rate is the frames port 0 sent (the client's ``opackets``) over the run's
duration. Printed: each condition's median, the median of the per-rep ratios
(b)/(a) (each pair measured side by side: this VM's speed drifts from one minute
to the next), the pooled ratio, what the viewers received and how long a scrape
took, and the share of a core the daemon's own threads and each worker used.
On a machine other jobs share, the time they take from port 0's TX worker moves
the rate by tens of percent from one run to the next; the ratio of frames per
CPU-second of that worker, (b)/(a), leaves that out (what watching costs the
worker's CPU shows in its share of a core, and in the daemon threads' share).
The issue's rule: watching lowers the rate by at most 2 % (ratio >= 0.98).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

import daemon_case  # noqa: E402
from streams import MAC0, MAC1  # noqa: E402

from wirespeed.topology.testbed import EmbeddedTestbed  # noqa: E402

TARGET = 0.98
HTTP_ARGS = (
    "--no-frontend", "xoa", "--no-frontend", "xena-cli", "--no-frontend", "otg",
    "--no-frontend", "native", "--http-port", "0",
)  # fmt: skip


@dataclass
class Viewers:
    """The dashboard's WebSocket plus a scraper of /metrics and /api/snapshot,
    in a thread of their own with their own event loop."""

    url: str
    live_messages: int = 0
    scrape_s: dict[str, list[float]] = field(
        default_factory=lambda: {"metrics": [], "api/snapshot": []}
    )
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None
    error: BaseException | None = None

    def __enter__(self) -> Viewers:
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def _run(self) -> None:
        try:
            asyncio.run(self._main())
        except BaseException as exc:
            self.error = exc

    async def _main(self) -> None:
        async with aiohttp.ClientSession() as http:
            live = asyncio.ensure_future(self._live(http))
            try:
                while not self._stop.is_set():
                    for path in self.scrape_s:
                        t0 = time.perf_counter()
                        async with http.get(self.url + path) as resp:
                            resp.raise_for_status()
                            await resp.read()
                        self.scrape_s[path].append(time.perf_counter() - t0)
                    await asyncio.sleep(1.0)
            finally:
                live.cancel()

    async def _live(self, http: aiohttp.ClientSession) -> None:
        async with http.ws_connect(self.url + "api/live") as ws:
            async for msg in ws:
                if msg.type == aiohttp.WSMsgType.TEXT:
                    self.live_messages += 1

    def summary(self) -> str:
        parts = [f"{self.live_messages} live messages"]
        for path, times in self.scrape_s.items():
            if times:
                parts.append(
                    f"/{path} x{len(times)} median "
                    f"{1e3 * statistics.median(times):.1f} ms"
                )
        return ", ".join(parts)


@dataclass
class Run:
    """One run of the client: port 0's TX rate, the share of a core port 0's TX
    worker and the daemon's own threads used meanwhile, and the detail line."""

    pps: float
    tx_busy: float
    daemon_busy: float
    cpus: str


def run(python: str, rpc: int, pub: int, dur: float, daemon: int) -> Run:
    """One run of the client (frames port 0 sent / the duration)."""
    res, watch = daemon_case.flat_out(python, rpc, pub, dur, daemon)
    (tx0,) = [pid for pid, name in watch.pids.items() if name == "tx p0"]
    return Run(
        res["opackets"] / dur,
        watch.busy(tx0) or 0.0,
        watch.busy(daemon) or 0.0,
        res["cpus"],
    )


def report(runs: dict[str, list[Run]]) -> str:
    """The medians, the ratios (b)/(a) and the CPU shares."""
    a, b = runs["a"], runs["b"]
    ratios = [y.pps / x.pps for x, y in zip(a, b, strict=True)]
    per_cpu = [
        (y.pps / y.tx_busy) / (x.pps / x.tx_busy)
        for x, y in zip(a, b, strict=True)
        if x.tx_busy and y.tx_busy
    ]

    def med(rs: list[Run], key: str) -> float:
        return statistics.median(float(getattr(r, key)) for r in rs)

    return (
        f"(a) nobody watching                       median {med(a, 'pps'):,.0f} pps"
        f"  (port 0's TX worker {100 * med(a, 'tx_busy'):.0f} % of a core, "
        f"daemon threads {100 * med(a, 'daemon_busy'):.1f} %)\n"
        f"(b) dashboard + /metrics + /api/snapshot  median {med(b, 'pps'):,.0f} pps"
        f"  (port 0's TX worker {100 * med(b, 'tx_busy'):.0f} % of a core, "
        f"daemon threads {100 * med(b, 'daemon_busy'):.1f} %)\n"
        f"ratio (b)/(a) {statistics.median(ratios):.3f} (min {min(ratios):.3f}, "
        f"max {max(ratios):.3f}; target >= {TARGET:.2f})  pooled "
        f"{statistics.fmean(r.pps for r in b) / statistics.fmean(r.pps for r in a):.3f}"
        f"\nframes per CPU-second of port 0's TX worker, (b)/(a): median "
        f"{statistics.median(per_cpu):.3f} (the ratio without the time other "
        f"processes of the machine took from the worker)"
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--dur", type=float, default=3.0)
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--trex-python", default=None)
    a = ap.parse_args()
    python = daemon_case.trex_python(a.trex_python)
    if python is None:
        raise SystemExit("no lbr-trex-client interpreter (--trex-python)")
    tmp = Path(tempfile.mkdtemp(prefix="wsdash"))
    bed = EmbeddedTestbed(modules=1, speed_bps=100_000_000_000)
    cfg = bed.start()
    runs: dict[str, list[Run]] = {"a": [], "b": []}
    lines: list[str] = []
    try:
        bed.lab.set_mac("p0", MAC0, netns=cfg.ports[0].netns)
        bed.lab.set_mac("p1", MAC1, netns=cfg.ports[1].netns)
        ports_file = tmp / "ports.yaml"
        daemon_case.write_ports_file(cfg, (MAC0, MAC1), ports_file)
        banner: list[str] = []
        log = tmp / "daemon.log"
        with daemon_case.daemon(ports_file, log, HTTP_ARGS, banner) as (pid, rpc, pub):
            (url,) = [ln.split()[1] for ln in banner if ln.startswith("dashboard: ")]
            for rep in range(a.reps):
                for case in "ab" if rep % 2 == 0 else "ba":
                    if case == "a":
                        r = run(python, rpc, pub, a.dur, pid)
                        seen = "nobody watching"
                    else:
                        with Viewers(url) as viewers:
                            r = run(python, rpc, pub, a.dur, pid)
                        if viewers.error is not None:
                            raise RuntimeError("a viewer failed") from viewers.error
                        seen = viewers.summary()
                    runs[case].append(r)
                    lines.append(f"rep {rep} ({case}) {r.pps:,.0f} pps | {seen}\n"
                                 f"        cpu: {r.cpus}")  # fmt: skip
    finally:
        bed.close()
    print(f"duration {a.dur:g} s, reps {a.reps}, 64 B frames flat out on port 0")
    print(report(runs))
    for line in lines:
        print("  " + line)


if __name__ == "__main__":
    main()
