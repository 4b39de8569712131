"""The TRex method table: every ``methods_*`` module registers its methods here."""

from __future__ import annotations

from wirespeed.server.trex import (
    methods_layer,
    methods_port,
    methods_service,
    methods_stats,
    methods_stream,
    methods_system,
    methods_traffic,
)
from wirespeed.server.trex.dispatch import MethodTable

__all__ = ["build_method_table"]


def build_method_table() -> MethodTable:
    """A fresh table holding every method this server answers."""
    table: MethodTable = {}
    for module in (
        methods_system,
        methods_port,
        methods_layer,
        methods_service,
        methods_stream,
        methods_traffic,
        methods_stats,
    ):
        module.register(table)
    return table
