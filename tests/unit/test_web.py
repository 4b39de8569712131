"""What the reports share (:mod:`wirespeed.web`): inlining text into a page
safely, CSV rows, tables and plot specs."""

from __future__ import annotations

import pytest

from wirespeed import web


def test_inline_json_cannot_end_its_element() -> None:
    out = web.inline_json("x", {"a": "</script>&"})
    assert out == (
        '<script type="application/json" id="x">'
        '{"a":"\\u003c/script\\u003e\\u0026"}</script>'
    )


def test_inline_script_refuses_code_that_ends_it() -> None:
    with pytest.raises(ValueError, match="</script"):
        web.inline_script("var s = '</SCRIPT>';")


def test_a_csv_row_refuses_an_undeclared_column() -> None:
    assert web.csv_row(("a", "b"), a=None, b=True) == {"a": "", "b": "true"}
    with pytest.raises(KeyError, match="c"):
        web.csv_row(("a", "b"), c=1)


def test_a_section_without_plots_has_no_plot_grid() -> None:
    spec = web.plot_spec("a", "p", "t", ("x", "y"), [0], {"s": [1]})
    assert web.plot_divs([spec], "b") == ""
    assert web.plot_divs([spec], "a") == (
        '<div class="plots"><div class="plot" id="p"></div></div>'
    )


def test_tables_escape_cells_and_need_no_head() -> None:
    assert web.html_table(("", ""), [("a<b", "1")], "meta") == (
        '<table class="meta"><tbody><tr><td>a&lt;b</td><td>1</td></tr></tbody></table>'
    )
    assert web.html_table(("k",), []) == (
        "<table><thead><tr><th>k</th></tr></thead><tbody></tbody></table>"
    )


def test_settings_flatten_to_dotted_names() -> None:
    data = {"a": {"b": 1, "c": [1, 2]}, "d": [{"e": None}], "f": True, "g": {}}
    assert list(web.flat(data)) == [
        ("a.b", "1"), ("a.c", "1, 2"), ("d.0.e", "-"), ("f", "yes"), ("g", "-"),
    ]  # fmt: skip
    assert web.fmt(None) == "-"
    assert web.fmt(1234.5, ".1f", 1e3) == "1.2"
