"""Rates given as a percentage of the layer1 speed and in bits per second, each
over fixed seconds (the frames sent say the rate exactly)."""

from __future__ import annotations

from typing import Any

from _common import main, new_api, new_config, new_flow, run

API = new_api()


def _flow(size: int, seconds: float, speed: str | None = None) -> tuple[Any, Any]:
    cfg = new_config(API, capture=None, speed=speed)
    f = new_flow(cfg, packets=None, pps=None, size=size)
    f.duration.fixed_seconds.seconds = seconds
    f.packet.ethernet().ipv4().udp()
    return cfg, f


def percentage() -> dict[str, Any]:
    """0.1 % of 1 Gb/s with 105-byte frames (+ 20 bytes preamble and gap:
    1000 bits on the line each), 0.5 s."""
    cfg, f = _flow(105, 0.5, speed="speed_1_gbps")
    f.rate.percentage = 0.1
    return run(API, cfg, capture=False)


def percentage_10g() -> dict[str, Any]:
    """0.01 % of 10 Gb/s, the same frames, 0.5 s."""
    cfg, f = _flow(105, 0.5, speed="speed_10_gbps")
    f.rate.percentage = 0.01
    return run(API, cfg, capture=False)


def mbps() -> dict[str, Any]:
    """1 Mb/s of 125-byte frames, 0.5 s."""
    cfg, f = _flow(125, 0.5)
    f.rate.mbps = 1
    return run(API, cfg, capture=False)


def kbps() -> dict[str, Any]:
    """600 kb/s of 125-byte frames, 0.5 s."""
    cfg, f = _flow(125, 0.5)
    f.rate.kbps = 600
    return run(API, cfg, capture=False)


def bps() -> dict[str, Any]:
    """800,000 b/s of 125-byte frames, 0.5 s."""
    cfg, f = _flow(125, 0.5)
    f.rate.bps = 800_000
    return run(API, cfg, capture=False)


if __name__ == "__main__":
    main(
        {
            "percentage": percentage,
            "percentage_10g": percentage_10g,
            "mbps": mbps,
            "kbps": kbps,
            "bps": bps,
        }
    )
