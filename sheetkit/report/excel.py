"""Write the weekly report as an .xlsx workbook with native Excel charts (xlsxwriter).

Sheets: Summary (what the period covers and is compared with, the KPI table with
each change as an arrow and a word and "–" plus the reason for a missing figure,
action-list counts, a line chart of weekly visits and revenue, a column chart of
therapist load with mean satisfaction, a line chart of the weekly no-show rate),
Trends (the chart data), Therapists & services, Cohorts (retention matrix with a
colour scale), one sheet per action list (in full), and Data quality (the
validation Issues); the sheets after the Summary are in
:mod:`sheetkit.report.excel_sheets`.

Sheet names, titles and KPI labels come from the ``report:`` section of the
locale files; client column headers and choice values (follow-up, channel,
yes/no) use the workbook locale's labels; numbers and amounts carry the locale's
number formats (:mod:`sheetkit.report.formats`). A workbook without data yet
gives a Summary that says so, without charts. Client text is always written
with ``write_string`` (never parsed as a formula or URL), and the file is
written under a temporary name and renamed into place.
"""

from __future__ import annotations

import io
from functools import cached_property
from pathlib import Path
from typing import Any, Final

import xlsxwriter
from xlsxwriter.chart import Chart
from xlsxwriter.worksheet import Worksheet

from sheetkit.excel.crypto import encrypt_workbook
from sheetkit.files import write_atomically
from sheetkit.report.content import (
    Kpi,
    WeeklyReport,
    action_title,
    kpi_label,
    period_description,
    report_labels,
    report_title,
    therapist_period_label,
)
from sheetkit.report.excel_sheets import (
    XlsxContext,
    short_label,
    text_width,
    wrapped_lines,
    write_action_sheet,
    write_cohorts,
    write_quality,
    write_teams,
    write_trends,
)
from sheetkit.report.formats import NO_FIGURE, change_text, kpi_note, number_style
from sheetkit.report.win_back import write_win_back_sheet

__all__ = ["render_report_xlsx", "write_report_xlsx"]

ACCENT: Final = "#4472C4"
SECOND: Final = "#ED7D31"
#: Summary columns: KPI, this period, week before, same week last year, change, note; charts start after a gap.
NOTE_WIDTH: Final = 36
CHART_COLUMN: Final = 7
#: Chart size (px), and the distance from the top of one chart to the next.
CHART_WIDTH: Final = 660
CHART_HEIGHT: Final = 320
CHART_STEP: Final = CHART_HEIGHT + 14


def write_report_xlsx(
    report: WeeklyReport, path: Path | str, *, locale: str, overwrite: bool = True, password: str | None = None
) -> Path:
    """Write ``report`` to ``path`` (.xlsx) atomically, encrypted with ``password`` if given; return the path."""
    out = Path(path)
    with write_atomically(out, overwrite=overwrite) as (tmp,):
        render_report_xlsx(report, tmp, locale=locale, password=password)
    return out


def render_report_xlsx(report: WeeklyReport, path: Path, *, locale: str, password: str | None = None) -> None:
    """Write ``report`` as .xlsx to ``path`` directly (a temporary file of :func:`sheetkit.files.write_atomically`).

    With a ``password`` (the report of an encrypted workbook) the file is Office-encrypted like the workbook.
    """
    labels = report_labels(locale)
    package = io.BytesIO()
    wb = xlsxwriter.Workbook(
        str(path) if password is None else package,
        {
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
            "in_memory": True,  # no part files holding client names in the system's temporary folder
        },
    )
    ctx = XlsxContext.create(wb, report, labels, number_style(labels.locale, report.currency))
    t = ctx.t
    wb.set_properties({"title": report_title(labels, report), "comments": t["generated_by"]})
    summary = wb.add_worksheet(t["sheet_summary"])
    write_trends(wb.add_worksheet(t["sheet_trends"]), ctx)
    write_teams(wb.add_worksheet(t["sheet_teams"]), ctx)
    write_cohorts(wb.add_worksheet(t["sheet_cohorts"]), ctx)
    for action in report.actions:
        write_action_sheet(wb.add_worksheet(t[f"sheet_{action.key}"]), ctx, action)
    write_win_back_sheet(wb.add_worksheet(t["sheet_win_back"]), ctx)
    write_quality(wb.add_worksheet(t["sheet_data_quality"]), ctx)
    _Summary(ctx, wb, summary).write()
    summary.activate()
    wb.close()
    if password is not None:  # encrypted in memory: the plain report never touches the disk
        path.write_bytes(encrypt_workbook(package.getvalue(), password))


def _internal(sheet: str) -> str:
    """An internal hyperlink to cell A1 of ``sheet`` (quotes in the name doubled)."""
    name = sheet.replace("'", "''")
    return f"internal:'{name}'!A1"


class _Summary:
    """The Summary sheet: period, KPI table, action-list counts and the charts."""

    def __init__(self, ctx: XlsxContext, wb: xlsxwriter.Workbook, ws: Worksheet) -> None:
        self.ctx, self.wb, self.ws = ctx, wb, ws
        self.t, self.f, self.report, self.labels = ctx.t, ctx.f, ctx.report, ctx.labels

    def write(self) -> None:
        ws, r = self.ws, self.report
        ws.hide_gridlines(2)
        ws.set_landscape()
        ws.set_paper(9)  # A4
        ws.fit_to_pages(1, 1)
        for col, width in enumerate(self.widths):
            ws.set_column(col, col, width)
        ws.write_string(0, 0, report_title(self.labels, r), self.f["title"])
        source = f" - {Path(r.source).name}" if r.source else ""
        self._paragraph(1, period_description(self.labels, r) + source, "wrap_note")
        if r.has_data:
            row = self._kpi_table(3)
            row = self._paragraph(row + 1, self.t["kpi_note"].format(days=r.return_days), "wrap_note")
        else:
            row = self._paragraph(3, self.t["no_data_yet"].format(end=r.period.end.isoformat()), "nodata")
        self._links(row + 1)
        if r.has_data:
            self._charts()

    def _paragraph(self, row: int, text: str, fmt: str) -> int:
        """``text`` wrapped across the table's six columns; returns the next row."""
        width = sum(self.widths)
        self.ws.merge_range(row, 0, row, 5, "", self.f[fmt])
        self.ws.write_string(row, 0, text, self.f[fmt])
        size = 17 if fmt == "nodata" else 15
        self.ws.set_row(row, size * wrapped_lines(text, width * (0.85 if fmt == "nodata" else 1.0)) + 3)
        return row + 1

    @cached_property
    def widths(self) -> list[float]:
        """Widths of the six table columns, from the longest KPI label and change text."""
        labels = [kpi_label(self.labels, k, self.report) for k in self.report.kpis]
        changes = [change_text(self.labels, self.ctx.style, k) for k in self.report.kpis]
        first = min(max([24, *(text_width(s) + 2 for s in labels)]), 40)
        change = min(max([16, *(text_width(s) + 2 for s in changes)]), 30)
        return [first, 17, 17, 17, change, NOTE_WIDTH]

    def _kpi_table(self, row: int) -> int:
        ws, t = self.ws, self.t
        this, last, year = self.report.periods
        heads = [
            t["kpi"],
            t["this_period"].format(week=this.label),
            t["last_week"].format(week=last.label),
            t["same_week_last_year"].format(week=year.label),
            t["change_vs_last_week"],
            t["col_note"],
        ]
        for col, text in enumerate(heads):
            ws.write_string(row, col, text, self.f["head"])
        ws.set_row(row, 15 * max(wrapped_lines(h, w) for h, w in zip(heads, self.widths, strict=True)) + 4)
        for i, kpi in enumerate(self.report.kpis, start=row + 1):
            self._kpi_row(i, kpi)
        return row + 1 + len(self.report.kpis)

    def _kpi_row(self, row: int, kpi: Kpi) -> None:
        ws, f = self.ws, self.f
        ws.write_string(row, 0, kpi_label(self.labels, kpi, self.report), f["label"])
        for col, value in enumerate((kpi.this, kpi.last_week, kpi.last_year), start=1):
            if value is None:
                ws.write_string(row, col, NO_FIGURE, f["na"])
            else:
                ws.write_number(row, col, value, f[kpi.kind])
        change = change_text(self.labels, self.ctx.style, kpi)
        css = "na" if change == NO_FIGURE else {True: "better", False: "worse", None: "same"}[kpi.better]
        ws.write_string(row, 4, change, f[css])
        note = kpi_note(self.labels, kpi)
        ws.write_string(row, 5, note, f["note"])
        if note:
            ws.set_row(row, 12 * wrapped_lines(note, NOTE_WIDTH * 1.2) + 4)

    def _links(self, row: int) -> None:
        ws, t, f = self.ws, self.t, self.f
        ws.write_string(row, 0, t["action_lists"], f["bold"])
        for action in self.report.actions:
            row += 1
            title = action_title(self.labels, action)
            ws.write_url(row, 0, _internal(t[f"sheet_{action.key}"]), f["link"], string=title)
            ws.write_number(row, 1, len(action.rows), f["count"])
            if action.do_not_contact:
                ws.write_string(row, 2, t["do_not_contact_short"].format(count=action.do_not_contact), f["subtitle"])
        row += 1
        ws.write_url(row, 0, _internal(t["sheet_data_quality"]), f["link"], string=t["data_quality_issues"])
        ws.write_number(row, 1, len(self.report.issues), f["count"])
        if self.report.has_data:
            ws.write_url(row + 2, 0, _internal(t["sheet_teams"]), f["link"], string=t["teams_link"])
            ws.write_url(row + 3, 0, _internal(t["sheet_cohorts"]), f["link"], string=t["cohort_title"])

    # ----------------------------------------------------------------- charts

    def _charts(self) -> None:
        """The three charts, one under the other; a chart with nothing to draw is a sentence instead."""
        r, t = self.report, self.t
        trend_title = t["chart_visits_revenue"].format(weeks=len(r.trend))
        therapist_title = t["chart_therapists"].format(period=therapist_period_label(self.labels, r))
        charts: list[tuple[str, Chart | None]] = [
            (trend_title, self._visits_revenue_chart(trend_title) if any(p.visits for p in r.trend) else None),
            (therapist_title, self._therapist_chart(therapist_title) if r.therapists else None),
            (t["chart_no_show"], self._no_show_chart() if any(p.no_show_rate is not None for p in r.trend) else None),
        ]
        y = 4
        for title, chart in charts:  # placed by pixels from the top: the table's rows have different heights
            if chart is None:
                box: dict[str, Any] = {"width": CHART_WIDTH, "height": 44, "x_offset": 10, "y_offset": y}
                box |= {"font": {"italic": True, "color": "#595959"}, "border": {"color": "#BFBFBF"}}
                self.ws.insert_textbox(0, CHART_COLUMN, t["chart_no_data"].format(chart=title), box)
                y += 58
            else:
                self.ws.insert_chart(0, CHART_COLUMN, chart, {"x_offset": 10, "y_offset": y})
                y += CHART_STEP

    def _chart(self, kind: str, title: str, *, rotate: bool) -> Chart:
        chart = self.wb.add_chart({"type": kind})
        chart.set_title({"name": title, "name_font": {"size": 11, "bold": True}})
        chart.set_x_axis({"num_font": {"rotation": -45 if rotate else 0, "size": 8}})
        chart.set_legend({"position": "bottom", "font": {"size": 9}})
        chart.set_size({"width": CHART_WIDTH, "height": CHART_HEIGHT})
        return chart

    def _axis(self, name: str, **more: Any) -> dict[str, Any]:
        axis: dict[str, Any] = {"num_font": {"size": 8}, "min": 0, **more}
        if name:
            axis |= {"name": name, "name_font": {"size": 9, "bold": False}}
        return axis

    def _visits_revenue_chart(self, title: str) -> Chart:
        """Visits per week (line) with revenue on a second axis (dashed)."""
        n = len(self.report.trend)
        t, sheet = self.t, self.t["sheet_trends"]
        cats = [sheet, 1, 0, n, 0]
        trend = self._chart("line", title, rotate=True)
        trend.add_series(
            {"name": [sheet, 0, 2], "categories": cats, "values": [sheet, 1, 2, n, 2], "line": {"color": ACCENT}}
        )
        revenue = self.wb.add_chart({"type": "line"})
        revenue.add_series(
            {
                "name": [sheet, 0, 3],
                "categories": cats,
                "values": [sheet, 1, 3, n, 3],
                "y2_axis": True,
                "line": {"color": SECOND, "dash_type": "dash"},
            }
        )
        trend.combine(revenue)
        trend.set_y_axis(self._axis(t["axis_visits"], num_format=self.ctx.style.xlsx["count"]))
        axis = t["axis_revenue"].format(currency=self.ctx.style.currency)
        revenue.set_y2_axis(self._axis(axis, num_format=self.ctx.style.xlsx["amount"]))
        return trend

    def _therapist_chart(self, title: str) -> Chart:
        """Visits per therapist (columns) with their satisfaction on a second axis (diamonds)."""
        rows = self.report.therapists
        m, t, sheet = len(rows), self.t, self.t["sheet_trends"]
        # Names turn when they would not fit side by side under their columns.
        rotate = max(text_width(short_label(r.name)) for r in rows) * 7 > CHART_WIDTH * 0.7 / m
        load = self._chart("column", title, rotate=rotate)
        load.add_series(
            {
                "name": [sheet, 0, 8],
                "categories": [sheet, 1, 7, m, 7],
                "values": [sheet, 1, 8, m, 8],
                "fill": {"color": ACCENT},
                "data_labels": {"value": True, "num_format": self.ctx.style.xlsx["count"], "font": {"size": 8}},
            }
        )
        sat = self.wb.add_chart({"type": "line"})
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
        load.set_y_axis(self._axis(t["axis_visits"], num_format=self.ctx.style.xlsx["count"]))
        sat.set_y2_axis(self._axis(t["axis_satisfaction"], min=1, max=5))
        return load

    def _no_show_chart(self) -> Chart:
        """No-show rate per week, gaps where a week had no appointments."""
        n = len(self.report.trend)
        sheet = self.t["sheet_trends"]
        shows = self._chart("line", self.t["chart_no_show"], rotate=True)
        shows.add_series(
            {
                "name": [sheet, 0, 4],
                "categories": [sheet, 1, 0, n, 0],
                "values": [sheet, 1, 4, n, 4],
                "line": {"color": "#C00000", "width": 2},
                "marker": {"type": "circle", "size": 4},
            }
        )
        shows.set_y_axis(self._axis("", num_format=self.ctx.style.xlsx["pct"]))
        shows.set_legend({"none": True})
        shows.show_blanks_as("gap")
        return shows
