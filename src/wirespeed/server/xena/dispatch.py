"""Running one parsed Xena command: lookup, addressing, checks, then its handler.

Both transports hand a parsed request to :meth:`Dispatcher.execute`: logon, lookup
by code or name, addressing (slot/port to the tester's indices), index count,
readable/writable, value decoding, reservation and traffic guards, then the
command's getter or setter on the chassis state. Errors of the tester service are
mapped onto a Xena status.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from wirespeed.errors import WirespeedError
from wirespeed.model import StreamEnable
from wirespeed.server.xena.codes import CODE_BY_NAME, NAME_BY_CODE
from wirespeed.server.xena.enums import ReservedStatus
from wirespeed.server.xena.session import XenaSession
from wirespeed.server.xena.state import ChassisState, Target
from wirespeed.server.xena.status import Status, XenaStatusError, status_for
from wirespeed.server.xena.table import CommandSpec, Guard, Scope
from wirespeed.server.xena.values import Field, Value

__all__ = ["Decoder", "Dispatcher"]

log = logging.getLogger("wirespeed.xena")

Decoder = Callable[[tuple[Field, ...]], tuple[Value, ...]]


class Dispatcher:
    """Runs commands from a command table on one chassis state.

    Args:
        state: the chassis state the handlers act on.
        by_code: the command table by code.
        by_name: the command table by name.
    """

    def __init__(
        self,
        state: ChassisState,
        by_code: dict[int, CommandSpec],
        by_name: dict[str, CommandSpec],
    ) -> None:
        self.state = state
        self.by_code = by_code
        self.by_name = by_name

    def spec_for(self, code_or_name: int | str) -> CommandSpec:
        """Look a command up.

        Raises:
            XenaStatusError: BADPARAMETER for an unknown command, NOTSUPPORTED for a
                Xena command wirespeed does not implement.
        """
        if isinstance(code_or_name, int):
            spec = self.by_code.get(code_or_name)
            known = code_or_name in NAME_BY_CODE
        else:
            spec = self.by_name.get(code_or_name)
            known = code_or_name in CODE_BY_NAME
        if spec is not None:
            return spec
        if known:
            raise XenaStatusError(
                Status.NOTSUPPORTED, f"{code_or_name} not implemented"
            )
        raise XenaStatusError(Status.BADPARAMETER, f"unknown command {code_or_name}")

    def execute(
        self,
        session: XenaSession,
        code_or_name: int | str,
        *,
        is_set: bool,
        slot: int | None,
        port: int | None,
        indices: tuple[int, ...],
        decode: Decoder,
    ) -> tuple[CommandSpec, tuple[Value, ...] | None]:
        """Run one command for a session.

        Args:
            session: the asking connection.
            code_or_name: the command code (binary) or name (CLI).
            is_set: a set (True) or a get/query (False).
            slot: the Xena module slot, or None.
            port: the Xena port index in the module, or None.
            indices: the sub-indices.
            decode: turns the request's value bytes/tokens into values for fields.

        Returns:
            The command's spec, and the get values (None for a set).

        Raises:
            XenaStatusError: the status to answer; errors of the tester service are
                mapped onto a status (logged with their reason).
        """
        with self.state.lock:
            if not session.logged_on and code_or_name not in (1, "C_LOGON"):
                raise XenaStatusError(Status.NOTLOGGEDON, "log on first")
            spec = self.spec_for(code_or_name)
            target = self._resolve(spec, slot, port, indices)
            if len(indices) != spec.n_indices:
                raise XenaStatusError(
                    Status.BADINDEX, f"{spec.name} takes {spec.n_indices} indices"
                )
            setter = spec.setter
            if is_set:
                if setter is None or spec.set_fields is None:
                    raise XenaStatusError(
                        Status.NOTWRITABLE, f"{spec.name} is read-only"
                    )
                # malformed values are the transport's error (BADSIZE, a CLI
                # syntax error): decoded before anything runs
                values = decode(spec.set_fields)
            try:
                if setter is not None and is_set:
                    self._guard(session, spec, target)
                    setter(self.state, session, target, values)
                    return spec, None
                if spec.getter is None:
                    raise XenaStatusError(
                        Status.NOTREADABLE, f"{spec.name} is write-only"
                    )
                return spec, spec.getter(self.state, session, target)
            except XenaStatusError as exc:
                log.info("xena %s %s: %s", session.peer, spec.name, exc)
                raise
            except WirespeedError as exc:
                log.warning("xena %s %s: %s", session.peer, spec.name, exc)
                raise XenaStatusError(status_for(exc), str(exc)) from exc

    def _resolve(
        self,
        spec: CommandSpec,
        slot: int | None,
        port: int | None,
        indices: tuple[int, ...],
    ) -> Target:
        if spec.scope is Scope.CHASSIS:
            return Target(indices=indices)
        module = self.state.module_at(slot)
        if module is None:
            raise XenaStatusError(Status.BADMODULE, f"no module in slot {slot}")
        if spec.scope is Scope.MODULE:
            return Target(slot=slot, module=module, indices=indices)
        ports = self.state.module_ports[module]
        if port is None or not 0 <= port < len(ports):
            raise XenaStatusError(Status.BADPORT, f"no port {slot}/{port}")
        return Target(slot, module, ports[port], port, indices)

    def _guard(self, session: XenaSession, spec: CommandSpec, target: Target) -> None:
        if spec.guard is Guard.SESSION:
            return
        state = self.state
        if spec.scope is Scope.CHASSIS:
            if state.chassis_status(session) is not ReservedStatus.RESERVED_BY_YOU:
                raise XenaStatusError(Status.NOTRESERVED, "reserve the chassis first")
            return
        if spec.scope is Scope.MODULE:
            if state.module_status(session, target.module_index) is not (
                ReservedStatus.RESERVED_BY_YOU
            ):
                raise XenaStatusError(
                    Status.NOTRESERVED, f"reserve module {target.slot}"
                )
            if spec.guard is Guard.IDLE and any(
                state.traffic_on(p) for p in state.module_ports[target.module_index]
            ):
                raise XenaStatusError(Status.NOTVALID, "traffic is on")
            return
        p = target.port_index
        if state.port_status(session, p) is not ReservedStatus.RESERVED_BY_YOU:
            raise XenaStatusError(
                Status.NOTRESERVED, f"port {target.slot}/{target.port_in_module}"
            )
        if spec.guard is Guard.IDLE and state.traffic_on(p):
            raise XenaStatusError(Status.NOTVALID, "traffic is on")
        if spec.guard is Guard.STREAM and state.traffic_on(p):
            draft = (
                state.ports[p].streams.get(target.indices[0])
                if target.indices
                else None
            )
            if draft is None or draft.enable is not StreamEnable.OFF:
                raise XenaStatusError(
                    Status.NOTVALID, "traffic is on and stream enabled"
                )
