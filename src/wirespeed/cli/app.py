"""``wirespeed app``: run a stateful TCP/TLS app-traffic case from a vtest-style YAML.

Exit status: 0 when every planned connection completed and none failed, 1 when some
failed or did not run, when a host's worker process died, or when the hosts could
not be built (not root, say), 2 for a bad file or field, 130 after Ctrl-C or SIGTERM
(both stop the traffic and remove everything first).
"""

from __future__ import annotations

import os
import signal
import sys
import time
from collections.abc import Mapping
from typing import Any

import click
from rich import box
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from wirespeed.cli.jsonout import JsonTarget, json_option
from wirespeed.errors import ConfigError, WirespeedError
from wirespeed.stateful.orchestrator import (
    AppResults,
    CloudTrafficManager,
    read_case_file,
)

__all__ = ["app"]


def _ms(summary: dict[str, Any], key: str) -> str:
    value = summary.get(key)
    return "-" if value is None else f"{value:.3f}"


def _print_error(console: Console, exc: Exception) -> None:
    # unwrapped (a field path stays on one line) and never read as markup
    console.print(f"[red]error:[/red] {escape(str(exc))}", soft_wrap=True)


_METRIC = {"tls_handshake": "tls", "transaction": "txn", "connection": "conn"}


def _client_rows(res: AppResults) -> list[dict[str, Any]]:
    rows = [s.summary() for s in res.clients.values()]
    if len(rows) > 1:
        rows.append(res.total.summary())
    return rows


def _client_table(res: AppResults) -> Table:
    table = Table(
        box=box.SIMPLE_HEAD, title=f"app traffic: clients ({res.case or 'case'})"
    )
    cols = ("label", "planned", "attempted", "established", "completed", "failed")
    heads = ("entry", "plan", "tried", "estab", "done", "failed")
    for col in (*heads, "peak", "conn/s", "tx Mb/s", "rx Mb/s"):
        table.add_column(col, justify="left" if col == "entry" else "right")
    for row in _client_rows(res):
        peak = row["peak_concurrent"]
        table.add_row(
            *(str(row[c]) for c in cols),
            "-" if peak is None else str(peak),
            f"{row['cps']:.1f}",
            f"{row['tx_mbps']:.3f}",
            f"{row['rx_mbps']:.3f}",
        )
    return table


def _latency_table(res: AppResults) -> Table:
    table = Table(
        box=box.SIMPLE_HEAD,
        title=(
            "latency in ms (with client_cps, conn counts from the scheduled start "
            "and the first txn includes a late start)"
        ),
    )
    for col in ("entry", "of", "count", "min", "p50", "p90", "p99", "max"):
        table.add_column(col, justify="left" if col in ("entry", "of") else "right")
    for row in _client_rows(res):
        for metric, summ in row["latency"].items():
            if not summ["count"]:
                continue
            table.add_row(
                row["label"],
                _METRIC.get(metric, metric),
                str(summ["count"]),
                *(_ms(summ, f"{k}_ms") for k in ("min", "p50", "p90", "p99", "max")),
            )
    return table


def _server_table(res: AppResults) -> Table:
    table = Table(box=box.SIMPLE_HEAD, title="app traffic: servers (their own counts)")
    for col in (
        "server",
        "accepted",
        "TLS",
        "SNI ok",
        "SNI bad",
        "done",
        "failed",
        "bytes rx",
        "bytes tx",
    ):
        table.add_column(col, justify="left" if col == "server" else "right")
    for stats in res.servers.values():
        table.add_row(
            stats.label,
            str(stats.accepted),
            str(stats.tls_established),
            str(stats.sni_ok),
            str(stats.sni_mismatch),
            str(stats.completed),
            str(stats.failed),
            str(stats.bytes_rx),
            str(stats.bytes_tx),
        )
    return table


def _errors(res: AppResults) -> list[str]:
    lines = []
    for side, items in (("client", res.clients), ("server", res.servers)):
        for label, stats in items.items():
            for cause, count in sorted(stats.errors.items()):
                lines.append(f"{side} {label}: {cause} x{count}")
    for host, why in res.worker_errors.items():
        lines.append(f"host {host}: {why}; its counts are the last it reported")
    for host, drops in res.impairment_drops.items():
        for direction, count in sorted(drops.items()):
            lines.append(f"impairment {host} {direction}: {count} packets dropped")
    return lines


class _Live:
    """Live progress of client entries on stderr."""

    def __init__(self, console: Console) -> None:
        self.progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[detail]}"),
            console=console,
            transient=True,
        )
        self.tasks: dict[str, Any] = {}

    def update(self, res: AppResults) -> None:
        for label, stats in res.clients.items():
            if label not in self.tasks:
                self.tasks[label] = self.progress.add_task(
                    label, total=stats.planned, detail=""
                )
            elapsed = max(stats.elapsed_ns, 1) / 1e9
            self.progress.update(
                self.tasks[label],
                completed=stats.completed + stats.failed,
                detail=f"{stats.completed / elapsed:8.1f} conn/s failed {stats.failed}",
            )


@click.command("app")
@click.option(
    "--yaml",
    "yaml_file",
    required=True,
    type=click.Path(exists=True, dir_okay=False),
    help="The vtest-style YAML file.",
)
@click.option(
    "--case", default=None, help="The case to run (needed if the file has several)."
)
@json_option()
@click.option(
    "--servers-only",
    is_flag=True,
    help="Start the hosts and servers only (app servers for probes) and keep them up.",
)
@click.option(
    "--duration",
    type=click.FloatRange(min=0.0, min_open=True),
    default=None,
    help="Stop after this many seconds (default: when every client entry is done).",
)
@click.option(
    "--grace",
    type=click.FloatRange(min=0.0),
    default=5.0,
    show_default=True,
    help="Seconds that open connections get to finish at the end.",
)
@click.option("--no-progress", is_flag=True, help="No live progress display.")
def app(
    yaml_file: str,
    case: str | None,
    json_out: JsonTarget | None,
    servers_only: bool,
    duration: float | None,
    grace: float,
    no_progress: bool,
) -> None:
    """Run stateful TCP/TLS app traffic from a vtest-style YAML case.

    Each talk point becomes a host (network namespace) on its bridge; missing
    bridges are created in a private namespace that routes between them.
    Everything is removed at the end, also after Ctrl-C.
    """
    err = Console(stderr=True)
    try:
        name, raw, dbs = read_case_file(yaml_file, case)
    except ConfigError as exc:
        _print_error(err, exc)
        sys.exit(2)
    global _CLI_PID
    _CLI_PID = os.getpid()
    signal.signal(signal.SIGTERM, _terminate)  # clean up on kill <pid> too
    mgr = CloudTrafficManager(grace_s=grace)
    json_only = json_out is not None and json_out.is_stdout
    live = None if (no_progress or json_only or servers_only) else _Live(err)
    interrupted = False
    try:
        _start(mgr, err, name, raw, dbs, servers_only=servers_only)
        if servers_only:
            _announce_servers(mgr)
        if live is not None:
            with live.progress:
                mgr.wait(duration, on_progress=live.update)
        else:
            mgr.wait(duration)
    except KeyboardInterrupt:
        interrupted = True
        err.print("interrupted: stopping and cleaning up")
    finally:
        t0 = time.monotonic()
        res = mgr.stop()
    _report(res, json_out=json_out, console=err, stop_s=time.monotonic() - t0)
    total = res.total
    if interrupted:
        sys.exit(130)
    if res.worker_errors or (
        not servers_only and (total.failed or total.completed != total.planned)
    ):
        sys.exit(1)


def _start(
    mgr: CloudTrafficManager,
    err: Console,
    name: str | None,
    raw: Mapping[str, Any],
    dbs: dict[str, Any],
    *,
    servers_only: bool,
) -> None:
    try:
        mgr.start_traffic(
            name=name,
            server=raw.get("servers"),
            client=None if servers_only else raw.get("clients"),
            flows=raw.get("flows"),
            flow_dbs=dbs,
        )
    except ConfigError as exc:
        _print_error(err, exc)
        sys.exit(2)
    except WirespeedError as exc:  # nothing is left: start_traffic removed it
        _print_error(err, exc)
        sys.exit(1)


_CLI_PID = os.getpid()


def _terminate(signum: int, _frame: object) -> None:
    if os.getpid() != _CLI_PID:
        # A child forked by a library (pyroute2 runs namespace helpers that way)
        # inherited this handler: let it die the way its parent expects.
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)
        return
    raise KeyboardInterrupt


def _announce_servers(mgr: CloudTrafficManager) -> None:
    assert mgr.case is not None
    topo = mgr.results().topology
    for spec in mgr.case.servers:
        host = topo["hosts"][spec.host_key]
        tls = f" TLS {spec.server_name}" if spec.tls else ""
        tls += "" if spec.listen else " (down: not listening)"
        click.echo(
            f"server {spec.name}: {spec.ip}:{spec.port}/{spec.transport.value}{tls} "
            f"flow {spec.program.name} "
            f"(netns {host['netns']}, bridge {host['bridge']})",
            err=True,
        )
    if mgr.ca_path is not None:
        click.echo(f"TLS CA for probes: {mgr.ca_path} (removed at the end)", err=True)
    click.echo("servers are up; Ctrl-C stops them", err=True)


def _report(
    res: AppResults, *, json_out: JsonTarget | None, console: Console, stop_s: float
) -> None:
    if json_out is not None and json_out.is_stdout:
        json_out.write(res.to_dict())
        return
    out = Console()
    if not out.is_terminal:
        out = Console(width=132)
    if res.clients:
        out.print(_client_table(res))
        out.print(_latency_table(res))
    out.print(_server_table(res))
    for line in _errors(res):
        out.print(line)
    console.print(f"cleaned up in {stop_s:.1f} s")
    if json_out is not None:  # after the tables: a failed write still shows them
        json_out.write(res.to_dict())
