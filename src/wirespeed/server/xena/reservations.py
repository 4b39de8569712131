"""Chassis, module and port reservations (RESERVE / RELEASE / RELINQUISH).

Port reservations are the tester's ownership (the same a TRex ``acquire`` takes),
held under the owner name, so every session of that owner sees RESERVED_BY_YOU.
Module and chassis reservations exist only in the Xena view: a module reserved by
one owner keeps other owners from reserving its ports, and the other way round.
"""

from __future__ import annotations

from dataclasses import dataclass

from wirespeed.server.xena.enums import ReservedAction, ReservedStatus
from wirespeed.server.xena.session import XenaSession
from wirespeed.server.xena.state import ChassisState
from wirespeed.server.xena.status import Status, XenaStatusError

__all__ = [
    "ReservationChange",
    "set_chassis_reservation",
    "set_module_reservation",
    "set_port_reservation",
]


@dataclass(frozen=True)
class ReservationChange:
    """A Xena-side reservation changed (pushed as M_/C_RESERVATION, RESERVEDBY).

    Attributes:
        module: the tester module index, or None for the chassis.
    """

    module: int | None


def _need_owner(session: XenaSession) -> None:
    if not session.owner:
        raise XenaStatusError(Status.NOTVALID, "set C_OWNER before reserving")


def set_port_reservation(
    chassis: ChassisState, session: XenaSession, p: int, action: ReservedAction
) -> None:
    """Apply P_RESERVATION ``action`` to tester port ``p`` for ``session``.

    Raises:
        XenaStatusError: NOTVALID when another owner holds the port (RESERVE,
            RELEASE) or its module (RESERVE), or no owner name is set.
    """
    _need_owner(session)
    status = chassis.port_status(session, p)
    tester = chassis.tester
    if action is ReservedAction.RESERVE:
        if status is ReservedStatus.RESERVED_BY_YOU:
            return
        if status is ReservedStatus.RESERVED_BY_OTHER:
            raise XenaStatusError(Status.NOTVALID, "reserved by another owner")
        m_status = chassis.module_status(session, chassis.module_of(p))
        if m_status is ReservedStatus.RESERVED_BY_OTHER:
            raise XenaStatusError(Status.NOTVALID, "module reserved by another owner")
        tester.reserve(p, session.owner, session.service_session)
    elif action is ReservedAction.RELEASE:
        if status is ReservedStatus.RESERVED_BY_OTHER:
            raise XenaStatusError(Status.NOTVALID, "reserved by another owner")
        if status is ReservedStatus.RESERVED_BY_YOU:
            tester.release(p, session.service_session)
    else:  # RELINQUISH: take it from whoever holds it, then let it go
        if status is ReservedStatus.RESERVED_BY_OTHER:
            tester.relinquish(p)


def set_module_reservation(
    chassis: ChassisState, session: XenaSession, m: int, action: ReservedAction
) -> None:
    """Apply M_RESERVATION ``action`` to tester module ``m`` for ``session``."""
    _need_owner(session)
    state = chassis.modules[m]
    status = chassis.module_status(session, m)
    if action is ReservedAction.RESERVE:
        if status is ReservedStatus.RESERVED_BY_YOU:
            return
        if status is ReservedStatus.RESERVED_BY_OTHER:
            raise XenaStatusError(Status.NOTVALID, "reserved by another owner")
        for p in chassis.module_ports[m]:
            if chassis.port_status(session, p) is ReservedStatus.RESERVED_BY_OTHER:
                raise XenaStatusError(
                    Status.NOTVALID, "a port is reserved by another owner"
                )
        state.owner = session.owner
    elif action is ReservedAction.RELEASE:
        if status is ReservedStatus.RESERVED_BY_OTHER:
            raise XenaStatusError(Status.NOTVALID, "reserved by another owner")
        state.owner = None
    elif status is ReservedStatus.RESERVED_BY_OTHER:
        state.owner = None
    else:
        return
    chassis.notify(ReservationChange(m))


def set_chassis_reservation(
    chassis: ChassisState, session: XenaSession, action: ReservedAction
) -> None:
    """Apply C_RESERVATION ``action`` for ``session``."""
    _need_owner(session)
    status = chassis.chassis_status(session)
    if action is ReservedAction.RESERVE:
        if status is ReservedStatus.RESERVED_BY_YOU:
            return
        if status is ReservedStatus.RESERVED_BY_OTHER:
            raise XenaStatusError(Status.NOTVALID, "reserved by another owner")
        chassis.chassis_owner = session.owner
    elif action is ReservedAction.RELEASE:
        if status is ReservedStatus.RESERVED_BY_OTHER:
            raise XenaStatusError(Status.NOTVALID, "reserved by another owner")
        chassis.chassis_owner = None
    elif status is ReservedStatus.RESERVED_BY_OTHER:
        chassis.chassis_owner = None
    else:
        return
    chassis.notify(ReservationChange(None))
