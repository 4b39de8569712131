from __future__ import annotations

import ipaddress
from typing import Any

import pytest

from wirespeed.errors import ConfigError
from wirespeed.stateful.case import parse_case
from wirespeed.stateful.plan import (
    ExistingLink,
    check_impairments,
    peer_mac,
    plan_topology,
)

Raw = dict[str, Any]
I4 = ipaddress.IPv4Interface


def test_missing_bridges_are_planned_with_gateways(demo: Raw) -> None:
    demo["servers"].append(
        {
            "talk_point": {
                "to_bridge": "virbr25",
                "gw": "198.18.25.17",
                "ip": "198.18.25.111/24",
            },
            "traffic": [{"name": "s2", "ip": "198.18.25.111", "server_port": 80}],
        }
    )
    plan = plan_topology(parse_case(demo), {}, root_prefix="wsaabcdef")
    assert plan.needs_fabric
    assert [
        (b.name, str(b.subnet), [str(g) for g in b.gateways]) for b in plan.bridges
    ] == [
        ("virbr25", "198.18.25.0/24", ["198.18.25.16/24", "198.18.25.17/24"]),
        ("virbr24", "198.18.24.0/24", ["198.18.24.15/24"]),
    ]
    assert [(lk.host.key, lk.bridge, lk.existing, lk.peer) for lk in plan.links] == [
        ("s1", "virbr25", False, "s1p"),
        ("s2", "virbr25", False, "s2p"),
        ("c1", "virbr24", False, "c1p"),
    ]
    assert plan.link("c1").host.role == "client"
    with pytest.raises(KeyError):
        plan.link("zz")


def test_existing_bridge_is_used_and_checked(demo: Raw) -> None:
    case = parse_case(demo, name="base")
    existing = {"virbr25": ExistingLink("virbr25", True, (I4("198.18.25.16/24"),))}
    plan = plan_topology(case, existing, root_prefix="wsaabcdef")
    assert [b.name for b in plan.bridges] == ["virbr24"]
    assert (plan.link("s1").existing, plan.link("s1").peer) == (True, "wsaabcdefs1")
    wrong = {"virbr25": ExistingLink("virbr25", True, (I4("198.18.99.1/24"),))}
    with pytest.raises(ConfigError) as info:
        plan_topology(case, wrong, root_prefix="wsaabcdef")
    assert info.value.field == "base.servers[0].talk_point.ip"
    assert info.value.reason == (
        "198.18.25.110 is outside the subnet of bridge virbr25 (198.18.99.0/24)"
    )
    not_bridge = {"virbr24": ExistingLink("virbr24", False)}
    with pytest.raises(ConfigError) as info:
        plan_topology(case, not_bridge, root_prefix="wsaabcdef")
    assert info.value.field == "base.clients[0].talk_point.to_bridge"
    bare = {"virbr25": ExistingLink("virbr25", True)}  # no address: nothing to check
    assert plan_topology(case, bare, root_prefix="x").link("s1").existing


def test_created_bridge_subnet_rules(demo: Raw) -> None:
    demo["clients"][0]["talk_point"]["to_bridge"] = "virbr25"
    with pytest.raises(ConfigError) as info:
        plan_topology(parse_case(demo, name="b"), {}, root_prefix="x")
    assert info.value.field == "b.clients[0].talk_point.ip"
    assert info.value.reason == (
        "198.18.24.110/24 is outside the subnet 198.18.25.0/24 of bridge virbr25"
        " (set by b.servers[0].talk_point)"
    )
    demo["clients"][0]["talk_point"].update(
        to_bridge="virbr26", ip="198.18.25.120/25", gw="198.18.25.1"
    )
    with pytest.raises(ConfigError) as info:
        plan_topology(parse_case(demo, name="b"), {}, root_prefix="x")
    assert info.value.field == "b.clients[0].talk_point.ip"
    assert "overlaps 198.18.25.0/24 of bridge virbr25" in info.value.reason
    with pytest.raises(ValueError, match="root_prefix"):
        plan_topology(parse_case(demo), {}, root_prefix="x" * 11)


def test_impairment_checks(demo: Raw) -> None:
    demo["clients"][0]["talk_point"]["netem"] = {"delay": 5, "loss": 1}
    plan = plan_topology(parse_case(demo, name="b"), {}, root_prefix="x")
    check_impairments(plan, has_netem=True)
    with pytest.raises(ConfigError) as info:
        check_impairments(plan, has_netem=False)
    assert info.value.field == "b.clients[0].talk_point.netem.delay"
    assert "no netem qdisc" in info.value.reason
    del demo["clients"][0]["talk_point"]["netem"]
    demo["servers"][0]["talk_point"]["tc"] = {"ingress": {"loss": 3}}
    case = parse_case(demo, name="b")
    check_impairments(plan_topology(case, {}, root_prefix="x"), has_netem=False)
    # on an existing bridge, an impaired host gets a bridge of its own in the fabric
    existing = {"virbr25": ExistingLink("virbr25", True, mtu=9000)}
    plan = plan_topology(case, existing, root_prefix="x")
    check_impairments(plan, has_netem=False)
    s1, c1 = plan.link("s1"), plan.link("c1")
    assert (s1.existing, s1.shim, s1.fabric_port, s1.peer, s1.mtu) == (
        True,
        True,
        "s1p",
        "xs1",
        9000,
    )
    assert (c1.existing, c1.shim, c1.fabric_port) == (False, False, "c1p")
    assert [b.name for b in plan.bridges] == ["virbr24"]
    del demo["clients"][0]
    only_existing = plan_topology(parse_case(demo), existing, root_prefix="x")
    assert only_existing.bridges == ()
    assert only_existing.needs_fabric  # for s1's own bridge
    del demo["servers"][0]["talk_point"]["tc"]
    plain = plan_topology(parse_case(demo), existing, root_prefix="x")
    assert not plain.needs_fabric
    assert (plain.link("s1").shim, plain.link("s1").fabric_port) == (False, None)


def test_existing_bridge_keeps_its_mtu_and_mac(demo: Raw) -> None:
    case = parse_case(demo, name="base")
    port = "52:54:00:12:34:56"  # a port (a VM's tap) whose MAC the bridge carries
    found = ExistingLink(
        "virbr25", True, mtu=9000, mac=port, has_fixed_mac=False, port_macs=(port,)
    )
    link = plan_topology(case, {"virbr25": found}, root_prefix="wsaabcdef").link("s1")
    assert (link.peer, link.mtu) == ("wsaabcdefs1", 9000)
    assert link.peer_mac == peer_mac("wsaabcdefs1")
    assert link.peer_mac is not None
    assert link.peer_mac.startswith("fe:ff:ff:")
    assert int(link.peer_mac[:2], 16) % 2 == 0  # unicast
    assert peer_mac("wsaabcdefs1") != peer_mac("wsaabcdefs2")
    created = plan_topology(case, {}, root_prefix="wsaabcdef").link("s1")
    assert (created.peer_mac, created.mtu) == (None, None)


@pytest.mark.parametrize(
    ("found", "message"),
    [
        (
            ExistingLink("virbr25", True, mac="3a:00:00:00:00:01", has_fixed_mac=False),
            "adding a port would change the MAC address of bridge virbr25",
        ),
        (
            ExistingLink(
                "virbr25",
                True,
                mac="fe:ff:ff:ff:ff:fe",
                has_fixed_mac=False,
                port_macs=("fe:ff:ff:ff:ff:fe",),
            ),
            "adding a port would change the MAC address of bridge virbr25",
        ),
        (
            ExistingLink("virbr25", True, is_up=False),
            "bridge virbr25 exists but is down",
        ),
    ],
)
def test_existing_bridge_that_would_change_is_refused(
    demo: Raw, found: ExistingLink, message: str
) -> None:
    case = parse_case(demo, name="base")
    with pytest.raises(ConfigError) as info:
        plan_topology(case, {"virbr25": found}, root_prefix="wsaabcdef")
    assert info.value.field == "base.servers[0].talk_point.to_bridge"
    assert message in info.value.reason


def test_fixed_mac_bridge_without_ports_is_fine(demo: Raw) -> None:
    case = parse_case(demo, name="base")
    found = ExistingLink("virbr25", True, mac="3a:00:00:00:00:01", has_fixed_mac=True)
    assert plan_topology(case, {"virbr25": found}, root_prefix="x").link("s1").existing


@pytest.mark.parametrize("name", ["c1p", "s1p", "s1b", "c1u", "lo"])
def test_created_bridge_cannot_take_the_name_of_our_links(demo: Raw, name: str) -> None:
    demo["servers"][0]["talk_point"]["to_bridge"] = name
    with pytest.raises(ConfigError) as info:
        plan_topology(parse_case(demo, name="b"), {}, root_prefix="x")
    assert info.value.field == "b.servers[0].talk_point.to_bridge"
    assert "choose another bridge name" in info.value.reason
