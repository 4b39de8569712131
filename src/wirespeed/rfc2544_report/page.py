"""The RFC 2544 report as one self-contained HTML page: the run and its settings,
a section per test with its plots and table, the results as JSON, and the charting
library inlined (no network: the page's own policy forbids loading anything)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from html import escape
from typing import Any

from wirespeed import web
from wirespeed.rfc2544_report.plots import plot_specs
from wirespeed.rfc2544_report.tables import Table, fmt, tables

__all__ = ["render_html"]

RESULTS_ID = "wirespeed-results"
PLOTS_ID = "wirespeed-plots"

# inline code and styles only; nothing is fetched, not even a favicon
_CSP = (
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
    "img-src data:"
)

_CSS = """
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em auto; max-width: 1240px;
       padding: 0 1em; color: #222; }
h1 { font-size: 1.6em; } h2 { border-bottom: 1px solid #ccc; margin-top: 1.6em; }
table { border-collapse: collapse; margin: .6em 0; }
th, td { border: 1px solid #ddd; padding: .2em .6em; text-align: right; }
th { background: #f3f3f3; } td:first-child, th:first-child { text-align: left; }
.plots { display: grid; grid-template-columns: repeat(auto-fill, minmax(580px, 1fr));
         gap: 1em; }
.plot { min-height: 300px; }
.meta td, .meta th { text-align: left; }
footer { margin-top: 2em; color: #666; font-size: .9em; }
"""

_SECTIONS = {
    "throughput": "Throughput",
    "latency": "Latency",
    "frame_loss": "Frame loss",
    "back_to_back": "Back-to-back",
}


def _table(columns: Sequence[str], rows: Iterable[Sequence[str]], cls: str = "") -> str:
    head = "".join(f"<th>{escape(c)}</th>" for c in columns)
    thead = f"<thead><tr>{head}</tr></thead>" if any(columns) else ""
    body = "".join(
        "<tr>" + "".join(f"<td>{escape(cell)}</td>" for cell in row) + "</tr>"
        for row in rows
    )
    attr = f' class="{cls}"' if cls else ""
    return f"<table{attr}>{thead}<tbody>{body}</tbody></table>"


def _flat(data: Any, prefix: str = "") -> Iterable[tuple[str, str]]:
    """Nested settings as ``a.b.c`` -> value text."""
    if isinstance(data, Mapping) and data:
        for key, value in data.items():
            yield from _flat(value, f"{prefix}{key}.")
    elif isinstance(data, list) and any(isinstance(x, dict | list) for x in data):
        for i, value in enumerate(data):
            yield from _flat(value, f"{prefix}{i}.")
    else:
        yield prefix.rstrip("."), _value(data)


def _value(data: Any) -> str:
    if data is None:
        return "-"
    if isinstance(data, bool):
        return "yes" if data else "no"
    if isinstance(data, list):
        return ", ".join(_value(x) for x in data) or "-"
    return str(data) if data != {} else "-"


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
        ("started (UTC)", _value(results["started"])),
        ("finished (UTC)", _value(results["finished"])),
        ("duration", _duration(results)),
        ("DUT", _value(dut.get("kind"))),
        ("DUT impairment", _value(dut.get("impair"))),
        ("DUT firewall", _value(dut.get("firewall"))),
        ("flows", ", ".join(f"{f['tx']} → {f['rx']}" for f in results["flows"])),
    ]
    ports = _table(
        ("port", "name", "MAC", "speed Gb/s", "IPv4", "gateway", "IPv6", "gateway"),
        (
            (
                str(p["index"]), _value(p["name"]), _value(p["mac"]),
                fmt(p["speed_bps"], "g", 1e9), _value(p.get("ipv4")),
                _value(p.get("gateway4")), _value(p.get("ipv6")),
                _value(p.get("gateway6")),
            )
            for p in bed["ports"]
        ),
    )  # fmt: skip
    counters = results.get("dut_counters") or {}
    return (
        '<section id="run"><h2>Run and test bed</h2>'
        + _table(("", ""), rows, "meta")
        + "<h3>Tester ports</h3>"
        + (ports if bed["ports"] else "<p>not reported</p>")
        + "<h3>Suite settings</h3>"
        + _table(("setting", "value"), _flat(results["settings"]), "meta")
        + "<h3>DUT counters</h3>"
        + (_table(("counter", "value"), _flat(counters), "meta") if counters else
           "<p>none</p>")
        + "</section>"
    )  # fmt: skip


def _section(test: str, specs: list[dict[str, Any]], table: Table | None) -> str:
    title = escape(_SECTIONS[test])
    if table is None:
        return f'<section id="{test}"><h2>{title}</h2><p>not run</p></section>'
    plots = "".join(
        f'<div class="plot" id="{escape(s["id"])}"></div>'
        for s in specs
        if s["test"] == test
    )
    return (
        f'<section id="{test}"><h2>{title}</h2><div class="plots">{plots}</div>'
        f"{_table(table.columns, table.rows)}</section>"
    )


def render_html(results: Mapping[str, Any]) -> str:
    """The report of ``results`` (schema 1) as one HTML document."""
    specs = plot_specs(results)
    by_test = {t.test: t for t in tables(results)}
    version = escape(str(results["wirespeed_version"]))
    sections = "".join(_section(k, specs, by_test.get(k)) for k in _SECTIONS)
    return (
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">'
        f"<title>RFC 2544 report (wirespeed {version})</title>"
        f"<style>{web.uplot_css()}{_CSS}</style></head><body>"
        f"<h1>RFC 2544 report</h1>{_run(results)}{sections}"
        f"<footer>wirespeed {version}; charts drawn by uPlot "
        f"{escape(web.uplot_version())} (MIT), inlined.</footer>"
        + web.inline_json(RESULTS_ID, results)
        + web.inline_json(PLOTS_ID, specs)
        + web.inline_script(web.uplot_js())
        + web.inline_script(web.plots_js())
        + "</body></html>\n"
    )  # fmt: skip
