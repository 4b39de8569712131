"""The seeds' own tables, reproduced exactly by the field engine."""

import numpy as np
from scapy.layers.inet import IP, UDP, Ether

from wirespeed.fieldengine import compile_stream
from wirespeed.model import (
    FlowVar,
    FlowVarOp,
    FlowVarRandLimit,
    Modifier,
    ModifierAction,
    Stream,
    TupleFlowVar,
    VmProgram,
    WriteFlowVar,
    WriteMaskFlowVar,
)
from wirespeed.model.modifiers import Endian

PKT = bytes(Ether() / IP(src="198.18.0.1", dst="198.19.0.1") / UDP(sport=1, dport=2))
PKT = PKT + b"\x03" + b"\x00" * 17  # byte 42 holds 0x03 for the masked-write table


def _ip(value):
    return ".".join(str((value >> s) & 0xFF) for s in (24, 16, 8, 0))


def _column(batch, offset, width):
    return [
        int.from_bytes(batch.data[i, offset : offset + width])
        for i in range(len(batch.lengths))
    ]


def test_tuple_generator_table():
    vm = VmProgram(
        (
            TupleFlowVar(
                "t",
                ip_min=0x0A000001,
                ip_max=0x0A000005,
                port_min=1025,
                port_max=1028,
                limit_flows=10,
            ),
            WriteFlowVar("t.ip", pkt_offset=26),
            WriteFlowVar("t.port", pkt_offset=34),
        )
    )
    batch = compile_stream(Stream(packet=PKT, vm=vm)).next_batch(11)
    ips = [_ip(v) for v in _column(batch, 26, 4)]
    ports = _column(batch, 34, 2)
    assert ips == ["10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4", "10.0.0.5"] * 2 + [
        "10.0.0.1"
    ]
    assert ports == [1025] * 5 + [1026] * 5 + [1025]


def test_tuple_generator_continues_across_batches_and_limit_zero():
    vm = VmProgram(
        (
            TupleFlowVar(
                "t", ip_min=1, ip_max=2, port_min=10, port_max=12, limit_flows=0
            ),
            WriteFlowVar("t.ip", pkt_offset=26),
            WriteFlowVar("t.port", pkt_offset=34),
        )
    )
    gen = compile_stream(Stream(packet=PKT, vm=vm))
    a, b = gen.next_batch(4), gen.next_batch(4)
    assert _column(a, 26, 4) + _column(b, 26, 4) == [1, 2, 1, 2, 1, 2, 1, 2]
    assert _column(a, 34, 2) + _column(b, 34, 2) == [10, 10, 11, 11, 12, 12, 10, 10]


def test_write_mask_table():
    vm = VmProgram(
        (
            FlowVar("a", size=2, min_value=1, max_value=10),
            WriteMaskFlowVar("a", pkt_offset=42, pkt_cast_size=1, mask=0xF0, shift=4),
        )
    )
    batch = compile_stream(Stream(packet=PKT, vm=vm)).next_batch(5)
    assert _column(batch, 42, 1) == [0x13, 0x23, 0x33, 0x43, 0x53]


def test_write_mask_msb_and_right_shift():
    vm = VmProgram(
        (
            FlowVar("m", size=2, min_value=1, max_value=30, op=FlowVarOp.DEC),
            WriteMaskFlowVar("m", pkt_offset=10, pkt_cast_size=2, mask=0xFF00, shift=8),
            WriteMaskFlowVar("m", pkt_offset=5, pkt_cast_size=1, mask=0x1, shift=-1),
        )
    )
    batch = compile_stream(Stream(packet=PKT, vm=vm)).next_batch(4)
    assert [row[10] for row in batch.data] == [30, 29, 28, 27]
    assert [row[11] for row in batch.data] == [PKT[11]] * 4
    assert [row[5] & 1 for row in batch.data] == [1, 0, 0, 1]  # 30>>1, 29>>1, ...


def test_rand_limit_repeats_and_is_reproducible():
    def values(seed):
        vm = VmProgram(
            (
                FlowVarRandLimit(
                    "r", size=2, limit=5, seed=seed, min_value=0, max_value=10
                ),
                WriteFlowVar("r", pkt_offset=42),
            )
        )
        return _column(compile_stream(Stream(packet=PKT, vm=vm)).next_batch(15), 42, 2)

    first = values(0x1234)
    assert first[:5] * 3 == first
    assert all(0 <= v <= 10 for v in first)
    assert values(0x1234) == first
    assert values(0x1235)[:5] != first[:5]


def test_modifier_decrement_sequence_and_repeat():
    mod = Modifier(
        pos=6, action=ModifierAction.DEC, min_value=10, max_value=14, repeat=2
    )
    batch = compile_stream(Stream(packet=PKT, modifiers=(mod,))).next_batch(12)
    assert _column(batch, 6, 2) == [14, 14, 13, 13, 12, 12, 11, 11, 10, 10, 14, 14]


def test_modifier_range_from_xena_doc():
    mod = Modifier(pos=6, min_value=100, step=10, max_value=200)
    batch = compile_stream(Stream(packet=PKT, modifiers=(mod,))).next_batch(12)
    assert _column(batch, 6, 2) == [*range(100, 201, 10), 100]


def test_seed_random_modifier_touches_only_bits_4_to_9():
    mod = Modifier(pos=6, mask=0x0FC00000, action=ModifierAction.RANDOM, repeat=1)
    batch = compile_stream(Stream(packet=PKT, modifiers=(mod,)), seed=7).next_batch(
        4096
    )
    template = np.frombuffer(PKT, dtype=np.uint8)
    others = np.delete(batch.data, [6, 7], axis=1)
    assert (others == np.delete(template, [6, 7])).all()
    field = batch.data[:, 6].astype(np.int64) << 8 | batch.data[:, 7]
    tpl_field = PKT[6] << 8 | PKT[7]
    assert ((field & ~0x0FC0 & 0xFFFF) == (tpl_field & ~0x0FC0 & 0xFFFF)).all()
    assert len(set(((field & 0x0FC0) >> 6).tolist())) == 64


def test_extended_and_little_endian_modifiers():
    ext = Modifier(pos=6, mask=0xFFFFFF00, is_extended=True, min_value=0xFFFFFE)
    batch = compile_stream(Stream(packet=PKT, modifiers=(ext,))).next_batch(3)
    assert _column(batch, 6, 3) == [0xFFFFFE, 0xFFFFFF, 0xFFFFFE]
    little = Modifier(pos=6, min_value=0x0102, max_value=0x0103, endian=Endian.LITTLE)
    batch = compile_stream(Stream(packet=PKT, modifiers=(little,))).next_batch(2)
    assert [bytes(r[6:8]) for r in batch.data] == [b"\x02\x01", b"\x03\x01"]


def test_two_modifiers_on_one_field():
    high = Modifier(pos=6, mask=0xFF000000, min_value=1, max_value=2)
    low = Modifier(
        pos=6, mask=0x00FF0000, action=ModifierAction.DEC, min_value=5, max_value=7
    )
    batch = compile_stream(Stream(packet=PKT, modifiers=(high, low))).next_batch(4)
    assert _column(batch, 6, 2) == [0x0107, 0x0206, 0x0105, 0x0207]
