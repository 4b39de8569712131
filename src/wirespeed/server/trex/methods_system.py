"""Server-level methods: API sync, ping, version, system info, commands, events."""

from __future__ import annotations

import platform
import socket
import time
from typing import Any

from wirespeed._version import __version__
from wirespeed.errors import ValidationError
from wirespeed.server.trex.dispatch import Method, MethodTable
from wirespeed.server.trex.frontend import TrexFrontEnd
from wirespeed.server.trex.layer import NO_MAC
from wirespeed.server.trex.params import UINT32_MAX, Params
from wirespeed.server.trex.pgstats import MAX_PG_ID
from wirespeed.server.trex.status import cores_per_port, dp_core_count

__all__ = ["API_MAJOR", "API_MINOR", "TREX_VERSION", "register"]

#: The TRex STL API version this server speaks (``api_sync_v2``).
API_MAJOR = 5
API_MINOR = 1
#: The core API class of the seed's ``api_sync``.
CORE_API_MAJOR = 1
#: The TRex release whose client this server is checked against.
TREX_VERSION = "v3.04"


def api_sync_v2(fe: TrexFrontEnd, p: Params) -> object:
    """``{name:"STL", major, minor}`` -> ``{api_h}``; other majors are refused."""
    name = p.str("name")
    major = p.int("major", lo=0)
    p.int("minor", lo=0)
    if name != "STL":
        raise ValidationError(
            f"API class {name!r} is not served; this server speaks STL", field="name"
        )
    if major != API_MAJOR:
        raise ValidationError(
            f"client STL API v{major} does not match the server's "
            f"v{API_MAJOR}.{API_MINOR}",
            field="major",
        )
    return {"api_h": fe.api_h}


def api_sync(fe: TrexFrontEnd, p: Params) -> object:
    """The seed's ``api_sync``: ``{api_vers:[{type, major, minor}]}``."""
    versions = p.list("api_vers")
    out = []
    for i, raw in enumerate(versions):
        if not isinstance(raw, dict):
            raise ValidationError("must be an object", field=f"api_vers[{i}]")
        item = Params(raw, f"api_vers[{i}].")
        api_type = item.str("type")
        major = item.int("major", lo=0)
        item.int("minor", lo=0)
        if api_type != "core":
            raise ValidationError(
                f"unknown API class {api_type!r} (this server has 'core')",
                field=f"api_vers[{i}].type",
            )
        if major != CORE_API_MAJOR:
            raise ValidationError(
                f"client core API v{major} does not match the server's "
                f"v{CORE_API_MAJOR}",
                field=f"api_vers[{i}].major",
            )
        out.append({"type": api_type, "api_h": fe.api_h})
    return {"api_vers": out}


def ping(fe: TrexFrontEnd, p: Params) -> object:
    """``{ts}``: the server's clock in epoch seconds."""
    return {"ts": fe.clock()}


def get_version(fe: TrexFrontEnd, p: Params) -> object:
    """Version information; ``mode`` is STL."""
    started = time.localtime(fe.started_s)
    return {
        "version": TREX_VERSION,
        "build_date": time.strftime("%b %d %Y", started),
        "build_time": time.strftime("%H:%M:%S", started),
        "built_by": f"wirespeed {__version__}",
        "mode": "STL",
    }


def _core_type() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _speed_gbps(speed_bps: int) -> int | float:
    gbps = speed_bps / 1e9
    return int(gbps) if gbps.is_integer() else gbps


def port_info(fe: TrexFrontEnd, index: int) -> dict[str, Any]:
    """One entry of ``get_system_info.ports``."""
    info = fe.tester.ports[index]
    netns = info.spec.netns
    where = f"{info.spec.interface}@{netns}" if netns else info.spec.interface
    driver = "af_packet"
    return {
        "index": index,
        "description": f"wirespeed port {info.name} ({where})",
        "driver": driver,
        "pci_addr": where,
        "numa": -1,
        "hw_mac": str(info.mac),
        "hw_macaddr": str(info.mac),
        "src_macaddr": str(info.mac),
        "dst_macaddr": info.dst_mac or NO_MAC,
        "is_virtual": netns is not None,
        "is_fc_supported": False,
        "is_led_supported": False,
        "is_link_supported": True,
        "is_prom_supported": True,
        "is_vxlan_supported": False,
        "is_ieee1588_supported": False,
        "speed": _speed_gbps(int(info.speed_bps)),
        "supp_speeds": [int(info.speed_bps) // 1_000_000],
        "rx": {
            "caps": ["flow_stats", "latency", "rx_bytes"],
            "counters": MAX_PG_ID + 1,
        },
    }


def get_system_info(fe: TrexFrontEnd, p: Params) -> object:
    """Host, cores (one TX/RX worker per port) and the ports."""
    return {
        "hostname": socket.gethostname(),
        "uptime": time.strftime("%b %d %Y @ %H:%M:%S", time.localtime(fe.started_s)),
        "dp_core_count": dp_core_count(fe),
        "dp_core_count_per_port": cores_per_port(fe),
        "core_type": _core_type(),
        "port_count": fe.port_count,
        "ports": [port_info(fe, i) for i in range(fe.port_count)],
    }


def get_utilization(fe: TrexFrontEnd, p: Params) -> object:
    """Real CPU use of each data-plane worker (percent, newest first).

    ``mbuf_stats`` is empty: wirespeed has no DPDK buffer pools.
    """
    cpu = [[int(v) for v in history] for history in fe.tester.cpu_utilization()]
    return {"cpu": cpu, "mbuf_stats": {}}


def publish_now(fe: TrexFrontEnd, p: Params) -> object:
    """Publish a trigger now (the client's barrier)."""
    p.int("key", default=0, lo=0, hi=UINT32_MAX)
    p.bool("baseline", default=False)
    fe.hub.wake()
    return {}


def get_async_events(fe: TrexFrontEnd, p: Params) -> object:
    """The session's pending events. Never fails: a bad session id means session 0,
    since an error here would make the client drop its connection."""
    raw = p.raw.get("session_id", 0)
    session = raw if isinstance(raw, int) and not isinstance(raw, bool) else 0
    return {"data": fe.hub.drain(session, now_s=fe.clock())}


def register(table: MethodTable) -> None:
    """Add this module's methods to ``table``."""
    table["api_sync_v2"] = Method(api_sync_v2, needs_api_h=False)
    table["api_sync"] = Method(api_sync, needs_api_h=False)
    table["ping"] = Method(ping, needs_api_h=False)
    table["get_version"] = Method(get_version, needs_api_h=False)
    table["get_system_info"] = Method(get_system_info)
    table["get_utilization"] = Method(get_utilization)
    table["publish_now"] = Method(publish_now)
    table["get_async_events"] = Method(get_async_events, needs_api_h=False)

    def supported(fe: TrexFrontEnd, p: Params) -> object:
        return sorted(table)

    table["get_supported_cmds"] = Method(supported)
