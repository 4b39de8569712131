"""BPF programs compiled by libpcap: errors, matching, the direction guard."""

from __future__ import annotations

import ctypes.util

import pytest
from capframes import udp_frame

from wirespeed.capture import bpf
from wirespeed.capture.bpf import (
    ACCEPT_ALL,
    DROP_ALL,
    BpfProgram,
    compile_filter,
    direction_guard,
)
from wirespeed.errors import ConfigError


@pytest.mark.parametrize(
    ("expr", "message"),
    [
        ("udp and dst port foo", "unknown port 'foo'"),
        ("ip and and", "can't parse filter expression: syntax error"),
        ("ether host 02:00:00", "bogus ethernet address 02:00:"),  # sic
        ("vlan 5000", "VLAN tag 5000 greater than maximum 4095"),
    ],
)
def test_compile_error_carries_libpcaps_message(expr: str, message: str) -> None:
    with pytest.raises(ConfigError) as info:
        compile_filter(expr)
    assert info.value.field == "filter"
    assert info.value.reason == message


def test_empty_expression_keeps_every_frame_up_to_snaplen() -> None:
    assert compile_filter("").instructions() == [(0x06, 0, 0, 262144)]
    assert compile_filter("  ", snaplen=96).instructions() == [(0x06, 0, 0, 96)]
    assert ACCEPT_ALL.matches(udp_frame(7)) == 262144
    assert DROP_ALL.matches(udp_frame(7)) == 0


def test_program_keeps_snaplen_bytes_of_matching_frames_only() -> None:
    prog = compile_filter("udp and dst port 9", snaplen=100)
    assert prog.expr == "udp and dst port 9"
    assert len(prog) == len(prog.insns) // 8
    assert [prog.matches(udp_frame(port)) for port in (9, 10, 9000)] == [100, 0, 0]
    assert prog.matches(udp_frame(10, sport=9)) == 0


def test_snaplen_out_of_range_names_the_field() -> None:
    with pytest.raises(ConfigError) as info:
        compile_filter("udp", snaplen=0)
    assert info.value.field == "snaplen"


def test_program_must_be_whole_instructions() -> None:
    with pytest.raises(ConfigError):
        BpfProgram(b"\x06\x00\x00\x00\x00\x00\x00")
    with pytest.raises(ConfigError):
        BpfProgram(b"")


def test_direction_guard_puts_three_instructions_in_front() -> None:
    prog = compile_filter("udp")
    out = direction_guard(prog, outgoing=True)
    inb = direction_guard(prog, outgoing=False)
    load = (0x30, 0, 0, 0xFFFFF004)
    assert out.instructions()[:3] == [load, (0x15, 1, 0, 4), (0x06, 0, 0, 0)]
    assert inb.instructions()[:3] == [load, (0x15, 0, 1, 4), (0x06, 0, 0, 0)]
    assert out.instructions()[3:] == prog.instructions()
    assert out.expr == "udp"


def test_missing_libpcap_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ctypes.util, "find_library", lambda name: None)
    monkeypatch.setattr(bpf, "_LIBPCAP_NAMES", ("libpcap-not-here.so.9",))
    bpf._libpcap.cache_clear()
    try:
        with pytest.raises(ConfigError) as info:
            compile_filter("udp")
        assert "libpcap0.8" in str(info.value)
        assert info.value.field == "filter"
        # the empty filter needs no libpcap
        assert compile_filter("") == ACCEPT_ALL
    finally:
        bpf._libpcap.cache_clear()
