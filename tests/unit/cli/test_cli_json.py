"""``--json FILE`` ('-' = stdout) of every subcommand that produces results.

The runs themselves are replaced by fixed results: what is checked is what the CLI
does with them (no root, no traffic).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner, Result

from wirespeed.cli.jsonout import JsonTarget
from wirespeed.cli.main import cli
from wirespeed.demo import DemoResult

REPO = Path(__file__).resolve().parents[3]
PROFILE = str(REPO / "examples" / "profile.yaml")
APP_YAML = str(REPO / "examples" / "app_demo.yaml")

RUN_RESULTS: dict[str, Any] = {
    "ports": {
        "0": {
            "tx_packets": 2000,
            "rx_packets": 1999,
            "tx_bytes": 256_000,
            "rx_bytes": 255_872,
            "rx_notpld_packets": 0,
        }
    },
    "streams": [
        {
            "name": "s0",
            "tpld_id": 0,
            "tx_packets": 2000,
            "rx": {
                "packets": 1999,
                "lost": 1,
                "misordered": 0,
                "duplicates": 0,
                "latency": {"min_ns": 10_000, "avg_ns": 12_500, "max_ns": 20_000},
                "jitter_ns": 1_500,
            },
        }
    ],
}
DEMO_PORTS = {
    "0/0": {"tx_frames": 5, "rx_frames": 5, "tx_bytes": 640, "rx_bytes": 640},
    "0/1": {"tx_frames": 5, "rx_frames": 5, "tx_bytes": 640, "rx_bytes": 640},
}
DEMO_JSON = {
    "ports": {
        "0/0": {**DEMO_PORTS["0/0"], "peer": "0/1"},
        "0/1": {**DEMO_PORTS["0/1"], "peer": "0/0"},
    },
    "tids": {"0": {"tx": 5, "rx": 5, "lost": 0}},
}


def _invoke(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def _last_line(text: str) -> str:
    return text.rstrip("\n").splitlines()[-1]


@pytest.fixture
def runs(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Fixed results for ``run`` and ``demo``; records each run's ``live``."""
    live_flags: list[bool] = []

    def run_profile(profile: object, *, live: bool) -> dict[str, Any]:
        live_flags.append(live)
        return RUN_RESULTS

    def run_demo(*, out: Any, **_: object) -> DemoResult:
        out("START")
        ports: dict[str, dict[str, Any]] = {
            "0/0": {**DEMO_PORTS["0/0"], "peer": "0/1"},
            "0/1": {**DEMO_PORTS["0/1"], "peer": "0/0"},
        }
        return DemoResult(ports, {0: {"tx": 5, "rx": 5, "lost": 0}})

    monkeypatch.setattr("wirespeed.runner.run_profile", run_profile)
    monkeypatch.setattr("wirespeed.demo.run_demo", run_demo)
    return live_flags


@pytest.mark.parametrize(
    "args",
    [
        ("app", "--yaml", APP_YAML, "--case", "base", "--json"),
        ("app", "--json", "--yaml", APP_YAML, "--case", "base"),
        ("run", PROFILE, "--json"),
        ("demo", "--json", "--duration", "1"),
    ],
)
def test_a_bare_json_says_what_to_write(args: tuple[str, ...]) -> None:
    res = _invoke(*args)
    assert res.exit_code == 2
    assert _last_line(res.stderr) == (
        "Error: Invalid value for '--json': needs a file name, or '-' for stdout"
        " (a bare '--json' is now '--json -')"
    )
    assert res.stdout == ""


@pytest.mark.parametrize("command", ["app", "run", "demo"])
def test_an_unusable_path_is_refused_before_the_run(
    command: str, tmp_path: Path
) -> None:
    first = {"app": ["--yaml", APP_YAML], "run": [PROFILE], "demo": []}[command]
    missing = tmp_path / "nowhere" / "r.json"
    res = _invoke(command, *first, "--json", str(missing))
    assert res.exit_code == 2
    assert _last_line(res.stderr) == (
        f"Error: Invalid value for '--json': no directory "
        f"{str(tmp_path / 'nowhere')!r} for {str(missing)!r}"
    )
    res = _invoke(command, *first, "--json", str(tmp_path))
    assert _last_line(res.stderr) == (
        f"Error: Invalid value for '--json': {str(tmp_path)!r} is a directory"
    )
    res = _invoke(command, *first, "--json", "")
    assert _last_line(res.stderr) == (
        "Error: Invalid value for '--json': needs a file name, or '-' for stdout"
    )


def test_run_json_dash_is_pure_json_and_the_file_the_same(
    runs: list[bool], tmp_path: Path
) -> None:
    res = _invoke("run", PROFILE, "--json", "-")
    assert res.exit_code == 0
    assert json.loads(res.stdout) == RUN_RESULTS
    assert res.stdout == json.dumps(RUN_RESULTS, indent=2) + "\n"
    assert "streams (RX analysis per TPLD id)" in res.stderr  # the table, on stderr
    out = tmp_path / "r.json"
    res = _invoke("run", PROFILE, "--json", str(out))
    assert res.exit_code == 0
    assert out.read_text() == json.dumps(RUN_RESULTS, indent=2) + "\n"
    assert res.stdout == ""  # the table is on stderr as always
    assert runs == [False, True]  # no live display when stdout carries the JSON


def test_demo_json_dash_moves_the_text_to_stderr(runs: list[bool]) -> None:
    res = _invoke("demo", "--json", "-")
    assert res.exit_code == 0
    assert json.loads(res.stdout) == DEMO_JSON
    assert res.stdout == json.dumps(DEMO_JSON, indent=2) + "\n"
    assert res.stderr == "START\n"


def test_demo_json_file_keeps_the_text_on_stdout(
    runs: list[bool], tmp_path: Path
) -> None:
    out = tmp_path / "d.json"
    res = _invoke("demo", "--json", str(out))
    assert res.exit_code == 0
    assert res.stdout == "START\n"
    assert out.read_text() == json.dumps(DEMO_JSON, indent=2) + "\n"


def test_write_to_stdout_and_to_a_file_is_the_same_text(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = {"a": [1, 2.5, None], "b": {"c": "d"}}
    JsonTarget(None).write(data)
    JsonTarget(tmp_path / "x.json").write(data)
    printed = capsys.readouterr().out
    assert printed == '{\n  "a": [\n    1,\n    2.5,\n    null\n  ],\n' + (
        '  "b": {\n    "c": "d"\n  }\n}\n'
    )
    assert (tmp_path / "x.json").read_text() == printed


def test_a_failed_write_names_the_file(tmp_path: Path) -> None:
    gone = tmp_path / "gone" / "r.json"  # its directory vanished after parsing
    with pytest.raises(click.FileError) as info:
        JsonTarget(gone).write({})
    assert info.value.format_message() == (
        f"Could not open file {str(gone)!r}: No such file or directory"
    )
