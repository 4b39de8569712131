"""The native RPC's messages: versioned JSON requests, results and errors (pure).

A request and its answer (values encoded by :mod:`wirespeed.wire.values`)::

    {"v": 1, "id": 7, "session": "9f...", "method": "tester.port_stats",
     "args": [0], "kwargs": {"since_clear": true}}
    {"v": 1, "id": 7, "result": {"$": "PortStats", "fields": {...}}}
    {"v": 1, "id": 7, "error": {"type": "OwnershipError",
     "message": "port 0 is owned by 'alice', not by this session",
     "field": null, "port": 0}}

An error names a class of :mod:`wirespeed.errors`; the client raises that class
with the same message and attributes. A request of another version is answered
with a :class:`~wirespeed.errors.RemoteProtocolError` saying which version this
side speaks.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from wirespeed.errors import (
    BuildError,
    ConfigError,
    LocalProtocolError,
    OwnershipError,
    PacketError,
    ParseError,
    PortError,
    ProtocolError,
    RemoteProtocolError,
    RpcError,
    RpcTimeout,
    StateError,
    TopologyError,
    ValidationError,
    WirespeedError,
)
from wirespeed.wire.values import WireTypes, decode_value, encode_value

__all__ = [
    "ERROR_TYPES",
    "PROTOCOL_VERSION",
    "Request",
    "Response",
    "decode_request",
    "decode_response",
    "encode_error",
    "encode_request",
    "encode_result",
    "error_from_wire",
    "error_to_wire",
    "peek_id",
]

PROTOCOL_VERSION = 1

ERROR_TYPES: dict[str, type[WirespeedError]] = {
    cls.__name__: cls
    for cls in (
        WirespeedError,
        ConfigError,
        ValidationError,
        PacketError,
        BuildError,
        ParseError,
        StateError,
        OwnershipError,
        PortError,
        TopologyError,
        ProtocolError,
        LocalProtocolError,
        RemoteProtocolError,
        RpcError,
        RpcTimeout,
    )
}
"""Every error class an answer may name (the whole tree of :mod:`wirespeed.errors`)."""


@dataclass(frozen=True)
class Request:
    """One call: ``method`` with ``args`` and ``kwargs`` in ``session``."""

    id: int
    method: str
    session: str | None = None
    args: tuple[Any, ...] = ()
    kwargs: dict[str, Any] = field(default_factory=dict)


def encode_request(req: Request, types: WireTypes) -> bytes:
    """The request as bytes.

    Raises:
        LocalProtocolError: an argument that may not cross the wire.
    """
    return _dump(
        {
            "v": PROTOCOL_VERSION,
            "id": req.id,
            "session": req.session,
            "method": req.method,
            "args": [encode_value(a, types) for a in req.args],
            "kwargs": {k: encode_value(v, types) for k, v in req.kwargs.items()},
        }
    )


def decode_request(raw: bytes, types: WireTypes) -> Request:
    """The request ``raw`` holds.

    Raises:
        RemoteProtocolError: not JSON, another version, a malformed request or a
            value of a class not allowed.
        ValidationError: a dataclass field of the wrong type.
    """
    msg = _load(raw)
    _check_version(msg)
    req_id, method, session = msg.get("id"), msg.get("method"), msg.get("session")
    args, kwargs = msg.get("args", []), msg.get("kwargs", {})
    if not isinstance(req_id, int) or isinstance(req_id, bool):
        raise RemoteProtocolError("a request's id is an integer")
    if not isinstance(method, str):
        raise RemoteProtocolError("a request names its method (a string)")
    if session is not None and not isinstance(session, str):
        raise RemoteProtocolError("a request's session is a string")
    if not isinstance(args, list) or not isinstance(kwargs, dict):
        raise RemoteProtocolError("args are a list and kwargs an object")
    return Request(
        req_id,
        method,
        session,
        tuple(decode_value(a, types) for a in args),
        {k: decode_value(v, types) for k, v in kwargs.items()},
    )


def peek_id(raw: bytes) -> int | None:
    """The id of a request that could not be decoded (``None``: none found)."""
    try:
        msg = json.loads(raw)
    except (ValueError, RecursionError):
        return None
    req_id = msg.get("id") if isinstance(msg, dict) else None
    return req_id if isinstance(req_id, int) and not isinstance(req_id, bool) else None


def encode_result(req_id: int, value: object, types: WireTypes) -> bytes:
    """A result answer.

    Raises:
        LocalProtocolError: a result that may not cross the wire.
    """
    return _dump(
        {"v": PROTOCOL_VERSION, "id": req_id, "result": encode_value(value, types)}
    )


def encode_error(req_id: int | None, exc: WirespeedError) -> bytes:
    """An error answer naming ``exc``'s class."""
    return _dump({"v": PROTOCOL_VERSION, "id": req_id, "error": error_to_wire(exc)})


@dataclass(frozen=True)
class Response:
    """An answer: the ``result`` of request ``id``, or its ``error``."""

    id: int | None
    result: Any = None
    error: WirespeedError | None = None


def decode_response(raw: bytes, types: WireTypes) -> Response:
    """The answer ``raw`` holds (an error answer as the exception it names).

    Raises:
        RemoteProtocolError: a malformed answer, another version, or a value of
            a class not allowed.
        ValidationError: a dataclass field of the wrong type.
    """
    msg = _load(raw)
    _check_version(msg)
    req_id = msg.get("id")
    if req_id is not None and (not isinstance(req_id, int) or isinstance(req_id, bool)):
        raise RemoteProtocolError("an answer's id is an integer")
    if "error" in msg:
        return Response(req_id, error=error_from_wire(msg["error"]))
    if "result" not in msg:
        raise RemoteProtocolError("an answer holds a result or an error")
    return Response(req_id, decode_value(msg["result"], types))


def error_to_wire(exc: WirespeedError) -> dict[str, Any]:
    """``exc`` as the ``error`` member of an answer."""
    out: dict[str, Any] = {
        "type": type(exc).__name__ if type(exc) in ERROR_TYPES.values() else "",
        "message": exc.reason if isinstance(exc, ConfigError) else str(exc),
        "field": getattr(exc, "field", None),
        "port": getattr(exc, "port", None),
    }
    if not out["type"]:  # a class outside the tree: its nearest ancestor in it
        base = next(c for c in type(exc).__mro__ if c in ERROR_TYPES.values())
        out["type"] = base.__name__
    if isinstance(exc, ParseError):
        out.update(offset=exc.offset, layer=exc.layer)
    if isinstance(exc, RpcError):
        out.update(code=exc.code, data=exc.data if _is_json(exc.data) else None)
    return out


def error_from_wire(err: object) -> WirespeedError:
    """The exception an ``error`` member stands for (an unknown class: a
    :class:`~wirespeed.errors.RemoteProtocolError`)."""
    if not isinstance(err, dict) or not isinstance(err.get("message"), str):
        return RemoteProtocolError(f"a malformed error answer: {err!r}")
    kind, message = err.get("type"), err["message"]
    cls = ERROR_TYPES.get(kind) if isinstance(kind, str) else None
    if cls is None:
        return RemoteProtocolError(f"an error of unknown type {kind!r}: {message}")
    fld, port = err.get("field"), err.get("port")
    if issubclass(cls, ConfigError):
        return cls(message, field=fld if isinstance(fld, str) else None)
    if issubclass(cls, StateError | PortError):
        return cls(message, port=port if isinstance(port, int) else None)
    if issubclass(cls, ParseError):
        offset, layer = err.get("offset", 0), err.get("layer", "")
        return cls(
            message,
            offset=offset if isinstance(offset, int) else 0,
            layer=layer if isinstance(layer, str) else "",
        )
    if issubclass(cls, RpcError):
        code = err.get("code", -32000)
        return cls(
            message,
            code=code if isinstance(code, int) else -32000,
            data=err.get("data"),
        )
    return cls(message)


def _is_json(value: object) -> bool:
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        return False
    return True


def _check_version(msg: dict[str, Any]) -> None:
    version = msg.get("v")
    if version != PROTOCOL_VERSION:
        raise RemoteProtocolError(
            f"protocol version {version!r} is not spoken here: this side speaks "
            f"version {PROTOCOL_VERSION} of the wirespeed native RPC"
        )


def _load(raw: bytes) -> dict[str, Any]:
    try:
        msg = json.loads(raw, parse_constant=_no_constant)
    except (ValueError, RecursionError) as exc:
        raise RemoteProtocolError(f"not a JSON message: {exc}") from exc
    if not isinstance(msg, dict):
        raise RemoteProtocolError("a message is a JSON object")
    return msg


def _no_constant(name: str) -> None:
    raise ValueError(f"{name} is not JSON")


def _dump(msg: dict[str, Any]) -> bytes:
    return json.dumps(msg, separators=(",", ":"), allow_nan=False).encode()
