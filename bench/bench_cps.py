#!/usr/bin/env python3
"""Connections/s and TLS handshakes/s of wirespeed app traffic vs a plain asyncio reference.

    python bench/bench_cps.py [--duration 5] [--concurrency 64]

Builds the seed's demo topology once (client host -- bridge -- router namespace --
bridge -- server host, all in namespaces, 198.18.x), then on those same namespaces:

  TCP:  ../shared/bench/cps.py (plain asyncio: connect, one small request, reply,
        server closes) -- wirespeed with the same request/response bytes -- cps.py again
  TLS:  the same reference with TLS 1.3 (same certificate, ECDSA P-256, SNI) --
        wirespeed TLS -- the reference again

and prints absolute connections per second, wirespeed's ratio to the mean of the two
reference runs around it, and the CPU time each side (client process, server process)
spent per completed connection: on a shared machine the rates move with other load,
the CPU per connection much less. wirespeed counts only connections that completed the
whole program with every byte checked, and does per-connection histograms; the
reference counts a connection when its reply ends with "ok".
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import ssl
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
sys.path.insert(0, str(REPO / "src"))

from wirespeed.stateful.case import parse_case  # noqa: E402
from wirespeed.stateful.fabric import build_fabric  # noqa: E402
from wirespeed.stateful.plan import plan_topology  # noqa: E402
from wirespeed.stateful.results import ClientStats  # noqa: E402
from wirespeed.stateful.worker import HostJob, spawn_worker  # noqa: E402
from wirespeed.tlscerts import CertStore  # noqa: E402
from wirespeed.topology.netns import Lab  # noqa: E402

REQ = "GET / HTTP/1.0\r\n\r\n"  # as in cps.py
RESP = "HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok"
SNI = "bench.wirespeed.test"
SERVER_IP, CLIENT_IP = "198.18.25.110", "198.18.24.110"
TCP_PORT, TLS_PORT = 8080, 8443


def _case(concurrency: int) -> Any:
    tp_s = {"to_bridge": "wsbr25", "gw": "198.18.25.16", "ip": f"{SERVER_IP}/24"}
    tp_c = {"to_bridge": "wsbr24", "gw": "198.18.24.15", "ip": f"{CLIENT_IP}/24"}
    big = 100_000_000
    raw = {
        "flows": {"cps": {"transactions": [{"client": REQ, "server": RESP}]}},
        "servers": [
            {
                "talk_point": tp_s,
                "traffic": [
                    {
                        "name": "tcp",
                        "ip": SERVER_IP,
                        "port": TCP_PORT,
                        "flow_mode": "cps",
                        "no_print": True,
                    },
                    {
                        "name": "tls",
                        "ip": SERVER_IP,
                        "port": TLS_PORT,
                        "flow_mode": "cps",
                        "ssl": True,
                        "server_name": SNI,
                        "no_print": True,
                    },
                ],
            }
        ],
        "clients": [
            {
                "talk_point": tp_c,
                "traffic": [
                    {
                        "s_name": "tcp",
                        "client_sum": big,
                        "client_concur": concurrency,
                        "no_print": True,
                    },
                    {
                        "s_name": "tls",
                        "client_sum": big,
                        "client_concur": concurrency,
                        "no_print": True,
                    },
                ],
            }
        ],
    }
    return parse_case(raw, name="bench")


# -- the TLS reference: plain asyncio, same shape as cps.py ------------------------------
async def _ref_tls_server(ip: str, port: int, secs: float, cert: str, key: str) -> None:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)

    async def handle(r: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
        try:
            await r.readuntil(b"\r\n\r\n")
            w.write(RESP.encode())
            await w.drain()
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            pass
        w.close()

    srv = await asyncio.start_server(
        handle, ip, port, ssl=ctx, backlog=4096, reuse_address=True
    )
    print("READY", flush=True)
    await asyncio.sleep(secs)
    srv.close()


async def _ref_tls_client(ip: str, port: int, secs: float, conc: int, ca: str) -> None:
    ctx = ssl.create_default_context(cafile=ca)
    n = errs = 0
    end = time.perf_counter() + secs

    async def worker() -> None:
        nonlocal n, errs
        while time.perf_counter() < end:
            try:
                r, w = await asyncio.open_connection(
                    ip, port, ssl=ctx, server_hostname=SNI
                )
                w.write(REQ.encode())
                d = await r.read()
                w.close()
                if d.endswith(b"ok"):
                    n += 1
                else:
                    errs += 1
            except (OSError, ssl.SSLError):
                errs += 1

    t0 = time.perf_counter()
    await asyncio.gather(*[worker() for _ in range(conc)])
    print(f"CONNS {n} ELAPSED {time.perf_counter() - t0:.6f} ERRS {errs}", flush=True)


def _ref_main(argv: list[str]) -> None:
    import logging

    logging.getLogger("asyncio").setLevel(logging.CRITICAL)
    role, ip, port, secs = argv[0], argv[1], int(argv[2]), float(argv[3])
    if role == "server":
        asyncio.run(_ref_tls_server(ip, port, secs, argv[4], argv[5]))
    else:
        asyncio.run(_ref_tls_client(ip, port, secs, int(argv[4]), argv[5]))


# -- running the two sides ------------------------------------------------------------
def _in_ns(ns: str, args: list[str]) -> list[str]:
    return ["ip", "netns", "exec", ns, *args]


def _proc_cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _children_cpu_s() -> float:
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def _reference(
    srv_ns: str, cli_ns: str, tls: bool, secs: float, conc: int, certs: CertStore
) -> tuple[float, int, int, float, float]:
    py = sys.executable
    if tls:
        cert, key = (str(p) for p in certs.paths(SNI))
        me = str(Path(__file__).resolve())
        s_args = [
            py,
            me,
            "_ref",
            "server",
            SERVER_IP,
            str(TLS_PORT + 1),
            str(secs + 30),
            cert,
            key,
        ]
        c_args = [
            py,
            me,
            "_ref",
            "client",
            SERVER_IP,
            str(TLS_PORT + 1),
            str(secs),
            str(conc),
            str(certs.ca_path),
        ]
    else:
        cps = str(SHARED / "bench" / "cps.py")
        s_args = [py, cps, "server", SERVER_IP, str(TCP_PORT + 1), str(secs + 30)]
        c_args = [py, cps, "client", SERVER_IP, str(TCP_PORT + 1), str(secs), str(conc)]
    with subprocess.Popen(
        _in_ns(srv_ns, s_args), stdout=subprocess.PIPE, text=True
    ) as srv:
        assert srv.stdout is not None
        if srv.stdout.readline().strip() != "READY":
            raise RuntimeError("reference server did not start")
        cpu0, srv_cpu0 = _children_cpu_s(), _proc_cpu_s(srv.pid)
        out = subprocess.run(
            _in_ns(cli_ns, c_args),
            capture_output=True,
            text=True,
            timeout=secs + 60,
            check=True,
        ).stdout.split()
        cli_cpu, srv_cpu = _children_cpu_s() - cpu0, _proc_cpu_s(srv.pid) - srv_cpu0
        srv.kill()  # our own child
    conns, elapsed, errs = int(out[1]), float(out[3]), int(out[5])
    return conns / elapsed, conns, errs, cli_cpu, srv_cpu


def _wirespeed(
    jobs: dict[str, Any], label: str, secs: float, server_pid: int
) -> tuple[float, ClientStats, float, float]:
    cpu0, srv_cpu0 = _children_cpu_s(), _proc_cpu_s(server_pid)
    proc, conn = spawn_worker(jobs[label])
    try:
        conn.recv()  # ready
        conn.send(("start",))
        conn.recv()
        time.sleep(secs)
        conn.send(("stop", 5.0))
        snap = conn.recv()[1]
    finally:
        conn.close()
        proc.wait(timeout=30)
    srv_cpu = _proc_cpu_s(server_pid) - srv_cpu0
    stats = ClientStats.from_dict(next(iter(snap["clients"].values())))
    rate = stats.completed / (stats.elapsed_ns / 1e9)
    return rate, stats, _children_cpu_s() - cpu0, srv_cpu


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--duration", type=float, default=5.0)
    ap.add_argument("--concurrency", type=int, default=64)
    ap.add_argument("--reps", type=int, default=1, help="ref/wirespeed/ref rounds")
    args = ap.parse_args()
    if os.geteuid() != 0:
        sys.exit("needs root (network namespaces)")
    case = _case(args.concurrency)
    certs = CertStore.create([SNI])
    try:
        with Lab("wsb") as lab:
            plan = plan_topology(case, {}, root_prefix=lab.lab_id)
            fabric = build_fabric(lab, plan)
            srv_ns, cli_ns = fabric.host_ns["s1"], fabric.host_ns["c1"]
            server_job = HostJob(
                "s1", srv_ns, servers=case.servers, tls_dir=str(certs.directory)
            )
            jobs = {
                c.server.name: HostJob(
                    "c1", cli_ns, clients=(c,), tls_dir=str(certs.directory)
                )
                for c in case.clients
            }
            sproc, sconn = spawn_worker(server_job)
            try:
                sconn.recv()  # ready
                rows = []
                for _rep in range(args.reps):
                    for name, tls in (("tcp", False), ("tls", True)):
                        ref1 = _reference(
                            srv_ns, cli_ns, tls, args.duration, args.concurrency, certs
                        )
                        ours, stats, c_cpu, s_cpu = _wirespeed(
                            jobs, name, args.duration, sproc.pid
                        )
                        ref2 = _reference(
                            srv_ns, cli_ns, tls, args.duration, args.concurrency, certs
                        )
                        rows.append((name, ref1, ours, stats, ref2, c_cpu, s_cpu))
                sconn.send(("stop", 5.0))
                server_snap = sconn.recv()[1]
            finally:
                sconn.close()
                sproc.wait(timeout=30)
    finally:
        certs.remove()
    print(
        f"# wirespeed app traffic, connections/s over the demo topology "
        f"(duration {args.duration:g} s, concurrency {args.concurrency}, 2 hosts + router)"
    )
    print(
        "| test | reference before | wirespeed | reference after | ratio "
        "| CPU ms/conn client: ref / ws | server: ref / ws | ws failed |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for name, ref1, ours, stats, ref2, c_cpu, s_cpu in rows:
        ref = (ref1[0] + ref2[0]) / 2
        what = "TCP conn/s" if name == "tcp" else "TLS handshakes/s (full conns)"
        ref_c = (ref1[3] + ref2[3]) * 1e3 / (ref1[1] + ref2[1])
        ref_s = (ref1[4] + ref2[4]) * 1e3 / (ref1[1] + ref2[1])
        n = max(stats.completed, 1)
        print(
            f"| {what} | {ref1[0]:,.0f} | {ours:,.0f} | {ref2[0]:,.0f} | "
            f"{ours / ref:.2f} | {ref_c:.3f} / {c_cpu * 1e3 / n:.3f} | "
            f"{ref_s:.3f} / {s_cpu * 1e3 / n:.3f} | {stats.failed} |"
        )
    for name in ("tcp", "tls"):
        ratios = sorted(r[2] / ((r[1][0] + r[4][0]) / 2) for r in rows if r[0] == name)
        print(
            f"median ratio {name}: {ratios[len(ratios) // 2]:.2f} over {len(ratios)} rep(s)"
        )
    for name in ("tcp", "tls"):
        s = server_snap["servers"][name]
        print(
            f"server {name}: accepted {s['accepted']} completed {s['completed']} "
            f"failed {s['failed']} sni_ok {s['sni_ok']}"
        )
    for name, ref1, _ours, stats, ref2, *_cpu in rows:
        lat = stats.summary()["latency"]
        parts = [
            f"{k} p50 {v.get('p50_ms', 0)} ms p99 {v.get('p99_ms', 0)} ms"
            for k, v in lat.items()
            if v["count"]
        ]
        print(
            f"wirespeed {name}: completed {stats.completed} in "
            f"{stats.elapsed_ns / 1e9:.2f} s; reference errors {ref1[2]}/{ref2[2]}; "
            + "; ".join(parts)
        )


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "_ref":
        _ref_main(sys.argv[2:])
    else:
        main()
