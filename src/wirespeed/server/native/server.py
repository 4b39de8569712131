"""The native RPC over ZeroMQ: a ROUTER socket, so that many clients are served at
once.

One thread moves messages: each request goes to a pool of workers (a call may
wait, e.g. for a ping's replies, without holding up other clients), and each
answer comes back through an in-process socket and goes out to the client it
answers. Another thread closes the sessions whose clients went silent.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable

import zmq

from wirespeed.errors import PortError
from wirespeed.server.native.handler import NativeHandler
from wirespeed.service import Tester

__all__ = ["DEFAULT_NATIVE_PORT", "NativeServer"]

_log = logging.getLogger("wirespeed.server.native")

DEFAULT_NATIVE_PORT = 4510
_POLL_MS = 200
_REAP_S = 0.5
_MAX_MESSAGE_BYTES = 256 * 1024 * 1024

_Frames = list[bytes]


class NativeServer:
    """wirespeed's native RPC for one tester (``Chassis.connect`` is its client).

    Args:
        tester: the in-process tester service.
        bind: the address to listen on (``127.0.0.1`` by default).
        port: the TCP port (0: any free port; :attr:`port` holds it after
            :meth:`start`).
        workers: how many requests are served at the same time.
        clock: seconds, monotonic (sessions' idle times).
    """

    def __init__(
        self,
        tester: Tester,
        bind: str = "127.0.0.1",
        port: int = DEFAULT_NATIVE_PORT,
        *,
        workers: int = 16,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.bind = bind
        self.port = port
        self.handler = NativeHandler(tester, clock=clock)
        self._workers = workers
        self._ctx: zmq.Context[zmq.Socket[bytes]] | None = None
        self._push: zmq.Socket[bytes] | None = None
        self._push_lock = threading.Lock()
        self._requests: queue.Queue[tuple[_Frames, bytes] | None] = queue.Queue()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    @property
    def url(self) -> str:
        """``tcp://address:port``."""
        host = f"[{self.bind}]" if ":" in self.bind else self.bind
        return f"tcp://{host}:{self.port}"

    def __enter__(self) -> NativeServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def start(self) -> None:
        """Bind and start serving.

        Raises:
            PortError: the address is in use or cannot be bound.
        """
        ctx: zmq.Context[zmq.Socket[bytes]] = zmq.Context()
        router = ctx.socket(zmq.ROUTER)
        router.setsockopt(zmq.LINGER, 0)
        router.setsockopt(zmq.MAXMSGSIZE, _MAX_MESSAGE_BYTES)
        if ":" in self.bind:
            router.setsockopt(zmq.IPV6, 1)
        host = f"tcp://[{self.bind}]" if ":" in self.bind else f"tcp://{self.bind}"
        try:
            if self.port == 0:
                self.port = int(router.bind_to_random_port(host))
            else:
                router.bind(f"{host}:{self.port}")
        except zmq.ZMQError as exc:
            router.close()
            ctx.term()
            raise PortError(f"cannot listen on {self.url}: {exc}") from exc
        answers = ctx.socket(zmq.PULL)
        inproc = f"inproc://wirespeed-native-{id(self):x}"
        answers.bind(inproc)
        self._push = ctx.socket(zmq.PUSH)
        self._push.setsockopt(zmq.LINGER, 0)
        self._push.connect(inproc)
        self._ctx = ctx
        loop = threading.Thread(
            target=self._loop, args=(router, answers), name="native-rpc", daemon=True
        )
        workers = [
            threading.Thread(target=self._work, name=f"native-rpc-{i}", daemon=True)
            for i in range(self._workers)
        ]
        reaper = threading.Thread(target=self._reap, name="native-reap", daemon=True)
        self._threads = [loop, reaper, *workers]
        for t in self._threads:
            t.start()
        _log.info("native RPC on %s", self.url)

    def close(self) -> None:
        """Stop serving (sessions end; the tester's reservations stay as they
        are for the daemon's own shutdown)."""
        if self._ctx is None:
            return
        self._stop.set()
        for _ in range(self._workers):
            self._requests.put(None)
        for t in self._threads:
            t.join(timeout=2.0)  # a worker in a long call is left to finish
        with self._push_lock:
            assert self._push is not None
            self._push.close()
            self._push = None
        self._ctx.term()
        self._ctx = None
        self.handler.close()

    def _loop(self, router: zmq.Socket[bytes], answers: zmq.Socket[bytes]) -> None:
        poller = zmq.Poller()
        poller.register(router, zmq.POLLIN)
        poller.register(answers, zmq.POLLIN)
        try:
            while not self._stop.is_set():
                ready = dict(poller.poll(_POLL_MS))
                if router in ready:
                    frames = router.recv_multipart()
                    self._requests.put((frames[:-1], frames[-1]))
                if answers in ready:
                    router.send_multipart(answers.recv_multipart())
        finally:
            router.close()
            answers.close()

    def _work(self) -> None:
        while (item := self._requests.get()) is not None:
            envelope, payload = item
            answer = self.handler.handle(payload)
            with self._push_lock:
                if self._push is not None:
                    self._push.send_multipart([*envelope, answer])

    def _reap(self) -> None:
        while not self._stop.wait(_REAP_S):
            try:
                self.handler.expire()
            except Exception:  # the tester refused: said, and tried again later
                _log.exception("native RPC: closing idle sessions failed")
