"""The native RPC's value codec: every allow-listed class round-trips through JSON
text exactly, and nothing else is built from what a peer sends."""

from __future__ import annotations

import enum
import json
import math
from dataclasses import dataclass
from ipaddress import IPv4Address, IPv4Interface, IPv6Address, IPv6Interface
from typing import Any

import numpy as np
import pytest

from wirespeed.analysis import JitterStats, LatencyStats, TidStats
from wirespeed.analysis.clocksync import ClockSource, ClockSync
from wirespeed.dataplane import service_messages as sm
from wirespeed.errors import LocalProtocolError, RemoteProtocolError, ValidationError
from wirespeed.l3 import L3Identity
from wirespeed.model import (
    FixChecksumHw,
    FixChecksumIcmpv6,
    FixChecksumIpv4,
    FlowStats,
    FlowStatsKind,
    FlowVar,
    FlowVarOp,
    FlowVarRandLimit,
    FrameLength,
    L4Type,
    LengthType,
    MacDstMode,
    Modifier,
    ModifierAction,
    Payload,
    PayloadType,
    Rate,
    RateUnit,
    Stream,
    StreamEnable,
    TrimPktSize,
    TupleFlowVar,
    TxMode,
    VmProgram,
    WriteFlowVar,
    WriteMaskFlowVar,
)
from wirespeed.service import (
    WIRE_TYPES,
    CaptureInfo,
    EventKind,
    ModuleInfo,
    Multiplier,
    MultiplierKind,
    MultiplierOp,
    PortInfo,
    PortStats,
    Reservation,
    StreamTxStats,
    TrafficEvent,
)
from wirespeed.topology.testbed import PortSpec
from wirespeed.tpld import TpldMode
from wirespeed.wire import WireTypes, decode_value, encode_value

_L3 = L3Identity.parse(
    ipv4="198.18.1.2/24",
    gateway="198.18.1.1",
    ipv6="2001:2::2/64",
    gateway6="2001:2::1",
)
_SPEC = PortSpec("p0", "ns0", 1_000_000_000, "02:00:00:00:00:01", 1, l3=_L3)
_VM = VmProgram(
    (
        FlowVar("ip", 4, FlowVarOp.RANDOM, None, 1, 100, 1, (1, 5, 9), None, False),
        FlowVarRandLimit("r", 2, 50, 7, 0, 1000),
        TupleFlowVar("t", 0xC6120001, 0xC61200FF),
        WriteFlowVar("ip", 30),
        WriteMaskFlowVar("r", 34, 2, 0xFFF, 1, 3, False),
        WriteFlowVar("t.ip", 26),
        TrimPktSize("r"),
        FixChecksumIpv4(14),
        FixChecksumHw(14, 20, L4Type.UDP),
        FixChecksumIcmpv6(14, 40),
    ),
    cache_size=16,
)
_STREAM = Stream(
    packet=bytes(range(60)),
    header_len_bytes=42,
    segments=(1, 4, 24),
    name="seed ✓",
    enabled=StreamEnable.SUPPRESS,
    tpld_id=5,
    flow_stats=FlowStats(9, FlowStatsKind.LATENCY),
    length=FrameLength(LengthType.INCREMENTING, 64, 1518),
    payload=Payload(PayloadType.INC16, b"\xff\x00"),
    rate=Rate(RateUnit.PERCENT, 12.5),
    mode=TxMode.multi_burst(10, 100.0, 3),
    modifiers=(Modifier(30, 0xFFFF0000, ModifierAction.RANDOM, 2, 0, 1, 9),),
    vm=_VM,
    mac_dst_mode=MacDstMode.ARP,
    trex_extra=(("core_id", "1"),),
)
_TID = TidStats(
    7,
    packets=10**12,
    first_ns=1,
    latency=LatencyStats(3, 10, 11.5, 13),
    jitter_ns=0.25,
    jitter=JitterStats(2, 0.5, 1.0, 1.5),
    histogram=tuple(range(len(TidStats(0).histogram))),
)

SAMPLES: list[Any] = [
    _STREAM,
    _VM,
    TxMode.continuous(),
    Multiplier.parse("10kpps"),
    Multiplier(MultiplierKind.PERCENT, 50.0, MultiplierOp.ADD),
    PortStats(tx_packets=3, rx_bps_l2=1.5e9, tx_injected_tpld=1),
    StreamTxStats(1, 64, 1.0, 512.0),
    _TID,
    PortInfo(0, _SPEC, 0, 0, "02:00:00:00:00:01", 10**9, tpld_mode=TpldMode.MICRO,
             l3=_L3, dst_mac=None,
             neighbors=((IPv4Address("198.18.1.1"), "02:00:00:00:00:09"),)),
    ModuleInfo(1, (2, 3)),
    Reservation("alice", "native:alice#1", "abcd"),
    TrafficEvent(EventKind.RESERVED, 2, {"owner": "a", "previous": None, "n": 1}),
    TrafficEvent(EventKind.ERROR, 0, {"message": "lost", "traffic_ended": True}),
    CaptureInfo(3, 1, sm.CaptureSpec("/tmp/c.pcapng", "udp", 128, 10, None, True,
                                     False), sm.CaptureStats(5, 500, 1, True), False,
                123),
    sm.PingEntry(1, "success", IPv6Address("2001:2::1"), 1500, 64, 64),
    sm.PingEntry(2, "timeout"),
    sm.FramesSent(0, 2, 128, 99, None),
    ClockSync(ClockSource.CHRONY, True, -1_500, 42_500, "chrony: Normal", "ntp1"),
    IPv4Interface("198.18.0.1/15"),
    IPv6Interface("2001:2::5/48"),
    *(m for cls in WIRE_TYPES.classes if issubclass(cls, enum.Enum) for m in cls),
]  # fmt: skip


def _wire(value: object) -> object:
    """Through JSON text and back, as a message carries it."""
    return json.loads(json.dumps(encode_value(value, WIRE_TYPES), allow_nan=False))


def _classes(value: object) -> set[type]:
    out = {type(value)}
    if hasattr(value, "__dataclass_fields__"):
        for name in value.__dataclass_fields__:
            out |= _classes(getattr(value, name))
    elif isinstance(value, list | tuple):
        for v in value:
            out |= _classes(v)
    elif isinstance(value, dict):
        for k, v in value.items():
            out |= _classes(k) | _classes(v)
    return out


def test_the_samples_hold_every_allowed_class() -> None:
    held = set().union(*(_classes(v) for v in SAMPLES))
    assert set(WIRE_TYPES.classes) - held == set()


@pytest.mark.parametrize("value", SAMPLES, ids=lambda v: type(v).__name__)
def test_every_allowed_value_round_trips(value: object) -> None:
    back = decode_value(_wire(value), WIRE_TYPES)
    assert back == value
    assert type(back) is type(value)


@pytest.mark.parametrize(
    "value",
    [
        None, True, 0, -(2**70), 1.5, "é", b"\x00\xff", [1, "a"], (1, (2,)), (),
        {"a": 1}, {1: "x", (2, 3): [b"y"]}, {"$": "not a tag"},
        {IPv4Address("1.2.3.4"): 1},
        [math.inf, -math.inf],
    ],
    ids=repr,
)  # fmt: skip
def test_plain_values_keep_their_type(value: object) -> None:
    back = decode_value(_wire(value), WIRE_TYPES)
    assert back == value
    assert type(back) is type(value)


def test_nan_and_numpy_numbers() -> None:
    assert math.isnan(decode_value(_wire(math.nan), WIRE_TYPES))
    assert _wire(np.int64(7)) == 7
    assert _wire(np.float32(0.5)) == 0.5
    assert encode_value((1,), WIRE_TYPES) == {"$": "tuple", "items": [1]}
    assert encode_value(TpldMode.MICRO, WIRE_TYPES) == {
        "$": "TpldMode",
        "name": "MICRO",
    }


@dataclass(frozen=True)
class _Other:
    x: int = 0


class _Colour(enum.Enum):
    RED = 1


@pytest.mark.parametrize(
    "value", [_Other(), _Colour.RED, {1, 2}, object(), np.zeros(3), print]
)
def test_a_value_not_on_the_list_is_not_sent(value: object) -> None:
    with pytest.raises(LocalProtocolError, match=r"cannot cross the wire|not a wire"):
        encode_value(value, WIRE_TYPES)


@pytest.mark.parametrize(
    ("data", "says"),
    [
        ({"$": "Tester", "fields": {}}, "'Tester' is not a type this side accepts"),
        ({"$": "os.system", "value": "rm"}, "is not a type"),
        ({"$": "_Other", "fields": {"x": 1}}, "is not a type"),
        ({"$": "Rate", "fields": {"unit": None, "speed": 1}}, "no field 'speed'"),
        ({"$": "Rate", "fields": {}, "extra": 1}, "the keys"),
        ({"$": "TpldMode", "name": "BIG"}, "no member 'BIG'"),
        ({"$": "bytes", "base64": "!!"}, "bad base64"),
        ({"$": "float", "value": "1e999"}, "nan, inf or -inf"),
        ({"$": "tuple", "items": 3}, "a list"),
        ({"$": "dict", "items": [[[1], 2]]}, "key cannot be"),
        ({"$": "dict", "items": [[1, 2, 3]]}, "pairs"),
        ({"$": "IPv4Address", "value": "1.2.3"}, "not a IPv4Address"),
        ({"$": 3}, "must be a string"),
        ({"$": "PortStats", "fields": []}, "an object"),
        ({"$": "ModuleInfo", "fields": {"index": 0}}, "not a valid ModuleInfo"),
    ],
)
def test_what_is_not_allowed_is_refused(data: object, says: str) -> None:
    with pytest.raises(RemoteProtocolError, match=says):
        decode_value(data, WIRE_TYPES)


def test_deep_nesting_is_refused() -> None:
    data: Any = 1
    for _ in range(100):
        data = [data]
    with pytest.raises(RemoteProtocolError, match="nested deeper"):
        decode_value(data, WIRE_TYPES)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"$": "Rate", "fields": {"unit": {"$": "RateUnit", "name": "PPS"},
                                  "value": "fast"}}, "Rate.value"),
        ({"$": "Rate", "fields": {"unit": "pps", "value": 1}}, "Rate.unit"),
        ({"$": "PortStats", "fields": {"tx_packets": True}}, "PortStats.tx_packets"),
        ({"$": "ModuleInfo", "fields": {"index": 0, "ports": [1]}}, "ModuleInfo.ports"),
        ({"$": "TidStats", "fields": {"tid": 1, "histogram": {"$": "tuple",
                                                              "items": ["x"]}}},
         "TidStats.histogram"),
    ],
)  # fmt: skip
def test_a_field_of_the_wrong_type_is_named(data: object, field: str) -> None:
    with pytest.raises(ValidationError) as exc:
        decode_value(data, WIRE_TYPES)
    assert exc.value.field == field


def test_a_class_refuses_what_its_own_validation_refuses() -> None:
    data = _wire(_STREAM)
    assert isinstance(data, dict)
    data["fields"]["packet"] = {"$": "bytes", "base64": "AAAA"}
    with pytest.raises(ValidationError) as exc:
        decode_value(data, WIRE_TYPES)
    assert exc.value.field == "packet"
    rate = {"$": "Rate", "fields": {"unit": {"$": "RateUnit", "name": "PERCENT"},
                                    "value": 101}}  # fmt: skip
    with pytest.raises(ValidationError, match="<= 100"):
        decode_value(rate, WIRE_TYPES)


def test_a_registry_takes_only_frozen_dataclasses_and_enums_once() -> None:
    types = WireTypes()

    @dataclass
    class Mutable:
        x: int

    for bad in (Mutable, int, object):
        with pytest.raises(LocalProtocolError, match="neither"):
            types.register(bad)
    types.register(_Other)
    with pytest.raises(LocalProtocolError, match="two wire types"):
        types.register(_Other)
    assert _Other in types
    assert decode_value(encode_value(_Other(3), types), types) == _Other(3)
