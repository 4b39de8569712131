"""``wirespeed server``: the daemon with its front ends."""

from __future__ import annotations

import logging
from pathlib import Path

import click

from wirespeed.topology.impair import parse_impairment
from wirespeed.topology.testbed import DutKind, parse_speed


@click.command("server")
@click.option(
    "--config",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="YAML file naming the ports (default: embedded test bed).",
)
@click.option(
    "--mtu",
    default=1500,
    show_default=True,
    help="Embedded test bed: MTU of the links (9216 for jumbo frames).",
)
@click.option(
    "--ifnames",
    default=None,
    help="Embedded test bed: the ports' interface names, comma-separated "
    "(e.g. veth-a,veth-z; default p0,p1,...).",
)
@click.option(
    "--driver",
    type=click.Choice(["auto", "afxdp", "afpacket"]),
    default=None,
    help="Every port's driver: packet sockets (afpacket, the default unless the "
    "config says otherwise), AF_XDP (afxdp), or AF_XDP where it works (auto).",
)
@click.option(
    "--bind",
    default="127.0.0.1",
    show_default=True,
    help="Address the front ends listen on.",
)
@click.option(
    "--modules",
    default=2,
    show_default=True,
    help="Embedded test bed: number of two-port modules.",
)
@click.option(
    "--speed",
    default="1G",
    show_default=True,
    help="Embedded test bed: nominal port speed.",
)
@click.option(
    "--dut",
    is_flag=False,
    flag_value="bridge",
    default=None,
    type=click.Choice([k.value for k in DutKind]),
    help=(
        "Embedded test bed: a DUT between ports 0 and 1, a bridge (--dut alone) "
        "or a router (--dut router; every port then gets its addresses), or one "
        "bridge between every port (--dut switch)."
    ),
)
@click.option(
    "--impair",
    default=None,
    help=(
        'Bridge DUT impairments, e.g. "delay=5ms,jitter=1ms,loss=1%,duplicate=0.5%,'
        'reorder=10%,corrupt=0.1%,rate=50mbit" (implies --dut; rate: the '
        "kernel's token-bucket shaper, a known throughput)."
    ),
)
@click.option(
    "--firewall",
    "firewall",
    multiple=True,
    metavar="RULE",
    help='Router DUT: an nftables rule in its forward path, e.g. "udp dport 9 '
    'drop" (repeatable; each rule is counted).',
)
@click.option(
    "--no-frontend",
    "disabled",
    multiple=True,
    type=click.Choice(["http", "otg", "trex", "xoa", "xena-cli", "native"]),
    help="Do not start this front end.",
)
@click.option(
    "--http-port",
    default=8080,
    show_default=True,
    help="Dashboard, JSON API and Prometheus /metrics (0: any free port).",
)
@click.option(
    "--otg-port",
    default=8443,
    show_default=True,
    help="Open Traffic Generator API over HTTPS (snappi's default; 0: any free port).",
)
@click.option(
    "--otg-http-port",
    default=None,
    type=int,
    help="Also serve the OTG API over plain HTTP on this port.",
)
@click.option(
    "--otg-cert",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="The OTG server's certificate (PEM; default: a self-signed one made at "
    "start). With --otg-key.",
)
@click.option(
    "--otg-key",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="The key of --otg-cert (PEM).",
)
@click.option(
    "--http-token",
    default=None,
    envvar="WIRESPEED_HTTP_TOKEN",
    help="The token control actions need (default: a new one, printed at start).",
)
@click.option(
    "--trex-port",
    default=4501,
    show_default=True,
    help="TRex JSON-RPC (ZeroMQ REP) port; the PUB port is --trex-pub-port.",
)
@click.option(
    "--trex-pub-port",
    default=4500,
    show_default=True,
    help="TRex async events (ZeroMQ PUB) port.",
)
@click.option("--xoa-port", default=22606, show_default=True, help="Xena XOA port.")
@click.option(
    "--cli-port", default=22611, show_default=True, help="Xena text CLI port."
)
@click.option(
    "--native-port",
    default=4510,
    show_default=True,
    help="wirespeed's native RPC (ZeroMQ), for Chassis.connect (0: any free port).",
)
@click.option(
    "--xena-slots",
    default=None,
    help="Xena slot of each module, e.g. 4,8 (the seed script's modules).",
)
@click.option("-v", "--verbose", is_flag=True, help="Log more.")
def server(
    config: Path | None,
    bind: str,
    modules: int,
    speed: str,
    dut: str | None,
    impair: str | None,
    firewall: tuple[str, ...],
    disabled: tuple[str, ...],
    mtu: int,
    ifnames: str | None,
    driver: str | None,
    trex_port: int,
    trex_pub_port: int,
    xoa_port: int,
    cli_port: int,
    native_port: int,
    http_port: int,
    otg_port: int,
    otg_http_port: int | None,
    otg_cert: Path | None,
    otg_key: Path | None,
    http_token: str | None,
    xena_slots: str | None,
    verbose: bool,
) -> None:
    """Start the tester daemon (dashboard 8080, OTG 8443, TRex RPC 4501/4500, XOA
    22606, text CLI 22611, native RPC 4510)."""
    from wirespeed.rfc2544_suite import DaemonSuites

    if (otg_cert is None) != (otg_key is None):
        raise click.BadParameter(
            "give both or neither", param_hint="--otg-cert/--otg-key"
        )
    from wirespeed.server.daemon import FRONT_ENDS, Daemon, DaemonOptions

    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(name)s %(levelname)s %(message)s",
    )
    imp = parse_impairment(impair) if impair else None
    xena_profile = None
    if xena_slots:
        from wirespeed.server.xena import ChassisProfile

        try:
            slots = tuple(int(x) for x in xena_slots.split(","))
        except ValueError as exc:
            raise click.BadParameter(
                "comma-separated slot numbers, e.g. 4,8", param_hint="--xena-slots"
            ) from exc
        xena_profile = ChassisProfile(module_slots=slots)
    ports: dict[str, dict[str, object]] = {
        "http": {"port": http_port, "token": http_token},
        "otg": {
            "port": otg_port,
            "http_port": otg_http_port,
            "cert": otg_cert,
            "key": otg_key,
        },
        "trex": {"rpc_port": trex_port, "pub_port": trex_pub_port},
        "xoa": {"port": xoa_port},
        "xena-cli": {"port": cli_port},
        "native": {"port": native_port},
    }
    opts = DaemonOptions(
        config=config,
        bind=bind,
        modules=modules,
        speed_bps=parse_speed(speed, "--speed"),
        dut=dut or ("bridge" if imp is not None else None),
        impairment=imp,
        firewall=firewall,
        mtu=mtu,
        ifnames=tuple(ifnames.split(",")) if ifnames else (),
        driver=driver,
        front_ends=tuple(n for n in FRONT_ENDS if n not in disabled),
        ports=ports,
        xena_profile=xena_profile,
        suites=DaemonSuites,
    )
    daemon = Daemon(opts)
    tester = daemon.start()
    for p in tester.ports:
        l3 = p.spec.l3
        click.echo(
            f"port {p.index}: {p.name} mac {p.mac} speed {p.speed_bps / 1e9:g}G "
            f"(module {p.module} port {p.index_in_module})"
            + (f" {l3.describe()}" if l3.is_l3 else "")
            + _driver_text(*tester.port_driver(p.index))
        )
    router = daemon.testbed.router if daemon.testbed is not None else None
    if router is not None:
        for side in router.sides:
            click.echo(
                f"router {side.ifname} (to port {side.port}): mac {side.mac} "
                f"{side.ipv4} {side.ipv6}"
            )
    http = daemon.front_ends.get("http")
    if http is not None:
        click.echo(f"dashboard: {http.url} (control token: {http.token})")  # type: ignore[attr-defined]
    otg = daemon.front_ends.get("otg")
    if otg is not None:
        where = " ".join(u for u in (otg.url, otg.http_url) if u)  # type: ignore[attr-defined]
        click.echo(f"OTG API: {where}")
    native = daemon.front_ends.get("native")
    if native is not None:
        click.echo(f"native RPC: {native.url} (Chassis.connect)")  # type: ignore[attr-defined]
    banner = (
        f"front ends: {', '.join(daemon.front_ends) or 'none'} on {bind}; "
        "Ctrl-C to stop"
    )
    try:  # the banner once SIGTERM stops the daemon cleanly
        daemon.run_forever(ready=lambda: click.echo(banner, err=False))
    finally:
        daemon.close()


def _driver_text(driver: str, note: str) -> str:
    """`` driver afxdp (AF_XDP, copy mode)`` for a port's line."""
    return f" driver {driver}" + (f" ({note})" if note else "")
