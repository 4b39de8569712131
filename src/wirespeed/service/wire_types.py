"""The classes the tester's API exchanges over the native RPC: the allow-list both
the daemon's native front end and the remote client decode into (nothing else is
ever built from what a peer sends)."""

from __future__ import annotations

from ipaddress import IPv4Address, IPv4Interface, IPv6Address, IPv6Interface

from wirespeed.analysis import JitterStats, LatencyStats, TidStats
from wirespeed.analysis.clocksync import ClockSource, ClockSync
from wirespeed.dataplane import service_messages as sm
from wirespeed.fieldengine import InjectedError
from wirespeed.l3 import L3Identity
from wirespeed.model import (
    Endian,
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
    ModeKind,
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
from wirespeed.model.scaling import Multiplier, MultiplierKind, MultiplierOp
from wirespeed.service.ownership import PortState, Reservation
from wirespeed.service.stats import PortStats, StreamTxStats
from wirespeed.service.types import (
    CaptureInfo,
    EventKind,
    ModuleInfo,
    PortInfo,
    TrafficEvent,
)
from wirespeed.topology.portspec import PortSpec
from wirespeed.tpld import TpldMode
from wirespeed.wire import WireTypes

__all__ = ["WIRE_TYPES"]


def _wire_types() -> WireTypes:
    types = WireTypes()
    types.register(  # a stream and all its parts
        Stream, FlowStats, TxMode, FrameLength, Payload, Rate, Modifier, VmProgram,
        FlowVar, FlowVarRandLimit, TupleFlowVar, WriteFlowVar, WriteMaskFlowVar,
        TrimPktSize, FixChecksumIpv4, FixChecksumHw, FixChecksumIcmpv6,
        StreamEnable, ModeKind, FlowStatsKind, MacDstMode, LengthType, PayloadType,
        RateUnit, ModifierAction, Endian, FlowVarOp, L4Type,
    )  # fmt: skip
    types.register(Multiplier, MultiplierKind, MultiplierOp, InjectedError, TpldMode)
    types.register(  # statistics
        PortStats, StreamTxStats, TidStats, LatencyStats, JitterStats
    )
    types.register(  # ports, ownership, events
        PortInfo, ModuleInfo, PortSpec, L3Identity, Reservation, PortState,
        TrafficEvent, EventKind,
    )  # fmt: skip
    types.register(  # port services
        CaptureInfo, sm.CaptureSpec, sm.CaptureStats, sm.PingEntry, sm.FramesSent
    )
    types.register(ClockSync, ClockSource)  # the host's clock
    for cls in (IPv4Address, IPv6Address, IPv4Interface, IPv6Interface):
        types.register_text(cls, cls)
    return types


WIRE_TYPES = _wire_types()
"""Every class a native RPC message may hold (besides JSON's own values, tuples,
bytes and dicts)."""
