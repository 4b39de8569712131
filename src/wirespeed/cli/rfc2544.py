"""``wirespeed rfc2544 FILE.yaml``: RFC 2544 throughput, latency, frame loss and
back-to-back on the embedded test bed (or configured ports); a table per test on
stderr, the results as JSON with ``--json``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from wirespeed.cli.jsonout import JsonTarget, json_option


@click.command("rfc2544")
@click.argument(
    "suite_path", type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@json_option()
def rfc2544(suite_path: Path, json_out: JsonTarget | None) -> None:
    """Run the RFC 2544 tests of a YAML file."""
    from wirespeed.rfc2544_suite import load_suite, run_suite

    model, base = load_suite(suite_path)
    results = run_suite(model, base)
    _print(results)
    if json_out is not None:
        json_out.write(results)


def _print(results: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(stderr=True)
    for pair in results["pairs"]:
        t = Table(title=f"RFC 2544: port {pair['tx']} -> port {pair['rx']}")
        for col in ("frame B", "throughput %", "frames/s", "lat avg us",
                    "back-to-back", "note"):  # fmt: skip
            t.add_column(col, justify="right")
        for e in pair["frame_sizes"]:
            lat = e.get("latency_ns") or {}
            b2b = (e.get("back_to_back") or {}).get("frames")
            t.add_row(
                str(e["frame_size"]),
                "-" if e["throughput_pct"] is None else f"{e['throughput_pct']:.3f}",
                "-" if e["throughput_fps"] is None else f"{e['throughput_fps']:,}",
                "-" if lat.get("avg") is None else f"{lat['avg'] / 1e3:.1f}",
                "-" if not b2b else ", ".join(str(x) for x in b2b),
                "tester limit" if e["tester_limited"] else "",
            )
        console.print(t)
    if results.get("dut"):
        console.print(f"DUT: {results['dut']}")
