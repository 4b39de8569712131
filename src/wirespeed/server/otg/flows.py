"""One OTG flow (``flows[i]``) as one stream of the engine (pure).

* ``tx_rx.port``: the sending port and the receiving ones (``rx_names``, and the
  deprecated ``rx_name``); flows between devices are not served.
* ``rate``: ``pps``; ``bps``/``kbps``/``mbps``/``gbps`` count the bits of the
  frames themselves, FCS included (L2, ``RateUnit.L2_BPS``); ``percentage`` is of
  the port's line rate on the wire, preamble and gap included (L1,
  ``RateUnit.PERCENT``). A rate above the line rate is refused.
* ``duration``: ``fixed_packets`` is a single burst; ``fixed_seconds`` the frames
  that many seconds carry at the flow's rate; ``burst`` ``bursts`` bursts (0:
  forever) of ``packets`` frames ``inter_burst_gap`` apart; ``continuous``. A
  ``delay`` postpones the first frame (bytes count at the line rate). The gap
  between frames follows from the rate: a ``gap`` other than 12 bytes is a warning.
* ``metrics.enable``: each frame ends with a 20-byte test payload (TPLD, normal
  form) whose id is the flow's index, so its counts, loss and latency are the
  receiver's per-TID analysis. Without it, frames are exactly the headers and the
  payload fill.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from wirespeed.errors import ValidationError
from wirespeed.model import (
    FCS_BYTES,
    L1_OVERHEAD_BYTES,
    MAX_FRAME_BYTES,
    MIN_WIRE_FRAME_BYTES,
    Payload,
    PayloadType,
    Rate,
    RateUnit,
    Stream,
    TxMode,
    VmProgram,
)
from wirespeed.server.otg.access import given, given_names
from wirespeed.server.otg.errors import OtgError, unsupported
from wirespeed.server.otg.frames import build_frames
from wirespeed.server.otg.headers import Headers, read_headers
from wirespeed.server.otg.plan import FlowPlan
from wirespeed.server.otg.sizes import Sizes, read_size
from wirespeed.tpld import TpldMode

__all__ = ["TPLD_MODE", "OtgPort", "plan_flow"]

TPLD_MODE = TpldMode.NORMAL
"""The test payload form the OTG front end's ports use."""
STANDARD_GAP_BYTES = 12
MIN_TEMPLATE_BYTES = 14
MTU_OVERHEAD_BYTES = 18
"""Ethernet header and FCS around an MTU's worth of bytes."""
VLAN_BYTES = 4
_FLOW_PARTS = {
    "name",
    "tx_rx",
    "packet",
    "size",
    "rate",
    "duration",
    "metrics",
    "payload",
}
_BITS = {"bps": 1.0, "kbps": 1e3, "mbps": 1e6, "gbps": 1e9}
_PAYLOADS = {
    "increment_byte": PayloadType.INC8,
    "decrement_byte": PayloadType.DEC8,
    "increment_word": PayloadType.INC16,
    "decrement_word": PayloadType.DEC16,
}


@dataclass(frozen=True)
class OtgPort:
    """An OTG port as flows see it: its tester port, line rate and MTU."""

    name: str
    port: int
    speed_bps: int
    mtu: int


@dataclass
class _Timing:
    mode: TxMode
    packets: int | None
    delay_ns: int


def plan_flow(
    index: int, flow: Any, ports: dict[str, OtgPort], warnings: list[str]
) -> FlowPlan:
    """Translate ``flows[index]``.

    Args:
        index: its index (its TPLD id).
        flow: snappi's ``Flow``.
        ports: the configuration's ports by name.
        warnings: receives what is accepted but not done as asked.

    Raises:
        OtgError: naming the field that cannot be served.
    """
    path = f"flows[{index}]"
    tx, rx = _endpoints(flow, ports, path)
    headers = _headers(flow, path)
    sizes = read_size(flow.size, f"{path}.size")
    tid = _metrics(flow.metrics, index, path, warnings)
    payload = _payload(flow, sizes, len(headers.template), f"{path}.payload")
    _check_fit(headers, sizes, payload, tid is not None, (tx, *rx), path)
    template, program = build_frames(headers, sizes, payload, tpld=tid is not None)
    rate = _rate(flow.rate, sizes, tx, f"{path}.rate")
    timing = _duration(flow.duration, rate, sizes, tx, f"{path}.duration", warnings)
    try:
        stream = Stream(
            packet=template,
            name=str(flow.name),
            tpld_id=-1 if tid is None else tid,
            length=sizes.length,
            payload=payload,
            rate=rate,
            mode=timing.mode,
            vm=VmProgram(program),
            isg_us=timing.delay_ns / 1000,
        )
    except ValidationError as exc:  # a bug of the translation if it happens
        raise OtgError(f"{path}: {exc}", kind="internal") from exc
    metrics = flow.metrics
    latency = tid is not None and given(metrics, "latency") and metrics.latency.enable
    return FlowPlan(
        name=str(flow.name),
        tx_port=tx.port,
        rx_ports=tuple(p.port for p in rx),
        stream=stream,
        tid=tid,
        packets=timing.packets,
        delay_ns=timing.delay_ns,
        latency_mode=str(metrics.latency.mode) if latency else "store_forward",
        timestamps=tid is not None and bool(metrics.timestamps),
        loss=tid is not None and bool(metrics.loss),
        latency=bool(latency),
    )


def _headers(flow: Any, path: str) -> Headers:
    for name in given_names(flow):
        if name not in _FLOW_PARTS:
            what = "egress tracking" if name == "egress_packet" else f"flow {name!r}"
            raise unsupported(f"{path}.{name}", what)
    headers = read_headers(flow.packet, path)
    size = len(headers.template)
    if not MIN_TEMPLATE_BYTES <= size <= MAX_FRAME_BYTES - FCS_BYTES:
        raise OtgError(
            f"{path}.packet: {size} bytes of headers; a frame starts with at least "
            f"{MIN_TEMPLATE_BYTES} (an Ethernet header) and holds at most "
            f"{MAX_FRAME_BYTES - FCS_BYTES}"
        )
    return headers


def _endpoints(
    flow: Any, ports: dict[str, OtgPort], path: str
) -> tuple[OtgPort, tuple[OtgPort, ...]]:
    txrx = flow.tx_rx
    if str(txrx.choice) != "port":
        raise unsupported(f"{path}.tx_rx.device", "flows between devices")
    ends = txrx.port
    where = f"{path}.tx_rx.port"
    names = list(ends.rx_names or [])
    if ends.rx_name and ends.rx_name not in names:
        names.append(ends.rx_name)

    def port(name: str, field: str) -> OtgPort:
        found = ports.get(name)
        if found is None:
            known = ", ".join(sorted(ports)) or "none"
            raise OtgError(f"{where}.{field}: no port named {name!r} (ports: {known})")
        return found

    tx = port(str(ends.tx_name), "tx_name")
    return tx, tuple(port(str(n), "rx_names") for n in names)


def _metrics(metrics: Any, index: int, path: str, warnings: list[str]) -> int | None:
    """The flow's TPLD id (its index), None when metrics are off."""
    if (
        given(metrics, "predefined_metric_tags")
        and metrics.predefined_metric_tags.rx_name
    ):
        raise unsupported(
            f"{path}.metrics.predefined_metric_tags.rx_name", "metrics tagged by port"
        )
    if given(metrics, "rx_tx_ratio"):
        ratio = metrics.rx_tx_ratio
        if str(ratio.choice) != "value" or float(ratio.value) != 1.0:
            field = f"{path}.metrics.rx_tx_ratio"
            raise unsupported(field, "an expected ratio of received frames")
    if metrics.enable:
        if index > TPLD_MODE.max_tid:
            raise OtgError(
                f"{path}: at most {TPLD_MODE.max_tid + 1} flows with metrics"
            )
        return index
    if (given(metrics, "latency") and metrics.latency.enable) or metrics.timestamps:
        warnings.append(
            f"{path}.metrics: latency and timestamps need metrics.enable; not measured"
        )
    return None


def _payload(flow: Any, sizes: Sizes, header_len: int, path: str) -> Payload:
    if not given(flow, "payload"):
        return Payload()
    payload = flow.payload
    choice = str(payload.choice)
    if choice != "fixed":
        return Payload(_PAYLOADS[choice])
    fixed = payload.fixed
    try:
        pattern = bytes.fromhex(str(fixed.pattern))
    except ValueError as exc:
        raise OtgError(f"{path}.fixed.pattern: not hex bytes") from exc
    if not fixed.repeat:  # once, then zeros to the end of the longest frame
        room = sizes.largest - FCS_BYTES - header_len
        pattern = pattern + bytes(max(room - len(pattern), 0))
    return Payload(PayloadType.PATTERN, pattern or b"\x00")


def _check_fit(
    headers: Headers,
    sizes: Sizes,
    payload: Payload,
    tpld: bool,
    ports: tuple[OtgPort, ...],
    path: str,
) -> None:
    """The smallest frame must hold the headers, the TPLD and the FCS; the largest
    must fit the MTU of the ports it crosses."""
    probe = Stream(headers.template, payload=payload)
    tpld_len = TPLD_MODE.length if tpld else 0
    need = probe.min_frame_bytes(tpld_len)
    if tpld_len:
        need = max(need, MIN_WIRE_FRAME_BYTES)
    if sizes.smallest < need:
        what = f"the {probe.header_bytes} bytes of headers"
        if tpld_len:
            what += f", the {tpld_len}-byte test payload of metrics"
        if payload.is_incrementing:
            what += ", 2 bytes of counting payload"
        raise OtgError(
            f"{path}.size: {sizes.smallest}-byte frames cannot hold {what} and "
            f"the FCS: at least {need} bytes"
        )
    for port in ports:
        limit = port.mtu + MTU_OVERHEAD_BYTES + VLAN_BYTES * headers.vlans
        if sizes.largest > limit:
            raise OtgError(
                f"{path}.size: {sizes.largest}-byte frames exceed the MTU of port "
                f"{port.name} ({port.mtu}: at most {limit} bytes with the FCS)"
            )


def _rate(rate: Any, sizes: Sizes, tx: OtgPort, path: str) -> Rate:
    choice = str(rate.choice)
    value = float(getattr(rate, choice))
    if value <= 0:
        raise OtgError(f"{path}.{choice}: must be > 0")
    if choice == "pps":
        out = Rate(RateUnit.PPS, value)
    elif choice == "percentage":
        out = Rate(RateUnit.PERCENT, value)
    else:
        out = Rate(RateUnit.L2_BPS, value * _BITS[choice])
    mean = sizes.length.mean_wire_bytes
    pps = out.to_pps(tx.speed_bps, mean)
    wire_bps = pps * (mean + L1_OVERHEAD_BYTES) * 8
    if wire_bps > tx.speed_bps * (1 + 1e-9):
        raise OtgError(
            f"{path}.{choice}: {pps:.6g} frames/s of {mean:g} bytes are "
            f"{wire_bps / 1e6:.6g} Mbit/s on the wire, above the "
            f"{tx.speed_bps / 1e6:g} Mbit/s line rate of port {tx.name}"
        )
    return out


def _gap(obj: Any, path: str, warnings: list[str]) -> None:
    if given(obj, "gap") and int(obj.gap) != STANDARD_GAP_BYTES:
        warnings.append(
            f"{path}.gap: frames leave {STANDARD_GAP_BYTES} bytes apart at least; "
            "the rate sets the gap"
        )


def _ns(delay: Any, speed_bps: int) -> int:
    """A delay or gap (bytes at the line rate, nanoseconds, microseconds) in ns."""
    choice = str(delay.choice)
    value = float(getattr(delay, choice))
    if choice == "bytes":
        return round(value * 8 * 1e9 / speed_bps)
    return round(value * (1000 if choice == "microseconds" else 1))


def _delay(obj: Any, tx: OtgPort) -> int:
    return _ns(obj.delay, tx.speed_bps) if given(obj, "delay") else 0


def _duration(
    duration: Any,
    rate: Rate,
    sizes: Sizes,
    tx: OtgPort,
    path: str,
    warnings: list[str],
) -> _Timing:
    choice = str(duration.choice)
    where = f"{path}.{choice}"
    obj = getattr(duration, choice)
    _gap(obj, where, warnings)
    if choice == "fixed_packets":
        packets = int(obj.packets)
        return _Timing(TxMode.single_burst(packets), packets, _delay(obj, tx))
    if choice == "fixed_seconds":
        pps = rate.to_pps(tx.speed_bps, sizes.length.mean_wire_bytes)
        packets = round(float(obj.seconds) * pps)
        if packets < 1:
            raise OtgError(
                f"{where}.seconds: {obj.seconds} s at {pps:.6g} frames/s is no frame"
            )
        return _Timing(TxMode.single_burst(packets), packets, _delay(obj, tx))
    if choice == "burst":
        ibg_ns = _ns(obj.inter_burst_gap, tx.speed_bps)
        bursts, per_burst = int(obj.bursts), int(obj.packets)
        mode = TxMode.multi_burst(per_burst, ibg_ns / 1000, bursts)
        return _Timing(mode, bursts * per_burst if bursts else None, 0)
    return _Timing(TxMode.continuous(), None, _delay(obj, tx))
