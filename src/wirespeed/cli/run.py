"""``wirespeed run PROFILE.yaml``: run a test profile, live rates, final tables, and
``wirespeed run-report RESULTS.json``: the same views of saved results.

``--json``, ``--csv`` and ``--html`` write the results (with a sample of the rates
and counts a second), a CSV row per sample and port, stream or TID, and the
self-contained report with plots (:mod:`wirespeed.run_report`).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import click

from wirespeed.cli.jsonout import JsonTarget, json_option
from wirespeed.cli.reportout import report_options

_outputs = report_options("a CSV row per second and port, stream or TID")


@click.command("run")
@click.argument(
    "profile_path", type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@json_option()
@_outputs
@click.option("--quiet", is_flag=True, help="No live display.")
def run(
    profile_path: Path,
    json_out: JsonTarget | None,
    html_out: Path | None,
    csv_out: Path | None,
    quiet: bool,
) -> None:
    """Run a YAML test profile on the embedded test bed (or configured ports)."""
    from wirespeed.profiles import load_profile

    run_and_report(
        load_profile(profile_path), json_out, quiet, html_out=html_out, csv_out=csv_out
    )


@click.command("run-report")
@click.argument(
    "results_path", type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@_outputs
def run_report(results_path: Path, html_out: Path | None, csv_out: Path | None) -> None:
    """Show saved results of run (--json of run); write HTML or CSV."""
    from wirespeed.run_report import load_results

    results = load_results(results_path)
    _print_tables(results)
    _write(results, html_out, csv_out)


def run_and_report(
    profile: Any,
    json_out: JsonTarget | None,
    quiet: bool,
    *,
    html_out: Path | None = None,
    csv_out: Path | None = None,
) -> None:
    """Run a loaded profile; the tables on stderr, the JSON, HTML and CSV where
    asked."""
    from wirespeed.runner import run_profile

    is_stdout = json_out is not None and json_out.is_stdout
    results = run_profile(profile, live=not quiet and not is_stdout)
    _print_tables(results)  # on stderr
    if json_out is not None:
        json_out.write(results)
    _write(results, html_out, csv_out)


def _print_tables(results: Mapping[str, Any]) -> None:
    from rich.console import Console

    from wirespeed.cli.reportout import print_tables
    from wirespeed.run_report import tables

    console = Console(stderr=True)
    print_tables(console, tables(results))
    for st in results.get("streams", []):  # several hosts: what latency is worth
        if st.get("latency_note"):
            console.print(
                f"latency {st['port']} -> {st['rx_port']}: {st['latency_note']}"
            )
    for host in results.get("lost_hosts", []):
        console.print(f"[bold red]host {host} was lost during the run[/]")


def _write(
    results: Mapping[str, Any], html_out: Path | None, csv_out: Path | None
) -> None:
    from wirespeed.cli.reportout import write_reports
    from wirespeed.run_report import write_csv, write_html

    write_reports(results, ((html_out, write_html), (csv_out, write_csv)))
