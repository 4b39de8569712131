"""The server's port config: the shapes it takes, and errors that name the field."""

from __future__ import annotations

from pathlib import Path

import pytest

from wirespeed.errors import ConfigError
from wirespeed.topology.testbed import PortSpec, config_from_dict, load_config

MAC = "02:00:00:00:00:01"


def test_the_minimal_shape_and_its_defaults(tmp_path: Path) -> None:
    path = tmp_path / "ports.yaml"
    path.write_text(
        "ports:\n  - {interface: a0, netns: wsA}\n  - {interface: b0, netns: wsB}\n"
    )
    cfg = load_config(path)
    assert cfg.ports == (
        PortSpec("a0", "wsA", 1_000_000_000, None, None, None),
        PortSpec("b0", "wsB", 1_000_000_000, None, None, None),
    )
    assert cfg.modules == ((0, 1),)
    assert cfg.name == "wirespeed"


def test_speed_mac_peer_and_modules() -> None:
    cfg = config_from_dict(
        {
            "name": "lab7",
            "ports": [
                {"interface": "a0", "netns": "x", "speed": "10G", "mac": MAC},
                {"interface": "b0", "netns": "y", "speed": 25_000_000_000, "peer": 0},
                {"interface": "c0", "speed": "100M"},
            ],
            "modules": [[0], [1, 2]],
        }
    )
    assert [p.speed_bps for p in cfg.ports] == [10**10, 25 * 10**9, 10**8]
    assert cfg.ports[0].mac == MAC
    assert cfg.ports[1].peer == 0
    assert cfg.modules == ((0,), (1, 2))
    assert cfg.name == "lab7"


@pytest.mark.parametrize(
    ("netns", "host_stack", "reaches"),
    [
        ("wsA", None, False),  # the tester's own namespace: frames stop at it
        (None, None, True),  # a host's interface: its traffic keeps flowing
        ("wsA", True, True),
        (None, False, False),
    ],
)
def test_whether_received_frames_reach_the_stack(
    netns: str | None, host_stack: bool | None, reaches: bool
) -> None:
    port: dict[str, object] = {"interface": "a0"}
    if netns is not None:
        port["netns"] = netns
    if host_stack is not None:
        port["host_stack"] = host_stack
    spec = config_from_dict({"ports": [port]}).ports[0]
    assert spec.host_stack is host_stack
    assert spec.reaches_stack is reaches


def test_worker_cpus() -> None:
    cfg = config_from_dict(
        {
            "ports": [
                {"interface": "a0", "cpus": {"tx": 0, "rx": 1}},
                {"interface": "b0", "cpus": {"rx": 3}},
                {"interface": "c0"},
            ]
        }
    )
    assert [(p.tx_cpu, p.rx_cpu) for p in cfg.ports] == [
        (0, 1),
        (None, 3),
        (None, None),
    ]


@pytest.mark.parametrize(
    ("raw", "field", "text"),
    [
        ({"ports": [{"interfce": "a0"}]}, "ports.0.interface", "Field required"),
        (
            {"ports": [{"interface": "a0", "host_stak": False}]},
            "ports.0.host_stak",
            "Extra inputs",
        ),
        (
            {"ports": [{"interface": "a0", "host_stack": "maybe"}]},
            "ports.0.host_stack",
            "valid boolean",
        ),
        ({"ports": [{"interface": "a0", "speed": "fast"}]}, "ports.0.speed", "10G"),
        ({"ports": [{"interface": "a0", "mac": "02:00"}]}, "ports.0.mac", "MAC"),
        ({"ports": [{"interface": "a" * 16}]}, "ports.0.interface", "at most 15"),
        ({"ports": []}, "ports", "at least 1"),
        ({"ports": [{"interface": "a0"}], "modules": [[0, 1]]}, "modules", "index 1"),
        (
            {"ports": [{"interface": "a0"}, {"interface": "b0"}], "modules": [[0]]},
            "modules",
            "exactly one module",
        ),
        ({"ports": [{"interface": "a0", "cpus": 1}]}, "ports.0.cpus", "dictionary"),
        (
            {"ports": [{"interface": "a0", "cpus": {"tx": -1}}]},
            "ports.0.cpus.tx",
            "greater than or equal to 0",
        ),
        (
            {"ports": [{"interface": "a0", "cpus": {"rx": "1"}}]},
            "ports.0.cpus.rx",
            "valid integer",
        ),
        (
            {"ports": [{"interface": "a0", "cpus": {"tx": 0, "rxx": 1}}]},
            "ports.0.cpus.rxx",
            "Extra inputs",
        ),
    ],
)
def test_mistakes_name_their_field(raw: object, field: str, text: str) -> None:
    with pytest.raises(ConfigError) as info:
        config_from_dict(raw)
    assert info.value.field == field
    assert text in info.value.reason


def test_a_file_that_is_not_yaml_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("ports: [\n")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert info.value.field == "config"
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path / "missing.yaml")
    assert info.value.field == "config"


def test_the_driver_of_each_port() -> None:
    cfg = config_from_dict(
        {"ports": [{"interface": "a0"}, {"interface": "b0", "driver": "afxdp"}]}
    )
    assert [p.driver for p in cfg.ports] == ["afpacket", "afxdp"]
    assert [p.driver for p in cfg.with_driver("AUTO").ports] == ["auto", "auto"]
    with pytest.raises(ConfigError) as err:
        config_from_dict({"ports": [{"interface": "a0", "driver": "xdp"}]})
    assert err.value.field == "ports.0.driver"
    with pytest.raises(ConfigError) as err:
        cfg.with_driver("dpdk")
    assert err.value.field == "driver"
    assert "auto, afxdp, afpacket" in str(err.value)
