"""The data sheets of the .xlsx weekly report: trends, therapists and services, cohorts, action lists, data quality.

Every sheet gets its cell formats from one :class:`XlsxContext` (number formats in
the workbook's locale, from :mod:`sheetkit.report.formats`). Client text is always
written with ``write_string``. A missing figure is "–", never 0 or an empty cell
that reads as one; the notes under each table say why.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from sheetkit.report.content import (
    ActionList,
    GroupRow,
    WeeklyReport,
    action_description,
    action_title,
    display_value,
    header_label,
    reason_text,
    therapist_period_label,
)
from sheetkit.report.formats import NO_FIGURE, NumberStyle
from sheetkit.report.periods import week_label
from sheetkit.report.tables import group_label
from sheetkit.template import Labels

__all__ = [
    "MAX_COLUMN_WIDTH",
    "XlsxContext",
    "print_wide",
    "short_label",
    "text_width",
    "wrapped_lines",
    "write_action_sheet",
    "write_cohorts",
    "write_quality",
    "write_teams",
    "write_trends",
]

#: Widest action-list column (Excel character units): one long complaint does not push the other columns off the page.
MAX_COLUMN_WIDTH: Final = 60
#: Widest chart category label (character units); longer names are shortened in the chart data.
CHART_LABEL: Final = 16
#: Widths of the figure columns of the therapist and category tables (visits ... satisfaction).
GROUP_WIDTHS: Final = (11, 11, 18, 16, 16, 22, 16)
#: Width of the Branch column of a chain's therapist table.
BRANCH_WIDTH: Final = 12
#: The cohort matrix's colour scale: red (0 %), yellow (50 %), green (100 %).
COHORT_SCALE: Final = {
    "type": "3_color_scale",
    "min_type": "num",
    "min_value": 0,
    "mid_type": "num",
    "mid_value": 0.5,
    "max_type": "num",
    "max_value": 1,
    "min_color": "#F8696B",
    "mid_color": "#FFEB84",
    "max_color": "#63BE7B",
}


@dataclass
class XlsxContext:
    """What every sheet writer needs: the report, its labels and number style, the workbook's cell formats."""

    report: WeeklyReport
    labels: Labels
    style: NumberStyle
    f: dict[str, Format]

    @property
    def t(self) -> Mapping[str, str]:
        """The report labels of the locale written."""
        return self.labels.report

    @classmethod
    def create(cls, wb: xlsxwriter.Workbook, report: WeeklyReport, labels: Labels, style: NumberStyle) -> XlsxContext:
        """The context with every cell format of the report added to ``wb``."""
        n = style.xlsx
        border = {"border": 1, "border_color": "#BFBFBF", "valign": "vcenter"}
        specs: dict[str, dict[str, Any]] = {
            "title": {"bold": True, "font_size": 16, "font_color": "#1F3864"},
            "h2": {"bold": True, "font_size": 12, "font_color": "#1F3864"},
            "subtitle": {"italic": True, "font_color": "#595959"},
            "wrap_note": {"italic": True, "font_color": "#595959", "text_wrap": True, "valign": "top"},
            "nodata": {"bold": True, "font_size": 13, "font_color": "#9C5700", "text_wrap": True, "valign": "top"},
            "head": {**border, "bold": True, "bg_color": "#DCE6F1", "text_wrap": True, "valign": "top"},
            "label": border,
            "count": {**border, "num_format": n["count"]},
            "money": {**border, "num_format": n["money"]},
            "rate": {**border, "num_format": n["rate"]},
            "na": {**border, "font_color": "#808080", "align": "center"},
            "note": {**border, "font_color": "#595959", "font_size": 9, "text_wrap": True},
            "better": {**border, "bold": True, "font_color": "#2E7D32"},
            "worse": {**border, "bold": True, "font_color": "#C00000"},
            "same": {**border, "font_color": "#595959"},
            "text": {**border, "num_format": "@"},
            "muted": {**border, "num_format": "@", "font_color": "#A0A0A0"},
            "number": {**border, "num_format": n["count"]},
            "plain": {**border, "num_format": "0"},
            "decimal": {**border, "num_format": n["decimal"]},
            "score": {**border, "num_format": n["score"]},
            "pct": {**border, "num_format": n["pct"], "align": "center"},
            "pct_partial": {**border, "num_format": n["pct"], "align": "center", "italic": True},
            "link": {"font_color": "blue", "underline": 1},
            "bold": {"bold": True},
            "error": {**border, "font_color": "#C00000", "bold": True},
            "warning": {**border, "font_color": "#9C5700"},
        }
        return cls(report, labels, style, {name: wb.add_format(spec) for name, spec in specs.items()})


def text_width(value: object) -> int:
    """Width of a cell in Excel character units; East Asian wide characters count twice."""
    if value is None:
        return 0
    if isinstance(value, float):
        return len(str(int(value)) if value.is_integer() else f"{value:.2f}")
    text = str(value)
    if text.isascii():
        return len(text)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def short_label(text: str, limit: int = CHART_LABEL) -> str:
    """``text``, or its start and an ellipsis when wider than ``limit`` character units.

    >>> short_label("Nguyễn Thị Phương Thảo Hồng Nhung")
    'Nguyễn Thị Phươ…'
    """
    if text_width(text) <= limit:
        return text
    cut = len(text)
    while cut > 1 and text_width(text[:cut]) + 1 > limit:
        cut -= 1
    return text[:cut].rstrip() + "\u2026"


def wrapped_lines(text: str, width: float) -> int:
    """Lines ``text`` takes in a wrapped cell ``width`` characters wide, breaking between words (generously)."""
    lines, used = 1, 0.0
    for word in text.split():
        size = text_width(word) * 1.1
        if used and used + 1 + size > width:
            lines, used = lines + 1, 0.0
        if size > width:  # a long word (or Chinese text, without spaces) breaks anywhere
            lines += math.ceil(size / width) - 1
            size = size % width
        used += size + (1 if used else 0)
    return lines


def _header_width(text: str) -> int:
    """A header wraps onto two lines: the longer half of its words, at least 8 units, plus the filter button."""
    words = text.split()
    best = text_width(text)
    for cut in range(1, len(words)):
        best = min(best, max(text_width(" ".join(words[:cut])), text_width(" ".join(words[cut:]))))
    return max(best, 8) + 2


def print_wide(ws: Worksheet, *, header_row: int = 3) -> None:
    """Landscape A4, one page wide, header rows repeated."""
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(header_row)


def _number(ws: Worksheet, cell: tuple[int, int], value: float | None, fmt: Format, na: Format) -> None:
    """A figure, or "–" when there is none."""
    if value is None:
        ws.write_string(*cell, NO_FIGURE, na)
    else:
        ws.write_number(*cell, value, fmt)


# --------------------------------------------------------------------------- trends (chart data)


def write_trends(ws: Worksheet, ctx: XlsxContext) -> None:
    """The weekly trend and the therapists' visits and satisfaction: the data of the Summary's charts."""
    t, f, report = ctx.t, ctx.f, ctx.report
    heads = [
        t["col_week"],
        t["col_week_starting"],
        t["col_visits"],
        t["col_revenue"].format(currency=ctx.style.currency),
        t["col_no_show_rate"],
    ]
    for col, text in enumerate(heads):
        ws.write_string(0, col, text, f["head"])
    for i, point in enumerate(report.trend, start=1):
        ws.write_string(i, 0, point.week, f["text"])
        ws.write_string(i, 1, point.start.isoformat(), f["text"])
        ws.write_number(i, 2, point.visits, f["count"])
        if point.revenue is None:  # branches in different currencies: no line rather than a meaningless sum
            ws.write_blank(i, 3, None, f["money"])
        else:
            ws.write_number(i, 3, point.revenue, f["money"])
        if point.no_show_rate is None:  # a gap in the chart, not a 0 %
            ws.write_blank(i, 4, None, f["rate"])
        else:
            ws.write_number(i, 4, point.no_show_rate, f["rate"])
    for col, text in enumerate([t["col_therapist"], t["col_visits"], t["col_mean_satisfaction"]], start=7):
        ws.write_string(0, col, text, f["head"])
    for i, row in enumerate(report.therapists, start=1):  # chart labels: long names shortened (whole on Teams)
        ws.write_string(i, 7, short_label(group_label(row)), f["text"])
        ws.write_number(i, 8, row.visits, f["count"])
        if row.satisfaction is None:
            ws.write_blank(i, 9, None, f["score"])
        else:
            ws.write_number(i, 9, round(row.satisfaction, 2), f["score"])
    ws.set_column(0, 1, 13)
    ws.set_column(2, 4, 16)
    ws.set_column(7, 7, 22)
    ws.set_column(8, 9, 14)
    ws.set_row(0, 30)  # room for wrapped headers ("Mean satisfaction")
    ws.freeze_panes(1, 0)
    print_wide(ws, header_row=0)


# --------------------------------------------------------------------------- therapists and service categories


def _group_heads(ctx: XlsxContext, name: str, *, branches: bool) -> list[str]:
    t, report = ctx.t, ctx.report
    back = report.return_period
    span = "" if back is None else t["week_range"].format(start=week_label(back.start), end=week_label(back.end))
    return [
        t[name],
        *([t["col_branch"]] if branches else []),
        t["col_visits"],
        t["col_clients"],
        t["col_revenue"].format(currency=ctx.style.currency),
        t["col_rebooking_rate"],
        t["col_no_show_rate"],
        t["col_return_within"].format(days=report.return_days, period=span),
        t["col_mean_satisfaction"],
    ]


def _group_table(ws: Worksheet, ctx: XlsxContext, row: int, title: str, *, name: str, rows: list[GroupRow]) -> int:
    """One table (title, header, a row per therapist or category); returns the next free row.

    A chain's therapists get a Branch column: the same name in two branches is two people.
    """
    f = ctx.f
    ws.write_string(row, 0, title, f["h2"])
    if not rows:
        ws.write_string(row + 1, 0, ctx.t["nobody"], f["subtitle"])
        return row + 3
    branches = any(g.branch is not None for g in rows)
    heads = _group_heads(ctx, name, branches=branches)
    for col, text in enumerate(heads):
        ws.write_string(row + 1, col, text, f["head"])
    widths = [_group_width(ctx), *([BRANCH_WIDTH] if branches else []), *GROUP_WIDTHS]
    ws.set_row(row + 1, 15 * max(wrapped_lines(h, w) for h, w in zip(heads, widths, strict=True)) + 4)
    first = 2 if branches else 1  # the column of the visits
    for i, group in enumerate(rows, start=row + 2):
        ws.write_string(i, 0, group.name, f["text"])
        if branches:
            ws.write_string(i, 1, group.branch or "", f["text"])
        ws.write_number(i, first, group.visits, f["count"])
        ws.write_number(i, first + 1, group.clients, f["count"])
        _number(ws, (i, first + 2), group.revenue, f["money"], f["na"])
        for col, value in enumerate((group.rebooking_rate, group.no_show_rate, group.return_within), start=first + 3):
            _number(ws, (i, col), value, f["rate"], f["na"])
        score = None if group.satisfaction is None else round(group.satisfaction, 2)
        _number(ws, (i, first + 6), score, f["score"], f["na"])
    return row + 3 + len(rows)


def _has_branches(ctx: XlsxContext) -> bool:
    return any(g.branch is not None for g in ctx.report.therapists + ctx.report.categories)


def write_teams(ws: Worksheet, ctx: XlsxContext) -> None:
    """Per-therapist and per-service-category figures over the last weeks."""
    t, report = ctx.t, ctx.report
    period = therapist_period_label(ctx.labels, report)
    ws.write_string(0, 0, t["teams_link"], ctx.f["title"])
    ws.write_string(1, 0, t["table_na_note"], ctx.f["subtitle"])
    therapists = t["table_therapists"].format(period=period)
    row = _group_table(ws, ctx, 3, therapists, name="col_therapist", rows=report.therapists)
    categories = t["table_categories"].format(period=period)
    row = _group_table(ws, ctx, row, categories, name="col_category", rows=report.categories)
    if report.money_reason is not None:
        ws.write_string(row, 0, f"{NO_FIGURE} {reason_text(ctx.labels, report.money_reason)}", ctx.f["subtitle"])
    ws.set_column(0, 0, _group_width(ctx))
    widths = [BRANCH_WIDTH, *GROUP_WIDTHS] if _has_branches(ctx) else list(GROUP_WIDTHS)
    for col, width in enumerate(widths, start=1):
        ws.set_column(col, col, width)
    print_wide(ws, header_row=4)


def _group_width(ctx: XlsxContext) -> int:
    """Width of the name column of the therapist and category tables."""
    names = [g.name for g in ctx.report.therapists + ctx.report.categories]
    return min(max([24, *(text_width(n) + 2 for n in names)]), MAX_COLUMN_WIDTH)


# --------------------------------------------------------------------------- cohorts


def write_cohorts(ws: Worksheet, ctx: XlsxContext) -> None:
    """The cohort matrix, oldest cohort first, colour-scaled; a month without new clients is an empty grey row."""
    table, t, f = ctx.report.cohorts, ctx.t, ctx.f
    ws.write_string(0, 0, t["cohort_title"], f["title"])
    ws.write_string(1, 0, t["cohort_note"], f["subtitle"])
    if not table.cohorts:
        ws.write_string(3, 0, t["chart_no_data"].format(chart=t["cohort_title"]), f["subtitle"])
        return
    width = max(len(r) for r in table.shares)
    ws.write_string(3, 0, t["col_cohort"], f["head"])
    ws.write_string(3, 1, t["col_clients"], f["head"])
    ws.set_row(3, 15 * wrapped_lines(t["col_clients"], 7) + 4)
    for k in range(width):
        ws.write_string(3, 2 + k, t["cohort_month_short"].format(k=k), f["head"])
    rows = zip(table.cohorts, table.sizes, table.shares, table.partial, strict=True)
    for i, (cohort, size, shares, partial) in enumerate(rows):
        row = 4 + i
        ws.write_string(row, 0, cohort, f["text" if size else "muted"])
        ws.write_number(row, 1, size, f["count"])
        for k, (share, part) in enumerate(zip(shares, partial, strict=True)):
            if share is None:
                ws.write_blank(row, 2 + k, None, f["pct"])
            else:  # the current month, still partial, in italics (as in the HTML report)
                ws.write_number(row, 2 + k, share, f["pct_partial" if part else "pct"])
    if width:
        ws.conditional_format(4, 2, 3 + len(table.cohorts), 1 + width, COHORT_SCALE)
    ws.set_column(0, 0, 10)
    ws.set_column(1, 1, 8)
    ws.set_column(2, 1 + width, 5.5)
    ws.freeze_panes(4, 2)
    print_wide(ws)


# --------------------------------------------------------------------------- action lists and data quality


def write_action_sheet(ws: Worksheet, ctx: XlsxContext, action: ActionList) -> None:
    """One action list in full, with its description, do-not-contact count and row count."""
    labels, f = ctx.labels, ctx.f
    ws.write_string(0, 0, action_title(labels, action), f["title"])
    count = ctx.t["row_count"].format(count=len(action.rows))
    ws.write_string(1, 0, f"{action_description(labels, action)} {count}", f["subtitle"])
    columns = list(action.rows.columns)
    ws.set_row(3, 30)
    widths = [_header_width(header_label(labels, key)) for key in columns]
    for col, key in enumerate(columns):
        ws.write_string(3, col, header_label(labels, key), f["head"])
    for i, values in enumerate(action.rows.itertuples(index=False, name=None)):
        for col, (key, value) in enumerate(zip(columns, values, strict=True)):
            shown = display_value(labels, key, value)
            widths[col] = max(widths[col], text_width(shown))
            if shown is None:
                ws.write_blank(4 + i, col, None, f["text"])
            elif isinstance(shown, str):
                ws.write_string(4 + i, col, shown, f["text"])
            else:
                ws.write_number(4 + i, col, shown, f["number" if float(shown).is_integer() else "decimal"])
    for col, width in enumerate(widths):
        ws.set_column(col, col, min(width + 2, MAX_COLUMN_WIDTH))
    if columns:
        ws.autofilter(3, 0, 3 + max(len(action.rows), 1), len(columns) - 1)
    ws.freeze_panes(4, 2)
    print_wide(ws)


def write_quality(ws: Worksheet, ctx: XlsxContext) -> None:
    """Every validation Issue: where it is and what to fix (health values already withheld)."""
    t, f = ctx.t, ctx.f
    ws.write_string(0, 0, t["quality_title"], f["title"])
    issues = ctx.report.issues
    errors = sum(1 for i in issues if i.severity == "error")
    summary = t["quality_summary"].format(errors=errors, warnings=len(issues) - errors) if issues else t["no_issues"]
    ws.write_string(1, 0, summary, f["subtitle"])
    # A chain's Issues say which branch's sheet they are in: one more column, first.
    chain = any(i.branch for i in issues)
    keys = ("branch",) * chain + ("severity", "code", "sheet", "row", "column", "cell", "value", "message")
    widths = [10] * chain + [10, 22, 14, 7, 22, 8, 20, 70]
    for col, (key, width) in enumerate(zip(keys, widths, strict=True)):
        ws.write_string(3, col, t[f"col_{key}"], f["head"])
        ws.set_column(col, col, width)
    for i, issue in enumerate(issues, start=4):
        if chain:
            ws.write_string(i, 0, issue.branch or "", f["text"])
        first = int(chain)
        ws.write_string(i, first, t.get(f"severity_{issue.severity}", issue.severity), f[issue.severity])
        ws.write_string(i, first + 1, issue.code, f["text"])
        ws.write_string(i, first + 2, issue.sheet, f["text"])
        if issue.row is None:
            ws.write_blank(i, first + 3, None, f["text"])
        else:
            ws.write_number(i, first + 3, issue.row, f["plain"])
        for col, cell in enumerate((issue.column, issue.cell, issue.value, issue.message), start=first + 4):
            ws.write_string(i, col, cell or "", f["text"])
    ws.freeze_panes(4, 0)
    print_wide(ws)
