"""What the tests of the reports' HTML pages share: reading the page's inline JSON
back, text that would break out of an element, and the checks that a page loads
nothing from anywhere."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

from wirespeed import web

HOSTILE = '</script><script>alert("x")</script><b>&amp;'
"""Text that would end a script element and start markup if written unescaped."""
HOSTILE_CELL = (
    "<td>&lt;/script&gt;&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"
    "&lt;b&gt;&amp;amp;</td>"
)
""":data:`HOSTILE` as a table cell, escaped."""


def script_json(html: str, element_id: str) -> Any:
    """The data of the page's JSON script element ``element_id``."""
    m = re.search(
        rf'<script type="application/json" id="{element_id}">(.*?)</script>', html
    )
    assert m is not None, element_id
    return json.loads(m.group(1))


def assert_self_contained(html: str) -> None:
    """No element of the page refers to another file, its policy loads nothing,
    and it holds just its two JSON blocks and two scripts."""
    assert not re.search(r"<(script|link|img|iframe)[^>]*\s(src|href)=", html)
    assert "default-src 'none'" in html
    assert html.count("<script") == 4


def assert_page(html: str, results: Any, plot_ids: Iterable[str]) -> None:
    """The page holds ``results``, an element for each plot (in the specs' order),
    the charting library and the script that draws, and nothing from elsewhere."""
    plot_ids = list(plot_ids)
    assert script_json(html, web.RESULTS_ID) == results
    assert [s["id"] for s in script_json(html, web.PLOTS_ID)] == plot_ids
    for plot_id in plot_ids:
        assert html.count(f'<div class="plot" id="{plot_id}"></div>') == 1
    assert web.uplot_js() in html
    assert web.plots_js() in html
    assert f"uPlot {web.uplot_version()}" in html
    assert_self_contained(html)
