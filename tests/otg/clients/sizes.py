"""Frame sizes (FCS included): increment, random, OTG's imix, custom weight pairs
(each flow's frames captured on p2)."""

from __future__ import annotations

from typing import Any

from _common import main, new_api, new_config, new_flow, run

API = new_api()


def _flow(src_mac: str, packets: int, *, udp: bool = True) -> tuple[Any, Any]:
    """A flow eth/ipv4/udp (eth/ipv4 without ``udp``) from ``src_mac``."""
    cfg = new_config(API)
    f = new_flow(cfg, packets=packets, pps=20_000, size=None)
    eth, ip = f.packet.ethernet().ipv4()
    eth.src.value, eth.dst.value = src_mac, "02:00:00:00:00:02"
    ip.src.value, ip.dst.value = "198.18.0.1", "198.19.0.1"
    if udp:
        u = f.packet.udp()[-1]
        u.src_port.value, u.dst_port.value = 1000, 2000
    return cfg, f


def increment() -> dict[str, Any]:
    """100, 150, ..., 400 bytes, then again (14 frames)."""
    cfg, f = _flow("02:00:00:00:30:01", 14)
    f.size.increment.start, f.size.increment.end = 100, 400
    f.size.increment.step = 50
    return run(API, cfg)


def random() -> dict[str, Any]:
    """Sizes drawn within [100, 200] (200 frames)."""
    cfg, f = _flow("02:00:00:00:30:02", 200)
    f.size.random.min, f.size.random.max = 100, 200
    return run(API, cfg)


def imix() -> dict[str, Any]:
    """OTG's imix: 64, 570, 1518 bytes at 7:4:1 (120 frames). Ethernet and IPv4
    (34 bytes) and the test payload (20) fit 64 bytes with the FCS."""
    cfg, f = _flow("02:00:00:00:30:03", 120, udp=False)
    f.size.weight_pairs.predefined = f.size.weight_pairs.IMIX
    return run(API, cfg)


def custom_weights() -> dict[str, Any]:
    """100:1, 200:2, 300:3 (60 frames)."""
    cfg, f = _flow("02:00:00:00:30:04", 60)
    wp = f.size.weight_pairs
    for size, weight in ((100, 1), (200, 2), (300, 3)):
        wp.custom.custom(size=size, weight=weight)
    return run(API, cfg)


if __name__ == "__main__":
    main(
        {
            "increment": increment,
            "random": random,
            "imix": imix,
            "custom_weights": custom_weights,
        }
    )
