"""The ways a port's workers reach its interface."""

from __future__ import annotations

from enum import StrEnum

from wirespeed.errors import ConfigError

__all__ = ["PortDriver"]


class PortDriver(StrEnum):
    """A port's driver.

    ``afpacket``: packet sockets (``sendmmsg``, a TPACKET_V2 receive ring) — works
    on every interface. ``afxdp``: an AF_XDP socket and the port's XDP program
    (:mod:`wirespeed.dataplane.xdp`), zero-copy where the interface's driver has
    it, else copy mode; the port fails to start where it cannot be used.
    ``auto``: AF_XDP where it works, else packet sockets (the reason is logged
    and shown with the port).
    """

    AUTO = "auto"
    AFXDP = "afxdp"
    AFPACKET = "afpacket"

    @classmethod
    def parse(cls, value: PortDriver | str, field: str = "driver") -> PortDriver:
        """``"auto"``, ``"afxdp"`` or ``"afpacket"`` (any case).

        Raises:
            ConfigError: any other value, naming ``field``.
        """
        if isinstance(value, cls):
            return value
        try:
            return cls(str(value).strip().lower())
        except ValueError:
            kinds = ", ".join(k.value for k in cls)
            raise ConfigError(
                f"expected one of {kinds}, got {value!r}", field=field
            ) from None
