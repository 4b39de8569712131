"""XOA framing: exact bytes of the client's requests, stream cutting, resync."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from wirespeed.server.xena.wire import (
    BadHeader,
    Message,
    MessageReader,
    MsgType,
    encode_message,
)

# Requests as tdl-xoa-driver 1.11.0 sends them (request id 7), from the notes.
LOGON = bytes.fromhex("58454E41 0000 0004 0301 FF FF 00000007 78656E61")
PS_HEADER_GET = bytes.fromhex("58454E41 0001 0000 02AF 04 00 00000007 00000003")
PS_MODIFIER_SET = bytes.fromhex(
    "58454E41 0002 0010 03B2 04 00 00000007 00000003 00000001"
    "00000000 FFFF0000 00000000 00000001"
)


def test_decode_logon_set() -> None:
    (msg,) = MessageReader().feed(LOGON)
    assert msg == Message(3, 1, 0xFF, 0xFF, 7, (), b"xena")


def test_decode_query_with_index() -> None:
    (msg,) = MessageReader().feed(PS_HEADER_GET)
    assert msg == Message(2, 175, 4, 0, 7, (3,), b"")


def test_decode_two_indices_and_values() -> None:
    (msg,) = MessageReader().feed(PS_MODIFIER_SET)
    assert msg.code == 178
    assert msg.indices == (3, 1)
    assert msg.value == bytes.fromhex("00000000FFFF00000000000000000001")


def test_encode_matches_client_bytes() -> None:
    assert encode_message(Message(3, 1, 0xFF, 0xFF, 7, (), b"xena")) == LOGON
    assert encode_message(Message(2, 175, 4, 0, 7, (3,))) == PS_HEADER_GET


def test_twelve_bit_code_and_padding() -> None:
    raw = encode_message(Message(MsgType.VALUE, 342, 4, 0xFF, 9, (), b"\x04"))
    assert raw[8:10] == b"\x13\x56"  # M_MEDIA: code 0x156, type 3
    assert raw[6:8] == b"\x00\x01"  # unpadded value length
    assert len(raw) == 16 + 4
    assert raw[-3:] == b"\0\0\0"
    (back,) = MessageReader().feed(raw)
    assert (back.code, back.msg_type, back.value) == (342, 3, b"\x04")


def test_pipelined_batch_and_byte_by_byte() -> None:
    stream = LOGON + PS_HEADER_GET + PS_MODIFIER_SET
    assert len(MessageReader().feed(stream)) == 3
    reader = MessageReader()
    out = []
    for i in range(len(stream)):
        out += reader.feed(stream[i : i + 1])
    assert [m.code for m in out if isinstance(m, Message)] == [1, 175, 178]
    assert reader.pending == 0


def test_bad_magic_is_reported_and_skipped() -> None:
    garbage = b"JUNKJUNKJUNK\x00\x00\x00\x2a" + b"xy"
    items = MessageReader().feed(garbage + LOGON)
    assert items[0] == BadHeader(request_id=42, skipped=len(garbage))
    assert items[1] == Message(3, 1, 0xFF, 0xFF, 7, (), b"xena")


def test_bad_magic_without_any_magic_keeps_a_possible_prefix() -> None:
    reader = MessageReader()
    items = reader.feed(b"\x00" * 13 + b"XEN")
    assert items == [
        BadHeader(request_id=int.from_bytes(b"\x00XEN", "big"), skipped=13)
    ]
    assert reader.pending == 3
    (msg,) = reader.feed(LOGON[3:])
    assert msg == Message(3, 1, 0xFF, 0xFF, 7, (), b"xena")


def test_incomplete_body_waits() -> None:
    reader = MessageReader()
    assert reader.feed(PS_MODIFIER_SET[:-1]) == []
    assert len(reader.feed(PS_MODIFIER_SET[-1:])) == 1


@given(
    st.integers(1, 4),
    st.integers(0, 4095),
    st.integers(0, 255),
    st.integers(0, 255),
    st.integers(0, 2**32 - 1),
    st.lists(st.integers(0, 2**32 - 1), max_size=4),
    st.binary(max_size=40),
)
def test_round_trip(kind, code, module, port, req, indices, value) -> None:
    msg = Message(kind, code, module, port, req, tuple(indices), value)
    raw = encode_message(msg)
    assert len(raw) % 4 == 0
    assert MessageReader().feed(raw) == [msg]


@given(st.binary(max_size=300))
def test_reader_never_raises(data: bytes) -> None:
    reader = MessageReader()
    reader.feed(data)
    assert reader.pending < 16 + 4 * 65535 + 65535 + 3 + len(data) + 1
