"""What every report is made of: one self-contained HTML page (inline styles and
scripts only, a policy that loads nothing, the results and the plot specs inlined
as JSON), its tables, the plot specs ``plots.js`` draws, CSV rows, and reading the
saved results back. The reports themselves (:mod:`wirespeed.rfc2544_report`,
:mod:`wirespeed.run_report`) only say what goes where.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Any

from wirespeed.errors import ConfigError
from wirespeed.web.assets import (
    inline_json,
    inline_script,
    plots_js,
    uplot_css,
    uplot_js,
    uplot_version,
)

__all__ = [
    "PLOTS_ID",
    "RESULTS_ID",
    "Table",
    "csv_row",
    "flat",
    "fmt",
    "html_table",
    "plot_divs",
    "plot_spec",
    "read_json",
    "report_page",
    "section",
    "value_text",
    "write_csv",
]

RESULTS_ID = "wirespeed-results"
"""The id of the page's JSON element holding the results it shows."""
PLOTS_ID = "wirespeed-plots"
"""The id of the page's JSON element holding its plot specs (``plots.js`` reads it)."""

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

Spec = dict[str, Any]


@dataclass(frozen=True)
class Table:
    """A titled table of formatted cells (``-``: no value); the terminal and the
    HTML page show the same ones.

    Attributes:
        key: what the table shows, in the results' words (``"throughput"``,
            ``"ports"`` ...).
        title: a heading.
        columns: the column headings.
        rows: the cells, one tuple per row.
    """

    key: str
    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


def fmt(value: float | None, spec: str = "", scale: float = 1.0) -> str:
    """``value / scale`` formatted with ``spec``; ``-`` for no value."""
    if value is None:
        return "-"
    return format(value / scale, spec)


def value_text(data: Any) -> str:
    """A setting or counter as a cell: ``-`` for none, ``yes``/``no``, lists
    joined by commas."""
    if data is None:
        return "-"
    if isinstance(data, bool):
        return "yes" if data else "no"
    if isinstance(data, list):
        return ", ".join(value_text(x) for x in data) or "-"
    return str(data) if data != {} else "-"


def flat(data: Any, prefix: str = "") -> Iterable[tuple[str, str]]:
    """Nested settings as ``a.b.c`` -> value text."""
    if isinstance(data, Mapping) and data:
        for key, value in data.items():
            yield from flat(value, f"{prefix}{key}.")
    elif isinstance(data, list) and any(isinstance(x, dict | list) for x in data):
        for i, value in enumerate(data):
            yield from flat(value, f"{prefix}{i}.")
    else:
        yield prefix.rstrip("."), value_text(data)


def html_table(
    columns: Sequence[str], rows: Iterable[Sequence[str]], cls: str = ""
) -> str:
    """A ``<table>`` of text cells (escaped); no head row when every column
    heading is empty."""
    head = "".join(f"<th>{escape(c)}</th>" for c in columns)
    thead = f"<thead><tr>{head}</tr></thead>" if any(columns) else ""
    body = "".join(
        "<tr>" + "".join(f"<td>{escape(cell)}</td>" for cell in row) + "</tr>"
        for row in rows
    )
    attr = f' class="{cls}"' if cls else ""
    return f"<table{attr}>{thead}<tbody>{body}</tbody></table>"


def section(section_id: str, title: str, content: str) -> str:
    """A titled ``<section>`` of the page (``content`` is markup)."""
    return f'<section id="{section_id}"><h2>{escape(title)}</h2>{content}</section>'


def plot_spec(
    section_id: str,
    plot_id: str,
    title: str,
    axes: tuple[str, str],
    x: Sequence[float],
    series: Mapping[str, Sequence[float | None]],
    *,
    x_labels: Sequence[str] | None = None,
    kind: str = "lines",
) -> Spec:
    """A plot as data, the shape ``plots.js`` draws (see there).

    Args:
        section_id: the page section the plot belongs in.
        plot_id: the id of the element it is drawn into.
        title: its heading.
        axes: the x and y axis labels.
        x: the x values (indices of ``x_labels`` when those are given).
        series: a label -> a value per x (``None``: no value there).
        x_labels: category names, when x is not a number.
        kind: ``"lines"`` or ``"bars"``.
    """
    return {
        "section": section_id,
        "id": plot_id,
        "title": title,
        "x_label": axes[0],
        "y_label": axes[1],
        "kind": kind,
        "x": list(x),
        "x_labels": None if x_labels is None else list(x_labels),
        "series": [{"label": k, "values": list(v)} for k, v in series.items()],
    }


def plot_divs(specs: Iterable[Mapping[str, Any]], section_id: str) -> str:
    """The elements the plots of a section are drawn into (nothing if none)."""
    divs = "".join(
        f'<div class="plot" id="{escape(s["id"])}"></div>'
        for s in specs
        if s["section"] == section_id
    )
    return f'<div class="plots">{divs}</div>' if divs else ""


def report_page(
    title: str,
    body: str,
    *,
    version: str,
    results: Any,
    specs: Sequence[Mapping[str, Any]],
) -> str:
    """One HTML document: ``title`` as heading, ``body`` (markup), a footer, the
    results and the plot specs as JSON, and the charting library inlined.

    Args:
        title: the page's title and heading.
        body: its sections.
        version: the wirespeed version the footer names.
        results: the results shown (JSON-ready), kept in the page.
        specs: the plot specs, each drawn into the element of its id.
    """
    version = escape(version)
    return (
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">'
        f"<title>{escape(title)} (wirespeed {version})</title>"
        f"<style>{uplot_css()}{_CSS}</style></head><body>"
        f"<h1>{escape(title)}</h1>{body}"
        f"<footer>wirespeed {version}; charts drawn by uPlot "
        f"{escape(uplot_version())} (MIT), inlined.</footer>"
        + inline_json(RESULTS_ID, results)
        + inline_json(PLOTS_ID, list(specs))
        + inline_script(uplot_js())
        + inline_script(plots_js())
        + "</body></html>\n"
    )  # fmt: skip


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def csv_row(columns: Sequence[str], **values: Any) -> dict[str, str]:
    """A CSV row of ``columns`` (column -> cell text): ``values`` written as text
    (``None``: an empty cell; booleans ``true``/``false``), the others empty.

    Raises:
        KeyError: a value for a column the table does not declare.
    """
    row = dict.fromkeys(columns, "")
    for key, value in values.items():
        if key not in row:
            raise KeyError(key)
        row[key] = _cell(value)
    return row


def write_csv(
    path: str | Path, columns: Sequence[str], rows: Iterable[Mapping[str, str]]
) -> None:
    """Write ``rows`` (column -> cell text) as CSV with a header of ``columns``.

    Raises:
        OSError: the file cannot be written.
    """
    with Path(path).open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)


def read_json(path: str | Path) -> Any:
    """Results saved as JSON (``--json`` of the command that made them).

    Raises:
        ConfigError: the file cannot be read or is not JSON (field ``results``).
    """
    p = Path(path)
    try:
        return json.loads(p.read_text())
    except OSError as exc:
        raise ConfigError(f"cannot read {p}: {exc.strerror}", field="results") from exc
    except ValueError as exc:
        raise ConfigError(f"{p} is not JSON: {exc}", field="results") from exc
