"""bench_dataplane case (d): ``wirespeed server`` driven by the real TRex client.

The daemon runs as a subprocess on the bench's own veth pair (a ports file naming
p0 and p1 in their namespaces), with only its TRex front end, on free ports; the
client (:file:`trex_flat_out.py`) runs in the interpreter that has
``lbr-trex-client``. While the traffic flows, a thread reads field 39 of
``/proc/<pid>/stat`` (the CPU it last ran on) of every worker process ten times a
second, with the CPU time each worker, the daemon's own threads and the client
used meanwhile. Every wait is bounded; the daemon is stopped (then killed) whatever happens.
"""

from __future__ import annotations

import collections
import contextlib
import json
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
CLIENT = Path(__file__).resolve().parent / "trex_flat_out.py"
_CPU_FIELD = 39  # /proc/<pid>/stat: the CPU the task last ran on
_ONLY_TREX = tuple(a for fe in ("http", "otg", "native") for a in ("--no-frontend", fe))


def trex_python(given: str | None = None) -> str | None:
    """The interpreter that has lbr-trex-client (as tests/trex/trex_bed.py finds it)."""
    for cand in (
        given,
        os.environ.get("WIRESPEED_TREX_PYTHON"),
        str(ROOT / ".venv-trex" / "bin" / "python"),
        "/work/venv-trex/bin/python",
    ):
        if cand and Path(cand).exists():
            return cand
    return None


def write_ports_file(cfg: Any, macs: tuple[str, str], path: Path) -> None:
    """The daemon's ports file for ports 0 and 1 of the bench's test bed."""
    ports = [
        {
            "interface": cfg.ports[i].interface,
            "netns": cfg.ports[i].netns,
            "speed": cfg.ports[i].speed_bps,
            "mac": macs[i],
            "peer": 1 - i,
        }
        for i in (0, 1)
    ]
    path.write_text(yaml.safe_dump({"name": "bench-d", "ports": ports}))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def daemon(
    ports_file: Path,
    log: Path,
    extra: tuple[str, ...] = _ONLY_TREX,
    banner: list[str] | None = None,
) -> Iterator[tuple[int, int, int]]:
    """A running ``wirespeed server`` (its TRex front end, and ``extra``
    arguments): yields (pid, rpc port, pub port); ``banner`` gets the lines it
    printed at start."""
    rpc, pub = _free_port(), _free_port()
    cmd = [
        sys.executable,
        "-m",
        "wirespeed.cli",
        "server",
        "--config",
        str(ports_file),
        "--no-frontend",
        "xoa",
        "--no-frontend",
        "xena-cli",
        "--trex-port",
        str(rpc),
        "--trex-pub-port",
        str(pub),
        *extra,
    ]
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    with log.open("a") as errf:
        proc = subprocess.Popen(
            cmd, env=env, stdout=subprocess.PIPE, stderr=errf, text=True
        )
    lines: queue.Queue[str] = queue.Queue()

    def read() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.put(line)
        lines.put("")

    threading.Thread(target=read, daemon=True).start()
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                line = lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                line = ""
            if not line:
                raise RuntimeError(f"the daemon did not start (see {log})")
            if banner is not None:
                banner.append(line)
            if line.startswith("front ends:"):
                break
        yield proc.pid, rpc, pub
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()


def _stat(pid: int) -> list[str]:
    with open(f"/proc/{pid}/stat") as fh:
        return fh.read().rsplit(")", 1)[1].split()


def worker_pids(daemon_pid: int) -> dict[int, str]:
    """The daemon's worker processes: pid -> ``tx p0`` / ``rx p1``..."""
    with open(f"/proc/{daemon_pid}/task/{daemon_pid}/children") as fh:
        kids = [int(x) for x in fh.read().split()]
    out = {}
    for pid in kids:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            argv = fh.read().decode().split("\0")
        if "wirespeed.dataplane.worker_main" in argv:
            role = argv[argv.index("wirespeed.dataplane.worker_main") + 1]
            out[pid] = f"{role} {argv[argv.index('--ifname') + 1]}"
    return out


@dataclass
class CpuWatch:
    """Counts, per worker, the CPU it was last seen on (field 39), and measures
    the CPU time each watched process used (workers, the daemon's own threads,
    the client)."""

    pids: dict[int, str]
    others: dict[int, str] = field(default_factory=dict)
    seen: dict[int, collections.Counter[int]] = field(default_factory=dict)
    ticks: dict[int, tuple[float, int, float, int]] = field(default_factory=dict)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(0.1):
            now = time.monotonic()
            for pid in {**self.pids, **self.others}:
                with contextlib.suppress(OSError, IndexError):
                    st = _stat(pid)
                    used = int(st[11]) + int(st[12])  # utime + stime
                    first = self.ticks.get(pid, (now, used, now, used))
                    self.ticks[pid] = (first[0], first[1], now, used)
                    cpu = int(st[_CPU_FIELD - 3])
                    self.seen.setdefault(pid, collections.Counter())[cpu] += 1

    def busy(self, pid: int) -> float | None:
        """The share of a core ``pid`` used while watched (None: not seen)."""
        t0, u0, t1, u1 = self.ticks.get(pid, (0.0, 0, 0.0, 0))
        if t1 <= t0:
            return None
        return (u1 - u0) / os.sysconf("SC_CLK_TCK") / (t1 - t0)

    def _busy(self, pid: int) -> str:
        share = self.busy(pid)
        return "?" if share is None else f"{100 * share:.0f} %"

    def stop(self) -> str:
        """Stop; ``tx p0 cpu 0 (20/20) 97 %; ...; daemon 2 %; client 1 %``."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        parts = []
        for pid, name in sorted(self.pids.items(), key=lambda kv: kv[1][3:]):
            seen = self.seen.get(pid, collections.Counter())
            n = sum(seen.values())
            where = ", ".join(f"cpu {c} ({k}/{n})" for c, k in seen.most_common())
            parts.append(f"{name} {where or 'not seen'} {self._busy(pid)}")
        for pid, name in self.others.items():
            seen = self.seen.get(pid, collections.Counter())
            where = ", ".join(f"cpu {c} ({k})" for c, k in seen.most_common())
            parts.append(f"{name} {self._busy(pid)} ({where or 'not seen'})")
        return "; ".join(parts)


def flat_out(
    python: str, rpc: int, pub: int, dur: float, daemon_pid: int
) -> tuple[dict[str, Any], CpuWatch]:
    """The client sending flat out on a running daemon for ``dur``: its result,
    and the CPU watch that ran while the traffic flowed (stopped; its
    :meth:`CpuWatch.stop` line in ``result["cpus"]``)."""
    client = subprocess.Popen(
        [python, str(CLIENT), str(rpc), str(pub), str(dur)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    watch = CpuWatch(
        worker_pids(daemon_pid),
        {daemon_pid: "daemon (its threads)", client.pid: "client"},
    )
    try:
        assert client.stdout is not None
        first = client.stdout.readline()
        if first.strip() == "STARTED":
            watch.start()
        out, err = client.communicate(timeout=dur + 60)
    finally:
        if client.poll() is None:
            client.kill()
            client.communicate()
        cpus = watch.stop()
    if client.returncode != 0:
        raise RuntimeError(f"the TRex client failed:\n{first}{out}\n{err[-3000:]}")
    res: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    res["cpus"] = cpus
    return res, watch


def run_once(
    python: str, ports_file: Path, dur: float, log: Path, driver: str = "afpacket"
) -> dict[str, Any]:
    """One run of case (d) with every port on ``driver``: the client's result, plus
    ``pps`` (frames the analyzer counted / the duration, as case (c)), ``cpus``
    (where the workers ran) and ``drivers`` (each port's driver as the daemon
    printed it, e.g. ``afxdp (AF_XDP, copy mode)``)."""
    banner: list[str] = []
    extra = ("--driver", driver, *_ONLY_TREX)
    with daemon(ports_file, log, extra, banner) as (pid, rpc, pub):
        res, _ = flat_out(python, rpc, pub, dur, pid)
    res["pps"] = res["rx"] / dur
    res["drivers"] = [
        ln.split(" driver ", 1)[1].strip()
        for ln in banner
        if ln.startswith("port ") and " driver " in ln
    ]
    return res
