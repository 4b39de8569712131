"""The core's port settings: speed, TPLD form, checksums, FEC and media, link,
addresses and neighbours. Pure rules, mixed into
:class:`~wirespeed.service.core.TesterCore` (which holds the ports)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from wirespeed.dataplane import messages as msg
from wirespeed.dataplane import service_messages as sm
from wirespeed.errors import StateError, ValidationError
from wirespeed.l3 import IPAddress, L3Identity
from wirespeed.service.plans import check_mac
from wirespeed.service.types import (
    Effect,
    EventKind,
    ModuleInfo,
    SendRx,
    SendSvc,
    TrafficEvent,
)
from wirespeed.tpld import TpldMode

__all__ = ["PortSettings"]


class PortSettings:
    """Settings of a port (and a module's media), checked and recorded."""

    modules: list[ModuleInfo]

    def port(self, index: object) -> Any:
        """The port record (the core's)."""
        raise NotImplementedError

    def _set(self, port: Any, **changes: Any) -> None:
        raise NotImplementedError

    def _check_idle(self, port: Any, what: str) -> None:
        if port.state.is_active:
            raise StateError(
                f"port {port.info.index} is transmitting: cannot {what}",
                port=port.info.index,
            )

    def set_speed(self, index: int, speed_bps: int) -> None:
        """Set the nominal speed (the basis for "% of line")."""
        port = self.port(index)
        if (
            isinstance(speed_bps, bool)
            or not isinstance(speed_bps, int)
            or (speed_bps <= 0)
        ):
            raise ValidationError(
                "speed must be a positive number of bit/s", field="speed"
            )
        self._check_idle(port, "change the speed")
        self._set(port, speed_bps=speed_bps)

    def set_tpld_mode(self, index: int, mode: TpldMode) -> list[Effect]:
        """Choose the port's TPLD form; its receiver decodes that form from now on."""
        port = self.port(index)
        if not isinstance(mode, TpldMode):
            raise ValidationError(f"unknown TPLD mode {mode!r}", field="tpld_mode")
        self._check_idle(port, "change the TPLD mode")
        self._set(port, tpld_mode=mode)
        return [SendRx(index, msg.SetRxMode(mode))]

    def set_payload_checksum(self, index: int, offset: int) -> list[Effect]:
        """Payload checksum offset (0 = off); on, the TPLD grows to 22 bytes."""
        port = self.port(index)
        if (
            isinstance(offset, bool)
            or not isinstance(offset, int)
            or not (0 <= offset <= 2047)
        ):
            raise ValidationError(
                "offset must be 0..2047", field="payload_checksum_offset"
            )
        self._check_idle(port, "change the payload checksum")
        mode = port.info.tpld_mode
        if offset and mode is TpldMode.NORMAL:
            mode = TpldMode.NORMAL_WITH_PAYLOAD_CHECKSUM
        elif not offset and mode is TpldMode.NORMAL_WITH_PAYLOAD_CHECKSUM:
            mode = TpldMode.NORMAL
        self._set(port, payload_checksum_offset=offset, tpld_mode=mode)
        return [SendRx(index, msg.SetRxMode(mode))]

    def set_latency_offset(self, index: int, offset_ns: int) -> None:
        """Subtracted from every latency reported for this port."""
        self._set(self.port(index), latency_offset_ns=int(offset_ns))

    def set_fec_mode(self, index: int, mode: str) -> None:
        """Record the FEC mode (accepted and reported; a veth has none)."""
        self._set(self.port(index), fec_mode=str(mode))

    def set_module_media(self, module: int, media: str) -> None:
        """Record a module's media (accepted and reported)."""
        if not 0 <= module < len(self.modules):
            raise ValidationError(f"no module {module}", field="module")
        self.modules[module] = replace(self.modules[module], media=str(media))

    def set_link(self, index: int, up: bool) -> list[Effect]:
        """Record the link state (the shell has set the interface)."""
        self._set(self.port(index), link_up=bool(up))
        return [TrafficEvent(EventKind.ATTR, index, {"link_up": bool(up)})]

    def set_l3(
        self, index: int, identity: L3Identity, *, forget: bool = False
    ) -> list[Effect]:
        """Set the port's addresses; its service worker answers for them now.
        New addresses of a family (address, gateway or VLAN) forget the
        neighbours of that family resolved before, ``forget`` all of them (the
        L2 destination stays); new answering switches alone forget none: a new
        IPv6 address keeps the IPv4 gateway resolved, as on TRex."""
        port = self.port(index)
        old = port.info.l3
        kept = tuple(
            n
            for n in port.info.neighbors
            if not forget
            and old.family_addresses(n[0].version)
            == identity.family_addresses(n[0].version)
        )
        self._set(port, l3=identity, neighbors=kept)
        return [SendSvc(index, sm.SetIdentity(identity))]

    def set_dst_mac(self, index: int, mac: str | None) -> None:
        """Where streams whose destination is the port's send (TRex ``set_l2``)."""
        self._set(self.port(index), dst_mac=None if mac is None else check_mac(mac))

    def add_neighbor(self, index: int, addr: IPAddress, mac: str) -> None:
        """Record a MAC resolved for ``addr``; a gateway's also becomes the
        port's destination MAC (streams sent "to the port's destination")."""
        port = self.port(index)
        old = tuple(n for n in port.info.neighbors if n[0] != addr)
        changes: dict[str, Any] = {"neighbors": (*old, (addr, check_mac(mac)))}
        if addr in (port.info.l3.gateway4, port.info.l3.gateway6):
            changes["dst_mac"] = changes["neighbors"][-1][1]
        self._set(port, **changes)

    def set_promiscuous(self, index: int, on: bool) -> list[Effect]:
        """Record the promiscuous flag (a test port always sees every frame)."""
        self._set(self.port(index), promiscuous=bool(on))
        return [TrafficEvent(EventKind.ATTR, index, {"promiscuous": bool(on)})]
