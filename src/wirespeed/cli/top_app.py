"""The Textual app of ``wirespeed top``: a running daemon's ports, streams and
TIDs, read once an interval, with keys to start, stop, pause and clear a port.

The app reads through a :class:`~wirespeed.cli.top_client.DaemonClient`; what a
snapshot shows is :mod:`wirespeed.cli.top_view`'s. A daemon that does not answer
is shown in the header and asked again every interval; a refused action shows
the daemon's message in the status line.
"""

from __future__ import annotations

import asyncio
import datetime
from typing import Any, ClassVar

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.coordinate import Coordinate
from textual.widgets import DataTable, Footer, Label, Static

from wirespeed.cli.top_client import DaemonClient
from wirespeed.cli.top_view import ALERT, TABLES, Columns, Row
from wirespeed.errors import ConfigError, ProtocolError, RpcError

__all__ = ["CONTROL_HELP", "TopApp"]

CONTROL_HELP = "control needs --token (printed by the daemon at start) and --owner"
_SCHEMA = 1


class TopApp(App[None]):
    """Live view of one daemon.

    Args:
        client: reads the daemon (and controls it when it has a token and owner).
        interval_s: time between two readings.
    """

    TITLE = "wirespeed top"
    CSS = """
    #header { height: 1; background: $panel; padding: 0 1; }
    .title { height: 1; margin: 1 0 0 1; text-style: bold; }
    #ports { height: auto; max-height: 40%; }
    #streams, #tids { height: 1fr; }
    #status { height: 1; padding: 0 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("s", "control('start')", "start"),
        Binding("x", "control('stop')", "stop"),
        Binding("p", "pause_resume", "pause/resume"),
        Binding("c", "control('clear')", "clear"),
        Binding("r", "control('reserve')", "reserve"),
        Binding("R", "control('release')", "release"),
        Binding("q", "quit", "quit"),
    ]

    def __init__(self, client: DaemonClient, *, interval_s: float = 1.0) -> None:
        super().__init__()
        self.client = client
        self.interval_s = interval_s
        self.snap: dict[str, Any] | None = None
        """The last snapshot read (None before the first)."""
        self.error: str | None = None
        """Why the last reading failed (None: it did not)."""
        self.readings = 0
        """Readings that succeeded so far."""
        self.failures = 0
        """Readings that failed so far."""

    def compose(self) -> ComposeResult:
        yield Static(id="header")
        yield Label("ports", classes="title")
        yield DataTable(id="ports", cursor_type="row")
        yield Label("streams (TX)", classes="title")
        yield DataTable(id="streams", cursor_type="none")
        yield Label("TIDs (RX)", classes="title")
        yield DataTable(id="tids", cursor_type="none")
        yield Static(id="status")
        yield Footer()

    def on_mount(self) -> None:
        for table_id, (columns, _) in TABLES.items():
            table = self.table(table_id)
            for key, label in columns:
                table.add_column(label, key=key)
            table.can_focus = table_id == "ports"
        self.table("ports").focus()
        self._show_header()
        self.run_worker(self._poll(), name="poll", group="poll", exclusive=True)

    async def on_unmount(self) -> None:
        await self.client.close()

    def table(self, table_id: str) -> DataTable[Text]:
        """One of the tables: ``ports``, ``streams`` or ``tids``."""
        return self.query_one(f"#{table_id}", DataTable)

    @property
    def header_text(self) -> str:
        """What the header shows."""
        return str(self.query_one("#header", Static).content)

    @property
    def status_text(self) -> str:
        """What the status line shows."""
        return str(self.query_one("#status", Static).content)

    # -- reading -----------------------------------------------------------

    async def _poll(self) -> None:
        while True:
            await self.read_now()
            await asyncio.sleep(self.interval_s)

    async def read_now(self) -> None:
        """Read the daemon once and show what it says (or that it did not)."""
        try:
            snap = await self.client.snapshot()
            if snap.get("schema") != _SCHEMA:
                raise ProtocolError(
                    f"snapshot schema {snap.get('schema')!r}, this top reads {_SCHEMA}"
                )
        except (RpcError, ProtocolError) as exc:
            if not self.is_running:  # quitting: the widgets are going
                return
            self.error = str(exc)
            self.failures += 1
        else:
            if not self.is_running:
                return
            self.snap, self.error = snap, None
            self.readings += 1
            for table_id, (columns, rows_of) in TABLES.items():
                _fill(self.table(table_id), columns, rows_of(snap))
        self._show_header()

    def _show_header(self) -> None:
        line = Text()
        line.append("wirespeed top", style="bold")
        line.append(f"  {self.client.base_url}  ")
        if self.error is None and self.snap is not None:
            line.append(_clock(self.snap["time_ns"]))
            line.append("  connected", style="bold green")
        else:
            line.append(_clock(None))
            if self.error is None:
                line.append("  connecting…")
            else:
                line.append(f"  unreachable: {self.error}", style=ALERT)
                line.append(f" (retrying every {self.interval_s:g} s")
                if self.snap is not None:
                    line.append(f"; last reading {_clock(self.snap['time_ns'])}")
                line.append(")")
        self.query_one("#header", Static).update(line)

    # -- control -------------------------------------------------------------

    def selected_port(self) -> int | None:
        """The port of the ports table's cursor row (None: no ports shown)."""
        table = self.table("ports")
        if table.row_count == 0:
            return None
        cell = table.coordinate_to_cell_key(Coordinate(table.cursor_row, 0))
        return int(str(cell.row_key.value))

    def action_control(self, action: str) -> None:
        """Ask the daemon to do ``action`` to the selected port."""
        port = self.selected_port()
        if port is None:
            self._status("no port to act on", ALERT)
        elif not self.client.can_control:
            self._status(CONTROL_HELP, ALERT)
        else:
            self.run_worker(self._control(port, action), group="control")

    def action_pause_resume(self) -> None:
        """Pause the selected port, or resume it when it is paused."""
        port = self.selected_port()
        state = None
        if self.snap is not None and port is not None:
            state = next(
                (p["state"] for p in self.snap["ports"] if p["index"] == port), None
            )
        self.action_control("resume" if state == "PAUSE" else "pause")

    async def _control(self, port: int, action: str) -> None:
        self._status(f"{action} port {port}…")
        try:
            await self.client.control(port, action)
        except (RpcError, ProtocolError, ConfigError) as exc:
            if self.is_running:
                self._status(f"{action} port {port}: {exc}", ALERT)
            return
        if self.is_running:
            self._status(f"{action} port {port}: done")
            await self.read_now()

    def _status(self, message: str, style: str = "") -> None:
        self.query_one("#status", Static).update(Text(message, style=style))


def _fill(table: DataTable[Text], columns: Columns, rows: list[Row]) -> None:
    """Show ``rows``: cells updated in place when the rows are the same ones,
    else the table is refilled (the cursor stays on the row it was on)."""
    keys = [key for key, _ in rows]
    if keys == [str(k.value) for k in table.rows]:
        for key, cells in rows:
            for (column, _), cell in zip(columns, cells, strict=True):
                table.update_cell(key, column, cell, update_width=True)
        return
    selected = None
    if table.row_count:
        cursor = Coordinate(table.cursor_row, 0)
        selected = str(table.coordinate_to_cell_key(cursor).row_key.value)
    table.clear()
    for key, cells in rows:
        table.add_row(*cells, key=key)
    if selected in keys:
        table.move_cursor(row=keys.index(selected))


def _clock(time_ns: int | None) -> str:
    """Local wall-clock time of ``time_ns`` (now when None), to the second."""
    when = (
        datetime.datetime.now()
        if time_ns is None
        else datetime.datetime.fromtimestamp(time_ns / 1e9)
    )
    return when.strftime("%Y-%m-%d %H:%M:%S")
