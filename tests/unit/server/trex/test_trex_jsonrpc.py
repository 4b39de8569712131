"""JSON-RPC 2.0 parsing and reply building."""

from __future__ import annotations

import json

import pytest

from wirespeed.errors import RemoteProtocolError
from wirespeed.server.trex import jsonrpc
from wirespeed.server.trex.jsonrpc import Invalid, Request, parse_message


def test_single_request() -> None:
    msg = parse_message(
        b'{"jsonrpc":"2.0","method":"ping","id":"k3j9x0ab","params":{"api_h":"h"}}'
    )
    assert msg.is_batch is False
    assert msg.items == [Request("k3j9x0ab", "ping", {"api_h": "h"}, False)]


def test_null_params_become_empty_and_missing_id_is_notification() -> None:
    msg = parse_message(b'{"jsonrpc":"2.0","method":"ping","params":null}')
    assert msg.items == [Request(None, "ping", {}, True)]


def test_batch_keeps_order_and_marks_bad_elements() -> None:
    msg = parse_message(
        b'[{"jsonrpc":"2.0","method":"a","id":1},7,'
        b'{"jsonrpc":"1.0","method":"b","id":2},{"jsonrpc":"2.0","id":3},'
        b'{"jsonrpc":"2.0","method":"c","id":4,"params":[1]},'
        b'{"jsonrpc":"2.0","method":"d","id":{"x":1}}]'
    )
    assert msg.is_batch is True
    assert msg.items == [
        Request(1, "a", {}, False),
        Invalid(
            None,
            jsonrpc.INVALID_REQUEST,
            "batch element 1: must be an object, got number",
        ),
        Invalid(2, jsonrpc.INVALID_REQUEST, "jsonrpc: must be \"2.0\", got '1.0'"),
        Invalid(3, jsonrpc.INVALID_REQUEST, "method: must be a string, got missing"),
        Invalid(4, jsonrpc.INVALID_PARAMS, "params: must be an object, got array"),
        Invalid(
            None,
            jsonrpc.INVALID_REQUEST,
            "id: must be a string, number or null, got object",
        ),
    ]


def test_empty_batch_is_invalid() -> None:
    assert parse_message(b"[]").items == [
        Invalid(None, jsonrpc.INVALID_REQUEST, "empty batch")
    ]


@pytest.mark.parametrize(
    ("payload", "words"),
    [
        (b'{"jsonrpc":', "invalid JSON at line 1 column 12"),
        (b"\xff\xfe", "not UTF-8"),
        (b'{"a": NaN}', "NaN is not a JSON number"),
        (b"[" * 100000 + b"]" * 100000, "nesting is too deep"),
        (b"", "invalid JSON"),
    ],
)
def test_parse_errors_name_the_problem(payload: bytes, words: str) -> None:
    with pytest.raises(RemoteProtocolError, match=words):
        parse_message(payload)


def test_failure_carries_message_and_specific_err() -> None:
    assert jsonrpc.failure("x1", jsonrpc.INVALID_PARAMS, "port_id: missing") == {
        "jsonrpc": "2.0",
        "id": "x1",
        "error": {
            "code": -32602,
            "message": "Invalid params: port_id: missing",
            "specific_err": "port_id: missing",
        },
    }


def test_encode_single_batch_and_nothing() -> None:
    one = jsonrpc.success("a", {})
    assert json.loads(jsonrpc.encode_replies([one], is_batch=False)) == one
    assert json.loads(jsonrpc.encode_replies([one, one], is_batch=True)) == [one, one]
    assert jsonrpc.encode_replies([], is_batch=True) == b""


def test_numpy_scalars_are_serialised() -> None:
    np = pytest.importorskip("numpy")
    out = jsonrpc.encode_replies(
        [jsonrpc.success(1, {"n": np.int64(7), "f": np.float32(0.5)})], is_batch=False
    )
    assert json.loads(out)["result"] == {"n": 7, "f": 0.5}
