"""The native RPC's messages: versions, the shape of requests and answers, and
every error of the tree re-raised as its own class with its attributes; plus the
annotation checks arguments and fields go through."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, Literal

import pytest

from wirespeed import errors
from wirespeed.errors import (
    ConfigError,
    OwnershipError,
    ParseError,
    PortError,
    RemoteProtocolError,
    RpcError,
    ValidationError,
    WirespeedError,
)
from wirespeed.model import Rate, RateUnit
from wirespeed.service import WIRE_TYPES, PortStats
from wirespeed.wire import (
    ERROR_TYPES,
    Request,
    check_type,
    decode_request,
    decode_response,
    describe,
    encode_error,
    encode_request,
    encode_result,
    error_from_wire,
    error_to_wire,
    is_checkable,
    peek_id,
)


def test_a_request_and_its_answer_round_trip() -> None:
    req = Request(7, "tester.add_stream", "key", (0, 1), {"rate": Rate.pps(5)})
    raw = encode_request(req, WIRE_TYPES)
    assert json.loads(raw)["v"] == 1
    assert decode_request(raw, WIRE_TYPES) == req
    answer = decode_response(
        encode_result(7, PortStats(tx_packets=9), WIRE_TYPES), WIRE_TYPES
    )
    assert (answer.id, answer.result, answer.error) == (
        7,
        PortStats(tx_packets=9),
        None,
    )


def test_the_documented_shape() -> None:
    raw = encode_request(Request(1, "tester.port_stats", "s", (0,), {}), WIRE_TYPES)
    assert json.loads(raw) == {
        "v": 1, "id": 1, "session": "s", "method": "tester.port_stats",
        "args": [0], "kwargs": {},
    }  # fmt: skip
    exc = OwnershipError("port 0 is owned by 'alice'", port=0)
    assert json.loads(encode_error(1, exc)) == {
        "v": 1,
        "id": 1,
        "error": {
            "type": "OwnershipError",
            "message": "port 0 is owned by 'alice'",
            "field": None,
            "port": 0,
        },
    }


@pytest.mark.parametrize("version", [0, 2, "1", None])
def test_another_version_is_refused_saying_which_is_spoken(version: object) -> None:
    msg = {"v": version, "id": 3, "method": "tester.ports", "args": [], "kwargs": {}}
    raw = json.dumps(msg).encode()
    with pytest.raises(RemoteProtocolError, match="this side speaks version 1"):
        decode_request(raw, WIRE_TYPES)
    assert peek_id(raw) == 3
    with pytest.raises(RemoteProtocolError, match="version 1"):
        decode_response(
            json.dumps({"v": version, "id": 3, "result": 1}).encode(), WIRE_TYPES
        )


@pytest.mark.parametrize(
    ("raw", "says"),
    [
        (b"\xff\x00", "not a JSON message"),
        (b"[1]", "a JSON object"),
        (b'{"v": 1, "id": 1, "method": "x", "args": [NaN]}', "not a JSON"),
        (b'{"v": 1, "id": "1", "method": "x"}', "id is an integer"),
        (b'{"v": 1, "id": true, "method": "x"}', "id is an integer"),
        (b'{"v": 1, "id": 1}', "names its method"),
        (b'{"v": 1, "id": 1, "method": "x", "session": 5}', "session is a string"),
        (b'{"v": 1, "id": 1, "method": "x", "args": {}}', "args are a list"),
        (b'{"v": 1, "id": 1, "method": "x", "args": [{"$": "Popen"}]}', "not a type"),
    ],
)
def test_a_malformed_request_is_refused(raw: bytes, says: str) -> None:
    with pytest.raises(RemoteProtocolError, match=says):
        decode_request(raw, WIRE_TYPES)


def test_peek_id_finds_what_it_can() -> None:
    assert peek_id(b"garbage") is None
    assert peek_id(b'{"id": 4}') == 4
    assert peek_id(b'{"id": true}') is None
    assert peek_id(b"[4]") is None


def test_the_error_table_is_the_whole_tree() -> None:
    tree = {
        name
        for name in errors.__all__
        if isinstance(getattr(errors, name), type)
        and issubclass(getattr(errors, name), WirespeedError)
    }
    assert set(ERROR_TYPES) == tree


ERRORS: list[WirespeedError] = [
    ValidationError("must be > 0", field="rate.value"),
    ConfigError("unknown key", field="streams.0.x"),
    ConfigError("no field"),
    OwnershipError("port 1 is owned by 'bob'", port=1),
    PortError("did not answer", port=None),
    ParseError("short", offset=12, layer="IPv4"),
    RpcError("boom", code=-32001, data={"host": "a"}),
    errors.RpcTimeout("no answer", data=["x"]),
    *(cls("plain") for cls in (WirespeedError, errors.PacketError, errors.BuildError,
                               errors.TopologyError, errors.ProtocolError,
                               errors.LocalProtocolError, RemoteProtocolError)),
    errors.StateError("busy", port=3),
]  # fmt: skip


@pytest.mark.parametrize("exc", ERRORS, ids=lambda e: type(e).__name__)
def test_an_error_comes_back_as_the_same_class(exc: WirespeedError) -> None:
    answer = decode_response(encode_error(5, exc), WIRE_TYPES)
    back = answer.error
    assert answer.id == 5
    assert type(back) is type(exc)
    assert str(back) == str(exc)
    for attr in ("field", "reason", "port", "offset", "layer", "code", "data"):
        assert getattr(back, attr, None) == getattr(exc, attr, None), attr


def test_unknown_or_malformed_errors_are_protocol_errors() -> None:
    back = error_from_wire({"type": "KeyboardInterrupt", "message": "x"})
    assert type(back) is RemoteProtocolError
    assert "unknown type 'KeyboardInterrupt'" in str(back)
    assert type(error_from_wire("nope")) is RemoteProtocolError
    assert type(error_from_wire({"type": "PortError"})) is RemoteProtocolError
    odd = error_from_wire({"type": "PortError", "message": "m", "port": "x"})
    assert isinstance(odd, PortError)
    assert odd.port is None
    assert error_to_wire(RpcError("x", data={1, 2}))["data"] is None


def test_an_answer_holds_a_result_or_an_error() -> None:
    with pytest.raises(RemoteProtocolError, match="a result or an error"):
        decode_response(b'{"v": 1, "id": 1}', WIRE_TYPES)


@pytest.mark.parametrize(
    ("value", "hint", "ok"),
    [
        (1, int, True), (True, int, False), (1, float, True), (1.5, int, False),
        (True, bool, True), (None, int | None, True), ("a", int | None, False),
        ([1, 2], list[int], True), ((1, 2), list[int], False),
        ([1, "x"], list[int], False),
        ((1, 2), Sequence[int], True), ((1, "a"), tuple[int, str], True),
        ((1,), tuple[int, str], False), ((1, 2, 3), tuple[int, ...], True),
        ({"a": 1}, dict[str, int], True), ({1: 1}, dict[str, int], False),
        ("x", Literal["x", "y"], True), ("z", Literal["x", "y"], False),
        (object(), Any, True), (Rate.pps(1), Rate, True), (RateUnit.PPS, Rate, False),
        (b"x", bytes, True), ("x", bytes, False),
    ],
)  # fmt: skip
def test_check_type(value: object, hint: Any, ok: bool) -> None:
    if ok:
        check_type(value, hint, "f")
    else:
        with pytest.raises(ValidationError) as exc:
            check_type(value, hint, "f")
        assert exc.value.field == "f"
        assert exc.value.reason.startswith(f"expected {describe(hint)}, got ")


def test_what_annotations_can_be_checked() -> None:
    assert is_checkable(list[int] | None)
    assert is_checkable(dict[str, tuple[int, ...]])
    assert not is_checkable(list["int"])
    assert not is_checkable(set[int])
    assert (
        describe(dict[str, tuple[int, ...]] | None)
        == "dict[str, tuple[int, ...]] | None"
    )
