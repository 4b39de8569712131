"""OTG packet headers (``flows[i].packet``) as bit fields of a frame template (pure).

Headers are laid out one after the other, fields in wire order. What OTG generates:

* ``auto`` fields: ethernet ``ether_type``, IPv4 ``protocol`` and IPv6
  ``next_header`` from the header that follows (else the model's auto value);
  IPv4 ``header_length`` 5; ethernet ``dst`` and VXLAN ``vni``: their auto value
  (no device resolves them for a flow between ports).
* Values left at a default that no real header carries: VLAN ``tpid`` 65535 becomes
  the type of the header that follows (VLAN, IPv4, IPv6), UDP ``dst_port`` 0 in front
  of VXLAN becomes 4789, UDP ``length`` 0 the length, TCP ``data_offset`` 0 five words.
* Lengths (IPv4 ``total_length`` and IPv6 ``payload_length`` ``auto``, UDP
  ``length`` 0): the bytes from the header to the end of the frame, FCS excluded.
  Behind an inner Ethernet header (VXLAN's) they are 4 bytes less, as ixia-c makes
  them (it counts an FCS for the inner frame; the OTG conformance suite's VXLAN
  tests check those values). An inner UDP/TCP checksum still covers the frame to
  its end, as the engine computes them.
* Checksums (IPv4 ``header_checksum``, UDP and TCP ``checksum``): ``generated``
  ``good`` or ``bad``, or ``custom``; :mod:`.frames` computes them.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from typing import Any

from wirespeed.server.otg.access import given, given_names, header_kind
from wirespeed.server.otg.errors import OtgError, unsupported
from wirespeed.server.otg.fields import (
    Cycle,
    Progression,
    Random,
    Sequence,
    first_value,
)

__all__ = ["Checksum", "Field", "Headers", "LengthField", "read_headers"]

_INT, _MAC, _IPV4, _IPV6 = "int", "mac", "ipv4", "ipv6"
_PRIORITY, _CHECKSUM, _ZERO = "priority", "checksum", "zero"
Layout = tuple[tuple[str, int, str], ...]

_LAYOUTS: dict[str, Layout] = {
    "ethernet": (("dst", 48, _MAC), ("src", 48, _MAC), ("ether_type", 16, _INT)),
    "vlan": (
        ("priority", 3, _INT),
        ("cfi", 1, _INT),
        ("id", 12, _INT),
        ("tpid", 16, _INT),
    ),
    "vxlan": (
        ("flags", 8, _INT),
        ("reserved0", 24, _INT),
        ("vni", 24, _INT),
        ("reserved1", 8, _INT),
    ),
    "ipv4": (
        ("version", 4, _INT),
        ("header_length", 4, _INT),
        ("priority", 8, _PRIORITY),
        ("total_length", 16, _INT),
        ("identification", 16, _INT),
        ("reserved", 1, _INT),
        ("dont_fragment", 1, _INT),
        ("more_fragments", 1, _INT),
        ("fragment_offset", 13, _INT),
        ("time_to_live", 8, _INT),
        ("protocol", 8, _INT),
        ("header_checksum", 16, _CHECKSUM),
        ("src", 32, _IPV4),
        ("dst", 32, _IPV4),
    ),
    "ipv6": (
        ("version", 4, _INT),
        ("traffic_class", 8, _INT),
        ("flow_label", 20, _INT),
        ("payload_length", 16, _INT),
        ("next_header", 8, _INT),
        ("hop_limit", 8, _INT),
        ("src", 128, _IPV6),
        ("dst", 128, _IPV6),
    ),
    "udp": (
        ("src_port", 16, _INT),
        ("dst_port", 16, _INT),
        ("length", 16, _INT),
        ("checksum", 16, _CHECKSUM),
    ),
    "tcp": (
        ("src_port", 16, _INT),
        ("dst_port", 16, _INT),
        ("seq_num", 32, _INT),
        ("ack_num", 32, _INT),
        ("data_offset", 4, _INT),
        ("reserved", 3, _ZERO),
        ("ecn_ns", 1, _INT),
        ("ecn_cwr", 1, _INT),
        ("ecn_echo", 1, _INT),
        ("ctl_urg", 1, _INT),
        ("ctl_ack", 1, _INT),
        ("ctl_psh", 1, _INT),
        ("ctl_rst", 1, _INT),
        ("ctl_syn", 1, _INT),
        ("ctl_fin", 1, _INT),
        ("window", 16, _INT),
        ("checksum", 16, _CHECKSUM),
        ("urgent_pointer", 16, _ZERO),
    ),
}
_PRIORITIES: dict[str, Layout] = {
    "raw": (("raw", 8, _INT),),
    "tos": (
        ("precedence", 3, _INT),
        ("delay", 1, _INT),
        ("throughput", 1, _INT),
        ("reliability", 1, _INT),
        ("monetary", 1, _INT),
        ("unused", 1, _INT),
    ),
    "dscp": (("phb", 6, _INT), ("ecn", 2, _INT)),
}
ETHER_TYPES = {"ipv4": 0x0800, "ipv6": 0x86DD, "vlan": 0x8100}
"""Ethernet type of the header that follows (auto ``ether_type``, VLAN ``tpid``)."""
IP_PROTOCOLS = {"udp": 17, "tcp": 6, "ipv4": 4, "ipv6": 41}
"""IP protocol of the header that follows (auto ``protocol`` / ``next_header``)."""
VXLAN_PORT = 4789
INNER_FCS_BYTES = 4
"""What ixia-c leaves out of the lengths behind an inner Ethernet header."""
_LENGTH_BASE = {"ipv4": 0, "ipv6": 40, "udp": 0}
_EXTRAS = {"options": "IPv4 options", "dst_usids": "SRv6 micro-SIDs"}


@dataclass(frozen=True)
class Field:
    """One header field and the values its frames carry.

    Attributes:
        name: its flow variable's name (``packet[2].src_port``).
        path: the OTG field, for errors (``flows[0].packet[2].udp.src_port``).
        pos: its first bit in the frame.
        bits: its width.
        seq: its values, frame after frame.
    """

    name: str
    path: str
    pos: int
    bits: int
    seq: Sequence


@dataclass(frozen=True)
class LengthField:
    """A 16-bit length generated per frame: frame length (no FCS) + ``delta``."""

    offset: int
    delta: int
    path: str


@dataclass(frozen=True)
class Checksum:
    """A 16-bit checksum field.

    Attributes:
        kind: ``ipv4`` (header checksum), ``udp`` or ``tcp``.
        header: byte offset of its header.
        offset: byte offset of the field.
        ip: byte offset of the IP header a UDP/TCP checksum covers (None: none).
        mode: ``good``, ``bad`` or a custom value.
        path: the OTG field.
    """

    kind: str
    header: int
    offset: int
    ip: int | None
    mode: str | int
    path: str


@dataclass
class Headers:
    """A flow's headers: the template of frame 0 and what changes or is generated.

    Attributes:
        template: the header bytes, frame 0's values (lengths, checksums 0).
        fields: every field that is not a length or checksum.
        lengths: generated lengths.
        checksums: checksum fields, in header order.
        kinds: header kind by byte offset.
        vlans: VLAN headers (each lets a frame exceed the MTU by 4 bytes).
    """

    template: bytes = b""
    fields: list[Field] = field(default_factory=list)
    lengths: list[LengthField] = field(default_factory=list)
    checksums: list[Checksum] = field(default_factory=list)
    kinds: dict[int, str] = field(default_factory=dict)
    vlans: int = 0


def _number(value: Any, fmt: str) -> int:
    if fmt == _MAC:
        return int(str(value).replace(":", "").replace("-", ""), 16)
    if fmt == _IPV4:
        return int(ipaddress.IPv4Address(str(value)))
    if fmt == _IPV6:
        return int(ipaddress.IPv6Address(str(value)))
    return int(value)


def _fit(value: int, bits: int, path: str) -> int:
    if not 0 <= value < 1 << bits:
        raise OtgError(f"{path}: {value} does not fit in {bits} bits")
    return value


def read_pattern(pattern: Any, fmt: str, bits: int, path: str) -> Sequence | str:
    """A field pattern's values; ``"auto"`` when its choice is ``auto``.

    Raises:
        OtgError: a value out of range, an empty list, a count of 0.
    """
    if given(pattern, "metric_tags"):
        raise unsupported(f"{path}.metric_tags", "tracking flows by field values")
    choice = pattern.choice
    if choice == "value":
        return Cycle((_fit(_number(pattern.value, fmt), bits, f"{path}.value"),))
    if choice == "values":
        values = tuple(
            _fit(_number(v, fmt), bits, f"{path}.values[{k}]")
            for k, v in enumerate(pattern.values)
        )
        if not values:
            raise OtgError(f"{path}.values: needs at least one value")
        return Cycle(values)
    if choice in ("increment", "decrement"):
        counter = getattr(pattern, choice)
        where = f"{path}.{choice}"
        count = int(counter.count)
        if count < 1:
            raise OtgError(f"{where}.count: must be at least 1")
        start = _fit(_number(counter.start, fmt), bits, f"{where}.start")
        step = _fit(_number(counter.step, fmt), bits, f"{where}.step")
        return Progression(start, step, count, down=choice == "decrement")
    if choice == "random":
        rnd = pattern.random
        where = f"{path}.random"
        return Random(
            _fit(_number(rnd.min, fmt), bits, f"{where}.min"),
            _fit(_number(rnd.max, fmt), bits, f"{where}.max"),
            int(rnd.seed),
            int(rnd.count),
        )
    if choice == "auto":
        return "auto"
    raise unsupported(f"{path}.choice", f"the {choice!r} pattern")


@dataclass(frozen=True)
class _Ctx:
    """The header being read: its index, kind, object, byte offset, the kind of
    the header behind it, the bytes its lengths leave out, its OTG path."""

    index: int
    kind: str
    obj: Any
    offset: int
    nxt: str
    inner: int
    where: str


class _Reader:
    """Reads the headers of one flow, in order."""

    def __init__(self, kinds: list[str]) -> None:
        self.kinds = kinds
        self.out = Headers()
        self.bits: list[tuple[int, int]] = []  # (value, width) of the whole frame
        self.ethernets = 0
        self.last_ip: int | None = None

    @property
    def pos(self) -> int:
        return sum(width for _, width in self.bits)

    def header(self, ctx: _Ctx) -> None:
        self.out.kinds[ctx.offset] = ctx.kind
        if ctx.kind == "custom":
            self._custom(ctx.obj, ctx.where)
            return
        _extras(ctx)
        self.ethernets += ctx.kind == "ethernet"
        self.out.vlans += ctx.kind == "vlan"
        for name, bits, fmt in _LAYOUTS[ctx.kind]:
            path = f"{ctx.where}.{name}"
            if fmt == _ZERO:
                self.bits.append((0, bits))
            elif fmt == _PRIORITY:
                self._priority(ctx, ctx.obj.priority, path)
            elif fmt == _CHECKSUM:
                self._checksum(ctx, getattr(ctx.obj, name), path)
            else:
                pattern = getattr(ctx.obj, name)
                read = read_pattern(pattern, fmt, bits, path)
                seq = _auto(ctx, name, pattern, path) if isinstance(read, str) else read
                self._field(ctx, name, bits, _defaults(ctx, name, seq), path)
        if ctx.kind in ("ipv4", "ipv6"):
            self.last_ip = ctx.offset

    def _custom(self, obj: Any, where: str) -> None:
        if given(obj, "metric_tags"):
            raise unsupported(f"{where}.metric_tags", "tracking flows by field values")
        text = "".join(ch for ch in str(obj.bytes) if ch not in " :")
        if text[:2].lower() == "0x":
            text = text[2:]
        if len(text) % 2:  # an odd digit count: a leading zero
            text = "0" + text
        try:
            raw = bytes.fromhex(text)
        except ValueError as exc:
            raise OtgError(f"{where}.bytes: not hex bytes") from exc
        self.bits += [(byte, 8) for byte in raw]

    def _priority(self, ctx: _Ctx, prio: Any, where: str) -> None:
        choice = str(prio.choice)
        part = getattr(prio, choice)
        for name, bits, fmt in _PRIORITIES[choice]:
            sub = part if choice == "raw" else getattr(part, name)
            path = f"{where}.{choice}" + ("" if choice == "raw" else f".{name}")
            seq = read_pattern(sub, fmt, bits, path)
            if isinstance(seq, str):  # no OTG priority field has auto
                raise OtgError(f"{path}: no auto value")
            self._field(ctx, f"priority.{choice}.{name}", bits, seq, path)

    def _checksum(self, ctx: _Ctx, pattern: Any, path: str) -> None:
        choice = str(pattern.choice)
        mode: str | int = (
            str(pattern.generated) if choice == "generated" else int(pattern.custom)
        )
        ip = ctx.offset if ctx.kind == "ipv4" else self.last_ip
        where = self.pos // 8
        self.out.checksums.append(Checksum(ctx.kind, ctx.offset, where, ip, mode, path))
        self.bits.append((0, 16))

    def _field(
        self, ctx: _Ctx, name: str, bits: int, seq: Sequence | None, path: str
    ) -> None:
        pos = self.pos
        if seq is None:  # a generated length
            delta = -(ctx.offset + _LENGTH_BASE[ctx.kind]) - ctx.inner
            self.out.lengths.append(LengthField(pos // 8, delta, path))
            self.bits.append((0, bits))
            return
        var = f"packet[{ctx.index}].{name}"
        self.out.fields.append(Field(var, path, pos, bits, seq))
        self.bits.append((first_value(seq, bits), bits))


def _extras(ctx: _Ctx) -> None:
    """Parts of a header the engine does not build (any a later model adds too)."""
    obj, where = ctx.obj, ctx.where
    known = {name for name, _, _ in _LAYOUTS[ctx.kind]}
    for name in given_names(obj):
        if name == "pfc_queue" and ctx.kind == "ethernet":
            seq = read_pattern(obj.pfc_queue, _INT, 3, f"{where}.pfc_queue")
            if seq != Cycle((0,)):
                raise unsupported(f"{where}.pfc_queue", "a PFC queue")
        elif name not in known:
            what = _EXTRAS.get(name, f"the {ctx.kind} field {name!r}")
            raise unsupported(f"{where}.{name}", what)


def _auto(ctx: _Ctx, name: str, pattern: Any, path: str) -> Sequence | None:
    """An ``auto`` field's values (None: a generated length)."""
    if name in ("total_length", "payload_length"):
        return None
    if name in ("src", "dst") and ctx.kind in ("ipv4", "ipv6"):
        raise unsupported(f"{path}.auto", "an address from DHCP")
    default = _number(
        pattern.auto, _MAC if ctx.kind == "ethernet" and name == "dst" else _INT
    )
    if name == "ether_type":
        return Cycle((ETHER_TYPES.get(ctx.nxt, default),))
    if name in ("protocol", "next_header"):
        return Cycle((IP_PROTOCOLS.get(ctx.nxt, default),))
    return Cycle((default,))


def _defaults(ctx: _Ctx, name: str, seq: Sequence | None) -> Sequence | None:
    """Default values that stand for a generated one (None: a length)."""
    if seq is None or not isinstance(seq, Cycle) or len(seq.values) != 1:
        return seq
    value = seq.values[0]
    key = (ctx.kind, name)
    if key == ("vlan", "tpid") and value == 0xFFFF:
        return Cycle((ETHER_TYPES.get(ctx.nxt, 0xFFFF),))
    if key == ("udp", "dst_port") and value == 0 and ctx.nxt == "vxlan":
        return Cycle((VXLAN_PORT,))
    if key == ("tcp", "data_offset") and value == 0:
        return Cycle((5,))
    if key == ("udp", "length") and value == 0:
        return None
    return seq


def read_headers(packet: Any, path: str) -> Headers:
    """Read ``flows[i].packet`` (snappi's ``FlowHeaderIter``).

    Args:
        packet: the flow's headers.
        path: the flow, for errors (``flows[0]``).

    Raises:
        OtgError: an unsupported header or part of one, or a bad value.
    """
    items = [header_kind(h) for h in packet]
    kinds = [kind for kind, _ in items]
    reader = _Reader(kinds)
    for i, (kind, obj) in enumerate(items):
        where = f"{path}.packet[{i}]"
        if kind not in _LAYOUTS and kind != "custom":
            raise unsupported(where, f"the {kind} header")
        nxt = kinds[i + 1] if i + 1 < len(kinds) else ""
        inner = INNER_FCS_BYTES if reader.ethernets >= 2 else 0
        offset = reader.pos // 8
        reader.header(_Ctx(i, kind, obj, offset, nxt, inner, f"{where}.{kind}"))
    total = 0
    for value, width in reader.bits:
        total = (total << width) | value
    reader.out.template = total.to_bytes(reader.pos // 8, "big")
    return reader.out
