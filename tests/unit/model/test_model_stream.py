"""Stream validation: every error names its field."""

import pytest
from scapy.layers.inet import IP, UDP, Ether

from wirespeed.errors import ValidationError
from wirespeed.model import (
    FixChecksumIpv4,
    FlowVar,
    FlowVarOp,
    FrameLength,
    LengthType,
    ModeKind,
    Modifier,
    Payload,
    PayloadType,
    Stream,
    TrimPktSize,
    TxMode,
    VmProgram,
    WriteFlowVar,
)

HEADER = bytes(Ether() / IP(src="198.18.0.1", dst="198.19.0.1") / UDP())  # 42 bytes


def _err(**kwargs):
    with pytest.raises(ValidationError) as info:
        Stream(packet=kwargs.pop("packet", HEADER), **kwargs)
    return info.value.field


def test_defaults_follow_template_length():
    s = Stream(packet=HEADER)
    assert s.frame_length == FrameLength.fixed(46)
    assert s.header_bytes == 42


def test_field_errors():
    assert _err(packet=b"\x00" * 13) == "packet"
    assert _err(modifiers=(Modifier(pos=41),)) == "modifiers[0].pos"
    assert _err(modifiers=(Modifier(pos=0), Modifier(pos=40, is_extended=True))) == (
        "modifiers[1].pos"
    )
    assert _err(segments=(1, 99)) == "segments[1]"
    assert _err(tpld_id=-2) == "tpld_id"
    assert _err(next_stream_id=3) == "next_stream_id"  # continuous stream
    assert _err(isg_us=-1.0) == "isg"
    with pytest.raises(ValidationError) as info:
        TxMode(ModeKind.SINGLE_BURST, total_pkts=0)
    assert info.value.field == "mode.total_pkts"
    vm = VmProgram((FlowVar("a", size=2), WriteFlowVar("a", pkt_offset=41)))
    assert _err(vm=vm) == "vm.instructions[1].pkt_offset"
    assert _err(vm=VmProgram((FixChecksumIpv4(pkt_offset=30),))) == (
        "vm.instructions[0].pkt_offset"
    )


def test_vm_program_errors():
    with pytest.raises(ValidationError) as info:
        VmProgram((FlowVar("a"), WriteFlowVar("b", pkt_offset=0)))
    assert info.value.field == "vm.instructions[1].name"
    with pytest.raises(ValidationError) as info:
        VmProgram((FlowVar("a", next_var="b"), FlowVar("b", next_var="a")))
    assert info.value.field == "vm.instructions[0].next_var"
    with pytest.raises(ValidationError) as info:
        VmProgram((FlowVar("a"), FlowVar("a")))
    assert info.value.field == "vm.instructions[1].name"
    with pytest.raises(ValidationError) as info:
        FlowVar("a", min_value=0, max_value=10, step=3, op=FlowVarOp.DEC)
    assert info.value.field == "step"  # cannot pad below 0
    with pytest.raises(ValidationError) as info:
        FlowVar("a", size=1, max_value=256)
    assert info.value.field == "max_value"


def test_validate_for_port_minimum_sizes():
    s = Stream(packet=HEADER, length=FrameLength.fixed(64))
    s.validate_for_port(tpld_len=0)
    s.validate_for_port(tpld_len=6)
    with pytest.raises(ValidationError) as info:
        s.validate_for_port(tpld_len=20)  # 42 + 20 + 4 = 66 > 64
    assert info.value.field == "length.min_bytes"
    assert s.min_frame_bytes(22) == 68
    inc = Stream(
        packet=HEADER, length=FrameLength.fixed(66), payload=Payload(PayloadType.INC8)
    )
    with pytest.raises(ValidationError):
        inc.validate_for_port(tpld_len=20)  # needs 2 more payload bytes
    inc.validate_for_port(tpld_len=20, payload_checksum_on=True)
    mix = Stream(packet=HEADER, length=FrameLength(LengthType.MIX))
    with pytest.raises(ValidationError) as info:
        mix.validate_for_port(tpld_len=20)
    assert info.value.field == "length.mix"


def test_validate_for_port_with_trim():
    big = HEADER + b"\x00" * 100
    vm = VmProgram(
        (FlowVar("sz", size=2, min_value=50, max_value=142), TrimPktSize("sz"))
    )
    s = Stream(packet=big, header_len_bytes=42, vm=vm)
    with pytest.raises(ValidationError) as info:
        s.validate_for_port(tpld_len=16)
    assert info.value.field == "vm"
    s.validate_for_port(tpld_len=6)
