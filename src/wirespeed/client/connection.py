"""One session on a daemon's native RPC: a ZeroMQ DEALER socket per calling
thread (so that threads call at the same time: one waiting for a port to go idle
does not hold up another reading statistics), and a thread that keeps the session
alive while the program is quiet.

Each call is answered or raises: the server's error as the same class of
:mod:`wirespeed.errors` (same message and attributes), or
:class:`~wirespeed.errors.RpcTimeout` naming the server when it does not answer.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import threading
import time
from typing import Any

import zmq

from wirespeed.errors import ConfigError, RpcTimeout, StateError, WirespeedError
from wirespeed.service import WIRE_TYPES
from wirespeed.wire import Request, decode_response, encode_request

__all__ = ["DEFAULT_PORT", "RpcConnection", "parse_address"]

_log = logging.getLogger("wirespeed.client")

DEFAULT_PORT = 4510
"""The daemon's native RPC port (``wirespeed server --native-port``)."""


def parse_address(address: str) -> tuple[str, int]:
    """``host``, ``host:port``, ``[v6]:port`` or a bare IPv6 address.

    Raises:
        ConfigError: no host, or a port that is not 1..65535.
    """
    host, port = address.strip(), str(DEFAULT_PORT)
    if host.startswith("["):
        host, _, rest = host[1:].partition("]")
        if rest:
            port = rest.removeprefix(":")
    elif host.count(":") == 1:
        host, port = host.split(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ConfigError(f"not host[:port]: {address!r}", field="address")
    return host, int(port)


class RpcConnection:
    """Calls to one daemon, in one session.

    Args:
        address: ``host[:port]`` (port 4510 by default).
        timeout_s: how long a call may go unanswered (plus what the call itself
            waits, e.g. a ping's replies).
    """

    def __init__(self, address: str, *, timeout_s: float = 10.0) -> None:
        host, port = parse_address(address)
        self.address = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
        self.timeout_s = timeout_s
        self.session: str | None = None
        self._ctx: zmq.Context[zmq.Socket[bytes]] = zmq.Context()
        self._is_v6 = ":" in host
        self._local = threading.local()
        self._socks: list[tuple[threading.Thread, zmq.Socket[bytes]]] = []
        self._socks_lock = threading.Lock()
        self._ids = itertools.count(1)
        self._stop = threading.Event()
        self._beat: threading.Thread | None = None

    def _socket(self) -> zmq.Socket[bytes]:
        """This thread's socket (made on its first call; those of threads that
        ended are closed then)."""
        sock: zmq.Socket[bytes] | None = getattr(self._local, "sock", None)
        if sock is not None:
            return sock
        sock = self._ctx.socket(zmq.DEALER)
        sock.setsockopt(zmq.LINGER, 0)
        if self._is_v6:
            sock.setsockopt(zmq.IPV6, 1)
        sock.connect(f"tcp://{self.address}")
        with self._socks_lock:
            for thread, old in [(t, o) for t, o in self._socks if not t.is_alive()]:
                old.close()
                self._socks.remove((thread, old))
            self._socks.append((threading.current_thread(), sock))
        self._local.sock = sock
        return sock

    def call(self, method: str, *args: Any, wait_s: float = 0.0, **kwargs: Any) -> Any:
        """Call ``method``; its result. ``wait_s``: how long the call itself
        may take, on top of :attr:`timeout_s`.

        Raises:
            WirespeedError: the server's error (same class), or RpcTimeout.
        """
        return self._call(method, args, kwargs, self.timeout_s + wait_s)

    def _call(
        self, method: str, args: tuple[Any, ...], kwargs: dict[str, Any], wait_s: float
    ) -> Any:
        sock = self._socket()
        req = Request(next(self._ids), method, self.session, args, kwargs)
        sock.send(encode_request(req, WIRE_TYPES))
        deadline = time.monotonic() + wait_s
        while (left := deadline - time.monotonic()) > 0 and sock.poll(
            max(1, int(left * 1000))
        ):
            answer = decode_response(sock.recv(), WIRE_TYPES)
            if answer.id not in (req.id, None):
                continue  # the late answer to a call that timed out
            if answer.error is not None:
                raise answer.error
            return answer.result
        raise RpcTimeout(
            f"{self.address}: no answer to {method} within {wait_s:g} s (is "
            "`wirespeed server` running there, with its native front end?)",
            data={"host": self.address, "method": method},
        )

    def hello(self, owner: str, session_timeout_s: float) -> dict[str, Any]:
        """Open the session; the server's answer (session name, versions...)."""
        answer: dict[str, Any] = self.call(
            "session.hello", owner=owner, timeout_s=session_timeout_s
        )
        self.session = answer["session"]
        self._beat = threading.Thread(
            target=self._keep_alive,
            args=(float(answer["timeout_s"]) / 3,),
            name=f"wirespeed-heartbeat-{self.address}",
            daemon=True,
        )
        self._beat.start()
        return answer

    def _keep_alive(self, interval_s: float) -> None:
        while not self._stop.wait(interval_s):
            try:
                self._call("session.heartbeat", (), {}, self.timeout_s)
            except WirespeedError as exc:  # the next call says what is wrong
                _log.debug("heartbeat to %s: %s", self.address, exc)

    def close(self) -> None:
        """End the session (its ports are released) and close the sockets (no
        call may be in progress in another thread)."""
        self._stop.set()
        if self._beat is not None:
            self._beat.join()
        if self.session is not None:
            with contextlib.suppress(RpcTimeout, StateError):
                self._call("session.bye", (), {}, min(self.timeout_s, 2.0))
            self.session = None
        with self._socks_lock:
            for _thread, sock in self._socks:
                sock.close()
            self._socks.clear()
        self._ctx.term()
