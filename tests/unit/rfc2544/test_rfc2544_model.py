"""The suite file: what it accepts, and an error naming the field for the rest."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from wirespeed.errors import ConfigError
from wirespeed.rfc2544_model import SuiteModel, load_suite

EXAMPLES = Path(__file__).parents[3] / "examples"
PAIR = {"pairs": [{"tx": 0, "rx": 1}], "testbed": {"modules": 1}}


def test_a_full_suite_and_its_defaults() -> None:
    m = SuiteModel.from_dict(
        {**PAIR, "frame_sizes": [64, "imix", 9000],
         "frame_loss": {"start": 100, "end": 50, "step": 25},
         "throughput": {"latency_limit_us": 250, "verify": True}}
    )  # fmt: skip
    assert m.frame_sizes == [64, "imix", 9000]
    assert m.frame_loss is not None
    assert m.frame_loss.rates_pct() == [100, 75, 50]
    s = m.throughput.settings()
    assert (s.latency_limit_ns, s.verify, s.acceptable_loss_pct) == (250_000, True, 0)
    assert m.flows() == [(0, 1)]
    assert (m.ip, m.learning.enabled, m.latency.repetitions) == (4, False, 1)
    assert m.model_dump(mode="json")["frame_sizes"] == [64, "imix", 9000]


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"pairs": []}, "pairs"),
        ({"pairs": [{"tx": 0}]}, "pairs.0.rx"),
        ({"pairs": [{"tx": 0, "rx": 2}]}, "pairs.0.rx"),  # one module: ports 0, 1
        ({"pairs": [{"tx": 5, "rx": 1}]}, "pairs.0.tx"),
        ({"pairs": [], "mesh": [0, 1, 2]}, "mesh"),
        (
            {"pairs": [{"tx": 0, "rx": 1, "bidirectional": True}, {"tx": 1, "rx": 0}]},
            "pairs.1",
        ),
        ({"frame_sizes": [60]}, "frame_sizes.0"),  # below 64
        ({"frame_sizes": [64, 20000]}, "frame_sizes.1"),  # above 16 KiB
        ({"frame_sizes": [128, "imix"], "ip": 6}, "frame_sizes.1"),  # 54 + 20 + 4
        ({"frame_sizes": [70], "ip": 6}, "frame_sizes.0"),
        ({"frame_sizes": ["jumbo"]}, "frame_sizes.0"),
        ({"frame_sizes": []}, "frame_sizes"),
        ({"ip": 5}, "ip"),
        ({"throughput": {"resolution": 0}}, "throughput.resolution"),
        ({"throughput": {"min": 50, "max": 40, "initial": 45}}, "throughput.min"),
        ({"throughput": {"max": 120}}, "throughput.max"),
        ({"throughput": {"initial": 0.01}}, "throughput.initial"),
        ({"throughput": {"acceptable_loss": 100}}, "throughput.acceptable_loss"),
        ({"throughput": {"latency_limit_us": 0}}, "throughput.latency_limit_us"),
        ({"throughput": {"verify_duration": 0}}, "throughput.verify_duration"),
        ({"throughput": {"enabled": False}}, "latency.rates"),
        ({"latency": {"rates": [0]}}, "latency.rates"),
        ({"latency": {"repetitions": 0}}, "latency.repetitions"),
        ({"frame_loss": {"rates": [150]}}, "frame_loss.rates"),
        ({"frame_loss": {"start": 100, "end": 10}}, "frame_loss"),
        ({"frame_loss": {"rates": [10], "step": 1}}, "frame_loss.rates"),
        ({"frame_loss": {"start": 100, "end": 10, "step": -1}}, "frame_loss.step"),
        (
            {"back_to_back": {"min_frames": 10, "max_frames": 5}},
            "back_to_back.min_frames",
        ),
        ({"back_to_back": {"rate": 0}}, "back_to_back.rate"),
        ({"learning": {"frames": 0}}, "learning.frames"),
        ({"trial_duration": 0}, "trial_duration"),
        ({"frame_lost": {"rates": [1]}}, "frame_lost"),
    ],
)
def test_errors_name_the_field(extra: dict[str, Any], field: str) -> None:
    with pytest.raises(ConfigError) as err:
        SuiteModel.from_dict({**PAIR, **extra})
    assert err.value.field == field


def test_ports_of_a_config_file_are_checked_when_it_is_open() -> None:
    m = SuiteModel.from_dict({"config": "ports.yaml", "pairs": [{"tx": 0, "rx": 7}]})
    assert m.flows() == [(0, 7)]  # the file says how many ports there are


def test_the_examples_load(tmp_path: Path) -> None:
    for path in sorted(EXAMPLES.glob("rfc2544*.yaml")):
        model, base = load_suite(path)
        assert base == EXAMPLES
        assert model.flows()
    bad = tmp_path / "s.yaml"
    bad.write_text("pairs: [")
    with pytest.raises(ConfigError) as err:
        load_suite(bad)
    assert err.value.field == "rfc2544"
