"""``wirespeed top``: a live console view of a running daemon (its HTTP API)."""

from __future__ import annotations

import click


@click.command("top")
@click.option(
    "--url",
    default="http://127.0.0.1:8080",
    show_default=True,
    help="The daemon's HTTP API (wirespeed server --http-port).",
)
@click.option(
    "--token",
    envvar="WIRESPEED_HTTP_TOKEN",
    default=None,
    help="Control token the daemon printed at start (or WIRESPEED_HTTP_TOKEN); "
    "needed to start, stop, pause or clear a port.",
)
@click.option("--owner", default=None, help="Owner name port actions are made as.")
@click.option(
    "--interval",
    "interval_s",
    type=click.FloatRange(min=0.1),
    default=1.0,
    show_default=True,
    help="Seconds between two readings.",
)
def top(url: str, token: str | None, owner: str | None, interval_s: float) -> None:
    """Watch a running daemon: ports, streams and TIDs, live.

    Keys: up/down select a port; s start, x stop, p pause/resume, c clear it
    (with --token and --owner); q quits.
    """
    from wirespeed.cli.top_app import TopApp
    from wirespeed.cli.top_client import DaemonClient

    client = DaemonClient(url, token=token, owner=owner)
    TopApp(client, interval_s=interval_s).run()
