"""Configs for Xena's RFC 2889 plugin (plugin2889 v2.0.4's own pydantic model,
``TestSuiteConfiguration2889``): the ports of one tester, Ethernet + IPv4 frames,
custom frame sizes, and the test types switched on as asked, each with its own
port roles (given as indices into ``ports``).

Everything the model requires is spelled out; a test type that is off still needs
its fields (the model validates all eight), so it gets the plugin's defaults.
"""

from __future__ import annotations

import hashlib
from typing import Any

from rfc2544_plugin_config import (  # type: ignore[import-not-found]
    custom_frame_sizes,
    ethernet_ipv4_profile,
)

Roles = dict[int, tuple[str, int | None]]
"""Port index -> (role, peer port index) for one test type."""

TEST_TYPES = (
    "rate_test",
    "congestion_control",
    "forward_pressure",
    "max_forwarding_rate",
    "address_caching_capacity",
    "address_learning_rate",
    "errored_frames_filtering",
    "broadcast_forwarding",
)
MIXED_WEIGHTS = [0, 0, 0, 0, 57, 3, 5, 1, 2, 5, 1, 4, 4, 18, 0, 0]


def xoa_tester_id(host: str, port: int) -> str:
    """The id xoa-core gives a tester: the md5 of ``host:port``."""
    return hashlib.md5(f"{host}:{port}".encode()).hexdigest()


def _profile() -> dict[str, Any]:
    segments = ethernet_ipv4_profile()["segments"]
    return {
        "header_segments": [
            {
                "segment_type": s["type"],
                "fields": s["fields"],
                "checksum_offset": s.get("checksum_offset"),
            }
            for s in segments
        ]
    }


def _ip(address: str, prefix: int, *, v6: bool = False) -> dict[str, Any]:
    zero = "::" if v6 else "0.0.0.0"
    return {
        "address": address,
        "routing_prefix": prefix,
        "public_address": zero,
        "public_routing_prefix": prefix,
        "gateway": zero,
        "remote_loop_address": zero,
    }


def _port(i: int, slot: tuple[int, int], n: int) -> dict[str, Any]:
    return {
        "port_slot": f"{slot[0]}/{slot[1]}",
        "peer_config_slot": str((i + 1) % n),
        "port_group": "undefined",
        "port_speed_mode": "auto",
        "auto_neg_enabled": False,
        "anlt_enabled": False,
        "mdi_mdix_mode": "auto",
        "broadr_reach_mode": "master",
        "port_rate_cap_enabled": False,
        "port_rate_cap_value": 1000.0,
        "port_rate_cap_profile": "physical_port_rate",
        "port_rate_cap_unit": "field_1e6_bps",
        "interframe_gap": 20,
        "speed_reduction_ppm": 0,
        "pause_mode_enabled": False,
        "latency_offset_ms": 0,
        "fec_mode": "OFF",
        "profile_id": "eth-ipv4",
        "ip_gateway_mac_address": "00:00:00:00:00:00",
        "reply_arp_requests": True,
        "reply_ping_requests": True,
        "remote_loop_mac_address": "00:00:00:00:00:00",
        "ipv4_properties": _ip(f"198.18.0.{i + 2}", 24),
        "ipv6_properties": _ip("::", 64, v6=True),
        "item_id": f"port{i}",
    }


def _role_handler(roles: Roles) -> dict[str, Any]:
    return {
        "role_map": {
            f"guid_port{i}": {
                "is_used": True,
                "role": role,
                "peer_port_id": "" if peer is None else f"port{peer}",
            }
            for i, (role, peer) in roles.items()
        }
    }


def _search(s: dict[str, float]) -> dict[str, Any]:
    return {
        "initial_value": s["initial"],
        "minimum_value": s["min"],
        "maximum_value": s["max"],
        "value_resolution": s["resolution"],
        "use_pass_threshold": False,
        "pass_threshold": 0.0,
    }


def _sweep(start: float, end: float, step: float) -> dict[str, float]:
    return {"start_value": start, "end_value": end, "step_value": step}


def _common(name: str, roles: Roles | None, duration_s: int) -> dict[str, Any]:
    return {
        "enabled": roles is not None,
        "port_role_handler": _role_handler(roles or {}),
        "duration": duration_s,
        "duration_time_unit": "seconds",
        "iterations": 1,
        "item_id": name,
        "label": name,
    }


_OFF_SEARCH = {"initial": 50.0, "min": 1.0, "max": 100.0, "resolution": 1.0}


def rate_test(
    source: int,
    dest: int,
    *,
    throughput: dict[str, float] | None = None,
    forwarding: tuple[float, float, float] | None = None,
    duration_s: int = 1,
) -> dict[str, Any]:
    """Throughput (binary search: initial/min/max/resolution %) and/or forwarding
    rate (a sweep: start, end, step %) from ``source`` to ``dest``, a pair."""
    roles: Roles = {source: ("east", dest), dest: ("west", source)}
    sub = {
        **_common("rate_sub", roles, duration_s),
        "topology": "pairs",
        "direction": "east_to_west",
        "throughput_test_enabled": throughput is not None,
        "forwarding_test_enabled": forwarding is not None,
        "rate_iteration_options": _search(throughput or _OFF_SEARCH),
        "rate_sweep_options": _sweep(*(forwarding or (10, 100, 10))),
    }
    return {**_common("rate_test", roles, duration_s), "sub_test": [sub]}


def congestion_control(
    split: int, single: int, uncongested: int, congested: int, *, duration_s: int = 1
) -> dict[str, Any]:
    """``split`` sends half to ``uncongested``, half to ``congested``; ``single``
    all of its rate to ``congested``."""
    roles: Roles = {
        split: ("source", None),
        single: ("source", None),
        uncongested: ("destination", None),
        congested: ("destination", None),
    }
    return _common("congestion_control", roles, duration_s)


def forward_pressure(
    source: int, dest: int, *, ifg_delta: int = 4, duration_s: int = 1
) -> dict[str, Any]:
    """``source`` sends at 100 % with its inter-frame gap ``ifg_delta`` bytes
    short of 20; the DUT must not pass on more than its line rate."""
    roles: Roles = {source: ("source", None), dest: ("destination", None)}
    return {
        **_common("forward_pressure", roles, duration_s),
        "interframe_gap_delta": ifg_delta,
        "acceptable_rx_max_util_delta": 0.0,
    }


def max_forwarding_rate(
    source: int, dest: int, sweep: tuple[float, float, float], *, duration_s: int = 1
) -> dict[str, Any]:
    """The rate the DUT forwards at each offered rate of ``sweep`` (start, end,
    step %)."""
    roles: Roles = {source: ("source", None), dest: ("destination", None)}
    return {
        **_common("max_forwarding_rate", roles, duration_s),
        "rate_sweep_options": _sweep(*sweep),
        "use_throughput_as_start_value": False,
    }


def _address_common(learning_rate_fps: float, aging_s: int) -> dict[str, Any]:
    return {
        "learn_mac_base_address": "4,244,188,0,0,0",
        "test_port_mac_mode": "UsePortNativeMac",
        "learning_port_dmac_mode": "UseTestPortMac",
        "learning_sequence_port_dmac_mode": "UseIncrementingMacAddresses",
        "learning_rate_fps": learning_rate_fps,
        "toggle_sync_state": False,
        "sync_off_duration": 1,
        "sync_on_duration": 1,
        "switch_test_port_roles": False,
        "dut_aging_time": aging_s,
    }


def _address_roles(test: int, learning: int, monitoring: int) -> Roles:
    return {
        test: ("test_port", None),
        learning: ("learning_port", None),
        monitoring: ("monitoring_port", None),
    }


def address_caching_capacity(
    test: int,
    learning: int,
    monitoring: int,
    search: dict[str, float],
    *,
    learning_rate_fps: float = 1000.0,
    aging_s: int = 0,
    duration_s: int = 1,
) -> dict[str, Any]:
    """The most addresses the DUT learns from ``learning`` and then forwards to
    without flooding ``monitoring`` (a binary search over address counts)."""
    roles = _address_roles(test, learning, monitoring)
    return {
        **_common("address_caching_capacity", roles, duration_s),
        **_address_common(learning_rate_fps, aging_s),
        "address_iteration_options": _search(search),
        "fast_run_resolution_enabled": False,
    }


def address_learning_rate(
    test: int,
    learning: int,
    monitoring: int,
    addresses: tuple[int, int, int],
    search: dict[str, float],
    *,
    learning_rate_fps: float = 1000.0,
    aging_s: int = 0,
    duration_s: int = 1,
) -> dict[str, Any]:
    """The highest learning rate (``search``: % of ``learning_rate_fps``) at which
    the DUT learns every address, for each count of ``addresses`` (a sweep)."""
    roles = _address_roles(test, learning, monitoring)
    return {
        **_common("address_learning_rate", roles, duration_s),
        **_address_common(learning_rate_fps, aging_s),
        "address_sweep_options": _sweep(*addresses),
        "rate_iteration_options": _search(search),
        "only_use_capacity": False,
        "set_end_address_to_capacity": False,
    }


def errored_frames_filtering(
    source: int,
    dest: int,
    sweep: tuple[float, float, float],
    *,
    min_frame: int = 64,
    max_frame: int = 1518,
    undersize_span: int = 4,
    oversize_span: int | None = None,
    duration_s: int = 1,
) -> dict[str, Any]:
    """Undersized frames (``min_frame - undersize_span`` .. ``min_frame - 1``),
    valid ones with FCS errors injected, and (``oversize_span``) oversized ones,
    at each rate of ``sweep``."""
    roles: Roles = {source: ("source", None), dest: ("destination", None)}
    return {
        **_common("errored_frames_filtering", roles, duration_s),
        "rate_sweep_options": _sweep(*sweep),
        "oversize_test_enabled": oversize_span is not None,
        "max_frame_size": max_frame,
        "oversize_span": oversize_span or 1,
        "min_frame_size": min_frame,
        "undersize_span": undersize_span,
    }


def broadcast_forwarding(
    source: int, dests: list[int], search: dict[str, float], *, duration_s: int = 1
) -> dict[str, Any]:
    """The highest rate of broadcast frames from ``source`` that every one of
    ``dests`` receives in full (a binary search)."""
    roles: Roles = {source: ("source", None)}
    roles.update({d: ("destination", None) for d in dests})
    return {
        **_common("broadcast_forwarding", roles, duration_s),
        "rate_iteration_options": _search(search),
    }


_OFF: dict[str, dict[str, Any]] = {
    "rate_test": rate_test(0, 1, throughput=_OFF_SEARCH),
    "congestion_control": congestion_control(0, 1, 2, 3),
    "forward_pressure": forward_pressure(0, 1),
    "max_forwarding_rate": max_forwarding_rate(0, 1, (10, 100, 10)),
    "address_caching_capacity": address_caching_capacity(0, 1, 2, _OFF_SEARCH),
    "address_learning_rate": address_learning_rate(0, 1, 2, (1, 1, 1), _OFF_SEARCH),
    "errored_frames_filtering": errored_frames_filtering(0, 1, (10, 10, 10)),
    "broadcast_forwarding": broadcast_forwarding(0, [1], _OFF_SEARCH),
}


def plugin2889_config(
    tester: str,
    ports: list[tuple[int, int]],
    *,
    frame_sizes: list[int],
    tests: dict[str, dict[str, Any]],
    rate_fraction_pct: float = 100.0,
) -> dict[str, Any]:
    """The whole config: ``tests`` maps test type names (:data:`TEST_TYPES`) to
    what the functions above return; the rest are off. ``rate_fraction_pct``
    scales every rate the tests ask for (the plugin's own rate definition)."""
    unknown = set(tests) - set(TEST_TYPES)
    if unknown:
        raise ValueError(f"unknown test types {sorted(unknown)}")
    suites = {}
    for name in TEST_TYPES:
        suites[name] = tests.get(name) or {**_OFF[name], "enabled": False}
    n = len(ports)
    return {
        "ports_configuration": {
            f"P-{tester}-{m}-{p}": _port(i, (m, p), n) for i, (m, p) in enumerate(ports)
        },
        "protocol_segments": {"eth-ipv4": _profile()},
        "general_test_configuration": {
            "frame_sizes": {
                **custom_frame_sizes(frame_sizes),
                "mixed_sizes_weights": MIXED_WEIGHTS,
            },
            "rate_definition": {
                "rate_type": "fraction",
                "rate_fraction": rate_fraction_pct,
                "rate_pps": 1000.0,
                "rate_bps_l1": 1000.0,
                "rate_bps_l1_unit": "field_1e6_bps",
                "rate_bps_l2": 1000.0,
                "rate_bps_l2_unit": "field_1e6_bps",
            },
            "latency_mode": "last_to_last",
            "toggle_sync_state": False,
            "sync_off_duration": 1,
            "sync_on_duration": 1,
            "should_stop_on_los": False,
            "port_reset_delay": 1,
            "use_port_sync_start": False,
            "port_stagger_steps": 0,
            "use_micro_tpld_on_demand": False,
            "tid_allocation_scope": "configuration_scope",
        },
        "test_suites_configuration": suites,
    }
