"""Profiles and RFC 2544 suites naming ports on several hosts: host/index checked
against the hosts named, mixing forms refused, the suite's ports renumbered for
a fleet."""

from __future__ import annotations

from typing import Any

import pytest

from wirespeed.errors import ConfigError
from wirespeed.profiles import ProfileModel
from wirespeed.rfc2544_model import SuiteModel

HOSTS = {"A": "198.18.100.1:4510", "B": "198.18.100.2:4510"}
RATE = {"pps": 100}


def _profile(**more: Any) -> dict[str, Any]:
    return {
        "hosts": HOSTS,
        "streams": [{"port": "A/0", "rx_port": "B/0", "rate": RATE}],
    } | more


def test_a_profile_on_hosts() -> None:
    m = ProfileModel.model_validate(_profile())
    assert (m.streams[0].port, m.streams[0].rx_port) == ("A/0", "B/0")


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (_profile(streams=[{"port": 0, "rate": RATE}]), "streams.0.port",
         "with hosts, name a port host/index, not 0"),
        (_profile(streams=[{"port": "C/0", "rate": RATE}]), "streams.0.port",
         "C/0: no such host (hosts: A, B)"),
        ({"streams": [{"port": "A/0", "rate": RATE}]}, "streams.0.port",
         "A/0: no such host (hosts: none)"),
        (_profile(config="ports.yaml"), "hosts",
         "with hosts, each daemon has its own ports: no config or ports here"),
    ],
)  # fmt: skip
def test_profile_port_names_are_checked(data: Any, field: str, message: str) -> None:
    with pytest.raises(ConfigError) as err:
        ProfileModel.model_validate(data)
    assert (err.value.field, err.value.reason) == (field, message)


def test_a_suite_on_hosts_is_renumbered_for_the_fleet() -> None:
    m = SuiteModel.from_dict(
        {"hosts": HOSTS, "pairs": [{"tx": "A/0", "rx": "B/1", "bidirectional": True}]}
    )
    index = {"A/0": 0, "B/1": 3}
    assert m.on_ports(index.__getitem__).flows() == [(0, 3), (3, 0)]
    for data, field in (
        ({"hosts": HOSTS, "pairs": [{"tx": 0, "rx": "B/1"}]}, "pairs.0.tx"),
        ({"pairs": [{"tx": "A/0", "rx": 1}]}, "pairs.0.tx"),
        ({"hosts": HOSTS, "mesh": ["A/0", "Z/1"]}, "mesh"),
    ):
        with pytest.raises(ConfigError) as err:
            SuiteModel.from_dict(data)
        assert err.value.field == field
