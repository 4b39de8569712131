"""``wirespeed run --html --csv`` and ``run-report``: what the CLI does with the
results of a run (the run itself is replaced by the fixed sample of
``tests/data/run_results.json``; no root, no traffic)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from wirespeed.cli.main import cli
from wirespeed.profiles import Profile
from wirespeed.run_report import load_results, render_html, write_csv

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "run_results.json"
PROFILE = "streams:\n  - {port: 0, header: [{Ether: {}}], rate: {pps: 10}}\n"


def _invoke(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.fixture
def fake_run(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """``run_profile`` returns the sample; records whether it was asked to show
    live rates."""
    calls: list[bool] = []

    def run_profile(profile: Profile, *, live: bool = False) -> dict[str, Any]:
        calls.append(live)
        return load_results(SAMPLE)

    monkeypatch.setattr("wirespeed.runner.run_profile", run_profile)
    return calls


def _expected_csv(tmp_path: Path) -> str:
    write_csv(load_results(SAMPLE), tmp_path / "expected.csv")
    return (tmp_path / "expected.csv").read_text()


def test_the_run_prints_tables_and_writes_every_file(
    fake_run: list[bool], tmp_path: Path
) -> None:
    profile = tmp_path / "p.yaml"
    profile.write_text(PROFILE)
    paths = {ext: tmp_path / f"r.{ext}" for ext in ("json", "csv", "html")}
    res = _invoke(
        "run",
        str(profile),
        "--quiet",
        *(x for ext, p in paths.items() for x in (f"--{ext}", str(p))),
    )
    assert res.exit_code == 0, res.output
    assert fake_run == [False]
    results = load_results(SAMPLE)
    assert json.loads(paths["json"].read_text()) == results
    assert paths["html"].read_text() == render_html(results)
    assert paths["csv"].read_text() == _expected_csv(tmp_path)
    for title in ("ports", "streams (RX analysis per TPLD id)",
                  "DUT counters (wirespeed)", "captures"):  # fmt: skip
        assert title in res.stderr
    assert res.stdout == ""


def test_the_report_command_reads_saved_results(tmp_path: Path) -> None:
    html, csv = tmp_path / "r.html", tmp_path / "r.csv"
    res = _invoke("run-report", str(SAMPLE), "--html", str(html), "--csv", str(csv))
    assert res.exit_code == 0, res.output
    assert html.read_text() == render_html(load_results(SAMPLE))
    assert csv.read_text() == _expected_csv(tmp_path)
    assert "│ 1    │      6000 │      3964 │  2171000 │   507392 │           0 │" in (
        res.stderr
    )


def test_the_report_command_names_what_is_wrong(tmp_path: Path) -> None:
    bad = tmp_path / "old.json"
    bad.write_text('{"ports": {}, "streams": []}')
    res = CliRunner().invoke(cli, ["run-report", str(bad)])
    assert res.exit_code == 1
    assert "samples: " in res.stderr
    res = CliRunner().invoke(
        cli, ["run-report", str(SAMPLE), "--html", str(tmp_path / "no" / "r.html")]
    )
    assert res.exit_code == 2
    assert "Invalid value for '--html': no directory" in res.stderr
