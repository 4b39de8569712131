"""``wirespeed demo``: the seed's Thor module-and-stream flow on the test bed."""

from __future__ import annotations

import json
import sys

import click

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
@click.option(
    "--json",
    "json_path",
    type=click.Path(dir_okay=False),
    default=None,
    help="Also write the results as JSON to this file.",
)
def demo(
    duration_s: float,
    cooldown_s: float,
    rate_percent: float,
    speed: str,
    json_path: str | None,
) -> None:
    """Run the seed's XOA flow (2 modules x 2 ports, 10 streams) with real counters."""
    from wirespeed.demo import run_demo

    result = run_demo(
        duration_s=duration_s,
        cooldown_s=cooldown_s,
        rate_percent=rate_percent,
        speed_bps=parse_speed(speed, "--speed"),
    )
    if json_path:
        with open(json_path, "w") as fh:
            json.dump({"ports": result.ports, "tids": result.tids}, fh, indent=2)
    if not result.clean:
        click.echo(
            "note: frames were lost on the test bed (see the table above)", err=True
        )
        sys.exit(1)
