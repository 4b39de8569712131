"""How snappi reaches the daemon: HTTPS (the capture as pcap) and plain HTTP (the
same frames as pcapng), snappi's version check, the configuration read back."""

from __future__ import annotations

from typing import Any

from _common import (
    control,
    http_location,
    location,
    main,
    new_api,
    new_config,
    new_flow,
    run,
    wait_done,
)


def _config(api: Any, fmt: str) -> Any:
    cfg = new_config(api, capture=fmt)
    f = new_flow(cfg, packets=20, pps=10_000, size=90)
    eth, ip, udp = f.packet.ethernet().ipv4().udp()
    eth.src.value, eth.dst.value = "02:00:00:00:40:01", "02:00:00:00:00:02"
    ip.src.value, ip.dst.value = "198.18.0.1", "198.19.0.1"
    inc = udp.src_port.increment
    inc.start, inc.step, inc.count = 100, 1, 20
    udp.dst_port.value = 200
    return cfg


def https() -> dict[str, Any]:
    api = new_api(location())
    return run(api, _config(api, "pcap"))


def http() -> dict[str, Any]:
    api = new_api(http_location())
    return run(api, _config(api, "pcapng"))


def version_check() -> dict[str, Any]:
    """A client that checks the server's API version before its first call."""
    out: dict[str, Any] = {}
    for scheme, url in (("https", location()), ("http", http_location())):
        api = new_api(url, version_check=True)
        res = run(api, _config(api, "pcap"), capture=False)
        v = api.get_version()
        res["version"] = {
            "api_spec_version": v.api_spec_version,
            "has_app_version": bool(v.app_version),
        }
        res["local"] = api.get_local_version().api_spec_version
        out[scheme] = res
    return out


def _missing(sent: Any, got: Any, path: str = "") -> list[str]:
    """Where ``got`` lacks what ``sent`` holds (it may hold defaults more)."""
    if isinstance(sent, dict) and isinstance(got, dict):
        return [
            m for k, v in sent.items() for m in _missing(v, got.get(k), f"{path}.{k}")
        ]
    if isinstance(sent, list) and isinstance(got, list) and len(sent) == len(got):
        return [
            m
            for i, (a, b) in enumerate(zip(sent, got, strict=True))
            for m in _missing(a, b, f"{path}[{i}]")
        ]
    return [] if sent == got else [f"{path}: sent {sent!r}, got {got!r}"]


def config_roundtrip() -> dict[str, Any]:
    """GET /config answers the configuration set, as it was set."""
    api = new_api()
    cfg = _config(api, "pcapng")
    api.set_config(cfg)
    got = api.get_config()
    return {
        "missing": _missing(cfg.serialize(cfg.DICT), got.serialize(got.DICT)),
        "same": cfg.serialize(cfg.DICT) == got.serialize(got.DICT),
        "flows": [f.name for f in got.flows],
        "udp_src": got.flows[0].packet[2].src_port.serialize(got.DICT),
    }


def update() -> dict[str, Any]:
    """PATCH /config: a flow's rate and size changed after it was set (0.5 s at
    1000 frames/s of 100 B becomes 0.5 s at 2000 frames/s of 200 B)."""
    api = new_api()
    cfg = new_config(api, capture=None)
    f = new_flow(cfg, packets=None, pps=1000, size=100)
    f.duration.fixed_seconds.seconds = 0.5
    f.packet.ethernet().ipv4().udp()
    api.set_config(cfg)
    upd = api.config_update()
    upd.flows.property_names = [upd.flows.RATE, upd.flows.SIZE]
    new = upd.flows.flows.add(name="f1")
    new.tx_rx.port.tx_name = "p1"
    new.rate.pps, new.size.fixed = 2000, 200
    warnings = api.update_config(upd)
    control(api, "traffic", "start")
    got = api.get_config().flows[0]
    return {
        "warnings": list(warnings.warnings or []),
        "flows": wait_done(api, 10),
        "rate": got.rate.pps,
        "size": got.size.fixed,
    }


if __name__ == "__main__":
    main(
        {
            "https": https,
            "http": http,
            "version_check": version_check,
            "config_roundtrip": config_roundtrip,
            "update": update,
        }
    )
