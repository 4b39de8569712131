"""Every pattern kind on UDP ports and IPv4 addresses (24 frames each, captured
on p2; all fields step together per frame)."""

from __future__ import annotations

from typing import Any

from _common import main, new_api, new_config, new_flow, run

API = new_api()
FRAMES = 24


def _flow(src_mac: str, cfg: Any = None, name: str = "f1") -> tuple[Any, Any, Any]:
    """A flow eth/ipv4/udp from ``src_mac``; its (config, ipv4, udp)."""
    cfg = cfg if cfg is not None else new_config(API)
    f = new_flow(cfg, name, packets=FRAMES, pps=10_000, size=100)
    eth, ip, udp = f.packet.ethernet().ipv4().udp()
    eth.src.value, eth.dst.value = src_mac, "02:00:00:00:00:02"
    ip.src.value, ip.dst.value = "198.18.0.1", "198.19.0.1"
    udp.src_port.value, udp.dst_port.value = 1000, 2000
    return cfg, ip, udp


def value() -> dict[str, Any]:
    cfg, ip, udp = _flow("02:00:00:00:20:01")
    udp.src_port.value, udp.dst_port.value = 3333, 4444
    ip.src.value = "198.18.7.7"
    return run(API, cfg)


def values() -> dict[str, Any]:
    cfg, ip, udp = _flow("02:00:00:00:20:02")
    udp.src_port.values = [10, 20, 30]
    ip.dst.values = ["198.19.0.1", "198.19.0.9", "198.19.3.3", "198.19.255.254"]
    return run(API, cfg)


def increment() -> dict[str, Any]:
    cfg, ip, udp = _flow("02:00:00:00:20:03")
    inc = udp.dst_port.increment
    inc.start, inc.step, inc.count = 5000, 3, 5
    inc = ip.src.increment
    inc.start, inc.step, inc.count = "198.18.0.250", "0.0.0.3", 4
    return run(API, cfg)


def decrement() -> dict[str, Any]:
    cfg, ip, udp = _flow("02:00:00:00:20:04")
    dec = udp.src_port.decrement
    dec.start, dec.step, dec.count = 6000, 2, 6
    dec = ip.dst.decrement
    dec.start, dec.step, dec.count = "198.19.1.5", "0.0.1.0", 3
    return run(API, cfg)


def random() -> dict[str, Any]:
    """Two flows with the same random fields and seed: the same sequence."""
    cfg = new_config(API)
    for n, (name, mac) in enumerate(
        (("f1", "02:00:00:00:20:05"), ("f2", "02:00:00:00:20:06"))
    ):
        _cfg, ip, udp = _flow(mac, cfg, name)
        rnd = udp.src_port.random
        rnd.min, rnd.max, rnd.seed, rnd.count = 1000, 1999, 7, FRAMES
        rnd = ip.src.random
        rnd.min, rnd.max, rnd.seed, rnd.count = "198.18.0.1", "198.18.0.200", 9, 6
        cfg.flows[n].rate.pps = 5000
    return run(API, cfg)


if __name__ == "__main__":
    main(
        {
            "value": value,
            "values": values,
            "increment": increment,
            "decrement": decrement,
            "random": random,
        }
    )
