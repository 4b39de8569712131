"""The in-process tester that every front end drives (see :mod:`.tester`)."""

from typing import TYPE_CHECKING

from wirespeed._lazy import exports

if TYPE_CHECKING:  # imported on first use (wirespeed._lazy)
    from wirespeed.model.scaling import Multiplier, MultiplierKind, MultiplierOp
    from wirespeed.service.dataplane import Dataplane
    from wirespeed.service.ownership import PortState, Reservation
    from wirespeed.service.plans import tid_of
    from wirespeed.service.port_services import PortServices
    from wirespeed.service.stats import PortStats, StreamTxStats
    from wirespeed.service.tester import Tester
    from wirespeed.service.types import (
        CaptureInfo,
        EventKind,
        ModuleInfo,
        PortInfo,
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

if not TYPE_CHECKING:
    __getattr__ = exports(
        __name__,
        {
            "wirespeed.model.scaling": (
                "Multiplier",
                "MultiplierKind",
                "MultiplierOp",
            ),
            ".dataplane": ("Dataplane",),
            ".ownership": (
                "PortState",
                "Reservation",
            ),
            ".plans": ("tid_of",),
            ".port_services": ("PortServices",),
            ".stats": (
                "PortStats",
                "StreamTxStats",
            ),
            ".tester": ("Tester",),
            ".types": (
                "CaptureInfo",
                "EventKind",
                "ModuleInfo",
                "PortInfo",
                "TrafficEvent",
            ),
            ".wire_types": ("WIRE_TYPES",),
        },
    )
