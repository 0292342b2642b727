"""The weekly report's win-back section, in .xlsx and HTML: did the follow-ups bring clients back?

Two small tables from :func:`sheetkit.analytics.win_back` (docs/metrics.md#win-back-outcomes):

* the period's follow-ups (FollowUps sheet) by reason x outcome, with totals;
* of the clients followed up in the period as lapsed or at risk, how many visited
  again after their follow-up, up to the report's day.

Reasons and outcomes are shown with the workbook's own labels (choice lists
``follow_up_reason`` and ``follow_up_outcome``). No client is named: only counts.
"""

from __future__ import annotations

import html
import math
from typing import Final

from xlsxwriter.worksheet import Worksheet

from sheetkit.analytics import WinBack
from sheetkit.analytics.followups import NOT_RECORDED
from sheetkit.report.content import WeeklyReport
from sheetkit.report.excel_sheets import XlsxContext, print_wide
from sheetkit.report.formats import NumberStyle
from sheetkit.template import Labels

__all__ = ["win_back_html", "win_back_tables", "write_win_back_sheet"]

#: Cell text of a rate with no clients behind it.
NO_FIGURE: Final = "–"


def _label(labels: Labels, choice_list: str, key: str) -> str:
    if key == NOT_RECORDED:
        return labels.report["win_back_not_recorded"]
    return labels.choices.get(choice_list, {}).get(key, key)


def win_back_tables(
    labels: Labels, outcomes: WinBack
) -> tuple[list[str], list[list[str | int]], list[str], list[list[str | float | None]]]:
    """(headers, rows) of the reason x outcome table with totals, then of the "back after a follow-up" table.

    Outcome columns nobody used are left out, except the four outcomes themselves.
    """
    t = labels.report
    table = outcomes.outcomes
    used = [c for c in table.columns if c != NOT_RECORDED or int(table[c].sum()) > 0]
    heads = [t["win_back_reason"], *(_label(labels, "follow_up_outcome", str(c)) for c in used), t["win_back_total"]]
    rows: list[list[str | int]] = []
    for reason, row in table.iterrows():
        counts = [int(row[c]) for c in used]
        rows.append([_label(labels, "follow_up_reason", str(reason)), *counts, sum(counts)])
    totals = [int(table[c].sum()) for c in used]
    rows.append([t["win_back_total"], *totals, sum(totals)])
    back_heads = [t["win_back_reason"], t["header_followed_up"], t["header_returned"], t["header_return_rate"]]
    back: list[list[str | float | None]] = []
    for reason, row in outcomes.returned.iterrows():
        rate = None if math.isnan(float(row["rate"])) else float(row["rate"])
        back.append(
            [_label(labels, "follow_up_reason", str(reason)), float(row["clients"]), float(row["returned"]), rate]
        )
    return heads, rows, back_heads, back


def _has_follow_ups(outcomes: WinBack | None) -> bool:
    return outcomes is not None and int(outcomes.outcomes.to_numpy().sum()) > 0


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def win_back_html(labels: Labels, style: NumberStyle, report: WeeklyReport) -> str:
    """The win-back section of the HTML report."""
    t = labels.report
    parts = [
        f'<h2 id="win-back">{_e(t["win_back_title"])}</h2>',
        f'<p class="sub">{_e(t["win_back_description"].format(end=report.as_of.isoformat()))}</p>',
    ]
    if report.win_back is None or not _has_follow_ups(report.win_back):
        parts.append(f"<p>{_e(t['win_back_none'])}</p>")
        return "".join(parts)
    heads, rows, back_heads, back = win_back_tables(labels, report.win_back)
    parts.append("<table><tr>" + "".join(f"<th>{_e(h)}</th>" for h in heads) + "</tr>")
    for i, row in enumerate(rows):
        total = ' style="font-weight:bold"' if i == len(rows) - 1 else ""
        cells = [f"<td>{_e(row[0])}</td>"] + [f'<td class="n">{_e(style.count(float(v)))}</td>' for v in row[1:]]
        parts.append(f"<tr{total}>{''.join(cells)}</tr>")
    parts.append("</table>")
    parts.append(f"<h3>{_e(t['win_back_returned_title'])}</h3>")
    parts.append("<table><tr>" + "".join(f"<th>{_e(h)}</th>" for h in back_heads) + "</tr>")
    for reason, clients, returned, rate in back:
        shown = NO_FIGURE if rate is None else style.rate(float(rate))
        parts.append(
            f'<tr><td>{_e(reason)}</td><td class="n">{_e(style.count(float(clients or 0)))}</td>'
            f'<td class="n">{_e(style.count(float(returned or 0)))}</td><td class="n">{_e(shown)}</td></tr>'
        )
    parts.append("</table>")
    return "".join(parts)


def write_win_back_sheet(ws: Worksheet, ctx: XlsxContext) -> None:
    """The win-back sheet of the .xlsx report: both tables, one below the other."""
    t, f, report = ctx.t, ctx.f, ctx.report
    ws.write_string(0, 0, t["win_back_title"], f["title"])
    ws.write_string(1, 0, t["win_back_description"].format(end=report.as_of.isoformat()), f["subtitle"])
    ws.set_column(0, 0, 24)
    if report.win_back is None or not _has_follow_ups(report.win_back):
        ws.write_string(3, 0, t["win_back_none"], f["bold"])
        return
    heads, rows, back_heads, back = win_back_tables(ctx.labels, report.win_back)
    ws.set_column(1, max(len(heads), len(back_heads)) - 1, 16)
    ws.set_row(3, 30)
    for col, head in enumerate(heads):
        ws.write_string(3, col, head, f["head"])
    for i, row in enumerate(rows, start=4):
        ws.write_string(i, 0, str(row[0]), f["head"] if i == 3 + len(rows) else f["label"])
        for col, value in enumerate(row[1:], start=1):
            ws.write_number(i, col, float(value), f["count"])
    top = 5 + len(rows)
    ws.write_string(top, 0, t["win_back_returned_title"], f["h2"])
    ws.set_row(top + 1, 30)
    for col, head in enumerate(back_heads):
        ws.write_string(top + 1, col, head, f["head"])
    for i, (reason, clients, returned, rate) in enumerate(back, start=top + 2):
        ws.write_string(i, 0, str(reason), f["label"])
        ws.write_number(i, 1, float(clients or 0), f["count"])
        ws.write_number(i, 2, float(returned or 0), f["count"])
        if rate is None:
            ws.write_string(i, 3, NO_FIGURE, f["na"])
        else:
            ws.write_number(i, 3, rate, f["rate"])
    print_wide(ws)
