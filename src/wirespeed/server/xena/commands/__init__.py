"""The table of every implemented Xena command, by code and by name."""

from __future__ import annotations

from wirespeed.server.xena.commands import (
    capture_cmds,
    chassis_cmds,
    l3_cmds,
    modifier_cmds,
    module_cmds,
    port_cmds,
    run_cmds,
    stats_cmds,
    stream_cmds,
)
from wirespeed.server.xena.table import build_table

__all__ = ["TABLE_BY_CODE", "TABLE_BY_NAME"]

TABLE_BY_CODE, TABLE_BY_NAME = build_table(
    chassis_cmds.COMMANDS,
    module_cmds.COMMANDS,
    port_cmds.COMMANDS,
    run_cmds.COMMANDS,
    stream_cmds.COMMANDS,
    modifier_cmds.COMMANDS,
    stats_cmds.COMMANDS,
    l3_cmds.COMMANDS,
    capture_cmds.COMMANDS,
)
