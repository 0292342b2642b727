"""Write the weekly report as one self-contained HTML file, for email.

Inline CSS and inline SVG charts only: no script, stylesheet, font or image is
loaded from anywhere, so the file reads the same offline and in a mail client.
Every piece of client text is HTML-escaped. The content matches the .xlsx report
(:mod:`sheetkit.report.excel`): KPI table, visits and revenue trend, therapist load
and satisfaction, no-show rate, cohort matrix as a colour-scaled table, the action
lists and the data-quality Issues.

Titles and KPI labels come from the ``report:`` section of the locale files;
client column headers and choice values (follow-up, channel, yes/no) use the
workbook locale's labels.
"""

from __future__ import annotations

import datetime as dt
import html
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Final

import pandas as pd

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

__all__ = ["write_report_html"]

ACCENT: Final = "#4472C4"
#: Action-list columns never wrapped (dates are found by their value).
NO_WRAP: Final = frozenset({"client_id", "phone", "feedback_id"})
SECOND: Final = "#ED7D31"
CSS: Final = """
body{font-family:Segoe UI,Helvetica,Arial,sans-serif;color:#222;margin:24px;max-width:1100px}
h1{color:#1F3864;margin-bottom:2px}h2{color:#1F3864;border-bottom:2px solid #DCE6F1;padding-bottom:3px;margin-top:28px}
.sub{color:#595959;font-style:italic;margin-top:0}
table{border-collapse:collapse;margin:8px 0;font-size:13px}
th,td{border:1px solid #C9C9C9;padding:4px 7px;text-align:left;vertical-align:top}
th{background:#DCE6F1}
td.n{text-align:right;white-space:nowrap}td.nw{white-space:nowrap}td.na{color:#808080;font-style:italic;text-align:right}
td.up{color:#2E7D32}td.down{color:#C00000}
.charts{display:flex;flex-wrap:wrap;gap:16px}
.chart{border:1px solid #E0E0E0;padding:6px}
.cohort td{text-align:center;min-width:38px}
.flag{color:#C00000;font-weight:bold}.error{color:#C00000;font-weight:bold}.warning{color:#9C5700}
"""


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
    labels = load_template().labels(locale)
    t = labels.report
    this, _, _ = report.periods
    source = f" - {Path(report.source).name}" if report.source else ""
    title = report_title(labels, report)
    sub = t["subtitle"].format(start=this.start.isoformat(), end=this.end.isoformat(), as_of=report.as_of.isoformat())
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{_e(labels.locale)}"><head><meta charset="utf-8">',
        f"<title>{_e(title)}</title><style>{CSS}</style></head><body>",
        f"<h1>{_e(title)}</h1>",
        f'<p class="sub">{_e(sub + source)}</p>',
        f"<h2>{_e(t['key_figures'])}</h2>",
        _kpi_table(labels, report),
        f'<p class="sub">{_e(t["kpi_note"].format(days=report.return_days))}</p>',
        _action_counts(labels, report),
        f"<h2>{_e(t['charts'])}</h2>",
        '<div class="charts">',
        _trend_chart(labels, report),
        _therapist_chart(labels, report),
        _no_show_chart(labels, report),
        "</div>",
        f"<h2>{_e(t['cohort_title'])}</h2>",
        f'<p class="sub">{_e(t["cohort_note"])}</p>',
        _cohort_table(labels, report),
    ]
    parts += [_action_section(labels, action) for action in report.actions]
    parts += [_quality(labels, report), "</body></html>"]
    return "\n".join(parts)


# --------------------------------------------------------------------------- tables


def _fmt(labels: Labels, kpi: Kpi, value: float | None, currency: str) -> str:
    if value is None:
        return labels.report["not_yet"] if kpi.key == "return_within" else "-"
    if kpi.kind == "rate":
        return f"{value:.1%}"
    if kpi.kind == "money":
        return f"{value:,.2f} {currency}"
    return f"{value:,.0f}"


def _kpi_table(labels: Labels, report: WeeklyReport) -> str:
    t = labels.report
    this, last, year = report.periods
    heads = [
        t["kpi"],
        t["this_week"].format(week=this.label),
        t["last_week"].format(week=last.label),
        t["same_week_last_year"].format(week=year.label),
        t["change_vs_last_week"],
    ]
    rows = ["<table><tr>" + "".join(f"<th>{_e(h)}</th>" for h in heads) + "</tr>"]
    for kpi in report.kpis:
        cells = []
        for value in (kpi.this, kpi.last_week, kpi.last_year):
            css = "na" if value is None else "n"
            cells.append(f'<td class="{css}">{_e(_fmt(labels, kpi, value, report.currency))}</td>')
        change, css = "-", "na"
        if kpi.this is not None and kpi.last_week is not None:
            if kpi.kind == "rate":
                delta = (kpi.this - kpi.last_week) * 100
                change, css = f"{delta:+.1f} pp", "n"
            elif kpi.last_week:
                delta = kpi.this / kpi.last_week - 1
                change, css = f"{delta:+.1%}", "n"
            if css == "n":
                css += " up" if delta > 0 else " down" if delta < 0 else ""
        rows.append(
            f'<tr><td>{_e(kpi_label(labels, kpi, report))}</td>{"".join(cells)}<td class="{css}">{_e(change)}</td></tr>'
        )
    rows.append("</table>")
    return "".join(rows)


def _action_counts(labels: Labels, report: WeeklyReport) -> str:
    t = labels.report
    items = [
        f'<li><a href="#{_e(a.key)}">{_e(action_title(labels, a))}</a>: {len(a.rows)}</li>' for a in report.actions
    ]
    items.append(f'<li><a href="#data-quality">{_e(t["data_quality_issues"])}</a>: {len(report.issues)}</li>')
    return f"<h2>{_e(t['action_lists'])}</h2><ul>{''.join(items)}</ul>"


def _cohort_colour(share: float) -> str:
    """Red (0) - yellow (0.5) - green (1), like the workbook's 3-colour scale."""
    low, mid, high = (0xF8, 0x69, 0x6B), (0xFF, 0xEB, 0x84), (0x63, 0xBE, 0x7B)
    a, b, t = (low, mid, share * 2) if share <= 0.5 else (mid, high, (share - 0.5) * 2)
    rgb = (round(x + (y - x) * max(0.0, min(1.0, t))) for x, y in zip(a, b, strict=True))
    return "#" + "".join(f"{c:02X}" for c in rgb)


def _cohort_table(labels: Labels, report: WeeklyReport) -> str:
    t = labels.report
    table = report.cohorts
    width = max((len(r) for r in table.shares), default=0)
    head = "".join(f"<th>{_e(t['cohort_month_short'].format(k=k))}</th>" for k in range(width))
    rows = [f'<table class="cohort"><tr><th>{_e(t["col_cohort"])}</th><th>{_e(t["col_clients"])}</th>{head}</tr>']
    for cohort, size, shares, partial in zip(table.cohorts, table.sizes, table.shares, table.partial, strict=True):
        cells = []
        for share, part in zip(shares, partial, strict=True):
            if share is None:
                cells.append("<td></td>")
            else:
                style = f"background:{_cohort_colour(share)}" + (";font-style:italic" if part else "")
                cells.append(f'<td style="{style}">{share:.0%}</td>')
        rows.append(f'<tr><td>{_e(cohort)}</td><td class="n">{size}</td>{"".join(cells)}</tr>')
    rows.append("</table>")
    return "".join(rows)


def _action_section(labels: Labels, action: ActionList) -> str:
    columns = list(action.rows.columns)
    parts = [
        f'<h2 id="{_e(action.key)}">{_e(action_title(labels, action))} ({len(action.rows)})</h2>',
        f'<p class="sub">{_e(action_description(labels, action))}</p>',
    ]
    if action.rows.empty:
        parts.append(f"<p>{_e(labels.report['nobody'])}</p>")
        return "".join(parts)
    head = "".join(f"<th>{_e(header_label(labels, key))}</th>" for key in columns)
    rows = [f"<table><tr>{head}</tr>"]
    for values in action.rows.itertuples(index=False, name=None):
        cells = []
        for key, value in zip(columns, values, strict=True):
            shown = display_value(labels, key, value)
            if shown is None:
                cells.append("<td></td>")
            elif isinstance(shown, str):
                # Flags stand out; dates, phones and IDs stay on one line.
                css = ' class="flag"' if key == "safety_flag" and shown else ""
                if key in NO_WRAP or isinstance(value, (dt.date, pd.Timestamp)):
                    css = ' class="nw"'
                cells.append(f"<td{css}>{_e(shown)}</td>")
            else:
                cells.append(
                    f'<td class="n">{shown:,.0f}</td>' if shown == int(shown) else f'<td class="n">{shown:,.1f}</td>'
                )
        rows.append(f"<tr>{''.join(cells)}</tr>")
    rows.append("</table>")
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
    for issue in issues:
        severity = t.get(f"severity_{issue.severity}", issue.severity)
        branch = f"<td>{_e(issue.branch or '')}</td>" if chain else ""
        parts.append(
            f'<tr>{branch}<td class="{_e(issue.severity)}">{_e(severity)}</td><td>{_e(issue.code)}</td>'
            f"<td>{_e(issue.sheet)}</td><td>{_e(issue.cell or '')}</td><td>{_e(issue.column or '')}</td>"
            f"<td>{_e(issue.message)}</td></tr>"
        )
    parts.append("</table>")
    return "".join(parts)


# --------------------------------------------------------------------------- inline SVG charts

W, H = 520, 290
# The legend sits under the title, so rotated category labels have the whole bottom margin.
LEFT, RIGHT, TOP, BOTTOM = 50, 55, 50, 64
LEGEND_Y = 36


def _scale(values: Sequence[float | None], low: float | None = None, high: float | None = None) -> tuple[float, float]:
    known = [v for v in values if v is not None]
    lo = 0.0 if low is None else low
    if high is not None:
        return lo, high
    top = max(known, default=0.0)
    if top <= lo:
        return lo, lo + 1.0
    raw = (top - lo) / 4
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    return lo, lo + 4 * step


def _y(value: float, lo: float, hi: float) -> float:
    return TOP + (H - TOP - BOTTOM) * (1 - (value - lo) / (hi - lo))


def _x(i: int, n: int) -> float:
    span = W - LEFT - RIGHT
    return LEFT + (span * (i + 0.5) / n if n else 0)


def _svg(title: str, body: list[str], legend: list[tuple[str, str]]) -> str:
    items = "".join(
        f'<rect x="{LEFT + 170 * i}" y="{LEGEND_Y - 5}" width="12" height="4" fill="{colour}"/>'
        f'<text x="{LEFT + 170 * i + 16}" y="{LEGEND_Y}" font-size="11">{_e(name)}</text>'
        for i, (name, colour) in enumerate(legend)
    )
    return (
        f'<svg class="chart" width="{W}" height="{H}" '
        f'viewBox="0 0 {W} {H}" role="img" aria-label="{_e(title)}" font-family="Helvetica,Arial,sans-serif">'
        f'<text x="{W / 2}" y="18" text-anchor="middle" font-size="14" font-weight="bold">{_e(title)}</text>'
        f"{''.join(body)}{items}</svg>"
    )


def _axis(lo: float, hi: float, *, right: bool = False, fmt: str = "{:,.0f}") -> list[str]:
    x = W - RIGHT if right else LEFT
    anchor, dx = ("start", 4) if right else ("end", -4)
    out = [] if right else [f'<line x1="{LEFT}" y1="{H - BOTTOM}" x2="{W - RIGHT}" y2="{H - BOTTOM}" stroke="#888"/>']
    for step in range(5):
        value = lo + (hi - lo) * step / 4
        y = _y(value, lo, hi)
        if not right:
            out.append(f'<line x1="{LEFT}" y1="{y:.1f}" x2="{W - RIGHT}" y2="{y:.1f}" stroke="#EEE"/>')
        out.append(
            f'<text x="{x + dx}" y="{y + 4:.1f}" font-size="10" text-anchor="{anchor}">{_e(fmt.format(value))}</text>'
        )
    return out


def _x_labels(labels: Sequence[str], every: int = 1) -> list[str]:
    """Rotated category labels, every ``every``-th counted back from the last (this week is always labelled)."""
    n = len(labels)
    return [
        f'<text x="{_x(i, n):.1f}" y="{H - BOTTOM + 12}" font-size="9" text-anchor="end" '
        f'transform="rotate(-40 {_x(i, n):.1f} {H - BOTTOM + 12})">{_e(label)}</text>'
        for i, label in enumerate(labels)
        if (n - 1 - i) % every == 0
    ]


def _polyline(values: Sequence[float | None], lo: float, hi: float, colour: str, dash: str = "") -> list[str]:
    n = len(values)
    segments: list[list[str]] = [[]]
    for i, v in enumerate(values):
        if v is None:
            segments.append([])
        else:
            segments[-1].append(f"{_x(i, n):.1f},{_y(v, lo, hi):.1f}")
    dashes = f' stroke-dasharray="{dash}"' if dash else ""
    out = [
        f'<polyline fill="none" stroke="{colour}" stroke-width="2"{dashes} points="{" ".join(s)}"/>'
        for s in segments
        if s
    ]
    out += [
        f'<circle cx="{_x(i, n):.1f}" cy="{_y(v, lo, hi):.1f}" r="2.2" fill="{colour}"/>'
        for i, v in enumerate(values)
        if v is not None
    ]
    return out


def _trend_chart(labels: Labels, report: WeeklyReport) -> str:
    t = labels.report
    visits = [float(p.visits) for p in report.trend]
    revenue = [p.revenue for p in report.trend]
    vlo, vhi = _scale(visits)
    rlo, rhi = _scale(revenue)
    body = _axis(vlo, vhi) + _axis(rlo, rhi, right=True)
    body += _x_labels([p.week for p in report.trend], every=2)
    body += _polyline(visits, vlo, vhi, ACCENT) + _polyline(revenue, rlo, rhi, SECOND, "5,3")
    title = t["chart_visits_revenue"].format(weeks=len(report.trend))
    legend = [
        (t["legend_visits_left"], ACCENT),
        (t["legend_revenue_right"].format(currency=report.currency), SECOND),
    ]
    return _svg(title, body, legend)


def _therapist_chart(labels: Labels, report: WeeklyReport) -> str:
    t = labels.report
    rows = report.therapists
    n = len(rows)
    lo, hi = _scale([float(r.visits) for r in rows])
    body = _axis(lo, hi) + _axis(1.0, 5.0, right=True, fmt="{:.0f}")
    bar = (W - LEFT - RIGHT) / max(n, 1) * 0.6
    for i, row in enumerate(rows):
        y = _y(row.visits, lo, hi)
        body.append(
            f'<rect x="{_x(i, n) - bar / 2:.1f}" y="{y:.1f}" width="{bar:.1f}" '
            f'height="{H - BOTTOM - y:.1f}" fill="{ACCENT}"/>'
            f'<text x="{_x(i, n):.1f}" y="{y - 3:.1f}" font-size="10" text-anchor="middle">{row.visits}</text>'
        )
        if row.satisfaction is not None:
            sy = _y(row.satisfaction, 1.0, 5.0)
            body.append(
                f'<path d="M{_x(i, n):.1f},{sy - 6:.1f} l6,6 l-6,6 l-6,-6 z" fill="{SECOND}">'
                f"<title>{_e(row.name)}: {row.satisfaction:.2f}</title></path>"
            )
    body += _x_labels([r.name for r in rows])
    title = t["chart_therapists"].format(period=therapist_period_label(labels, report))
    return _svg(title, body, [(t["legend_visits_left"], ACCENT), (t["legend_satisfaction_right"], SECOND)])


def _no_show_chart(labels: Labels, report: WeeklyReport) -> str:
    t = labels.report
    rates = [p.no_show_rate for p in report.trend]
    lo, hi = _scale(rates)
    body = _axis(lo, hi, fmt="{:.0%}") + _x_labels([p.week for p in report.trend], every=2)
    body += _polyline(rates, lo, hi, "#C00000")
    return _svg(t["chart_no_show"], body, [(t["col_no_show_rate"], "#C00000")])
