"""Helpers of the OTG translation tests: snappi configs as the server receives them,
a fake port table, and frames built by the field engine as the TX worker builds them."""

from __future__ import annotations

import logging
from typing import Any

import snappi
from scapy.layers.l2 import Ether

from wirespeed.fieldengine import compile_stream
from wirespeed.server.otg.plan import ConfigPlan, FlowPlan
from wirespeed.server.otg.translate import plan_config
from wirespeed.tpld import TpldMode

logging.getLogger("snappi").setLevel(logging.ERROR)  # "version check is disabled"
API = snappi.api()
LOCATIONS = {"veth-a": 0, "veth-z": 1, "eth2": 2}
TX_MAC = "00:00:01:01:01:01"
RX_MAC = "00:00:01:01:01:02"


class FakePorts:
    """Three tester ports; ``speed_bps`` and ``mtu`` per port."""

    def __init__(self, speed_bps: int = 10_000_000_000, mtu: int = 1500) -> None:
        self.speed = speed_bps
        self.mtu_bytes = mtu

    def locate(self, location: str) -> int | None:
        return LOCATIONS.get(location)

    def speed_bps(self, port: int) -> int:
        return self.speed

    def mtu(self, port: int) -> int:
        return self.mtu_bytes


def config(*, metrics: bool = True, size: int = 128) -> tuple[Any, Any]:
    """A config with ports p1 (veth-a) and p2 (veth-z) and one flow p1 -> p2."""
    cfg = API.config()
    p1 = cfg.ports.add(name="p1", location="veth-a")
    p2 = cfg.ports.add(name="p2", location="veth-z")
    flow = cfg.flows.add(name="f1")
    flow.tx_rx.port.tx_name = p1.name
    flow.tx_rx.port.rx_names = [p2.name]
    flow.size.fixed = size
    flow.metrics.enable = metrics
    return cfg, flow


def vxlan_headers(flow: Any, outer: str, inner: str) -> list[Any]:
    """ethernet / ``outer`` / udp / vxlan / ethernet / ``inner`` / tcp as the OTG
    conformance suite's VXLAN tests set them (VNIs 1000..1004, TCP ports 80)."""
    pk = flow.packet
    pk.ethernet()
    getattr(pk, outer)()
    pk.udp().vxlan().ethernet()
    getattr(pk, inner)()
    pk.tcp()
    headers = list(pk)
    eth1, _, _, vxlan, eth2, _, inner_tcp = headers
    eth1.src.value, eth1.dst.value = TX_MAC, RX_MAC
    eth2.src.value, eth2.dst.value = "00:00:01:01:01:03", "00:00:01:01:01:04"
    vxlan.vni.values = [1000, 1001, 1002, 1003, 1004]
    inner_tcp.src_port.value = inner_tcp.dst_port.value = 80
    return headers


def received(cfg: Any) -> Any:
    """The config as the server holds it: sent as JSON, parsed by snappi."""
    out = API.config()
    out.deserialize(cfg.serialize())
    return out


def plan(cfg: Any, ports: FakePorts | None = None) -> ConfigPlan:
    return plan_config(received(cfg), ports or FakePorts())


def only_flow(cfg: Any, ports: FakePorts | None = None) -> FlowPlan:
    return plan(cfg, ports).flows[0]


def frames(fp: FlowPlan, n: int, seed: int | None = 1) -> list[bytes]:
    """The first ``n`` frames of a flow (no FCS; a TPLD area zeroed)."""
    mode = None if fp.tid is None else TpldMode.NORMAL
    gen = compile_stream(fp.stream, seed=seed, tpld_mode=mode)
    batch = gen.next_batch(n)
    return [batch.frame(i) for i in range(n)]


def padded(pkt: Any, size: int) -> bytes:
    """A scapy packet as a ``size``-byte frame (FCS included): zeros behind it,
    lengths and checksums computed by scapy over them."""
    from scapy.packet import Raw

    room = size - 4 - len(pkt)
    return bytes(pkt / Raw(bytes(room))) if room > 0 else bytes(pkt)


def ip4(**kw: Any) -> Any:
    """scapy's IPv4 header with OTG's defaults (identification 0)."""
    from scapy.layers.inet import IP

    kw.setdefault("id", 0)
    return IP(**kw)


def tcp(**kw: Any) -> Any:
    """scapy's TCP header with OTG's defaults (no flags, window 0)."""
    from scapy.layers.inet import TCP

    kw.setdefault("flags", 0)
    kw.setdefault("window", 0)
    return TCP(**kw)


def eth(**kw: Any) -> Any:
    return Ether(dst=kw.pop("dst", RX_MAC), src=kw.pop("src", TX_MAC), **kw)
