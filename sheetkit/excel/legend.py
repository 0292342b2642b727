"""The colour legend sheet of the .xlsx workbook, in the workbook's language.

One row per colour (:func:`sheetkit.template.legend.legend_rows`): a sample cell
in the colour, where it shows, what it means. Texts wrap at spaces and every row
is as tall as its longest text, so nothing is clipped in any locale.
"""

from __future__ import annotations

from typing import Final

import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from sheetkit.template import Labels
from sheetkit.template.legend import legend_rows
from sheetkit.template.styles import header_width, line_height, wrapped_lines

__all__ = ["write_legend"]

#: Column widths: sample, where, meaning.
_WIDTHS: Final = (24.0, 22.0, 70.0)


def write_legend(wb: xlsxwriter.Workbook, ws: Worksheet, labels: Labels) -> None:
    """Write the legend of ``labels`` on ``ws`` (rows in order: the workbook may be in constant-memory mode)."""
    rows = legend_rows(labels)
    legend = labels.legend
    sample_width = max(_WIDTHS[0], *(header_width(0, r.sample) for r in rows))
    widths = (sample_width, _WIDTHS[1], _WIDTHS[2])
    wrap = {"text_wrap": True, "valign": "top", "border": 1, "locked": True}
    title = wb.add_format({"bold": True, "font_size": 14})
    head = wb.add_format({**wrap, "bold": True, "bg_color": "#DCE6F1"})
    plain = wb.add_format(wrap)
    for i, width in enumerate(widths):
        ws.set_column(i, i, width)
    ws.set_row(0, 24)
    ws.write_string(0, 0, str(legend["title"]), title)
    ws.write_string(2, 0, str(legend["colour"]), head)
    ws.write_string(2, 1, str(legend["where"]), head)
    ws.write_string(2, 2, str(legend["meaning"]), head)
    for n, row in enumerate(rows, start=3):
        texts = (row.sample, row.where, row.meaning)
        lines = max(wrapped_lines(t, w) for t, w in zip(texts, widths, strict=True))
        ws.set_row(n, line_height(lines))
        ws.write_string(n, 0, row.sample, wb.add_format({**wrap, **row.style}))
        ws.write_string(n, 1, row.where, plain)
        ws.write_string(n, 2, row.meaning, plain)
    ws.set_landscape()
    ws.set_paper(9)  # A4, as every sheet of the workbook
    ws.fit_to_pages(1, 0)
    ws.protect("", {"select_locked_cells": True, "select_unlocked_cells": True})
