"""The Xena command table: one :class:`CommandSpec` per implemented command.

Both transports use the same table: the binary protocol looks commands up by code,
the text CLI by name. A spec says where the command applies (chassis, module, port),
how many sub-indices it takes, the value fields of a get reply and of a set request,
the handlers, and which guard a set must pass (reservation, traffic off).
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from wirespeed.server.xena.codes import CODE_BY_NAME
from wirespeed.server.xena.session import XenaSession
from wirespeed.server.xena.state import ChassisState, Target
from wirespeed.server.xena.values import Field, Value

__all__ = [
    "CommandSpec",
    "Getter",
    "Guard",
    "Scope",
    "Setter",
    "build_table",
]


class Scope(enum.Enum):
    """Where a command applies: the prefix it needs."""

    CHASSIS = "C"
    MODULE = "M"
    PORT = "P"


class Guard(enum.Enum):
    """What a set needs besides being logged on.

    SESSION: nothing more (logon, owner, timeout, the reservation commands).
    RESERVED: the chassis/module/port reserved by the session's owner.
    IDLE: reserved, and traffic off on the port (or on every port of the module).
    STREAM: reserved, and traffic off unless the stream is disabled.
    """

    SESSION = "session"
    RESERVED = "reserved"
    IDLE = "idle"
    STREAM = "stream"


Getter = Callable[[ChassisState, XenaSession, Target], tuple[Value, ...]]
Setter = Callable[[ChassisState, XenaSession, Target, tuple[Value, ...]], None]


@dataclass(frozen=True)
class CommandSpec:
    """One implemented command.

    Attributes:
        name: the Xena name (``PS_MODIFIER``); the code comes from the name.
        scope: chassis, module or port.
        n_indices: number of sub-indices.
        get_fields: fields of a get reply (None: not readable).
        set_fields: fields of a set request (None: not writable).
        getter: computes the get reply values.
        setter: applies a set.
        guard: what a set needs (see :class:`Guard`).
        before_logon: usable before C_LOGON (only C_LOGON itself).
        help: one line for the CLI's HELP.
    """

    name: str
    scope: Scope
    n_indices: int = 0
    get_fields: tuple[Field, ...] | None = None
    set_fields: tuple[Field, ...] | None = None
    getter: Getter | None = None
    setter: Setter | None = None
    guard: Guard = Guard.RESERVED
    before_logon: bool = False
    help: str = ""

    def __post_init__(self) -> None:
        if self.name not in CODE_BY_NAME:
            raise ValueError(f"unknown Xena command {self.name}")
        for fields in (self.get_fields, self.set_fields):
            if fields and any(f.is_variable for f in fields[:-1]):
                raise ValueError(f"{self.name}: only the last field may be variable")
        if (self.get_fields is None) != (self.getter is None):
            raise ValueError(f"{self.name}: get fields and getter go together")
        if (self.set_fields is None) != (self.setter is None):
            raise ValueError(f"{self.name}: set fields and setter go together")

    @property
    def code(self) -> int:
        """The numeric command code (the same in both protocols)."""
        return CODE_BY_NAME[self.name]


def build_table(
    *groups: Iterable[CommandSpec],
) -> tuple[dict[int, CommandSpec], dict[str, CommandSpec]]:
    """Index command specs by code and by name.

    Args:
        groups: lists of specs (one per command family module).

    Returns:
        ``(by_code, by_name)``.

    Raises:
        ValueError: a command is declared twice.
    """
    by_code: dict[int, CommandSpec] = {}
    by_name: dict[str, CommandSpec] = {}
    for group in groups:
        for spec in group:
            if spec.name in by_name:
                raise ValueError(f"{spec.name} declared twice")
            by_code[spec.code] = spec
            by_name[spec.name] = spec
    return by_code, by_name
