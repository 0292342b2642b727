"""Write the weekly report as an .xlsx workbook with native Excel charts (xlsxwriter).

Sheets: Summary (KPI table, action-list counts, a line chart of weekly visits and
revenue, a column chart of therapist load with mean satisfaction, a line chart of
the weekly no-show rate), Trends (the chart data), Cohorts (retention matrix with a
colour scale), one sheet per action list, and Data quality (the validation Issues).

Sheet names, titles and KPI labels come from the ``report:`` section of the
locale files; client column headers and choice values (follow-up, channel,
yes/no) use the workbook locale's labels. Client
text is always written with ``write_string`` (never parsed as a formula or URL), and
the file is written under a temporary name and renamed into place.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path
from typing import Any, Final

import xlsxwriter
from xlsxwriter.chart import Chart
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from sheetkit.files import write_atomically
from sheetkit.report.content import (
    ActionList,
    Kpi,
    WeeklyReport,
    action_description,
    action_title,
    display_value,
    header_label,
    kpi_label,
    report_title,
    therapist_period_label,
)
from sheetkit.template import Labels, load_template

__all__ = ["write_report_xlsx"]

ACCENT: Final = "#4472C4"
#: Widest action-list column (Excel character units): one long complaint does not push the other columns off the page.
MAX_COLUMN_WIDTH: Final = 60
SECOND: Final = "#ED7D31"


def write_report_xlsx(report: WeeklyReport, path: Path | str, *, locale: str, overwrite: bool = True) -> Path:
    """Write ``report`` to ``path`` (.xlsx) atomically; return the path."""
    out = Path(path)
    with write_atomically(out, overwrite=overwrite) as (tmp,):
        render_report_xlsx(report, tmp, locale=locale)
    return out


def render_report_xlsx(report: WeeklyReport, path: Path, *, locale: str) -> None:
    """Write ``report`` as .xlsx to ``path`` directly (a temporary file of :func:`sheetkit.files.write_atomically`)."""
    _Writer(report, load_template().labels(locale)).write(path)


class _Writer:
    def __init__(self, report: WeeklyReport, labels: Labels) -> None:
        self.report = report
        self.labels = labels
        self.t = labels.report
        self.f: dict[str, Format] = {}
        self.trend_sheet = self.t["sheet_trends"]
        self.quality_sheet = self.t["sheet_data_quality"]

    def _formats(self, wb: xlsxwriter.Workbook) -> None:
        money = f'#,##0.00 "{self.report.currency}"' if self.report.currency.isalpha() else "#,##0.00"
        specs: dict[str, dict[str, Any]] = {
            "title": {"bold": True, "font_size": 16, "font_color": "#1F3864"},
            "subtitle": {"italic": True, "font_color": "#595959"},
            "head": {"bold": True, "bg_color": "#DCE6F1", "border": 1, "text_wrap": True, "valign": "top"},
            "label": {"border": 1},
            "count": {"num_format": "#,##0", "border": 1},
            "money": {"num_format": money, "border": 1},
            "rate": {"num_format": "0.0%", "border": 1},
            "change": {"num_format": "+0.0%;[Red]-0.0%;0.0%", "border": 1},
            "pp": {"num_format": '+0.0" pp";[Red]-0.0" pp";0.0" pp"', "border": 1},
            "na": {"italic": True, "font_color": "#808080", "border": 1, "align": "right"},
            "text": {"border": 1, "num_format": "@"},
            "number": {"border": 1},
            "score": {"num_format": "0.00", "border": 1},
            "pct": {"num_format": "0%", "border": 1, "align": "center"},
            "pct_partial": {"num_format": "0%", "border": 1, "align": "center", "italic": True},
            "link": {"font_color": "blue", "underline": 1},
            "bold": {"bold": True},
            "error": {"border": 1, "font_color": "#C00000", "bold": True},
            "warning": {"border": 1, "font_color": "#9C5700"},
        }
        self.f = {name: wb.add_format(spec) for name, spec in specs.items()}

    def write(self, path: Path) -> None:
        wb = xlsxwriter.Workbook(
            str(path),
            {
                "strings_to_formulas": False,
                "strings_to_urls": False,
                "strings_to_numbers": False,
                "in_memory": True,  # no part files holding client names in the system's temporary folder
            },
        )
        self._formats(wb)
        wb.set_properties({"title": report_title(self.labels, self.report), "comments": self.t["generated_by"]})
        summary = wb.add_worksheet(self.t["sheet_summary"])
        trends = wb.add_worksheet(self.trend_sheet)
        cohorts = wb.add_worksheet(self.t["sheet_cohorts"])
        self._trends(trends)
        self._cohorts(cohorts)
        for action in self.report.actions:
            self._action_sheet(wb.add_worksheet(self.t[f"sheet_{action.key}"]), action)
        self._quality(wb.add_worksheet(self.quality_sheet))
        self._summary(wb, summary)
        summary.activate()
        wb.close()

    # ----------------------------------------------------------------- Summary

    def _summary(self, wb: xlsxwriter.Workbook, ws: Worksheet) -> None:
        r = self.report
        this, last, year = r.periods
        ws.set_column(0, 0, 30)
        ws.set_column(1, 4, 20)
        ws.hide_gridlines(2)
        ws.set_landscape()
        ws.set_paper(9)  # A4
        ws.fit_to_pages(1, 1)
        t = self.t
        ws.write_string(0, 0, report_title(self.labels, r), self.f["title"])
        source = f" - {Path(r.source).name}" if r.source else ""
        sub = t["subtitle"].format(start=this.start.isoformat(), end=this.end.isoformat(), as_of=r.as_of.isoformat())
        ws.write_string(1, 0, sub + source, self.f["subtitle"])
        heads = [
            t["kpi"],
            t["this_week"].format(week=this.label),
            t["last_week"].format(week=last.label),
            t["same_week_last_year"].format(week=year.label),
            t["change_vs_last_week"],
        ]
        for col, text in enumerate(heads):
            ws.write_string(3, col, text, self.f["head"])
        ws.set_row(3, 32)
        for i, kpi in enumerate(r.kpis):
            self._kpi_row(ws, 4 + i, kpi)
        row = 5 + len(r.kpis)
        ws.write_string(row, 0, t["kpi_note"].format(days=r.return_days), self.f["subtitle"])
        row += 2
        ws.write_string(row, 0, t["action_lists"], self.f["bold"])
        for action in r.actions:
            row += 1
            target = _internal(t[f"sheet_{action.key}"])
            ws.write_url(row, 0, target, self.f["link"], string=action_title(self.labels, action))
            ws.write_number(row, 1, len(action.rows), self.f["count"])
        row += 1
        ws.write_url(row, 0, _internal(self.quality_sheet), self.f["link"], string=t["data_quality_issues"])
        ws.write_number(row, 1, len(r.issues), self.f["count"])
        self._charts(wb, ws)

    def _kpi_row(self, ws: Worksheet, row: int, kpi: Kpi) -> None:
        ws.write_string(row, 0, kpi_label(self.labels, kpi, self.report), self.f["label"])
        for col, value in enumerate((kpi.this, kpi.last_week, kpi.last_year), start=1):
            if value is None:
                ws.write_string(row, col, self.t["not_yet"] if kpi.key == "return_within" else "-", self.f["na"])
            else:
                ws.write_number(row, col, value, self.f[kpi.kind])
        if kpi.this is None or kpi.last_week is None:
            ws.write_string(row, 4, "-", self.f["na"])
        elif kpi.kind == "rate":
            ws.write_number(row, 4, (kpi.this - kpi.last_week) * 100, self.f["pp"])
        elif kpi.last_week:
            ws.write_number(row, 4, kpi.this / kpi.last_week - 1, self.f["change"])
        else:
            ws.write_string(row, 4, "-", self.f["na"])

    def _charts(self, wb: xlsxwriter.Workbook, ws: Worksheet) -> None:
        # Charts are numbered in the order they are added: visits/revenue, therapists, no-shows.
        ws.insert_chart("G1", self._visits_revenue_chart(wb))
        if self.report.therapists:
            ws.insert_chart("G17", self._therapist_chart(wb))
        ws.insert_chart("G33", self._no_show_chart(wb))

    def _visits_revenue_chart(self, wb: xlsxwriter.Workbook) -> Chart:
        """Visits per week (line) with revenue on a second axis (dashed)."""
        n = len(self.report.trend)
        t = self.t
        sheet = self.trend_sheet
        cats = [sheet, 1, 0, n, 0]
        trend = wb.add_chart({"type": "line"})
        trend.add_series(
            {
                "name": [sheet, 0, 2],
                "categories": cats,
                "values": [sheet, 1, 2, n, 2],
                "line": {"color": ACCENT, "width": 2.25},
            }
        )
        revenue = wb.add_chart({"type": "line"})
        revenue.add_series(
            {
                "name": [sheet, 0, 3],
                "categories": cats,
                "values": [sheet, 1, 3, n, 3],
                "y2_axis": True,
                "line": {"color": SECOND, "width": 2.25, "dash_type": "dash"},
            }
        )
        trend.combine(revenue)
        trend.set_title({"name": t["chart_visits_revenue"].format(weeks=n)})
        trend.set_x_axis({"num_font": {"rotation": -45, "size": 8}})
        trend.set_y_axis({"name": t["axis_visits"], "min": 0})
        revenue.set_y2_axis({"name": t["axis_revenue"].format(currency=self.report.currency), "min": 0})
        trend.set_legend({"position": "bottom"})
        trend.set_size({"width": 720, "height": 300})
        return trend

    def _therapist_chart(self, wb: xlsxwriter.Workbook) -> Chart:
        """Visits per therapist (columns) with their satisfaction on a second axis (diamonds)."""
        m = len(self.report.therapists)
        t = self.t
        sheet = self.trend_sheet
        load = wb.add_chart({"type": "column"})
        load.add_series(
            {
                "name": [sheet, 0, 8],
                "categories": [sheet, 1, 7, m, 7],
                "values": [sheet, 1, 8, m, 8],
                "fill": {"color": ACCENT},
                "data_labels": {"value": True},
            }
        )
        sat = wb.add_chart({"type": "line"})
        sat.add_series(
            {
                "name": [sheet, 0, 9],
                "categories": [sheet, 1, 7, m, 7],
                "values": [sheet, 1, 9, m, 9],
                "y2_axis": True,
                "line": {"none": True},
                "marker": {"type": "diamond", "size": 9, "fill": {"color": SECOND}, "border": {"color": SECOND}},
            }
        )
        load.combine(sat)
        period = therapist_period_label(self.labels, self.report)
        load.set_title({"name": t["chart_therapists"].format(period=period)})
        load.set_y_axis({"name": t["axis_visits"], "min": 0})
        sat.set_y2_axis({"name": t["axis_satisfaction"], "min": 1, "max": 5})
        load.set_legend({"position": "bottom"})
        load.set_size({"width": 720, "height": 300})
        return load

    def _no_show_chart(self, wb: xlsxwriter.Workbook) -> Chart:
        """No-show rate per week, gaps where a week had no appointments."""
        n = len(self.report.trend)
        sheet = self.trend_sheet
        shows = wb.add_chart({"type": "line"})
        shows.add_series(
            {
                "name": [sheet, 0, 4],
                "categories": [sheet, 1, 0, n, 0],
                "values": [sheet, 1, 4, n, 4],
                "line": {"color": "#C00000", "width": 2},
                "marker": {"type": "circle", "size": 4},
            }
        )
        shows.set_title({"name": self.t["chart_no_show"]})
        shows.set_x_axis({"num_font": {"rotation": -45, "size": 8}})
        shows.set_y_axis({"num_format": "0%", "min": 0})
        shows.set_legend({"none": True})
        shows.set_size({"width": 720, "height": 260})
        shows.show_blanks_as("gap")
        return shows

    # ----------------------------------------------------------------- data sheets

    def _trends(self, ws: Worksheet) -> None:
        t = self.t
        heads = [
            t["col_week"],
            t["col_week_starting"],
            t["col_visits"],
            t["col_revenue"].format(currency=self.report.currency),
            t["col_no_show_rate"],
        ]
        for col, text in enumerate(heads):
            ws.write_string(0, col, text, self.f["head"])
        for i, point in enumerate(self.report.trend, start=1):
            ws.write_string(i, 0, point.week, self.f["text"])
            ws.write_string(i, 1, point.start.isoformat(), self.f["text"])
            ws.write_number(i, 2, point.visits, self.f["count"])
            ws.write_number(i, 3, point.revenue, self.f["money"])
            if point.no_show_rate is None:
                ws.write_blank(i, 4, None, self.f["rate"])
            else:
                ws.write_number(i, 4, point.no_show_rate, self.f["rate"])
        for col, text in enumerate([t["col_therapist"], t["col_visits"], t["col_mean_satisfaction"]], start=7):
            ws.write_string(0, col, text, self.f["head"])
        for i, row in enumerate(self.report.therapists, start=1):
            ws.write_string(i, 7, row.name, self.f["text"])
            ws.write_number(i, 8, row.visits, self.f["count"])
            if row.satisfaction is None:
                ws.write_blank(i, 9, None, self.f["score"])
            else:
                ws.write_number(i, 9, round(row.satisfaction, 2), self.f["score"])
        ws.set_column(0, 1, 13)
        ws.set_column(2, 4, 14)
        ws.set_column(7, 7, 22)
        ws.set_column(8, 9, 14)
        ws.set_row(0, 30)  # room for wrapped headers ("Mean satisfaction")
        ws.freeze_panes(1, 0)
        _print_wide(ws, header_row=0)

    def _cohorts(self, ws: Worksheet) -> None:
        table = self.report.cohorts
        t = self.t
        ws.write_string(0, 0, t["cohort_title"], self.f["title"])
        ws.write_string(1, 0, t["cohort_note"], self.f["subtitle"])
        width = max((len(r) for r in table.shares), default=0)
        ws.write_string(3, 0, t["col_cohort"], self.f["head"])
        ws.write_string(3, 1, t["col_clients"], self.f["head"])
        for k in range(width):
            ws.write_string(3, 2 + k, t["cohort_month"].format(k=k), self.f["head"])
        rows = zip(table.cohorts, table.sizes, table.shares, table.partial, strict=True)
        for i, (cohort, size, shares, partial) in enumerate(rows):
            row = 4 + i
            ws.write_string(row, 0, cohort, self.f["text"])
            ws.write_number(row, 1, size, self.f["count"])
            for k, (share, part) in enumerate(zip(shares, partial, strict=True)):
                if share is None:
                    ws.write_blank(row, 2 + k, None, self.f["pct"])
                else:  # the current month, still partial, in italics (as in the HTML report)
                    ws.write_number(row, 2 + k, share, self.f["pct_partial" if part else "pct"])
        if table.cohorts and width:
            last_row = 3 + len(table.cohorts)
            ws.conditional_format(
                4,
                2,
                last_row,
                1 + width,
                {
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
                },
            )
        ws.set_column(0, 1, 11)
        ws.set_column(2, 1 + max(width, 1), 9)
        ws.freeze_panes(4, 2)
        _print_wide(ws)

    def _action_sheet(self, ws: Worksheet, action: ActionList) -> None:
        ws.write_string(0, 0, action_title(self.labels, action), self.f["title"])
        count = self.t["row_count"].format(count=len(action.rows))
        ws.write_string(1, 0, f"{action_description(self.labels, action)} {count}", self.f["subtitle"])
        columns = list(action.rows.columns)
        ws.set_row(3, 30)
        widths = [_header_width(header_label(self.labels, key)) for key in columns]
        for col, key in enumerate(columns):
            ws.write_string(3, col, header_label(self.labels, key), self.f["head"])
        for i, values in enumerate(action.rows.itertuples(index=False, name=None)):
            for col, (key, value) in enumerate(zip(columns, values, strict=True)):
                shown = display_value(self.labels, key, value)
                widths[col] = max(widths[col], _text_width(shown))
                if shown is None:
                    ws.write_blank(4 + i, col, None, self.f["text"])
                elif isinstance(shown, str):
                    ws.write_string(4 + i, col, shown, self.f["text"])
                else:
                    ws.write_number(4 + i, col, shown, self.f["number"])
        for col, width in enumerate(widths):
            ws.set_column(col, col, min(width + 2, MAX_COLUMN_WIDTH))
        if columns:
            ws.autofilter(3, 0, 3 + max(len(action.rows), 1), len(columns) - 1)
        ws.freeze_panes(4, 2)
        _print_wide(ws)

    def _quality(self, ws: Worksheet) -> None:
        t = self.t
        ws.write_string(0, 0, t["quality_title"], self.f["title"])
        issues = self.report.issues
        errors = sum(1 for i in issues if i.severity == "error")
        ws.write_string(
            1,
            0,
            t["quality_summary"].format(errors=errors, warnings=len(issues) - errors) if issues else t["no_issues"],
            self.f["subtitle"],
        )
        # A chain's Issues say which branch's sheet they are in: one more column, first.
        chain = any(i.branch for i in issues)
        keys = ("branch",) * chain + ("severity", "code", "sheet", "row", "column", "cell", "value", "message")
        widths = [10] * chain + [10, 22, 14, 7, 22, 8, 20, 70]
        for col, (key, width) in enumerate(zip(keys, widths, strict=True)):
            ws.write_string(3, col, t[f"col_{key}"], self.f["head"])
            ws.set_column(col, col, width)
        for i, issue in enumerate(issues, start=4):
            if chain:
                ws.write_string(i, 0, issue.branch or "", self.f["text"])
            first = int(chain)
            ws.write_string(i, first, t.get(f"severity_{issue.severity}", issue.severity), self.f[issue.severity])
            ws.write_string(i, first + 1, issue.code, self.f["text"])
            ws.write_string(i, first + 2, issue.sheet, self.f["text"])
            if issue.row is None:
                ws.write_blank(i, first + 3, None, self.f["number"])
            else:
                ws.write_number(i, first + 3, issue.row, self.f["number"])
            for col, cell in enumerate((issue.column, issue.cell, issue.value, issue.message), start=first + 4):
                ws.write_string(i, col, cell or "", self.f["text"])
        ws.freeze_panes(4, 0)
        _print_wide(ws)


def _text_width(value: object) -> int:
    """Width of a cell in Excel character units; East Asian wide characters count twice."""
    if value is None:
        return 0
    if isinstance(value, float):
        return len(str(int(value)) if value.is_integer() else f"{value:.2f}")
    text = str(value)
    if text.isascii():
        return len(text)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _header_width(text: str) -> int:
    """A header wraps onto two lines: the longer half of its words, at least 8 units, plus the filter button."""
    words = text.split()
    best = _text_width(text)
    for cut in range(1, len(words)):
        best = min(best, max(_text_width(" ".join(words[:cut])), _text_width(" ".join(words[cut:]))))
    return max(best, 8) + 2


def _internal(sheet: str) -> str:
    """An internal hyperlink to cell A1 of ``sheet`` (quotes in the name doubled)."""
    name = sheet.replace("'", "''")
    return f"internal:'{name}'!A1"


def _print_wide(ws: Worksheet, *, header_row: int = 3) -> None:
    """Landscape, one page wide, header rows repeated."""
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(header_row)
