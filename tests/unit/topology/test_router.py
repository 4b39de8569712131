"""The router DUT's plan, without building it: DUT kinds, the ports' addresses,
and the combinations the test bed refuses before it creates anything."""

from __future__ import annotations

from ipaddress import IPv4Address, IPv4Interface, IPv6Address, IPv6Interface

import pytest

from wirespeed.errors import ConfigError
from wirespeed.l3 import L3Identity
from wirespeed.topology.impair import parse_impairment
from wirespeed.topology.router import ROUTER_SIDES, Router, back_to_back_identities
from wirespeed.topology.testbed import DutKind, EmbeddedTestbed


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        (True, DutKind.BRIDGE),
        ("bridge", DutKind.BRIDGE),
        ("Router", DutKind.ROUTER),
        ("switch", DutKind.SWITCH),
        (DutKind.ROUTER, DutKind.ROUTER),
        (False, None),
        (None, None),
    ],
)
def test_dut_kinds(value: object, kind: DutKind | None) -> None:
    assert DutKind.parse(value) is kind  # type: ignore[arg-type]


def test_an_unknown_dut_names_the_field() -> None:
    with pytest.raises(ConfigError) as err:
        DutKind.parse("hub")
    assert err.value.field == "dut"
    assert err.value.reason == "expected one of bridge, switch, router, got 'hub'"


def test_ports_facing_the_router_use_it_as_gateway() -> None:
    assert [s.port_identity() for s in ROUTER_SIDES] == [
        L3Identity(
            IPv4Interface("198.18.1.2/24"),
            IPv4Address("198.18.1.1"),
            IPv6Interface("2001:2:0:1::2/64"),
            IPv6Address("2001:2:0:1::1"),
        ),
        L3Identity(
            IPv4Interface("198.18.2.2/24"),
            IPv4Address("198.18.2.1"),
            IPv6Interface("2001:2:0:2::2/64"),
            IPv6Address("2001:2:0:2::1"),
        ),
    ]


def test_back_to_back_ports_are_on_link() -> None:
    assert back_to_back_identities(1) == (
        L3Identity(
            IPv4Interface("198.18.3.1/24"), None, IPv6Interface("2001:2:0:3::1/64")
        ),
        L3Identity(
            IPv4Interface("198.18.3.2/24"), None, IPv6Interface("2001:2:0:3::2/64")
        ),
    )
    assert str(back_to_back_identities(8)[1].ipv6) == "2001:2:0:a::2/64"


def test_router_facts_for_reports() -> None:
    router = Router("wsx-dut")
    assert router.side(1).mac == "02:77:73:01:00:02"
    assert router.to_dict() == {
        "netns": "wsx-dut",
        "sides": [
            {
                "port": 0,
                "interface": "d0",
                "mac": "02:77:73:01:00:01",
                "ipv4": "198.18.1.1/24",
                "ipv6": "2001:2:0:1::1/64",
            },
            {
                "port": 1,
                "interface": "d1",
                "mac": "02:77:73:01:00:02",
                "ipv4": "198.18.2.1/24",
                "ipv6": "2001:2:0:2::1/64",
            },
        ],
    }


@pytest.mark.parametrize(
    ("kwargs", "field", "reason"),
    [
        (
            {"dut": "router", "impairment": parse_impairment("loss=1%")},
            "impair",
            "impairments need a bridge DUT (dut=bridge or switch); "
            "the router forwards unimpaired",
        ),
        (
            {"impairment": parse_impairment("loss=1%")},
            "impair",
            "impairments need a bridge DUT (dut=bridge or switch)",
        ),
        (
            {"dut": True, "firewall": ("udp dport 9 drop",)},
            "firewall",
            "firewall rules need dut=router",
        ),
        ({"dut": "hub"}, "dut", "expected one of bridge, switch, router, got 'hub'"),
    ],
)
def test_refused_before_anything_is_built(
    kwargs: dict[str, object], field: str, reason: str
) -> None:
    bed = EmbeddedTestbed(modules=1, **kwargs)  # type: ignore[arg-type]
    with pytest.raises(ConfigError) as err:
        bed.start()
    assert (err.value.field, err.value.reason) == (field, reason)
    assert bed.config is None
