"""Port commands (P_*, PP_FECMODE): reservation, reset, identity, settings (traffic
runs are in :mod:`run_cmds`).

Settings a veth cannot act on (FEC, loopback modes other than NONE, speed selection)
are kept as Xena settings only where they change nothing the tester measures; modes
that would change what is sent or measured and that wirespeed cannot do are answered
NOTSUPPORTED instead of being pretended.
"""

from __future__ import annotations

import enum
import logging

from wirespeed.server.xena.coding import TPLD_MODE
from wirespeed.server.xena.commands.capture_cmds import drop_capture
from wirespeed.server.xena.commands.fields import (
    as_enum,
    as_int,
    hexf,
    i32,
    string,
    u8,
)
from wirespeed.server.xena.enums import (
    FecMode,
    LatencyMode,
    LoopbackMode,
    OnOff,
    PortSpeedMode,
    ReservedAction,
    ReservedStatus,
    SyncStatus,
    TxMode,
)
from wirespeed.server.xena.reservations import set_port_reservation
from wirespeed.server.xena.session import XenaSession
from wirespeed.server.xena.state import ChassisState, PortXena, Target
from wirespeed.server.xena.status import Status, XenaStatusError
from wirespeed.server.xena.table import (
    CommandSpec,
    Getter,
    Guard,
    Scope,
    Setter,
)
from wirespeed.server.xena.values import Value
from wirespeed.tpld import TpldMode

__all__ = ["COMMANDS", "port_capabilities", "port_field", "resolve_port"]

log = logging.getLogger("wirespeed.xena")
_P = Scope.PORT
_SPEED_MODES: dict[PortSpeedMode, int] = {
    PortSpeedMode.F10M: 10,
    PortSpeedMode.F100M: 100,
    PortSpeedMode.F1G: 1_000,
    PortSpeedMode.F2500M: 2_500,
    PortSpeedMode.F5G: 5_000,
    PortSpeedMode.F10G: 10_000,
    PortSpeedMode.F25G: 25_000,
    PortSpeedMode.F40G: 40_000,
    PortSpeedMode.F50G: 50_000,
    PortSpeedMode.F100G: 100_000,
    PortSpeedMode.F200G: 200_000,
    PortSpeedMode.F400G: 400_000,
    PortSpeedMode.F800G: 800_000,
}


def resolve_port(c: ChassisState, slot: int, port: int) -> int:
    """The tester port at Xena ``slot``/``port`` (BADMODULE / BADPORT if none)."""
    if slot not in c.slots:
        raise XenaStatusError(Status.BADMODULE, f"no module in slot {slot}")
    ports = c.module_ports[c.slots.index(slot)]
    if not 0 <= port < len(ports):
        raise XenaStatusError(Status.BADPORT, f"no port {slot}/{port}")
    return ports[port]


def _set_reservation(
    c: ChassisState, s: XenaSession, t: Target, v: tuple[Value, ...]
) -> None:
    set_port_reservation(c, s, t.port_index, as_enum(ReservedAction, v[0]))


def _set_tx_enable(
    c: ChassisState, s: XenaSession, t: Target, v: tuple[Value, ...]
) -> None:
    c.tester.set_link(t.port_index, as_enum(OnOff, v[0]) is OnOff.ON)


def _reserved_by(c: ChassisState, s: XenaSession, t: Target) -> tuple[Value, ...]:
    res = c.tester.reservation(t.port_index)
    return (res.owner if res is not None else "",)


def _reset(c: ChassisState, s: XenaSession, t: Target, v: tuple[Value, ...]) -> None:
    c.tester.reset_port(t.port_index)
    drop_capture(c, t.port_index)
    c.ports[t.port_index] = PortXena()


def _interface(c: ChassisState, s: XenaSession, t: Target) -> tuple[Value, ...]:
    info = c.tester.ports[t.port_index]
    media = c.media(t.module_index).name.split("_")[0]
    speed = f"{info.speed_bps / 1e9:g}G"
    return (f"{media} {speed} ({info.spec.interface})",)


def port_capabilities(c: ChassisState, p: int) -> tuple[int, ...]:
    """P_CAPABILITIES: 228 int32 values, limits that the server enforces."""
    lim = c.profile.limits
    speed_mbps = max(
        c.profile.module.max_speed_mbps, c.tester.ports[p].speed_bps // 10**6
    )
    head = [
        speed_mbps, 0, 20, 20, 8, lim.max_streams, 100, 2**31 - 1, speed_mbps,
        65535, 0, lim.max_burst, lim.min_packet_bytes, lim.max_packet_bytes,
        lim.max_header_bytes, lim.max_protocol_segments, lim.max_pattern_bytes,
        lim.max_modifiers, 2, lim.max_repeat, lim.max_tpld_id, 0, 0, 0, 0, 0, 0, 0,
        lim.max_tpld_id + 1, 0, lim.max_ext_modifiers,
        0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0,  # prbs polynomials
        c.profile.module.serdes_count, c.profile.module.serdes_count,
    ]  # fmt: skip
    head += [0] * 22  # 60-81: TX equaliser taps, FEC symbols (none on a veth)
    head += [lim.max_packet_bytes]  # 82: the longest P_XMITONE frame
    return (*head, *([0] * (228 - len(head))))


def _settable(
    field_name: str, coded: type[enum.IntEnum], allowed: tuple[enum.IntEnum, ...]
) -> Setter:
    """Setter storing an enumerated Xena setting, NOTSUPPORTED outside ``allowed``."""

    def setter(
        c: ChassisState, s: XenaSession, t: Target, v: tuple[Value, ...]
    ) -> None:
        value = as_enum(coded, v[0])
        if value not in allowed:
            raise XenaStatusError(Status.NOTSUPPORTED, f"{field_name} {value.name}")
        setattr(c.ports[t.port_index], field_name, value)

    return setter


def _set_speed_selection(
    c: ChassisState, s: XenaSession, t: Target, v: tuple[Value, ...]
) -> None:
    mode = as_enum(PortSpeedMode, v[0])
    if mode is not PortSpeedMode.AUTO:
        mbps = _SPEED_MODES.get(mode)
        if mbps is None:
            raise XenaStatusError(Status.NOTSUPPORTED, f"speed mode {mode.name}")
        c.tester.set_speed(t.port_index, mbps * 1_000_000)
    c.ports[t.port_index].speed_selection = mode


def _tpld_mode(c: ChassisState, s: XenaSession, t: Target) -> tuple[Value, ...]:
    mode = c.tester.ports[t.port_index].tpld_mode
    if mode is TpldMode.TREX:
        raise XenaStatusError(
            Status.NOTVALID,
            "the port sends and reads the TRex-style TPLD (set by the TRex front "
            "end); P_RESET or P_TPLDMODE sets a Xena form",
        )
    return (TPLD_MODE.code(mode),)


def _set_tpld_mode(
    c: ChassisState, s: XenaSession, t: Target, v: tuple[Value, ...]
) -> None:
    p = t.port_index
    if TPLD_MODE.member(v[0]) is TpldMode.MICRO:
        c.tester.set_tpld_mode(p, TpldMode.MICRO)
    elif c.tester.ports[p].payload_checksum_offset:
        c.tester.set_tpld_mode(p, TpldMode.NORMAL_WITH_PAYLOAD_CHECKSUM)
    else:
        c.tester.set_tpld_mode(p, TpldMode.NORMAL)


def _set_checksum(
    c: ChassisState, s: XenaSession, t: Target, v: tuple[Value, ...]
) -> None:
    c.tester.set_payload_checksum(t.port_index, as_int(v[0]))


def _set_latency_offset(
    c: ChassisState, s: XenaSession, t: Target, v: tuple[Value, ...]
) -> None:
    c.tester.set_latency_offset(t.port_index, as_int(v[0]))


def _info(name: str) -> Getter:
    def getter(c: ChassisState, s: XenaSession, t: Target) -> tuple[Value, ...]:
        value = getattr(c.tester.ports[t.port_index], name)
        assert isinstance(value, int)
        return (value,)

    return getter


def _fec(c: ChassisState, s: XenaSession, t: Target) -> tuple[Value, ...]:
    return (
        FecMode.__members__.get(c.tester.ports[t.port_index].fec_mode, FecMode.OFF),
    )


def _set_fec(c: ChassisState, s: XenaSession, t: Target, v: tuple[Value, ...]) -> None:
    c.tester.set_fec_mode(t.port_index, as_enum(FecMode, v[0]).name)


def _set_comment(
    c: ChassisState, s: XenaSession, t: Target, v: tuple[Value, ...]
) -> None:
    c.ports[t.port_index].comment = str(v[0])


def _set_seed(c: ChassisState, s: XenaSession, t: Target, v: tuple[Value, ...]) -> None:
    c.ports[t.port_index].random_seed = as_int(v[0])


def _set_max_header(
    c: ChassisState, s: XenaSession, t: Target, v: tuple[Value, ...]
) -> None:
    n = as_int(v[0])
    if not 1 <= n <= c.profile.limits.max_header_bytes:
        raise XenaStatusError(Status.BADVALUE, "max header length out of range")
    c.ports[t.port_index].max_header_bytes = n


def _only(value: int, what: str) -> Setter:
    def setter(
        c: ChassisState, s: XenaSession, t: Target, v: tuple[Value, ...]
    ) -> None:
        if v[0] != value:
            raise XenaStatusError(Status.NOTSUPPORTED, f"{what} other than {value}")

    return setter


def _mac(c: ChassisState, s: XenaSession, t: Target) -> tuple[Value, ...]:
    return (bytes.fromhex(c.tester.ports[t.port_index].mac.replace(":", "")),)


def port_field(name: str) -> Getter:
    def getter(c: ChassisState, s: XenaSession, t: Target) -> tuple[Value, ...]:
        value = getattr(c.ports[t.port_index], name)
        assert isinstance(value, int | str)
        return (value,)

    return getter


COMMANDS: list[CommandSpec] = [
    CommandSpec(
        "P_RESERVATION",
        _P,
        get_fields=(u8("status", ReservedStatus),),
        getter=lambda c, s, t: (c.port_status(s, t.port_index),),
        set_fields=(u8("operation", ReservedAction),),
        setter=_set_reservation,
        guard=Guard.SESSION,
        help="RESERVE / RELEASE / RELINQUISH the port",
    ),
    CommandSpec(
        "P_RESERVEDBY",
        _P,
        get_fields=(string("username"),),
        getter=_reserved_by,
        help="owner of the port reservation (any front end)",
    ),
    CommandSpec(
        "P_RESET",
        _P,
        set_fields=(),
        setter=_reset,
        help="stop traffic, delete streams, restore default settings",
    ),
    CommandSpec(
        "P_CAPABILITIES",
        _P,
        get_fields=tuple(i32(f"cap_{i}") for i in range(228)),
        getter=lambda c, s, t: port_capabilities(c, t.port_index),
        help="port limits (streams, lengths, modifiers...)",
    ),
    CommandSpec(
        "P_INTERFACE",
        _P,
        get_fields=(string("interface"),),
        getter=_interface,
        help="interface description (with the real interface name)",
    ),
    CommandSpec(
        "P_RECEIVESYNC",
        _P,
        get_fields=(u8("sync_status", SyncStatus),),
        getter=lambda c, s, t: (
            SyncStatus.IN_SYNC
            if c.tester.ports[t.port_index].link_up
            else SyncStatus.NO_SYNC,
        ),
        help="IN_SYNC when the link is up",
    ),
    CommandSpec(
        "P_TXENABLE",
        _P,
        get_fields=(u8("on_off", OnOff),),
        getter=lambda c, s, t: (
            OnOff.ON if c.tester.ports[t.port_index].link_up else OnOff.OFF,
        ),
        set_fields=(u8("on_off", OnOff),),
        setter=_set_tx_enable,
        help="OFF takes the port's link down (the DUT's port loses it too)",
    ),
    CommandSpec(
        "P_SPEED",
        _P,
        get_fields=(i32("port_speed"),),
        getter=lambda c, s, t: (c.tester.ports[t.port_index].speed_bps // 10**6,),
        help="nominal speed in Mbit/s (the basis of rate fractions)",
    ),
    CommandSpec(
        "P_SPEEDSELECTION",
        _P,
        get_fields=(u8("mode", PortSpeedMode),),
        getter=port_field("speed_selection"),
        set_fields=(u8("mode", PortSpeedMode),),
        setter=_set_speed_selection,
        guard=Guard.IDLE,
        help="AUTO, or a fixed nominal speed",
    ),
    CommandSpec(
        "P_LOOPBACK",
        _P,
        get_fields=(u8("mode", LoopbackMode),),
        getter=port_field("loopback"),
        set_fields=(u8("mode", LoopbackMode),),
        setter=_settable("loopback", LoopbackMode, (LoopbackMode.NONE,)),
        guard=Guard.IDLE,
        help="NONE only (no loopback on a software port)",
    ),
    CommandSpec(
        "PP_FECMODE",
        _P,
        get_fields=(u8("mode", FecMode),),
        getter=_fec,
        set_fields=(u8("mode", FecMode),),
        setter=_set_fec,
        guard=Guard.IDLE,
        help="FEC mode (a layer-1 setting with no effect on veth)",
    ),
    CommandSpec(
        "P_TPLDMODE",
        _P,
        get_fields=(u8("mode", TPLD_MODE),),
        getter=_tpld_mode,
        set_fields=(u8("mode", TPLD_MODE),),
        setter=_set_tpld_mode,
        guard=Guard.IDLE,
        help="NORMAL (20/22 B) or MICRO (6 B)",
    ),
    CommandSpec(
        "P_CHECKSUM",
        _P,
        get_fields=(u8("offset"),),
        getter=_info("payload_checksum_offset"),
        set_fields=(u8("offset"),),
        setter=_set_checksum,
        guard=Guard.IDLE,
        help="payload checksum offset (0 = off; adds 2 bytes to the TPLD)",
    ),
    CommandSpec(
        "P_LATENCYOFFSET",
        _P,
        get_fields=(i32("offset"),),
        getter=_info("latency_offset_ns"),
        set_fields=(i32("offset"),),
        setter=_set_latency_offset,
        help="ns subtracted from measured latencies",
    ),
    CommandSpec(
        "P_LATENCYMODE",
        _P,
        get_fields=(u8("mode", LatencyMode),),
        getter=port_field("latency_mode"),
        set_fields=(u8("mode", LatencyMode),),
        setter=_settable("latency_mode", LatencyMode, (LatencyMode.LAST2LAST,)),
        guard=Guard.IDLE,
        help="LAST2LAST (timestamps are taken per whole frame)",
    ),
    CommandSpec(
        "P_COMMENT",
        _P,
        get_fields=(string("comment"),),
        getter=port_field("comment"),
        set_fields=(string("comment"),),
        setter=_set_comment,
        help="port comment",
    ),
    CommandSpec(
        "P_TXMODE",
        _P,
        get_fields=(u8("mode", TxMode),),
        getter=port_field("tx_mode"),
        set_fields=(u8("mode", TxMode),),
        setter=_settable("tx_mode", TxMode, (TxMode.NORMAL, TxMode.STRICTUNIFORM)),
        guard=Guard.IDLE,
        help="NORMAL or STRICTUNIFORM (both pace evenly)",
    ),
    CommandSpec(
        "P_RANDOMSEED",
        _P,
        get_fields=(i32("seed"),),
        getter=port_field("random_seed"),
        set_fields=(i32("seed"),),
        setter=_set_seed,
        guard=Guard.IDLE,
        help="seed of random modifiers, lengths and payloads",
    ),
    CommandSpec(
        "P_MAXHEADERLENGTH",
        _P,
        get_fields=(i32("max_header_length"),),
        getter=port_field("max_header_bytes"),
        set_fields=(i32("max_header_length"),),
        setter=_set_max_header,
        guard=Guard.IDLE,
        help="longest stream header allowed",
    ),
    CommandSpec(
        "P_PAUSE",
        _P,
        get_fields=(u8("on_off"),),
        getter=lambda c, s, t: (0,),
        set_fields=(u8("on_off"),),
        setter=_only(0, "pause frames (a veth has no flow control)"),
        help="OFF only",
    ),
    CommandSpec(
        "P_SPEEDREDUCTION",
        _P,
        get_fields=(i32("ppm"),),
        getter=lambda c, s, t: (0,),
        set_fields=(i32("ppm"),),
        setter=_only(0, "speed reduction"),
        guard=Guard.IDLE,
        help="0 only",
    ),
    CommandSpec(
        "P_MACADDRESS",
        _P,
        get_fields=(hexf("mac_address", 6),),
        getter=_mac,
        help="the interface's MAC address",
    ),
]
