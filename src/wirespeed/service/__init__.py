"""The in-process tester that every front end drives (see :mod:`.tester`)."""

from wirespeed.model.scaling import Multiplier, MultiplierKind, MultiplierOp
from wirespeed.service.dataplane import Dataplane
from wirespeed.service.ownership import PortState, Reservation
from wirespeed.service.plans import tid_of
from wirespeed.service.stats import PortStats, StreamTxStats
from wirespeed.service.tester import (
    EventKind,
    ModuleInfo,
    PortInfo,
    Tester,
    TrafficEvent,
)

__all__ = [
    "Dataplane",
    "EventKind",
    "ModuleInfo",
    "Multiplier",
    "MultiplierKind",
    "MultiplierOp",
    "PortInfo",
    "PortState",
    "PortStats",
    "Reservation",
    "StreamTxStats",
    "Tester",
    "TrafficEvent",
    "tid_of",
]
