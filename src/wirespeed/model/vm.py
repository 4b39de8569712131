"""The TRex field-engine program (``vm``): flow variables, writes, trims, checksums.

Instructions mirror TRex's JSON one to one (the TRex front end's
``wirespeed.server.trex.stream_json`` is the JSON codec). Semantics, as implemented
by ``wirespeed.fieldengine``:

* ``FlowVar`` inc/dec: the first frame carries ``init_value``; each frame steps by
  ``step``. The range is padded to a whole number of steps, as TRex does, so the
  cycle is exact (inc may then exceed ``max_value`` by less than ``step``, dec go
  below ``min_value``). ``value_list`` walks the list (dec from its end). random
  is uniform in min..max. ``next_var`` names a variable that steps only when this
  one wraps. ``split_to_cores`` is accepted and ignored (one core per stream).
* ``FlowVarRandLimit``: ``limit`` values drawn once from ``seed``, then repeated.
* ``TupleFlowVar``: defines ``<name>.ip`` (4 bytes) and ``<name>.port`` (2 bytes);
  the IP increments fastest, then the port; after ``limit_flows`` flows it starts
  over (0, or ``flags`` bit 0, means the whole ip x port product).
* ``WriteFlowVar`` writes the variable's ``size`` bytes plus ``add_value``;
  ``WriteMaskFlowVar`` follows TRex's read-modify-write pseudocode.
* ``TrimPktSize``: the variable is the frame length handed to the kernel (no FCS),
  clipped to the template length.
* Checksum fixes run after every write, in program order.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from wirespeed.errors import ValidationError

__all__ = [
    "FixChecksumHw",
    "FixChecksumIcmpv6",
    "FixChecksumIpv4",
    "FlowVar",
    "FlowVarOp",
    "FlowVarRandLimit",
    "Instruction",
    "L4Type",
    "TrimPktSize",
    "TupleFlowVar",
    "VmProgram",
    "WriteFlowVar",
    "WriteMaskFlowVar",
]

_U64 = (1 << 64) - 1


class FlowVarOp(Enum):
    """Operation of a flow variable (TRex's ``op`` strings)."""

    INC = "inc"
    DEC = "dec"
    RANDOM = "random"


class L4Type(int, Enum):
    """``fix_checksum_hw`` L4 types (TRex codes)."""

    UDP = 11
    TCP = 13
    IP = 17


def _check_int(value: object, name: str, lo: int, hi: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError("must be an integer", field=name)
    if not lo <= value <= hi:
        raise ValidationError(f"{value} not in {lo}..{hi}", field=name)
    return value


def _check_name(value: object) -> None:
    if not isinstance(value, str) or not value:
        raise ValidationError("must be a non-empty string", field="name")


def _size_max(size: int) -> int:
    if size not in (1, 2, 4, 8):
        raise ValidationError(f"size {size} not in 1, 2, 4, 8", field="size")
    return (1 << (8 * size)) - 1


@dataclass(frozen=True)
class FlowVar:
    """A flow variable (TRex ``flow_var``); ``init_value`` None = min (dec: max)."""

    name: str
    size: int = 4
    op: FlowVarOp = FlowVarOp.INC
    init_value: int | None = None
    min_value: int = 0
    max_value: int = 255
    step: int = 1
    value_list: tuple[int, ...] | None = None
    next_var: str | None = None
    split_to_cores: bool = True

    def __post_init__(self) -> None:
        _check_name(self.name)
        top = _size_max(self.size)
        if not isinstance(self.op, FlowVarOp):
            raise ValidationError(f"unknown op {self.op!r}", field="op")
        _check_int(self.step, "step", 1, _U64)
        if self.next_var is not None:
            if not isinstance(self.next_var, str) or self.next_var == self.name:
                raise ValidationError("must name another variable", field="next_var")
            if self.op is FlowVarOp.RANDOM:
                raise ValidationError("a random var cannot have one", field="next_var")
        if self.value_list is not None:
            if not 1 <= len(self.value_list) <= 0xFFFF:
                raise ValidationError("needs 1..65535 values", field="value_list")
            for i, val in enumerate(self.value_list):
                _check_int(val, f"value_list[{i}]", 0, top)
            return
        lo = _check_int(self.min_value, "min_value", 0, top)
        hi = _check_int(self.max_value, "max_value", 0, top)
        if hi < lo:
            raise ValidationError("max_value < min_value", field="max_value")
        if self.init_value is None:
            object.__setattr__(
                self, "init_value", hi if self.op is FlowVarOp.DEC else lo
            )
        _check_int(self.init_value, "init_value", lo, hi)
        pad = self.padded_range - (hi - lo + 1)
        if self.op is FlowVarOp.INC and hi + pad > _U64:
            raise ValidationError("range cannot be padded to whole steps", field="step")
        if self.op is FlowVarOp.DEC and lo < pad:
            raise ValidationError("range cannot be padded to whole steps", field="step")

    @property
    def padded_range(self) -> int:
        """``max - min + 1`` rounded up to a multiple of ``step``."""
        span = self.max_value - self.min_value + 1
        return -(-span // self.step) * self.step


@dataclass(frozen=True)
class FlowVarRandLimit:
    """``flow_var_rand_limit``: ``limit`` seeded random values, repeated."""

    name: str
    size: int = 4
    limit: int = 100
    seed: int = 0
    min_value: int = 0
    max_value: int | None = None
    split_to_cores: bool = True
    next_var: str | None = None

    def __post_init__(self) -> None:
        _check_name(self.name)
        top = _size_max(self.size)
        _check_int(self.limit, "limit", 1, 1 << 24)
        _check_int(self.seed, "seed", 0, _U64)
        if self.max_value is None:
            object.__setattr__(self, "max_value", top)
        lo = _check_int(self.min_value, "min_value", 0, top)
        hi = _check_int(self.max_value, "max_value", 0, top)
        if hi < lo:
            raise ValidationError("max_value < min_value", field="max_value")
        if self.next_var is not None and (
            not isinstance(self.next_var, str) or self.next_var == self.name
        ):
            raise ValidationError("must name another variable", field="next_var")


@dataclass(frozen=True)
class TupleFlowVar:
    """``tuple_flow_var``: defines ``<name>.ip`` and ``<name>.port``."""

    name: str
    ip_min: int
    ip_max: int
    port_min: int = 1025
    port_max: int = 65535
    limit_flows: int = 100000
    flags: int = 0

    def __post_init__(self) -> None:
        _check_name(self.name)
        lo = _check_int(self.ip_min, "ip_min", 0, 0xFFFFFFFF)
        if _check_int(self.ip_max, "ip_max", 0, 0xFFFFFFFF) < lo:
            raise ValidationError("ip_max < ip_min", field="ip_max")
        plo = _check_int(self.port_min, "port_min", 0, 0xFFFF)
        if _check_int(self.port_max, "port_max", 0, 0xFFFF) < plo:
            raise ValidationError("port_max < port_min", field="port_max")
        _check_int(self.limit_flows, "limit_flows", 0, 0xFFFFFFFF)
        _check_int(self.flags, "flags", 0, 0xFFFF)

    @property
    def flow_count(self) -> int:
        """Flows in one cycle."""
        product = (self.ip_max - self.ip_min + 1) * (self.port_max - self.port_min + 1)
        if self.flags & 1 or self.limit_flows == 0:
            return product
        return self.limit_flows


@dataclass(frozen=True)
class WriteFlowVar:
    """``write_flow_var``: write a variable (+ ``add_value``) at ``pkt_offset``."""

    name: str
    pkt_offset: int
    add_value: int = 0
    is_big_endian: bool = True

    def __post_init__(self) -> None:
        _check_name(self.name)
        _check_int(self.pkt_offset, "pkt_offset", 0, 0xFFFF)
        _check_int(self.add_value, "add_value", -(1 << 63), _U64)


@dataclass(frozen=True)
class WriteMaskFlowVar:
    """``write_mask_flow_var``: masked read-modify-write of 1/2/4 bytes."""

    name: str
    pkt_offset: int
    pkt_cast_size: int = 1
    mask: int = 0xFF
    shift: int = 0
    add_value: int = 0
    is_big_endian: bool = True

    def __post_init__(self) -> None:
        _check_name(self.name)
        _check_int(self.pkt_offset, "pkt_offset", 0, 0xFFFF)
        if self.pkt_cast_size not in (1, 2, 4) or isinstance(self.pkt_cast_size, bool):
            raise ValidationError("must be 1, 2 or 4", field="pkt_cast_size")
        _check_int(self.mask, "mask", 0, 0xFFFFFFFF)
        _check_int(self.shift, "shift", -128, 127)
        _check_int(self.add_value, "add_value", -(1 << 31), 0xFFFFFFFF)


@dataclass(frozen=True)
class TrimPktSize:
    """``trim_pkt_size``: the variable's value is the frame length (no FCS)."""

    name: str

    def __post_init__(self) -> None:
        _check_name(self.name)


@dataclass(frozen=True)
class FixChecksumIpv4:
    """``fix_checksum_ipv4``: recompute the IPv4 header checksum at ``pkt_offset``."""

    pkt_offset: int

    def __post_init__(self) -> None:
        _check_int(self.pkt_offset, "pkt_offset", 0, 0xFFFF)


@dataclass(frozen=True)
class FixChecksumHw:
    """``fix_checksum_hw``: IPv4 header and/or UDP/TCP checksum.

    ``l2_len`` is the IP header offset, ``l3_len`` the IP header length (0 with
    ``l4_type`` IP = from the IHL). With UDP/TCP the IPv4 header checksum (if the
    header is IPv4) and the L4 checksum over the rest of the frame are fixed.
    """

    l2_len: int
    l3_len: int
    l4_type: L4Type

    def __post_init__(self) -> None:
        _check_int(self.l2_len, "l2_len", 0, 0xFFFF)
        _check_int(self.l3_len, "l3_len", 0, 0xFFFF)
        try:
            object.__setattr__(self, "l4_type", L4Type(self.l4_type))
        except ValueError as exc:
            raise ValidationError("must be 11, 13 or 17", field="l4_type") from exc
        if self.l4_type is not L4Type.IP and self.l3_len < 20:
            raise ValidationError("IP header of at least 20 bytes", field="l3_len")


@dataclass(frozen=True)
class FixChecksumIcmpv6:
    """``fix_checksum_icmpv6``: ICMPv6 checksum behind an IPv6 header."""

    l2_len: int
    l3_len: int

    def __post_init__(self) -> None:
        _check_int(self.l2_len, "l2_len", 0, 0xFFFF)
        _check_int(self.l3_len, "l3_len", 40, 0xFFFF)


Instruction = (
    FlowVar
    | FlowVarRandLimit
    | TupleFlowVar
    | WriteFlowVar
    | WriteMaskFlowVar
    | TrimPktSize
    | FixChecksumIpv4
    | FixChecksumHw
    | FixChecksumIcmpv6
)
"""Any field-engine instruction."""

_L4_MIN = {L4Type.UDP: 8, L4Type.TCP: 20, L4Type.IP: 0}


@dataclass(frozen=True)
class VmProgram:
    """A field-engine program, checked as a whole at construction.

    Attributes:
        instructions: the instructions, in order.
        cache_size: if > 0, build this many frames once and cycle through them.
    """

    instructions: tuple[Instruction, ...] = ()
    cache_size: int = 0
    var_sizes: dict[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        _check_int(self.cache_size, "vm.cache", 0, 0xFFFF)
        sizes: dict[str, int] = {}
        chain: dict[str, str] = {}
        for i, ins in enumerate(self.instructions):
            path = f"vm.instructions[{i}]"
            names: list[tuple[str, int]] = []
            if isinstance(ins, FlowVar | FlowVarRandLimit):
                names = [(ins.name, ins.size)]
                if ins.next_var is not None:
                    if ins.next_var in chain.values():
                        raise ValidationError(
                            "variable already follows another", field=f"{path}.next_var"
                        )
                    chain[ins.name] = ins.next_var
            elif isinstance(ins, TupleFlowVar):
                names = [(f"{ins.name}.ip", 4), (f"{ins.name}.port", 2)]
            for name, size in names:
                if name in sizes:
                    raise ValidationError(
                        f"duplicate variable {name}", field=f"{path}.name"
                    )
                sizes[name] = size
        object.__setattr__(self, "var_sizes", sizes)
        self._check_references(sizes, chain)

    def _check_references(self, sizes: dict[str, int], chain: dict[str, str]) -> None:
        flow_vars = {
            ins.name
            for ins in self.instructions
            if isinstance(ins, FlowVar | FlowVarRandLimit)
        }
        for i, ins in enumerate(self.instructions):
            path = f"vm.instructions[{i}]"
            if isinstance(ins, WriteFlowVar | WriteMaskFlowVar | TrimPktSize):
                if ins.name not in sizes:
                    raise ValidationError(
                        f"unknown variable {ins.name!r}", field=f"{path}.name"
                    )
                if isinstance(ins, TrimPktSize) and ins.name not in flow_vars:
                    raise ValidationError("trim needs a flow_var", field=f"{path}.name")
            if isinstance(ins, FlowVar | FlowVarRandLimit) and ins.next_var is not None:
                if ins.next_var not in flow_vars:
                    raise ValidationError(
                        f"unknown variable {ins.next_var!r}", field=f"{path}.next_var"
                    )
                seen = {ins.name}
                cur: str | None = ins.next_var
                while cur is not None:
                    if cur in seen:
                        raise ValidationError("next_var loop", field=f"{path}.next_var")
                    seen.add(cur)
                    cur = chain.get(cur)

    def check_offsets(self, packet_len: int) -> None:
        """Check that every write and checksum fits in a ``packet_len``-byte template.

        Raises:
            ValidationError: naming the instruction (``vm.instructions[i]...``).
        """
        for i, ins in enumerate(self.instructions):
            path = f"vm.instructions[{i}]"
            end, name = 0, ""
            if isinstance(ins, WriteFlowVar):
                end, name = ins.pkt_offset + self.var_sizes[ins.name], "pkt_offset"
            elif isinstance(ins, WriteMaskFlowVar):
                end, name = ins.pkt_offset + ins.pkt_cast_size, "pkt_offset"
            elif isinstance(ins, FixChecksumIpv4):
                end, name = ins.pkt_offset + 20, "pkt_offset"
            elif isinstance(ins, FixChecksumHw):
                l3 = max(ins.l3_len, 20)
                end, name = ins.l2_len + l3 + _L4_MIN[ins.l4_type], "l3_len"
            elif isinstance(ins, FixChecksumIcmpv6):
                end, name = ins.l2_len + ins.l3_len + 4, "l3_len"
            if end > packet_len:
                raise ValidationError(
                    f"reaches byte {end} of a {packet_len}-byte packet",
                    field=f"{path}.{name}",
                )

    @property
    def trim_var(self) -> str | None:
        """Name of the variable that trims the frame length (the last trim wins)."""
        trims = [ins.name for ins in self.instructions if isinstance(ins, TrimPktSize)]
        return trims[-1] if trims else None

    @property
    def trim_floor(self) -> int | None:
        """The smallest value of the trim variable (None: no trim): the shortest
        frame (FCS excluded) it asks for."""
        name = self.trim_var
        for ins in self.instructions:
            if isinstance(ins, FlowVar) and ins.name == name:
                if ins.value_list is not None:
                    return min(ins.value_list)
                return ins.min_value
            if isinstance(ins, FlowVarRandLimit) and ins.name == name:
                return ins.min_value
        return None
