"""Chassis and session commands (C_*)."""

from __future__ import annotations

import time

from wirespeed.server.xena.commands.fields import (
    as_enum,
    as_int,
    i32,
    i32s,
    i64,
    string,
    u8,
    u8s,
)
from wirespeed.server.xena.enums import OnOff, ReservedAction, ReservedStatus
from wirespeed.server.xena.reservations import set_chassis_reservation
from wirespeed.server.xena.session import XenaSession
from wirespeed.server.xena.state import ChassisState, Target
from wirespeed.server.xena.status import Status, XenaStatusError
from wirespeed.server.xena.table import CommandSpec, Guard, Scope
from wirespeed.server.xena.values import Value

__all__ = ["COMMANDS"]

_C = Scope.CHASSIS
_S = Guard.SESSION
MAX_TIMEOUT_S = 99_999


def _logon(c: ChassisState, s: XenaSession, t: Target, v: tuple[Value, ...]) -> None:
    if v[0] != c.profile.password:
        s.logged_on = False
        raise XenaStatusError(Status.BADVALUE, "wrong password")
    s.logon_number = next(c.event_numbers)
    s.logged_on = True


def _set_owner(
    c: ChassisState, s: XenaSession, t: Target, v: tuple[Value, ...]
) -> None:
    owner = str(v[0]).strip()
    if not owner:
        raise XenaStatusError(Status.BADVALUE, "owner name is empty")
    s.owner = owner


def _set_timeout(
    c: ChassisState, s: XenaSession, t: Target, v: tuple[Value, ...]
) -> None:
    seconds = as_int(v[0])
    if not 1 <= seconds <= MAX_TIMEOUT_S:
        raise XenaStatusError(Status.BADVALUE, f"timeout must be 1..{MAX_TIMEOUT_S} s")
    s.timeout_s = seconds


def _keepalive(c: ChassisState, s: XenaSession, t: Target) -> tuple[Value, ...]:
    return ((time.monotonic_ns() - c.started_ns) // 1_000_000 % 2**31,)


def _logoff(c: ChassisState, s: XenaSession, t: Target, v: tuple[Value, ...]) -> None:
    s.logging_off = True


def _set_reservation(
    c: ChassisState, s: XenaSession, t: Target, v: tuple[Value, ...]
) -> None:
    set_chassis_reservation(c, s, as_enum(ReservedAction, v[0]))


def _reserved_by(c: ChassisState, s: XenaSession, t: Target) -> tuple[Value, ...]:
    return (c.chassis_owner or "",)


def _capabilities(c: ChassisState, s: XenaSession, t: Target) -> tuple[Value, ...]:
    slots = max(c.slots) + 1
    # version, name/comment/password lengths, ext rate, sessions, chain depth,
    # modules, protocols, stream-based ARP, sync start, logs, par upgrade, timekeeper,
    # custom defaults, f2f latency, owner name length, temperatures. Stream-based ARP:
    # PS_ARPREQUEST; sync start: C_TRAFFIC starts its ports in one call, validated
    # first (what the RFC suites check before use_port_sync_start)
    return (1, 49, 49, 32, 0, 64, 0, slots, 0, 1, 1, 0, 0, 0, 0, 0, 32, 0)


def _port_counts(c: ChassisState, s: XenaSession, t: Target) -> tuple[Value, ...]:
    counts = [0] * (max(c.slots) + 1)
    for m, slot in enumerate(c.slots):
        counts[slot] = len(c.module_ports[m])
    return (tuple(counts),)


def _set_name(c: ChassisState, s: XenaSession, t: Target, v: tuple[Value, ...]) -> None:
    c.chassis_name = str(v[0])


def _set_comment(
    c: ChassisState, s: XenaSession, t: Target, v: tuple[Value, ...]
) -> None:
    c.chassis_comment = str(v[0])


def _traffic(c: ChassisState, s: XenaSession, t: Target, v: tuple[Value, ...]) -> None:
    on = as_enum(OnOff, v[0])
    pairs = v[1]
    assert isinstance(pairs, tuple)
    if not pairs or len(pairs) % 2:
        raise XenaStatusError(Status.BADVALUE, "module/port pairs expected")
    from wirespeed.server.xena.commands.port_cmds import resolve_port
    from wirespeed.server.xena.commands.run_cmds import start_ports

    ports = [resolve_port(c, pairs[i], pairs[i + 1]) for i in range(0, len(pairs), 2)]
    for p in ports:
        if c.port_status(s, p) is not ReservedStatus.RESERVED_BY_YOU:
            raise XenaStatusError(Status.NOTRESERVED, f"port {c.place_of(p)}")
    if on is OnOff.ON:
        start_ports(c, ports)
    else:
        c.tester.stop_traffic(ports)


COMMANDS: list[CommandSpec] = [
    CommandSpec(
        "C_LOGON",
        _C,
        set_fields=(string("password"),),
        setter=_logon,
        guard=_S,
        before_logon=True,
        help="log on with the chassis password",
    ),
    CommandSpec(
        "C_OWNER",
        _C,
        get_fields=(string("username"),),
        getter=lambda c, s, t: (s.owner,),
        set_fields=(string("username"),),
        setter=_set_owner,
        guard=_S,
        help="the owner name reservations are held under",
    ),
    CommandSpec(
        "C_KEEPALIVE",
        _C,
        get_fields=(i32("tick_count"),),
        getter=_keepalive,
        help="milliseconds since the server started (keeps the session alive)",
    ),
    CommandSpec(
        "C_TIMEOUT",
        _C,
        get_fields=(i32("second_count"),),
        getter=lambda c, s, t: (int(s.timeout_s),),
        set_fields=(i32("second_count"),),
        setter=_set_timeout,
        guard=_S,
        help="idle seconds before the session is closed",
    ),
    CommandSpec(
        "C_RESERVATION",
        _C,
        get_fields=(u8("operation", ReservedStatus),),
        getter=lambda c, s, t: (c.chassis_status(s),),
        set_fields=(u8("operation", ReservedAction),),
        setter=_set_reservation,
        guard=_S,
        help="RESERVE / RELEASE / RELINQUISH the chassis",
    ),
    CommandSpec(
        "C_RESERVEDBY",
        _C,
        get_fields=(string("username"),),
        getter=_reserved_by,
        help="owner of the chassis reservation",
    ),
    CommandSpec(
        "C_LOGOFF",
        _C,
        set_fields=(),
        setter=_logoff,
        guard=_S,
        help="end the session",
    ),
    CommandSpec(
        "C_CAPABILITIES",
        _C,
        get_fields=tuple(i32(f"cap_{i}") for i in range(18)),
        getter=_capabilities,
        help="chassis capabilities",
    ),
    CommandSpec(
        "C_MODEL",
        _C,
        get_fields=(string("model"),),
        getter=lambda c, s, t: (c.profile.model,),
        help="chassis model",
    ),
    CommandSpec(
        "C_MODEL_NAME",
        _C,
        get_fields=(i32("name"),),
        getter=lambda c, s, t: (0,),
        help="chassis model code (0: not a Xena chassis)",
    ),
    CommandSpec(
        "C_SERIALNO",
        _C,
        get_fields=(i32("serial_number"),),
        getter=lambda c, s, t: (c.profile.serial,),
        help="chassis serial number",
    ),
    CommandSpec(
        "C_VERSIONNO",
        _C,
        get_fields=(i32("chassis_major_version"), i32("pci_driver_version")),
        getter=lambda c, s, t: (c.profile.version_major, 0),
        help="firmware version",
    ),
    CommandSpec(
        "C_VERSIONNO_MINOR",
        _C,
        get_fields=(i32("chassis_minor_version"), i32("reserved_1"), i32("reserved_2")),
        getter=lambda c, s, t: (c.profile.version_minor, 0, 0),
        help="firmware minor version",
    ),
    CommandSpec(
        "C_VERSIONSTR",
        _C,
        get_fields=(string("version_str"),),
        getter=lambda c, s, t: (
            f"{c.profile.version_major}.{c.profile.version_minor}",
        ),
        help="firmware version string",
    ),
    CommandSpec(
        "C_BUILDSTRING",
        _C,
        get_fields=(string("build_string"),),
        getter=lambda c, s, t: (_build_string(),),
        help="server build",
    ),
    CommandSpec(
        "C_NAME",
        _C,
        get_fields=(string("chassis_name"),),
        getter=lambda c, s, t: (c.chassis_name,),
        set_fields=(string("chassis_name"),),
        setter=_set_name,
        help="chassis name",
    ),
    CommandSpec(
        "C_COMMENT",
        _C,
        get_fields=(string("comment"),),
        getter=lambda c, s, t: (c.chassis_comment,),
        set_fields=(string("comment"),),
        setter=_set_comment,
        help="chassis comment",
    ),
    CommandSpec(
        "C_PORTCOUNTS",
        _C,
        get_fields=(u8s("port_counts"),),
        getter=_port_counts,
        help="number of ports per module slot",
    ),
    CommandSpec(
        "C_TIME",
        _C,
        get_fields=(i64("local_time"),),
        getter=lambda c, s, t: (int(time.time()),),
        help="chassis time (Unix seconds)",
    ),
    CommandSpec(
        "C_TRAFFIC",
        _C,
        set_fields=(u8("on_off", OnOff), i32s("module_ports")),
        setter=_traffic,
        guard=_S,
        help="start/stop traffic on module/port pairs",
    ),
]


def _build_string() -> str:
    from wirespeed import __version__

    return f"wirespeed {__version__}"
