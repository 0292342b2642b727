"""Write the weekly report as one self-contained HTML file, small enough to be an e-mail body.

Inline CSS and inline SVG charts only: no script, stylesheet, font or image is
loaded from anywhere, so the file reads the same offline and in a mail client.
Every piece of client text is HTML-escaped. The content follows the .xlsx report
(:mod:`sheetkit.report.excel`): what the period covers and is compared with, the
KPI table (each change as an arrow and a word, "–" and the reason for a missing
figure), the action-list counts, charts (:mod:`sheetkit.report.html_charts`), the
therapist and service-category tables, the cohort matrix, and the action lists and
data-quality Issues.

An e-mail must stay small (Gmail clips a message body above 102 KB): each list
shows its first :data:`TOP_ROWS` rows and says how many there are; the full lists
are in the .xlsx. Numbers and amounts follow the workbook's locale
(:mod:`sheetkit.report.formats`). A workbook without data yet gives a short report
that says so instead of empty tables and charts.
"""

from __future__ import annotations

import datetime as dt
import html
from pathlib import Path
from typing import Final

import pandas as pd

from sheetkit.files import write_atomically
from sheetkit.report.content import (
    ActionList,
    GroupRow,
    Period,
    WeeklyReport,
    action_description,
    action_title,
    display_value,
    header_label,
    kpi_label,
    period_description,
    reason_text,
    report_labels,
    report_title,
    therapist_period_label,
)
from sheetkit.report.formats import NO_FIGURE, NumberStyle, change_text, figure_text, kpi_note, number_style
from sheetkit.report.html_charts import TOP_GROUPS, no_show_chart, therapist_chart, trend_chart
from sheetkit.report.periods import week_label
from sheetkit.report.win_back import win_back_html
from sheetkit.template import Labels

__all__ = ["TOP_ROWS", "render_html", "write_report_html"]

#: Rows of each action list (and of the data-quality Issues) the HTML shows; the .xlsx has them all.
TOP_ROWS: Final = 20
#: Action-list columns never wrapped (dates are found by their value).
NO_WRAP: Final = frozenset({"client_id", "phone", "feedback_id"})
#: Cohort cells are coloured in this many steps (CSS classes c0 to c10), red (0 %) to green (100 %).
COLOUR_STEPS: Final = 10


def _cohort_colour(share: float) -> str:
    """Red (0) - yellow (0.5) - green (1), like the workbook's 3-colour scale."""
    low, mid, high = (0xF8, 0x69, 0x6B), (0xFF, 0xEB, 0x84), (0x63, 0xBE, 0x7B)
    a, b, t = (low, mid, share * 2) if share <= 0.5 else (mid, high, (share - 0.5) * 2)
    rgb = (round(x + (y - x) * max(0.0, min(1.0, t))) for x, y in zip(a, b, strict=True))
    return "#" + "".join(f"{c:02X}" for c in rgb)


CSS: Final = """
body{font-family:Segoe UI,Helvetica,Arial,sans-serif;color:#222;margin:24px;max-width:1100px}
h1{color:#1F3864;margin-bottom:2px}h2{color:#1F3864;border-bottom:2px solid #DCE6F1;padding-bottom:3px;margin-top:28px}
h3{color:#1F3864;margin:18px 0 4px}
.sub{color:#595959;font-style:italic;margin-top:0}.nodata{font-size:16px;font-weight:bold;color:#9C5700}
.more{color:#595959;font-size:13px}.nochart{color:#595959;font-style:italic;border:1px dashed #C9C9C9;padding:8px}
table{border-collapse:collapse;margin:8px 0;font-size:13px}
th,td{border:1px solid #C9C9C9;padding:4px 7px;text-align:left;vertical-align:top}
th{background:#DCE6F1}
td.n{text-align:right;white-space:nowrap}td.nw{white-space:nowrap}td.na{color:#808080;text-align:center}
td.note{color:#595959;font-size:12px;max-width:260px}
td.better{color:#2E7D32;font-weight:bold;white-space:nowrap}td.worse{color:#C00000;font-weight:bold;white-space:nowrap}
td.same{color:#595959;white-space:nowrap}
.charts{display:flex;flex-wrap:wrap;gap:16px}
.chart{border:1px solid #E0E0E0;padding:6px}
table.cohort{font-size:11px}.cohort td,.cohort th{text-align:center;padding:2px 3px;min-width:28px}
.cohort td.k,.cohort th.k{white-space:nowrap}.cohort tr.none td{color:#A0A0A0}.cohort td.p{font-style:italic}
.flag{color:#C00000;font-weight:bold}.error{color:#C00000;font-weight:bold}.warning{color:#9C5700}
""" + "".join(f".c{k}{{background:{_cohort_colour(k / COLOUR_STEPS)}}}" for k in range(COLOUR_STEPS + 1))


def write_report_html(report: WeeklyReport, path: Path | str, *, locale: str, overwrite: bool = True) -> Path:
    """Write ``report`` to ``path`` as self-contained HTML, atomically; return the path."""
    out = Path(path)
    with write_atomically(out, overwrite=overwrite) as (tmp,):
        tmp.write_text(render_html(report, locale=locale), encoding="utf-8")
    return out


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def render_html(report: WeeklyReport, *, locale: str) -> str:
    """The report as one HTML document (a string)."""
    labels = report_labels(locale)
    style = number_style(labels.locale, report.currency)
    t = labels.report
    source = f" - {Path(report.source).name}" if report.source else ""
    title = report_title(labels, report)
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{_e(labels.locale)}"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width,initial-scale=1">',
        f"<title>{_e(title)}</title><style>{CSS}</style></head><body>",
        f"<h1>{_e(title)}</h1>",
        f'<p class="sub">{_e(period_description(labels, report) + source)}</p>',
    ]
    if report.has_data:
        parts += [
            f"<h2>{_e(t['key_figures'])}</h2>",
            _kpi_table(labels, style, report),
            f'<p class="sub">{_e(t["kpi_note"].format(days=report.return_days))}</p>',
            _action_counts(labels, report),
            f"<h2>{_e(t['charts'])}</h2>",
            '<div class="charts">',
            trend_chart(labels, style, report),
            therapist_chart(labels, style, report),
            no_show_chart(labels, style, report),
            "</div>",
            _group_tables(labels, style, report),
            f"<h2>{_e(t['cohort_title'])}</h2>",
            f'<p class="sub">{_e(t["cohort_note"])}</p>',
            _cohort_table(labels, report),
        ]
    else:
        parts += [
            f'<p class="nodata">{_e(t["no_data_yet"].format(end=report.period.end.isoformat()))}</p>',
            _action_counts(labels, report),
        ]
    parts += [_action_section(labels, style, action) for action in report.actions]
    if report.has_data:
        parts.append(win_back_html(labels, style, report))
    parts += [_quality(labels, report), "</body></html>"]
    return "\n".join(parts)


# --------------------------------------------------------------------------- summary


def _kpi_table(labels: Labels, style: NumberStyle, report: WeeklyReport) -> str:
    t = labels.report
    this, last, year = report.periods
    heads = [
        t["kpi"],
        t["this_period"].format(week=this.label),
        t["last_week"].format(week=last.label),
        t["same_week_last_year"].format(week=year.label),
        t["change_vs_last_week"],
        t["col_note"],
    ]
    rows = ["<table><tr>" + "".join(f"<th>{_e(h)}</th>" for h in heads) + "</tr>"]
    for kpi in report.kpis:
        cells = []
        for slot, value in (("this", kpi.this), ("last_week", kpi.last_week), ("last_year", kpi.last_year)):
            if value is None:
                reason = reason_text(labels, kpi.reasons[slot]) if slot in kpi.reasons else ""
                cells.append(f'<td class="na" title="{_e(reason)}">{NO_FIGURE}</td>')
            else:
                cells.append(f'<td class="n">{_e(figure_text(style, kpi.kind, value))}</td>')
        change = change_text(labels, style, kpi)
        css = "na" if change == NO_FIGURE else {True: "better", False: "worse", None: "same"}[kpi.better]
        rows.append(
            f"<tr><td>{_e(kpi_label(labels, kpi, report))}</td>{''.join(cells)}"
            f'<td class="{css}">{_e(change)}</td><td class="note">{_e(kpi_note(labels, kpi))}</td></tr>'
        )
    rows.append("</table>")
    return "".join(rows)


def _action_counts(labels: Labels, report: WeeklyReport) -> str:
    t = labels.report
    items = []
    for action in report.actions:
        refused = f" ({_e(t['do_not_contact_short'].format(count=action.do_not_contact))})"
        items.append(
            f'<li><a href="#{_e(action.key)}">{_e(action_title(labels, action))}</a>: {len(action.rows)}'
            f"{refused if action.do_not_contact else ''}</li>"
        )
    items.append(f'<li><a href="#data-quality">{_e(t["data_quality_issues"])}</a>: {len(report.issues)}</li>')
    return f"<h2>{_e(t['action_lists'])}</h2><ul>{''.join(items)}</ul>"


# --------------------------------------------------------------------------- tables


def _period_span(labels: Labels, period: Period | None) -> str:
    if period is None:
        return ""
    return labels.report["week_range"].format(start=week_label(period.start), end=week_label(period.end))


def _group_table(labels: Labels, style: NumberStyle, report: WeeklyReport, rows: list[GroupRow], name: str) -> str:
    """The first :data:`TOP_GROUPS` rows (a chain's therapists with their branch), then how many there are."""
    t = labels.report
    branches = any(row.branch is not None for row in rows)
    heads = [
        name,
        *([t["col_branch"]] if branches else []),
        t["col_visits"],
        t["col_clients"],
        t["col_revenue"].format(currency=style.currency),
        t["col_rebooking_rate"],
        t["col_no_show_rate"],
        t["col_return_within"].format(days=report.return_days, period=_period_span(labels, report.return_period)),
        t["col_mean_satisfaction"],
    ]
    money_na = "" if report.money_reason is None else f' title="{_e(reason_text(labels, report.money_reason))}"'
    out = ["<table><tr>" + "".join(f"<th>{_e(h)}</th>" for h in heads) + "</tr>"]
    for row in rows[:TOP_GROUPS]:
        figures = [
            style.count(row.visits),
            style.count(row.clients),
            None if row.revenue is None else style.money(row.revenue),
            *(None if v is None else style.rate(v) for v in (row.rebooking_rate, row.no_show_rate, row.return_within)),
            None if row.satisfaction is None else style.score(row.satisfaction),
        ]
        missing = [f'<td class="na"{money_na if col == 2 else ""}>{NO_FIGURE}</td>' for col in range(len(figures))]
        cells = "".join(missing[col] if f is None else f'<td class="n">{_e(f)}</td>' for col, f in enumerate(figures))
        branch = f"<td>{_e(row.branch or '')}</td>" if branches else ""
        out.append(f"<tr><td>{_e(row.name)}</td>{branch}{cells}</tr>")
    out.append("</table>")
    return "".join(out) + _shown_more(labels, min(len(rows), TOP_GROUPS), len(rows))


def _group_tables(labels: Labels, style: NumberStyle, report: WeeklyReport) -> str:
    t = labels.report
    period = therapist_period_label(labels, report)
    parts = [f"<h2>{_e(t['teams_link'])}</h2>"]
    for rows, title, name in (
        (report.therapists, "table_therapists", "col_therapist"),
        (report.categories, "table_categories", "col_category"),
    ):
        parts.append(f"<h3>{_e(t[title].format(period=period))}</h3>")
        parts.append(_group_table(labels, style, report, rows, t[name]) if rows else f"<p>{_e(t['nobody'])}</p>")
    parts.append(f'<p class="sub">{_e(t["table_na_note"])}</p>')
    if report.money_reason is not None:
        parts.append(f'<p class="sub">{_e(NO_FIGURE + " " + reason_text(labels, report.money_reason))}</p>')
    return "".join(parts)


def _cohort_table(labels: Labels, report: WeeklyReport) -> str:
    t = labels.report
    table = report.cohorts
    width = max((len(r) for r in table.shares), default=0)
    if not table.cohorts:
        return f'<p class="nochart">{_e(t["chart_no_data"].format(chart=t["cohort_title"]))}</p>'
    head = "".join(f"<th>{_e(t['cohort_month_short'].format(k=k))}</th>" for k in range(width))
    rows = [
        f'<table class="cohort"><tr><th class="k">{_e(t["col_cohort"])}</th><th>{_e(t["col_clients"])}</th>{head}</tr>'
    ]
    for cohort, size, shares, partial in zip(table.cohorts, table.sizes, table.shares, table.partial, strict=True):
        cells = []
        for share, part in zip(shares, partial, strict=True):
            if share is None:
                cells.append("<td></td>")
            else:
                css = f"c{round(share * COLOUR_STEPS)}" + (" p" if part else "")
                cells.append(f'<td class="{css}">{share:.0%}</td>')
        empty = ' class="none"' if not size else ""
        rows.append(f'<tr{empty}><td class="k">{_e(cohort)}</td><td>{size}</td>{"".join(cells)}</tr>')
    rows.append("</table>")
    return "".join(rows)


# --------------------------------------------------------------------------- lists


def _shown_more(labels: Labels, shown: int, total: int) -> str:
    if shown >= total:
        return ""
    return f'<p class="more">{_e(labels.report["showing_top"].format(shown=shown, total=total))}</p>'


def _cell(labels: Labels, style: NumberStyle, key: str, value: object) -> str:
    shown = display_value(labels, key, value)
    if shown is None:
        return "<td></td>"
    if isinstance(shown, str):
        # Flags stand out; dates, phones and IDs stay on one line.
        css = ' class="flag"' if key == "safety_flag" and shown else ""
        if key in NO_WRAP or isinstance(value, (dt.date, pd.Timestamp)):
            css = ' class="nw"'
        return f"<td{css}>{_e(shown)}</td>"
    text = style.count(shown) if shown == int(shown) else style.number(shown, 1)
    return f'<td class="n">{_e(text)}</td>'


def _action_section(labels: Labels, style: NumberStyle, action: ActionList) -> str:
    columns = list(action.rows.columns)
    total = len(action.rows)
    parts = [
        f'<h2 id="{_e(action.key)}">{_e(action_title(labels, action))} ({total})</h2>',
        f'<p class="sub">{_e(action_description(labels, action))}</p>',
    ]
    if action.rows.empty:
        parts.append(f"<p>{_e(labels.report['nobody'])}</p>")
        return "".join(parts)
    head = "".join(f"<th>{_e(header_label(labels, key))}</th>" for key in columns)
    rows = [f"<table><tr>{head}</tr>"]
    top = action.rows.head(TOP_ROWS)
    for values in top.itertuples(index=False, name=None):
        cells = (_cell(labels, style, key, value) for key, value in zip(columns, values, strict=True))
        rows.append(f"<tr>{''.join(cells)}</tr>")
    rows.append("</table>")
    rows.append(_shown_more(labels, len(top), total))
    return "".join(parts + rows)


def _quality(labels: Labels, report: WeeklyReport) -> str:
    t = labels.report
    issues = report.issues
    parts = [f'<h2 id="data-quality">{_e(t["quality_title"])}</h2>']
    if not issues:
        parts.append(f"<p>{_e(t['no_issues'])}</p>")
        return "".join(parts)
    errors = sum(1 for i in issues if i.severity == "error")
    parts.append(f"<p>{_e(t['quality_summary'].format(errors=errors, warnings=len(issues) - errors))}</p>")
    chain = any(i.branch for i in issues)
    keys = ("branch",) * chain + ("severity", "code", "sheet", "cell", "column", "message")
    heads = "".join(f"<th>{_e(t[f'col_{k}'])}</th>" for k in keys)
    parts.append(f"<table><tr>{heads}</tr>")
    for issue in issues[:TOP_ROWS]:
        severity = t.get(f"severity_{issue.severity}", issue.severity)
        branch = f"<td>{_e(issue.branch or '')}</td>" if chain else ""
        parts.append(
            f'<tr>{branch}<td class="{_e(issue.severity)}">{_e(severity)}</td><td>{_e(issue.code)}</td>'
            f"<td>{_e(issue.sheet)}</td><td>{_e(issue.cell or '')}</td><td>{_e(issue.column or '')}</td>"
            f"<td>{_e(issue.message)}</td></tr>"
        )
    parts.append("</table>")
    parts.append(_shown_more(labels, min(len(issues), TOP_ROWS), len(issues)))
    return "".join(parts)
