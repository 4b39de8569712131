"""The Xena view of a stream: every PS_* value, as the client set it.

A draft may be incomplete or inconsistent while the client edits it (as on a real
Xena port); it is turned into a tester stream on every change when it can be, and
validated for good when traffic starts.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from ipaddress import IPv4Address, IPv6Address

from wirespeed.model import (
    IMIX,
    Endian,
    LengthType,
    ModifierAction,
    PayloadType,
    RateUnit,
    SegmentType,
    StreamEnable,
)
from wirespeed.model.rate import L1_OVERHEAD_BYTES, convert_rate
from wirespeed.server.xena.enums import OnOff

__all__ = [
    "MIX_MEAN_BYTES",
    "DraftModifier",
    "RateKind",
    "StreamDraft",
    "default_header",
]

MIX_MEAN_BYTES = sum(size * weight for size, weight in IMIX) / sum(w for _, w in IMIX)


class RateKind(enum.Enum):
    """Which rate command was set last (the others are derived from it)."""

    FRACTION_PPM = "fraction"
    PPS = "pps"
    L2_BPS = "l2bps"


@dataclass
class DraftModifier:
    """A 16-bit (PS_MODIFIER) or extended (PS_MODIFIEREXT) modifier.

    Until PS_MODIFIERRANGE is set (``range_set``), the modifier walks every value
    of its masked bits.
    """

    position: int = 0
    mask: bytes = b"\xff\xff\x00\x00"
    action: ModifierAction = ModifierAction.INC
    repetition: int = 1
    min_val: int = 0
    step: int = 1
    max_val: int = 0xFFFF
    endian: Endian = Endian.BIG
    range_set: bool = False

    @classmethod
    def extended(cls) -> DraftModifier:
        """Defaults of a PS_MODIFIEREXT modifier (24 bits)."""
        return cls(mask=b"\xff\xff\xff\x00", max_val=0xFFFFFF)


def default_header(src_mac: bytes) -> bytes:
    """The header of a new stream: broadcast-free zero DMAC, the port's MAC, 0xFFFF."""
    return bytes(6) + src_mac[:6].ljust(6, b"\0") + b"\xff\xff"


@dataclass
class StreamDraft:
    """Every PS_* value of one stream (defaults are those of a new Xena stream)."""

    header: bytes
    enable: StreamEnable = StreamEnable.OFF
    packet_limit: int = 0
    comment: str = ""
    tpld_id: int = -1
    insert_fcs: OnOff = OnOff.ON
    rate_kind: RateKind = RateKind.FRACTION_PPM
    rate_ppm: int = 1_000_000
    rate_pps: int = 0
    rate_l2_bps: int = 0
    burst_size: int = -1  # Xena's default: none
    burst_density: int = 100
    inter_packet_gap: int = 0
    inter_burst_gap: int = 0
    segments: tuple[int, ...] = (SegmentType.ETHERNET,)
    modifiers: list[DraftModifier] = field(default_factory=list)
    ext_modifiers: list[DraftModifier] = field(default_factory=list)
    length_type: LengthType = LengthType.FIXED
    length_min: int = 64
    length_max: int = 64
    payload_type: PayloadType = PayloadType.PATTERN
    payload_pattern: bytes = b"\x00"
    # the gateways serve PS_ARPREQUEST; the PFC class is kept and read back (no
    # PFC on a software port)
    ipv4_gateway: IPv4Address = field(default_factory=lambda: IPv4Address(0))
    ipv6_gateway: IPv6Address = field(default_factory=lambda: IPv6Address(0))
    pfc_priority: int = 0

    def mean_frame_bytes(self, mix_mean_bytes: float = MIX_MEAN_BYTES) -> float:
        """Average frame size (with FCS) of the length pattern, in bytes.

        Args:
            mix_mean_bytes: the average of the port's MIX distribution.
        """
        if self.length_type is LengthType.FIXED:
            return float(self.length_min)
        if self.length_type is LengthType.MIX:
            return mix_mean_bytes
        return (self.length_min + self.length_max) / 2.0

    def rates(
        self,
        line_bps: int,
        mix_mean_bytes: float = MIX_MEAN_BYTES,
        *,
        gap_bytes: int = L1_OVERHEAD_BYTES,
    ) -> tuple[int, int, int]:
        """The rate in all three forms: ``(ppm of line, frames/s, L2 bit/s)``.

        The form that was set is exact; the others are derived from it with the mean
        frame size and the port's nominal line rate
        (:func:`wirespeed.model.rate.convert_rate`).

        Args:
            line_bps: the port's nominal speed.
            mix_mean_bytes: the average of the port's MIX distribution.
            gap_bytes: the port's gap between frames, preamble included
                (P_INTERFRAMEGAP): what a frame costs of the line besides itself.
        """
        size = max(self.mean_frame_bytes(mix_mean_bytes), 1.0)
        unit, value = {
            RateKind.FRACTION_PPM: (RateUnit.PPM, self.rate_ppm),
            RateKind.PPS: (RateUnit.PPS, self.rate_pps),
            RateKind.L2_BPS: (RateUnit.L2_BPS, self.rate_l2_bps),
        }[self.rate_kind]

        def as_(to: RateUnit) -> int:
            if to is unit:
                return int(value)
            if to is RateUnit.PPM and not line_bps:
                return 0
            return round(
                convert_rate(value, unit, to, line_bps, size, overhead_bytes=gap_bytes)
            )

        return as_(RateUnit.PPM), as_(RateUnit.PPS), as_(RateUnit.L2_BPS)
