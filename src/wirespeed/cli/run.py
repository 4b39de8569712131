"""``wirespeed run PROFILE.yaml``: run a test profile, live rates, final table."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from wirespeed.cli.jsonout import JsonTarget, json_option


@click.command("run")
@click.argument(
    "profile_path", type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@json_option()
@click.option("--quiet", is_flag=True, help="No live display.")
def run(profile_path: Path, json_out: JsonTarget | None, quiet: bool) -> None:
    """Run a YAML test profile on the embedded test bed (or configured ports)."""
    from wirespeed.profiles import load_profile

    run_and_report(load_profile(profile_path), json_out, quiet)


def run_and_report(profile: Any, json_out: JsonTarget | None, quiet: bool) -> None:
    """Run a loaded profile; the tables on stderr, the JSON where asked."""
    from wirespeed.runner import run_profile

    is_stdout = json_out is not None and json_out.is_stdout
    results = run_profile(profile, live=not quiet and not is_stdout)
    _print_table(results)  # on stderr
    if json_out is not None:
        json_out.write(results)


def _print_table(results: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(stderr=True)
    t = Table(title="ports")
    for col in (
        "port",
        "TX frames",
        "RX frames",
        "TX bytes",
        "RX bytes",
        "non-TPLD RX",
    ):
        t.add_column(col, justify="right")
    for name, p in results["ports"].items():
        t.add_row(
            name,
            str(p["tx_packets"]),
            str(p["rx_packets"]),
            str(p["tx_bytes"]),
            str(p["rx_bytes"]),
            str(p["rx_notpld_packets"]),
        )
    console.print(t)
    s = Table(title="streams (RX analysis per TPLD id)")
    for col in (
        "stream",
        "TID",
        "TX",
        "RX",
        "lost",
        "misord",
        "dup",
        "lat min us",
        "lat avg us",
        "lat max us",
        "jitter us",
    ):
        s.add_column(col, justify="right")
    for st in results["streams"]:
        rx = st.get("rx") or {}
        lat = rx.get("latency") or {}
        s.add_row(
            st["name"],
            str(st["tpld_id"]),
            str(st["tx_packets"]),
            str(rx.get("packets", "-")),
            str(rx.get("lost", "-")),
            str(rx.get("misordered", "-")),
            str(rx.get("duplicates", "-")),
            _us(lat.get("min_ns")),
            _us(lat.get("avg_ns")),
            _us(lat.get("max_ns")),
            _us(rx.get("jitter_ns")),
        )
    console.print(s)
    if results.get("dut"):
        console.print(
            f"DUT ({results['dut']['mechanism']}): {results['dut']['counters']}"
        )
    for c in results.get("captures", []):
        console.print(
            f"capture port {c['port']} ({c['filter'] or 'all'}): {c['frames']} frames, "
            f"{c['missed']} missed -> {c['file']}"
        )


def _us(v: Any) -> str:
    return "-" if v is None else f"{float(v) / 1e3:.1f}"
