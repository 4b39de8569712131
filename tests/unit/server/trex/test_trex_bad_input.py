"""Malformed messages get JSON-RPC errors naming the problem; nothing escapes."""

from __future__ import annotations

import json
import struct
import zlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from trex_env import API_H, Env

from wirespeed.server.trex.methods import build_method_table


def _zframe(payload: bytes) -> bytes:
    return struct.pack(">II", 0xABE85CEA, len(payload)) + zlib.compress(payload)


@pytest.mark.parametrize(
    ("message", "code", "detail"),
    [
        (
            b"{not json",
            -32700,
            "invalid JSON at line 1 column 2: Expecting property "
            "name enclosed in double quotes",
        ),
        (
            _zframe(b'{"jsonrpc":"2.0"}')[:-3],
            -32700,
            "compressed frame is truncated: "
            "the zlib stream ends early (17 of 17 bytes inflated)",
        ),
        (b"\x80\x81", -32700, "message is not UTF-8 (byte 0: invalid start byte)"),
        (b"42", -32600, "request: must be an object, got number"),
        (b'{"jsonrpc":"2.0","id":1}', -32600, "method: must be a string, got missing"),
        (
            b'{"jsonrpc":"2.0","id":1,"method":"no_such"}',
            -32601,
            "unknown method 'no_such'",
        ),
        (
            b'{"jsonrpc":"2.0","id":1,"method":"ping","params":7}',
            -32602,
            "params: must be an object, got number",
        ),
        (b'{"id":1,"method":"ping"}', -32600, 'jsonrpc: must be "2.0", got missing'),
    ],
)
def test_malformed_messages(env: Env, message: bytes, code: int, detail: str) -> None:
    reply = env.dispatcher.handle(message)
    if reply[:4] == b"\xab\xe8\x5c\xea":
        reply = zlib.decompress(reply[8:])
    error = json.loads(reply)["error"]
    assert (error["code"], error["specific_err"]) == (code, detail)
    assert env.ok("ping") == {"ts": 1000.0}


def test_wrong_types_name_the_field(env: Env) -> None:
    cases = [
        (
            "get_port_status",
            {"port_id": "0"},
            "port_id: must be an integer, got string",
        ),
        (
            "get_port_status",
            {"port_id": True},
            "port_id: must be an integer, got boolean",
        ),
        ("get_port_status", {}, "port_id: missing"),
        ("acquire", {"port_id": 0, "user": 5}, "user: must be a string, got integer"),
        (
            "acquire",
            {"port_id": 0, "user": "u", "session_id": -1},
            "session_id: -1 is below the minimum 0",
        ),
        (
            "get_pgid_stats",
            {"pgids": [1, "2"]},
            "pgids[1]: must be an integer, got string",
        ),
        ("api_sync", {"api_vers": [5]}, "api_vers[0]: must be an object"),
    ]
    for method, params, detail in cases:
        error = env.err(method, **params)
        assert (error["code"], error["specific_err"]) == (-32602, f"{method}: {detail}")


def test_notifications_get_no_reply(env: Env) -> None:
    assert env.dispatcher.handle(b'{"jsonrpc":"2.0","method":"ping"}') == b""
    batch = (
        b'[{"jsonrpc":"2.0","method":"ping"},'
        b'{"jsonrpc":"2.0","method":"ping","id":"x","params":{}}]'
    )
    assert json.loads(env.dispatcher.handle(batch)) == [
        {"jsonrpc": "2.0", "id": "x", "result": {"ts": 1000.0}}
    ]


def test_a_plain_request_gets_a_plain_reply(env: Env) -> None:
    reply = env.dispatcher.handle(b'{"jsonrpc":"2.0","id":9,"method":"ping"}')
    assert json.loads(reply) == {"jsonrpc": "2.0", "id": 9, "result": {"ts": 1000.0}}


_json = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats()
    | st.text(max_size=12),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=12,
)
_names = sorted(build_method_table())
_keys = [
    "port_id",
    "handler",
    "stream_id",
    "stream",
    "mul",
    "attr",
    "pgids",
    "profile_id",
    "force",
    "user",
    "session_id",
    "enabled",
    "type",
    "duration",
    "core_mask",
    "start_at_ts",
    "dst_mac",
    "command",
    "name",
    "major",
    "api_vers",
]


@settings(
    max_examples=400,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    method=st.sampled_from(_names),
    params=st.dictionaries(st.sampled_from(_keys), _json, max_size=6),
)
def test_random_params_never_escape(
    env: Env, method: str, params: dict[str, object]
) -> None:
    params = {**params, "api_h": API_H}
    req = {"jsonrpc": "2.0", "id": 1, "method": method, "params": params}
    try:
        body = json.dumps(req).encode()
    except ValueError:
        return
    out = env.raw(body)
    assert ("result" in out) != ("error" in out)
    if "error" in out:
        assert out["error"]["code"] in (-32700, -32600, -32601, -32602, -32000)
