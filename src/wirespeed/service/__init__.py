"""The in-process tester that every front end drives (see :mod:`.tester`)."""

from wirespeed.service.ownership import PortState, Reservation
from wirespeed.service.plans import Multiplier, MultiplierKind
from wirespeed.service.stats import PortStats, StreamTxStats
from wirespeed.service.tester import (
    EventKind,
    ModuleInfo,
    PortInfo,
    Tester,
    TrafficEvent,
)

__all__ = [
    "EventKind",
    "ModuleInfo",
    "Multiplier",
    "MultiplierKind",
    "PortInfo",
    "PortState",
    "PortStats",
    "Reservation",
    "StreamTxStats",
    "Tester",
    "TrafficEvent",
]
