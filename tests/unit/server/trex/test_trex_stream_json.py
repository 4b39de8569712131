"""TRex stream JSON: exact round trips and field-naming errors."""

import base64
import copy

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scapy.layers.inet import IP, UDP, Ether

from wirespeed.errors import ValidationError
from wirespeed.model import (
    FlowVar,
    FlowVarOp,
    FlowVarRandLimit,
    ModeKind,
    Rate,
    RateUnit,
    Stream,
    TupleFlowVar,
    TxMode,
    VmProgram,
    WriteFlowVar,
    WriteMaskFlowVar,
)
from wirespeed.server.trex.stream_json import (
    instruction_from_trex_json,
    instruction_to_trex_json,
    rate_from_trex_json,
    rate_to_trex_json,
    stream_from_trex_json,
    stream_to_trex_json,
    trex_flags,
)

PKT = bytes(
    Ether(dst="00:00:00:01:00:00", src="00:00:00:02:00:00")
    / IP(src="198.18.0.1", dst="198.19.0.1")
    / UDP(sport=1025, dport=12)
    / (b"x" * 18)
)

COMPAT_EXAMPLE = {
    "flags": 0,
    "action_count": 0,
    "enabled": True,
    "self_start": True,
    "start_paused": False,
    "isg": 0.0,
    "core_id": -1,
    "mode": {"type": "continuous", "rate": {"type": "pps", "value": 1000}},
    "packet": {"binary": base64.b64encode(PKT).decode(), "meta": ""},
    "vm": {
        "instructions": [
            {
                "type": "flow_var",
                "name": "src",
                "size": 4,
                "op": "inc",
                "init_value": 268435457,
                "min_value": 268435457,
                "max_value": 268435710,
                "step": 1,
                "next_var": None,
                "split_to_cores": True,
            },
            {
                "type": "write_flow_var",
                "name": "src",
                "pkt_offset": 26,
                "add_value": 0,
                "is_big_endian": True,
            },
            {
                "type": "tuple_flow_var",
                "name": "tuple",
                "ip_min": 167772161,
                "ip_max": 167772170,
                "port_min": 1025,
                "port_max": 1030,
                "limit_flows": 100,
                "flags": 0,
            },
            {
                "type": "write_flow_var",
                "name": "tuple.ip",
                "pkt_offset": 30,
                "add_value": 0,
                "is_big_endian": True,
            },
            {
                "type": "write_flow_var",
                "name": "tuple.port",
                "pkt_offset": 34,
                "add_value": 0,
                "is_big_endian": True,
            },
            {"type": "fix_checksum_ipv4", "pkt_offset": 14},
        ]
    },
    "flow_stats": {
        "enabled": True,
        "stream_id": 5,
        "rule_type": "stats",
        "vxlan": False,
        "ieee_1588": False,
    },
    "name": "s1",
    "next_stream_id": -1,
}


def test_compat_example_round_trips_exactly():
    stream = stream_from_trex_json(copy.deepcopy(COMPAT_EXAMPLE))
    assert stream.header_bytes == 42
    assert stream.flow_stats is not None
    assert stream.flow_stats.pg_id == 5
    assert stream.rate == Rate(RateUnit.PPS, 1000)
    assert stream.mac_src_from_packet is False
    assert stream_to_trex_json(stream) == COMPAT_EXAMPLE


def test_burst_modes_value_list_rand_limit_and_extras_round_trip():
    obj = copy.deepcopy(COMPAT_EXAMPLE)
    obj.update(
        flags=0b1011,
        random_seed=4660,
        self_start=False,
        next_stream_id=3,
        action_count=2,
        isg=10.5,
        next="s2",
        mode={
            "type": "multi_burst",
            "pkts_per_burst": 4,
            "ibg": 1e6,
            "count": 5,
            "rate": {"type": "percentage", "value": 10},
        },
        flow_stats={"enabled": True, "stream_id": 7, "rule_type": "latency"},
    )
    obj["vm"] = {
        "instructions": [
            {
                "type": "flow_var",
                "name": "v",
                "size": 2,
                "op": "dec",
                "value_list": [9, 0, 4],
                "step": 1,
                "next_var": None,
                "split_to_cores": False,
            },
            {
                "type": "flow_var_rand_limit",
                "name": "r",
                "size": 1,
                "limit": 5,
                "seed": 4660,
                "min_value": 0,
                "max_value": 10,
                "split_to_cores": True,
                "next_var": None,
            },
            {
                "type": "write_mask_flow_var",
                "name": "r",
                "pkt_offset": 22,
                "pkt_cast_size": 1,
                "mask": 240,
                "shift": 4,
                "add_value": 0,
                "is_big_endian": True,
            },
            {"type": "trim_pkt_size", "name": "v"},
            {"type": "fix_checksum_hw", "l2_len": 14, "l3_len": 20, "l4_type": 11},
            {"type": "fix_checksum_icmpv6", "l2_len": 14, "l3_len": 40},
        ],
        "cache": 255,
    }
    stream = stream_from_trex_json(copy.deepcopy(obj))
    assert stream.mode == TxMode.multi_burst(4, 1e6, 5)
    assert stream.is_dummy
    assert stream.mac_src_from_packet
    assert stream.vm.cache_size == 255
    assert stream_to_trex_json(stream) == obj


def test_legacy_inputs_are_accepted():
    obj = {
        "enabled": True,
        "isg": 0,
        "self_start": True,
        "next_stream_id": -1,
        "mode": {
            "type": "single_burst",
            "total_pkts": 5000,
            "rate": {"type": "pps", "value": 10},
        },
        "packet": {"binary": list(PKT), "meta": ""},
        "rx_stats": {
            "enabled": True,
            "stream_id": 3,
            "seq_enabled": True,
            "latency_enabled": True,
        },
        "vm": [
            {
                "type": "flow_var",
                "name": "l3__src",
                "size": 4,
                "op": "inc",
                "init_value": "65537",
                "min_value": "65537",
                "max_value": "65551",
            },
            {
                "type": "write_flow_var",
                "name": "l3__src",
                "pkt_offset": 34,
                "add_value": 1,
                "is_big_endian": False,
            },
        ],
    }
    stream = stream_from_trex_json(obj)
    assert stream.packet == PKT
    assert stream.mode.total_packets == 5000
    assert stream.flow_stats is not None
    assert stream.flow_stats.is_latency
    assert stream.vm.instructions[0] == FlowVar(
        "l3__src", size=4, init_value=65537, min_value=65537, max_value=65551
    )


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda o: o["mode"]["rate"].update(type="kbps"), "mode.rate.type"),
        (lambda o: o["mode"]["rate"].update(value=0), "mode.rate.value"),
        (lambda o: o["mode"].update(type="bursty"), "mode.type"),
        (lambda o: o["packet"].update(binary="***"), "packet.binary"),
        (
            lambda o: o["vm"]["instructions"][0].update(type="nope"),
            "vm.instructions[0].type",
        ),
        (
            lambda o: o["vm"]["instructions"][0].update(size=3),
            "vm.instructions[0].size",
        ),
        (
            lambda o: o["vm"]["instructions"][1].update(name="zzz"),
            "vm.instructions[1].name",
        ),
        (
            lambda o: o["vm"]["instructions"][1].pop("pkt_offset"),
            "vm.instructions[1].pkt_offset",
        ),
        (
            lambda o: o["vm"]["instructions"][1].update(pkt_offset=60),
            "vm.instructions[1].pkt_offset",
        ),
        (lambda o: o.update(flags=64), "flags"),
        (lambda o: o.update(enabled="yes"), "enabled"),
        (lambda o: o["flow_stats"].update(rule_type="x"), "flow_stats.rule_type"),
        (lambda o: o.update(mode=[]), "mode"),
    ],
)
def test_bad_input_names_the_field(mutate, field):
    obj = copy.deepcopy(COMPAT_EXAMPLE)
    mutate(obj)
    with pytest.raises(ValidationError) as info:
        stream_from_trex_json(obj)
    assert info.value.field == field


def test_not_an_object():
    with pytest.raises(ValidationError) as info:
        stream_from_trex_json([1, 2])
    assert info.value.field == "stream"


u8 = st.integers(0, 255)
u16 = st.integers(0, 0xFFFF)


@st.composite
def flow_vars(draw, name="v"):
    size = draw(st.sampled_from([1, 2, 4, 8]))
    top = (1 << (8 * size)) - 1
    if draw(st.booleans()):
        values = draw(st.lists(st.integers(0, top), min_size=1, max_size=5))
        op = draw(st.sampled_from(list(FlowVarOp)))
        return FlowVar(name, size=size, op=op, value_list=tuple(values))
    lo = draw(st.integers(0, top))
    hi = draw(st.integers(lo, top))
    init = draw(st.integers(lo, hi))
    op = draw(st.sampled_from([FlowVarOp.INC, FlowVarOp.RANDOM]))
    return FlowVar(name, size=size, op=op, init_value=init, min_value=lo, max_value=hi)


@st.composite
def streams(draw):
    var = draw(flow_vars())
    offset = draw(st.integers(0, len(PKT) - var.size))
    instructions = [
        var,
        WriteFlowVar("v", offset, draw(st.integers(-1000, 1000)), draw(st.booleans())),
        FlowVarRandLimit(
            "r",
            size=2,
            limit=draw(st.integers(1, 50)),
            seed=draw(u16),
            max_value=draw(st.integers(0, 0xFFFF)),
        ),
        WriteMaskFlowVar(
            "r",
            pkt_offset=draw(st.integers(0, 40)),
            pkt_cast_size=2,
            mask=draw(u16),
            shift=draw(st.integers(-16, 16)),
        ),
        TupleFlowVar(
            "t",
            ip_min=draw(st.integers(0, 100)),
            ip_max=200,
            port_min=draw(st.integers(0, 10)),
            port_max=1000,
            limit_flows=draw(st.integers(0, 10**6)),
        ),
    ]
    kind = draw(st.sampled_from(list(ModeKind)))
    mode = {
        ModeKind.CONTINUOUS: TxMode.continuous(),
        ModeKind.SINGLE_BURST: TxMode.single_burst(draw(st.integers(1, 10**9))),
        ModeKind.MULTI_BURST: TxMode.multi_burst(
            draw(st.integers(1, 100)), draw(st.floats(0, 1e7)), draw(st.integers(0, 9))
        ),
    }[kind]
    return Stream(
        packet=PKT,
        header_len_bytes=42,
        name=draw(st.text(max_size=5)),
        rate=Rate(
            draw(st.sampled_from([RateUnit.PPS, RateUnit.L1_BPS, RateUnit.L2_BPS])),
            draw(st.floats(1e-3, 1e11)),
        ),
        mode=mode,
        vm=VmProgram(tuple(instructions), cache_size=draw(st.integers(0, 100))),
        self_start=draw(st.booleans()),
        next_stream_id=-1 if kind is ModeKind.CONTINUOUS else draw(st.integers(-1, 99)),
        isg_us=draw(st.floats(0, 1e6)),
        action_count=draw(u16),
        random_seed=draw(st.integers(0, 2**32 - 1)),
        mac_src_from_packet=draw(st.booleans()),
        is_dummy=draw(st.booleans()),
    )


@settings(max_examples=60, deadline=None)
@given(streams())
def test_stream_json_round_trip(stream):
    obj = stream_to_trex_json(stream)
    back = stream_from_trex_json(obj)
    assert back == stream
    assert stream_to_trex_json(back) == obj


@settings(max_examples=60, deadline=None)
@given(flow_vars(name="q"))
def test_instruction_round_trip(var):
    obj = instruction_to_trex_json(var)
    assert instruction_from_trex_json(obj) == var


def test_rate_trex_json():
    assert rate_to_trex_json(Rate(RateUnit.PPM, 250_000)) == {
        "type": "percentage",
        "value": 25,
    }
    assert rate_from_trex_json({"type": "bps_L1", "value": 7}) == Rate(
        RateUnit.L1_BPS, 7
    )
    with pytest.raises(ValidationError) as info:
        rate_from_trex_json({"type": "kbps", "value": 7})
    assert info.value.field == "mode.rate.type"


def test_flags_of_a_default_stream():
    assert trex_flags(Stream(packet=PKT)) == 0b011
