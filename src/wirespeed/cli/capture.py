"""``wirespeed capture PROFILE.yaml --port 1``: run a profile and capture a port.

The profile's traffic runs as with ``wirespeed run``; what the port sends and
receives that matches the BPF filter is written to a pcapng (or pcap) file, kept
with kernel timestamps and TPLD intact, and the first frames are listed.
"""

from __future__ import annotations

from pathlib import Path

import click

from wirespeed.cli.jsonout import JsonTarget, json_option


@click.command("capture")
@click.argument(
    "profile_path", type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option("--port", "port", type=int, required=True, help="Port to capture on.")
@click.option(
    "--filter", "bpf", default="", help='BPF filter, e.g. "udp and dst port 9".'
)
@click.option("--limit", type=int, default=10_000, show_default=True, help="Frames.")
@click.option(
    "--direction",
    type=click.Choice(["both", "rx", "tx"]),
    default="both",
    show_default=True,
)
@click.option(
    "-w",
    "--write",
    "out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("capture.pcapng"),
    show_default=True,
    help="Output file (.pcap for classic pcap).",
)
@click.option("--show", type=int, default=10, show_default=True, help="Frames listed.")
@json_option()
def capture(
    profile_path: Path,
    port: int,
    bpf: str,
    limit: int,
    direction: str,
    out: Path,
    show: int,
    json_out: JsonTarget | None,
) -> None:
    """Run a profile while capturing one port to a pcapng file."""
    from wirespeed.capture import Direction, read_capture
    from wirespeed.cli.run import run_and_report
    from wirespeed.profiles import load_profile, profile_from_dict

    base = load_profile(profile_path)
    raw = base.model.model_dump(exclude_unset=True)
    raw["capture"] = [
        *raw.get("capture", []),
        {
            "port": port,
            "filter": bpf,
            "limit": limit,
            "direction": direction,
            "file": str(out.resolve()),
        },
    ]
    profile = profile_from_dict(raw, base.base)
    run_and_report(profile, json_out, quiet=True)
    frames = read_capture(out.resolve())
    from scapy.layers.l2 import Ether

    for i in range(min(show, len(frames))):
        way = "TX" if int(frames.direction[i]) == Direction.OUTBOUND else "RX"
        t = int(frames.ts_ns[i]) - int(frames.ts_ns[0])
        size = int(frames.orig_len[i])
        summary = Ether(frames.frame(i)).summary()
        click.echo(f"{i:>5} {t / 1e6:>10.3f} ms {way} {size:>5} B  {summary}")
