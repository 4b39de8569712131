"""The tester model (pure): streams, rates, patterns, modifiers, field-engine programs.

Frame sizes in the model include the 4-byte FCS; the bytes handed to the kernel are
``size - 4``. Every object is a frozen dataclass validated at construction; errors
are ``wirespeed.errors.ValidationError`` with ``field`` naming the culprit.
"""

from wirespeed.model.modifiers import Endian, Modifier, ModifierAction
from wirespeed.model.patterns import (
    IMIX,
    MAX_FRAME_BYTES,
    MIN_FRAME_BYTES,
    MIN_WIRE_FRAME_BYTES,
    FrameLength,
    LengthType,
    Payload,
    PayloadType,
)
from wirespeed.model.rate import L1_OVERHEAD_BYTES, Rate, RateUnit
from wirespeed.model.stream import (
    FCS_BYTES,
    FlowStats,
    FlowStatsKind,
    MacDstMode,
    ModeKind,
    Stream,
    StreamEnable,
    TxMode,
)
from wirespeed.model.vm import (
    FixChecksumHw,
    FixChecksumIcmpv6,
    FixChecksumIpv4,
    FlowVar,
    FlowVarOp,
    FlowVarRandLimit,
    Instruction,
    L4Type,
    TrimPktSize,
    TupleFlowVar,
    VmProgram,
    WriteFlowVar,
    WriteMaskFlowVar,
)
from wirespeed.packet.segments import SegmentType

__all__ = [
    "FCS_BYTES",
    "IMIX",
    "L1_OVERHEAD_BYTES",
    "MAX_FRAME_BYTES",
    "MIN_FRAME_BYTES",
    "MIN_WIRE_FRAME_BYTES",
    "Endian",
    "FixChecksumHw",
    "FixChecksumIcmpv6",
    "FixChecksumIpv4",
    "FlowStats",
    "FlowStatsKind",
    "FlowVar",
    "FlowVarOp",
    "FlowVarRandLimit",
    "FrameLength",
    "Instruction",
    "L4Type",
    "LengthType",
    "MacDstMode",
    "ModeKind",
    "Modifier",
    "ModifierAction",
    "Payload",
    "PayloadType",
    "Rate",
    "RateUnit",
    "SegmentType",
    "Stream",
    "StreamEnable",
    "TrimPktSize",
    "TupleFlowVar",
    "TxMode",
    "VmProgram",
    "WriteFlowVar",
    "WriteMaskFlowVar",
]
