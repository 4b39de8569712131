"""The tester's port settings (speed, TPLD form, FEC, media, link, reset): each
checked by the core under the tester's lock, its effects carried out. Mixed into
:class:`~wirespeed.service.tester.Tester`, which holds the lock, core and data
plane."""

from __future__ import annotations

import threading
from collections.abc import Callable

from wirespeed.service.core import TesterCore
from wirespeed.service.dataplane import Dataplane
from wirespeed.service.types import Effect
from wirespeed.tpld import TpldMode

__all__ = ["TesterSettings"]


class TesterSettings:
    """Port settings of :class:`~wirespeed.service.tester.Tester`."""

    _lock: threading.RLock
    _core: TesterCore
    _dp: Dataplane

    def _act(self, fn: Callable[[], list[Effect]]) -> None:
        raise NotImplementedError

    def settle(self, ports: list[int] | None = None, timeout_s: float = 5.0) -> bool:
        raise NotImplementedError

    def stop_traffic(self, ports: list[int]) -> None:
        raise NotImplementedError

    def set_speed(self, index: int, speed_bps: int) -> None:
        """Set the nominal speed (the basis for "% of line")."""
        with self._lock:
            self._core.set_speed(index, speed_bps)

    def set_tpld_mode(self, index: int, mode: TpldMode) -> None:
        """Choose the port's TPLD form (normal 20 B / with payload checksum / micro);
        the port receives in the form it sends, as on a Xena port."""
        self._act(lambda: self._core.set_tpld_mode(index, mode))
        self.settle([index])  # commands run in order: mode, then sync

    def set_payload_checksum(self, index: int, offset: int) -> None:
        """Payload checksum offset (0 = off); on, the TPLD grows to 22 bytes."""
        self._act(lambda: self._core.set_payload_checksum(index, offset))
        self.settle([index])

    def set_latency_offset(self, index: int, offset_ns: int) -> None:
        """Subtracted from every latency reported for this port."""
        with self._lock:
            self._core.set_latency_offset(index, offset_ns)

    def set_fec_mode(self, index: int, mode: str) -> None:
        """Record the FEC mode (reported; a veth has no FEC)."""
        with self._lock:
            self._core.set_fec_mode(index, mode)

    def set_module_media(self, module: int, media: str) -> None:
        """Record a module's media (reported)."""
        with self._lock:
            self._core.set_module_media(module, media)

    def set_link(self, index: int, up: bool) -> None:
        """Really set the interface up or down."""
        self._core.port(index)
        self._dp.set_link(index, up)
        self._act(lambda: self._core.set_link(index, up))

    def set_promiscuous(self, index: int, on: bool) -> None:
        """Record the promiscuous flag (a test port always sees every frame)."""
        self._act(lambda: self._core.set_promiscuous(index, on))

    def reset_port(self, index: int) -> None:
        """Stop traffic, remove every stream, restore the default port config."""
        self.stop_traffic([index])
        self._act(lambda: self._core.reset_port(index))
        self.settle([index])
