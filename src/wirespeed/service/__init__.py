"""The in-process tester that every front end drives (see :mod:`.tester`)."""

from wirespeed.model.scaling import Multiplier, MultiplierKind, MultiplierOp
from wirespeed.service.dataplane import Dataplane
from wirespeed.service.ownership import PortState, Reservation
from wirespeed.service.plans import tid_of
from wirespeed.service.port_services import CaptureInfo, PortServices
from wirespeed.service.stats import PortStats, StreamTxStats
from wirespeed.service.tester import (
    EventKind,
    ModuleInfo,
    PortInfo,
    Tester,
    TrafficEvent,
)
from wirespeed.service.wire_types import WIRE_TYPES

__all__ = [
    "WIRE_TYPES",
    "CaptureInfo",
    "Dataplane",
    "EventKind",
    "ModuleInfo",
    "Multiplier",
    "MultiplierKind",
    "MultiplierOp",
    "PortInfo",
    "PortServices",
    "PortState",
    "PortStats",
    "Reservation",
    "StreamTxStats",
    "Tester",
    "TrafficEvent",
    "tid_of",
]
