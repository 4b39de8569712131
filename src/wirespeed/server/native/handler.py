"""The native RPC without sockets: one request's bytes in, its answer's bytes out.

:class:`NativeHandler` decodes a request (:mod:`wirespeed.wire`), finds its
session and method (:mod:`.methods`), checks the arguments and the ports the
session must hold, calls the tester and encodes the result or the error. Every
request gets an answer, whatever it holds; the handler is safe to call from many
threads at once (the tester is).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from wirespeed._version import __version__
from wirespeed.errors import RemoteProtocolError, RpcError, WirespeedError
from wirespeed.server.native.methods import Method, SessionCalls, build_methods
from wirespeed.server.native.sessions import EventLog, Session, Sessions
from wirespeed.service import WIRE_TYPES, Tester
from wirespeed.wire import (
    PROTOCOL_VERSION,
    Request,
    decode_request,
    encode_error,
    encode_result,
    peek_id,
)

__all__ = ["INTERNAL_ERROR", "NativeHandler"]

_log = logging.getLogger("wirespeed.server.native")

INTERNAL_ERROR = -32603
"""The code of an error answer for a fault of the server itself."""

DEFAULT_TIMEOUT_S = 10.0


class NativeHandler:
    """The native RPC of one tester.

    Args:
        tester: the tester every session drives.
        clock: seconds, monotonic (sessions' idle times).
    """

    def __init__(
        self, tester: Tester, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.tester = tester
        self.sessions = Sessions()
        self.events = EventLog()
        self._clock = clock
        self._methods = build_methods()
        self._hello = Method("session.hello", NativeHandler.hello, lambda c: self)
        self._unsubscribe = tester.subscribe(self.events.append)

    @property
    def method_names(self) -> list[str]:
        """Every method a session may call (and ``session.hello``)."""
        return ["session.hello", *sorted(self._methods)]

    def close(self) -> None:
        """Stop recording the tester's events."""
        self._unsubscribe()

    def handle(self, raw: bytes) -> bytes:
        """The answer to the request ``raw``."""
        req_id = None
        try:
            req = decode_request(raw, WIRE_TYPES)
            req_id = req.id
            return encode_result(req.id, self._dispatch(req), WIRE_TYPES)
        except WirespeedError as exc:
            return encode_error(req_id if req_id is not None else peek_id(raw), exc)
        except Exception as exc:  # a fault of ours: logged, answered, serving goes on
            _log.exception("native RPC: request %s failed", req_id)
            fault = RpcError(
                f"internal error: {type(exc).__name__}: {exc}", code=INTERNAL_ERROR
            )
            return encode_error(req_id, fault)

    def _dispatch(self, req: Request) -> Any:
        if req.method == "session.hello":
            bound = self._hello.bind(req.args, req.kwargs)
            return self.hello(*bound.args, **bound.kwargs)
        method = self._methods.get(req.method)
        if method is None:
            raise RemoteProtocolError(
                f"no method {req.method!r} (the list: session.hello's answer)"
            )
        session = self.sessions.enter(req.session, self._clock())
        try:
            calls = SessionCalls(self.tester, session, self.sessions, self.events)
            return method.call(calls, req.args, req.kwargs)
        finally:
            self.sessions.leave(session, self._clock())

    def hello(self, owner: str, timeout_s: float = DEFAULT_TIMEOUT_S) -> dict[str, Any]:
        """Open a session for ``owner``, closed when it sends nothing for
        ``timeout_s``: its key (sent with every request) and name, the protocol
        and server versions, and the method names."""
        session = self.sessions.open(owner, float(timeout_s), self._clock())
        _log.info("native RPC: session %s opened", session.name)
        return {
            "session": session.key,
            "name": session.name,
            "timeout_s": session.timeout_s,
            "protocol": PROTOCOL_VERSION,
            "server": f"wirespeed {__version__}",
            "methods": self.method_names,
        }

    def expire(self) -> list[tuple[Session, list[int]]]:
        """Close every session silent for longer than its timeout and release
        the ports it held; what was released."""
        out = []
        for session in self.sessions.expire(self._clock()):
            freed = self.tester.release_session(session.name)
            _log.warning(
                "native RPC: session %s sent nothing for %g s: closed, ports %s "
                "released",
                session.name,
                session.timeout_s,
                freed or "(none)",
            )
            out.append((session, freed))
        return out
