"""The files wirespeed's pages are made of: the vendored charting library (uPlot,
read from the package: ``vendor/uplot/README.md`` says where it came from), the
script that draws plot specs with it, and the helpers that inline text into a page
safely.
"""

from __future__ import annotations

import json
from importlib.resources import files
from typing import Any

__all__ = [
    "asset_text",
    "inline_json",
    "inline_script",
    "plots_js",
    "uplot_css",
    "uplot_js",
    "uplot_version",
]

_UPLOT = "vendor/uplot"


def asset_text(name: str) -> str:
    """The text of a file shipped in this package (``"plots.js"``,
    ``"vendor/uplot/uPlot.min.css"``).

    Raises:
        FileNotFoundError: no such asset (a broken installation).
    """
    return files(__package__).joinpath(name).read_text(encoding="utf-8")


def uplot_js() -> str:
    """uPlot's minified browser build (it defines the global ``uPlot``)."""
    return asset_text(f"{_UPLOT}/uPlot.iife.min.js")


def uplot_css() -> str:
    """uPlot's stylesheet."""
    return asset_text(f"{_UPLOT}/uPlot.min.css")


def uplot_version() -> str:
    """The vendored uPlot's version, e.g. ``"1.6.32"``."""
    return asset_text(f"{_UPLOT}/VERSION").strip()


def plots_js() -> str:
    """The script that draws every plot spec of a page (see ``plots.js``)."""
    return asset_text("plots.js")


def inline_script(js: str) -> str:
    """``js`` as an inline ``<script>`` element.

    Raises:
        ValueError: the code holds ``</script``, which would end the element early.
    """
    if "</script" in js.lower():
        raise ValueError("a script to inline holds '</script'")
    return f"<script>{js}</script>"


def inline_json(element_id: str, data: Any) -> str:
    """``data`` as a ``<script type="application/json">`` element that a page's
    script reads with ``JSON.parse``; ``<``, ``>`` and ``&`` are written as JSON
    escapes, so no text in the data can end the element or read as markup."""
    text = json.dumps(data, separators=(",", ":"), allow_nan=False)
    for raw, esc in (("&", "\\u0026"), ("<", "\\u003c"), (">", "\\u003e")):
        text = text.replace(raw, esc)
    return f'<script type="application/json" id="{element_id}">{text}</script>'
