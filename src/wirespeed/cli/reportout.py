"""``--html FILE`` and ``--csv FILE`` of the commands that write reports, and their
tables on the terminal (the same :class:`wirespeed.web.Table` the HTML shows).

The directory of each file is checked when the options are read, so a typo fails
before a run, not after it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, TypeVar

import click
from rich import box as rich_box
from rich.console import Console
from rich.table import Table as RichTable
from rich.text import Text

from wirespeed.web import Table

__all__ = ["print_tables", "report_options", "write_reports"]

F = TypeVar("F", bound=Callable[..., Any])
Writer = Callable[[Mapping[str, Any], Path], None]


def _check_dir(
    ctx: click.Context, param: click.Parameter, value: Path | None
) -> Path | None:
    if value is not None and not value.parent.is_dir():  # found now, not after the run
        raise click.BadParameter(f"no directory {str(value.parent)!r}", ctx, param)
    return value


def report_options(csv_rows: str) -> Callable[[F], F]:
    """``--html FILE`` and ``--csv FILE``; the command gets ``html_out`` and
    ``csv_out`` (``Path | None``). ``csv_rows`` says what a CSV row is."""

    def decorate(f: F) -> F:
        for name, what in (
            ("html", "the HTML report (self-contained, opens offline)"),
            ("csv", csv_rows),
        ):
            f = click.option(
                f"--{name}", f"{name}_out", metavar="FILE", default=None,
                type=click.Path(dir_okay=False, path_type=Path), callback=_check_dir,
                help=f"Write {what} to FILE.",
            )(f)  # fmt: skip
        return f

    return decorate


def write_reports(
    results: Mapping[str, Any],
    outputs: Iterable[tuple[Path | None, Writer]],
) -> None:
    """Write ``results`` with each writer whose file was asked for.

    Raises:
        click.FileError: a file cannot be written.
    """
    for path, write in outputs:
        if path is None:
            continue
        try:
            write(results, path)
        except OSError as exc:
            raise click.FileError(str(path), hint=exc.strerror) from exc


def print_tables(
    console: Console, tables: Iterable[Table], box: rich_box.Box = rich_box.HEAVY_HEAD
) -> None:
    """Each table under its title; cells as plain text (never markup)."""
    for t in tables:
        table = RichTable(title=t.title, box=box)
        for i, col in enumerate(t.columns):
            table.add_column(col, justify="left" if i == 0 else "right")
        for row in t.rows:
            table.add_row(*(Text(cell) for cell in row))
        console.print(table)
