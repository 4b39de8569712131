"""TRex's layer configuration over the tester's port identity: ``set_l2``,
``set_l3``, ``conf_ipv6``, ``set_vlan``, ``layer_cfg``, and the MACs the tester
writes into the streams' frames."""

from __future__ import annotations

from ipaddress import IPv4Address, IPv4Interface, IPv6Interface

import pytest
from scapy.layers.inet import UDP
from scapy.layers.inet6 import IPv6
from scapy.layers.l2 import Ether
from trex_env import Env, stream_json, udp_packet

from wirespeed.l3 import L3Identity
from wirespeed.model import MacDstMode
from wirespeed.server.trex.layer import auto_ipv6, ipv4_identity

MAC0, MAC1 = "02:00:00:00:00:01", "02:00:00:00:00:02"
GW_MAC = "02:77:73:01:00:01"
ROUTER_SIDE = L3Identity.parse(
    ipv4="198.18.1.2/24",
    gateway="198.18.1.1",
    ipv6="2001:2:0:1::2/64",
    gateway6="2001:2:0:1::1",
)


def _layer(env: Env, port: int = 0) -> dict[str, object]:
    attr = env.ok("get_port_status", port_id=port)["attr"]
    layer: dict[str, object] = attr["layer_cfg"]
    return {**layer, "vlan": attr["vlan"]["tags"]}


def _in_service(env: Env, port: int = 0) -> str:
    h = env.acquire(port)
    env.ok("service", handler=h, port_id=port, enabled=True, filtered=False)
    return h


def _sent_dst(env: Env, h: str) -> list[tuple[str, str]]:
    """Start port 0, stop it: the (src, dst) MACs of each stream's frames."""
    env.ok("start_traffic", handler=h, port_id=0)
    job = env.job(0)
    env.ok("stop_traffic", handler=h, port_id=0, profile_id="_")
    return [
        (Ether(s.stream.packet).src, Ether(s.stream.packet).dst) for s in job.streams
    ]


def test_an_l2_port_shows_its_cabled_peer(env: Env) -> None:
    assert _layer(env) == {
        "ether": {"src": MAC0, "dst": MAC1, "state": "configured"},
        "ipv4": {"state": "none"},
        "ipv6": {"enabled": False},
        "vlan": [],
    }


def test_a_port_with_a_gateway_starts_in_l3_mode_unresolved(env: Env) -> None:
    env.tester.services.set_l3(0, ROUTER_SIDE)
    assert _layer(env) == {
        "ether": {"src": MAC0, "dst": MAC1, "state": "configured"},
        "ipv4": {"state": "unresolved", "src": "198.18.1.2", "dst": "198.18.1.1"},
        "ipv6": {"enabled": True, "src": "2001:2:0:1::2"},
        "vlan": [],
    }
    env.tester.services.set_neighbor(0, "198.18.1.1", GW_MAC)
    assert _layer(env)["ipv4"] == {
        "state": "resolved",
        "src": "198.18.1.2",
        "dst": "198.18.1.1",
    }
    assert _layer(env)["ether"] == {"src": MAC0, "dst": GW_MAC, "state": "configured"}


def test_set_l2_needs_service_mode_and_clears_the_ipv4_identity(env: Env) -> None:
    env.tester.services.set_l3(0, ROUTER_SIDE)
    h = env.acquire()
    env.ok("add_stream", handler=h, port_id=0, stream_id=1, stream=stream_json())
    assert env.err("set_l2", handler=h, port_id=0, dst_mac="0a:0b:0c:0d:0e:0f")[
        "specific_err"
    ] == ("set_l2: set_l2 needs service mode on port 0")
    env.ok("service", handler=h, port_id=0, enabled=True, filtered=False)
    assert env.ok("get_port_status", port_id=0)["service"] is True
    env.ok("set_l2", handler=h, port_id=0, dst_mac="0A:0B:0C:0D:0E:0F", block=False)
    assert _layer(env) == {
        "ether": {"src": MAC0, "dst": "0a:0b:0c:0d:0e:0f", "state": "configured"},
        "ipv4": {"state": "none"},
        "ipv6": {"enabled": True, "src": "2001:2:0:1::2"},
        "vlan": [],
    }
    assert env.tester.ports[0].l3 == ROUTER_SIDE.with_changes(ipv4=None, gateway4=None)
    assert _sent_dst(env, h) == [(MAC0, "0a:0b:0c:0d:0e:0f")]
    info = env.ok("get_system_info")["ports"][0]
    assert (info["src_macaddr"], info["dst_macaddr"]) == (MAC0, "0a:0b:0c:0d:0e:0f")


def test_set_l3_then_resolved_mac_sends_to_the_gateway(env: Env) -> None:
    h = _in_service(env)
    env.ok("add_stream", handler=h, port_id=0, stream_id=1, stream=stream_json())
    arp = stream_json(udp_packet(90), flags=2 << 1)  # dst mode 2: ARP-resolved
    env.ok("add_stream", handler=h, port_id=0, stream_id=2, stream=arp)
    assert env.tester.streams(0)[2].mac_dst_mode is MacDstMode.PORT
    env.ok("set_l3", handler=h, port_id=0, src_addr="198.18.1.2", dst_addr="198.18.1.1")
    assert _layer(env)["ipv4"] == {
        "state": "unresolved",
        "src": "198.18.1.2",
        "dst": "198.18.1.1",
    }
    assert env.tester.ports[0].l3 == L3Identity.parse(
        ipv4="198.18.1.2/30", gateway="198.18.1.1"
    )
    env.ok(
        "set_l3",
        handler=h,
        port_id=0,
        src_addr="198.18.1.2",
        dst_addr="198.18.1.1",
        resolved_mac=GW_MAC.upper(),
        block=False,
    )
    assert _layer(env)["ipv4"] == {
        "state": "resolved",
        "src": "198.18.1.2",
        "dst": "198.18.1.1",
    }
    assert _layer(env)["ether"] == {"src": MAC0, "dst": GW_MAC, "state": "configured"}
    assert _sent_dst(env, h) == [(MAC0, GW_MAC), (MAC0, GW_MAC)]
    # the client's invalidate_arp: set_l3 again without the MAC
    env.ok("set_l3", handler=h, port_id=0, src_addr="198.18.1.2", dst_addr="198.18.1.1")
    assert _layer(env)["ipv4"]["state"] == "unresolved"  # type: ignore[index]


@pytest.mark.parametrize(
    ("src", "dst", "iface"),
    [
        ("198.18.1.2", "198.18.1.1", "198.18.1.2/30"),
        ("10.0.0.1", "10.0.0.6", "10.0.0.1/29"),
        ("10.0.0.3", "10.0.0.4", "10.0.0.3/29"),
        ("10.0.0.0", "10.0.0.1", "10.0.0.0/31"),
        ("10.1.0.1", "10.2.0.1", "10.1.0.1/14"),
    ],
)
def test_set_l3_takes_the_longest_prefix_holding_both(
    src: str, dst: str, iface: str
) -> None:
    ident = ipv4_identity(L3Identity(vlan=7), src, dst)
    assert ident == L3Identity(IPv4Interface(iface), IPv4Address(dst), vlan=7)


def test_set_l3_refuses_what_no_subnet_holds(env: Env) -> None:
    h = _in_service(env)
    for src, dst, msg in (
        (
            "10.0.0.0",
            "10.0.0.5",
            "src_addr: 10.0.0.0 is the network address of 10.0.0.0/29, the smallest "
            "subnet holding 10.0.0.5",
        ),
        (
            "10.0.0.7",
            "10.0.0.1",
            "src_addr: 10.0.0.7 is the broadcast address of 10.0.0.0/29",
        ),
        ("10.0.0.1", "10.0.0.1", "dst_addr: 10.0.0.1 is the port's own address"),
        ("198.18.0.300", "10.0.0.1", "src_addr: '198.18.0.300' is not an IPv4"),
    ):
        err = env.err("set_l3", handler=h, port_id=0, src_addr=src, dst_addr=dst)
        assert err["specific_err"].startswith(f"set_l3: {msg}"), err
    assert _layer(env)["ipv4"] == {"state": "none"}


def test_conf_ipv6_auto_explicit_and_off(env: Env) -> None:
    env.tester.services.set_l3(0, ROUTER_SIDE)
    h = _in_service(env)
    env.ok("conf_ipv6", handler=h, port_id=0, enabled=True, src_ipv6="", block=False)
    assert _layer(env)["ipv6"] == {"enabled": True, "src": ""}
    assert auto_ipv6(MAC0) == IPv6Interface("fe80::ff:fe00:1/64")
    assert env.tester.ports[0].l3.ipv6 == auto_ipv6(MAC0)
    assert env.tester.ports[0].l3.gateway6 is None  # not on the link-local subnet
    env.ok("conf_ipv6", handler=h, port_id=0, enabled=True, src_ipv6="2001:db8::5")
    assert _layer(env)["ipv6"] == {"enabled": True, "src": "2001:db8::5"}
    assert env.tester.ports[0].l3.ipv6 == IPv6Interface("2001:db8::5/64")
    env.ok("conf_ipv6", handler=h, port_id=0, enabled=False, src_ipv6="")
    assert _layer(env)["ipv6"] == {"enabled": False}
    assert _layer(env)["ipv4"]["state"] == "unresolved"  # type: ignore[index]
    err = env.err("conf_ipv6", handler=h, port_id=0, enabled=True, src_ipv6="1.2.3.4")
    assert err["specific_err"] == (
        "conf_ipv6: src_ipv6: '1.2.3.4' is not an IPv6 address"
    )


def _udp6() -> bytes:
    """An IPv6 UDP packet with TRex's default MACs (flags 0: the port's)."""
    base = Ether() / IPv6(src="2001:2:0:1::2", dst="2001:2:0:2::2") / UDP(dport=9)
    return bytes(base / (b"x" * 40))


def test_conf_ipv6_keeps_the_resolved_ipv4_gateway(env: Env) -> None:
    """From TRex's defaults (IPv6 off): set_l3 resolves the gateway, conf_ipv6
    adds the address; the port stays resolved, as on TRex (the client refuses
    to start an unresolved port), and IPv6 streams go to the gateway's MAC."""
    h = _in_service(env)
    resolved = {"state": "resolved", "src": "198.18.1.2", "dst": "198.18.1.1"}
    env.ok(
        "set_l3",
        handler=h,
        port_id=0,
        src_addr="198.18.1.2",
        dst_addr="198.18.1.1",
        resolved_mac=GW_MAC,
    )
    for src in ("2001:2:0:1::2", "", "2001:2:0:1::3"):
        env.ok("conf_ipv6", handler=h, port_id=0, enabled=True, src_ipv6=src)
        assert _layer(env)["ipv4"] == resolved, src
        assert _layer(env)["ether"] == {
            "src": MAC0,
            "dst": GW_MAC,
            "state": "configured",
        }
    env.ok("conf_ipv6", handler=h, port_id=0, enabled=False, src_ipv6="")
    assert _layer(env)["ipv4"] == resolved
    env.ok("conf_ipv6", handler=h, port_id=0, enabled=True, src_ipv6="2001:2:0:1::2")
    env.ok("add_stream", handler=h, port_id=0, stream_id=1, stream=stream_json(_udp6()))
    assert _sent_dst(env, h) == [(MAC0, GW_MAC)]


def test_conf_ipv6_with_the_ports_own_address_keeps_its_identity(env: Env) -> None:
    """The router bed's port 1: conf_ipv6 with its address changes nothing (its
    IPv6 gateway and what was resolved for it stay)."""
    port1 = L3Identity.parse(
        ipv4="198.18.2.2/24",
        gateway="198.18.2.1",
        ipv6="2001:2:0:2::2/64",
        gateway6="2001:2:0:2::1",
    )
    svc = env.tester.services
    svc.set_l3(1, port1)
    svc.set_neighbor(1, "2001:2:0:2::1", GW_MAC)
    h = _in_service(env, 1)
    env.ok("conf_ipv6", handler=h, port_id=1, enabled=True, src_ipv6="2001:2:0:2::2")
    assert env.tester.ports[1].l3 == port1
    assert [str(a) for a, _m in env.tester.ports[1].neighbors] == ["2001:2:0:2::1"]
    env.ok("conf_ipv6", handler=h, port_id=1, enabled=True, src_ipv6="2001:2:0:2::9")
    assert env.tester.ports[1].l3 == port1.with_changes(
        ipv6=IPv6Interface("2001:2:0:2::9/64")
    )
    assert env.tester.ports[1].neighbors == ()  # a new IPv6 address resolves anew


def test_set_vlan_tags_the_identity(env: Env) -> None:
    h = env.acquire()
    env.ok("set_vlan", handler=h, port_id=0, vlan=[100], block=False)
    assert _layer(env)["vlan"] == [100]
    assert env.tester.ports[0].l3.vlan == 100
    assert env.err("set_vlan", handler=h, port_id=0, vlan=[10, 20])["specific_err"] == (
        "set_vlan: vlan: one VLAN tag at most (QinQ is not supported)"
    )
    assert env.err("set_vlan", handler=h, port_id=0, vlan=[5000])["specific_err"] == (
        "set_vlan: vlan[0]: 5000 is above the maximum 4094"
    )
    env.ok("set_vlan", handler=h, port_id=0, vlan=[])
    assert _layer(env)["vlan"] == []
