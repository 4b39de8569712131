"""``wirespeed rfc2544 FILE.yaml``: RFC 2544 throughput, latency, frame loss and
back-to-back on the embedded test bed (or configured ports), and
``wirespeed rfc2544-report RESULTS.json``: the same views of saved results.

On a terminal, a progress bar and the current trial (test, frame size, rate, loss)
run on stderr; then a table per test. When stderr is not a terminal (CI logs) only
the tables are printed. ``--json``, ``--csv`` and ``--html`` write the results, a
row per trial, and the self-contained report (:mod:`wirespeed.rfc2544_report`).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

import click
from rich import box
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.text import Text

from wirespeed.cli.jsonout import JsonTarget, json_option
from wirespeed.cli.reportout import print_tables, report_options, write_reports
from wirespeed.rfc2544_report import load_results, tables, write_csv, write_html

if TYPE_CHECKING:
    from wirespeed.rfc2544_suite import TrialEvent

__all__ = ["LiveProgress", "describe", "print_results", "rfc2544", "rfc2544_report"]


def describe(ev: TrialEvent) -> str:
    """The trial just done, in one line."""
    t = ev.trial
    return (
        f"{ev.test} {ev.frame_size} B {ev.tx}→{ev.rx}: {t.rate_pct:.3f} % "
        f"(sent {t.achieved_pct:.3f} %), tx {t.tx_frames} rx {t.rx_frames}, "
        f"loss {t.loss_pct:.3f} %"
    )


class LiveProgress:
    """A progress bar of the trials done and planned, and the last trial, on a
    terminal; call it with each :class:`TrialEvent`."""

    def __init__(self, console: Console) -> None:
        self.progress = Progress(
            TextColumn("RFC 2544"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[trial]}", markup=False),
            console=console,
        )
        self._task = self.progress.add_task("trials", total=None, trial="starting")

    def __call__(self, ev: TrialEvent) -> None:
        self.progress.update(
            self._task,
            total=max(ev.planned, ev.done),  # planned is an estimate while searching
            completed=ev.done,
            trial=describe(ev),
        )

    def __enter__(self) -> LiveProgress:
        self.progress.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.progress.stop()


def print_results(console: Console, results: Mapping[str, Any]) -> None:
    """The run in one line, a table per test, and the DUT's own counters."""
    dut = results["testbed"].get("dut") or {}
    flows = ", ".join(f"{f['tx']}→{f['rx']}" for f in results["flows"])
    head = f"RFC 2544: wirespeed {results['wirespeed_version']}, flows {flows}"
    if dut.get("kind"):
        head += f", DUT {dut['kind']}" + (
            f" ({dut['impair']})" if dut.get("impair") else ""
        )
    console.print(Text(head))
    print_tables(console, tables(results), box.SIMPLE_HEAD)
    counters = results.get("dut_counters")
    if counters:
        console.print(
            Text("DUT: " + ", ".join(f"{k} {v}" for k, v in counters.items()))
        )


_outputs = report_options("a CSV row per trial and point")


def _write(
    results: Mapping[str, Any], html_out: Path | None, csv_out: Path | None
) -> None:
    write_reports(results, ((html_out, write_html), (csv_out, write_csv)))


@click.command("rfc2544")
@click.argument(
    "suite_path", type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@json_option()
@_outputs
def rfc2544(
    suite_path: Path,
    json_out: JsonTarget | None,
    html_out: Path | None,
    csv_out: Path | None,
) -> None:
    """Run the RFC 2544 tests of a YAML file."""
    from wirespeed.rfc2544_suite import load_suite, run_suite

    model, base = load_suite(suite_path)
    console = Console(stderr=True)
    if console.is_terminal:
        with LiveProgress(console) as live:
            results = run_suite(model, base, progress=live)
    else:
        results = run_suite(model, base)
    print_results(console, results)
    if json_out is not None:
        json_out.write(results)
    _write(results, html_out, csv_out)


@click.command("rfc2544-report")
@click.argument(
    "results_path", type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@_outputs
def rfc2544_report(
    results_path: Path, html_out: Path | None, csv_out: Path | None
) -> None:
    """Show saved RFC 2544 results (--json of rfc2544); write HTML or CSV."""
    results = load_results(results_path)
    print_results(Console(stderr=True), results)
    _write(results, html_out, csv_out)
