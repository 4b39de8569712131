"""JSON-RPC 2.0 messages as TRex speaks them: parsing requests, building replies.

A message is one request object or a batch (a JSON array of them). Replies to a batch
are an array in the same order as the requests (the TRex client matches them by
position). Requests without an ``id`` are notifications and get no reply object.

Error replies carry ``code``, ``message`` (category and detail) and ``specific_err``
(the detail alone; the TRex client shows it).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from wirespeed.errors import RemoteProtocolError

__all__ = [
    "EXECUTION_ERROR",
    "INTERNAL_ERROR",
    "INVALID_PARAMS",
    "INVALID_REQUEST",
    "METHOD_NOT_FOUND",
    "PARSE_ERROR",
    "Invalid",
    "JsonId",
    "Message",
    "Request",
    "encode_replies",
    "failure",
    "parse_message",
    "success",
]

PARSE_ERROR = -32700
INVALID_REQUEST = -32600
METHOD_NOT_FOUND = -32601
INVALID_PARAMS = -32602
INTERNAL_ERROR = -32603
#: What the real TRex server answers for semantic failures (state, ownership ...).
EXECUTION_ERROR = -32000

_CATEGORY = {
    PARSE_ERROR: "Parse error",
    INVALID_REQUEST: "Invalid request",
    METHOD_NOT_FOUND: "Method not found",
    INVALID_PARAMS: "Invalid params",
    INTERNAL_ERROR: "Internal error",
    EXECUTION_ERROR: "Execution error",
}

JsonId = str | int | float | None


@dataclass(frozen=True)
class Request:
    """One well-formed request.

    Attributes:
        id: the request id (echoed back).
        method: the method name.
        params: the parameters (``{}`` when absent or null).
        is_notification: the request had no ``id``; it gets no reply.
    """

    id: JsonId
    method: str
    params: dict[str, Any]
    is_notification: bool


@dataclass(frozen=True)
class Invalid:
    """One batch element (or the whole message) that is not a valid request."""

    id: JsonId
    code: int
    detail: str


@dataclass(frozen=True)
class Message:
    """A parsed message: its elements and whether it was a batch."""

    items: list[Request | Invalid]
    is_batch: bool


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def parse_message(payload: bytes) -> Message:
    """Parse a plain (already unframed) message.

    Args:
        payload: UTF-8 JSON bytes.

    Returns:
        The requests in order; malformed elements become :class:`Invalid`.

    Raises:
        RemoteProtocolError: the bytes are not UTF-8 JSON (a *parse error*, answered
            with one error reply whose id is null).
    """
    try:
        text = payload.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise RemoteProtocolError(
            f"message is not UTF-8 (byte {exc.start}: {exc.reason})"
        ) from exc
    try:
        doc = json.loads(text, parse_constant=_reject_constant)
    except RecursionError as exc:
        raise RemoteProtocolError("JSON nesting is too deep") from exc
    except json.JSONDecodeError as exc:
        raise RemoteProtocolError(
            f"invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"
        ) from exc
    except ValueError as exc:
        raise RemoteProtocolError(f"invalid JSON: {exc}") from exc
    if isinstance(doc, list):
        if not doc:
            return Message([Invalid(None, INVALID_REQUEST, "empty batch")], False)
        return Message([_parse_request(item, i) for i, item in enumerate(doc)], True)
    return Message([_parse_request(doc, None)], False)


def _parse_request(doc: object, index: int | None) -> Request | Invalid:
    where = "request" if index is None else f"batch element {index}"
    if not isinstance(doc, dict):
        return Invalid(
            None, INVALID_REQUEST, f"{where}: must be an object, got {_kind(doc)}"
        )
    raw_id = doc.get("id")
    if "id" in doc and not _valid_id(raw_id):
        return Invalid(
            None,
            INVALID_REQUEST,
            f"id: must be a string, number or null, got {_kind(raw_id)}",
        )
    req_id: JsonId = raw_id if _valid_id(raw_id) else None
    if doc.get("jsonrpc") != "2.0":
        got = "missing" if "jsonrpc" not in doc else repr(doc["jsonrpc"])
        return Invalid(req_id, INVALID_REQUEST, f'jsonrpc: must be "2.0", got {got}')
    method = doc.get("method")
    if not isinstance(method, str):
        got = "missing" if "method" not in doc else _kind(method)
        return Invalid(req_id, INVALID_REQUEST, f"method: must be a string, got {got}")
    params = doc.get("params")
    if params is None:
        params = {}
    if not isinstance(params, dict):
        return Invalid(
            req_id, INVALID_PARAMS, f"params: must be an object, got {_kind(params)}"
        )
    return Request(req_id, method, params, "id" not in doc)


def _valid_id(value: object) -> bool:
    return value is None or (
        isinstance(value, str | int | float) and not isinstance(value, bool)
    )


def _kind(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def success(req_id: JsonId, result: object) -> dict[str, Any]:
    """Build a success reply."""
    return {"jsonrpc": "2.0", "id": req_id, "result": result}


def failure(req_id: JsonId, code: int, detail: str) -> dict[str, Any]:
    """Build an error reply; ``detail`` names the problem."""
    category = _CATEGORY.get(code, "Error")
    return {
        "jsonrpc": "2.0",
        "id": req_id,
        "error": {
            "code": code,
            "message": f"{category}: {detail}",
            "specific_err": detail,
        },
    }


def _to_json(value: object) -> object:
    # numpy scalars that handlers may pass through: convert with .item()
    item = getattr(value, "item", None)
    if hasattr(value, "dtype") and callable(item):
        return item()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def encode_replies(replies: list[dict[str, Any]], *, is_batch: bool) -> bytes:
    """Serialise replies: an array for a batch, a single object otherwise.

    Returns ``b""`` when there is nothing to say (only notifications); a ZeroMQ REP
    socket must still answer, with an empty message.
    """
    if not replies:
        return b""
    doc: object = replies if is_batch else replies[0]
    return json.dumps(doc, separators=(",", ":"), default=_to_json).encode()
