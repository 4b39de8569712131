"""A TCP server running its own asyncio loop in a thread (start/close from anywhere)."""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Coroutine
from typing import Any

from wirespeed.errors import PortError

__all__ = ["LoopThreadServer"]

log = logging.getLogger("wirespeed.xena")


class LoopThreadServer:
    """Base of the XOA and CLI servers: bind, serve connections, shut down cleanly.

    Args:
        bind: address to listen on.
        port: TCP port (0 picks a free one; see :attr:`port`).
        name: thread name, for the log.
        line_limit: stream reader buffer limit in bytes.
    """

    def __init__(
        self, bind: str, port: int, name: str, line_limit: int = 2**16
    ) -> None:
        self.bind = bind
        self._port = port
        self._name = name
        self._limit = line_limit
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def port(self) -> int:
        """The TCP port actually listened on (after :meth:`start`)."""
        return self._port

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        """The server's event loop (after :meth:`start`)."""
        assert self._loop is not None
        return self._loop

    def start(self) -> None:
        """Start listening; returns once the socket is bound.

        Raises:
            PortError: the address could not be bound.
        """
        if self._thread is not None:
            return
        self._ready.clear()
        self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
        self._thread.start()
        self._ready.wait()
        if self._error is not None:
            self._thread.join()
            self._thread = None
            err = self._error
            raise PortError(
                f"cannot listen on {self.bind}:{self._port}: {err}"
            ) from err

    def close(self) -> None:
        """Close every connection and stop listening."""
        thread, self._thread = self._thread, None
        if thread is None:
            return
        loop, stop = self._loop, self._stop
        if loop is not None and stop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(stop.set)
        thread.join(timeout=10)

    def _run(self) -> None:
        asyncio.run(self._main())

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        try:
            server = await asyncio.start_server(
                self._accept, self.bind, self._port, limit=self._limit
            )
        except OSError as exc:
            self._error = exc
            self._ready.set()
            return
        self._port = server.sockets[0].getsockname()[1]
        log.info("%s listening on %s:%d", self._name, self.bind, self._port)
        self._ready.set()
        await self._stop.wait()
        server.close()
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        await server.wait_closed()

    async def _accept(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        peer = writer.get_extra_info("peername")
        try:
            await self.serve(reader, writer, f"{peer[0]}:{peer[1]}" if peer else "?")
        except (ConnectionError, asyncio.IncompleteReadError):
            pass  # the client went away; nothing to answer
        finally:
            self._tasks.discard(task)
            writer.close()
            try:
                await writer.wait_closed()
            except (ConnectionError, asyncio.CancelledError):
                log.debug("%s: connection %s closed abruptly", self._name, peer)

    def serve(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, peer: str
    ) -> Coroutine[Any, Any, None]:
        """Serve one connection (implemented by the subclasses)."""
        raise NotImplementedError
