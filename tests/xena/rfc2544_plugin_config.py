"""Configs for Xena's RFC 2544 plugin (plugin2544 v2.0.4's own pydantic model,
``PluginModel2544``): two ports as one east/west pair, stream based, Ethernet +
IPv4 frames, custom frame sizes, the four tests switched on as asked.

Everything the model requires is spelled out here, each value the plugin's
default or the choice a user of Valkyrie2544 would make for a two-port test.
"""

from __future__ import annotations

from typing import Any


def _bits(value: int, width: int) -> str:
    return format(value, f"0{width}b")


def _field(name: str, width: int, value: int = 0) -> dict[str, Any]:
    return {"name": name, "value": _bits(value, width), "bit_length": width}


def ethernet_ipv4_profile(profile_id: str = "eth-ipv4") -> dict[str, Any]:
    """Ethernet + IPv4 with zero addresses: the plugin fills in the ports' MACs
    and IP addresses (or the gateway's MAC)."""
    ethernet = {
        "type": "ethernet",
        "fields": [
            _field("Dst MAC addr", 48),
            _field("Src MAC addr", 48),
            _field("EtherType", 16, 0x0800),
        ],
    }
    ipv4 = {
        "type": "ipv4",
        "checksum_offset": 10,
        "fields": [
            _field("Version", 4, 4),
            _field("Header Length", 4, 5),
            _field("DSCP", 6),
            _field("ECN", 2),
            _field("Total Length", 16, 46),
            _field("Identification", 16),
            _field("Flags", 3),
            _field("Fragment Offset", 13),
            _field("TTL", 8, 64),
            _field("Protocol", 8, 255),
            _field("Header Checksum", 16),
            _field("Src IP Addr", 32),
            _field("Dest IP Addr", 32),
        ],
    }
    return {"id": profile_id, "segments": [ethernet, ipv4]}


def custom_frame_sizes(frame_sizes: list[int]) -> dict[str, Any]:
    """The frame-size block of both plugins' models: the sizes given (the other
    fields at their defaults)."""
    return {
        "packet_size_type": "custom_sizes",
        "custom_packet_sizes": frame_sizes,
        "fixed_packet_start_size": 64,
        "fixed_packet_end_size": 1518,
        "fixed_packet_step_size": 100,
        "varying_packet_min_size": 64,
        "varying_packet_max_size": 1518,
        "mixed_length_config": {},
    }


def _port(
    slot: int, peer: int, group: str, ip: str, prefix: int, gateway: str
) -> dict[str, Any]:
    return {
        "port_slot": slot,
        "peer_slot": peer,
        "port_group": group,
        "port_speed_mode": "auto",
        "ip_address": {
            "address": ip,
            "routing_prefix": prefix,
            "public_address": "0.0.0.0",
            "public_routing_prefix": prefix,
            "gateway": gateway,
            "remote_loop_address": "0.0.0.0",
        },
        "ip_gateway_mac_address": "00:00:00:00:00:00",
        "reply_arp_requests": True,
        "reply_ping_requests": True,
        "remote_loop_mac_address": "00:00:00:00:00:00",
        "inter_frame_gap": 20,
        "speed_reduction_ppm": 0,
        "pause_mode_enabled": False,
        "latency_offset_ms": 0,
        "fec_mode": "off",
        "port_rate_cap_enabled": False,
        "port_rate_cap_value": 1000.0,
        "port_rate_cap_profile": "physical_port_rate",
        "port_rate_cap_unit": "1e6_bps",
        "auto_neg_enabled": False,
        "anlt_enabled": False,
        "mdi_mdix_mode": "auto",
        "broadr_reach_mode": "master",
        "protocol_segment_profile_id": "eth-ipv4",
    }


def _common(duration_s: float, repetition: int = 1) -> dict[str, Any]:
    return {
        "duration_type": "time",
        "duration": duration_s,
        "duration_unit": "seconds",
        "repetition": repetition,
    }


def plugin2544_config(
    *,
    frame_sizes: list[int],
    duration_s: float = 1,
    throughput: dict[str, float] | None = None,
    latency_rates: tuple[float, float, float] | None = None,
    loss_rates: tuple[float, float, float] | None = None,
    back_to_back: dict[str, float] | None = None,
    routed: bool = False,
    learning: bool = False,
    sync_start: bool = False,
) -> dict[str, Any]:
    """One pair, port 0 (east) -> port 1 (west).

    ``throughput``: initial/min/max/resolution %; ``latency_rates`` and
    ``loss_rates``: (start, end, step) %; ``back_to_back``: rate % (start = end)
    and burst resolution/maximum. ``routed``: the ports sit in two subnets behind
    the router DUT (198.18.1.2/24 via .1.1 and 198.18.2.2/24 via .2.1) and the
    streams go to the gateway's MAC, which the plugin resolves with PS_ARPREQUEST.
    ``sync_start``: the ports start together with C_TRAFFIC.
    """
    if routed:
        ports = [
            _port(0, 1, "east", "198.18.1.2", 24, "198.18.1.1"),
            _port(1, 0, "west", "198.18.2.2", 24, "198.18.2.1"),
        ]
    else:
        ports = [
            _port(0, 1, "east", "198.18.0.2", 24, "0.0.0.0"),
            _port(1, 0, "west", "198.18.0.3", 24, "0.0.0.0"),
        ]
    tp = throughput or {}
    off = {"start_value_pct": 100, "end_value_pct": 100, "step_value_pct": 10}

    def sweep(rates: tuple[float, float, float] | None) -> dict[str, float]:
        if rates is None:
            return off
        start, end, step = rates
        return {"start_value_pct": start, "end_value_pct": end, "step_value_pct": step}

    b2b = back_to_back or {}
    return {
        "test_configuration": {
            "topology_config": {"topology": "pairs", "direction": "east_to_west"},
            "frame_size_config": {
                "frame_sizes": custom_frame_sizes(frame_sizes),
                "use_micro_tpld_on_demand": False,
                "payload_type": "incrementing",
                "payload_pattern": "00",
            },
            "multi_stream_config": {
                "enable_multi_stream": False,
                "per_port_stream_count": 1,
                "multi_stream_address_offset": 2,
                "multi_stream_address_increment": 1,
                "multi_stream_mac_base_address": "04:f4:bc:00:00:00",
            },
            "test_execution_config": {
                "flow_creation_config": {
                    "flow_creation_type": "stream_based",
                    "tid_allocation_scope": "config_scope",
                    "mac_base_address": "04:f4:bc:00:00:00",
                },
                "port_scheduling_config": {
                    "enable_speed_reduction_sweep": False,
                    "use_port_sync_start": sync_start,
                    "port_stagger_steps": 0,
                },
                "outer_loop_mode": "iterations",
                "mac_learning_options": {
                    "mac_learning_mode": "once" if learning else "never",
                    "mac_learning_frame_count": 1,
                    "toggle_port_sync_config": {
                        "toggle_port_sync": False,
                        "sync_off_duration_second": 1,
                        "delay_after_sync_on_second": 1,
                    },
                },
                "l23_learning_options": {
                    "learning_rate_pct": 1.0,
                    "learning_duration_second": 1,
                    "arp_refresh_enabled": routed,
                    "arp_refresh_period_second": 4000.0,
                    "use_gateway_mac_as_dmac": routed,
                },
                "flow_based_learning_options": {
                    "use_flow_based_learning_preamble": False,
                    "flow_based_learning_frame_count": 1,
                    "delay_after_flow_based_learning_ms": 500,
                },
                "reset_error_handling": {
                    "should_stop_on_los": False,
                    "delay_after_port_reset_second": 1,
                },
            },
        },
        "protocol_segments": [ethernet_ipv4_profile()],
        "ports_configuration": ports,
        "test_types_configuration": {
            "throughput_test": {
                "enabled": throughput is not None,
                "common_options": _common(duration_s),
                "rate_iteration_options": {
                    "search_type": "binary_search",
                    "result_scope": "common_result",
                    "initial_value_pct": tp.get("initial", 50.0),
                    "maximum_value_pct": tp.get("max", 100.0),
                    "minimum_value_pct": tp.get("min", 1.0),
                    "value_resolution_pct": tp.get("resolution", 0.5),
                },
                "use_pass_criteria": False,
                "pass_criteria_throughput_pct": 0.0,
                "acceptable_loss_pct": 0.0,
                "collect_latency_jitter": True,
            },
            "latency_test": {
                "enabled": latency_rates is not None,
                "common_options": _common(duration_s),
                "rate_sweep_options": sweep(latency_rates),
                "latency_mode": "last_to_last",
                "use_relative_to_throughput": False,
            },
            "frame_loss_rate_test": {
                "enabled": loss_rates is not None,
                "common_options": _common(duration_s),
                "rate_sweep_options": sweep(loss_rates),
                "use_gap_monitor": False,
                "gap_monitor_start_microsec": 0,
                "gap_monitor_stop_frames": 0,
                "use_pass_criteria": False,
                "pass_criteria_loss": 0.0,
                "pass_criteria_loss_type": "percent",
            },
            "back_to_back_test": {
                "enabled": back_to_back is not None,
                "common_options": {  # a burst is counted in frames
                    "duration_type": "frames",
                    "duration": b2b.get("maximum", 1000.0),
                    "duration_unit": "frames",
                    "repetition": 1,
                },
                "rate_sweep_options": {
                    "start_value_pct": b2b.get("rate", 100.0),
                    "end_value_pct": b2b.get("rate", 100.0),
                    "step_value_pct": 10.0,
                },
                "burst_size_iteration_options": {
                    "burst_resolution": b2b.get("resolution", 1.0),
                    "maximum_burst": b2b.get("maximum", 1000.0),
                },
            },
        },
    }
