"""Three "hosts" on one machine, each a network namespace running its own
``wirespeed server``, for the tests that drive several daemons.

Control network: a bridge in a namespace of its own, with a veth to each host
namespace (``eth0``, 198.19.N.1-3) and one to the root namespace (198.19.N.254),
so the root namespace reaches every daemon over real TCP and the hosts reach each
other (N is chosen per bed, a /24 no route of the root namespace covers yet).

Test ports: each in a namespace of its own, cabled across hosts by veth pairs::

    hostA/0 <-> hostB/0     hostB/1 <-> hostC/0     hostC/1 <-> hostA/1

Each host has a ports file (:func:`wirespeed.topology.testbed.load_config`'s
format: interface, netns, speed, MAC; the chassis named after the host) naming
exactly its two ports (hostA's: ``a0`` and ``a1``, MACs ``02:77:6d:00:01:0P``),
and its daemon serves them: ``wirespeed server --config FILE --bind ADDRESS``
started in the host's namespace, where the default ports (HTTP 8080, TRex
4501/4500, XOA 22606, ...) are free whatever else runs on the machine.
Everything (daemons, namespaces, the root namespace's veth) is removed when the
block ends, also when it raises, and by the next lab after a crash.
"""

from __future__ import annotations

import contextlib
import ipaddress
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from pyroute2 import IPRoute

from wirespeed.topology.netns import Lab
from wirespeed.topology.testbed import PortSpec, load_config

REPO = Path(__file__).resolve().parents[2]
ENV = dict(os.environ, PYTHONPATH=str(REPO / "src"))
HOSTS = ("hostA", "hostB", "hostC")
#: (host, port) <-> (host, port)
CABLES = ((("hostA", 0), ("hostB", 0)), (("hostB", 1), ("hostC", 0)),
          (("hostC", 1), ("hostA", 1)))  # fmt: skip
HTTP_PORT = 8080
TOKEN = "multihost"
BANNER = "front ends: "
START_TIMEOUT_S = 90.0


@dataclass
class BedHost:
    """One host: its namespace, control address, ports and daemon."""

    name: str
    netns: str
    address: str
    ports: tuple[PortSpec, ...]
    config: Path
    log: Path
    proc: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def http_url(self) -> str:
        """The daemon's dashboard and JSON API (``/api``)."""
        return f"http://{self.address}:{HTTP_PORT}/"

    @property
    def pid(self) -> int:
        """The daemon's process id."""
        assert self.proc is not None
        return self.proc.pid

    def is_running(self) -> bool:
        """The daemon has not exited."""
        return self.proc is not None and self.proc.poll() is None

    def log_text(self) -> str:
        """What the daemon printed (stdout and stderr)."""
        return self.log.read_text(errors="replace")


@dataclass
class HostsBed:
    """The hosts by name, and the cabling between their ports."""

    hosts: dict[str, BedHost]
    subnet: str
    root_address: str
    token: str = TOKEN

    @property
    def cables(self) -> dict[tuple[str, int], tuple[str, int]]:
        """Each test port and the port at the other end of its cable."""
        out: dict[tuple[str, int], tuple[str, int]] = {}
        for a, b in CABLES:
            out[a], out[b] = b, a
        return out

    def kill(self, name: str, sig: int = signal.SIGKILL) -> int:
        """Signal host ``name``'s daemon and its workers (default SIGKILL: the host
        goes away) and wait for it; returns its exit status."""
        host = self.hosts[name]
        assert host.proc is not None
        with contextlib.suppress(ProcessLookupError):
            os.killpg(host.proc.pid, sig)
        return host.proc.wait(timeout=30)


def _free_subnet() -> ipaddress.IPv4Network:
    """A 198.19.N.0/24 (N in 128-255) that no root-namespace route covers."""
    with IPRoute() as ipr:
        taken = [
            ipaddress.ip_network(f"{r.get_attr('RTA_DST')}/{r['dst_len']}")
            for r in ipr.get_routes(family=2)
            if r.get_attr("RTA_DST")
        ]
    choices = list(range(128, 256))
    random.shuffle(choices)
    for n in choices:
        net = ipaddress.ip_network(f"198.19.{n}.0/24")
        if not any(net.overlaps(t) for t in taken):
            return net
    raise RuntimeError("no free 198.19.N.0/24 in the root namespace")


def _ports_file(path: Path, name: str, port_ns: list[str]) -> None:
    ports = [
        {
            "interface": _ifname(name, p),
            "netns": ns,
            "speed": "1G",
            "mac": _mac(name, p),
        }
        for p, ns in enumerate(port_ns)
    ]
    path.write_text(yaml.safe_dump({"name": name, "ports": ports}, sort_keys=False))


def _build(lab: Lab, workdir: Path) -> HostsBed:
    net = _free_subnet()
    addr = list(net.hosts())
    ctl = lab.add_netns("ctl")
    lab.add_bridge("br0", netns=ctl)
    root_if = f"{lab.lab_id}c"  # unique in the root namespace: the lab id is random
    lab.add_veth(root_if, None, "up", ctl)
    lab.sysctl(None, f"net.ipv6.conf.{root_if}.disable_ipv6", "1")
    lab.set_master("up", "br0", netns=ctl)
    root_address = str(addr[253])
    lab.add_address(root_if, f"{root_address}/24")
    hosts: dict[str, BedHost] = {}
    port_ns: dict[tuple[str, int], str] = {}
    for h, name in enumerate(HOSTS):
        ns = lab.add_netns(f"h{name[-1]}")
        lab.add_veth("eth0", ns, f"h{name[-1]}", ctl)
        lab.set_master(f"h{name[-1]}", "br0", netns=ctl)
        lab.add_address("eth0", f"{addr[h]}/24", netns=ns)
        for p in (0, 1):
            port_ns[name, p] = lab.add_netns(_ifname(name, p))
        config = workdir / f"{name}.ports.yaml"
        _ports_file(config, name, [port_ns[name, 0], port_ns[name, 1]])
        hosts[name] = BedHost(
            name, ns, str(addr[h]), load_config(config).ports, config,
            workdir / f"{name}.log",
        )  # fmt: skip
    for (ha, pa), (hb, pb) in CABLES:
        a, b = hosts[ha].ports[pa], hosts[hb].ports[pb]
        lab.add_veth(
            a.interface, port_ns[ha, pa], b.interface, port_ns[hb, pb],
            mac=a.mac, peer_mac=b.mac,
        )  # fmt: skip
    return HostsBed(hosts, str(net), root_address)


def _mac(host: str, port: int) -> str:
    return f"02:77:6d:00:{HOSTS.index(host) + 1:02x}:{port:02x}"


def _ifname(host: str, port: int) -> str:
    """``a0`` for hostA's port 0 (also its namespace's short name)."""
    return f"{host[-1].lower()}{port}"


def _start(host: BedHost, extra_args: tuple[str, ...]) -> None:
    argv = [
        "nsenter", f"--net=/run/netns/{host.netns}", "--",
        sys.executable, "-m", "wirespeed.cli", "server",
        "--config", str(host.config), "--bind", host.address,
        "--http-port", str(HTTP_PORT), "--http-token", TOKEN, *extra_args,
    ]  # fmt: skip
    with host.log.open("wb") as log:
        host.proc = subprocess.Popen(
            argv, stdout=log, stderr=subprocess.STDOUT, env=ENV, start_new_session=True
        )


def _wait_banner(host: BedHost, deadline: float) -> None:
    while time.monotonic() < deadline:
        if any(ln.startswith(BANNER) for ln in host.log_text().splitlines()):
            return
        if not host.is_running():
            raise RuntimeError(
                f"{host.name}'s daemon exited: {host.log_text()[-3000:]}"
            )
        time.sleep(0.05)
    raise RuntimeError(f"{host.name}'s daemon did not start: {host.log_text()[-3000:]}")


def _stop(host: BedHost) -> None:
    if host.proc is None or not host.is_running():
        return
    host.proc.send_signal(signal.SIGTERM)
    try:
        host.proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(host.proc.pid, signal.SIGKILL)
        host.proc.wait()


@contextlib.contextmanager
def hosts_bed(workdir: Path, *extra_args: str) -> Iterator[HostsBed]:
    """Build the three hosts, start a daemon in each (``extra_args`` added to each
    ``wirespeed server``, e.g. ``"--no-frontend", "otg"``), wait for their banners
    and yield them; stop the daemons and remove everything at the end."""
    lab = Lab("mh")
    lab.open()
    bed = None
    try:
        bed = _build(lab, workdir)
        for host in bed.hosts.values():
            _start(host, extra_args)
        deadline = time.monotonic() + START_TIMEOUT_S
        for host in bed.hosts.values():
            _wait_banner(host, deadline)
        yield bed
    finally:
        try:
            for host in bed.hosts.values() if bed is not None else ():
                _stop(host)
        finally:
            lab.close()
