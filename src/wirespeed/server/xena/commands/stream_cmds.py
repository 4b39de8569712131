"""Stream commands (PS_*): every set edits the Xena draft, then rebuilds the stream.

While a port transmits, an enabled stream cannot be changed (NOTVALID); only
PS_ENABLE may switch it between ON and SUPPRESS.
"""

from __future__ import annotations

from collections.abc import Callable
from ipaddress import IPv4Address, IPv6Address

from wirespeed.errors import StateError, ValidationError
from wirespeed.model import LengthType, PayloadType, SegmentType, StreamEnable
from wirespeed.server.xena.coding import (
    LENGTH_TYPE,
    PAYLOAD_TYPE,
    SEGMENTS,
    STREAM_STATE,
)
from wirespeed.server.xena.commands.fields import (
    addr4,
    addr6,
    as_enum,
    hexf,
    i32,
    i32s,
    i64,
    string,
    u8,
    u8s,
)
from wirespeed.server.xena.draft import (
    RateKind,
    StreamDraft,
    default_header,
)
from wirespeed.server.xena.enums import OnOff, StreamOption
from wirespeed.server.xena.session import XenaSession
from wirespeed.server.xena.state import ChassisState, Target
from wirespeed.server.xena.status import Status, XenaStatusError
from wirespeed.server.xena.stream_sync import remove_stream, sync_stream
from wirespeed.server.xena.table import (
    CommandSpec,
    Getter,
    Guard,
    Scope,
    Setter,
)
from wirespeed.server.xena.values import Value

__all__ = ["COMMANDS"]

_P = Scope.PORT
_ST = Guard.STREAM
TPLD_HEADROOM = 2  # bytes of payload kept by PS_AUTOADJUST after the TPLD
FCS = 4
MIN_FRAME = 64


def _bad(message: str) -> XenaStatusError:
    return XenaStatusError(Status.BADVALUE, message)


Edit = Callable[[ChassisState, Target, StreamDraft, tuple[Value, ...]], None]


def _edit(apply: Edit) -> Setter:
    """A setter that edits the addressed draft, then rebuilds the stream."""

    def setter(
        c: ChassisState, s: XenaSession, t: Target, v: tuple[Value, ...]
    ) -> None:
        apply(c, t, c.draft(t), v)
        sync_stream(c, t.port_index, t.indices[0])

    return setter


def _read(read: Callable[[StreamDraft], tuple[Value, ...]]) -> Getter:
    def getter(c: ChassisState, s: XenaSession, t: Target) -> tuple[Value, ...]:
        return read(c.draft(t))

    return getter


def _int(v: Value) -> int:
    assert isinstance(v, int)
    return v


# ------------------------------------------------------------------ indices
def _new_draft(c: ChassisState, p: int, sid: int) -> None:
    if not 0 <= sid < c.profile.limits.max_streams:
        raise XenaStatusError(Status.BADINDEX, f"stream index {sid} out of range")
    mac = bytes.fromhex(c.tester.ports[p].mac.replace(":", ""))
    c.ports[p].streams[sid] = StreamDraft(header=default_header(mac))
    sync_stream(c, p, sid)


def _check_deletable(c: ChassisState, p: int, sid: int) -> None:
    draft = c.ports[p].streams.get(sid)
    if draft is None:
        raise XenaStatusError(Status.BADINDEX, f"no stream {sid}")
    if c.traffic_on(p) and draft.enable is not StreamEnable.OFF:
        raise XenaStatusError(Status.NOTVALID, "traffic is on and stream enabled")


def _create(c: ChassisState, s: XenaSession, t: Target, v: tuple[Value, ...]) -> None:
    sid = t.indices[0]
    if sid in c.ports[t.port_index].streams:
        raise XenaStatusError(Status.NOTVALID, f"stream {sid} exists")
    _new_draft(c, t.port_index, sid)


def _delete(c: ChassisState, s: XenaSession, t: Target, v: tuple[Value, ...]) -> None:
    _check_deletable(c, t.port_index, t.indices[0])
    remove_stream(c, t.port_index, t.indices[0])


def _set_indices(
    c: ChassisState, s: XenaSession, t: Target, v: tuple[Value, ...]
) -> None:
    p = t.port_index
    wanted = v[0]
    assert isinstance(wanted, tuple)
    if len(set(wanted)) != len(wanted):
        raise _bad("stream indices repeat")
    current = set(c.ports[p].streams)
    for sid in current - set(wanted):
        _check_deletable(c, p, sid)
    for sid in wanted:
        if not 0 <= sid < c.profile.limits.max_streams:
            raise XenaStatusError(Status.BADINDEX, f"stream index {sid} out of range")
    for sid in current - set(wanted):
        remove_stream(c, p, sid)
    for sid in wanted:
        if sid not in current:
            _new_draft(c, p, sid)


def _set_enable(
    c: ChassisState, s: XenaSession, t: Target, v: tuple[Value, ...]
) -> None:
    draft = c.draft(t)
    new = STREAM_STATE.member(v[0])
    if (
        c.traffic_on(t.port_index)
        and new is not draft.enable
        and StreamEnable.OFF in (new, draft.enable)
    ):
        raise XenaStatusError(Status.NOTVALID, "traffic is on")
    # ON <-> SUPPRESS while transmitting: the tester switches the running stream
    draft.enable = new
    sync_stream(c, t.port_index, t.indices[0])


# ------------------------------------------------------------------ simple values
def _limit(c: ChassisState, t: Target, d: StreamDraft, v: tuple[Value, ...]) -> None:
    if _int(v[0]) < -1:
        raise _bad("packet limit is -1, 0 or a count")
    d.packet_limit = _int(v[0])


def _comment(c: ChassisState, t: Target, d: StreamDraft, v: tuple[Value, ...]) -> None:
    d.comment = str(v[0])


def _tpld(c: ChassisState, t: Target, d: StreamDraft, v: tuple[Value, ...]) -> None:
    if not -1 <= _int(v[0]) <= c.profile.limits.max_tpld_id:
        raise _bad(f"TPLD id is -1..{c.profile.limits.max_tpld_id}")
    d.tpld_id = _int(v[0])


def _fcs(c: ChassisState, t: Target, d: StreamDraft, v: tuple[Value, ...]) -> None:
    d.insert_fcs = as_enum(OnOff, v[0])


def _rate_ppm(c: ChassisState, t: Target, d: StreamDraft, v: tuple[Value, ...]) -> None:
    if not 0 <= _int(v[0]) <= 1_000_000:
        raise _bad("rate fraction is 0..1000000 ppm")
    d.rate_kind, d.rate_ppm = RateKind.FRACTION_PPM, _int(v[0])


def _rate_pps(c: ChassisState, t: Target, d: StreamDraft, v: tuple[Value, ...]) -> None:
    if _int(v[0]) < 0:
        raise _bad("frames/s must be >= 0")
    d.rate_kind, d.rate_pps = RateKind.PPS, _int(v[0])


def _rate_l2(c: ChassisState, t: Target, d: StreamDraft, v: tuple[Value, ...]) -> None:
    if _int(v[0]) < 0:
        raise _bad("bit/s must be >= 0")
    d.rate_kind, d.rate_l2_bps = RateKind.L2_BPS, _int(v[0])


def _rates(c: ChassisState, t: Target) -> tuple[int, int, int]:
    draft = c.draft(t)
    line = c.tester.ports[t.port_index].speed_bps
    return draft.rates(line, gap_bytes=c.ports[t.port_index].min_gap_bytes)


def _burst(c: ChassisState, t: Target, d: StreamDraft, v: tuple[Value, ...]) -> None:
    size, density = _int(v[0]), _int(v[1])
    # -1: no burst size (Xena's default, what the RFC suites write)
    if (size < 1 and size != -1) or not 1 <= density <= 100:
        raise _bad("burst size >= 1 (or -1), density 1..100")
    d.burst_size, d.burst_density = size, density


def _burst_gap(
    c: ChassisState, t: Target, d: StreamDraft, v: tuple[Value, ...]
) -> None:
    if _int(v[0]) < 0 or _int(v[1]) < 0:
        raise _bad("gaps must be >= 0")
    d.inter_packet_gap, d.inter_burst_gap = _int(v[0]), _int(v[1])


def _header(c: ChassisState, t: Target, d: StreamDraft, v: tuple[Value, ...]) -> None:
    data = v[0]
    assert isinstance(data, bytes)
    limit = c.ports[t.port_index].max_header_bytes
    if not 14 <= len(data) <= limit:
        raise _bad(f"header must be 14..{limit} bytes (P_MAXHEADERLENGTH)")
    d.header = data


def _segments(c: ChassisState, t: Target, d: StreamDraft, v: tuple[Value, ...]) -> None:
    segs = v[0]
    assert isinstance(segs, tuple)
    for seg in segs:
        if SEGMENTS.name(seg) is None:
            raise _bad(f"unknown segment {seg}")
    if not segs or segs[0] not in (
        SegmentType.ETHERNET,
        SegmentType.ETHERNET_8023,
    ):
        raise _bad("the first segment is ETHERNET")
    d.segments = segs


def _length(c: ChassisState, t: Target, d: StreamDraft, v: tuple[Value, ...]) -> None:
    lim = c.profile.limits
    kind = LENGTH_TYPE.member(v[0])
    lo, hi = _int(v[1]), _int(v[2])
    for size in (lo, hi) if kind is not LengthType.FIXED else (lo,):
        if not lim.min_packet_bytes <= size <= lim.max_packet_bytes:
            raise _bad(f"sizes are {lim.min_packet_bytes}..{lim.max_packet_bytes}")
    if kind not in (LengthType.FIXED, LengthType.MIX) and hi < lo:
        raise _bad("max < min")
    d.length_type, d.length_min, d.length_max = kind, lo, hi


def _payload(c: ChassisState, t: Target, d: StreamDraft, v: tuple[Value, ...]) -> None:
    kind = PAYLOAD_TYPE.member(v[0])
    pattern = v[1]
    assert isinstance(pattern, bytes)
    if len(pattern) > c.profile.limits.max_pattern_bytes:
        raise _bad(f"pattern longer than {c.profile.limits.max_pattern_bytes} bytes")
    d.payload_type, d.payload_pattern = kind, pattern or b"\x00"


def _autoadjust(
    c: ChassisState, s: XenaSession, t: Target, v: tuple[Value, ...]
) -> None:
    d = c.draft(t)
    tpld = 0 if d.tpld_id < 0 else c.tester.ports[t.port_index].tpld_mode.length
    d.length_type = LengthType.FIXED
    d.length_min = d.length_max = max(MIN_FRAME, len(d.header) + tpld + FCS)
    d.payload_type = PayloadType.PATTERN
    sync_stream(c, t.port_index, t.indices[0])


def _gateway4(c: ChassisState, t: Target, d: StreamDraft, v: tuple[Value, ...]) -> None:
    assert isinstance(v[0], IPv4Address)
    d.ipv4_gateway = v[0]


def _gateway6(c: ChassisState, t: Target, d: StreamDraft, v: tuple[Value, ...]) -> None:
    assert isinstance(v[0], IPv6Address)
    d.ipv6_gateway = v[0]


def _pfc(c: ChassisState, t: Target, d: StreamDraft, v: tuple[Value, ...]) -> None:
    if not 0 <= _int(v[0]) <= 7:
        raise _bad("PFC priority is 0..7")
    d.pfc_priority = _int(v[0])


def _options(c: ChassisState, t: Target, d: StreamDraft, v: tuple[Value, ...]) -> None:
    if v[0]:  # INCPLDFROM0 changes the payload the TX engine writes
        raise XenaStatusError(Status.NOTSUPPORTED, "stream options")


def _no_options(c: ChassisState, s: XenaSession, t: Target) -> tuple[Value, ...]:
    c.draft(t)  # BADINDEX for a stream that does not exist
    return ((),)


def _inject(kind: str) -> Setter:
    """A setter that puts one error into the next frame(s) of a sending stream."""

    def setter(
        c: ChassisState, s: XenaSession, t: Target, v: tuple[Value, ...]
    ) -> None:
        c.draft(t)  # BADINDEX for a stream that does not exist
        try:
            c.tester.inject_error(t.port_index, t.indices[0], kind)
        except (StateError, ValidationError) as exc:
            # traffic off, stream disabled, no TPLD, or a micro TPLD for seq errors
            raise XenaStatusError(Status.NOTVALID, str(exc)) from None

    return setter


def _field(name: str) -> Getter:
    def getter(c: ChassisState, s: XenaSession, t: Target) -> tuple[Value, ...]:
        value = getattr(c.draft(t), name)
        assert isinstance(value, int | str | bytes | tuple | IPv4Address | IPv6Address)
        return (value,)

    return getter


def _rate_get(i: int) -> Getter:
    def getter(c: ChassisState, s: XenaSession, t: Target) -> tuple[Value, ...]:
        return (_rates(c, t)[i],)

    return getter


def _fields(*names: str) -> Getter:
    def getter(c: ChassisState, s: XenaSession, t: Target) -> tuple[Value, ...]:
        draft = c.draft(t)
        return tuple(getattr(draft, n) for n in names)

    return getter


_SEGS = u8s("segments", SEGMENTS)


def _no_fcs_error(
    c: ChassisState, s: XenaSession, t: Target, v: tuple[Value, ...]
) -> None:
    c.draft(t)  # BADINDEX for a stream that does not exist
    raise XenaStatusError(
        Status.NOTSUPPORTED,
        "a frame on a veth has no FCS (the kernel neither appends nor checks "
        "one): no frame with a bad FCS can be sent",
    )


_RO = Guard.RESERVED
COMMANDS: list[CommandSpec] = [
    CommandSpec("PS_INDICES", _P, get_fields=(i32s("stream_indices"),),
                getter=lambda c, s, t: (tuple(sorted(c.ports[t.port_index].streams)),),
                set_fields=(i32s("stream_indices"),), setter=_set_indices, guard=_RO,
                help="stream indices; setting it creates/deletes streams to match"),
    CommandSpec("PS_CREATE", _P, 1, set_fields=(), setter=_create, guard=_RO,
                help="create a stream (disabled, with default values)"),
    CommandSpec("PS_DELETE", _P, 1, set_fields=(), setter=_delete, guard=_RO,
                help="delete a stream"),
    CommandSpec("PS_ENABLE", _P, 1, get_fields=(u8("state", STREAM_STATE),),
                getter=_read(lambda d: (STREAM_STATE.code(d.enable),)),
                set_fields=(u8("state", STREAM_STATE),),
                setter=_set_enable, guard=_RO, help="OFF, ON or SUPPRESS"),
    CommandSpec("PS_PACKETLIMIT", _P, 1, get_fields=(i32("packet_count"),),
                getter=_field("packet_limit"), set_fields=(i32("packet_count"),),
                setter=_edit(_limit), guard=_ST,
                help="frames to send, then stop (0 or -1: no limit)"),
    CommandSpec("PS_COMMENT", _P, 1, get_fields=(string("comment"),),
                getter=_field("comment"), set_fields=(string("comment"),),
                setter=_edit(_comment), guard=_ST, help="stream description"),
    CommandSpec("PS_TPLDID", _P, 1, get_fields=(i32("test_payload_identifier"),),
                getter=_field("tpld_id"), set_fields=(i32("test_payload_identifier"),),
                setter=_edit(_tpld), guard=_ST, help="test payload id (-1: no TPLD)"),
    CommandSpec("PS_INSERTFCS", _P, 1, get_fields=(u8("on_off", OnOff),),
                getter=_field("insert_fcs"), set_fields=(u8("on_off", OnOff),),
                setter=_edit(_fcs), guard=_ST,
                help="ON: frame sizes count a 4-byte FCS (always so on veth)"),
    CommandSpec("PS_AUTOADJUST", _P, 1, set_fields=(), setter=_autoadjust, guard=_ST,
                help="FIXED length just fitting header + TPLD + FCS (>= 64)"),
    CommandSpec("PS_RATEFRACTION", _P, 1, get_fields=(i32("stream_rate_ppm"),),
                getter=_rate_get(0), set_fields=(i32("stream_rate_ppm"),),
                setter=_edit(_rate_ppm), guard=_ST,
                help="rate in ppm of the port's nominal line rate (L1)"),
    CommandSpec("PS_RATEPPS", _P, 1, get_fields=(i32("stream_rate_pps"),),
                getter=_rate_get(1), set_fields=(i32("stream_rate_pps"),),
                setter=_edit(_rate_pps), guard=_ST, help="rate in frames/s"),
    CommandSpec("PS_RATEL2BPS", _P, 1, get_fields=(i64("l2_bps"),),
                getter=_rate_get(2), set_fields=(i64("l2_bps"),),
                setter=_edit(_rate_l2), guard=_ST, help="rate in layer-2 bit/s"),
    CommandSpec("PS_BURST", _P, 1, get_fields=(i32("size"), i32("density")),
                getter=_fields("burst_size", "burst_density"),
                set_fields=(i32("size"), i32("density")), setter=_edit(_burst),
                guard=_ST, help="frames per burst, density (P_TXMODE BURST)"),
    CommandSpec("PS_BURSTGAP", _P, 1,
                get_fields=(i32("inter_packet_gap"), i32("inter_burst_gap")),
                getter=_fields("inter_packet_gap", "inter_burst_gap"),
                set_fields=(i32("inter_packet_gap"), i32("inter_burst_gap")),
                setter=_edit(_burst_gap), guard=_ST,
                help="gaps in bytes (P_TXMODE BURST)"),
    CommandSpec("PS_PACKETHEADER", _P, 1, get_fields=(hexf("hex_data"),),
                getter=_field("header"), set_fields=(hexf("hex_data"),),
                setter=_edit(_header), guard=_ST, help="header bytes from the DMAC on"),
    CommandSpec("PS_HEADERPROTOCOL", _P, 1,
                get_fields=(_SEGS,), getter=_field("segments"),
                set_fields=(_SEGS,), setter=_edit(_segments),
                guard=_ST, help="segments of the header: ETHERNET VLAN IP UDP..."),
    CommandSpec("PS_PACKETLENGTH", _P, 1,
                get_fields=(i32("length_type", LENGTH_TYPE), i32("min_val"),
                            i32("max_val")),
                getter=_read(lambda d: (LENGTH_TYPE.code(d.length_type), d.length_min,
                                        d.length_max)),
                set_fields=(i32("length_type", LENGTH_TYPE), i32("min_val"),
                            i32("max_val")),
                setter=_edit(_length), guard=_ST,
                help="FIXED/INCREMENTING/BUTTERFLY/RANDOM/MIX, min, max (with FCS)"),
    CommandSpec("PS_IPV4GATEWAY", _P, 1, get_fields=(addr4("gateway_ipv4_address"),),
                getter=_field("ipv4_gateway"),
                set_fields=(addr4("gateway_ipv4_address"),), setter=_edit(_gateway4),
                guard=_ST, help="IPv4 gateway of the stream (PS_ARPREQUEST)"),
    CommandSpec("PS_IPV6GATEWAY", _P, 1, get_fields=(addr6("gateway_ipv6_address"),),
                getter=_field("ipv6_gateway"),
                set_fields=(addr6("gateway_ipv6_address"),), setter=_edit(_gateway6),
                guard=_ST, help="IPv6 gateway of the stream (PS_ARPREQUEST)"),
    CommandSpec("PS_PFCPRIORITY", _P, 1, get_fields=(u8("pcp"),),
                getter=_field("pfc_priority"), set_fields=(u8("pcp"),),
                setter=_edit(_pfc), guard=_ST,
                help="PFC class 0..7 (kept; a software port has no PFC)"),
    CommandSpec("PS_OPTIONS", _P, 1, get_fields=(u8s("options", StreamOption),),
                getter=_no_options,
                set_fields=(u8s("options", StreamOption),), setter=_edit(_options),
                guard=_ST, help="no options (INCPLDFROM0 is not supported)"),
    CommandSpec("PS_PAYLOAD", _P, 1,
                get_fields=(u8("payload_type", PAYLOAD_TYPE), hexf("hex_data")),
                getter=_read(lambda d: (PAYLOAD_TYPE.code(d.payload_type),
                                        d.payload_pattern)),
                set_fields=(u8("payload_type", PAYLOAD_TYPE), hexf("hex_data")),
                setter=_edit(_payload), guard=_ST,
                help="PATTERN/INC8/PRBS/RANDOM/DEC8/INC16/DEC16, pattern bytes"),
    CommandSpec("PS_INJECTSEQERR", _P, 1, set_fields=(), setter=_inject("sequence"),
                guard=_RO, help="skip one sequence number (1 lost at the receiver)"),
    CommandSpec("PS_INJECTMISERR", _P, 1, set_fields=(), setter=_inject("misorder"),
                guard=_RO, help="swap two frames' numbers (1 misordered)"),
    CommandSpec("PS_INJECTFCSERR", _P, 1, set_fields=(), setter=_no_fcs_error,
                guard=_RO, help="NOTSUPPORTED: a veth frame carries no FCS"),
    CommandSpec("PS_INJECTPLDERR", _P, 1, set_fields=(), setter=_inject("payload"),
                guard=_RO, help="flip payload bits of one frame (payload integrity)"),
    CommandSpec("PS_INJECTTPLDERR", _P, 1, set_fields=(), setter=_inject("tpld"),
                guard=_RO, help="corrupt one frame's TPLD (a non-TPLD frame, 1 lost)"),
]  # fmt: skip
