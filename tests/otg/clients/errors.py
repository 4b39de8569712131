"""Bad input: each answer in OTG's error shape (code, kind, errors naming the
field); afterwards the daemon still runs a flow."""

from __future__ import annotations

from typing import Any

import requests
from _common import (
    control,
    error_of,
    location,
    main,
    new_api,
    new_config,
    new_flow,
    run,
)

API = new_api()


def _config(size: int = 128, location_z: str = "veth-z") -> tuple[Any, Any]:
    cfg = new_config(API, capture=None, speed="speed_1_gbps")
    cfg.ports[1].location = location_z
    f = new_flow(cfg, packets=10, pps=1000, size=size)
    f.packet.ethernet().ipv4().udp()
    return cfg, f


def unknown_location() -> dict[str, Any]:
    cfg, _f = _config(location_z="veth-q")
    return error_of(lambda: API.set_config(cfg))


def size_below_minimum() -> dict[str, Any]:
    """64 bytes cannot hold Ethernet, IPv6, UDP, the test payload and the FCS."""
    cfg = new_config(API, capture=None)
    f = new_flow(cfg, packets=10, pps=1000, size=64)
    f.packet.ethernet().ipv6().udp()
    return error_of(lambda: API.set_config(cfg))


def imix_below_minimum() -> dict[str, Any]:
    """OTG's imix on UDP: its 64-byte frames cannot hold Ethernet, IPv4, UDP
    (42 bytes), the test payload (20) and the FCS."""
    cfg, f = _config()
    f.size.weight_pairs.predefined = f.size.weight_pairs.IMIX
    return error_of(lambda: API.set_config(cfg))


def rate_above_line() -> dict[str, Any]:
    """2 Gb/s on a 1 Gb/s port."""
    cfg, f = _config()
    f.rate.gbps = 2
    return error_of(lambda: API.set_config(cfg))


def device() -> dict[str, Any]:
    """An emulated device (OTG's protocol side) is not served."""
    cfg, _f = _config()
    d = cfg.devices.device(name="d1")[-1]
    eth = d.ethernets.add(name="d1.eth", mac="02:00:00:00:50:01")
    eth.connection.port_name = "p1"
    eth.ipv4_addresses.add(name="d1.ip", address="198.18.5.1", gateway="198.18.5.2")
    return error_of(lambda: API.set_config(cfg))


def malformed_json() -> dict[str, Any]:
    """A raw POST snappi would never send."""
    r = requests.post(
        location() + "/config",
        data=b'{"ports": [',
        headers={"Content-Type": "application/json"},
        verify=False,
        timeout=10,
    )
    return {"status": r.status_code, "content_type": r.headers["content-type"],
            "body": r.json()}  # fmt: skip


def unknown_flow() -> dict[str, Any]:
    """control_state naming a flow the configuration does not have."""
    cfg, _f = _config()
    API.set_config(cfg)
    return error_of(lambda: control(API, "traffic", "start", ["nope"]))


def still_serving() -> dict[str, Any]:
    """After all that, a flow runs."""
    cfg, _f = _config()
    return run(API, cfg, capture=False)


if __name__ == "__main__":
    main(
        {
            "unknown_location": unknown_location,
            "size_below_minimum": size_below_minimum,
            "imix_below_minimum": imix_below_minimum,
            "rate_above_line": rate_above_line,
            "device": device,
            "malformed_json": malformed_json,
            "unknown_flow": unknown_flow,
            "still_serving": still_serving,
        }
    )
