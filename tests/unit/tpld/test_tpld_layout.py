"""Exact TPLD byte layouts and scalar round trips (wirespeed.tpld.layout)."""

from __future__ import annotations

import zlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wirespeed.errors import ParseError, ValidationError
from wirespeed.tpld import TpldFields, TpldMode

# seq 0x010203, tx 0x1_2345_6789 ns, TID 0x1234, PI offset 0x2AB, first packet:
#   seq      01 02 03
#   ts16     12 34 56 78       (0x123456789 >> 4)
#   TID      12 34
#   PIoff    ab                (offset & 0xFF)
#   word     80 29             first (0x8000) | PI MSB 2 << 4 | decimals 9
#   CRC32    be 9b f5 21       zlib.crc32 of the 12 bytes above
#   ~CRC32   41 64 0a de
NORMAL_CORE = bytes.fromhex("010203123456781234ab8029")
NORMAL_BYTES = NORMAL_CORE + bytes.fromhex("be9bf52141640ade")
NORMAL_FIELDS = TpldFields(
    tid=0x1234, seq=0x010203, ts_ns=0x1_2345_6789, is_first=True, pi_offset=0x2AB
)

# micro: first | TID 1000 (0x3E8) << 28 | ts16 0xABCDEF  = 0xBE80ABCDEF, then
# the low byte of zlib.crc32 of those 5 bytes.
MICRO_BYTES = bytes.fromhex("be80abcdef38")
MICRO_FIELDS = TpldFields(tid=1000, ts_ns=0xABCDEF0, is_first=True)


def test_crc_of_hand_built_core_is_the_documented_value() -> None:
    assert zlib.crc32(NORMAL_CORE) == 0xBE9BF521
    assert zlib.crc32(bytes.fromhex("be80abcdef")) & 0xFF == 0x38


def test_normal_layout_exact_bytes() -> None:
    assert NORMAL_FIELDS.to_bytes(TpldMode.NORMAL) == NORMAL_BYTES
    assert TpldFields.from_bytes(NORMAL_BYTES, TpldMode.NORMAL) == NORMAL_FIELDS


def test_payload_checksum_form_prefixes_two_bytes_and_sets_flag() -> None:
    fields = TpldFields(
        tid=7,
        seq=0xFFFFFF,
        ts_ns=0xF_FFFF_FFFF,
        has_pi_checksum=True,
        pi_offset=14,
        pi_checksum=0xBEEF,
    )
    data = fields.to_bytes(TpldMode.NORMAL_WITH_PAYLOAD_CHECKSUM)
    core = bytes.fromhex("ffffffffffffff00070e400f")
    crc = zlib.crc32(core)
    assert data == (
        bytes.fromhex("beef")
        + core
        + crc.to_bytes(4, "big")
        + (crc ^ 0xFFFFFFFF).to_bytes(4, "big")
    )
    assert len(data) == 22
    back = TpldFields.from_bytes(data, TpldMode.NORMAL_WITH_PAYLOAD_CHECKSUM)
    assert back == fields


def test_micro_layout_exact_bytes() -> None:
    assert MICRO_FIELDS.to_bytes(TpldMode.MICRO) == MICRO_BYTES
    assert TpldFields.from_bytes(MICRO_BYTES, TpldMode.MICRO) == MICRO_FIELDS


def test_timestamp_is_stored_modulo_its_wrap() -> None:
    big = TpldFields(tid=1, ts_ns=(5 << 36) + 0x123)
    back = TpldFields.from_bytes(big.to_bytes(TpldMode.NORMAL), TpldMode.NORMAL)
    assert back.ts_ns == 0x123
    micro = TpldFields(tid=1, ts_ns=(3 << 32) + 0x1237)
    back = TpldFields.from_bytes(micro.to_bytes(TpldMode.MICRO), TpldMode.MICRO)
    assert back.ts_ns == 0x1230  # truncated to 16 ns


def test_mode_properties() -> None:
    assert [m.length for m in TpldMode] == [20, 22, 6, 16]
    assert [m.has_sequence for m in TpldMode] == [True, True, False, True]
    assert [m.ts_bits for m in TpldMode] == [36, 36, 32, 36]
    assert [m.max_tid for m in TpldMode] == [0xFFFF, 0xFFFF, 0x3FF, 0x7FFF]
    assert [m.check_index for m in TpldMode] == [19, 21, 5, 1]


def test_trex_form_bytes_are_trex_latency_header_layout() -> None:
    """magic 0xAB, check, hw_id LE (bit 15 first), seq LE, time LE: exact bytes."""
    f = TpldFields(tid=0x1234, seq=0x0A0B0C, ts_ns=0x0102030405060708, is_first=True)
    raw = f.to_bytes(TpldMode.TREX)
    body = bytes.fromhex("34920c0b0a000807060504030201")
    assert raw == bytes([0xAB, zlib.crc32(body) & 0xFF]) + body
    back = TpldFields.from_bytes(raw, TpldMode.TREX)
    assert back == TpldFields(tid=0x1234, seq=0x0A0B0C, ts_ns=0x405060708 & 0xFFFFFFFFF,
                              is_first=True)  # fmt: skip
    for k, why in ((0, "not a TRex-style TPLD"), (7, "not a TRex-style TPLD"),
                   (1, "check mismatch"), (9, "check mismatch")):  # fmt: skip
        bad = bytearray(raw)
        bad[k] ^= 0x40
        with pytest.raises(ParseError, match=why):
            TpldFields.from_bytes(bytes(bad), TpldMode.TREX)


@pytest.mark.parametrize(
    ("fields", "mode", "field"),
    [
        (TpldFields(tid=0x10000), TpldMode.NORMAL, "tid"),
        (TpldFields(tid=-1), TpldMode.NORMAL, "tid"),
        (TpldFields(tid=1024), TpldMode.MICRO, "tid"),
        (TpldFields(tid=1, seq=1 << 24), TpldMode.NORMAL, "seq"),
        (TpldFields(tid=1, pi_offset=2048), TpldMode.NORMAL, "pi_offset"),
        (TpldFields(tid=1, ts_ns=-1), TpldMode.NORMAL, "ts_ns"),
        (
            TpldFields(tid=1, pi_checksum=0x10000),
            TpldMode.NORMAL_WITH_PAYLOAD_CHECKSUM,
            "pi_checksum",
        ),
    ],
)
def test_out_of_range_fields_are_named(
    fields: TpldFields, mode: TpldMode, field: str
) -> None:
    with pytest.raises(ValidationError) as info:
        fields.to_bytes(mode)
    assert info.value.field == field


@pytest.mark.parametrize("mode", list(TpldMode))
def test_wrong_length_is_a_parse_error(mode: TpldMode) -> None:
    with pytest.raises(ParseError):
        TpldFields.from_bytes(bytes(mode.length - 1), mode)


@pytest.mark.parametrize(
    ("mode", "data"),
    [(TpldMode.NORMAL, NORMAL_BYTES), (TpldMode.MICRO, MICRO_BYTES)],
)
def test_every_single_bit_flip_is_rejected(mode: TpldMode, data: bytes) -> None:
    checked = 20 if mode is TpldMode.NORMAL else 6
    for bit in range(checked * 8):
        bad = bytearray(data)
        bad[bit // 8] ^= 0x80 >> (bit % 8)
        with pytest.raises(ParseError):
            TpldFields.from_bytes(bytes(bad), mode)


normal_fields = st.builds(
    TpldFields,
    tid=st.integers(0, 0xFFFF),
    seq=st.integers(0, 0xFFFFFF),
    ts_ns=st.integers(0, (1 << 36) - 1),
    is_first=st.booleans(),
    has_pi_checksum=st.booleans(),
    pi_offset=st.integers(0, 0x7FF),
)


@given(normal_fields)
def test_normal_round_trip(fields: TpldFields) -> None:
    data = fields.to_bytes(TpldMode.NORMAL)
    assert len(data) == 20
    assert TpldFields.from_bytes(data, TpldMode.NORMAL) == fields


@given(normal_fields, st.integers(0, 0xFFFF))
def test_payload_checksum_form_round_trip(fields: TpldFields, pic: int) -> None:
    fields = TpldFields(
        tid=fields.tid,
        seq=fields.seq,
        ts_ns=fields.ts_ns,
        is_first=fields.is_first,
        has_pi_checksum=fields.has_pi_checksum,
        pi_offset=fields.pi_offset,
        pi_checksum=pic,
    )
    mode = TpldMode.NORMAL_WITH_PAYLOAD_CHECKSUM
    data = fields.to_bytes(mode)
    assert data[2:] == TpldFields(
        tid=fields.tid,
        seq=fields.seq,
        ts_ns=fields.ts_ns,
        is_first=fields.is_first,
        has_pi_checksum=fields.has_pi_checksum,
        pi_offset=fields.pi_offset,
    ).to_bytes(TpldMode.NORMAL)
    assert TpldFields.from_bytes(data, mode) == fields


@given(
    st.integers(0, 0x3FF),
    st.integers(0, (1 << 28) - 1),
    st.booleans(),
)
def test_micro_round_trip(tid: int, ts16: int, first: bool) -> None:
    fields = TpldFields(tid=tid, ts_ns=ts16 << 4, is_first=first)
    data = fields.to_bytes(TpldMode.MICRO)
    assert len(data) == 6
    assert TpldFields.from_bytes(data, TpldMode.MICRO) == fields
