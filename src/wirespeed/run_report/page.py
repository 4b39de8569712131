"""The run report as one self-contained HTML page (:func:`wirespeed.web.
report_page`): the run in a few lines, ports and streams with their rates over
time and final tables, each TID's latency over time and histogram, the DUT's
counters and the captures; the results as JSON and the charting library inlined."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from wirespeed._version import __version__
from wirespeed.run_report.plots import plot_specs
from wirespeed.run_report.tables import tables
from wirespeed.run_report.timeline import times_s
from wirespeed.web import Table, html_table, plot_divs, report_page, section

__all__ = ["render_html"]

_SECTIONS = {
    "ports": "Ports",
    "streams": "Streams",
    "latency": "Latency per TID",
    "dut": "DUT counters",
    "captures": "Captures",
}


def _run(results: Mapping[str, Any]) -> str:
    samples = results["samples"]
    start = (
        datetime.fromtimestamp(samples[0]["time_ns"] / 1e9, UTC).isoformat(
            timespec="seconds"
        )
        if samples
        else "-"
    )
    dut = results.get("dut") or {}
    rows = [
        ("started (UTC)", start),
        ("sampled for", f"{times_s(samples)[-1]:.1f} s" if samples else "-"),
        ("samples", str(len(samples))),
        ("ports", str(len(results["ports"]))),
        ("streams", str(len(results["streams"]))),
        ("DUT", dut.get("mechanism") or "-"),
    ]
    return section("run", "Run", html_table(("", ""), rows, "meta"))


def _section(key: str, specs: list[dict[str, Any]], table: Table | None) -> str:
    plots = plot_divs(specs, key)
    if not plots and table is None:
        return ""
    content = plots + ("" if table is None else html_table(table.columns, table.rows))
    return section(key, _SECTIONS[key], content)


def render_html(results: Mapping[str, Any]) -> str:
    """The report of ``results`` (of ``wirespeed run``) as one HTML document."""
    specs = plot_specs(results)
    by_key = {t.key: t for t in tables(results)}
    return report_page(
        "Run report",
        _run(results) + "".join(_section(k, specs, by_key.get(k)) for k in _SECTIONS),
        version=__version__,
        results=results,
        specs=specs,
    )
