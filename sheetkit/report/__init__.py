"""The manager's weekly report: KPIs, charts and action lists, as .xlsx and as self-contained HTML.

:func:`build_report` computes the content once (:mod:`sheetkit.report.content`);
:func:`write_report_xlsx` and :func:`write_report_html` render it. Report-only
titles are in English in this first version; choice values and client column
headers use the workbook's locale labels.
"""

from __future__ import annotations

from sheetkit.report.content import WeeklyReport, build_report
from sheetkit.report.excel import write_report_xlsx
from sheetkit.report.html import write_report_html

__all__ = ["WeeklyReport", "build_report", "write_report_html", "write_report_xlsx"]
