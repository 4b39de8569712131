"""Durations: fixed packets, fixed seconds, bursts (each flow stops by itself)."""

from __future__ import annotations

from typing import Any

from _common import main, new_api, new_config, new_flow, port_metrics, run

API = new_api()


def fixed_packets() -> dict[str, Any]:
    """1000 frames of 128 B at 10,000 frames/s."""
    cfg = new_config(API, capture=None)
    f = new_flow(cfg, packets=1000, pps=10_000, size=128)
    f.packet.ethernet().ipv4().udp()
    f.packet[0].src.value = "02:00:00:00:01:01"
    out = run(API, cfg, capture=False)
    out["ports"] = port_metrics(API)
    return out


def fixed_seconds() -> dict[str, Any]:
    """0.5 s at 2000 frames/s."""
    cfg = new_config(API, capture=None)
    f = new_flow(cfg, packets=None, pps=2000, size=100)
    f.duration.fixed_seconds.seconds = 0.5
    f.packet.ethernet().ipv4().udp()
    return run(API, cfg, capture=False)


def burst() -> dict[str, Any]:
    """3 bursts of 40 frames at 100,000 frames/s, 30 ms between bursts."""
    cfg = new_config(API)
    f = new_flow(cfg, packets=None, pps=100_000, size=100)
    f.duration.burst.bursts = 3
    f.duration.burst.packets = 40
    f.duration.burst.inter_burst_gap.nanoseconds = 30_000_000
    eth = f.packet.ethernet()[-1]
    eth.src.value = "02:00:00:00:03:01"
    f.packet.ipv4().udp()
    return run(API, cfg)


if __name__ == "__main__":
    main(
        {"fixed_packets": fixed_packets, "fixed_seconds": fixed_seconds, "burst": burst}
    )
