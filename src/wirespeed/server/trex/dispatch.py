"""From a raw ZeroMQ message to a raw reply: unframing, JSON-RPC, the method table.

:class:`Dispatcher` never raises for anything a client sends: malformed envelopes,
invalid JSON, wrong types, unknown methods and failing handlers all become JSON-RPC
error replies that name the problem, and the server goes on serving.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from wirespeed.errors import (
    ConfigError,
    PacketError,
    RemoteProtocolError,
    WirespeedError,
)
from wirespeed.server.trex import jsonrpc
from wirespeed.server.trex.framing import decode_frame, encode_frame
from wirespeed.server.trex.params import Params

if TYPE_CHECKING:
    from wirespeed.server.trex.frontend import TrexFrontEnd

__all__ = ["Dispatcher", "Handler", "Method", "MethodTable"]

_log = logging.getLogger(__name__)

Handler = Callable[["TrexFrontEnd", Params], object]


@dataclass(frozen=True)
class Method:
    """One RPC method.

    Attributes:
        handler: ``handler(frontend, params) -> result``; raises
            :class:`~wirespeed.errors.WirespeedError` subclasses to refuse.
        needs_api_h: the request must carry the ``api_h`` from ``api_sync``.
    """

    handler: Handler
    needs_api_h: bool = True


MethodTable = dict[str, Method]


def error_code(exc: WirespeedError) -> int:
    """The JSON-RPC code for one of our exceptions (the one mapping table)."""
    if isinstance(exc, ConfigError | PacketError):
        return jsonrpc.INVALID_PARAMS
    return jsonrpc.EXECUTION_ERROR


class Dispatcher:
    """Answers messages using a method table and a front end.

    Args:
        frontend: the state the handlers act on; its ``lock`` serialises handlers.
        methods: method name -> :class:`Method`.
    """

    def __init__(self, frontend: TrexFrontEnd, methods: Mapping[str, Method]) -> None:
        self.frontend = frontend
        self.methods = methods

    def handle(self, message: bytes) -> bytes:
        """Answer one raw message (possibly compressed, possibly a batch)."""
        compressed = False
        try:
            unframed = decode_frame(message)
            compressed = unframed.was_compressed
            parsed = jsonrpc.parse_message(unframed.payload)
        except RemoteProtocolError as exc:
            reply = jsonrpc.failure(None, jsonrpc.PARSE_ERROR, str(exc))
            return encode_frame(
                jsonrpc.encode_replies([reply], is_batch=False), compress=compressed
            )
        replies = []
        for item in parsed.items:
            if isinstance(item, jsonrpc.Invalid):
                replies.append(jsonrpc.failure(item.id, item.code, item.detail))
                continue
            reply = self.call(item)
            if not item.is_notification:
                replies.append(reply)
        body = jsonrpc.encode_replies(replies, is_batch=parsed.is_batch)
        return encode_frame(body, compress=compressed and bool(body))

    def call(self, request: jsonrpc.Request) -> dict[str, Any]:
        """Run one request; always returns a reply object."""
        method = self.methods.get(request.method)
        _log.debug("rpc %s %s", request.method, request.params)
        if method is None:
            return jsonrpc.failure(
                request.id,
                jsonrpc.METHOD_NOT_FOUND,
                f"unknown method {request.method[:100]!r}",
            )
        if method.needs_api_h:
            problem = self._check_api_h(request.params)
            if problem is not None:
                return jsonrpc.failure(request.id, jsonrpc.INVALID_PARAMS, problem)
        try:
            with self.frontend.lock:
                result = method.handler(self.frontend, Params(request.params))
        except WirespeedError as exc:
            _log.debug("rpc %s refused: %s", request.method, exc)
            return jsonrpc.failure(
                request.id, error_code(exc), f"{request.method}: {exc}"
            )
        except Exception as exc:  # a bug: report it, keep serving
            _log.exception("TRex RPC method %s failed", request.method)
            return jsonrpc.failure(
                request.id,
                jsonrpc.INTERNAL_ERROR,
                f"{request.method}: {type(exc).__name__}: {exc}",
            )
        return jsonrpc.success(request.id, result)

    def _check_api_h(self, params: dict[str, Any]) -> str | None:
        if "api_h" not in params:
            return "api_h: missing (call api_sync_v2 first)"
        api_h = params["api_h"]
        if api_h != self.frontend.api_h:
            return f"api_h: {str(api_h)[:64]!r} is not this server's API handle"
        return None
