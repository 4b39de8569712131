"""The zlib envelope: round trips and every way a frame can be broken."""

from __future__ import annotations

import struct
import zlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wirespeed.errors import RemoteProtocolError
from wirespeed.server.trex.framing import MAGIC, decode_frame, encode_frame


def _frame(payload: bytes) -> bytes:
    return struct.pack(">II", MAGIC, len(payload)) + zlib.compress(payload)


def test_client_framing_is_decoded() -> None:
    body = b'{"jsonrpc":"2.0","method":"ping","id":"ab12cd34"}'
    out = decode_frame(_frame(body))
    assert out.payload == body
    assert out.was_compressed is True


def test_plain_json_passes_through() -> None:
    out = decode_frame(b'{"a":1}')
    assert out.payload == b'{"a":1}'
    assert out.was_compressed is False


def test_short_message_is_plain() -> None:
    assert decode_frame(b"\xab\xe8").payload == b"\xab\xe8"


def test_encode_matches_the_client_layout() -> None:
    assert encode_frame(b"hello", compress=True) == _frame(b"hello")
    assert encode_frame(b"hello", compress=False) == b"hello"


@given(st.binary(max_size=4000))
def test_round_trip(payload: bytes) -> None:
    out = decode_frame(encode_frame(payload, compress=True))
    assert (out.payload, out.was_compressed) == (payload, True)


@pytest.mark.parametrize(
    ("frame", "words"),
    [
        (_frame(b"x" * 100)[:-5], "truncated"),
        (struct.pack(">II", MAGIC, 10) + b"not zlib at all", "not valid zlib"),
        (struct.pack(">II", MAGIC, 3) + zlib.compress(b"abcdef"), "more than"),
        (struct.pack(">II", MAGIC, 9) + zlib.compress(b"abcdef"), "mismatch"),
        (_frame(b"abc") + b"junk", "after the zlib stream"),
        (struct.pack(">II", MAGIC, 2**31) + zlib.compress(b"a"), "limit"),
        (struct.pack(">II", MAGIC, 0), "truncated"),
    ],
)
def test_broken_frames_name_the_problem(frame: bytes, words: str) -> None:
    with pytest.raises(RemoteProtocolError) as info:
        decode_frame(frame)
    assert words in str(info.value)


def test_decompression_bomb_is_bounded() -> None:
    bomb = struct.pack(">II", MAGIC, 1000) + zlib.compress(b"\0" * 10_000_000)
    with pytest.raises(RemoteProtocolError, match="more than the announced 1000"):
        decode_frame(bomb)
