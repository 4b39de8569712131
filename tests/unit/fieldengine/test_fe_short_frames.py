"""Frames under 60 bytes (no FCS): test frames are built at 60, others as given.

The socket pads a short frame with zeros, as a NIC does (the TX counters count it
padded); a TPLD would then not end the frame, so a frame with one is built at 60
bytes: payload up to its TPLD, length fields to match.
"""

from __future__ import annotations

import numpy as np
import pytest
from scapy.layers.inet import IP, UDP
from scapy.layers.l2 import Ether

from wirespeed.fieldengine import TpldStamp, compile_stream
from wirespeed.model import (
    FlowVar,
    FrameLength,
    LengthType,
    Payload,
    PayloadType,
    SegmentType,
    Stream,
    TrimPktSize,
    VmProgram,
)
from wirespeed.tpld import TpldMode, decode_batch

HDR = bytes(
    Ether(dst="02:00:00:00:00:02", src="02:00:00:00:00:01")
    / IP(src="198.18.0.1", dst="198.19.0.1")
    / UDP(sport=7, dport=9)
)  # 42 bytes
SEGMENTS = (SegmentType.ETHERNET, SegmentType.IP, SegmentType.UDP)


def _stream(length: FrameLength, **kw: object) -> Stream:
    return Stream(
        packet=HDR,
        segments=SEGMENTS,
        length=length,
        payload=Payload(PayloadType.PATTERN, b"\xee"),
        **kw,
    )


def test_frames_without_a_tpld_are_built_as_given() -> None:
    gen = compile_stream(_stream(FrameLength.fixed(52)))
    batch = gen.fill(3)
    assert batch.lengths.tolist() == [48] * 3
    assert len(batch.frame(0)) == 48
    assert IP(batch.frame(0)[14:]).len == 34
    # what the TX counters add: each frame padded to 60, plus the FCS
    assert batch.sent_bytes(3) == 3 * 64
    assert gen.mean_frame_len == 64.0


def test_sent_bytes_of_mixed_sizes_count_short_frames_padded() -> None:
    gen = compile_stream(_stream(FrameLength(LengthType.INCREMENTING, 58, 70)))
    batch = gen.fill(13)
    assert batch.lengths.tolist() == list(range(54, 67))
    assert batch.sent_bytes(13) == 7 * 60 + sum(range(61, 67)) + 13 * 4
    assert batch.sent_bytes(2) == 2 * 64


def test_a_test_frame_under_60_bytes_is_built_at_60() -> None:
    mode = TpldMode.MICRO  # 6 bytes: 42 + 6 fit in a 52-byte frame
    gen = compile_stream(_stream(FrameLength.fixed(56), tpld_id=3), tpld_mode=mode)
    batch = gen.fill(4, TpldStamp(3, 0), 1000)
    assert batch.lengths.tolist() == [60] * 4
    frame = batch.frame(0)
    assert len(frame) == 60
    assert (IP(frame[14:]).len, UDP(frame[34:]).len) == (46, 26)
    assert frame[42:54] == b"\xee" * 12
    data = np.frombuffer(b"".join(batch.frame(i) for i in range(4)), np.uint8)
    dec = decode_batch(data.reshape(4, 60), np.full(4, 60), mode)
    assert dec.valid.all()
    assert dec.tid.tolist() == [3] * 4
    assert batch.sent_bytes(4) == 4 * 64
    assert gen.mean_frame_len == 64.0


@pytest.mark.parametrize(
    ("length", "sizes"),
    [
        (FrameLength(LengthType.INCREMENTING, 60, 70), [60] * 5 + [61, 62]),
        (FrameLength(LengthType.BUTTERFLY, 56, 70), [60, 66, 60, 65, 60, 64, 60]),
        (FrameLength(LengthType.MIX, mix=((56, 1), (128, 1))), [60, 124] * 3 + [60]),
    ],
)
def test_size_patterns_of_test_frames_start_at_60(length, sizes) -> None:
    gen = compile_stream(_stream(length, tpld_id=3), tpld_mode=TpldMode.MICRO)
    assert gen.fill(7, TpldStamp(3, 0), 0).lengths.tolist() == sizes


def test_random_sizes_of_test_frames_start_at_60() -> None:
    length = FrameLength(LengthType.RANDOM, 56, 68)
    gen = compile_stream(_stream(length, tpld_id=3), seed=5, tpld_mode=TpldMode.MICRO)
    sizes = gen.fill(4000, TpldStamp(3, 0), 0).lengths
    assert int(sizes.min()) == 60
    assert int(sizes.max()) == 64
    # 56..68 uniform: 9 of 13 sizes (56..64) become 60
    assert 0.6 < float(np.mean(sizes == 60)) < 0.78
    assert gen.mean_frame_len == pytest.approx((9 * 64 + sum(range(65, 69))) / 13)


def test_trimmed_test_frames_start_at_60() -> None:
    vm = VmProgram(
        (FlowVar("sz", size=2, min_value=50, max_value=62), TrimPktSize("sz"))
    )
    stream = Stream(packet=HDR + bytes(40), header_len_bytes=42, vm=vm, tpld_id=3)
    gen = compile_stream(stream, tpld_mode=TpldMode.MICRO)
    sizes = gen.fill(13, TpldStamp(3, 0), 0).lengths.tolist()
    assert sizes == [60] * 11 + [61, 62]
    plain = compile_stream(Stream(packet=HDR + bytes(40), header_len_bytes=42, vm=vm))
    assert plain.fill(13).lengths.tolist() == list(range(50, 63))
    assert plain.mean_frame_len == pytest.approx((11 * 60 + 61 + 62) / 13 + 4)


def test_trimmed_frames_hold_a_tpld_behind_a_long_header() -> None:
    # the trim variable never goes below 70 bytes: 42 header + 20 TPLD fit, though
    # a trimmed frame could be as short as 60 had the variable allowed it
    vm = VmProgram(
        (FlowVar("sz", size=2, min_value=70, max_value=72), TrimPktSize("sz"))
    )
    stream = Stream(packet=HDR + bytes(40), header_len_bytes=42, vm=vm, tpld_id=3)
    stream.validate_for_port(TpldMode.NORMAL.length)
    gen = compile_stream(stream, tpld_mode=TpldMode.NORMAL)
    batch = gen.fill(3, TpldStamp(3, 0), 0)
    assert batch.lengths.tolist() == [70, 71, 72]
    rows = np.zeros((3, 72), np.uint8)
    for i in range(3):
        rows[i, : 70 + i] = np.frombuffer(batch.frame(i), np.uint8)
    dec = decode_batch(rows, batch.lengths, TpldMode.NORMAL)
    assert dec.valid.all()
    assert dec.seq.tolist() == [0, 1, 2]
