"""The tester's ports: from a YAML config, or the embedded default test bed.

Config file shape (``wirespeed server --config FILE``)::

    ports:
      - {interface: a0, netns: wsA}
      - {interface: b0, netns: wsB, speed: 10G, mac: "02:00:00:00:00:02"}
      - {interface: eth2, host_stack: false}  # a spare NIC: frames stop at wirespeed
      - {interface: eth3, cpus: {tx: 2, rx: 3}}  # its workers' CPUs (default: placed)
      - {interface: eth4, ipv4: 198.18.1.2/24, gateway: 198.18.1.1,
         ipv6: "2001:2:0:1::2/64", gateway6: "2001:2:0:1::1", vlan: 10}  # an L3 port
    modules:            # optional: groups of port indices (default: one per 2 ports)
      - [0, 1]

The embedded default (no config): two modules of two ports each, each port a veth end
in a namespace of its own, cross-connected pairwise (0<->1, 2<->3). With
``dut="bridge"`` (or ``True``) the pair 0/1 goes through a DUT namespace holding a
Linux bridge, where impairments (``--impair``) act; with ``dut="switch"`` every port
is on that one bridge (a learning switch with as many ports as the tester, for the
RFC 2889 tests; impairments act on what it sends to port 1); with ``dut="router"``
through a router namespace (:mod:`wirespeed.topology.router`), optionally with
firewall rules (:mod:`wirespeed.topology.firewall`), and every port gets its
addresses. Everything is created by a :class:`~wirespeed.topology.netns.Lab` and
removed on exit (also after a crash, by the next start).

Frames a port receives stop at wirespeed's analyzer (``host_stack: false``, the
default for a port in a namespace, see :mod:`wirespeed.dataplane.ingress`): the
namespace's network stack neither spends the sending CPU on them nor answers them.
Ports in the root namespace pass them on unless told otherwise.

Each port's TX and RX workers are pinned to CPUs by the rule of
:mod:`wirespeed.service.placement` (a cabled pair's sender and receiver on different
cores); ``cpus: {tx: N, rx: M}`` (either key alone too) names them instead.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from wirespeed.dataplane.drivers import PortDriver
from wirespeed.dut.process import DutProcess
from wirespeed.dut.worker import DutOptions
from wirespeed.errors import ConfigError
from wirespeed.l3 import L3Identity
from wirespeed.topology.firewall import apply_rules, check_rules, firewall_counters
from wirespeed.topology.impair import (
    Impairment,
    apply_impairment,
    has_netem,
    impairment_counters,
)
from wirespeed.topology.netns import Lab
from wirespeed.topology.portspec import DEFAULT_SPEED_BPS, PortSpec
from wirespeed.topology.router import Router, back_to_back_identities, build_router

__all__ = [
    "DEFAULT_SPEED_BPS",
    "DutKind",
    "EmbeddedTestbed",
    "PortSpec",
    "TesterConfig",
    "load_config",
    "parse_speed",
]

_SPEED_RE = re.compile(r"^\s*([0-9]*\.?[0-9]+)\s*([kKmMgGtT]?)(?:bps|b/s)?\s*$")
_IFNAME = re.compile(r"[A-Za-z0-9._-]{1,15}")
_MULT = {"": 1, "k": 10**3, "m": 10**6, "g": 10**9, "t": 10**12}


def parse_speed(value: str | int | float, field: str = "speed") -> int:
    """``"10G"``, ``"100M"``, ``"1gbps"`` or a number of bit/s -> bit/s."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        bps = int(value)
    else:
        m = _SPEED_RE.match(str(value))
        if not m:
            raise ConfigError(
                f"expected a speed like 10G or 100M, got {value!r}", field=field
            )
        bps = int(float(m.group(1)) * _MULT[m.group(2).lower()])
    if bps <= 0:
        raise ConfigError("speed must be positive", field=field)
    return bps


class DutKind(enum.Enum):
    """What sits between ports 0 and 1 of the embedded test bed."""

    BRIDGE = "bridge"
    SWITCH = "switch"
    ROUTER = "router"

    @classmethod
    def parse(cls, value: DutKind | str | bool | None) -> DutKind | None:
        """``"bridge"``/``True`` -> BRIDGE, ``"router"`` -> ROUTER, falsy -> None.

        Raises:
            ConfigError: ``field="dut"``, for any other value.
        """
        if isinstance(value, cls) or value is None:
            return value
        if isinstance(value, bool):
            return cls.BRIDGE if value else None
        try:
            return cls(str(value).strip().lower())
        except ValueError:
            kinds = ", ".join(k.value for k in cls)
            raise ConfigError(
                f"expected one of {kinds}, got {value!r}", field="dut"
            ) from None


@dataclass(frozen=True)
class TesterConfig:
    """The ports and modules a server serves."""

    ports: tuple[PortSpec, ...]
    modules: tuple[tuple[int, ...], ...]
    name: str = "wirespeed"

    def with_driver(self, driver: str) -> TesterConfig:
        """The same ports, every one on ``driver``.

        Raises:
            ConfigError: not ``afpacket``, ``afxdp`` or ``auto`` (``field="driver"``).
        """
        value = PortDriver.parse(driver).value
        ports = tuple(replace(p, driver=value) for p in self.ports)
        return replace(self, ports=ports)

    @classmethod
    def default_modules(
        cls, ports: tuple[PortSpec, ...]
    ) -> tuple[tuple[int, ...], ...]:
        """Modules of two ports each, in port order."""
        idx = list(range(len(ports)))
        return tuple(tuple(idx[i : i + 2]) for i in range(0, len(idx), 2))


class _CpusModel(BaseModel):
    model_config = ConfigDict(extra="forbid")
    tx: int | None = Field(default=None, ge=0, strict=True)
    rx: int | None = Field(default=None, ge=0, strict=True)


class _PortModel(BaseModel):
    model_config = ConfigDict(extra="forbid")
    interface: str = Field(min_length=1, max_length=15)
    netns: str | None = None
    speed: str | int = DEFAULT_SPEED_BPS
    mac: str | None = None
    peer: int | None = None
    host_stack: bool | None = None
    cpus: _CpusModel | None = None
    ipv4: str | None = None
    gateway: str | None = None
    ipv6: str | None = None
    gateway6: str | None = None
    vlan: int | None = None
    driver: Literal["auto", "afxdp", "afpacket"] = "afpacket"

    @field_validator("mac")
    @classmethod
    def _mac(cls, v: str | None) -> str | None:
        if v is not None and not re.fullmatch(r"([0-9a-fA-F]{2}:){5}[0-9a-fA-F]{2}", v):
            raise ValueError(f"not a MAC address: {v!r}")
        return v


class _ConfigModel(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = "wirespeed"
    ports: list[_PortModel] = Field(min_length=1)
    modules: list[list[int]] | None = None


def _pydantic_field(err: ValidationError) -> tuple[str, str]:
    first = err.errors()[0]
    return ".".join(str(x) for x in first["loc"]), str(first["msg"])


def load_config(path: str | Path) -> TesterConfig:
    """Read a server config file (YAML). Errors name the offending field."""
    try:
        raw: Any = yaml.safe_load(Path(path).read_text())
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc}", field="config") from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"not valid YAML: {exc}", field="config") from exc
    return config_from_dict(raw)


def config_from_dict(raw: Any) -> TesterConfig:
    """Validate a config given as plain data (the parsed YAML)."""
    try:
        model = _ConfigModel.model_validate(raw)
    except ValidationError as exc:
        fld, msg = _pydantic_field(exc)
        raise ConfigError(msg, field=fld) from exc
    ports = tuple(
        PortSpec(
            p.interface,
            p.netns,
            parse_speed(p.speed, f"ports.{i}.speed"),
            p.mac,
            p.peer,
            p.host_stack,
            tx_cpu=None if p.cpus is None else p.cpus.tx,
            rx_cpu=None if p.cpus is None else p.cpus.rx,
            l3=L3Identity.parse(
                ipv4=p.ipv4,
                gateway=p.gateway,
                ipv6=p.ipv6,
                gateway6=p.gateway6,
                vlan=p.vlan,
                where=f"ports.{i}.",
            ),
            driver=p.driver,
        )
        for i, p in enumerate(model.ports)
    )
    if model.modules is None:
        modules = TesterConfig.default_modules(ports)
    else:
        modules = tuple(tuple(m) for m in model.modules)
        seen = [i for m in modules for i in m]
        for i in seen:
            if not 0 <= i < len(ports):
                raise ConfigError(f"port index {i} does not exist", field="modules")
        if sorted(seen) != list(range(len(ports))):
            raise ConfigError(
                "every port must be in exactly one module", field="modules"
            )
    return TesterConfig(ports, modules, model.name)


@dataclass
class EmbeddedTestbed:
    """The default test bed wirespeed builds itself (root needed).

    Args:
        modules: number of two-port modules (ports ``2m`` and ``2m+1`` are cabled).
        speed_bps: nominal speed of every port (the basis for "% of line").
        dut: what goes between ports 0 and 1 (a :class:`DutKind` or its name):
            ``"bridge"`` (or ``True``) a DUT namespace with a bridge, ``"switch"``
            one bridge between all ports, ``"router"``
            a router namespace (:mod:`wirespeed.topology.router`; every port then
            gets its addresses), ``False``/``None`` nothing (a veth pair).
        impairment: what the bridge DUT does to frames from port 0 to port 1
            (the switch: loss and duplication of frames from port 0, the rate
            of everything it sends to port 1).
            With ``tc netem`` in the kernel the DUT is a bridge with netem on it;
            without, loss and duplication are nftables rules on the bridge, and
            delay, jitter, reordering or corruption make wirespeed's own impairer
            (:mod:`wirespeed.dut`) forward the frames instead of a bridge.
        impair_seed: seed of that impairer's random draws (None: fresh).
        firewall: nftables rules in the router's forward path, each counted
            (:mod:`wirespeed.topology.firewall`; needs ``dut="router"``).
        mtu: MTU of every link (9216 for jumbo frames).
        ifnames: the ports' interface names (default ``p0``, ``p1``, ...), e.g.
            ``("veth-a", "veth-z")`` for tests written against such names (each
            port has a namespace of its own, so any valid name fits).
        driver: every port's driver (``afpacket``, ``afxdp`` or ``auto``).

    Raises (from :meth:`start`):
        ConfigError: an unknown ``dut``, impairments without the bridge, firewall
            rules without the router, or a rule nft rejects.
    """

    modules: int = 2
    speed_bps: int = DEFAULT_SPEED_BPS
    dut: DutKind | str | bool | None = False
    impairment: Impairment | None = None
    impair_seed: int | None = None
    firewall: tuple[str, ...] = ()
    mtu: int = 1500
    ifnames: tuple[str, ...] = ()
    driver: str = "afpacket"
    lab: Lab = field(default_factory=lambda: Lab("ws"))
    config: TesterConfig | None = None
    dut_netns: str | None = None
    impair_mechanism: str = "none"
    dut_process: DutProcess | None = None
    router: Router | None = None
    """The router DUT's facts (namespace, MACs, addresses), once built."""

    @property
    def dut_kind(self) -> DutKind | None:
        """The DUT between ports 0 and 1 (``None``: none)."""
        return DutKind.parse(self.dut)

    def __enter__(self) -> TesterConfig:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def start(self) -> TesterConfig:
        """Create the namespaces and links; return the tester config that uses them."""
        kind = self.dut_kind
        if (
            self.impairment is not None
            and not self.impairment.is_empty
            and kind not in (DutKind.BRIDGE, DutKind.SWITCH)
        ):
            raise ConfigError(
                "impairments need a bridge DUT (dut=bridge or switch)"
                + ("; the router forwards unimpaired" if kind else ""),
                field="impair",
            )
        if self.firewall and kind is not DutKind.ROUTER:
            raise ConfigError("firewall rules need dut=router", field="firewall")
        self._check_ifnames()
        self.driver = PortDriver.parse(self.driver).value
        self.firewall = check_rules(self.firewall)
        self.lab.open()
        try:
            return self._build(kind)
        except BaseException:
            self.lab.close()
            raise

    def ifname(self, port: int) -> str:
        """The interface name of ``port``."""
        return self.ifnames[port] if self.ifnames else f"p{port}"

    def _check_ifnames(self) -> None:
        names = self.ifnames
        if not names:
            return
        if len(names) != self.modules * 2:
            raise ConfigError(
                f"{len(names)} names for {self.modules * 2} ports", field="ifnames"
            )
        for i, name in enumerate(names):
            if not _IFNAME.fullmatch(name):
                raise ConfigError(
                    f"{name!r} is not an interface name (1-15 of a-z A-Z 0-9 . _ -)",
                    field=f"ifnames.{i}",
                )
        if len(set(names)) != len(names):
            raise ConfigError("names must differ", field="ifnames")

    def _build(self, kind: DutKind | None) -> TesterConfig:
        ports: list[PortSpec] = []
        n = self.modules * 2
        names = [self.lab.add_netns(f"p{i}") for i in range(n)]
        macs = [f"02:77:73:00:00:{i + 1:02x}" for i in range(n)]
        idents = [L3Identity()] * n
        if kind is DutKind.SWITCH:
            self._build_switch(names, macs)
        for m in range(0 if kind is DutKind.SWITCH else self.modules):
            a, b = 2 * m, 2 * m + 1
            if m == 0 and kind is DutKind.ROUTER:
                self._build_router((names[a], names[b]), (macs[a], macs[b]))
                assert self.router is not None
                idents[a] = self.router.side(a).port_identity()
                idents[b] = self.router.side(b).port_identity()
                continue
            if kind is DutKind.ROUTER:
                idents[a], idents[b] = back_to_back_identities(m)
            if m == 0 and kind is DutKind.BRIDGE:
                self._build_dut(names[a], names[b], macs[a], macs[b])
            else:
                self.lab.add_veth(
                    self.ifname(a),
                    names[a],
                    self.ifname(b),
                    names[b],
                    mac=macs[a],
                    peer_mac=macs[b],
                    mtu=self.mtu,
                )
        for i in range(n):
            ports.append(
                PortSpec(
                    self.ifname(i),
                    names[i],
                    self.speed_bps,
                    macs[i],
                    i ^ 1,
                    l3=idents[i],
                    driver=self.driver,
                )
            )
        self.config = TesterConfig(
            tuple(ports), TesterConfig.default_modules(tuple(ports))
        )
        return self.config

    def _build_router(self, netns: tuple[str, str], macs: tuple[str, str]) -> None:
        """Port 0 -- d0 [router, firewall] d1 -- port 1."""
        self.router = build_router(
            self.lab,
            netns,
            macs,
            mtu=self.mtu,
            port_ifnames=(self.ifname(0), self.ifname(1)),
        )
        self.dut_netns = self.router.netns
        self.impair_mechanism = "router"
        if self.firewall:
            apply_rules(self.router.netns, self.firewall)

    def _build_dut(self, ns_a: str, ns_b: str, mac_a: str, mac_b: str) -> None:
        """Port 0 -- d0 [DUT] d1 -- port 1: a bridge, or wirespeed's impairer."""
        imp = self.impairment
        soft = imp is not None and imp.needs_netem and not has_netem()
        if soft and imp is not None and imp.rate_bps:
            raise ConfigError(
                "rate cannot be combined with delay, jitter, reordering or corruption "
                "on a kernel without netem (wirespeed's own impairer forwards those)",
                field="impair.rate",
            )
        dut = self.lab.add_netns("dut")
        self.dut_netns = dut
        if not soft:
            self.lab.add_bridge("br0", netns=dut)
        self.lab.add_veth(self.ifname(0), ns_a, "d0", dut, mac=mac_a, mtu=self.mtu)
        self.lab.add_veth(self.ifname(1), ns_b, "d1", dut, mac=mac_b, mtu=self.mtu)
        if soft:
            assert imp is not None
            self.dut_process = DutProcess(
                DutOptions(dut, "d0", "d1", imp, self.impair_seed, snap=self.mtu + 64)
            )
            self.impair_mechanism = "wirespeed"
            return
        self.lab.set_master("d0", "br0", netns=dut)
        self.lab.set_master("d1", "br0", netns=dut)
        if imp is not None:
            self.impair_mechanism = apply_impairment(imp, dut, "d0", "d1", "br0")

    def _build_switch(self, names: list[str], macs: list[str]) -> None:
        """Port i -- d<i> [one bridge] for every port."""
        imp = self.impairment
        if imp is not None and imp.needs_netem and not has_netem():
            raise ConfigError(
                "delay, jitter, reordering and corruption need netem, which this "
                "kernel lacks; only the bridge DUT (wirespeed's own impairer) does "
                "them without it",
                field="impair",
            )
        dut = self.lab.add_netns("dut")
        self.dut_netns = dut
        self.lab.add_bridge("br0", netns=dut)
        for i, (ns, mac) in enumerate(zip(names, macs, strict=True)):
            self.lab.add_veth(self.ifname(i), ns, f"d{i}", dut, mac=mac, mtu=self.mtu)
            self.lab.set_master(f"d{i}", "br0", netns=dut)
        if imp is not None:
            self.impair_mechanism = apply_impairment(imp, dut, "d0", "d1", "br0")

    def dut_counters(self) -> dict[str, int]:
        """The DUT's own counts of what it did to frames (the ground truth).

        For the router: the packets each firewall rule counted, by rule.
        """
        if self.dut_process is not None:
            return self.dut_process.counters()
        if self.router is not None:
            return firewall_counters(self.router.netns, self.firewall)
        if self.dut_netns is None:
            return {}
        return impairment_counters(self.dut_netns, "d1")

    def close(self) -> None:
        """Remove everything the test bed created."""
        if self.dut_process is not None:
            self.dut_process.close()
        try:
            self.lab.close()
        finally:
            if self.dut_process is not None:
                self.dut_process.free()
