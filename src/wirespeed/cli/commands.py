"""The list of subcommands (one line each; modules are imported on use)."""

from __future__ import annotations

from collections.abc import Callable

Register = Callable[[str, str, str, str], None]


def register_all(register: Register) -> None:
    """Register every subcommand with the CLI group."""
    # Order does not matter; help lists them sorted.
    register(
        "app",
        "wirespeed.cli.app",
        "app",
        "Run stateful TCP/TLS app traffic from a vtest-style YAML case.",
    )
    register(
        "capture",
        "wirespeed.cli.capture",
        "capture",
        "Run a YAML test profile while capturing a port to a pcapng file.",
    )
    register(
        "demo",
        "wirespeed.cli.demo",
        "demo",
        "Run the seed's XOA flow on the embedded test bed with real counters.",
    )
    register(
        "server",
        "wirespeed.cli.server",
        "server",
        "Start the tester daemon (TRex RPC, Xena XOA and text CLI front ends).",
    )
    register(
        "rfc2544",
        "wirespeed.cli.rfc2544",
        "rfc2544",
        "Run RFC 2544 throughput, latency, frame loss and back-to-back (YAML).",
    )
    register(
        "rfc2544-report",
        "wirespeed.cli.rfc2544",
        "rfc2544_report",
        "Show saved RFC 2544 results; write the HTML report or CSV from them.",
    )
    register(
        "top",
        "wirespeed.cli.top",
        "top",
        "Watch a running daemon live: ports, streams, TIDs; start/stop a port.",
    )
    register(
        "run",
        "wirespeed.cli.run",
        "run",
        "Run a YAML test profile: live rates, final tables; --json, --html, --csv.",
    )
    register(
        "run-report",
        "wirespeed.cli.run",
        "run_report",
        "Show saved results of run; write the HTML report or CSV from them.",
    )
