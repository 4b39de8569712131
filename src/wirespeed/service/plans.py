"""From streams to the pacer's plans: rates in frames/s, modes, chains, and the
MACs a port writes into its streams' frames."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from dataclasses import replace

from wirespeed.dataplane.messages import TxJob, TxStreamJob
from wirespeed.dataplane.pacer import PacerMode, StreamPlan
from wirespeed.errors import ConfigError, ValidationError
from wirespeed.model import MacDstMode, ModeKind, Stream, StreamEnable
from wirespeed.model.scaling import is_fixed_rate, stream_rates
from wirespeed.service.types import PortInfo

__all__ = ["build_job", "check_mac", "fill_macs", "plan_for", "port_macs", "tid_of"]

_MAC_RE = re.compile(r"^([0-9a-fA-F]{2}:){5}[0-9a-fA-F]{2}$")


def check_mac(mac: str, field: str = "dst_mac") -> str:
    """``02:00:00:00:00:01`` (any case) -> lower case; else a ValidationError."""
    if not isinstance(mac, str) or not _MAC_RE.match(mac):
        raise ValidationError(f"not a MAC address: {mac!r}", field=field)
    return mac.lower()


def _dst_ip(packet: bytes) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The IP destination of a frame (after up to two VLAN tags), if it has one."""
    off = 12
    while packet[off : off + 2] in (b"\x81\x00", b"\x88\xa8") and off < 20:
        off += 4
    et = packet[off : off + 2]
    if et == b"\x08\x00" and len(packet) >= off + 22:
        return ipaddress.IPv4Address(packet[off + 18 : off + 22])
    if et == b"\x86\xdd" and len(packet) >= off + 42:
        return ipaddress.IPv6Address(packet[off + 26 : off + 42])
    return None


def _resolved_dst(packet: bytes, info: PortInfo, what: str) -> str:
    """The MAC of the next hop towards the frame's IP destination."""
    dst = _dst_ip(packet)
    if dst is None:
        raise ValidationError(
            f"{what}: its destination MAC is to be resolved but the "
            "frame has no IPv4 or IPv6 destination",
            field="dst_mac",
        )
    try:
        hop = info.l3.next_hop(dst)
    except ConfigError as exc:  # no address of the family, no gateway
        raise ValidationError(f"{what}: {exc.reason}", field="dst_mac") from exc
    mac = info.neighbor(hop)
    if mac is None:
        raise ValidationError(
            f"{what}: the MAC of {hop} is not resolved on port "
            f"{info.index} (resolve it first)",
            field="dst_mac",
        )
    return mac


def port_macs(
    packet: bytes,
    info: PortInfo,
    *,
    src_from_packet: bool,
    dst_mode: MacDstMode,
    what: str = "frame",
) -> bytes:
    """The frame with the MACs the port writes: its own as source (unless
    ``src_from_packet``), and as destination the port's destination MAC
    (``PORT``) or the resolved next hop of the frame's IP destination (``ARP``).

    Raises:
        ValidationError: the MAC is not known (not set, not resolved); the
            message starts with ``what``.
    """
    if src_from_packet and dst_mode is MacDstMode.PACKET:
        return packet
    out = bytearray(packet)
    if not src_from_packet:
        out[6:12] = bytes.fromhex(info.mac.replace(":", ""))
    if dst_mode is MacDstMode.PORT:
        if info.dst_mac is None:
            raise ValidationError(
                f"{what}: port {info.index} has no destination MAC "
                "(set one, or resolve its gateway)",
                field="dst_mac",
            )
        out[0:6] = bytes.fromhex(info.dst_mac.replace(":", ""))
    elif dst_mode is MacDstMode.ARP:
        out[0:6] = bytes.fromhex(_resolved_dst(packet, info, what).replace(":", ""))
    return bytes(out)


def fill_macs(stream_id: int, stream: Stream, info: PortInfo) -> Stream:
    """The stream with the MACs the port writes (:func:`port_macs`), marked
    "MACs from packet".

    Raises:
        ValidationError: the MAC is not known (not set, not resolved).
    """
    if stream.mac_src_from_packet and stream.mac_dst_mode is MacDstMode.PACKET:
        return stream
    packet = port_macs(
        stream.packet,
        info,
        src_from_packet=stream.mac_src_from_packet,
        dst_mode=stream.mac_dst_mode,
        what=f"stream {stream_id}",
    )
    return replace(
        stream,
        packet=packet,
        mac_src_from_packet=True,
        mac_dst_mode=MacDstMode.PACKET,
    )


def tid_of(stream: Stream) -> int:
    """The TPLD id a stream's frames carry (-1 = none): Xena TID or TRex pg_id."""
    if stream.tpld_id >= 0:
        return stream.tpld_id
    if stream.flow_stats is not None:
        return stream.flow_stats.pg_id
    return -1


def plan_for(
    stream_id: int, stream: Stream, line_bps: int, enabled: dict[int, Stream]
) -> StreamPlan:
    """The pacer's view of one stream."""
    mode = stream.mode
    nxt = stream.next_stream_id if stream.next_stream_id in enabled else None
    # a latency stream keeps its rate under any multiplier, as on TRex
    scaled = not is_fixed_rate(stream)
    pps = stream_rates(stream, line_bps)[0]
    if mode.kind is ModeKind.CONTINUOUS:
        return StreamPlan(
            stream_id,
            pps,
            PacerMode.CONTINUOUS,
            isg_ns=int(stream.isg_us * 1000),
            self_start=stream.self_start,
            next_key=nxt,
            action_count=stream.action_count,
            scaled=scaled,
        )
    if mode.kind is ModeKind.SINGLE_BURST:
        return StreamPlan(
            stream_id,
            pps,
            PacerMode.SINGLE_BURST,
            total_pkts=mode.total_pkts,
            isg_ns=int(stream.isg_us * 1000),
            self_start=stream.self_start,
            next_key=nxt,
            action_count=stream.action_count,
            scaled=scaled,
        )
    return StreamPlan(
        stream_id,
        pps,
        PacerMode.MULTI_BURST,
        total_pkts=mode.pkts_per_burst,
        bursts=mode.count,
        ibg_ns=int(mode.ibg_us * 1000),
        isg_ns=int(stream.isg_us * 1000),
        self_start=stream.self_start,
        next_key=nxt,
        action_count=stream.action_count,
        scaled=scaled,
    )


def build_job(
    info: PortInfo,
    enabled: dict[int, Stream],
    slots: Mapping[int, int],
    run_id: int,
    duration_s: float | None,
    factor: float,
    packet_limit: int | None = None,
    start_at_ns: int | None = None,
) -> TxJob:
    """What the TX worker needs to send ``enabled`` on the port ``info`` describes
    (for ``duration_s`` and at most ``packet_limit`` frames, when given; from the
    wall-clock time ``start_at_ns`` on, when given).

    Raises:
        ValidationError: a TPLD id too large for the port's TPLD, or a stream that
            does not fit the port (frames too short for its TPLD ...).
    """
    sjobs = []
    for sid in sorted(enabled):
        stream = fill_macs(sid, enabled[sid], info)
        tid = tid_of(stream)
        if tid > info.tpld_mode.max_tid:
            raise ValidationError(
                f"TPLD id {tid} > {info.tpld_mode.max_tid} for the port's "
                f"{info.tpld_mode.value} TPLD",
                field="tpld_id",
            )
        stream.validate_for_port(
            info.tpld_mode.length if tid >= 0 else 0,
            info.payload_checksum_offset > 0,
        )
        plan = plan_for(sid, enabled[sid], info.speed_bps, enabled)
        if stream.enabled is StreamEnable.SUPPRESS:
            plan = replace(plan, suppressed=True)
        sjobs.append(TxStreamJob(slots[sid], stream, plan, tid))
    return TxJob(
        run_id=run_id,
        streams=sjobs,
        tpld_mode=info.tpld_mode,
        pi_offset=info.payload_checksum_offset,
        duration_s=duration_s,
        multiplier=factor,
        packet_limit=packet_limit,
        start_at_ns=start_at_ns,
    )
