"""The views of ``wirespeed run``'s results (tables, CSV of the samples, HTML) of a
fixed result file.

``tests/data/run_results.json`` is a real run of ``tests/data/run_results_profile.
yaml`` on the embedded test bed: 4000 frames of 128 B at 1000 frames/s from port 0
to port 1 (TID 0) and 6000 IMIX frames at 2000 frames/s back (TID 1), through
wirespeed's own impairer (delay 300 µs, jitter 100 µs, 1 % loss towards port 1),
port 1 captured; six samples, the last after the cool-down.
"""

from __future__ import annotations

import copy
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
from wirespeed.run_report import (
    CSV_COLUMNS,
    csv_rows,
    load_results,
    plot_specs,
    render_html,
    tables,
    write_csv,
    write_html,
)
from wirespeed.run_report.timeline import lined_up, times_s

DATA = Path(__file__).resolve().parents[1] / "data"
SAMPLE = DATA / "run_results.json"
TIMES = [0.0, 1.018, 2.084, 3.101, 4.118, 4.576]
# plot id -> the values each series has (a TID has none before its first frame)
POINTS = {
    "plot-port-0-fps": [6, 6],
    "plot-port-0-mbps": [6, 6],
    "plot-port-1-fps": [6, 6],
    "plot-port-1-mbps": [6, 6],
    "plot-streams-fps": [6, 6],
    "plot-streams-mbps": [6, 6],
    "plot-tids-fps": [5, 5],
    "plot-latency-0-1": [5, 5, 5],
    "plot-histogram-0-1": [21],
    "plot-latency-1-0": [5, 5, 5],
    "plot-histogram-1-0": [15],
}


@pytest.fixture
def results() -> dict[str, Any]:
    return load_results(SAMPLE)


def _row(**cells: str) -> dict[str, str]:
    return {col: cells.get(col, "") for col in CSV_COLUMNS}


def test_times_are_seconds_since_the_first_sample(results: dict[str, Any]) -> None:
    assert times_s(results["samples"]) == TIMES
    assert times_s([]) == []


def test_objects_are_lined_up_on_the_samples(results: dict[str, Any]) -> None:
    tids = lined_up(results["samples"], "tids")
    assert list(tids) == [(0, 1), (1, 0)]  # (receiving port, TID), as first seen
    assert [None if e is None else e["packets"] for e in tids[(1, 0)]] == [
        None, 731, 1980, 3003, 3964, 3964,
    ]  # fmt: skip
    assert list(lined_up(results["samples"], "streams")) == [(0, 0), (1, 0)]


def test_csv_has_a_row_per_sample_and_object(results: dict[str, Any]) -> None:
    rows = csv_rows(results)
    # 2 ports and 2 streams in each of 6 samples, 2 TIDs in the 5 after the first
    assert len(rows) == 6 * 4 + 5 * 2
    assert [r["object"] for r in rows[:6]] == ["port", "port", "stream", "stream",
                                               "port", "port"]  # fmt: skip
    assert rows[0] == _row(
        time_s="0.0", object="port", port="0", tx_packets="0", rx_packets="0",
        tx_pps="0.0", rx_pps="0.0", tx_bps_l1="0.0", rx_bps_l1="0.0",
    )  # fmt: skip
    assert rows[3] == _row(
        time_s="0.0", object="stream", port="1", stream="0", name="imix", tid="1",
        tx_packets="0", tx_pps="0.0", tx_bps_l1="0.0",
    )  # fmt: skip
    assert rows[9] == _row(
        time_s="1.018", object="tid", port="1", tid="0", rx_packets="731",
        rx_pps="805", lost="8", misordered="145", duplicates="0",
        latency_min_ns="400662", latency_avg_ns="1057176.3659305994",
        latency_max_ns="6788884", jitter_ns="211265.6457079675",
    )  # fmt: skip


def test_the_last_rows_hold_the_final_counts(results: dict[str, Any]) -> None:
    last = [r for r in csv_rows(results) if r["time_s"] == "4.576"]
    ports = {r["port"]: r for r in last if r["object"] == "port"}
    for name, p in results["ports"].items():
        assert ports[name]["tx_packets"] == str(p["tx_packets"])
        assert ports[name]["rx_packets"] == str(p["rx_packets"])
    assert [(r["name"], r["tx_packets"]) for r in last if r["object"] == "stream"] == [
        ("udp-128", "4000"), ("imix", "6000"),
    ]  # fmt: skip
    tids = [(r["port"], r["tid"], r["rx_packets"], r["lost"])
            for r in last if r["object"] == "tid"]  # fmt: skip
    assert tids == [("0", "1", "6000", "0"), ("1", "0", "3964", "36")]


def test_a_stream_without_tpld_has_no_tid(results: dict[str, Any]) -> None:
    results["samples"][0]["streams"][0]["tid"] = -1
    assert csv_rows(results)[2]["tid"] == ""


def test_the_csv_file_holds_those_rows(results: dict[str, Any], tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    write_csv(results, path)
    lines = path.read_text().splitlines()
    assert lines[0] == ",".join(CSV_COLUMNS)
    assert lines[5] == "1.018,port,0,,,,947,1231,1000.7852173761437," \
        "1378.8953879282237,1184929.697373354,4218435.19163748,,,,,,,"  # fmt: skip
    assert len(lines) == 1 + 34


def test_tables_show_the_final_counts(results: dict[str, Any]) -> None:
    ports, streams, dut, captures = tables(results)
    assert ports.rows == (
        ("0", "4000", "6000", "512000", "2171000", "0"),
        ("1", "6000", "3964", "2171000", "507392", "0"),
    )
    assert streams.rows == (
        ("udp-128", "0", "4000", "3964", "36", "1085", "0", "359.7", "1078.4",
         "8196.3", "139.6"),
        ("imix", "1", "6000", "6000", "0", "0", "0", "131.9", "1188.7", "38702.7",
         "134.5"),
    )  # fmt: skip
    assert dut.title == "DUT counters (wirespeed)"
    assert dut.rows[:3] == (("received", "4000"), ("sent", "3964"), ("dropped", "36"))
    assert captures.rows == (
        ("1", "udp", "100", "12400", "0", "/tmp/h19r/rec/capture.pcapng"),
    )


def test_no_dut_and_no_capture_no_table(results: dict[str, Any]) -> None:
    del results["dut"]
    results["captures"] = []
    results["streams"][1]["rx"] = None
    assert [t.key for t in tables(results)] == ["ports", "streams"]
    assert tables(results)[1].rows[1] == ("imix", "1", "6000") + ("-",) * 8
    # TID 1's latency over time is in the samples; its histogram was in the rx
    assert [s["id"] for s in plot_specs(results)][-3:] == [
        "plot-latency-0-1", "plot-latency-1-0", "plot-histogram-1-0",
    ]  # fmt: skip


def test_plot_specs_hold_every_sample(results: dict[str, Any]) -> None:
    specs = {s["id"]: s for s in plot_specs(results)}
    assert list(specs) == list(POINTS)
    for plot_id, points in POINTS.items():
        counts = [sum(v is not None for v in s["values"])
                  for s in specs[plot_id]["series"]]  # fmt: skip
        assert counts == points, plot_id
    fps = specs["plot-port-1-fps"]
    assert fps["section"] == "ports"
    assert fps["x"] == TIMES
    assert [s["label"] for s in fps["series"]] == ["TX", "RX"]
    assert fps["series"][1]["values"][1] == 711.2661561123659
    mbps = specs["plot-streams-mbps"]["series"]
    assert [s["label"] for s in mbps] == ["udp-128", "imix"]
    assert mbps[0]["values"][1] == 1.184929697373354
    lat = specs["plot-latency-1-0"]
    assert lat["section"] == "latency"
    assert lat["series"][0] == {
        "label": "min",
        "values": [None, 400.662, 359.682, 364.57, 367.341, 367.341],
    }
    hist = specs["plot-histogram-1-0"]
    assert hist["kind"] == "bars"
    assert hist["x"] == list(range(15))
    assert hist["x_labels"] == [
        "300", "400", "500", "600", "700", "800", "900", "1000", "2000", "3000",
        "4000", "5000", "6000", "7000", "8000",
    ]  # fmt: skip
    assert hist["series"] == [{
        "label": "frames",
        "values": [12, 93, 236, 523, 790, 534, 531, 941, 151, 102, 22, 13, 12, 1, 3],
    }]  # fmt: skip
    assert sum(hist["series"][0]["values"]) == 3964  # every frame received


def test_html_holds_the_results_plots_and_library(results: dict[str, Any]) -> None:
    html = render_html(results)
    assert_page(html, results, POINTS)
    specs = script_json(html, "wirespeed-plots")
    assert specs == plot_specs(results)
    assert [len(s["x"]) for s in specs] == [6] * 8 + [21, 6, 15]
    assert "<title>Run report (wirespeed " in html
    assert "<td>samples</td><td>6</td>" in html
    assert "<td>sampled for</td><td>4.6 s</td>" in html
    assert "<td>late</td><td>1085</td>" in html
    assert '<section id="captures"><h2>Captures</h2>' in html


def test_hostile_text_is_escaped_everywhere(results: dict[str, Any]) -> None:
    results["streams"][0]["name"] = HOSTILE
    for sample in results["samples"]:
        sample["streams"][0]["name"] = HOSTILE
    html = render_html(results)
    assert HOSTILE not in html
    assert html.count(HOSTILE_CELL) == 1
    assert_self_contained(html)
    assert script_json(html, "wirespeed-plots")[4]["series"][0]["label"] == HOSTILE


def test_write_html_writes_the_rendered_page(
    results: dict[str, Any], tmp_path: Path
) -> None:
    path = tmp_path / "r.html"
    write_html(copy.deepcopy(results), path)
    assert path.read_text(encoding="utf-8") == render_html(results)


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("{", "results"),
        ("[]", "results"),
        ('{"schema": 1}', "ports"),
        ('{"ports": {}, "streams": {}}', "streams"),
        ('{"ports": {}, "streams": []}', "samples"),
        ('{"ports": {}, "streams": [{"rx": {"histogram": [1]}}], "samples": []}',
         "streams.0.rx.histogram"),
    ],
)  # fmt: skip
def test_results_files_of_another_kind_are_refused(
    tmp_path: Path, text: str, field: str
) -> None:
    path = tmp_path / "r.json"
    path.write_text(text)
    with pytest.raises(ConfigError) as err:
        load_results(path)
    assert err.value.field == field


def test_a_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read") as err:
        load_results(tmp_path / "none.json")
    assert err.value.field == "results"
