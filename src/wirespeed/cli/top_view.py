"""What ``wirespeed top`` shows of a snapshot: the rows of its three tables.

Pure functions of the daemon's snapshot (schema 1, ``docs/http-api.md``): each
table is a tuple of columns and a list of rows, a row being its key (stable from
one reading to the next, so the table updates in place) and its cells as rich
``Text``. Numbers that mean something went wrong are in :data:`ALERT` style.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.text import Text

__all__ = [
    "ALERT",
    "PORT_COLUMNS",
    "STREAM_COLUMNS",
    "TABLES",
    "TID_COLUMNS",
    "Columns",
    "Row",
    "count",
    "mbps",
    "port_rows",
    "rate",
    "stream_rows",
    "tid_rows",
    "usec",
]

ALERT = "bold red"
"""Style of a non-zero error count and of a link that is down."""

Row = tuple[str, list[Text]]
Columns = tuple[tuple[str, str], ...]  # (key, label)

PORT_COLUMNS: Columns = (
    ("port", "port"),
    ("name", "name"),
    ("state", "state"),
    ("owner", "owner"),
    ("link", "link"),
    ("tx_pps", "TX frames/s"),
    ("tx_mbps", "TX Mbit/s L1"),
    ("rx_pps", "RX frames/s"),
    ("rx_mbps", "RX Mbit/s L1"),
    ("tx_packets", "TX frames"),
    ("rx_packets", "RX frames"),
    ("tx_errors", "TX errors"),
    ("rx_tpld_errors", "TPLD errors"),
    ("rx_dropped_by_tester", "RX dropped"),
)
STREAM_COLUMNS: Columns = (
    ("port", "port"),
    ("stream", "stream"),
    ("name", "name"),
    ("tid", "TID"),
    ("pps", "frames/s"),
    ("mbps", "Mbit/s L1"),
    ("packets", "TX frames"),
)
TID_COLUMNS: Columns = (
    ("port", "RX port"),
    ("tid", "TID"),
    ("packets", "frames"),
    ("pps", "frames/s"),
    ("lost", "lost"),
    ("misordered", "misordered"),
    ("duplicates", "duplicates"),
    ("payload_errors", "payload errors"),
    ("lat_min", "latency min µs"),
    ("lat_avg", "avg µs"),
    ("lat_max", "max µs"),
    ("jitter", "jitter µs"),
)

_STATE_STYLES = {"TX": "bold green", "PAUSE": "bold yellow"}


def count(n: int) -> str:
    """A frame count, thousands separated: ``1,234,567``."""
    return f"{n:,}"


def rate(pps: float) -> str:
    """Frames per second, whole: ``148,810``."""
    return f"{pps:,.0f}"


def mbps(bps: float) -> str:
    """A bit rate in Mbit/s with three decimals: ``672.000``."""
    return f"{bps / 1e6:,.3f}"


def usec(ns: float | None) -> str:
    """A time in ns shown in µs with one decimal; ``-`` when unknown."""
    return "-" if ns is None else f"{ns / 1000:,.1f}"


def _num(value: str) -> Text:
    return Text(value, justify="right")


def _errors(n: int) -> Text:
    return Text(count(n), style=ALERT if n else "", justify="right")


def port_rows(snap: dict[str, Any]) -> list[Row]:
    """One row per port, keyed by its index."""
    rows = []
    for p in snap["ports"]:
        c = p["counters"]
        link = Text("up") if p["link_up"] else Text("DOWN", style=ALERT)
        rows.append(
            (
                str(p["index"]),
                [
                    _num(str(p["index"])),
                    Text(p["name"]),
                    Text(p["state"], style=_STATE_STYLES.get(p["state"], "")),
                    Text(p["owner"] or "-"),
                    link,
                    _num(rate(c["tx_pps"])),
                    _num(mbps(c["tx_bps_l1"])),
                    _num(rate(c["rx_pps"])),
                    _num(mbps(c["rx_bps_l1"])),
                    _num(count(c["tx_packets"])),
                    _num(count(c["rx_packets"])),
                    _errors(c["tx_errors"]),
                    _errors(c["rx_tpld_errors"]),
                    _errors(c["rx_dropped_by_tester"]),
                ],
            )
        )
    return rows


def stream_rows(snap: dict[str, Any]) -> list[Row]:
    """One row per stream of every port, keyed ``port/stream``."""
    rows = []
    for p in snap["ports"]:
        for s in p["streams"]:
            tid = s["tid"]
            rows.append(
                (
                    f"{p['index']}/{s['id']}",
                    [
                        _num(str(p["index"])),
                        _num(str(s["id"])),
                        Text(s["name"] or "-"),
                        _num("-" if tid is None else str(tid)),
                        _num(rate(s["pps"])),
                        _num(mbps(s["bps_l1"])),
                        _num(count(s["packets"])),
                    ],
                )
            )
    return rows


def tid_rows(snap: dict[str, Any]) -> list[Row]:
    """One row per TID each port received, keyed ``port/tid``."""
    rows = []
    for p in snap["ports"]:
        for t in p["tids"]:
            lat = t["latency"]
            rows.append(
                (
                    f"{p['index']}/{t['tid']}",
                    [
                        _num(str(p["index"])),
                        _num(str(t["tid"])),
                        _num(count(t["packets"])),
                        _num(rate(t["pps"])),
                        _errors(t["lost"]),
                        _errors(t["misordered"]),
                        _errors(t["duplicates"]),
                        _errors(t["payload_errors"]),
                        _num(usec(lat["min_ns"])),
                        _num(usec(lat["avg_ns"])),
                        _num(usec(lat["max_ns"])),
                        _num(usec(t["jitter_ns"])),
                    ],
                )
            )
    return rows


TABLES: dict[str, tuple[Columns, Callable[[dict[str, Any]], list[Row]]]] = {
    "ports": (PORT_COLUMNS, port_rows),
    "streams": (STREAM_COLUMNS, stream_rows),
    "tids": (TID_COLUMNS, tid_rows),
}
"""Each table's id, columns and rows."""
