"""The ports of an RFC 2544 run: their flows' frames, ARP/ND resolution, learning
frames, the frame sizes their MTU allows, and their description for the result.

Frames are Ethernet / IPv4 (or IPv6, ``ip: 6``), protocol 253, with a TPLD.
Between layer-2 ports (no addresses) they go from the sending port's MAC to the
receiving port's, from ``198.18.0.<tx+1>`` to ``198.19.0.<rx+1>`` (IPv6:
``2001:2::<tx+1>`` to ``2001:2:0:ff::<rx+1>``). A port with addresses (an L3
port, e.g. around the router DUT) sends from its own address to the receiving
port's, to the MAC of its next hop (the gateway, or the receiver on its subnet),
resolved by ARP (IPv6: neighbour discovery) before the first trial; every L3
port of the run also resolves its own gateway then, so a router knows every port
before traffic starts. An unanswered resolution is a :class:`PortError` naming
the port.

Learning frames (``learning.enabled``) go out before the trials of each frame
size: ``frames`` broadcast frames (ethertype 0x88B5, local experimental) from
every receiving port at ``rate_pct`` of its line, then ``wait`` seconds, so that
a learning bridge knows where each receiver is and does not flood the trial.
"""

from __future__ import annotations

import dataclasses
import time
from ipaddress import IPv4Interface, IPv6Interface
from typing import Any

from wirespeed.errors import ConfigError, PortError
from wirespeed.l3 import IPAddress
from wirespeed.model import FCS_BYTES, IMIX, FrameLength, LengthType
from wirespeed.model.rate import L1_OVERHEAD_BYTES
from wirespeed.packet.template import header_length
from wirespeed.rfc2544_model import (
    IMIX_NAME,
    LearningModel,
    SuiteModel,
    frame_size_error,
)
from wirespeed.rfc2544_trials import Flow
from wirespeed.service import PortInfo, Tester
from wirespeed.topology.links import link_mtu, max_frame_bytes
from wirespeed.topology.testbed import EmbeddedTestbed

__all__ = [
    "build_flows",
    "check_frame_sizes",
    "describe_testbed",
    "frame_length",
    "send_learning",
]

_LEARNING_ETHERTYPE = 0x88B5
_LEARNING_BYTES = 60  # a minimum frame without FCS
_BROADCAST = "ff:ff:ff:ff:ff:ff"


def frame_length(size: int | str) -> FrameLength:
    """A frame size of the suite as the engine's pattern (``imix``: the
    engine's weighted mix, 64/594/1518 at 7:4:1, interleaved)."""
    if size == IMIX_NAME:
        low, high = min(s for s, _ in IMIX), max(s for s, _ in IMIX)
        return FrameLength(LengthType.MIX, low, high, IMIX)
    return FrameLength.fixed(int(size))


def build_flows(
    tester: Tester, model: SuiteModel, *, timeout_s: float
) -> tuple[Flow, ...]:
    """The run's flows with their frames (resolving next hops first).

    Raises:
        ConfigError: an L3 sender whose receiver has no address of the family,
            or no route to it (naming the flow's pair).
        PortError: a next hop or gateway did not answer (naming the port).
    """
    flows = model.flows()
    ports = sorted({p for f in flows for p in f})
    for p in ports:
        _resolve_gateway(tester, p, model.ip, timeout_s)
    return tuple(
        Flow(tx, rx, _header(tester, tx, rx, model.ip, timeout_s), tid)
        for tid, (tx, rx) in enumerate(flows, start=1)
    )


def _own(info: PortInfo, ip: int) -> IPv4Interface | IPv6Interface | None:
    return info.l3.ipv4 if ip == 4 else info.l3.ipv6


def _resolve_gateway(tester: Tester, port: int, ip: int, timeout_s: float) -> None:
    l3 = tester.ports[port].l3
    gw = l3.gateway4 if ip == 4 else l3.gateway6
    if _own(tester.ports[port], ip) is not None and gw is not None:
        _resolve(tester, port, gw, timeout_s)


def _resolve(tester: Tester, port: int, addr: IPAddress, timeout_s: float) -> str:
    known = tester.ports[port].neighbor(addr)
    if known is not None:
        return known
    how = "ARP" if addr.version == 4 else "neighbour discovery"
    try:
        return tester.services.resolve(port, addr, timeout_s=timeout_s)
    except PortError as exc:
        raise PortError(
            f"port {port}: {addr} did not answer {how} within {timeout_s:g} s",
            port=port,
        ) from exc


def _header(tester: Tester, tx: int, rx: int, ip: int, timeout_s: float) -> bytes:
    from scapy.layers.inet import IP
    from scapy.layers.inet6 import IPv6
    from scapy.layers.l2 import Dot1Q, Ether

    src_info, dst_info = tester.ports[tx], tester.ports[rx]
    src, dst = _own(src_info, ip), _own(dst_info, ip)
    if src is None:  # a layer-2 sender
        mac = dst_info.mac
        a, b = (
            (f"198.18.0.{tx + 1}", f"198.19.0.{rx + 1}")
            if ip == 4
            else (f"2001:2::{tx + 1:x}", f"2001:2:0:ff::{rx + 1:x}")
        )
    else:
        if dst is None:
            raise ConfigError(
                f"port {tx} sends IPv{ip} from {src.ip}, but port {rx} has no "
                f"IPv{ip} address",
                field="ip",
            )
        try:
            hop = src_info.l3.next_hop(dst.ip)
        except ConfigError as exc:
            raise ConfigError(f"port {tx}: {exc.reason}", field="pairs") from exc
        mac, a, b = _resolve(tester, tx, hop, timeout_s), str(src.ip), str(dst.ip)
    eth: Any = Ether(src=src_info.mac, dst=mac)
    if src_info.l3.vlan is not None:
        eth = eth / Dot1Q(vlan=src_info.l3.vlan)
    net = IP(src=a, dst=b, proto=253) if ip == 4 else IPv6(src=a, dst=b, nh=253)
    return bytes(eth / net)


def check_frame_sizes(
    tester: Tester, flows: tuple[Flow, ...], sizes: list[int | str]
) -> None:
    """Every frame size fits every flow's header and TPLD, and each port's MTU.

    Raises:
        ConfigError: naming the size (``frame_sizes.3``), the port and its MTU.
    """
    mtus = {p: link_mtu(tester.ports[p].spec) for f in flows for p in (f.tx, f.rx)}
    for i, size in enumerate(sizes):
        for f in flows:
            mtu = min(mtus[f.tx], mtus[f.rx])
            limit = max_frame_bytes(mtu, f.header) + FCS_BYTES
            why = frame_size_error(size, header_length(f.header), limit)
            if why:
                raise ConfigError(
                    f"{why} (flow {f.tx} -> {f.rx}, MTU {mtu})",
                    field=f"frame_sizes.{i}",
                )


def send_learning(tester: Tester, ports: list[int], learning: LearningModel) -> None:
    """Learning frames from each of ``ports``, then the wait (see the module's
    docs)."""
    from scapy.layers.l2 import Ether

    for p in ports:
        info = tester.ports[p]
        frame = bytes(Ether(src=info.mac, dst=_BROADCAST, type=_LEARNING_ETHERTYPE))
        frame = frame.ljust(_LEARNING_BYTES, b"\x00")
        wire_bits = (_LEARNING_BYTES + FCS_BYTES + L1_OVERHEAD_BYTES) * 8
        gap_us = wire_bits / info.speed_bps / (learning.rate_pct / 100) * 1e6
        tester.services.send_frames(p, [frame] * learning.frames, ipg_us=gap_us)
    time.sleep(learning.wait)


def describe_testbed(
    tester: Tester, bed: EmbeddedTestbed | None, impair: str | None = None
) -> dict[str, Any]:
    """The DUT and the ports, for the result (``impair``: the impairment as the
    suite wrote it; else the test bed's own, knob by knob)."""
    if bed is None:
        dut: dict[str, Any] = {"kind": "ports", "impair": None, "firewall": []}
    else:
        kind, imp = bed.dut_kind, bed.impairment
        if impair is None and imp is not None and not imp.is_empty:
            knobs = dataclasses.asdict(imp).items()
            impair = ",".join(f"{k}={v}" for k, v in knobs if v)
        dut = {
            "kind": "none" if kind is None else kind.value,
            "impair": impair,
            "firewall": list(bed.firewall),
        }
    ports = []
    for info in tester.ports:
        l3 = info.l3
        ports.append(
            {
                "index": info.index,
                "name": info.name,
                "mac": info.mac,
                "speed_bps": info.speed_bps,
                "ipv4": None if l3.ipv4 is None else str(l3.ipv4),
                "gateway4": None if l3.gateway4 is None else str(l3.gateway4),
                "ipv6": None if l3.ipv6 is None else str(l3.ipv6),
                "gateway6": None if l3.gateway6 is None else str(l3.gateway6),
            }
        )
    return {"dut": dut, "ports": ports}
