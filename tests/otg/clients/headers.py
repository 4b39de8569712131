"""Every header kind, each flow's frames captured on p2 (the test checks them
byte for byte): 12 frames of 128 B each, fields set where OTG has no
generated value, lengths, checksums and next-header fields left to auto."""

from __future__ import annotations

from typing import Any

from _common import main, new_api, new_config, new_flow, run

API = new_api()
DST = "02:00:00:00:00:02"


def _flow(src_mac: str) -> tuple[Any, Any, Any]:
    cfg = new_config(API)
    f = new_flow(cfg, packets=12, pps=10_000, size=128)
    eth = f.packet.ethernet()[-1]
    eth.src.value, eth.dst.value = src_mac, DST
    return cfg, f, eth


def _ipv4(ip: Any, src: str = "198.18.0.1", dst: str = "198.19.0.1") -> None:
    ip.src.value, ip.dst.value = src, dst


def ethernet() -> dict[str, Any]:
    cfg, _f, eth = _flow("02:00:00:00:10:01")
    eth.ether_type.value = 0x88B5
    return run(API, cfg)


def vlan() -> dict[str, Any]:
    cfg, f, _eth = _flow("02:00:00:00:10:02")
    vl, ip, udp = f.packet.vlan().ipv4().udp()[-3:]
    vl.priority.value, vl.id.value = 5, 100
    _ipv4(ip)
    udp.src_port.value, udp.dst_port.value = 1234, 5678
    return run(API, cfg)


def ipv4() -> dict[str, Any]:
    cfg, f, _eth = _flow("02:00:00:00:10:03")
    ip = f.packet.ipv4()[-1]
    _ipv4(ip, "198.18.1.1", "198.19.1.1")
    ip.protocol.value = 253
    ip.identification.value = 7
    ip.time_to_live.value = 32
    ip.dont_fragment.value = 1
    ip.priority.dscp.phb.value = 46
    return run(API, cfg)


def ipv6() -> dict[str, Any]:
    cfg, f, _eth = _flow("02:00:00:00:10:04")
    ip, udp = f.packet.ipv6().udp()[-2:]
    ip.src.value, ip.dst.value = "2001:2::1", "2001:2:0:1::2"
    ip.traffic_class.value = 0x28
    ip.flow_label.value = 0x12345
    ip.hop_limit.value = 10
    udp.src_port.value, udp.dst_port.value = 4321, 8765
    return run(API, cfg)


def udp() -> dict[str, Any]:
    cfg, f, _eth = _flow("02:00:00:00:10:05")
    ip, u = f.packet.ipv4().udp()[-2:]
    _ipv4(ip)
    u.src_port.value, u.dst_port.value = 53, 65535
    return run(API, cfg)


def tcp() -> dict[str, Any]:
    cfg, f, _eth = _flow("02:00:00:00:10:06")
    ip, t = f.packet.ipv4().tcp()[-2:]
    _ipv4(ip)
    t.src_port.value, t.dst_port.value = 1111, 2222
    t.seq_num.value, t.ack_num.value = 1000, 2000
    t.ctl_syn.value, t.ctl_ack.value = 1, 1
    t.window.value = 4096
    return run(API, cfg)


def vxlan() -> dict[str, Any]:
    cfg, f, _eth = _flow("02:00:00:00:10:07")
    ip, u, vx, ieth, iip = f.packet.ipv4().udp().vxlan().ethernet().ipv4()[-5:]
    _ipv4(ip)
    u.src_port.value, u.dst_port.value = 4000, 4789
    vx.vni.value = 5000
    ieth.src.value, ieth.dst.value = "02:00:00:00:20:01", "02:00:00:00:20:02"
    _ipv4(iip, "10.0.0.1", "10.0.0.2")
    return run(API, cfg)


def custom() -> dict[str, Any]:
    cfg, f, _eth = _flow("02:00:00:00:10:08")
    ip, u, cus = f.packet.ipv4().udp().custom()[-3:]
    _ipv4(ip)
    u.src_port.value, u.dst_port.value = 7, 9
    cus.bytes = "deadbeef0102030405"
    return run(API, cfg)


if __name__ == "__main__":
    main(
        {
            "ethernet": ethernet,
            "vlan": vlan,
            "ipv4": ipv4,
            "ipv6": ipv6,
            "udp": udp,
            "tcp": tcp,
            "vxlan": vxlan,
            "custom": custom,
        }
    )
