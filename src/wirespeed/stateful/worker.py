"""One worker process per host: it enters the host's namespace and runs its asyncio
servers or clients there.

:func:`spawn_worker` starts a fresh interpreter (``python -c``, so a caller's script
without a ``__main__`` guard is never re-imported) with one end of a socket pair; the
orchestrator sends the :class:`HostJob` first, then talks to the worker with small
pickled tuples. Every message the worker sends answers one command, so nothing piles
up while nobody reads:

=================  ==========================================================
command            answer
=================  ==========================================================
(start-up)         ``("ready", {server: port})`` or ``("error", kind, text)``
(the job)          ``("ready", ...)`` as above
``("start",)``     ``("started",)``: the client entries begin
``("poll",)``      ``("snapshot", snap)``: live counters, ``snap["finished"]``
``("stop", g)``    ``("final", snap)``: clients stopped, in-flight connections
                   given ``g`` seconds, servers closed after them
=================  ==========================================================

A worker dies with its parent (``PR_SET_PDEATHSIG``) and also stops when the pipe
reaches end of file, so a killed orchestrator leaves no traffic running; Ctrl-C goes
to the orchestrator only (the worker ignores SIGINT and waits for ``stop``).
"""

from __future__ import annotations

import asyncio
import ctypes
import ctypes.util
import logging
import os
import signal
import socket
import subprocess
import sys
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import wirespeed
from wirespeed.dataplane.netns import in_netns
from wirespeed.errors import WirespeedError
from wirespeed.stateful.case import ClientSpec, ServerSpec
from wirespeed.stateful.client import AppClient
from wirespeed.stateful.server import AppServer
from wirespeed.tlscerts import CertStore

__all__ = ["HostJob", "child_main", "spawn_worker", "worker_main"]

_PR_SET_PDEATHSIG = 1


@dataclass(frozen=True)
class HostJob:
    """What one worker runs.

    Attributes:
        host_key: the host's key (``s1``, ``c2``), used in log lines.
        netns: the namespace to enter (None: stay where the process is).
        servers: the servers to start.
        clients: the client entries to run on ``start``.
        tls_dir: the :class:`~wirespeed.tlscerts.CertStore` directory.
        ports: server ports to use instead of the specs' (for ephemeral ports).
    """

    host_key: str
    netns: str | None
    servers: tuple[ServerSpec, ...] = ()
    clients: tuple[ClientSpec, ...] = ()
    tls_dir: str | None = None
    ports: tuple[tuple[str, int], ...] = ()


def _die_with_parent() -> None:
    libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)


def spawn_worker(job: HostJob) -> tuple[subprocess.Popen[bytes], Connection]:
    """Start a worker process for ``job``; returns it and the orchestrator's end."""
    ours, theirs = socket.socketpair()
    src = str(Path(wirespeed.__file__).resolve().parents[1])
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [src, env.get("PYTHONPATH")]))
    code = "from wirespeed.stateful.worker import child_main; child_main()"
    try:
        proc = subprocess.Popen(
            [sys.executable, "-c", code, str(theirs.fileno())],
            pass_fds=[theirs.fileno()],
            env=env,
            stdin=subprocess.DEVNULL,
        )
    finally:
        theirs.close()
    conn = Connection(ours.detach())
    conn.send(job)
    return proc, conn


def child_main() -> None:
    """Entry point of a worker interpreter (argv[1]: the socket's fd)."""
    conn = Connection(int(sys.argv[1]))
    job = conn.recv()
    assert isinstance(job, HostJob)
    worker_main(conn, job)


def worker_main(conn: Connection, job: HostJob) -> None:
    """The worker process's entry point."""
    _die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # asyncio warns about every TLS stream that the peer closes; those are normal here.
    logging.getLogger("asyncio").setLevel(logging.ERROR)
    try:
        with in_netns(job.netns):
            asyncio.run(_Worker(conn, job).main())
    except WirespeedError as exc:
        conn.send(("error", type(exc).__name__, str(exc)))
    finally:
        conn.close()


class _Worker:
    def __init__(self, conn: Connection, job: HostJob) -> None:
        self.conn = conn
        self.job = job
        self.servers: list[AppServer] = []
        self.clients: list[AppClient] = []
        self.runs: list[asyncio.Task[Any]] = []
        self.commands: asyncio.Queue[tuple[Any, ...]] = asyncio.Queue()

    def log(self, line: str) -> None:
        print(f"[{self.job.host_key}] {line}", file=sys.stderr, flush=True)

    async def main(self) -> None:
        job = self.job
        store = CertStore(Path(job.tls_dir)) if job.tls_dir else None
        for spec in job.servers:
            server = AppServer(spec, certs=store, log=self.log)
            await server.start()
            self.servers.append(server)
        ports = dict(job.ports)
        for cspec in job.clients:
            port = ports.get(cspec.server.name)
            self.clients.append(AppClient(cspec, certs=store, log=self.log, port=port))
        self.conn.send(("ready", {s.spec.name: s.port for s in self.servers}))
        loop = asyncio.get_running_loop()
        loop.add_reader(self.conn.fileno(), self._on_readable)
        try:
            await self._serve_commands()
        finally:
            loop.remove_reader(self.conn.fileno())

    def _on_readable(self) -> None:
        try:
            self.commands.put_nowait(self.conn.recv())
        except EOFError:
            asyncio.get_running_loop().remove_reader(self.conn.fileno())
            self.commands.put_nowait(("eof",))

    async def _serve_commands(self) -> None:
        while True:
            cmd = await self.commands.get()
            if cmd[0] == "start":
                self.runs = [asyncio.create_task(c.run()) for c in self.clients]
                self.conn.send(("started",))
            elif cmd[0] == "poll":
                self.conn.send(("snapshot", self.snapshot()))
            elif cmd[0] in ("stop", "eof"):
                grace_s = float(cmd[1]) if cmd[0] == "stop" else 1.0
                await self._stop(grace_s)
                if cmd[0] == "stop":
                    self.conn.send(("final", self.snapshot()))
                return

    async def _stop(self, grace_s: float) -> None:
        for client in self.clients:
            client.stop()
        if self.runs:
            _, pending = await asyncio.wait(self.runs, timeout=grace_s)
            for task in pending:
                task.cancel()
            if pending:
                await asyncio.wait(pending)
        for server in self.servers:
            await server.stop(grace_s)

    def snapshot(self) -> dict[str, Any]:
        return {
            "host": self.job.host_key,
            "finished": bool(self.runs) and all(c.finished for c in self.clients),
            "clients": {c.spec.label: c.stats.to_dict() for c in self.clients},
            "servers": {s.spec.name: s.stats.to_dict() for s in self.servers},
        }
