"""Which pushes a change causes, as one session sees them.

Tester events (traffic started/stopped/done, port reserved/released) and Xena-side
reservation changes become P_TRAFFIC, P_RESERVATION/P_RESERVEDBY and
M_/C_RESERVATION/RESERVEDBY pushes: the value each session would read with a get
at that moment (a reservation is RESERVED_BY_YOU for its owner, BY_OTHER for the
rest).
"""

from __future__ import annotations

from typing import Any

from wirespeed.server.xena.chassis import XenaChassis
from wirespeed.server.xena.enums import TrafficState
from wirespeed.server.xena.reservations import ReservationChange
from wirespeed.server.xena.session import Push, XenaSession

__all__ = ["pushes_for"]

# A pause (TRex front end) is no change for Xena: the port is still in its run
# (P_TRAFFIC reads ON, its settings stay locked) and resumes where it was.
_TRAFFIC = {
    "STARTED": TrafficState.ON,
    "STOPPED": TrafficState.OFF,
    "DONE": TrafficState.OFF,
    "ERROR": TrafficState.OFF,  # the port's TX worker failed and stopped
}


def pushes_for(chassis: XenaChassis, session: XenaSession, event: Any) -> list[Push]:
    """The pushes ``event`` causes for ``session`` (may be empty).

    Args:
        chassis: the chassis (its lock is held by the caller).
        session: the receiving session.
        event: a tester ``TrafficEvent`` or a :class:`ReservationChange`.
    """
    if isinstance(event, ReservationChange):
        if event.module is None:
            return [
                chassis.make_push(session, "C_RESERVATION", None),
                chassis.make_push(session, "C_RESERVEDBY", None),
            ]
        return [
            chassis.make_push(session, "M_RESERVATION", event.module, module=True),
            chassis.make_push(session, "M_RESERVEDBY", event.module, module=True),
        ]
    kind = getattr(getattr(event, "kind", None), "name", "")
    port = getattr(event, "port", None)
    if not isinstance(port, int) or not 0 <= port < len(chassis.ports):
        return []
    if kind in _TRAFFIC:
        slot, k = chassis.place_of(port)
        return [Push("P_TRAFFIC", slot, k, (_TRAFFIC[kind],))]
    if kind in ("RESERVED", "RELEASED"):
        return [
            chassis.make_push(session, "P_RESERVATION", port),
            chassis.make_push(session, "P_RESERVEDBY", port),
        ]
    return []
