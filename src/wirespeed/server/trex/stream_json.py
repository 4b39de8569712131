"""TRex stream JSON (``add_stream.params.stream``) to and from the stream model.

The model knows no front end: this codec is the TRex front end's (the YAML profiles
also read TRex field-engine instructions with it).

``stream_to_trex_json(stream_from_trex_json(obj)) == obj`` for what the TRex STL
client sends (``STLStream.to_json()`` plus ``next_stream_id``), so that
``get_all_streams`` returns what ``add_stream`` stored. Keys the model does not
own are kept verbatim in ``Stream.trex_extra``. Accepted on input, normalised on
output: ``packet.binary`` as a list of byte values (written back as base64),
``vm`` as a bare instruction list, numbers given as decimal strings, the legacy
``rx_stats`` object (written back as ``flow_stats``).

TRex JSON has no frame-size or payload pattern: a stream built another way is
exported with its template as the packet.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from wirespeed.errors import ParseError, ValidationError
from wirespeed.model import (
    FixChecksumHw,
    FixChecksumIcmpv6,
    FixChecksumIpv4,
    FlowStats,
    FlowStatsKind,
    FlowVar,
    FlowVarOp,
    FlowVarRandLimit,
    Instruction,
    MacDstMode,
    ModeKind,
    Rate,
    RateUnit,
    Stream,
    StreamEnable,
    TrimPktSize,
    TupleFlowVar,
    TxMode,
    VmProgram,
    WriteFlowVar,
    WriteMaskFlowVar,
)
from wirespeed.packet.template import header_length
from wirespeed.server.trex.json_values import (
    get_bool,
    get_float,
    get_int,
    get_obj,
    get_str,
    opt_int,
)

__all__ = [
    "instruction_from_trex_json",
    "instruction_to_trex_json",
    "rate_from_trex_json",
    "rate_to_trex_json",
    "stream_from_trex_json",
    "stream_to_trex_json",
    "trex_flags",
    "vm_from_trex_json",
    "vm_to_trex_json",
]

_OWNED = {
    "flags",
    "action_count",
    "enabled",
    "self_start",
    "start_paused",
    "isg",
    "random_seed",
    "mode",
    "packet",
    "vm",
    "flow_stats",
    "rx_stats",
    "next_stream_id",
}


def _prefixed(exc: ValidationError, path: str) -> ValidationError:
    return ValidationError(
        exc.reason, field=f"{path}.{exc.field}" if exc.field else path
    )


def _flow_var(obj: dict[str, Any], path: str) -> FlowVar:
    values = obj.get("value_list")
    value_list: tuple[int, ...] | None = None
    if values is not None:
        if not isinstance(values, list):
            raise ValidationError("must be a list", field=f"{path}.value_list")
        holder = {str(i): v for i, v in enumerate(values)}
        value_list = tuple(
            get_int(holder, str(i), f"{path}.value_list") for i in holder
        )
    try:
        op = FlowVarOp(obj.get("op"))
    except ValueError as exc:
        raise ValidationError("must be inc, dec or random", field=f"{path}.op") from exc
    next_var = obj.get("next_var")
    return FlowVar(
        name=get_str(obj, "name", path),
        size=get_int(obj, "size", path),
        op=op,
        init_value=None if value_list else opt_int(obj, "init_value", path),
        min_value=0 if value_list else get_int(obj, "min_value", path),
        max_value=255 if value_list else get_int(obj, "max_value", path),
        step=get_int(obj, "step", path, 1),
        value_list=value_list,
        next_var=next_var if next_var is None else get_str(obj, "next_var", path),
        split_to_cores=get_bool(obj, "split_to_cores", path, True),
    )


def _rand_limit(obj: dict[str, Any], path: str) -> FlowVarRandLimit:
    next_var = obj.get("next_var")
    return FlowVarRandLimit(
        name=get_str(obj, "name", path),
        size=get_int(obj, "size", path),
        limit=get_int(obj, "limit", path),
        seed=get_int(obj, "seed", path, 0),
        min_value=get_int(obj, "min_value", path, 0),
        max_value=opt_int(obj, "max_value", path),
        split_to_cores=get_bool(obj, "split_to_cores", path, True),
        next_var=next_var if next_var is None else get_str(obj, "next_var", path),
    )


def _build(kind: str, obj: dict[str, Any], path: str) -> Instruction:
    if kind == "flow_var":
        return _flow_var(obj, path)
    if kind == "flow_var_rand_limit":
        return _rand_limit(obj, path)
    if kind == "tuple_flow_var":
        return TupleFlowVar(
            name=get_str(obj, "name", path),
            ip_min=get_int(obj, "ip_min", path),
            ip_max=get_int(obj, "ip_max", path),
            port_min=get_int(obj, "port_min", path),
            port_max=get_int(obj, "port_max", path),
            limit_flows=get_int(obj, "limit_flows", path),
            flags=get_int(obj, "flags", path, 0),
        )
    if kind == "write_flow_var":
        return WriteFlowVar(
            name=get_str(obj, "name", path),
            pkt_offset=get_int(obj, "pkt_offset", path),
            add_value=get_int(obj, "add_value", path, 0),
            is_big_endian=get_bool(obj, "is_big_endian", path, True),
        )
    if kind == "write_mask_flow_var":
        return WriteMaskFlowVar(
            name=get_str(obj, "name", path),
            pkt_offset=get_int(obj, "pkt_offset", path),
            pkt_cast_size=get_int(obj, "pkt_cast_size", path),
            mask=get_int(obj, "mask", path),
            shift=get_int(obj, "shift", path, 0),
            add_value=get_int(obj, "add_value", path, 0),
            is_big_endian=get_bool(obj, "is_big_endian", path, True),
        )
    if kind == "trim_pkt_size":
        return TrimPktSize(name=get_str(obj, "name", path))
    if kind == "fix_checksum_ipv4":
        return FixChecksumIpv4(pkt_offset=get_int(obj, "pkt_offset", path))
    if kind == "fix_checksum_hw":
        return FixChecksumHw(
            l2_len=get_int(obj, "l2_len", path),
            l3_len=get_int(obj, "l3_len", path),
            l4_type=get_int(obj, "l4_type", path),  # type: ignore[arg-type]
        )
    if kind == "fix_checksum_icmpv6":
        return FixChecksumIcmpv6(
            l2_len=get_int(obj, "l2_len", path), l3_len=get_int(obj, "l3_len", path)
        )
    raise ValidationError(f"unknown instruction type {kind!r}", field=f"{path}.type")


def instruction_from_trex_json(
    obj: Any, path: str = "vm.instructions[0]"
) -> Instruction:
    """Parse one TRex VM instruction object.

    Raises:
        ValidationError: naming ``path`` and the offending key.
    """
    obj = get_obj(obj, path)
    kind = obj.get("type")
    if not isinstance(kind, str):
        raise ValidationError("missing instruction type", field=f"{path}.type")
    try:
        return _build(kind, obj, path)
    except ValidationError as exc:
        if exc.field and exc.field.startswith(path):
            raise
        raise _prefixed(exc, path) from exc


def instruction_to_trex_json(ins: Instruction) -> dict[str, Any]:
    """Return the TRex JSON object of one instruction (keys as the client sends)."""
    if isinstance(ins, FlowVar):
        out: dict[str, Any] = {"type": "flow_var", "name": ins.name, "size": ins.size}
        out["op"] = ins.op.value
        if ins.value_list is not None:
            out["value_list"] = list(ins.value_list)
        else:
            out["init_value"] = ins.init_value
            out["min_value"] = ins.min_value
            out["max_value"] = ins.max_value
        out["step"] = ins.step
        out["next_var"] = ins.next_var
        out["split_to_cores"] = ins.split_to_cores
        return out
    if isinstance(ins, FlowVarRandLimit):
        return {
            "type": "flow_var_rand_limit",
            "name": ins.name,
            "size": ins.size,
            "limit": ins.limit,
            "seed": ins.seed,
            "min_value": ins.min_value,
            "max_value": ins.max_value,
            "split_to_cores": ins.split_to_cores,
            "next_var": ins.next_var,
        }
    if isinstance(ins, TupleFlowVar):
        return {"type": "tuple_flow_var", **_fields(ins)}
    if isinstance(ins, WriteFlowVar):
        return {"type": "write_flow_var", **_fields(ins)}
    if isinstance(ins, WriteMaskFlowVar):
        return {"type": "write_mask_flow_var", **_fields(ins)}
    if isinstance(ins, TrimPktSize):
        return {"type": "trim_pkt_size", "name": ins.name}
    if isinstance(ins, FixChecksumIpv4):
        return {"type": "fix_checksum_ipv4", "pkt_offset": ins.pkt_offset}
    if isinstance(ins, FixChecksumHw):
        return {
            "type": "fix_checksum_hw",
            "l2_len": ins.l2_len,
            "l3_len": ins.l3_len,
            "l4_type": int(ins.l4_type),
        }
    return {"type": "fix_checksum_icmpv6", "l2_len": ins.l2_len, "l3_len": ins.l3_len}


def _fields(ins: object) -> dict[str, Any]:
    return {key: getattr(ins, key) for key in ins.__dataclass_fields__}  # type: ignore[attr-defined]


def vm_from_trex_json(
    obj: Any, extra: list[tuple[str, str]] | None = None
) -> VmProgram:
    """Parse the ``vm`` object (or a bare instruction list).

    Args:
        obj: ``{"instructions": [...], "cache": N}`` or ``[...]``.
        extra: receives unknown keys as ("vm.<key>", JSON text).
    """
    if isinstance(obj, list):
        obj = {"instructions": obj}
    obj = get_obj(obj, "vm")
    raw = obj.get("instructions", [])
    if not isinstance(raw, list):
        raise ValidationError("must be a list", field="vm.instructions")
    instructions = tuple(
        instruction_from_trex_json(item, f"vm.instructions[{i}]")
        for i, item in enumerate(raw)
    )
    if extra is not None:
        for key, value in obj.items():
            if key not in {"instructions", "cache"}:
                extra.append((f"vm.{key}", json.dumps(value)))
    return VmProgram(instructions, cache_size=get_int(obj, "cache", "vm", 0))


def vm_to_trex_json(vm: VmProgram) -> dict[str, Any]:
    """Return the ``vm`` object (``cache`` only when set)."""
    out: dict[str, Any] = {
        "instructions": [instruction_to_trex_json(ins) for ins in vm.instructions]
    }
    if vm.cache_size:
        out["cache"] = vm.cache_size
    return out


def rate_to_trex_json(rate: Rate) -> dict[str, Any]:
    """Return TRex's ``{"type": ..., "value": ...}`` (ppm becomes percentage)."""
    if rate.unit is RateUnit.PPM:
        return {"type": RateUnit.PERCENT.value, "value": rate.value / 10_000}
    return {"type": rate.unit.value, "value": rate.value}


def rate_from_trex_json(obj: Any, field: str = "mode.rate") -> Rate:
    """Parse TRex's rate object.

    Raises:
        ValidationError: not an object, unknown type or bad value.
    """
    if not isinstance(obj, dict):
        raise ValidationError("rate must be an object", field=field)
    kind = obj.get("type")
    if kind not in {"pps", "bps_L1", "bps_L2", "percentage"}:
        raise ValidationError(f"unknown rate type {kind!r}", field=f"{field}.type")
    value: Any = obj.get("value")  # Rate checks it
    try:
        return Rate(RateUnit(kind), value)
    except ValidationError as exc:
        raise ValidationError(exc.reason, field=f"{field}.value") from exc


def trex_flags(stream: Stream) -> int:
    """TRex ``flags``: bit 0 src MAC from packet, bits 1-2 dst mode, bit 3 dummy."""
    return (
        int(stream.mac_src_from_packet)
        | (int(stream.mac_dst_mode) << 1)
        | (int(stream.is_dummy) << 3)
    )


def _mode(obj: Any) -> tuple[TxMode, Rate]:
    obj = get_obj(obj, "mode")
    rate = rate_from_trex_json(obj.get("rate"))
    kind = obj.get("type")
    if kind == "continuous":
        return TxMode.continuous(), rate
    if kind == "single_burst":
        return TxMode.single_burst(get_int(obj, "total_pkts", "mode")), rate
    if kind == "multi_burst":
        mode = TxMode.multi_burst(
            get_int(obj, "pkts_per_burst", "mode"),
            get_float(obj, "ibg", "mode", 0.0),
            get_int(obj, "count", "mode"),
        )
        return mode, rate
    raise ValidationError(f"unknown mode {kind!r}", field="mode.type")


def _mode_json(stream: Stream) -> dict[str, Any]:
    mode = stream.mode
    out: dict[str, Any] = {
        "type": mode.kind.value,
        "rate": rate_to_trex_json(stream.rate),
    }
    if mode.kind is ModeKind.SINGLE_BURST:
        out["total_pkts"] = mode.total_pkts
    elif mode.kind is ModeKind.MULTI_BURST:
        out["pkts_per_burst"] = mode.pkts_per_burst
        out["ibg"] = mode.ibg_us
        out["count"] = mode.count
    return out


def _packet(obj: Any, extra: list[tuple[str, str]]) -> bytes:
    obj = get_obj(obj, "packet")
    binary = obj.get("binary")
    if isinstance(binary, str):
        try:
            data = base64.b64decode(binary, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise ValidationError("not base64", field="packet.binary") from exc
    elif isinstance(binary, list):
        if not all(isinstance(b, int) and not isinstance(b, bool) for b in binary):
            raise ValidationError("byte values expected", field="packet.binary")
        if not all(0 <= b <= 255 for b in binary):
            raise ValidationError("byte values expected", field="packet.binary")
        data = bytes(binary)
    else:
        raise ValidationError("missing", field="packet.binary")
    for key, value in obj.items():
        if key != "binary":
            extra.append((f"packet.{key}", json.dumps(value)))
    return data


def _flow_stats(stream_obj: dict[str, Any]) -> FlowStats | None:
    if "flow_stats" not in stream_obj and "rx_stats" in stream_obj:
        rx = get_obj(stream_obj["rx_stats"], "rx_stats")
        if not get_bool(rx, "enabled", "rx_stats", False):
            return None
        latency = get_bool(rx, "latency_enabled", "rx_stats", False)
        kind = FlowStatsKind.LATENCY if latency else FlowStatsKind.STATS
        return FlowStats(get_int(rx, "stream_id", "rx_stats"), kind)
    obj = get_obj(stream_obj.get("flow_stats", {"enabled": False}), "flow_stats")
    if not get_bool(obj, "enabled", "flow_stats", False):
        return None
    try:
        kind = FlowStatsKind(obj.get("rule_type", "stats"))
    except ValueError as exc:
        raise ValidationError(
            "unknown rule type", field="flow_stats.rule_type"
        ) from exc
    vxlan = obj.get("vxlan")
    ieee = obj.get("ieee_1588")
    return FlowStats(
        pg_id=get_int(obj, "stream_id", "flow_stats"),
        kind=kind,
        vxlan=None if vxlan is None else get_bool(obj, "vxlan", "flow_stats"),
        ieee_1588=None if ieee is None else get_bool(obj, "ieee_1588", "flow_stats"),
    )


def _flow_stats_json(fs: FlowStats | None) -> dict[str, Any]:
    if fs is None:
        return {"enabled": False}
    out: dict[str, Any] = {"enabled": True, "stream_id": fs.pg_id}
    if fs.vxlan is not None:
        out["vxlan"] = fs.vxlan
    if fs.ieee_1588 is not None:
        out["ieee_1588"] = fs.ieee_1588
    out["rule_type"] = fs.kind.value
    return out


def _header_len(packet: bytes) -> int | None:
    try:
        return header_length(packet)
    except ParseError:
        return None


def stream_from_trex_json(obj: Any) -> Stream:
    """Build a Stream from TRex's stream JSON.

    Raises:
        ValidationError: naming the offending key (``mode.rate.value``,
            ``vm.instructions[2].name``...); never another exception type.
    """
    obj = get_obj(obj, "stream")
    extra: list[tuple[str, str]] = []
    packet = _packet(obj.get("packet"), extra)
    mode, rate = _mode(obj.get("mode"))
    vm = vm_from_trex_json(obj.get("vm", []), extra)
    flags = get_int(obj, "flags", "", 0)
    if not 0 <= flags <= 0xF:
        raise ValidationError("unknown flag bits", field="flags")
    name = obj.get("name")
    for key, value in obj.items():
        if key not in _OWNED and not (key == "name" and isinstance(name, str)):
            extra.append((key, json.dumps(value)))
    seed = get_int(obj, "random_seed", "", 0)
    if "random_seed" in obj and seed == 0:
        extra.append(("random_seed", "0"))
    return Stream(
        packet=packet,
        header_len_bytes=_header_len(packet),
        name=name if isinstance(name, str) else "",
        enabled=StreamEnable.ON
        if get_bool(obj, "enabled", "", True)
        else StreamEnable.OFF,
        flow_stats=_flow_stats(obj),
        rate=rate,
        mode=mode,
        vm=vm,
        self_start=get_bool(obj, "self_start", "", True),
        next_stream_id=get_int(obj, "next_stream_id", "", -1),
        isg_us=get_float(obj, "isg", "", 0.0),
        action_count=get_int(obj, "action_count", "", 0),
        random_seed=seed,
        mac_src_from_packet=bool(flags & 1),
        mac_dst_mode=MacDstMode((flags >> 1) & 3)
        if (flags >> 1) & 3 != 3
        else _bad_dst(),
        is_dummy=bool(flags & 8),
        start_paused=get_bool(obj, "start_paused", "", False),
        trex_extra=tuple(extra),
    )


def _bad_dst() -> MacDstMode:
    raise ValidationError("dst MAC mode 3 is undefined", field="flags")


def stream_to_trex_json(stream: Stream) -> dict[str, Any]:
    """Return TRex's stream JSON for ``stream`` (see the module docstring)."""
    out: dict[str, Any] = {
        "flags": trex_flags(stream),
        "action_count": stream.action_count,
        "enabled": stream.enabled is StreamEnable.ON,
        "self_start": stream.self_start,
        "start_paused": stream.start_paused,
        "isg": stream.isg_us,
        "mode": _mode_json(stream),
        "packet": {"binary": base64.b64encode(stream.packet).decode("ascii")},
        "vm": vm_to_trex_json(stream.vm),
        "flow_stats": _flow_stats_json(stream.flow_stats),
    }
    if stream.random_seed:
        out["random_seed"] = stream.random_seed
    if stream.name:
        out["name"] = stream.name
    out["next_stream_id"] = stream.next_stream_id
    for key, text in stream.trex_extra:
        value = json.loads(text)
        head, _, tail = key.partition(".")
        if tail and head in {"packet", "vm"}:
            out[head][tail] = value
        else:
            out[key] = value
    return out
