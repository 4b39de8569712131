"""App servers: asyncio TCP, TLS and UDP servers that run a flow program.

An :class:`AppServer` listens on one address and port and answers every connection
with its flow program: it reads each request (exactly its length), checks the bytes,
waits the server delay if any, and sends the response; after the last response it
closes (an HTTP step takes any HTTP request head instead, so real HTTP clients get
the response). It counts on its own side what happened, so the client's figures can
be cross-checked. A TLS server checks the SNI of every client against its
``server_name`` and refuses the handshake otherwise.

Servers also work alone, outside any case: build a
:class:`~wirespeed.stateful.case.ServerSpec` (or use :func:`make_server_spec`) and
``await AppServer(spec, certs=...).start()`` in any namespace, e.g. as the app server
that a probe or a device under test talks to.
"""

from __future__ import annotations

import asyncio
import ssl
import time
from collections.abc import Callable
from typing import Any, cast

from wirespeed.errors import PortError
from wirespeed.stateful.case import ServerSpec
from wirespeed.stateful.causes import FAILURES, PayloadMismatchError, cause_of
from wirespeed.stateful.flows import HTTP_REQUEST_LINE, FlowProgram, TransportKind
from wirespeed.stateful.results import ServerStats
from wirespeed.stateful.watchdog import Watchdog
from wirespeed.tlscerts import CertStore, server_context

__all__ = ["AppServer", "make_server_spec"]

Log = Callable[[str], None]
_LOG_FAILURES = 10


def make_server_spec(
    program: FlowProgram,
    *,
    ip: str,
    port: int,
    name: str = "server",
    server_name: str | None = None,
    timeout_s: float = 10.0,
) -> ServerSpec:
    """A server spec for a standalone server (TLS when ``server_name`` is given)."""
    return ServerSpec(
        name=name,
        host_key="",
        field=name,
        ip=ip,
        port=port,
        transport=program.transport,
        tls=server_name is not None,
        server_name=server_name,
        program=program,
        timeout_s=timeout_s,
        no_print=True,
    )


class AppServer:
    """One listening app server.

    Args:
        spec: what to listen on and which program to run.
        certs: where the certificate of ``spec.server_name`` is (TLS servers).
        log: where failure lines go when the spec's ``no_print`` is False.
    """

    def __init__(
        self,
        spec: ServerSpec,
        *,
        certs: CertStore | None = None,
        log: Log | None = None,
    ) -> None:
        self.spec = spec
        self.stats = ServerStats(label=spec.name)
        self._tls: ssl.SSLContext | None = None
        if spec.tls:
            if certs is None or spec.server_name is None:
                raise ValueError("a TLS server needs certificates and a server_name")
            self._tls = server_context(certs, spec.server_name, self.check_sni)
        self._log = log if (log is not None and not spec.no_print) else None
        self._server: asyncio.Server | None = None
        self._udp: asyncio.DatagramTransport | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self._watchdog = Watchdog(spec.timeout_s)
        self.port = spec.port

    def check_sni(self, sni: str | None) -> bool:
        """Count one client's SNI; True when it is this server's name."""
        if sni is not None and sni == self.spec.server_name:
            self.stats.sni_ok += 1
            return True
        self.stats.sni_mismatch += 1
        return False

    async def start(self) -> None:
        """Bind and listen.

        Raises:
            PortError: the address or port cannot be bound (in use, not local).
        """
        if not self.spec.listen:
            return  # a server that is down: the kernel refuses its connections
        loop = asyncio.get_running_loop()
        try:
            if self.spec.transport is TransportKind.UDP:
                transport, _ = await loop.create_datagram_endpoint(
                    lambda: _UdpServer(self),
                    local_addr=(self.spec.ip, self.spec.port),
                    reuse_port=False,
                )
                self._udp = transport
                sock = transport.get_extra_info("socket")
            else:
                self._server = await asyncio.start_server(
                    self._handle,
                    self.spec.ip,
                    self.spec.port,
                    backlog=4096,
                    reuse_address=True,
                )
                sock = self._server.sockets[0]
        except OSError as exc:
            raise PortError(
                f"{self.spec.field}.port: cannot listen on "
                f"{self.spec.ip}:{self.spec.port}/{self.spec.transport.value}: "
                f"{exc.strerror or exc}"
            ) from exc
        self.port = int(sock.getsockname()[1])
        self._watchdog.start()

    async def stop(self, grace_s: float = 5.0) -> ServerStats:
        """Stop listening, let open connections finish (up to ``grace_s``), return."""
        if self._server is not None:
            self._server.close()
        if self._udp is not None:
            self._udp.close()
        if self._tasks:
            _, pending = await asyncio.wait(set(self._tasks), timeout=grace_s)
            for task in pending:
                task.cancel()
            if pending:
                await asyncio.wait(pending)
        self._watchdog.close()
        return self.stats

    def _fail(self, cause: str, peer: object) -> None:
        self.stats.on_failure(cause)
        if self._log is not None and self.stats.failed <= _LOG_FAILURES:
            if isinstance(peer, asyncio.StreamWriter):
                peer = peer.get_extra_info("peername")
            self._log(
                f"server {self.spec.name}: connection from {peer} failed: {cause}"
            )

    async def _handle(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        stats = self.stats
        stats.accepted += 1
        peer = writer  # resolved to an address only if a failure is logged
        watchdog = self._watchdog
        watchdog.arm(task, time.monotonic_ns())
        phase = "tls"
        try:
            if self._tls is not None:
                t0 = time.monotonic_ns()
                await writer.start_tls(self._tls)
                stats.hists["tls_handshake"].record(time.monotonic_ns() - t0)
                stats.tls_established += 1
            phase = "io"
            await self._transactions(reader, writer, task)
            stats.completed += 1
        except asyncio.CancelledError:
            writer.transport.abort()
            self._fail(
                f"{phase}_timeout" if watchdog.expired(task) else "stopped", peer
            )
        except FAILURES as exc:
            if isinstance(exc, ssl.SSLError) and exc.reason == "CALLBACK_FAILED":
                self._fail("sni_mismatch", peer)  # our SNI check refused it
            else:
                self._fail(cause_of(exc, phase), peer)
            writer.transport.abort()
        else:
            writer.close()
        finally:
            watchdog.disarm(task)
            self._tasks.discard(task)

    async def _transactions(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        task: asyncio.Task[Any],
    ) -> None:
        stats = self.stats
        watchdog = self._watchdog
        transport = writer.transport
        for step in self.spec.program:
            watchdog.arm(task, time.monotonic_ns())
            try:
                if step.is_http_request:
                    data = await _read_http_head(reader)
                else:
                    data = await reader.readexactly(len(step.request))
            except asyncio.IncompleteReadError as exc:
                stats.bytes_rx += len(exc.partial)
                raise
            stats.bytes_rx += len(data)
            if step.is_http_request:
                if not HTTP_REQUEST_LINE.match(data):
                    raise PayloadMismatchError
            elif data != step.request:
                raise PayloadMismatchError
            if step.server_delay_s:
                watchdog.disarm(task)  # our own pause is not the peer's delay
                await asyncio.sleep(step.server_delay_s)
                watchdog.arm(task, time.monotonic_ns())
            writer.write(step.response)
            if transport.get_write_buffer_size():
                await writer.drain()
            stats.bytes_tx += len(step.response)
            stats.transactions += 1


async def _read_http_head(reader: asyncio.StreamReader) -> bytes:
    """An HTTP request head, up to and with the blank line (at most the limit)."""
    try:
        return await reader.readuntil(b"\r\n\r\n")
    except asyncio.LimitOverrunError as exc:  # no blank line within 64 KiB
        raise PayloadMismatchError from exc


class _UdpServer(asyncio.DatagramProtocol):
    def __init__(self, server: AppServer) -> None:
        self.server = server
        self.transport: asyncio.DatagramTransport | None = None
        step = next(iter(server.spec.program))
        self.request = step.request
        self.response = step.response
        self.delay_s = step.server_delay_s

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.DatagramTransport, transport)

    def datagram_received(self, data: bytes, addr: tuple[str | Any, int]) -> None:
        stats = self.server.stats
        stats.accepted += 1
        stats.bytes_rx += len(data)
        if data != self.request:
            self.server._fail("payload_mismatch", addr)
            return
        if self.delay_s:
            asyncio.get_running_loop().call_later(self.delay_s, self._answer, addr)
        else:
            self._answer(addr)

    def _answer(self, addr: tuple[str | Any, int]) -> None:
        if self.transport is None or self.transport.is_closing():
            self.server._fail("stopped", addr)
            return
        self.transport.sendto(self.response, addr)
        stats = self.server.stats
        stats.bytes_tx += len(self.response)
        stats.transactions += 1
        stats.completed += 1

    def error_received(self, exc: Exception) -> None:
        # An ICMP error about an answer already sent (the client went away).
        self.server.stats.icmp_errors += 1
