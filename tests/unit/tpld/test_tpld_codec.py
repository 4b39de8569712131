"""Vectorised TPLD encode/decode (wirespeed.tpld.codec)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scapy.utils import checksum as scapy_checksum

from wirespeed.errors import ValidationError
from wirespeed.tpld import (
    DecodeStatus,
    TpldFields,
    TpldMode,
    decode_any,
    decode_batch,
    encode_batch,
    highest_tid,
    internet_checksum,
    internet_checksum_ranges,
    latency_ns,
)

PI = TpldMode.NORMAL_WITH_PAYLOAD_CHECKSUM


def _payload(n: int, width: int, seed: int = 1) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (n, width), dtype=np.uint8)


def test_encode_writes_last_bytes_of_each_frame_exactly() -> None:
    frames = np.zeros((2, 70), dtype=np.uint8)
    encode_batch(
        frames,
        [64, 60],
        mode=TpldMode.NORMAL,
        tid=0x1234,
        seq=0x010203,
        tx_ns=0x1_2345_6789,
        is_first=True,
        pi_offset=0x2AB,
    )
    assert frames[0, 44:64].tobytes() == bytes.fromhex(
        "010203123456781234ab8029be9bf52141640ade"
    )
    second = TpldFields(
        tid=0x1234, seq=0x010204, ts_ns=0x1_2345_6789, is_first=True, pi_offset=0x2AB
    )
    assert frames[1, 40:60].tobytes() == second.to_bytes(TpldMode.NORMAL)
    assert not frames[0, :44].any()
    assert not frames[0, 64:].any()
    assert not frames[1, :40].any()
    assert not frames[1, 60:].any()


def test_scalar_sequence_start_wraps_at_24_bits() -> None:
    frames = np.zeros((4, 64), dtype=np.uint8)
    encode_batch(frames, 64, mode=TpldMode.NORMAL, tid=1, seq=0xFFFFFE, tx_ns=0)
    decoded = decode_batch(frames, np.full(4, 64), TpldMode.NORMAL)
    assert decoded.seq.tolist() == [0xFFFFFE, 0xFFFFFF, 0, 1]
    assert decoded.valid.all()


def test_micro_exact_bytes_and_decode() -> None:
    frames = np.zeros((1, 64), dtype=np.uint8)
    encode_batch(
        frames, [64], mode=TpldMode.MICRO, tid=1000, tx_ns=0xABCDEF0, is_first=True
    )
    assert frames[0, 58:].tobytes() == bytes.fromhex("be80abcdef38")
    decoded = decode_batch(frames, [64], TpldMode.MICRO)
    assert decoded.valid.tolist() == [True]
    assert decoded.tid.tolist() == [1000]
    assert decoded.ts_ns.tolist() == [0xABCDEF0]
    assert decoded.is_first.tolist() == [True]
    assert decoded.seq.tolist() == [0]


@st.composite
def batches(draw: st.DrawFn, mode: TpldMode) -> tuple:
    n = draw(st.integers(1, 12))
    width = 96
    lengths = draw(
        st.lists(st.integers(mode.length + 30, width), min_size=n, max_size=n)
    )
    tids = draw(st.lists(st.integers(0, mode.max_tid), min_size=n, max_size=n))
    seqs = draw(st.lists(st.integers(0, 0xFFFFFF), min_size=n, max_size=n))
    tx = draw(st.lists(st.integers(0, (1 << 62)), min_size=n, max_size=n))
    first = draw(st.lists(st.booleans(), min_size=n, max_size=n))
    pio = draw(st.lists(st.integers(0, 30), min_size=n, max_size=n))
    return n, width, lengths, tids, seqs, tx, first, pio


@pytest.mark.parametrize("mode", list(TpldMode))
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_batch_matches_scalar_codec_and_round_trips(
    mode: TpldMode, data: st.DataObject
) -> None:
    n, width, lengths, tids, seqs, tx, first, pio = data.draw(batches(mode))
    frames = _payload(n, width)
    before = frames.copy()
    encode_batch(
        frames,
        np.array(lengths),
        mode=mode,
        tid=np.array(tids),
        seq=np.array(seqs),
        tx_ns=np.array(tx),
        is_first=np.array(first),
        pi_offset=np.array(pio),
    )
    decoded = decode_batch(frames, np.array(lengths), mode)
    assert decoded.valid.all()
    assert (decoded.status == DecodeStatus.OK).all()
    for i in range(n):
        end = lengths[i]
        start = end - mode.length
        assert np.array_equal(frames[i, :start], before[i, :start])
        assert np.array_equal(frames[i, end:], before[i, end:])
        if mode is TpldMode.MICRO:
            want = TpldFields(tid=tids[i], ts_ns=tx[i] & 0xFFFF_FFF0, is_first=first[i])
        elif mode is TpldMode.TREX:  # the whole time is sent, 36 bits read back
            sent = TpldFields(tid=tids[i], seq=seqs[i], ts_ns=tx[i], is_first=first[i])
            assert frames[i, start:end].tobytes() == sent.to_bytes(mode)
            want = replace(sent, ts_ns=tx[i] & ((1 << 36) - 1))
            assert TpldFields.from_bytes(sent.to_bytes(mode), mode) == want
            assert (decoded.tid[i], decoded.seq[i]) == (want.tid, want.seq)
            assert (decoded.ts_ns[i], decoded.is_first[i]) == (want.ts_ns, first[i])
            assert decoded.pi_offset[i] == 0
            continue
        else:
            pic = (
                internet_checksum(frames[i, pio[i] : start].tobytes())
                if (mode is PI)
                else 0
            )
            want = TpldFields(
                tid=tids[i],
                seq=seqs[i],
                ts_ns=tx[i] & ((1 << 36) - 1),
                is_first=first[i],
                has_pi_checksum=mode is PI,
                pi_offset=pio[i],
                pi_checksum=pic,
            )
        got = frames[i, start:end].tobytes()
        assert got == want.to_bytes(mode)
        assert TpldFields.from_bytes(got, mode) == want
        assert decoded.tid[i] == want.tid
        assert decoded.seq[i] == want.seq
        assert decoded.ts_ns[i] == want.ts_ns
        assert decoded.is_first[i] == want.is_first
        assert decoded.pi_offset[i] == want.pi_offset
    assert decoded.pi_checked.tolist() == [mode is PI] * n
    assert decoded.pi_ok.all()


def test_corrupted_tpld_is_rejected_and_classified() -> None:
    frames = np.zeros((5, 64), dtype=np.uint8)
    encode_batch(frames, 64, mode=TpldMode.NORMAL, tid=9, seq=0, tx_ns=123)
    frames[1, 44] ^= 0x01  # sequence bit: CRC fails, marker intact
    frames[2, 60] ^= 0x10  # complement word broken: no TPLD
    frames[3, 49] ^= 0x80  # TID byte: CRC fails
    lengths = np.array([64, 64, 64, 64, 19])
    decoded = decode_batch(frames, lengths, TpldMode.NORMAL)
    assert decoded.valid.tolist() == [True, False, False, False, False]
    assert decoded.status.tolist() == [
        DecodeStatus.OK,
        DecodeStatus.BAD_CHECKSUM,
        DecodeStatus.NOT_TPLD,
        DecodeStatus.BAD_CHECKSUM,
        DecodeStatus.TOO_SHORT,
    ]
    assert decoded.count(DecodeStatus.BAD_CHECKSUM) == 2
    assert decoded.count(DecodeStatus.TOO_SHORT) == 1


def test_frames_without_tpld_are_not_tpld() -> None:
    frames = _payload(2000, 64, seed=7)
    decoded = decode_batch(frames, np.full(2000, 64), TpldMode.NORMAL)
    assert decoded.count(DecodeStatus.NOT_TPLD) == 2000
    assert not decoded.valid.any()


def test_micro_checksum_failure_and_short_frames() -> None:
    frames = np.zeros((3, 16), dtype=np.uint8)
    encode_batch(frames, 16, mode=TpldMode.MICRO, tid=3, tx_ns=0)
    frames[1, 12] ^= 0x04
    decoded = decode_batch(frames, np.array([16, 16, 5]), TpldMode.MICRO)
    assert decoded.status.tolist() == [
        DecodeStatus.OK,
        DecodeStatus.NOT_TPLD,
        DecodeStatus.TOO_SHORT,
    ]


def test_payload_checksum_detects_payload_corruption() -> None:
    frames = _payload(3, 80)
    encode_batch(
        frames, [80, 75, 80], mode=PI, tid=5, seq=10, tx_ns=0, pi_offset=[14, 15, 58]
    )
    frames[1, 30] ^= 0xFF  # inside [15, 53)
    frames[2, 20] ^= 0xFF  # before offset 58: not covered
    decoded = decode_batch(frames, [80, 75, 80], PI)
    assert decoded.valid.all()
    assert decoded.pi_checked.tolist() == [True, True, True]
    assert decoded.pi_ok.tolist() == [True, False, True]


def test_payload_checksum_flag_off_means_not_checked() -> None:
    frames = np.zeros((1, 64), dtype=np.uint8)
    raw = TpldFields(tid=1, pi_checksum=0x1111).to_bytes(PI)  # flag not set
    frames[0, 42:] = np.frombuffer(raw, dtype=np.uint8)
    decoded = decode_batch(frames, [64], PI)
    assert decoded.valid.tolist() == [True]
    assert decoded.pi_checked.tolist() == [False]
    assert decoded.pi_ok.tolist() == [True]


@given(st.lists(st.binary(min_size=0, max_size=60), min_size=1, max_size=8), st.data())
def test_internet_checksum_ranges_matches_scapy(
    chunks: list, data: st.DataObject
) -> None:
    width = 64
    frames = np.zeros((len(chunks), width), dtype=np.uint8)
    starts, ends = [], []
    for i, chunk in enumerate(chunks):
        start = data.draw(st.integers(0, width - len(chunk)))
        frames[i, start : start + len(chunk)] = np.frombuffer(chunk, dtype=np.uint8)
        starts.append(start)
        ends.append(start + len(chunk))
    got = internet_checksum_ranges(frames, np.array(starts), np.array(ends))
    want = [scapy_checksum(c) if c else 0xFFFF for c in chunks]
    assert got.tolist() == want
    assert [internet_checksum(c) for c in chunks] == want


def test_internet_checksum_known_value() -> None:
    # RFC 1071 section 3 example words: 0001 f203 f4f5 f6f7 -> sum 0xddf2.
    data = bytes.fromhex("0001f203f4f5f6f7")
    assert internet_checksum(data) == 0xFFFF - 0xDDF2
    frames = np.frombuffer(data, dtype=np.uint8).reshape(1, 8)
    assert internet_checksum_ranges(frames, np.array([0]), np.array([8])).tolist() == [
        0xFFFF - 0xDDF2
    ]


def test_strided_frame_views_are_supported() -> None:
    big = np.zeros((4, 128), dtype=np.uint8)
    view = big[:, :64]
    encode_batch(view, [64, 64, 50, 64], mode=PI, tid=2, seq=0, tx_ns=5, pi_offset=14)
    decoded = decode_batch(view, [64, 64, 50, 64], PI)
    assert decoded.valid.all()
    assert decoded.pi_ok.all()
    assert decoded.seq.tolist() == [0, 1, 2, 3]
    assert not big[:, 64:].any()


def test_latency_is_signed_modulo_the_timestamp_wrap() -> None:
    wrap = 1 << 36
    rx = np.array([1000, wrap + 5, 3 * wrap + 100, 10], dtype=np.int64)
    ts = np.array([400, wrap - 5, 200, 50], dtype=np.int64)
    assert latency_ns(rx, ts, TpldMode.NORMAL).tolist() == [600, 10, -100, -40]
    rx_m = np.array([(7 << 32) + 0x20, 0x1000], dtype=np.int64)
    ts_m = np.array([0xFFFF_FFF0, 0x1010], dtype=np.int64)
    assert latency_ns(rx_m, ts_m, TpldMode.MICRO).tolist() == [0x30, -0x10]


@pytest.mark.parametrize(
    ("kwargs", "lengths", "field"),
    [
        ({"tid": 1}, [19, 64], "lengths"),
        ({"tid": 1}, [64, 65], "lengths"),
        ({"tid": 0x10000}, [64, 64], "tid"),
        ({"tid": [1, 2, 3]}, [64, 64], "tid"),
        ({"tid": 1, "pi_offset": 2048}, [64, 64], "pi_offset"),
    ],
)
def test_encode_validation_names_the_argument(
    kwargs: dict, lengths: list, field: str
) -> None:
    frames = np.zeros((2, 64), dtype=np.uint8)
    with pytest.raises(ValidationError) as info:
        encode_batch(frames, lengths, mode=TpldMode.NORMAL, tx_ns=0, **kwargs)
    assert info.value.field == field


def test_pi_offset_beyond_tpld_start_is_refused() -> None:
    frames = np.zeros((1, 64), dtype=np.uint8)
    with pytest.raises(ValidationError) as info:
        encode_batch(frames, [64], mode=PI, tid=1, tx_ns=0, pi_offset=43)
    assert info.value.field == "pi_offset"
    encode_batch(frames, [64], mode=PI, tid=1, tx_ns=0, pi_offset=42)
    decoded = decode_batch(frames, [64], PI)
    assert decoded.pi_ok.tolist() == [True]
    assert frames[0, 42:44].tobytes() == b"\xff\xff"  # empty range


def test_micro_tid_limit() -> None:
    frames = np.zeros((1, 64), dtype=np.uint8)
    with pytest.raises(ValidationError) as info:
        encode_batch(frames, [64], mode=TpldMode.MICRO, tid=1024, tx_ns=0)
    assert info.value.field == "tid"


def test_empty_batch() -> None:
    frames = np.zeros((0, 64), dtype=np.uint8)
    encode_batch(frames, np.zeros(0, dtype=np.int64), mode=PI, tid=1, tx_ns=0)
    decoded = decode_batch(frames, np.zeros(0, dtype=np.int64), PI)
    assert decoded.valid.shape == (0,)


def test_a_port_reads_xena_and_trex_tplds_alike() -> None:
    """20-byte normal and TRex-style frames on one port: both decoded, others not;
    a micro port reads micro TPLDs only."""
    frames = np.full((4, 70), 0x55, dtype=np.uint8)
    lens = np.array([70, 64, 60, 70])
    encode_batch(frames[:1], lens[:1], mode=TpldMode.NORMAL, tid=40000, seq=5, tx_ns=7)
    encode_batch(frames[1:3], lens[1:3], mode=TpldMode.TREX, tid=[3, 4], seq=9,
                 tx_ns=11, is_first=[True, False])  # fmt: skip
    for mode in (TpldMode.NORMAL, TpldMode.TREX):
        d = decode_any(frames, lens, mode)
        assert d.valid.tolist() == [True, True, True, False]
        assert d.tid[:3].tolist() == [40000, 3, 4]
        assert d.seq[:3].tolist() == [5, 9, 10]
        assert d.ts_ns[:3].tolist() == [7, 11, 11]
        assert d.is_first[:3].tolist() == [False, True, False]
        assert d.status.tolist() == [DecodeStatus.OK] * 3 + [DecodeStatus.NOT_TPLD]
    assert highest_tid(TpldMode.TREX) == highest_tid(TpldMode.NORMAL) == 0xFFFF
    assert decode_any(frames, lens, TpldMode.MICRO).valid[1:3].tolist() == [0, 0]
    assert highest_tid(TpldMode.MICRO) == 0x3FF
