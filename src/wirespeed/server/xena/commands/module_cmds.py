"""Module commands (M_*): identity, reservation, media and port speeds.

The module's ports are real interfaces, so their number cannot change: only media
and speed configurations with the module's real port count are offered and
accepted. A port speed set here becomes the port's nominal speed in the tester,
the basis of "% of line" rates.
"""

from __future__ import annotations

from wirespeed.server.xena.commands.fields import as_enum, i32, i32s, string, u8
from wirespeed.server.xena.enums import MediaType, ReservedAction, ReservedStatus
from wirespeed.server.xena.reservations import set_module_reservation
from wirespeed.server.xena.session import XenaSession
from wirespeed.server.xena.state import ChassisState, Target
from wirespeed.server.xena.status import Status, XenaStatusError
from wirespeed.server.xena.table import CommandSpec, Guard, Scope
from wirespeed.server.xena.values import Value

__all__ = ["COMMANDS", "supported_configs"]

_M = Scope.MODULE


def supported_configs(c: ChassisState, m: int) -> dict[MediaType, list[int]]:
    """Media -> speeds (Mbit/s) the module offers with its real port count.

    The ports' current nominal speed is always offered under the current media, so
    the configuration a module starts in is a supported one.
    """
    n = len(c.module_ports[m])
    out: dict[MediaType, list[int]] = {}
    for media, configs in c.profile.module.media_support:
        speeds = [speed for count, speed in configs if count == n]
        if speeds:
            out[media] = speeds
    current = out.setdefault(c.media(m), [])
    for p in c.module_ports[m]:
        mbps = c.tester.ports[p].speed_bps // 1_000_000
        if mbps not in current:
            current.append(mbps)
    return out


def _media_support(c: ChassisState, s: XenaSession, t: Target) -> tuple[Value, ...]:
    n = len(c.module_ports[t.module_index])
    flat: list[int] = []
    for media, speeds in supported_configs(c, t.module_index).items():
        flat += [int(media), len(speeds)]
        for speed in speeds:
            flat += [n, speed]
    return (tuple(flat),)


def _set_media(
    c: ChassisState, s: XenaSession, t: Target, v: tuple[Value, ...]
) -> None:
    m = t.module_index
    configs = supported_configs(c, m)
    media = as_enum(MediaType, v[0])
    if media not in configs:
        raise XenaStatusError(Status.BADVALUE, f"media {media.name} not supported")
    c.set_media(m, media)
    for p in c.module_ports[m]:
        if c.tester.ports[p].speed_bps // 1_000_000 not in configs[media]:
            c.tester.set_speed(p, configs[media][0] * 1_000_000)


def _cfp_config(c: ChassisState, s: XenaSession, t: Target) -> tuple[Value, ...]:
    ports = c.module_ports[t.module_index]
    speeds = [c.tester.ports[p].speed_bps // 1_000_000 for p in ports]
    return ((len(ports), *speeds),)


def _set_cfp_config(
    c: ChassisState, s: XenaSession, t: Target, v: tuple[Value, ...]
) -> None:
    m = t.module_index
    ports = c.module_ports[m]
    values = v[0]
    assert isinstance(values, tuple)
    if not values or values[0] != len(ports) or len(values) != 1 + len(ports):
        raise XenaStatusError(
            Status.BADVALUE, f"this module has exactly {len(ports)} ports"
        )
    allowed = supported_configs(c, m)[c.media(m)]
    for speed in values[1:]:
        if speed not in allowed:
            raise XenaStatusError(Status.BADVALUE, f"{speed} Mbit/s not supported")
    for p, speed in zip(ports, values[1:], strict=True):
        c.tester.set_speed(p, speed * 1_000_000)


def _set_reservation(
    c: ChassisState, s: XenaSession, t: Target, v: tuple[Value, ...]
) -> None:
    set_module_reservation(c, s, t.module_index, as_enum(ReservedAction, v[0]))


def _capabilities(c: ChassisState, s: XenaSession, t: Target) -> tuple[Value, ...]:
    # advanced timing, local time adjust, media config, multi-image, chimera,
    # max clock ppm, TSN, ppm sweep, monitoring bitmask
    return (0, 0, 1, 0, 0, 0, 0, 0, 0)


COMMANDS: list[CommandSpec] = [
    CommandSpec(
        "M_RESERVATION",
        _M,
        get_fields=(u8("operation", ReservedStatus),),
        getter=lambda c, s, t: (c.module_status(s, t.module_index),),
        set_fields=(u8("operation", ReservedAction),),
        setter=_set_reservation,
        guard=Guard.SESSION,
        help="RESERVE / RELEASE / RELINQUISH the module",
    ),
    CommandSpec(
        "M_RESERVEDBY",
        _M,
        get_fields=(string("username"),),
        getter=lambda c, s, t: (c.modules[t.module_index].owner or "",),
        help="owner of the module reservation",
    ),
    CommandSpec(
        "M_MODEL",
        _M,
        get_fields=(string("model"),),
        getter=lambda c, s, t: (c.profile.module.model,),
        help="module model",
    ),
    CommandSpec(
        "M_NAME",
        _M,
        get_fields=(string("name"),),
        getter=lambda c, s, t: (c.profile.module.model,),
        help="module name (its model)",
    ),
    CommandSpec(
        "M_MODEL_NAME",
        _M,
        get_fields=(i32("name"),),
        getter=lambda c, s, t: (int(c.profile.module.model_name),),
        help="module model code",
    ),
    CommandSpec(
        "M_REVISION",
        _M,
        get_fields=(string("revision"),),
        getter=lambda c, s, t: (c.profile.module.revision,),
        help="module revision (the model clients recognise)",
    ),
    CommandSpec(
        "M_SERIALNO",
        _M,
        get_fields=(i32("serial_number"),),
        getter=lambda c, s, t: (t.module_index,),
        help="module serial number",
    ),
    CommandSpec(
        "M_VERSIONNO",
        _M,
        get_fields=(i32("version"),),
        getter=lambda c, s, t: (c.profile.module.version,),
        help="module version",
    ),
    CommandSpec(
        "M_VERSIONSTR",
        _M,
        get_fields=(string("version_str"),),
        getter=lambda c, s, t: (str(c.profile.module.version),),
        help="module version string",
    ),
    CommandSpec(
        "M_PORTCOUNT",
        _M,
        get_fields=(i32("port_count"),),
        getter=lambda c, s, t: (len(c.module_ports[t.module_index]),),
        help="number of ports",
    ),
    CommandSpec(
        "M_CAPABILITIES",
        _M,
        get_fields=tuple(i32(f"cap_{i}") for i in range(9)),
        getter=_capabilities,
        help="module capabilities",
    ),
    CommandSpec(
        "M_MEDIASUPPORT",
        _M,
        get_fields=(i32s("media_info_list"),),
        getter=_media_support,
        help="media, then (port count, Mbit/s) configurations for each",
    ),
    CommandSpec(
        "M_MEDIA",
        _M,
        get_fields=(u8("media_config", MediaType),),
        getter=lambda c, s, t: (c.media(t.module_index),),
        set_fields=(u8("media_config", MediaType),),
        setter=_set_media,
        guard=Guard.IDLE,
        help="module media (cage) type",
    ),
    CommandSpec(
        "M_CFPCONFIGEXT",
        _M,
        get_fields=(i32s("portspeed_list"),),
        getter=_cfp_config,
        set_fields=(i32s("portspeed_list"),),
        setter=_set_cfp_config,
        guard=Guard.IDLE,
        help="port count, then each port's speed in Mbit/s",
    ),
]
