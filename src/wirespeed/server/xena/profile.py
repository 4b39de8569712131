"""The chassis and module model presented to Xena clients (configurable).

The default presents each tester module as a Thor-400G-7S-1P, the model the seed
script checks for, with a firmware version the XOA drivers accept. What a port can
really do (its nominal speed, the streams it can send) still comes from the tester:
the module model only names things the clients insist on knowing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from wirespeed.server.xena.enums import MediaType, ModuleModelName

__all__ = ["DEFAULT_MEDIA_SUPPORT", "ChassisProfile", "ModuleProfile", "PortLimits"]

# media -> (port count, Mbit/s) configurations of a Thor-400G-7S-1P
DEFAULT_MEDIA_SUPPORT: tuple[tuple[MediaType, tuple[tuple[int, int], ...]], ...] = (
    (MediaType.QSFPDD_PAM4, ((1, 400_000), (2, 200_000), (4, 100_000), (8, 50_000))),
    (MediaType.QSFP56_PAM4, ((1, 200_000), (2, 200_000), (2, 100_000), (4, 50_000))),
    (MediaType.QSFP28_NRZ, ((1, 100_000), (2, 50_000), (4, 25_000), (4, 10_000))),
    (MediaType.QSFP28_PAM4, ((1, 100_000), (2, 50_000))),
)


@dataclass(frozen=True)
class PortLimits:
    """Limits a port announces in P_CAPABILITIES, and which the server enforces."""

    max_streams: int = 256
    min_packet_bytes: int = 60
    max_packet_bytes: int = 9600
    max_header_bytes: int = 2048
    max_protocol_segments: int = 32
    max_pattern_bytes: int = 18
    max_modifiers: int = 16
    max_ext_modifiers: int = 8
    max_repeat: int = 65535
    max_tpld_id: int = 4095
    max_burst: int = 16383
    capture_frames: int = 4096
    """Frames a port's capture buffer holds (a Xena port keeps about 4096 of a
    slow stream)."""


@dataclass(frozen=True)
class ModuleProfile:
    """The module model: revision string, model name, media support.

    Attributes:
        revision: M_REVISION; the XOA driver picks its module class from it, so it
            must be one the driver knows.
        model: M_MODEL.
        model_name: M_MODEL_NAME.
        media: the initial M_MEDIA.
        media_support: supported (port count, Mbit/s) configurations per media; only
            those with the module's real port count are offered.
        max_speed_mbps: P_CAPABILITIES max speed.
        serdes_count: P_CAPABILITIES serdes count (read by the Thor layer-1 objects).
    """

    revision: str = "Thor-400G-7S-1P"
    model: str = "Thor-400G-7S-1P"
    model_name: ModuleModelName = ModuleModelName.Z_400_Q_THOR
    media: MediaType = MediaType.QSFP56_PAM4
    media_support: tuple[tuple[MediaType, tuple[tuple[int, int], ...]], ...] = (
        DEFAULT_MEDIA_SUPPORT
    )
    max_speed_mbps: int = 400_000
    serdes_count: int = 8
    version: int = 460


@dataclass(frozen=True)
class ChassisProfile:
    """The chassis model.

    Attributes:
        name: C_NAME.
        model: C_MODEL.
        serial: C_SERIALNO.
        version_major: C_VERSIONNO (the drivers want major.minor >= 446.5).
        version_minor: C_VERSIONNO_MINOR.
        password: the C_LOGON password.
        module_slots: the Xena slot of each tester module (default: its index); the
            seed script addresses modules 4 and 8, ``(4, 8)`` lets it run unchanged.
        module: the module model.
        limits: the port limits.
    """

    name: str = "wirespeed"
    model: str = "wirespeed Xena emulation"
    serial: int = 0
    version_major: int = 460
    version_minor: int = 5
    password: str = "xena"
    module_slots: tuple[int, ...] | None = None
    module: ModuleProfile = field(default_factory=ModuleProfile)
    limits: PortLimits = field(default_factory=PortLimits)
