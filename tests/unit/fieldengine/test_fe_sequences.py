"""Flow variables, frame sizes and payloads: exact sequences."""

import numpy as np
import pytest
from scapy.layers.inet import IP, UDP, Ether

from wirespeed.errors import ValidationError
from wirespeed.fieldengine import Prbs31, compile_stream, static_payload
from wirespeed.model import (
    FlowVar,
    FlowVarOp,
    FrameLength,
    LengthType,
    Modifier,
    ModifierAction,
    Payload,
    PayloadType,
    Stream,
    TrimPktSize,
    VmProgram,
    WriteFlowVar,
)

HDR = bytes(Ether() / IP(src="198.18.0.1", dst="198.19.0.1") / UDP(sport=1, dport=2))


def _var_values(var, n, offset=42):
    vm = VmProgram((var, WriteFlowVar(var.name, pkt_offset=offset)))
    stream = Stream(packet=HDR + b"\x00" * 16, vm=vm)
    batch = compile_stream(stream, seed=3).next_batch(n)
    return [int.from_bytes(r[offset : offset + var.size]) for r in batch.data]


@pytest.mark.parametrize(
    ("var", "expected"),
    [
        (FlowVar("a", size=1, min_value=0, max_value=3), [0, 1, 2, 3, 0, 1]),
        (
            FlowVar("a", size=1, min_value=0, max_value=3, op=FlowVarOp.DEC),
            [3, 2, 1, 0, 3],
        ),
        (FlowVar("a", size=1, min_value=0, max_value=10, step=3), [0, 3, 6, 9, 0, 3]),
        (
            FlowVar("a", size=1, min_value=0, max_value=10, step=3, init_value=2),
            [2, 5, 8, 11, 2],
        ),
        (
            FlowVar("a", size=2, min_value=5, max_value=9, init_value=8),
            [8, 9, 5, 6, 7, 8],
        ),
        (
            FlowVar("a", size=1, value_list=(9, 0, 4, 7, 5), op=FlowVarOp.DEC),
            [5, 7, 4, 0, 9, 5],
        ),
        (FlowVar("a", size=1, value_list=(9, 0, 4, 7, 5), step=2), [9, 4, 5, 0, 7, 9]),
        (
            FlowVar("a", size=8, min_value=2**64 - 2, max_value=2**64 - 1),
            [2**64 - 2, 2**64 - 1, 2**64 - 2],
        ),
    ],
)
def test_flow_var_sequences(var, expected):
    assert _var_values(var, len(expected)) == expected


def test_random_flow_var_in_range_and_reproducible():
    var = FlowVar("a", size=2, op=FlowVarOp.RANDOM, min_value=100, max_value=110)
    values = _var_values(var, 500)
    assert set(values) == set(range(100, 111))
    assert _var_values(var, 500) == values


def test_next_var_steps_on_wrap():
    vm = VmProgram(
        (
            FlowVar("a", size=1, min_value=0, max_value=2, next_var="b"),
            FlowVar("b", size=1, min_value=10, max_value=11),
            WriteFlowVar("a", pkt_offset=42),
            WriteFlowVar("b", pkt_offset=43),
        )
    )
    batch = compile_stream(Stream(packet=HDR + b"\x00" * 4, vm=vm)).next_batch(7)
    assert [r[42] for r in batch.data] == [0, 1, 2, 0, 1, 2, 0]
    assert [r[43] for r in batch.data] == [10, 10, 10, 11, 11, 11, 10]


def _sizes(length, n, **kw):
    gen = compile_stream(Stream(packet=HDR, length=length), **kw)
    return (gen.next_batch(n).lengths + 4).tolist(), gen


def test_size_patterns():
    assert _sizes(FrameLength(LengthType.INCREMENTING, 64, 67), 6)[0] == [
        64,
        65,
        66,
        67,
        64,
        65,
    ]
    assert _sizes(FrameLength(LengthType.BUTTERFLY, 64, 68), 7)[0] == [
        64,
        68,
        65,
        67,
        66,
        64,
        68,
    ]
    assert _sizes(FrameLength(LengthType.BUTTERFLY, 64, 67), 5)[0] == [
        64,
        67,
        65,
        66,
        64,
    ]
    mix, gen = _sizes(FrameLength(LengthType.MIX), 13)
    assert mix == [64, 594, 64, 64, 594, 64, 1518, 64, 594, 64, 594, 64, 64]
    assert gen.mean_frame_len == pytest.approx(4342 / 12)
    fixed, gen = _sizes(FrameLength.fixed(100), 2)
    assert fixed == [100, 100]
    assert gen.width == 96


def test_random_sizes_in_range_and_seeded():
    sizes, gen = _sizes(FrameLength(LengthType.RANDOM, 64, 1518), 2000, seed=11)
    assert min(sizes) >= 64
    assert max(sizes) <= 1518
    assert len(set(sizes)) > 500
    assert gen.mean_frame_len == 791.0
    assert _sizes(FrameLength(LengthType.RANDOM, 64, 1518), 2000, seed=11)[0] == sizes


def test_bytes_past_length_are_zero():
    stream = Stream(
        packet=HDR,
        length=FrameLength(LengthType.INCREMENTING, 60, 70),
        payload=Payload(PayloadType.PATTERN, b"\xab"),
    )
    batch = compile_stream(stream).next_batch(11)
    for row, length in zip(batch.data, batch.lengths, strict=True):
        assert (row[length:] == 0).all()
        assert (row[42:length] == 0xAB).all()


def test_static_payloads():
    assert static_payload(PayloadType.INC8, b"", 4).tolist() == [0, 1, 2, 3]
    assert static_payload(PayloadType.DEC8, b"", 3).tolist() == [255, 254, 253]
    assert static_payload(PayloadType.INC16, b"", 6).tolist() == [0, 0, 0, 1, 0, 2]
    assert static_payload(PayloadType.DEC16, b"", 4).tolist() == [255, 255, 255, 254]
    assert bytes(
        static_payload(PayloadType.PATTERN, b"\xff\xff\x00\x00", 6)
    ) == bytes.fromhex("ffff0000ffff")
    assert static_payload(PayloadType.INC8, b"", 258)[256:].tolist() == [0, 1]
    with pytest.raises(ValueError):
        static_payload(PayloadType.PRBS, b"", 4)


def test_payload_starts_at_first_byte_after_template():
    stream = Stream(
        packet=HDR, length=FrameLength.fixed(52), payload=Payload(PayloadType.INC8)
    )
    batch = compile_stream(stream).next_batch(2)
    assert batch.data[1, 42:48].tolist() == [0, 1, 2, 3, 4, 5]


def test_prbs31_reference_bits_and_continuation():
    bits = [1] * 31
    for n in range(31, 8 * 64):
        bits.append(bits[n - 31] ^ bits[n - 28])
    ref = np.packbits(np.array(bits, dtype=np.uint8))
    assert Prbs31().take(64).tolist() == ref.tolist()
    stream = Stream(
        packet=HDR,
        length=FrameLength(LengthType.INCREMENTING, 50, 53),
        payload=Payload(PayloadType.PRBS),
    )
    batch = compile_stream(stream).next_batch(4)
    payload = b"".join(batch.frame(i)[42:] for i in range(4))
    assert payload == bytes(ref[: len(payload)])


def test_trim_sets_lengths_and_mean():
    vm = VmProgram(
        (FlowVar("sz", size=2, min_value=60, max_value=64), TrimPktSize("sz"))
    )
    stream = Stream(packet=HDR + b"\x00" * 20, header_len_bytes=42, vm=vm)
    gen = compile_stream(stream)
    assert gen.next_batch(6).lengths.tolist() == [60, 61, 62, 62, 62, 60]
    assert gen.mean_frame_len == pytest.approx((60 + 61 + 62 + 62 + 62) / 5 + 4)


def test_reset_and_batch_size_independence():
    stream = Stream(
        packet=HDR,
        length=FrameLength(LengthType.RANDOM, 64, 200),
        payload=Payload(PayloadType.RANDOM),
        modifiers=(Modifier(pos=18, action=ModifierAction.RANDOM, repeat=3),),
        vm=VmProgram(
            (
                FlowVar("r", size=4, op=FlowVarOp.RANDOM, max_value=10**6),
                WriteFlowVar("r", pkt_offset=26),
            )
        ),
    )
    gen = compile_stream(stream, seed=99)
    a = [gen.next_batch(k) for k in (3, 5, 1)]
    gen.reset()
    b = gen.next_batch(9)
    assert np.concatenate([x.lengths for x in a]).tolist() == b.lengths.tolist()
    joined = [x.frame(i) for x in a for i in range(len(x.lengths))]
    assert joined == [b.frame(i) for i in range(9)]


def test_vm_cache_cycles():
    vm = VmProgram(
        (FlowVar("a", size=1, max_value=255), WriteFlowVar("a", pkt_offset=42)),
        cache_size=3,
    )
    gen = compile_stream(Stream(packet=HDR + b"\x00", vm=vm))
    assert [r[42] for r in gen.next_batch(7).data] == [0, 1, 2, 0, 1, 2, 0]
    assert [r[42] for r in gen.next_batch(2).data] == [1, 2]


def test_tpld_must_fit():
    stream = Stream(packet=HDR, length=FrameLength.fixed(64))
    with pytest.raises(ValidationError) as info:
        compile_stream(stream, tpld_len=20)
    assert info.value.field == "length.min_bytes"
    batch = compile_stream(stream, tpld_len=6).next_batch(1)
    assert batch.data[0, 54:60].tolist() == [0] * 6
    with pytest.raises(ValidationError):
        compile_stream(stream, tpld_len=-1)


def test_large_random_frames_keep_zero_tails():
    stream = Stream(
        packet=HDR,
        length=FrameLength(LengthType.RANDOM, 64, 9000),
        payload=Payload(PayloadType.PATTERN, b"\x5a"),
    )
    gen = compile_stream(stream, seed=2)
    gen.next_batch(50)  # the reused buffer now holds longer and shorter frames
    batch = gen.next_batch(50)
    for row, length in zip(batch.data, batch.lengths, strict=True):
        assert (row[length:] == 0).all()
        assert (row[42:length] == 0x5A).all()
        assert bytes(row[:42]) == HDR
