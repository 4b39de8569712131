"""Views of the RFC 2544 results (issue 18): tables, one tidy CSV, and one
self-contained HTML report with plots. They read the results as plain data, the
schema-1 dict :func:`wirespeed.rfc2544_suite.run_suite` returns (or its JSON),
and never compute a measurement of their own.

    results = load_results("results.json")
    write_html(results, "report.html")   # opens offline, from file://
    write_csv(results, "trials.csv")     # a row per trial or point (see rows.py)
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from wirespeed import web
from wirespeed.errors import ConfigError
from wirespeed.rfc2544_report.page import render_html
from wirespeed.rfc2544_report.plots import plot_specs
from wirespeed.rfc2544_report.rows import CSV_COLUMNS, csv_rows
from wirespeed.rfc2544_report.tables import Table, tables

__all__ = [
    "CSV_COLUMNS",
    "SCHEMA",
    "Table",
    "csv_rows",
    "load_results",
    "plot_specs",
    "render_html",
    "tables",
    "write_csv",
    "write_html",
]

SCHEMA = 1
"""The version of the results' layout these views read."""


def load_results(path: str | Path) -> dict[str, Any]:
    """Read results saved as JSON (``wirespeed rfc2544 --json``).

    Raises:
        ConfigError: the file cannot be read, is not JSON, or is not results of
            schema 1 (field ``schema``).
    """
    p = Path(path)
    data = web.read_json(p)
    if not isinstance(data, dict) or data.get("schema") != SCHEMA:
        found = data.get("schema") if isinstance(data, dict) else None
        raise ConfigError(
            f"{p}: RFC 2544 results of schema {SCHEMA} expected, found {found!r}",
            field="schema",
        )
    return data


def write_csv(results: Mapping[str, Any], path: str | Path) -> None:
    """Write every trial and point of ``results`` as CSV (columns: ``rows.py``).

    Raises:
        OSError: the file cannot be written.
    """
    web.write_csv(path, CSV_COLUMNS, csv_rows(results))


def write_html(results: Mapping[str, Any], path: str | Path) -> None:
    """Write the HTML report of ``results``.

    Raises:
        OSError: the file cannot be written.
    """
    Path(path).write_text(render_html(results), encoding="utf-8")
