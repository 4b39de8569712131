"""Views of the results of ``wirespeed run`` (issue 19): the final tables, one tidy
CSV of the per-second samples, and one self-contained HTML report with plots. They
read the results as plain data, the dict :func:`wirespeed.runner.run_profile`
returns (or its JSON), and never compute a measurement of their own.

    results = load_results("results.json")
    write_html(results, "report.html")   # opens offline, from file://
    write_csv(results, "samples.csv")    # a row per sample and object (rows.py)
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from wirespeed import web
from wirespeed.analysis.histogram import HISTOGRAM_BUCKETS
from wirespeed.errors import ConfigError
from wirespeed.run_report.page import render_html
from wirespeed.run_report.plots import plot_specs
from wirespeed.run_report.rows import CSV_COLUMNS, csv_rows
from wirespeed.run_report.tables import tables

__all__ = [
    "CSV_COLUMNS",
    "csv_rows",
    "load_results",
    "plot_specs",
    "render_html",
    "tables",
    "write_csv",
    "write_html",
]

_KEYS = {"ports": dict, "streams": list, "samples": list}


def _check(data: Any, where: Path) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise ConfigError(
            f"{where}: results of wirespeed run expected", field="results"
        )
    for key, kind in _KEYS.items():
        if not isinstance(data.get(key), kind):
            raise ConfigError(
                f"{where}: no {key!r} ({kind.__name__}): results of "
                "'wirespeed run --json' expected",
                field=key,
            )
    for i, s in enumerate(data["streams"]):
        hist = (s.get("rx") or {}).get("histogram")
        if hist is not None and len(hist) != HISTOGRAM_BUCKETS:
            raise ConfigError(
                f"{where}: {len(hist)} latency buckets, not {HISTOGRAM_BUCKETS}",
                field=f"streams.{i}.rx.histogram",
            )
    return data


def load_results(path: str | Path) -> dict[str, Any]:
    """Read results saved as JSON (``wirespeed run --json``).

    Raises:
        ConfigError: the file cannot be read, is not JSON, or is not results of
            ``wirespeed run`` with samples (the field names what is missing), or a
            histogram has another number of buckets than the receiver's.
    """
    p = Path(path)
    return _check(web.read_json(p), p)


def write_csv(results: Mapping[str, Any], path: str | Path) -> None:
    """Write every sample of ``results`` as CSV (columns: ``rows.py``).

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
