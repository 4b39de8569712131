"""Thousands of malformed requests against a real server, then a normal flow."""

from __future__ import annotations

import base64
import json
import random
import struct
import zlib
from collections import Counter
from typing import Any

import pytest
from trex_bed import RawRpc, TrexBed

pytestmark = [pytest.mark.netns, pytest.mark.compat]

METHODS = [
    "acquire",
    "add_stream",
    "start_traffic",
    "get_port_status",
    "get_pgid_stats",
    "set_port_attr",
    "update_traffic",
    "pause_streams",
    "update_streams",
    "get_async_events",
    "api_sync_v2",
    "remove_stream",
    "service",
    "set_l2",
    "capture",
    "get_stream",
    "nope",
]
KEYS = [
    "port_id",
    "handler",
    "stream_id",
    "stream",
    "mul",
    "attr",
    "pgids",
    "force",
    "user",
    "session_id",
    "profile_id",
    "duration",
    "core_mask",
    "dst_mac",
    "stream_ids",
]
JUNK: list[Any] = [
    None,
    True,
    -1,
    2**70,
    3.5,
    float("1e308"),
    "",
    "x" * 300,
    [],
    {},
    [1, "a"],
    {"a": {"b": []}},
    "0",
    1,
    0,
]


def _frame(body: bytes) -> bytes:
    return struct.pack(">II", 0xABE85CEA, len(body)) + zlib.compress(body)


def _request(rng: random.Random, method: str, params: Any) -> bytes:
    return json.dumps(
        {
            "jsonrpc": "2.0",
            "id": rng.randrange(1 << 30),
            "method": method,
            "params": params,
        }
    ).encode()


def _stream(rng: random.Random) -> dict[str, Any]:
    good: dict[str, Any] = {
        "flags": 0,
        "enabled": True,
        "self_start": True,
        "isg": 0.0,
        "mode": {
            "type": "single_burst",
            "total_pkts": 1,
            "rate": {"type": "pps", "value": 10},
        },
        "packet": {"binary": base64.b64encode(b"\x00" * 60).decode(), "meta": ""},
        "vm": {
            "instructions": [
                {
                    "type": "flow_var",
                    "name": "a",
                    "size": 2,
                    "op": "inc",
                    "min_value": 0,
                    "max_value": 9,
                    "init_value": 0,
                    "step": 1,
                },
                {
                    "type": "write_flow_var",
                    "name": "a",
                    "pkt_offset": 58,
                    "add_value": 0,
                    "is_big_endian": True,
                },
            ]
        },
        "flow_stats": {"enabled": False},
        "next_stream_id": -1,
    }
    chosen = set(rng.sample(["mode", "packet", "vm", "top"], rng.randrange(1, 4)))
    for where in [w for w in ("mode", "packet", "vm", "top") if w in chosen]:
        value = rng.choice(JUNK)
        if where == "mode":
            good["mode"][rng.choice(["type", "total_pkts", "rate"])] = value
        elif where == "packet":
            good["packet"]["binary"] = rng.choice(
                [value, "!!", base64.b64encode(b"\x01" * 20000).decode()]
            )
        elif where == "vm":
            good["vm"]["instructions"][rng.randrange(2)][
                rng.choice(["pkt_offset", "size", "name", "op", "type"])
            ] = value
        else:
            good[rng.choice(list(good))] = value
    return good


def _malformed(rng: random.Random, api_h: str) -> bytes | list[bytes]:
    kind = rng.randrange(11)
    valid = _request(rng, "get_port_status", {"port_id": 0, "api_h": api_h})
    if kind == 0:
        return bytes(rng.randrange(256) for _ in range(rng.randrange(0, 200)))
    if kind == 1:
        return _frame(valid)[: rng.randrange(8, len(_frame(valid)))]
    if kind == 2:
        return struct.pack(">II", 0xABE85CEA, rng.randrange(1 << 32)) + zlib.compress(
            valid
        )
    if kind == 3:
        return valid[: rng.randrange(1, len(valid))]
    if kind == 4:
        return json.dumps(rng.choice([*JUNK[:5], [1, 2], "req", [[]]])).encode()
    if kind == 5:
        return _request(rng, rng.choice([*METHODS, "", "x" * 500]), {"api_h": api_h})
    if kind == 6:
        params = {rng.choice(KEYS): rng.choice(JUNK) for _ in range(rng.randrange(5))}
        params["api_h"] = api_h
        return _frame(_request(rng, rng.choice(METHODS), params))
    if kind == 7:
        return _frame(
            _request(
                rng,
                "add_stream",
                {
                    "api_h": api_h,
                    "handler": "nothandler",
                    "port_id": 0,
                    "stream_id": 1,
                    "stream": _stream(rng),
                },
            )
        )
    if kind == 8:
        return b"[" * 50000 + b"]" * 50000
    if kind == 9:
        return [valid, b"second part", b""]
    batch = [
        json.loads(_request(rng, rng.choice(METHODS), {"api_h": api_h, "port_id": 9}))
        for _ in range(rng.randrange(1, 20))
    ]
    return _frame(json.dumps(batch).encode())


def test_malformed_requests_then_a_normal_flow(
    raw_rpc: RawRpc, trex_bed: TrexBed
) -> None:
    rng = random.Random(20240611)
    codes: Counter[int] = Counter()
    for _ in range(3000):
        reply = raw_rpc.send_raw(_malformed(rng, raw_rpc.api_h))
        if not reply:
            continue  # a message of notifications only
        doc = json.loads(reply)
        for item in doc if isinstance(doc, list) else [doc]:
            codes[item["error"]["code"] if "error" in item else 0] += 1
    print(dict(codes))
    assert codes[-32603] == 0  # no handler failed unexpectedly
    assert codes[-32700] > 500
    assert codes[-32600] > 50
    assert codes[-32601] > 50
    assert codes[-32602] > 200
    assert codes[-32000] > 50
    # the server still serves: the everyday flow with exact counts
    out = trex_bed.client("flow_basic")
    assert out["burst"] == [1000, 76000, 1000, 76000, 1000]
