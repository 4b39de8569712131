"""An OTG configuration (snappi's ``Config``) as a :class:`.plan.ConfigPlan` (pure).

The server parses the request with snappi's own classes
(``snappi.api().config().deserialize(body)``: types, enums and ranges checked) and
hands the object here; the translation reads it through snappi's getters (defaults
filled in) and refuses, naming the field, what the engine cannot do:

* ``devices``, ``lags``, ``lldp``, ``egress_only_tracking``, ``stateful_flows``,
  ``events``, per-port protocol options, packet-loss durations, data integrity,
  RFC 2889 frame ordering, and any part of a configuration, flow or header that
  the translation does not read;
* flows over devices, egress tracking, header kinds other than ethernet, vlan,
  vxlan, ipv4, ipv6, udp, tcp and custom (see :mod:`.headers`), IPv4 options,
  tracked field values (metric tags), metrics tagged by port, rx/tx ratios;
* capture filters, layer1 flow control, a layer1 MTU above the port's own.

Layer1 media and auto-negotiation settings, ``promiscuous: false`` and frame gaps
other than 12 bytes are accepted with a warning.

Several errors are reported at once where they are independent (ports, layer1,
captures, each flow).
"""

from __future__ import annotations

from typing import Any

from wirespeed.server.otg.access import given, given_names, items
from wirespeed.server.otg.errors import OtgError, unsupported
from wirespeed.server.otg.flows import OtgPort, plan_flow
from wirespeed.server.otg.plan import CapturePlan, ConfigPlan, FlowPlan, PortLookup

__all__ = ["LAYER1_SPEEDS", "plan_config"]

LAYER1_SPEEDS: dict[str, int] = {
    "speed_10_fd_mbps": 10_000_000,
    "speed_10_hd_mbps": 10_000_000,
    "speed_100_fd_mbps": 100_000_000,
    "speed_100_hd_mbps": 100_000_000,
    "speed_1_gbps": 1_000_000_000,
    "speed_10_gbps": 10_000_000_000,
    "speed_25_gbps": 25_000_000_000,
    "speed_40_gbps": 40_000_000_000,
    "speed_50_gbps": 50_000_000_000,
    "speed_100_gbps": 100_000_000_000,
    "speed_200_gbps": 200_000_000_000,
    "speed_400_gbps": 400_000_000_000,
    "speed_800_gbps": 800_000_000_000,
}
"""OTG ``layer1.speed`` in bits per second."""
SNAPLEN_MAX = 65535
_SERVED = {"ports", "layer1", "captures", "flows", "options"}
_UNSUPPORTED = {
    "devices": "emulated devices",
    "lags": "link aggregation (LAG)",
    "lldp": "LLDP",
    "egress_only_tracking": "egress-only tracking",
    "stateful_flows": "stateful flows",
    "events": "events",
}
_LAYER1_IGNORED = ("media", "ieee_media_defaults", "auto_negotiate", "auto_negotiation")


def plan_config(config: Any, ports: PortLookup) -> ConfigPlan:
    """Translate an OTG configuration.

    Args:
        config: snappi's ``Config`` (``snappi.api().config()`` after
            ``deserialize``).
        ports: the daemon's ports (locations, line rates, MTUs).

    Returns:
        The plan: OTG port names to tester ports, flows as streams, captures,
        layer1 speeds, and warnings.

    Raises:
        OtgError: ``validation``, one message per refused field.
    """
    errors: list[str] = []
    warnings: list[str] = []
    _refuse_unsupported(config, errors)
    names = _ports(config, ports, errors)
    speeds, mtus = _layer1(config, names, ports, errors, warnings)
    captures = _captures(config, names, errors)
    flows: list[FlowPlan] = []
    if len(names) == len(items(config, "ports")):  # else flows would name missing ports
        otg_ports = {
            name: OtgPort(
                name, port, speeds.get(port, ports.speed_bps(port)), mtus[port]
            )
            for name, port in names.items()
        }
        flows = _flows(config, otg_ports, errors, warnings)
    if errors:
        raise OtgError(errors)
    return ConfigPlan(
        ports=names,
        flows=tuple(flows),
        captures=tuple(captures),
        speeds=speeds,
        warnings=tuple(warnings),
    )


def _refuse_unsupported(config: Any, errors: list[str]) -> None:
    for name in given_names(config):
        if name not in _SERVED:
            what = _UNSUPPORTED.get(name, f"the configuration's {name!r}")
            errors += unsupported(name, what).errors
    if given(config, "options"):
        _options(config.options, errors)


def _options(options: Any, errors: list[str]) -> None:
    refused: list[tuple[str, str]] = []
    if given(options, "per_port_options"):
        refused.append(("per_port_options", "protocol options"))
    flow = options.flow_options if given(options, "flow_options") else None
    if flow is not None and flow.packet_loss_duration:
        refused.append(("flow_options.packet_loss_duration", "packet loss durations"))
    port = options.port_options if given(options, "port_options") else None
    if port is not None and port.data_integrity:
        refused.append(("port_options.data_integrity", "data integrity checks"))
    ordering = "no_ordering"
    if port is not None and given(port, "frame_ordering_mode"):
        ordering = str(port.frame_ordering_mode.choice)
    if ordering != "no_ordering":
        refused.append(("port_options.frame_ordering_mode", "RFC 2889 frame ordering"))
    for field, what in refused:
        errors += unsupported(f"options.{field}", what).errors


def _ports(config: Any, ports: PortLookup, errors: list[str]) -> dict[str, int]:
    """OTG port name -> tester port, for the ports that were found."""
    names: dict[str, int] = {}
    taken: dict[int, str] = {}
    for i, port in enumerate(items(config, "ports")):
        name, location = str(port.name), port.location
        if name in names or name in taken.values():
            errors.append(f"ports[{i}].name: a second port named {name!r}")
            continue
        if not location:
            errors.append(f"ports[{i}].location: missing")
            continue
        found = ports.locate(str(location))
        if found is None:
            errors.append(f"ports[{i}].location: no port at location {location!r}")
        elif found in taken:
            errors.append(
                f"ports[{i}].location: {location!r} is port {taken[found]!r} already"
            )
        else:
            names[name] = found
            taken[found] = name
    return names


def _layer1(
    config: Any,
    names: dict[str, int],
    ports: PortLookup,
    errors: list[str],
    warnings: list[str],
) -> tuple[dict[int, int], dict[int, int]]:
    """(line rate, MTU) by tester port: the ports' own unless layer1 sets them."""
    speeds: dict[int, int] = {}
    mtus = {port: ports.mtu(port) for port in names.values()}
    for i, l1 in enumerate(items(config, "layer1")):
        where = f"layer1[{i}]"
        if given(l1, "flow_control"):
            errors += unsupported(f"{where}.flow_control", "flow control").errors
        for name in _LAYER1_IGNORED:
            if given(l1, name):
                warnings.append(
                    f"{where}.{name}: ignored (the interface keeps its own)"
                )
        if given(l1, "promiscuous") and not l1.promiscuous:
            warnings.append(f"{where}.promiscuous: ports always receive every frame")
        for k, name in enumerate(l1.port_names):
            port = names.get(str(name))
            if port is None:
                if str(name) not in {str(p.name) for p in items(config, "ports")}:
                    errors.append(f"{where}.port_names[{k}]: no port named {name!r}")
                continue
            if given(l1, "speed"):
                speeds[port] = LAYER1_SPEEDS[str(l1.speed)]
            if given(l1, "mtu"):
                mtu, own = int(l1.mtu), ports.mtu(port)
                if mtu > own:
                    errors.append(
                        f"{where}.mtu: {mtu} is above port {name!r}'s MTU of {own} "
                        "(wirespeed does not change it)"
                    )
                mtus[port] = min(mtu, own)
    return speeds, mtus


def _captures(
    config: Any, names: dict[str, int], errors: list[str]
) -> list[CapturePlan]:
    out: list[CapturePlan] = []
    for i, cap in enumerate(items(config, "captures")):
        where = f"captures[{i}]"
        if given(cap, "filters"):
            errors += unsupported(f"{where}.filters", "capture filters").errors
        found: list[int] = []
        for k, name in enumerate(cap.port_names):
            port = names.get(str(name))
            if port is not None:
                found.append(port)
            elif str(name) not in {str(p.name) for p in items(config, "ports")}:
                errors.append(f"{where}.port_names[{k}]: no port named {name!r}")
        size = cap.packet_size if given(cap, "packet_size") else None
        out.append(
            CapturePlan(
                name=str(cap.name),
                ports=tuple(found),
                fmt=str(cap.format),
                overwrite=bool(cap.overwrite),
                snaplen=int(size) if size else SNAPLEN_MAX,
            )
        )
    return out


def _flows(
    config: Any, ports: dict[str, OtgPort], errors: list[str], warnings: list[str]
) -> list[FlowPlan]:
    out: list[FlowPlan] = []
    seen: set[str] = set()
    for i, flow in enumerate(items(config, "flows")):
        name = str(flow.name)
        if name in seen:
            errors.append(f"flows[{i}].name: a second flow named {name!r}")
            continue
        seen.add(name)
        try:
            out.append(plan_flow(i, flow, ports, warnings))
        except OtgError as exc:
            errors.extend(exc.errors)
    return out
