"""What wirespeed's HTML views share: the vendored charting library and the script
that draws plot specs with it (:mod:`.assets`), and the parts every report is made
of — the self-contained page, its tables, plot specs, CSV rows and the saved
results it reads (:mod:`.report`).

A report inlines everything, so it opens from ``file://`` with no network; the
daemon's live dashboard will serve the same files.
"""

from wirespeed.web.assets import (
    asset_text,
    inline_json,
    inline_script,
    plots_js,
    uplot_css,
    uplot_js,
    uplot_version,
)
from wirespeed.web.report import (
    PLOTS_ID,
    RESULTS_ID,
    Table,
    csv_row,
    flat,
    fmt,
    html_table,
    plot_divs,
    plot_spec,
    read_json,
    report_page,
    section,
    value_text,
    write_csv,
)

__all__ = [
    "PLOTS_ID",
    "RESULTS_ID",
    "Table",
    "asset_text",
    "csv_row",
    "flat",
    "fmt",
    "html_table",
    "inline_json",
    "inline_script",
    "plot_divs",
    "plot_spec",
    "plots_js",
    "read_json",
    "report_page",
    "section",
    "uplot_css",
    "uplot_js",
    "uplot_version",
    "value_text",
    "write_csv",
]
