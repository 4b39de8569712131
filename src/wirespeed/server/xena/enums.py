"""Coded values of the Xena commands wirespeed implements.

The member names are the coded names the text CLI accepts and prints (``ON``,
``RESERVED_BY_YOU``...); the values are what the binary protocol carries. These are
the settings only Xena has; values the model owns (modifier actions, frame-length
and payload types, stream states, TPLD forms, header segments) are the model's
enumerations, coded for the wire by the tables in :mod:`.coding`.
"""

from __future__ import annotations

import enum

__all__ = [
    "CaptureKeep",
    "CaptureStart",
    "CaptureStop",
    "FecMode",
    "LatencyMode",
    "LoopbackMode",
    "MediaType",
    "ModuleModelName",
    "OnOff",
    "PayloadMode",
    "PortSpeedMode",
    "ReservedAction",
    "ReservedStatus",
    "StreamOption",
    "SyncStatus",
    "TrafficState",
    "TxMode",
]


class OnOff(enum.IntEnum):
    """OFF / ON."""

    OFF = 0
    ON = 1


class TrafficState(enum.IntEnum):
    """P_TRAFFIC: OFF / ON (START and STOP are accepted aliases on set)."""

    OFF = 0
    ON = 1
    PREPARING = 2


class ReservedAction(enum.IntEnum):
    """Set value of C_/M_/P_RESERVATION."""

    RELEASE = 0
    RESERVE = 1
    RELINQUISH = 2


class ReservedStatus(enum.IntEnum):
    """Get value of C_/M_/P_RESERVATION, relative to the asking session."""

    RELEASED = 0
    RESERVED_BY_YOU = 1
    RESERVED_BY_OTHER = 2


class SyncStatus(enum.IntEnum):
    """P_RECEIVESYNC: the link is up (IN_SYNC) or down."""

    NO_SYNC = 0
    IN_SYNC = 1


class LoopbackMode(enum.IntEnum):
    """P_LOOPBACK."""

    NONE = 0
    L1RX2TX = 1
    L2RX2TX = 2
    L3RX2TX = 3
    TXON2RX = 4
    TXOFF2RX = 5
    PORT2PORT = 6


class FecMode(enum.IntEnum):
    """PP_FECMODE."""

    OFF = 0
    ON = 1
    RS_FEC = 2
    FC_FEC = 3
    RS_FEC_KR = 4
    RS_FEC_KP = 5
    RS_FEC_INT = 6


class LatencyMode(enum.IntEnum):
    """P_LATENCYMODE."""

    LAST2LAST = 0
    FIRST2LAST = 1
    LAST2FIRST = 2
    FIRST2FIRST = 3


class TxMode(enum.IntEnum):
    """P_TXMODE."""

    NORMAL = 0
    STRICTUNIFORM = 1
    SEQUENTIAL = 2
    BURST = 3


class PayloadMode(enum.IntEnum):
    """P_PAYLOADMODE."""

    NORMAL = 0
    EXTPL = 1
    CDF = 2


class PortSpeedMode(enum.IntEnum):
    """P_SPEEDSELECTION."""

    AUTO = 0
    F10M = 1
    F100M = 2
    F1G = 3
    F10G = 4
    F40G = 5
    F100G = 6
    F10MHDX = 7
    F100MHDX = 8
    F10M100M = 9
    F100M1G = 10
    F100M1G10G = 11
    F2500M = 12
    F5G = 13
    F100M1G2500M = 14
    F25G = 15
    F50G = 16
    F200G = 17
    F400G = 18
    F800G = 19
    F1600G = 20
    UNKNOWN = 255


class MediaType(enum.IntEnum):
    """M_MEDIA / M_MEDIASUPPORT cage types (the subset a Thor module offers)."""

    CFP4 = 0
    QSFP28_NRZ = 1
    CXP = 2
    SFP28 = 3
    QSFP56_PAM4 = 4
    QSFPDD_PAM4 = 5
    SFP56 = 6
    SFPDD = 7
    QSFPDD_NRZ = 9
    QSFP28_PAM4 = 10
    UNKNOWN = 255


class ModuleModelName(enum.IntEnum):
    """M_MODEL_NAME (the driver checks it is a known value)."""

    NA = 0
    Z_100_Q_LOKI = 2
    Z_400_Q_THOR = 8
    Z_400_Q_LE_THOR = 9


class StreamOption(enum.IntEnum):
    """PS_OPTIONS flags."""

    INCPLDFROM0 = 0


class CaptureStart(enum.IntEnum):
    """PC_TRIGGER start criteria (the driver's StartTrigger)."""

    ON = 0
    FCSERR = 1
    FILTER = 2
    PLDERR = 3


class CaptureStop(enum.IntEnum):
    """PC_TRIGGER stop criteria (the driver's StopTrigger)."""

    FULL = 0
    FCSERR = 1
    FILTER = 2
    PLDERR = 3
    USERSTOP = 4


class CaptureKeep(enum.IntEnum):
    """PC_KEEP: which frames a capture keeps (the driver's PacketType)."""

    ALL = 0
    FCSERR = 1
    NOTPLD = 2
    TPLD = 3
    FILTER = 4
    PLDERR = 5
