"""The RFC 2544 views (tables, CSV, HTML) of a fixed result file of schema 1.

``tests/data/rfc2544_result_v1.json`` is a run of 64, 512, 1518-byte and IMIX frames
through a DUT shaped to 50 Mbit/s on 1 Gb/s ports: the throughput search's trials
come from the real search (:class:`wirespeed.rfc2544.ThroughputSearch`) fed with
counts of that shaper, the tester sending at most 570 kframes/s (so 64-byte frames
above 38.3 % are the tester's limit).
"""

from __future__ import annotations

import copy
import csv
from pathlib import Path
from typing import Any

import pytest
from report_pages import (
    HOSTILE,
    HOSTILE_CELL,
    assert_page,
    assert_self_contained,
    script_json,
)

from wirespeed.errors import ConfigError
from wirespeed.rfc2544_report import (
    CSV_COLUMNS,
    csv_rows,
    load_results,
    plot_specs,
    render_html,
    tables,
    write_csv,
    write_html,
)

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "rfc2544_result_v1.json"
PLOT_IDS = [
    "plot-throughput-fps",
    "plot-throughput-mbps",
    "plot-throughput-pct",
    "plot-latency",
    "plot-latency-histogram-0",
    "plot-latency-histogram-1",
    "plot-latency-histogram-2",
    "plot-latency-histogram-3",
    "plot-frame-loss",
    "plot-back-to-back",
]


@pytest.fixture
def results() -> dict[str, Any]:
    return load_results(SAMPLE)


def _row(**cells: str) -> dict[str, str]:
    return {col: cells.get(col, "") for col in CSV_COLUMNS}


def test_csv_has_a_row_per_trial_and_point(results: dict[str, Any]) -> None:
    rows = csv_rows(results)
    # 4 sizes x (9 search steps, 2 latency runs, 7 loss rates, 2 bursts)
    tests = [r["test"] for r in rows]
    assert tests == (
        ["throughput"] * 36 + ["latency"] * 8 + ["frame_loss"] * 28
        + ["back_to_back"] * 8
    )  # fmt: skip
    assert rows[0] == _row(
        test="throughput", frame_size="64", trial="1", rate_pct="100.0",
        achieved_pct="38.304", tx="1488095", rx="273447", loss_pct="81.624359",
        passed="false", latency_avg_ns="13392000",
    )  # fmt: skip
    assert rows[8] == _row(
        test="throughput", frame_size="64", trial="9", rate_pct="6.734",
        achieved_pct="6.734", tx="100208", rx="100208", loss_pct="0.0",
        passed="true", latency_avg_ns="27600",
    )  # fmt: skip
    assert rows[43] == _row(
        test="latency", frame_size="imix", trial="2", rate_pct="5.173", tx="16935",
        rx="16935", latency_min_ns="66290", latency_avg_ns="76616",
        latency_max_ns="138153", jitter_ns="839",
    )  # fmt: skip
    assert rows[44] == _row(
        test="frame_loss", frame_size="64", trial="1", rate_pct="100.0",
        achieved_pct="38.304", tx="1488095", rx="273447", loss_pct="81.624359",
        tester_limited="true",
    )  # fmt: skip
    assert rows[64] == _row(
        test="frame_loss", frame_size="1518", trial="7", rate_pct="5.0",
        achieved_pct="5.0", tx="4064", rx="4064", loss_pct="0.0",
        tester_limited="false",
    )  # fmt: skip
    assert rows[-2:] == [
        _row(test="back_to_back", frame_size="imix", trial="1", rate_pct="100.0",
             burst_frames="254"),
        _row(test="back_to_back", frame_size="imix", trial="2", rate_pct="100.0",
             burst_frames="253"),
    ]  # fmt: skip


def test_the_csv_file_holds_those_rows(results: dict[str, Any], tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    write_csv(results, path)
    with path.open(newline="") as f:
        reader = csv.DictReader(f)
        assert tuple(reader.fieldnames or ()) == CSV_COLUMNS
        assert list(reader) == csv_rows(results)


def test_tables_show_each_test_per_frame_size(results: dict[str, Any]) -> None:
    tp, lat, fl, b2b = tables(results)
    assert tp.rows == (
        ("64", "6.734", "100,208", "67.340", "51.306", "9", "verified"),
        ("512", "5.173", "12,155", "51.732", "49.787", "9", "verified"),
        ("1518", "4.783", "3,887", "47.826", "47.204", "9", "verified"),
        ("imix", "5.173", "16,935", "51.731", "49.021", "9", "verified"),
    )
    assert lat.rows[0] == (
        "64", "6.734", "18.60", "28.91", "90.50", "0.79", "71.60", "2",
    )  # fmt: skip
    assert len(fl.rows) == 28
    assert fl.rows[0][-1] == "tester limit"
    assert fl.rows[4] == ("64", "20.000", "20.000", "297619", "105666", "64.496", "")
    assert b2b.rows[2] == ("1518", "100.000", "61, 60", "60.5", "744.4")


def test_table_notes_say_what_limited_the_result(results: dict[str, Any]) -> None:
    e = results["throughput"][0]
    e.update(rate_pct=None, fps=None, l1_mbps=None, l2_mbps=None, verified=False,
             tester_limited=True, latency_limited=True)  # fmt: skip
    row = tables(results)[0].rows[0]
    assert row == (
        "64", "-", "-", "-", "-", "9",
        "none passed, verification failed, tester limit, latency limit",
    )  # fmt: skip


def test_a_rate_found_again_with_long_trials_says_so(results: dict[str, Any]) -> None:
    e = results["throughput"][1]
    e.update(verified=True, trial_s=5.0,
             verification={**e["trials"][-1], "passed": False})  # fmt: skip
    assert tables(results)[0].rows[1][-1] == "verified over 5 s trials"


def test_a_test_not_run_has_no_table_and_no_plot(results: dict[str, Any]) -> None:
    results["frame_loss"] = []
    results["back_to_back"] = []
    assert [t.key for t in tables(results)] == ["throughput", "latency"]
    assert [s["id"] for s in plot_specs(results)] == PLOT_IDS[:-2]
    assert csv_rows(results)[-1]["test"] == "latency"
    assert '<section id="frame_loss"><h2>Frame loss</h2><p>not run</p>' in (
        render_html(results)
    )


def test_plot_specs_hold_the_samples_values(results: dict[str, Any]) -> None:
    specs = {s["id"]: s for s in plot_specs(results)}
    assert list(specs) == PLOT_IDS
    fps = specs["plot-throughput-fps"]
    assert fps["x_labels"] == ["64", "512", "1518", "imix"]
    assert fps["series"] == [
        {"label": "frames/s", "values": [100208.0, 12155.0, 3887.0, 16935.0]}
    ]
    assert [s["label"] for s in specs["plot-latency"]["series"]] == [
        "min",
        "avg",
        "max",
    ]
    assert specs["plot-latency"]["series"][0]["values"][0] == 18.6  # µs
    hist = specs["plot-latency-histogram-1"]
    assert hist["x"] == [89.28, 99.28, 109.28, 119.28, 129.28, 139.28, 149.28, 159.28]
    assert hist["series"][0]["values"] == [729, 9970, 7293, 3403, 1701, 729, 364, 121]
    loss = specs["plot-frame-loss"]
    assert loss["x"] == [5.0, 10.0, 20.0, 40.0, 60.0, 80.0, 100.0]
    assert [s["label"] for s in loss["series"]] == ["64 B", "512 B", "1518 B", "imix B"]
    assert loss["series"][2]["values"][0] == 0.0
    b2b = specs["plot-back-to-back"]["series"]
    assert b2b == [{"label": "average", "values": [1501.5, 178.5, 60.5, 253.5]}]


def test_html_holds_the_results_plots_and_library(results: dict[str, Any]) -> None:
    html = render_html(results)
    assert_page(html, results, PLOT_IDS)
    assert "uPlot 1.6.32" in html
    assert "<td>ws3f9a-p0:a0</td>" in html
    assert "<td>throughput.resolution</td><td>0.5</td>" in html
    assert "<td>shaper_drops</td><td>8720115</td>" in html
    assert "<td>duration</td><td>221 s</td>" in html


def test_hostile_text_is_escaped_everywhere(results: dict[str, Any]) -> None:
    results["testbed"]["ports"][0]["name"] = HOSTILE
    results["settings"]["testbed"]["impair"] = HOSTILE
    html = render_html(results)
    assert HOSTILE not in html
    assert html.count(HOSTILE_CELL) == 2
    assert_self_contained(html)
    assert script_json(html, "wirespeed-results") == results


def test_write_html_writes_the_rendered_page(
    results: dict[str, Any], tmp_path: Path
) -> None:
    path = tmp_path / "r.html"
    write_html(copy.deepcopy(results), path)
    assert path.read_text(encoding="utf-8") == render_html(results)


@pytest.mark.parametrize(
    ("text", "field"),
    [("{", "results"), ('{"pairs": []}', "schema"), ('{"schema": 2}', "schema")],
)
def test_results_files_of_another_kind_are_refused(
    tmp_path: Path, text: str, field: str
) -> None:
    path = tmp_path / "r.json"
    path.write_text(text)
    with pytest.raises(ConfigError) as err:
        load_results(path)
    assert err.value.field == field
