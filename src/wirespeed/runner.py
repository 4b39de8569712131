"""Running a profile: build the ports, add the streams, send while sampling the
tester once a second, collect the results."""

from __future__ import annotations

import contextlib
import dataclasses
import time
from pathlib import Path
from typing import Any

from wirespeed.errors import ConfigError
from wirespeed.fleet import HostLost
from wirespeed.l3 import L3Identity
from wirespeed.model import MacDstMode, Stream
from wirespeed.monitor import History
from wirespeed.profiles import Profile, TestbedModel
from wirespeed.service import Tester
from wirespeed.topology.impair import parse_impairment
from wirespeed.topology.testbed import (
    EmbeddedTestbed,
    TesterConfig,
    load_config,
    parse_speed,
)
from wirespeed.tpld import TpldMode

__all__ = ["open_testbed", "run_profile"]

_WAIT_SLACK_S = 5.0  # how long past the duration a run may take to end


def open_testbed(
    testbed: TestbedModel, config_file: str | None, base: Path | None
) -> tuple[TesterConfig, EmbeddedTestbed | None]:
    """The ports of a profile (or of another file naming a test bed): a ports
    file, or the embedded test bed built now (close it when done)."""
    if config_file is not None:
        path = config_file if base is None else str(base / config_file)
        return load_config(path), None
    imp = parse_impairment(testbed.impair) if testbed.impair else None
    bed = EmbeddedTestbed(
        modules=testbed.modules,
        speed_bps=parse_speed(testbed.speed, "testbed.speed"),
        dut=testbed.dut or ("bridge" if imp is not None else None),
        impairment=imp,
        firewall=tuple(testbed.firewall),
    )
    return bed.start(), bed


def run_profile(profile: Profile, *, live: bool = False) -> dict[str, Any]:
    """Run ``profile`` and return its results (plain data, JSON-ready): ``ports``,
    ``streams``, ``dut`` (with a DUT), ``captures``, and ``samples``: a
    :mod:`wirespeed.monitor` sample a second from the start (every count 0) to
    after the cool-down (the final counts)."""
    m = profile.model
    if m.hosts:
        return run_on_hosts(profile, live=live)
    config, bed = open_testbed(m.testbed, m.config, profile.base)
    try:
        with Tester(config) as tester:
            return _run(profile, tester, bed, live)
    finally:
        if bed is not None:
            bed.close()


_FLEET_OWNER = "wirespeed-run"


def run_on_hosts(profile: Profile, *, live: bool = False) -> dict[str, Any]:
    """Run a profile whose ports are on several daemons (``hosts``): one start
    agreed across them, each stream's TX and RX joined. A host lost during the
    run is named in ``lost_hosts``; the others' counts are kept."""
    from wirespeed.fleet import open_fleet

    m = profile.model
    with open_fleet(m.hosts, owner=_FLEET_OWNER) as fleet:
        refs = [(st.port, "port") for st in m.streams]
        refs += [(st.rx_port, "rx_port") for st in m.streams if st.rx_port is not None]
        refs += [(c.port, "port") for c in m.capture]
        used = [_port_index(fleet, ref, what) for ref, what in refs]  # type: ignore[arg-type]
        with fleet.hold(used, _FLEET_OWNER):
            return _run(profile, fleet, None, live)


def _port_index(tester: Tester, ref: int | str, field: str) -> int:
    """A profile's port reference as the tester's index (ConfigError naming
    ``field``)."""
    if isinstance(ref, str):
        index = getattr(tester, "index", None)
        if index is None:
            raise ConfigError(f"{ref}: host/port needs hosts", field=field)
        try:
            return int(index(ref))
        except ConfigError as exc:
            raise ConfigError(exc.reason, field=field) from exc
    n = len(tester.ports)
    if not 0 <= ref < n:
        raise ConfigError(f"no port {ref} (ports 0..{n - 1})", field=field)
    return ref


def _run(
    profile: Profile, tester: Any, bed: EmbeddedTestbed | None, live: bool
) -> dict[str, Any]:
    """Run on ``tester``: a :class:`Tester`, or a fleet of several hosts' (the
    same calls)."""
    m = profile.model
    n = len(tester.ports)
    for idx, pm in m.ports.items():
        if not 0 <= idx < n:
            raise ConfigError(f"no port {idx} (ports 0..{n - 1})", field=f"ports.{idx}")
        if pm.speed is not None:
            tester.set_speed(idx, parse_speed(pm.speed, f"ports.{idx}.speed"))
        if pm.payload_checksum:
            tester.set_payload_checksum(idx, pm.payload_checksum)
        if pm.tpld_mode == "micro":
            tester.set_tpld_mode(idx, TpldMode.MICRO)
        if pm.has_l3:
            tester.services.set_l3(
                idx,
                L3Identity.parse(
                    ipv4=pm.ipv4,
                    gateway=pm.gateway,
                    ipv6=pm.ipv6,
                    gateway6=pm.gateway6,
                    vlan=pm.vlan,
                    where=f"ports.{idx}.",
                ),
            )
    used: dict[int, list[tuple[int, int | None]]] = {}
    streams = [
        (
            _port_index(tester, port, f"streams.{i}.port"),
            None if rx is None else _port_index(tester, rx, f"streams.{i}.rx_port"),
            stream,
        )
        for i, (port, rx, stream) in enumerate(profile.streams)
    ]
    for i, (port, rx_port, stream) in enumerate(streams):
        sid = len(used.setdefault(port, []))
        tester.add_stream(port, sid, stream)
        used[port].append((i, rx_port))
    ports = sorted(used)
    _resolve(tester, streams, ports)
    captures = _start_captures(profile, tester)
    # on several hosts, the ports this run holds; on one tester, every port
    held = {p for p, rx, _s in streams} | {
        rx for _p, rx, _s in streams if rx is not None
    }
    for p in sorted(held) if hasattr(tester, "index") else range(n):
        tester.clear_stats(p)
    # a sample a second from the start (time 0, all counts 0) to the end
    history = History(
        tester, period_s=1.0, keep_s=m.duration + _WAIT_SLACK_S + m.cooldown + 60.0
    )
    infos = tester.ports
    with history:
        tester.start_traffic(ports, duration_s=m.duration)
        with contextlib.suppress(HostLost):  # a lost host: the others stop, counts kept
            _watch(tester, ports, m.duration, live)
        with contextlib.suppress(HostLost):  # in fleet.lost, reported below
            tester.stop_traffic(ports)
        time.sleep(m.cooldown)  # frames still on their way; receivers publish them
    with contextlib.suppress(HostLost):  # in fleet.lost, reported below
        history.read()  # the last sample holds the final counts, as the results do
    out = _results(profile, tester, used, bed, infos)
    if hasattr(tester, "clocks"):
        out["clocks"] = {h: c.to_dict() for h, c in tester.clocks().items()}
    lost = sorted(getattr(tester, "lost", ()))
    if lost:
        out["lost_hosts"] = lost
    out["captures"] = _stop_captures(profile, tester, captures)
    out["samples"] = history.samples()
    return out


def _resolve(
    tester: Tester, streams: list[tuple[int, int | None, Stream]], ports: list[int]
) -> None:
    """Resolve the gateways of ports whose streams go to a resolved MAC."""
    for port in ports:
        modes = {s.mac_dst_mode for p, _rx, s in streams if p == port}
        if modes & {MacDstMode.ARP, MacDstMode.PORT} and tester.ports[port].l3.is_l3:
            tester.services.resolve_gateways(port)


def _start_captures(profile: Profile, tester: Tester) -> list[int]:
    ids = []
    for i, c in enumerate(profile.model.capture):
        port = _port_index(tester, c.port, f"capture.{i}.port")
        path = c.file if profile.base is None else str(profile.base / c.file)
        try:
            ids.append(
                tester.services.start_capture(
                    port,
                    filter=c.filter,
                    limit_frames=c.limit,
                    snaplen=c.snaplen,
                    rx=c.direction in ("both", "rx"),
                    tx=c.direction in ("both", "tx"),
                    path=path,
                    fmt="pcap" if path.endswith(".pcap") else "pcapng",
                )
            )
        except ConfigError as exc:
            raise ConfigError(exc.reason, field=f"capture.{i}.{exc.field}") from exc
    return ids


def _stop_captures(
    profile: Profile, tester: Tester, ids: list[int]
) -> list[dict[str, Any]]:
    out = []
    for c, cid in zip(profile.model.capture, ids, strict=True):
        info = tester.services.stop_capture(cid)
        out.append(
            {
                "port": c.port,
                "filter": c.filter,
                "file": str(info.path),
                "frames": info.stats.frames,
                "bytes": info.stats.bytes,
                "missed": info.stats.missed,
            }
        )
    return out


def _watch(tester: Tester, ports: list[int], duration_s: float, live: bool) -> None:
    end = time.monotonic() + duration_s + _WAIT_SLACK_S
    if not live:
        tester.wait_idle(ports, duration_s + _WAIT_SLACK_S)
        return
    from rich.live import Live
    from rich.table import Table

    def table() -> Table:
        t = Table(title="live (last second, measured)")
        for col in (
            "port",
            "TX pps",
            "TX Mbit/s L1",
            "RX pps",
            "RX Mbit/s L1",
            "TX frames",
            "RX frames",
        ):
            t.add_column(col, justify="right")
        for p in range(len(tester.ports)):
            s = tester.port_stats(p)
            t.add_row(
                str(p),
                f"{s.tx_pps:,.0f}",
                f"{s.tx_bps_l1 / 1e6:,.1f}",
                f"{s.rx_pps:,.0f}",
                f"{s.rx_bps_l1 / 1e6:,.1f}",
                f"{s.tx_packets:,}",
                f"{s.rx_packets:,}",
            )
        return t

    with Live(table(), refresh_per_second=4, transient=False) as view:
        while time.monotonic() < end and not tester.wait_idle(ports, 0.25):
            view.update(table())
        view.update(table())


def _results(
    profile: Profile,
    tester: Any,
    used: dict[int, list[tuple[int, int | None]]],
    bed: EmbeddedTestbed | None,
    infos: list[Any],
) -> dict[str, Any]:
    out: dict[str, Any] = {"ports": {}, "streams": []}
    # ports are host/index on a fleet, their index on one tester
    label: Any = tester.name if hasattr(tester, "index") else (lambda p: p)

    def key(p: int) -> str:
        return str(label(p))

    for p in range(len(infos)):
        try:
            s = tester.port_stats(p)
        except HostLost as exc:
            out["ports"][key(p)] = {"error": str(exc)}
            continue
        out["ports"][key(p)] = {
            f.name: getattr(s, f.name) for f in dataclasses.fields(s)
        } | {"requested_tx_pps": s.requested_tx_pps}
    for port, entries in used.items():
        for sid, (i, rx_port) in enumerate(entries):
            stream = profile.streams[i][2]
            rxp = rx_port if rx_port is not None else infos[port].spec.peer
            row: dict[str, Any] = {
                "name": stream.name or f"stream{i}",
                "port": label(port),
                "rx_port": None if rxp is None else label(rxp),
                "tpld_id": stream.tpld_id,
            }
            row |= {"tx_packets": None, "tx_bytes": None, "rx": None}
            try:  # each end on its own host: a lost one leaves the other's counts
                tx = tester.stream_tx_stats(port, sid)
                row |= {"tx_packets": tx.packets, "tx_bytes": tx.bytes}
                row["tx_first_ns"] = tester.tx_job_first_ns(port)
                if stream.tpld_id >= 0 and rxp is not None:
                    st = tester.tid_stats(rxp, stream.tpld_id)
                    row["rx"] = None if st is None else dataclasses.asdict(st)
            except HostLost as exc:
                row["error"] = str(exc)
            if hasattr(tester, "latency_note") and rxp is not None:
                note = tester.latency_note(port, rxp)
                if note is not None:  # latency against another host's clock
                    row["latency_note"] = note
            out["streams"].append(row)
    if bed is not None and bed.dut_netns is not None:
        out["dut"] = {"mechanism": bed.impair_mechanism, "counters": bed.dut_counters()}
        if bed.router is not None:
            out["dut"]["router"] = bed.router.to_dict()
    return out
