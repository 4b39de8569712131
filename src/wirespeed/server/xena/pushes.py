"""Which pushes a change causes, as one session sees them.

Tester events (traffic started/stopped/done, port reserved/released, link up/down)
and Xena-side reservation changes become P_TRAFFIC, P_RESERVATION/P_RESERVEDBY,
P_RECEIVESYNC and M_/C_RESERVATION/RESERVEDBY pushes: the value each session would
read with a get at that moment (a reservation is RESERVED_BY_YOU for its owner,
BY_OTHER for the rest).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from wirespeed.server.xena.enums import TrafficState
from wirespeed.server.xena.reservations import ReservationChange
from wirespeed.server.xena.session import Push, XenaSession
from wirespeed.server.xena.state import ChassisState, Target
from wirespeed.server.xena.table import CommandSpec, Scope

__all__ = ["make_push", "pushes_for"]

# A pause (TRex front end) is no change for Xena: the port is still in its run
# (P_TRAFFIC reads ON, its settings stay locked) and resumes where it was.
_TRAFFIC = {
    "STARTED": TrafficState.ON,
    "STOPPED": TrafficState.OFF,
    "DONE": TrafficState.OFF,
    "ERROR": TrafficState.OFF,  # the port's TX worker failed and stopped
}


def make_push(
    state: ChassisState,
    by_name: Mapping[str, CommandSpec],
    session: XenaSession,
    name: str,
    p_or_m: int | None,
    *,
    module: bool = False,
) -> Push:
    """The push of command ``name``'s current value as ``session`` reads it.

    Args:
        state: the chassis state (its lock is held by the caller).
        by_name: the command table by name.
        session: the receiving session.
        name: the command.
        p_or_m: the tester port (or module, with ``module``); None for the chassis.
        module: ``p_or_m`` is a module index.
    """
    spec = by_name[name]
    assert spec.getter is not None
    if spec.scope is Scope.CHASSIS:
        return Push(name, None, None, spec.getter(state, session, Target()))
    assert p_or_m is not None
    target = state.module_target(p_or_m) if module else state.port_target(p_or_m)
    values = spec.getter(state, session, target)
    return Push(name, target.slot, target.port_in_module, values)


def pushes_for(
    state: ChassisState,
    by_name: Mapping[str, CommandSpec],
    session: XenaSession,
    event: Any,
) -> list[Push]:
    """The pushes ``event`` causes for ``session`` (may be empty).

    Args:
        state: the chassis state (its lock is held by the caller).
        by_name: the command table by name.
        session: the receiving session.
        event: a tester ``TrafficEvent`` or a :class:`ReservationChange`.
    """

    def push(name: str, p_or_m: int | None, *, module: bool = False) -> Push:
        return make_push(state, by_name, session, name, p_or_m, module=module)

    if isinstance(event, ReservationChange):
        if event.module is None:
            return [push("C_RESERVATION", None), push("C_RESERVEDBY", None)]
        return [
            push("M_RESERVATION", event.module, module=True),
            push("M_RESERVEDBY", event.module, module=True),
        ]
    kind = getattr(getattr(event, "kind", None), "name", "")
    port = getattr(event, "port", None)
    if not isinstance(port, int) or not 0 <= port < len(state.ports):
        return []
    if kind in _TRAFFIC and getattr(event, "detail", {}).get("traffic_ended", True):
        slot, k = state.place_of(port)
        return [Push("P_TRAFFIC", slot, k, (_TRAFFIC[kind],))]
    if kind in ("RESERVED", "RELEASED"):
        return [push("P_RESERVATION", port), push("P_RESERVEDBY", port)]
    if kind == "ATTR" and "link_up" in getattr(event, "detail", {}):
        return [push("P_RECEIVESYNC", port)]
    return []
