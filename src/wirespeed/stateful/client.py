"""App clients: open ``client_sum`` real connections to a server and run its program.

An :class:`AppClient` runs one client traffic entry: connections start on the
entry's schedule (a gap between starts, or a target rate), at most ``client_concur``
at a time; each one connects with a kernel TCP socket (asyncio), does the TLS
handshake with SNI = the server's ``server_name`` when TLS is on, runs every
transaction of the flow program checking each response byte for byte, and closes.
Every figure in :class:`~wirespeed.stateful.results.ClientStats` comes from these
sockets.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import ssl
import time
from collections.abc import Callable

from wirespeed.stateful.case import ClientSpec
from wirespeed.stateful.causes import FAILURES, PayloadMismatchError, cause_of
from wirespeed.stateful.flows import TransportKind
from wirespeed.stateful.results import ClientStats
from wirespeed.stateful.schedule import StartSchedule
from wirespeed.stateful.watchdog import Watchdog
from wirespeed.tlscerts import CertStore, client_context

__all__ = ["AppClient"]

Log = Callable[[str], None]
_LOG_FAILURES = 10


class AppClient:
    """One client traffic entry.

    Args:
        spec: the entry (its server, counts and pacing).
        certs: the run's certificates (the CA to trust), when the server is TLS.
        log: where failure lines go when the spec's ``no_print`` is False.
        port: the server port to use instead of ``spec.server.port`` (for servers
            bound to an ephemeral port).
    """

    def __init__(
        self,
        spec: ClientSpec,
        *,
        certs: CertStore | None = None,
        log: Log | None = None,
        port: int | None = None,
    ) -> None:
        self.spec = spec
        self.stats = ClientStats(label=spec.label, planned=spec.client_sum)
        self.finished = False
        self._tls: ssl.SSLContext | None = None
        if spec.server.tls:
            if certs is None:
                raise ValueError("a TLS server needs the run's certificates")
            self._tls = client_context(certs)
        self._log = log if (log is not None and not spec.no_print) else None
        self._addr = (spec.server.ip, port if port is not None else spec.server.port)
        self._stop = asyncio.Event()
        self._watchdog = Watchdog(spec.timeout_s)
        self._schedule = StartSchedule(0)
        self._next_index = 0
        self._last_start: int | None = None

    def stop(self) -> None:
        """Start no new connection (the running ones finish or time out)."""
        self._stop.set()

    async def run(self) -> ClientStats:
        """Run the entry to the end (or until :meth:`stop`) and return its stats.

        ``client_concur`` worker coroutines each take the next connection number,
        wait until the schedule allows it, and run it; so at most ``client_concur``
        connections are open, and in open loop a connection that had to wait for a
        free worker still counts its latency from when it was due.
        """
        spec = self.spec
        self._schedule = StartSchedule(
            time.monotonic_ns(), spec.client_cps, spec.client_delay_s
        )
        self._next_index = 0
        self._last_start = None
        self._watchdog.start()
        workers = [
            asyncio.create_task(self._worker())
            for _ in range(min(spec.client_concur, spec.client_sum))
        ]
        try:
            await asyncio.gather(*workers)
        finally:
            for task in workers:
                task.cancel()
            self._watchdog.close()
            self.finished = True
        return self.stats

    async def _worker(self) -> None:
        schedule = self._schedule
        while not self._stop.is_set() and self._next_index < self.spec.client_sum:
            index = self._next_index
            self._next_index += 1
            due = schedule.due_ns(index, self._last_start)
            now = time.monotonic_ns()
            if not schedule.is_open_loop:
                due = max(due, now)
                self._last_start = due  # reserved: the next start counts from here
            if due > now and await self._stopped_within((due - now) / 1e9):
                return
            start = time.monotonic_ns()
            await self._connection(due if schedule.is_open_loop else start, start)

    async def _stopped_within(self, wait_s: float) -> bool:
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(wait_s):
                await self._stop.wait()
        return self._stop.is_set()

    def _fail(self, cause: str, now_ns: int) -> None:
        self.stats.on_failure(cause, now_ns)
        if self._log is not None and self.stats.failed <= _LOG_FAILURES:
            self._log(f"client {self.spec.label}: connection failed: {cause}")

    async def _connection(self, intended_ns: int, start_ns: int) -> None:
        stats = self.stats
        stats.on_attempt(start_ns)
        task = asyncio.current_task()
        assert task is not None
        watchdog = self._watchdog
        watchdog.arm(task, start_ns)
        writer: asyncio.StreamWriter | None = None
        phase = "connect" if self.spec.server.transport is TransportKind.TCP else "io"
        try:
            if self.spec.server.transport is TransportKind.UDP:
                await self._udp_exchange(intended_ns)
                return
            reader, writer = await asyncio.open_connection(*self._addr)
            t_tcp = time.monotonic_ns()
            stats.hists["connect"].record(t_tcp - start_ns)
            if self._tls is not None:
                phase = "tls"
                watchdog.arm(task, t_tcp)
                await writer.start_tls(
                    self._tls, server_hostname=self.spec.server.server_name
                )
                stats.hists["tls_handshake"].record(time.monotonic_ns() - t_tcp)
            stats.established += 1
            phase = "io"
            late_ns = max(0, start_ns - intended_ns)
            await self._transactions(reader, writer, late_ns, task)
            now = time.monotonic_ns()
            stats.hists["connection"].record(now - intended_ns)
            stats.on_complete(now)
        except FAILURES as exc:
            self._fail(cause_of(exc, phase), time.monotonic_ns())
            if writer is not None:
                writer.transport.abort()
        except asyncio.CancelledError:
            if writer is not None:
                writer.transport.abort()
            if watchdog.expired(task):
                self._fail(f"{phase}_timeout", time.monotonic_ns())
            else:
                self._fail("stopped", time.monotonic_ns())
                raise
        else:
            if writer is not None:
                writer.close()
        finally:
            watchdog.disarm(task)

    async def _transactions(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        late_ns: int,
        task: asyncio.Task[None],
    ) -> None:
        """Run the program; ``late_ns``: how late the connection started (open loop)."""
        stats = self.stats
        watchdog = self._watchdog
        first = True
        transport = writer.transport
        for step in self.spec.server.program:
            t_send = time.monotonic_ns()
            watchdog.arm(task, t_send)
            writer.write(step.request)
            if transport.get_write_buffer_size():
                await writer.drain()  # only when the kernel did not take it all
            stats.bytes_tx += len(step.request)
            try:
                data = await reader.readexactly(len(step.response))
            except asyncio.IncompleteReadError as exc:
                stats.bytes_rx += len(exc.partial)
                raise
            stats.bytes_rx += len(data)
            if data != step.response:
                raise PayloadMismatchError
            # The first transaction of an open-loop connection also counts how late
            # the connection started (its request was that late): a stalled server
            # shows as latency, not as a generator that slowed down with it.
            ref = t_send - late_ns if first else t_send
            stats.hists["transaction"].record(time.monotonic_ns() - ref)
            stats.transactions += 1
            first = False
            if step.client_delay_s:
                watchdog.disarm(task)  # think time is not an I/O wait
                await asyncio.sleep(step.client_delay_s)

    async def _udp_exchange(self, intended_ns: int) -> None:
        stats = self.stats
        step = next(iter(self.spec.server.program))
        loop = asyncio.get_running_loop()
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            sock.setblocking(False)
            sock.connect(self._addr)
            stats.established += 1
            await loop.sock_sendall(sock, step.request)
            stats.bytes_tx += len(step.request)
            data = await loop.sock_recv(sock, 65536)
        stats.bytes_rx += len(data)
        if data != step.response:
            raise PayloadMismatchError
        now = time.monotonic_ns()
        stats.hists["transaction"].record(now - intended_ns)
        stats.hists["connection"].record(now - intended_ns)
        stats.transactions += 1
        stats.on_complete(now)
