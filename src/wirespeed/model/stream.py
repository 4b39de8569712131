"""The stream model: the union of a Xena stream (PS_*) and a TRex stream.

Conventions:

* Frame sizes include the 4-byte Ethernet FCS (Xena and TRex count that way). The
  bytes handed to the kernel are ``size - 4``; ``packet`` never holds an FCS.
* ``packet`` is the frame template: Xena's header bytes (``PS_PACKETHEADER``) or
  TRex's whole packet. Frames are the template, then ``payload`` bytes up to the
  frame size; a frame shorter than the template is the template cut short.
* ``header_len_bytes`` is how many leading template bytes are protocol headers
  (None = the whole template, as for Xena); modifiers must stay inside them, and
  the TPLD must fit behind them.

Every field is validated at construction; errors are ``ValidationError`` whose
``field`` names the offending field (``modifiers[1].pos``, ``rate.value``...).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum, IntEnum

from wirespeed.errors import ValidationError
from wirespeed.model.modifiers import Modifier
from wirespeed.model.patterns import (
    MAX_FRAME_BYTES,
    FrameLength,
    LengthType,
    Payload,
)
from wirespeed.model.rate import Rate, RateUnit
from wirespeed.model.vm import VmProgram
from wirespeed.packet.segments import is_valid_segment

__all__ = [
    "FCS_BYTES",
    "FlowStats",
    "FlowStatsKind",
    "MacDstMode",
    "ModeKind",
    "Stream",
    "StreamEnable",
    "TxMode",
]

FCS_BYTES = 4
"""FCS bytes counted in frame sizes but not handed to the kernel."""
INC_PAYLOAD_MIN_BYTES = 2
"""Extra payload an incrementing payload needs (Xena rule), unless payload checksum."""


class StreamEnable(IntEnum):
    """Xena ``PS_ENABLE``: OFF, ON, or SUPPRESS (configured, but sends nothing)."""

    OFF = 0
    ON = 1
    SUPPRESS = 2


class ModeKind(Enum):
    """TX mode (TRex ``mode.type``). Xena's packet limit is a single burst."""

    CONTINUOUS = "continuous"
    SINGLE_BURST = "single_burst"
    MULTI_BURST = "multi_burst"


class FlowStatsKind(Enum):
    """TRex ``flow_stats.rule_type``."""

    STATS = "stats"
    LATENCY = "latency"
    TPG = "tpg"


class MacDstMode(IntEnum):
    """Where the destination MAC comes from (TRex ``flags`` bits 1-2)."""

    PORT = 0
    PACKET = 1
    ARP = 2


def _int(value: object, name: str, lo: int, hi: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError("must be an integer", field=name)
    if not lo <= value <= hi:
        raise ValidationError(f"{value} not in {lo}..{hi}", field=name)
    return value


def _non_negative(value: object, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValidationError("must be a number", field=name)
    if not value >= 0 or value == float("inf"):
        raise ValidationError("must be a finite number >= 0", field=name)
    return float(value)


@dataclass(frozen=True)
class TxMode:
    """How many frames a stream sends.

    Attributes:
        kind: continuous, single burst or multi burst.
        total_pkts: frames of a single burst (Xena ``PS_PACKETLIMIT``).
        pkts_per_burst: frames per burst (multi burst).
        ibg_us: gap between bursts in microseconds (multi burst).
        count: number of bursts, 0 = forever (multi burst).
    """

    kind: ModeKind = ModeKind.CONTINUOUS
    total_pkts: int = 0
    pkts_per_burst: int = 0
    ibg_us: float = 0.0
    count: int = 0

    def __post_init__(self) -> None:
        if not isinstance(self.kind, ModeKind):
            raise ValidationError(f"unknown mode {self.kind!r}", field="mode.type")
        if self.kind is ModeKind.SINGLE_BURST:
            _int(self.total_pkts, "mode.total_pkts", 1, (1 << 63) - 1)
        if self.kind is ModeKind.MULTI_BURST:
            _int(self.pkts_per_burst, "mode.pkts_per_burst", 1, (1 << 63) - 1)
            _int(self.count, "mode.count", 0, (1 << 63) - 1)
            _non_negative(self.ibg_us, "mode.ibg")

    @classmethod
    def continuous(cls) -> TxMode:
        """Return a continuous mode."""
        return cls()

    @classmethod
    def single_burst(cls, total_pkts: int) -> TxMode:
        """Return a single burst of ``total_pkts`` frames."""
        return cls(ModeKind.SINGLE_BURST, total_pkts=total_pkts)

    @classmethod
    def multi_burst(cls, pkts_per_burst: int, ibg_us: float, count: int) -> TxMode:
        """Return ``count`` bursts (0 = forever) spaced by ``ibg_us``."""
        return cls(
            ModeKind.MULTI_BURST,
            pkts_per_burst=pkts_per_burst,
            ibg_us=ibg_us,
            count=count,
        )

    @property
    def total_packets(self) -> int | None:
        """Frames the mode sends in all, or None for no end."""
        if self.kind is ModeKind.SINGLE_BURST:
            return self.total_pkts
        if self.kind is ModeKind.MULTI_BURST and self.count > 0:
            return self.pkts_per_burst * self.count
        return None


@dataclass(frozen=True)
class FlowStats:
    """TRex per-packet-group statistics of a stream (``flow_stats``).

    Attributes:
        pg_id: the packet group id (``flow_stats.stream_id``).
        kind: counters only, counters + latency/sequence, or tagged packet group.
        vxlan: TRex's VXLAN flag (kept as given; None = absent from the JSON).
        ieee_1588: TRex's IEEE 1588 flag (kept as given; None = absent).
    """

    pg_id: int
    kind: FlowStatsKind = FlowStatsKind.STATS
    vxlan: bool | None = False
    ieee_1588: bool | None = False

    def __post_init__(self) -> None:
        _int(self.pg_id, "flow_stats.stream_id", 0, 0xFFFFFFFF)
        if not isinstance(self.kind, FlowStatsKind):
            raise ValidationError(
                f"unknown {self.kind!r}", field="flow_stats.rule_type"
            )

    @property
    def is_latency(self) -> bool:
        """True if latency, jitter and sequence are measured."""
        return self.kind is FlowStatsKind.LATENCY


@dataclass(frozen=True)
class Stream:
    """One stream of frames.

    Attributes:
        packet: frame template without FCS (Xena header or TRex packet).
        header_len_bytes: leading template bytes that are headers (None = all).
        segments: Xena header segment ids (``PS_HEADERPROTOCOL``); with them the
            field engine fills IP/UDP lengths and IPv4/UDP/TCP checksums per frame.
        name: comment (Xena ``PS_COMMENT``) or TRex stream name.
        enabled: OFF, ON or SUPPRESS.
        tpld_id: Xena test payload id, -1 = no TPLD.
        flow_stats: TRex packet-group statistics, None = off.
        length: frame-size pattern, sizes with FCS (None = template length + 4).
        payload: fill after the template.
        rate: how fast.
        mode: continuous or bursts.
        modifiers: Xena field modifiers, applied in order.
        vm: TRex field-engine program.
        self_start: starts with the port (False = started by another stream).
        next_stream_id: stream started when this one ends, -1 = none.
        isg_us: delay before the first frame, microseconds.
        action_count: loops over the chain, 0 = no limit.
        random_seed: seed of the stream's random fields, 0 = not fixed.
        mac_src_from_packet: keep the template's source MAC (else the port's).
        mac_dst_mode: where the destination MAC comes from.
        is_dummy: a pure delay that sends nothing (TRex flags bit 3).
        start_paused: TRex's start-paused flag.
        trex_extra: TRex JSON keys this model does not own (``core_id``, ``next``,
            ``packet.meta``...), as (dotted key, JSON text) pairs, so that the
            TRex front end writes back what it was given.
    """

    packet: bytes
    header_len_bytes: int | None = None
    segments: tuple[int, ...] = ()
    name: str = ""
    enabled: StreamEnable = StreamEnable.ON
    tpld_id: int = -1
    flow_stats: FlowStats | None = None
    length: FrameLength | None = None
    payload: Payload = field(default_factory=Payload)
    rate: Rate = field(default_factory=lambda: Rate(RateUnit.PPS, 1.0))
    mode: TxMode = field(default_factory=TxMode)
    modifiers: tuple[Modifier, ...] = ()
    vm: VmProgram = field(default_factory=VmProgram)
    self_start: bool = True
    next_stream_id: int = -1
    isg_us: float = 0.0
    action_count: int = 0
    random_seed: int = 0
    mac_src_from_packet: bool = True
    mac_dst_mode: MacDstMode = MacDstMode.PACKET
    is_dummy: bool = False
    start_paused: bool = False
    trex_extra: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        if not isinstance(self.packet, bytes):
            raise ValidationError("must be bytes", field="packet")
        if not 14 <= len(self.packet) <= MAX_FRAME_BYTES - FCS_BYTES:
            raise ValidationError(
                f"template of {len(self.packet)} bytes not in 14..16380",
                field="packet",
            )
        if self.header_len_bytes is not None:
            _int(self.header_len_bytes, "header_len_bytes", 0, len(self.packet))
        for i, seg in enumerate(self.segments):
            if (
                isinstance(seg, bool)
                or not isinstance(seg, int)
                or not is_valid_segment(seg)
            ):
                raise ValidationError(
                    f"unknown segment {seg!r}", field=f"segments[{i}]"
                )
        if not isinstance(self.name, str):
            raise ValidationError("must be a string", field="name")
        if not isinstance(self.enabled, StreamEnable):
            raise ValidationError(f"unknown {self.enabled!r}", field="enabled")
        _int(self.tpld_id, "tpld_id", -1, 0xFFFF)
        if self.length is None:
            object.__setattr__(
                self, "length", FrameLength.fixed(len(self.packet) + FCS_BYTES)
            )
        self._check_types()
        self._check_chain()
        for i, mod in enumerate(self.modifiers):
            if mod.pos + mod.width_bytes > self.header_bytes:
                raise ValidationError(
                    f"modifier bytes {mod.pos}..{mod.pos + mod.width_bytes - 1} "
                    f"beyond the {self.header_bytes}-byte header",
                    field=f"modifiers[{i}].pos",
                )
        self.vm.check_offsets(len(self.packet))

    def _check_types(self) -> None:
        checks: tuple[tuple[str, type | tuple[type, ...]], ...] = (
            ("length", FrameLength),
            ("payload", Payload),
            ("rate", Rate),
            ("mode", TxMode),
            ("vm", VmProgram),
            ("flow_stats", (FlowStats, type(None))),
        )
        for name, kind in checks:
            if not isinstance(getattr(self, name), kind):
                raise ValidationError("wrong type", field=name)
        for i, mod in enumerate(self.modifiers):
            if not isinstance(mod, Modifier):
                raise ValidationError("not a Modifier", field=f"modifiers[{i}]")
        if not isinstance(self.mac_dst_mode, MacDstMode):
            raise ValidationError(
                f"unknown {self.mac_dst_mode!r}", field="mac_dst_mode"
            )

    def _check_chain(self) -> None:
        _int(self.next_stream_id, "next_stream_id", -1, 0x7FFFFFFF)
        _non_negative(self.isg_us, "isg")
        _int(self.action_count, "action_count", 0, 0xFFFF)
        _int(self.random_seed, "random_seed", 0, 0xFFFFFFFF)
        if self.mode.kind is ModeKind.CONTINUOUS and self.next_stream_id >= 0:
            raise ValidationError(
                "a continuous stream cannot start a next stream", field="next_stream_id"
            )

    @property
    def header_bytes(self) -> int:
        """Bytes of protocol headers at the start of the template."""
        if self.header_len_bytes is None:
            return len(self.packet)
        return self.header_len_bytes

    @property
    def frame_length(self) -> FrameLength:
        """The frame-size pattern (never None after construction)."""
        assert self.length is not None
        return self.length

    def min_frame_bytes(self, tpld_len: int, payload_checksum_on: bool = False) -> int:
        """Smallest frame size (FCS included) the stream needs on a port.

        Header bytes + TPLD (``tpld_len``: 20, 22 or 6 by the port's TPLD mode; 0 for
        no TPLD) + FCS, + 2 bytes for a counting payload unless the port's payload
        checksum is on (the seed's minimum-size rules).
        """
        need = self.header_bytes + tpld_len + FCS_BYTES
        if self.payload.is_incrementing and not payload_checksum_on:
            need += INC_PAYLOAD_MIN_BYTES
        return need

    def validate_for_port(
        self, tpld_len: int, payload_checksum_on: bool = False
    ) -> None:
        """Check the frame sizes against the port's TPLD mode.

        Args:
            tpld_len: TPLD bytes the port writes in each frame (20, 22, 6), or 0
                when the stream has none (``tpld_id == -1`` and no flow stats).
            payload_checksum_on: the port's payload checksum (``P_CHECKSUM``).

        Raises:
            ValidationError: ``length.min_bytes`` (or ``length.mix``, or
                ``vm`` for a trimmed stream) is too small.
        """
        need = self.min_frame_bytes(tpld_len, payload_checksum_on)
        smallest = self.frame_length.smallest_bytes
        trim = self.vm.trim_floor
        if trim is not None:
            smallest = min(smallest, trim + FCS_BYTES)
        if smallest < need:
            where = (
                "length.mix"
                if self.frame_length.kind is LengthType.MIX
                else ("length.min_bytes")
            )
            if trim is not None:
                where = "vm"
            raise ValidationError(
                f"frames of {smallest} bytes cannot hold {self.header_bytes} header "
                f"+ {tpld_len} TPLD + FCS bytes (need {need})",
                field=where,
            )
