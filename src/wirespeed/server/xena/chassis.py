"""The Xena command layer: one chassis view over the tester service.

:class:`XenaChassis` puts together the three parts both transports use: the chassis
state the commands read and write (:class:`~wirespeed.server.xena.state.ChassisState`),
the dispatch of a parsed command to its handler
(:class:`~wirespeed.server.xena.dispatch.Dispatcher`) and the push notifier that
tells sessions of changes (:class:`~wirespeed.server.xena.notifier.PushNotifier`).
Port reservations are the tester's own (one ownership model for every front end).

The XOA and text CLI servers of a tester share one chassis, which their owner (the
daemon) builds and hands to both: a stream set over one protocol reads back the same
over the other.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from wirespeed.server.xena.commands import TABLE_BY_CODE, TABLE_BY_NAME
from wirespeed.server.xena.dispatch import Decoder, Dispatcher
from wirespeed.server.xena.notifier import PushNotifier
from wirespeed.server.xena.profile import ChassisProfile
from wirespeed.server.xena.session import Push, XenaSession
from wirespeed.server.xena.state import ChassisState, ModuleXena, PortXena
from wirespeed.server.xena.table import CommandSpec
from wirespeed.server.xena.values import Value

if TYPE_CHECKING:
    from wirespeed.service import Tester

__all__ = ["XenaChassis", "server_chassis"]


class XenaChassis:
    """The shared Xena command layer of one tester.

    Args:
        tester: the tester service.
        profile: the chassis/module model presented to clients.
        by_code: the command table by code (default: every implemented command).
        by_name: the command table by name.

    Attributes:
        state: what the commands read and write.
        dispatcher: runs one parsed command.
        notifier: the sessions and the pushes to them.
    """

    def __init__(
        self,
        tester: Tester,
        profile: ChassisProfile | None = None,
        *,
        by_code: dict[int, CommandSpec] | None = None,
        by_name: dict[str, CommandSpec] | None = None,
    ) -> None:
        if by_code is None or by_name is None:
            by_code, by_name = TABLE_BY_CODE, TABLE_BY_NAME
        self.state = ChassisState(tester, profile)
        self.dispatcher = Dispatcher(self.state, by_code, by_name)
        self.notifier = PushNotifier(self.state, by_name)

    # ------------------------------------------------------------ parts
    @property
    def tester(self) -> Tester:
        """The tester service."""
        return self.state.tester

    @property
    def profile(self) -> ChassisProfile:
        """The chassis/module model presented to clients."""
        return self.state.profile

    @property
    def modules(self) -> list[ModuleXena]:
        """Xena-only state per tester module."""
        return self.state.modules

    @property
    def ports(self) -> list[PortXena]:
        """Xena-only state per tester port."""
        return self.state.ports

    @property
    def by_code(self) -> dict[int, CommandSpec]:
        """The command table by code."""
        return self.dispatcher.by_code

    @property
    def by_name(self) -> dict[str, CommandSpec]:
        """The command table by name."""
        return self.dispatcher.by_name

    # ------------------------------------------------------------ lifecycle
    def start(self) -> None:
        """Subscribe to the tester's events and start delivering pushes."""
        self.notifier.start()

    def close(self) -> None:
        """Stop delivering pushes."""
        self.notifier.close()

    def pushes_enabled(self) -> bool:
        """True once :meth:`start` ran."""
        return self.notifier.is_running()

    # ------------------------------------------------------------ sessions
    def open_session(self, session: XenaSession) -> None:
        """Register a connection (for pushes) and number it (for the log)."""
        self.notifier.open_session(session)

    def close_session(self, session: XenaSession) -> None:
        """Forget a connection; its owner's reservations stay (as on Xena)."""
        self.notifier.close_session(session)

    # ------------------------------------------------------------ commands
    def spec_for(self, code_or_name: int | str) -> CommandSpec:
        """Look a command up (see :meth:`Dispatcher.spec_for`)."""
        return self.dispatcher.spec_for(code_or_name)

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
        """Run one command for a session (see :meth:`Dispatcher.execute`).

        Raises:
            XenaStatusError: the status to answer.
        """
        return self.dispatcher.execute(
            session,
            code_or_name,
            is_set=is_set,
            slot=slot,
            port=port,
            indices=indices,
            decode=decode,
        )

    # ------------------------------------------------------------ pushes
    def notify(self, event: Any) -> None:
        """Queue a push-worthy change (a tester event or a Xena-side change)."""
        self.state.notify(event)

    def flush_pushes(self, timeout_s: float = 2.0) -> None:
        """Wait until every change queued so far has been handed to its sessions.

        A front end calls this after a batch of sets and before it writes the
        replies, so a client sees a command's pushes (``P_TRAFFIC`` ON, say) before
        its ``<OK>``: the XOA driver's cached ``port.info.traffic_state`` is then
        already ON when ``await port.traffic.state.set_start()`` returns.
        """
        self.notifier.flush(timeout_s)

    def make_push(
        self,
        session: XenaSession,
        name: str,
        p_or_m: int | None,
        *,
        module: bool = False,
    ) -> Push:
        """The push of command ``name``'s current value as ``session`` reads it."""
        return self.notifier.make_push(session, name, p_or_m, module=module)


def server_chassis(
    tester: Tester, chassis: XenaChassis | None, profile: ChassisProfile | None
) -> XenaChassis:
    """The chassis a server runs on: the one it is given, else one of its own.

    Args:
        tester: the tester service.
        chassis: a chassis shared with the tester's other Xena server, or None.
        profile: the chassis model of a new chassis (or the given one's).

    Raises:
        ValueError: ``chassis`` has another profile than ``profile``.
    """
    if chassis is None:
        return XenaChassis(tester, profile)
    if profile is not None and profile != chassis.profile:
        raise ValueError("the Xena chassis given has another profile")
    return chassis
