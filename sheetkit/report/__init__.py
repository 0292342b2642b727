"""The manager's weekly report: KPIs, charts and action lists, as .xlsx and as self-contained HTML.

:func:`report_period` chooses the week a report covers (by default the last
complete ISO week before today); :func:`build_report` computes the content once
(:mod:`sheetkit.report.content`); :func:`write_report_xlsx` and
:func:`write_report_html` render it in a locale: report-only titles come from the
``report:`` section of the template's locale files; choice values and client
column headers use the workbook's locale labels. :func:`weekly_report` reports on
one workbook (:mod:`sheetkit.report.weekly`), :func:`chain_report` on every branch
of a chain (:mod:`sheetkit.report.chain`); both end in :func:`report_result`, and
neither ever writes over a workbook.
"""

from __future__ import annotations

from sheetkit.report.chain import chain_report
from sheetkit.report.content import WeeklyReport, build_report
from sheetkit.report.excel import write_report_xlsx
from sheetkit.report.html import write_report_html
from sheetkit.report.mail import SmtpCredentials, check_mail, send_report, smtp_credentials
from sheetkit.report.periods import Period, parse_week, report_period
from sheetkit.report.weekly import check_outputs, report_result, weekly_report

__all__ = [
    "Period",
    "SmtpCredentials",
    "WeeklyReport",
    "build_report",
    "chain_report",
    "check_mail",
    "check_outputs",
    "parse_week",
    "report_period",
    "report_result",
    "send_report",
    "smtp_credentials",
    "weekly_report",
    "write_report_html",
    "write_report_xlsx",
]
