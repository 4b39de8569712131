"""``--json FILE`` of every subcommand that produces results (``-`` = stdout).

One option, one meaning: ``--json results.json`` writes the file and keeps the
normal output; ``--json -`` prints the JSON on stdout and nothing else there (tables,
progress and notes go to stderr or are left out). A bare ``--json`` is refused with
the spelling to use, also when another option follows it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import click

__all__ = ["STDOUT", "JsonTarget", "json_option"]

STDOUT = "-"
# what click passes when --json has no value (no real file name holds a NUL)
_BARE = "\0bare"
_NEEDS_FILE = "needs a file name, or '-' for stdout"

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class JsonTarget:
    """Where ``--json`` sends the results.

    Attributes:
        path: the file to write, or ``None`` for stdout (``--json -``).
    """

    path: Path | None

    @property
    def is_stdout(self) -> bool:
        """The JSON goes to stdout, so nothing else may."""
        return self.path is None

    def write(self, data: Any) -> None:
        """Write ``data`` as indented JSON and a newline (the same text either way).

        Raises:
            click.FileError: the file cannot be written.
        """
        text = json.dumps(data, indent=2) + "\n"
        if self.path is None:
            click.echo(text, nl=False)
            return
        try:
            self.path.write_text(text)
        except OSError as exc:
            raise click.FileError(str(self.path), hint=exc.strerror) from exc


class _JsonTargetType(click.ParamType[JsonTarget, str | JsonTarget]):
    name = "file"

    def convert(
        self,
        value: str | JsonTarget,
        param: click.Parameter | None,
        ctx: click.Context | None,
    ) -> JsonTarget:
        if isinstance(value, JsonTarget):
            return value
        if value == _BARE:
            self.fail(f"{_NEEDS_FILE} (a bare '--json' is now '--json -')", param, ctx)
        if value == "":
            self.fail(_NEEDS_FILE, param, ctx)
        if value == STDOUT:
            return JsonTarget(None)
        path = Path(value)
        if path.is_dir():
            self.fail(f"{value!r} is a directory", param, ctx)
        if not path.parent.is_dir():  # found now, not after the run
            self.fail(f"no directory {str(path.parent)!r} for {value!r}", param, ctx)
        return JsonTarget(path)


def json_option() -> Callable[[F], F]:
    """The ``--json FILE`` option; the command gets ``json_out: JsonTarget | None``."""
    return click.option(
        "--json",
        "json_out",
        type=_JsonTargetType(),
        is_flag=False,
        flag_value=_BARE,
        default=None,
        metavar="FILE",
        help="Write the results as JSON to FILE; '-' prints them on stdout alone.",
    )
