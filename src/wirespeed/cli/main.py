"""Entry point of the ``wirespeed`` command.

Each subcommand lives in its own module and is loaded only when it is used, so
``wirespeed --help`` stays fast and one front end's imports never slow another.
"""

from __future__ import annotations

import importlib
from typing import Any

import click

from wirespeed._version import __version__
from wirespeed.errors import WirespeedError

# name -> (module, attribute, one-line help)
_COMMANDS: dict[str, tuple[str, str, str]] = {}


def register(name: str, module: str, attr: str, help_text: str) -> None:
    """Declare a lazily-imported subcommand."""
    _COMMANDS[name] = (module, attr, help_text)


class _LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(_COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        entry = _COMMANDS.get(cmd_name)
        if entry is None:
            return None
        module = importlib.import_module(entry[0])
        cmd = getattr(module, entry[1])
        assert isinstance(cmd, click.Command)
        return cmd

    def format_commands(
        self, ctx: click.Context, formatter: click.HelpFormatter
    ) -> None:
        rows = [(name, _COMMANDS[name][2]) for name in sorted(_COMMANDS)]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except WirespeedError as exc:
            raise click.ClickException(str(exc)) from exc


@click.group(cls=_LazyGroup)
@click.version_option(__version__, prog_name="wirespeed")
def cli() -> None:
    """wirespeed: a software traffic generator and network tester."""


def main() -> None:
    """Run the ``wirespeed`` command."""
    cli()


from wirespeed.cli import commands as _commands  # noqa: E402  (registers subcommands)

_commands.register_all(register)
