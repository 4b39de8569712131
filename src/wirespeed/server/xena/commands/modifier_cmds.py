"""Modifier commands: PS_MODIFIER*, PS_MODIFIEREXT* and PS_MODIFIER_ENDIAN."""

from __future__ import annotations

from wirespeed.server.xena.coding import MODIFIER_ACTION, MODIFIER_ENDIAN
from wirespeed.server.xena.commands.fields import hexf, i32, u8
from wirespeed.server.xena.draft import DraftModifier
from wirespeed.server.xena.session import XenaSession
from wirespeed.server.xena.state import ChassisState, Target
from wirespeed.server.xena.status import Status, XenaStatusError
from wirespeed.server.xena.stream_sync import sync_stream
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
_BITS = {False: 0xFFFF, True: 0xFFFFFF}


def _ints(*values: Value) -> tuple[int, ...]:
    out = tuple(v for v in values if isinstance(v, int))
    assert len(out) == len(values)
    return out


def _list(c: ChassisState, t: Target, ext: bool) -> list[DraftModifier]:
    draft = c.draft(t)
    return draft.ext_modifiers if ext else draft.modifiers


def _one(c: ChassisState, t: Target, ext: bool) -> DraftModifier:
    mods = _list(c, t, ext)
    mid = t.indices[1]
    if not 0 <= mid < len(mods):
        raise XenaStatusError(Status.BADINDEX, f"no modifier {mid} (count {len(mods)})")
    return mods[mid]


def _count_get(ext: bool) -> Getter:
    def getter(c: ChassisState, s: XenaSession, t: Target) -> tuple[Value, ...]:
        return (len(_list(c, t, ext)),)

    return getter


def _count_set(ext: bool) -> Setter:
    def setter(
        c: ChassisState, s: XenaSession, t: Target, v: tuple[Value, ...]
    ) -> None:
        n = v[0]
        assert isinstance(n, int)
        lim = c.profile.limits
        top = lim.max_ext_modifiers if ext else lim.max_modifiers
        if not 0 <= n <= top:
            raise XenaStatusError(Status.BADVALUE, f"modifier count is 0..{top}")
        mods = _list(c, t, ext)
        del mods[n:]
        while len(mods) < n:
            mods.append(DraftModifier.extended() if ext else DraftModifier())
        sync_stream(c, t.port_index, t.indices[0])

    return setter


def _mod_get(ext: bool) -> Getter:
    def getter(c: ChassisState, s: XenaSession, t: Target) -> tuple[Value, ...]:
        m = _one(c, t, ext)
        return (m.position, m.mask, MODIFIER_ACTION.code(m.action), m.repetition)

    return getter


def _mod_set(ext: bool) -> Setter:
    def setter(
        c: ChassisState, s: XenaSession, t: Target, v: tuple[Value, ...]
    ) -> None:
        m = _one(c, t, ext)
        pos, action, repeat = _ints(v[0], v[2], v[3])
        mask = v[1]
        assert isinstance(mask, bytes)
        if not 0 <= pos <= c.ports[t.port_index].max_header_bytes:
            raise XenaStatusError(Status.BADVALUE, "position outside the header")
        if MODIFIER_ACTION.name(action) is None:
            raise XenaStatusError(Status.BADVALUE, f"bad action {action}")
        if not 1 <= repeat <= c.profile.limits.max_repeat:
            raise XenaStatusError(Status.BADVALUE, "repeat is 1..65535")
        m.position, m.mask, m.repetition = pos, mask, repeat
        m.action = MODIFIER_ACTION.member(action)
        sync_stream(c, t.port_index, t.indices[0])

    return setter


def _range_get(ext: bool) -> Getter:
    def getter(c: ChassisState, s: XenaSession, t: Target) -> tuple[Value, ...]:
        m = _one(c, t, ext)
        return (m.min_val, m.step, m.max_val)

    return getter


def _range_set(ext: bool) -> Setter:
    def setter(
        c: ChassisState, s: XenaSession, t: Target, v: tuple[Value, ...]
    ) -> None:
        m = _one(c, t, ext)
        lo, step, hi = _ints(*v)
        if not (0 <= lo <= hi <= _BITS[ext] and step >= 1 and (hi - lo) % step == 0):
            raise XenaStatusError(
                Status.BADVALUE, "need 0 <= min <= max, step >= 1, max = min + k*step"
            )
        m.min_val, m.step, m.max_val = lo, step, hi
        m.range_set = True
        sync_stream(c, t.port_index, t.indices[0])

    return setter


def _endian_get(c: ChassisState, s: XenaSession, t: Target) -> tuple[Value, ...]:
    return (MODIFIER_ENDIAN.code(_one(c, t, False).endian),)


def _endian_set(
    c: ChassisState, s: XenaSession, t: Target, v: tuple[Value, ...]
) -> None:
    m = _one(c, t, False)
    m.endian = MODIFIER_ENDIAN.member(v[0])
    sync_stream(c, t.port_index, t.indices[0])


_MOD = (
    i32("position"),
    hexf("mask", 4),
    i32("action", MODIFIER_ACTION),
    i32("repetition"),
)
_RANGE = (i32("min_val"), i32("step"), i32("max_val"))
_ST = Guard.STREAM

COMMANDS: list[CommandSpec] = []
for _ext, _name in ((False, "PS_MODIFIER"), (True, "PS_MODIFIEREXT")):
    COMMANDS += [
        CommandSpec(
            f"{_name}COUNT", _P, 1, get_fields=(i32("modifier_count"),),
            getter=_count_get(_ext), set_fields=(i32("modifier_count"),),
            setter=_count_set(_ext), guard=_ST,
            help=f"number of {'24' if _ext else '16'}-bit modifiers",
        ),
        CommandSpec(
            _name, _P, 2, get_fields=_MOD, getter=_mod_get(_ext), set_fields=_MOD,
            setter=_mod_set(_ext), guard=_ST,
            help="byte position, mask, INC/DEC/RANDOM, repeat",
        ),
        CommandSpec(
            f"{_name}RANGE", _P, 2, get_fields=_RANGE, getter=_range_get(_ext),
            set_fields=_RANGE, setter=_range_set(_ext), guard=_ST,
            help="min, step, max of an INC/DEC modifier",
        ),
    ]  # fmt: skip
COMMANDS.append(
    CommandSpec(
        "PS_MODIFIER_ENDIAN", _P, 2, get_fields=(u8("mode", MODIFIER_ENDIAN),),
        getter=_endian_get, set_fields=(u8("mode", MODIFIER_ENDIAN),),
        setter=_endian_set, guard=_ST, help="BIG or LITTLE byte order of a modifier",
    )
)  # fmt: skip
