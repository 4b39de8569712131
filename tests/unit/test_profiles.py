from __future__ import annotations

from pathlib import Path

import pytest

from wirespeed.errors import ConfigError
from wirespeed.model import LengthType, RateUnit
from wirespeed.profiles import load_profile, profile_from_dict

EXAMPLE = Path(__file__).parents[2] / "examples" / "profile.yaml"


def test_example_profile_loads_into_streams() -> None:
    prof = load_profile(EXAMPLE)
    assert [(p, rx) for p, rx, _ in prof.streams] == [(0, None), (1, None)]
    s0 = prof.streams[0][2]
    assert s0.packet[:6] == bytes.fromhex("027773000002")
    assert s0.header_bytes == 42
    assert (s0.rate.unit, s0.rate.value) == (RateUnit.PERCENT, 5)
    assert s0.frame_length.min_bytes == 128
    assert s0.modifiers[0].pos == 33
    assert prof.streams[1][2].frame_length.kind is LengthType.MIX


def _base() -> dict:
    return {"streams": [{"port": 0, "header": [{"Ether": {}}], "rate": {"pps": 10}}]}


@pytest.mark.parametrize(
    ("patch", "field"),
    [
        ({"duration": -1}, "duration"),
        ({"bogus": 1}, "bogus"),
        (
            {"streams": [{"port": 0, "header": [{"Ether": {}}], "rate": {}}]},
            "streams.0.rate",
        ),
        (
            {"streams": [{"port": 0, "header": [{"Nope": {}}], "rate": {"pps": 1}}]},
            "streams.0.header.0",
        ),
        (
            {"streams": [{"port": 0, "header_hex": "zz", "rate": {"pps": 1}}]},
            "streams.0",
        ),
        (
            {
                "streams": [
                    {
                        "port": 0,
                        "header": [{"Ether": {}}],
                        "rate": {"pps": 1},
                        "length": {"type": "incrementing", "min": 100, "max": 90},
                    }
                ]
            },
            "streams.0.max_bytes",
        ),
    ],
)
def test_profile_errors_name_the_field(patch: dict, field: str) -> None:
    raw = _base() | patch
    with pytest.raises(ConfigError) as err:
        profile_from_dict(raw)
    assert err.value.field == field


@pytest.mark.parametrize(
    ("dut", "kind"), [(True, "bridge"), ("bridge", "bridge"), ("router", "router")]
)
def test_testbed_dut_kinds(dut: object, kind: str) -> None:
    raw = _base() | {"testbed": {"dut": dut, "firewall": ["udp dport 9 drop"]}}
    tb = profile_from_dict(raw).model.testbed
    assert (tb.dut, tb.firewall) == (kind, ["udp dport 9 drop"])


def test_an_unknown_testbed_dut_names_the_field() -> None:
    with pytest.raises(ConfigError) as err:
        profile_from_dict(_base() | {"testbed": {"dut": "hub"}})
    assert err.value.field == "testbed.dut"
    assert err.value.reason.endswith(
        "expected one of bridge, switch, router, got 'hub'"
    )
