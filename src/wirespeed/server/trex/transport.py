"""The ZeroMQ side: a REP socket answering RPCs and a PUB socket sending triggers.

The REP thread answers one request at a time (ZeroMQ fair-queues many clients).
The PUB thread sends the 2-byte trigger ``{}`` whenever events are queued, on
``publish_now``, and every half second, which is what makes the TRex client fetch
its events with ``get_async_events``.
"""

from __future__ import annotations

import logging
import threading
import time

import zmq

from wirespeed.errors import PortError
from wirespeed.server.trex.dispatch import Dispatcher
from wirespeed.server.trex.frontend import TrexFrontEnd
from wirespeed.server.trex.methods import build_method_table
from wirespeed.service import Tester

__all__ = ["DEFAULT_PUB_PORT", "DEFAULT_RPC_PORT", "TRIGGER", "TrexRpcServer"]

_log = logging.getLogger(__name__)

DEFAULT_RPC_PORT = 4501
DEFAULT_PUB_PORT = 4500
#: The only PUB payload the TRex client acts on.
TRIGGER = b"{}"
_POLL_MS = 100
_PUBLISH_INTERVAL_S = 0.5
#: How long close() keeps answering so clients can fetch the "server stopped" event.
_DRAIN_S = 0.5


class TrexRpcServer:
    """TRex JSON-RPC 2.0 over ZeroMQ for one tester.

    Args:
        tester: the in-process tester service.
        bind: the address to listen on (``127.0.0.1`` by default).
        rpc_port: the REP port (TRex's ``sync_port``); 0 picks a free port.
        pub_port: the PUB port (TRex's ``async_port``); 0 picks a free port.

    Use :meth:`start` then :meth:`close` (or a ``with`` block). After :meth:`start`,
    :attr:`rpc_port` and :attr:`pub_port` hold the bound ports.
    """

    def __init__(
        self,
        tester: Tester,
        bind: str = "127.0.0.1",
        rpc_port: int = DEFAULT_RPC_PORT,
        pub_port: int = DEFAULT_PUB_PORT,
    ) -> None:
        self.bind = bind
        self.rpc_port = rpc_port
        self.pub_port = pub_port
        self.frontend = TrexFrontEnd(tester)
        self.dispatcher = Dispatcher(self.frontend, build_method_table())
        self._ctx: zmq.Context[zmq.Socket[bytes]] | None = None
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._threads: list[threading.Thread] = []
        self.frontend.hub.on_post = self._wake.set

    def __enter__(self) -> TrexRpcServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def start(self) -> None:
        """Bind both sockets and start the serving threads.

        Raises:
            PortError: an address is in use or cannot be bound.
        """
        self._ctx = zmq.Context()
        rep = self._ctx.socket(zmq.REP)
        pub = self._ctx.socket(zmq.PUB)
        for sock in (rep, pub):
            sock.setsockopt(zmq.LINGER, 0)
        rep.setsockopt(zmq.MAXMSGSIZE, 256 * 1024 * 1024)
        try:
            self.rpc_port = self._bind(rep, self.rpc_port)
            self.pub_port = self._bind(pub, self.pub_port)
        except zmq.ZMQError as exc:
            rep.close()
            pub.close()
            self._ctx.term()
            self._ctx = None
            raise PortError(
                f"cannot listen on {self.bind} ports {self.rpc_port}/{self.pub_port}:"
                f" {exc}"
            ) from exc
        self._threads = [
            threading.Thread(
                target=self._serve, args=(rep,), name="trex-rpc", daemon=True
            ),
            threading.Thread(
                target=self._publish, args=(pub,), name="trex-pub", daemon=True
            ),
        ]
        for thread in self._threads:
            thread.start()

    def _bind(self, sock: zmq.Socket[bytes], port: int) -> int:
        if port == 0:
            return int(sock.bind_to_random_port(f"tcp://{self.bind}"))
        sock.bind(f"tcp://{self.bind}:{port}")
        return port

    def close(self) -> None:
        """Tell clients the server stops (event 100), then stop the threads."""
        if self._ctx is None:
            return
        self.frontend.close()
        deadline = time.monotonic() + _DRAIN_S
        while self.frontend.hub.pending_count() and time.monotonic() < deadline:
            time.sleep(0.02)
        self._wake.set()
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=5.0)
        self._ctx.term()
        self._ctx = None

    def _serve(self, rep: zmq.Socket[bytes]) -> None:
        poller = zmq.Poller()
        poller.register(rep, zmq.POLLIN)
        try:
            while not self._stop.is_set():
                if not poller.poll(_POLL_MS):
                    continue
                frames = rep.recv_multipart()
                reply = self.dispatcher.handle(b"".join(frames))
                rep.send(reply)
        finally:
            rep.close()

    def _publish(self, pub: zmq.Socket[bytes]) -> None:
        try:
            while True:
                self._wake.wait(_PUBLISH_INTERVAL_S)
                self._wake.clear()
                pub.send(TRIGGER)
                if self._stop.is_set():
                    return
        finally:
            pub.close()
