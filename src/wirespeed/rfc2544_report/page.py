"""The RFC 2544 report as one self-contained HTML page (:func:`wirespeed.web.
report_page`): the run and its settings, a section per test with its plots and
table, the results as JSON, and the charting library inlined."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from wirespeed.rfc2544_report.plots import plot_specs
from wirespeed.rfc2544_report.tables import tables
from wirespeed.web import (
    Table,
    flat,
    fmt,
    html_table,
    plot_divs,
    report_page,
    section,
    value_text,
)

__all__ = ["render_html"]

_SECTIONS = {
    "throughput": "Throughput",
    "latency": "Latency",
    "frame_loss": "Frame loss",
    "back_to_back": "Back-to-back",
}


def _duration(results: Mapping[str, Any]) -> str:
    try:
        start = datetime.fromisoformat(results["started"])
        end = datetime.fromisoformat(results["finished"])
    except (TypeError, ValueError):
        return "-"
    return f"{(end - start).total_seconds():.0f} s"


def _run(results: Mapping[str, Any]) -> str:
    bed = results["testbed"]
    dut = bed.get("dut") or {}
    rows = [
        ("wirespeed", str(results["wirespeed_version"])),
        ("started (UTC)", value_text(results["started"])),
        ("finished (UTC)", value_text(results["finished"])),
        ("duration", _duration(results)),
        ("DUT", value_text(dut.get("kind"))),
        ("DUT impairment", value_text(dut.get("impair"))),
        ("DUT firewall", value_text(dut.get("firewall"))),
        ("flows", ", ".join(f"{f['tx']} → {f['rx']}" for f in results["flows"])),
    ]
    ports = html_table(
        ("port", "name", "MAC", "speed Gb/s", "IPv4", "gateway", "IPv6", "gateway"),
        (
            (
                str(p["index"]), value_text(p["name"]), value_text(p["mac"]),
                fmt(p["speed_bps"], "g", 1e9), value_text(p.get("ipv4")),
                value_text(p.get("gateway4")), value_text(p.get("ipv6")),
                value_text(p.get("gateway6")),
            )
            for p in bed["ports"]
        ),
    )  # fmt: skip
    counters = results.get("dut_counters") or {}
    return section(
        "run",
        "Run and test bed",
        html_table(("", ""), rows, "meta")
        + "<h3>Tester ports</h3>"
        + (ports if bed["ports"] else "<p>not reported</p>")
        + "<h3>Suite settings</h3>"
        + html_table(("setting", "value"), flat(results["settings"]), "meta")
        + "<h3>DUT counters</h3>"
        + (html_table(("counter", "value"), flat(counters), "meta") if counters else
           "<p>none</p>"),
    )  # fmt: skip


def _section(test: str, specs: list[dict[str, Any]], table: Table | None) -> str:
    if table is None:
        return section(test, _SECTIONS[test], "<p>not run</p>")
    return section(
        test,
        _SECTIONS[test],
        plot_divs(specs, test) + html_table(table.columns, table.rows),
    )


def render_html(results: Mapping[str, Any]) -> str:
    """The report of ``results`` (schema 1) as one HTML document."""
    specs = plot_specs(results)
    by_test = {t.key: t for t in tables(results)}
    return report_page(
        "RFC 2544 report",
        _run(results) + "".join(_section(k, specs, by_test.get(k)) for k in _SECTIONS),
        version=str(results["wirespeed_version"]),
        results=results,
        specs=specs,
    )
