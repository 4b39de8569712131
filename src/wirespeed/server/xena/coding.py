"""Wire codes and CLI names of the model's enumerations, for the Xena commands.

What a stream is (its modifier actions and byte order, frame-length and payload
patterns, whether it is on, the TPLD form of its port, the segments of its header)
belongs to the model, which defines each enumeration once. The tables here say
which Xena code and name stand for each member, so the commands decode straight
into the model's values and encode them back. Settings only Xena has (reservation,
loopback, speed modes...) are enumerations of their own in :mod:`.enums`.
"""

from __future__ import annotations

import re

from wirespeed.model import (
    Endian,
    LengthType,
    ModifierAction,
    PayloadType,
    SegmentType,
    StreamEnable,
)
from wirespeed.server.xena.values import Coding
from wirespeed.tpld import TpldMode

__all__ = [
    "LENGTH_TYPE",
    "MODIFIER_ACTION",
    "MODIFIER_ENDIAN",
    "PAYLOAD_TYPE",
    "SEGMENTS",
    "STREAM_STATE",
    "TPLD_MODE",
    "SegmentCoding",
]

MODIFIER_ACTION = Coding(
    "ModifierAction",
    (
        (0, "INC", ModifierAction.INC),
        (1, "DEC", ModifierAction.DEC),
        (2, "RANDOM", ModifierAction.RANDOM),
    ),
)
"""PS_MODIFIER / PS_MODIFIEREXT action."""

MODIFIER_ENDIAN = Coding(
    "ModifierEndian", ((0, "BIG", Endian.BIG), (1, "LITTLE", Endian.LITTLE))
)
"""PS_MODIFIER_ENDIAN."""

LENGTH_TYPE = Coding(
    "LengthType",
    (
        (0, "FIXED", LengthType.FIXED),
        (1, "INCREMENTING", LengthType.INCREMENTING),
        (2, "BUTTERFLY", LengthType.BUTTERFLY),
        (3, "RANDOM", LengthType.RANDOM),
        (4, "MIX", LengthType.MIX),
    ),
)
"""PS_PACKETLENGTH type."""

PAYLOAD_TYPE = Coding(
    "PayloadType",
    (
        (0, "PATTERN", PayloadType.PATTERN),
        (1, "INC8", PayloadType.INC8),
        (2, "PRBS", PayloadType.PRBS),
        (3, "RANDOM", PayloadType.RANDOM),
        (4, "DEC8", PayloadType.DEC8),
        (5, "INC16", PayloadType.INC16),
        (6, "DEC16", PayloadType.DEC16),
    ),
)
"""PS_PAYLOAD type."""

STREAM_STATE = Coding(
    "OnOffWithSuppress",
    (
        (0, "OFF", StreamEnable.OFF),
        (1, "ON", StreamEnable.ON),
        (2, "SUPPRESS", StreamEnable.SUPPRESS),
    ),
)
"""PS_ENABLE: a suppressed stream keeps its bandwidth slot but sends nothing."""

TPLD_MODE = Coding(
    "TPLDMode",
    (
        (0, "NORMAL", TpldMode.NORMAL),
        (1, "MICRO", TpldMode.MICRO),
        # the 22-byte form is NORMAL with a payload checksum offset (P_CHECKSUM)
        (0, "NORMAL", TpldMode.NORMAL_WITH_PAYLOAD_CHECKSUM),
    ),
)
"""P_TPLDMODE: the 20/22-byte TPLD or the 6-byte micro TPLD."""

_RAW = re.compile(r"RAW_(\d+)\Z")
RAW_MAX_BYTES = 150  # RAW_n segments Xena accepts (id 256 - n)


class SegmentCoding(Coding[SegmentType]):
    """PS_HEADERPROTOCOL segments: the named ones, and ``RAW_n`` as id ``256 - n``."""

    def name(self, code: int) -> str | None:
        name = super().name(code)
        if name is None and 256 - RAW_MAX_BYTES <= code <= 255:
            return f"RAW_{256 - code}"
        return name

    def code_of(self, name: str) -> int | None:
        raw = _RAW.match(name)
        if raw and 1 <= int(raw[1]) <= RAW_MAX_BYTES:
            return 256 - int(raw[1])
        return super().code_of(name)


# the model's segment ids are Xena's (see wirespeed.packet.segments)
SEGMENTS = SegmentCoding(
    "ProtocolSegment", tuple((int(s), s.name, s) for s in SegmentType)
)
"""PS_HEADERPROTOCOL segment types."""
