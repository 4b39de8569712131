"""``wirespeed demo``: the seed's Thor module-and-stream flow on the test bed."""

from __future__ import annotations

import sys

import click

from wirespeed.cli.jsonout import JsonTarget, json_option
from wirespeed.topology.testbed import parse_speed


@click.command("demo")
@click.option(
    "--duration",
    "duration_s",
    default=10.0,
    show_default=True,
    help="Seconds of traffic.",
)
@click.option(
    "--cooldown",
    "cooldown_s",
    default=2.0,
    show_default=True,
    help="Seconds to wait after stopping before reading counters.",
)
@click.option(
    "--rate",
    "rate_percent",
    default=10.0,
    show_default=True,
    help="Rate of every stream in percent of the port speed.",
)
@click.option(
    "--speed",
    default="1G",
    show_default=True,
    help="Nominal port speed (the basis for percent of line).",
)
@json_option()
def demo(
    duration_s: float,
    cooldown_s: float,
    rate_percent: float,
    speed: str,
    json_out: JsonTarget | None,
) -> None:
    """Run the seed's XOA flow (2 modules x 2 ports, 10 streams) with real counters."""
    from wirespeed.demo import run_demo

    result = run_demo(
        duration_s=duration_s,
        cooldown_s=cooldown_s,
        rate_percent=rate_percent,
        speed_bps=parse_speed(speed, "--speed"),
        out=_say_on_stderr if json_out is not None and json_out.is_stdout else print,
    )
    if json_out is not None:
        json_out.write({"ports": result.ports, "tids": result.tids})
    if not result.clean:
        click.echo(
            "note: frames were lost on the test bed (see the table above)", err=True
        )
        sys.exit(1)


def _say_on_stderr(line: str) -> None:
    click.echo(line, err=True)
