#!/usr/bin/env python3
"""TRex RPC benchmark: a 1,000-stream batch, and round trips while a port sends.

Run as root from the repository root::

    PYTHONPATH=src python bench/bench_rpc.py [--streams 1000] [--calls 2000]

It builds a one-module test bed (p0 <-> p1 in their own namespaces), starts the
wirespeed daemon with only the TRex front end in a separate process (free ports),
and talks to it with a bare ZeroMQ REQ socket using TRex's framing (zlib, as the
real client does). Measured in the same run:

(a) ``add_stream`` x N in one batch (what ``STLClient.add_streams`` sends), against
    a batch of N ``ping`` requests (the transport and JSON-RPC cost alone);
(b) round trips of ``get_port_stats`` and ``ping`` (p50/p99) with the ports idle,
    then while port 0 sends 64-byte frames as fast as it can (``mul`` 100 %);
    the ratio loaded/idle says how much the data plane slows the control plane.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import select
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

import yaml  # noqa: E402
import zmq  # noqa: E402

from wirespeed.topology.netns import Lab  # noqa: E402

MAC0, MAC1 = "02:72:70:00:00:01", "02:72:70:00:00:02"
SERVER = """
import sys
from pathlib import Path
from wirespeed.server.daemon import Daemon, DaemonOptions
d = Daemon(DaemonOptions(config=Path(sys.argv[1]), front_ends=("trex",),
                         ports={"trex": {"rpc_port": 0, "pub_port": 0}}))
d.start()
fe = d.front_ends["trex"]
print("READY", fe.rpc_port, fe.pub_port, flush=True)
try:
    d.run_forever()
finally:
    d.close()
"""


class Rpc:
    """TRex framing over a REQ socket."""

    def __init__(self, port: int) -> None:
        self.ctx = zmq.Context()
        self.sock = self.ctx.socket(zmq.REQ)
        self.sock.setsockopt(zmq.LINGER, 0)
        self.sock.connect(f"tcp://127.0.0.1:{port}")
        self.api_h = ""
        self.n = 0

    def _req(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        self.n += 1
        if self.api_h:
            params = {**params, "api_h": self.api_h}
        return {
            "jsonrpc": "2.0",
            "id": f"b{self.n}",
            "method": method,
            "params": params,
        }

    def send(self, doc: Any) -> Any:
        body = json.dumps(doc).encode()
        self.sock.send(struct.pack(">II", 0xABE85CEA, len(body)) + zlib.compress(body))
        reply = self.sock.recv()
        if reply[:4] == b"\xab\xe8\x5c\xea":
            reply = zlib.decompress(reply[8:])
        return json.loads(reply)

    def call(self, method: str, **params: Any) -> Any:
        out = self.send(self._req(method, params))
        if "error" in out:
            raise RuntimeError(f"{method}: {out['error']['specific_err']}")
        return out["result"]

    def batch(self, reqs: list[tuple[str, dict[str, Any]]]) -> list[Any]:
        out = self.send([self._req(m, p) for m, p in reqs])
        bad = [r for r in out if "error" in r]
        if bad:
            raise RuntimeError(bad[0]["error"]["specific_err"])
        return out


def stream(size: int, pps: float) -> dict[str, Any]:
    frame = bytes.fromhex(MAC1.replace(":", "") + MAC0.replace(":", "")) + b"\x08\x00"
    frame += bytes.fromhex("450000000001000040110000c6120001c6130001")[:20]
    frame = frame.ljust(size, b"\x00")
    return {
        "flags": 3,
        "action_count": 0,
        "enabled": True,
        "self_start": True,
        "start_paused": False,
        "isg": 0.0,
        "core_id": -1,
        "mode": {"type": "continuous", "rate": {"type": "pps", "value": pps}},
        "packet": {"binary": base64.b64encode(frame).decode(), "meta": ""},
        "vm": {"instructions": []},
        "flow_stats": {"enabled": False},
        "next_stream_id": -1,
    }


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def round_trips(rpc: Rpc, method: str, calls: int, **params: Any) -> list[float]:
    out = []
    for _ in range(calls):
        t0 = time.perf_counter()
        rpc.call(method, **params)
        out.append((time.perf_counter() - t0) * 1e6)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--streams", type=int, default=1000)
    ap.add_argument("--calls", type=int, default=2000)
    ap.add_argument("--reps", type=int, default=3)
    args = ap.parse_args()
    with Lab("wsB") as lab, tempfile.TemporaryDirectory() as tmp:
        a, b = lab.add_netns("a"), lab.add_netns("b")
        lab.add_veth("p0", a, "p1", b, mac=MAC0, peer_mac=MAC1)
        cfg = Path(tmp) / "ports.yaml"
        cfg.write_text(
            yaml.safe_dump(
                {
                    "ports": [
                        {"interface": "p0", "netns": a, "speed": "1G", "peer": 1},
                        {"interface": "p1", "netns": b, "speed": "1G", "peer": 0},
                    ]
                }
            )
        )
        env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
        proc = subprocess.Popen(
            [sys.executable, "-c", SERVER, str(cfg)],
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )
        try:
            assert proc.stdout is not None
            ready, _, _ = select.select([proc.stdout], [], [], 60)
            line = proc.stdout.readline() if ready else ""
            if not line.startswith("READY"):
                raise SystemExit("server did not start")
            run(Rpc(int(line.split()[1])), args)
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=30)
            if proc.stdout is not None:
                proc.stdout.close()


def run(rpc: Rpc, args: argparse.Namespace) -> None:
    rpc.api_h = rpc.call("api_sync_v2", name="STL", major=5, minor=1)["api_h"]
    handler = rpc.call("acquire", port_id=0, user="bench", session_id=1, force=True)
    n = args.streams
    adds, pings = [], []
    for _ in range(args.reps):
        rpc.call("remove_all_streams", handler=handler, port_id=0, profile_id="_")
        reqs = [
            (
                "add_stream",
                {
                    "handler": handler,
                    "port_id": 0,
                    "profile_id": "_",
                    "stream_id": i + 1,
                    "stream": stream(64, 10.0),
                },
            )
            for i in range(n)
        ]
        t0 = time.perf_counter()
        rpc.batch(reqs)
        adds.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        rpc.batch([("ping", {}) for _ in range(n)])
        pings.append(time.perf_counter() - t0)
    add_s, ping_s = statistics.median(adds), statistics.median(pings)
    print(
        f"(a) {n} add_stream in one batch: {add_s * 1e3:.1f} ms "
        f"({add_s / n * 1e6:.0f} us/stream); reference {n} pings in one batch: "
        f"{ping_s * 1e3:.1f} ms; ratio {add_s / ping_s:.1f}"
    )
    rpc.call("remove_all_streams", handler=handler, port_id=0, profile_id="_")
    rpc.call(
        "add_stream",
        handler=handler,
        port_id=0,
        profile_id="_",
        stream_id=1,
        stream=stream(60, 1000.0),
    )
    idle_stats = round_trips(rpc, "get_port_stats", args.calls, port_id=0)
    idle_ping = round_trips(rpc, "ping", args.calls)
    rpc.call(
        "start_traffic",
        handler=handler,
        port_id=0,
        profile_id="_",
        mul={"type": "percentage", "value": 100.0, "op": "abs"},
        duration=-1,
        force=False,
        core_mask=2**64 - 1,
        start_at_ts=0,
    )
    time.sleep(1.5)
    busy_stats = round_trips(rpc, "get_port_stats", args.calls, port_id=0)
    busy_ping = round_trips(rpc, "ping", args.calls)
    tx = rpc.call("get_port_stats", port_id=0)
    rx = rpc.call("get_port_stats", port_id=1)
    rpc.call("stop_traffic", handler=handler, port_id=0, profile_id="_")
    print(
        f"    port 0 sending: tx {tx['m_total_tx_pps'] / 1e6:.2f} Mpps, "
        f"rx {rx['m_total_rx_pps'] / 1e6:.2f} Mpps (64-byte frames)"
    )
    for name, idle, busy in (
        ("get_port_stats", idle_stats, busy_stats),
        ("ping", idle_ping, busy_ping),
    ):
        print(
            f"(b) {name} round trip: idle p50 {pct(idle, 0.5):.0f} us p99 "
            f"{pct(idle, 0.99):.0f} us; sending p50 {pct(busy, 0.5):.0f} us p99 "
            f"{pct(busy, 0.99):.0f} us; ratio p50 "
            f"{pct(busy, 0.5) / pct(idle, 0.5):.1f} p99 "
            f"{pct(busy, 0.99) / pct(idle, 0.99):.1f}"
        )
    rpc.call("release", handler=handler, port_id=0)


if __name__ == "__main__":
    main()
