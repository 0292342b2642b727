"""How the weekly report shows its figures, in the .xlsx and in the HTML e-mail.

Good or bad in words and arrows (not colour alone, not the sign), "–" with its reason
for a missing figure, amounts in the workbook's locale, an e-mail-sized HTML with the
top of each list, the therapist and category tables, chart labels that fit, and an
empty workbook's "no data yet" report.
"""

from __future__ import annotations

import datetime as dt
import html
import math
import re
import subprocess
import unicodedata
import zipfile
from collections.abc import Callable
from pathlib import Path
from xml.etree import ElementTree as ET

import openpyxl
import pandas as pd
import pytest
from openpyxl.worksheet.worksheet import Worksheet

import sheetkit as sk
from sheetkit.issues import ValidationResult
from sheetkit.report import WeeklyReport, build_report, write_report_html, write_report_xlsx
from sheetkit.report.content import reason_text, therapist_period_label

AS_OF = dt.date(2026, 11, 22)  # a Sunday: the report covers 2026-W47, compared with W46
WEEK = (pd.Timestamp("2026-11-16"), pd.Timestamp("2026-11-22 23:59"))
WEEK_BEFORE = (pd.Timestamp("2026-11-09"), pd.Timestamp("2026-11-15 23:59"))
RED, GREEN = "C00000", "2E7D32"


def _labels(locale: str = "en") -> dict[str, str]:
    return dict(sk.load_template().labels(locale).report)


def _with_appointments(data: sk.WorkbookData, appointments: pd.DataFrame) -> sk.WorkbookData:
    return sk.WorkbookData(
        clients=data.clients,
        visits=data.visits,
        appointments=appointments,
        feedback=data.feedback,
        lists=data.lists,
        settings=data.settings,
    )


def _in(frame: pd.DataFrame, span: tuple[pd.Timestamp, pd.Timestamp]) -> pd.Series:
    return pd.to_datetime(frame["scheduled_at"]).between(*span)


def _outputs(report: WeeklyReport, folder: Path, locale: str = "en") -> tuple[Worksheet, str]:
    xlsx = write_report_xlsx(report, folder / f"{locale}.xlsx", locale=locale)
    page = write_report_html(report, folder / f"{locale}.html", locale=locale).read_text(encoding="utf-8")
    return openpyxl.load_workbook(xlsx)[_labels(locale)["sheet_summary"]], page


def _summary_row(ws: Worksheet, label: str) -> list[object]:
    for row in ws.iter_rows(values_only=True):
        if row[0] == label:
            return list(row)
    raise AssertionError(f"no row {label!r} on the Summary sheet")


def _html_row(page: str, label: str) -> list[tuple[str, str]]:
    """(class, text) of each cell after the label cell of the KPI row ``label``."""
    row = re.search(rf"<tr><td>{re.escape(label)}</td>(.*?)</tr>", page)
    assert row is not None, label
    return re.findall(r'<td class="([^"]*)"[^>]*>([^<]*)</td>', row[1])


@pytest.fixture(scope="module")
def demo() -> sk.WorkbookData:
    return sk.generate_demo(clients=60, seed=4, as_of=AS_OF)


# --------------------------------------------------------------------------- good or bad, not plus or minus


def test_a_rising_no_show_rate_reads_worse_in_both_outputs(demo: sk.WorkbookData, tmp_path: Path) -> None:
    appointments = demo.appointments.copy()
    this_week = _in(appointments, WEEK) & appointments["status"].eq("completed")
    assert this_week.sum() >= 2
    appointments.loc[appointments.index[this_week][:2], "status"] = "no_show"
    appointments.loc[_in(appointments, WEEK_BEFORE) & appointments["status"].eq("no_show"), "status"] = "completed"
    report = build_report(ValidationResult(frames=_with_appointments(demo, appointments)), as_of=AS_OF)
    kpi = next(k for k in report.kpis if k.key == "no_show_rate")
    assert kpi.this is not None
    assert kpi.last_week == 0
    assert kpi.this > 0
    assert kpi.better is False

    t = _labels()
    ws, page = _outputs(report, tmp_path)
    row = next(r for r in ws.iter_rows() if r[0].value == t["kpi_no_show_rate"])
    change = row[4]
    assert isinstance(change.value, str)
    assert change.value.startswith(f"\u25b2 {t['change_worse']} (+")  # up, and that is worse
    assert change.value.endswith(" pp)")
    assert change.font.color.rgb.endswith(RED)
    cells = _html_row(page, t["kpi_no_show_rate"])
    assert cells[3] == ("worse", change.value)
    # Fewer visits than last week is also worse, but its arrow points down.
    visits = next(k for k in report.kpis if k.key == "visits")
    if visits.better is not None:
        text = _summary_row(ws, t["kpi_visits"])[4]
        arrow = "\u25b2" if (visits.change or 0) > 0 else "\u25bc"
        assert text == f"{arrow} {t['change_better' if visits.better else 'change_worse']} ({text.split('(')[1]}"


def test_an_empty_denominator_shows_a_dash_and_the_reason(demo: sk.WorkbookData, tmp_path: Path) -> None:
    appointments = demo.appointments.loc[~_in(demo.appointments, WEEK)]
    assert _in(demo.appointments, WEEK).any()
    report = build_report(ValidationResult(frames=_with_appointments(demo, appointments)), as_of=AS_OF)
    kpi = next(k for k in report.kpis if k.key == "no_show_rate")
    assert kpi.this is None
    assert kpi.reasons["this"] == "no_appointments"

    t = _labels()
    reason = reason_text(sk.load_template().labels("en"), "no_appointments")
    ws, page = _outputs(report, tmp_path)
    row = _summary_row(ws, t["kpi_no_show_rate"])
    assert row[1] == "\u2013"  # not 0 %
    assert isinstance(row[2], (int, float))  # last week had appointments
    assert row[4] == "\u2013"  # no change to tell
    assert row[5] == reason
    cells = re.search(rf"<tr><td>{re.escape(t['kpi_no_show_rate'])}</td>(.*?)</tr>", page)
    assert cells is not None
    assert f'<td class="na" title="{reason}">\u2013</td>' in cells[1]
    assert f'<td class="note">{reason}</td>' in cells[1]
    assert "0.0%" not in cells[1].split("</td>")[0]


# --------------------------------------------------------------------------- locale formats


def _dots(text: str) -> str:
    return text.translate(str.maketrans(",.", ".,"))


AMOUNTS: dict[str, tuple[str, Callable[[float], str]]] = {
    "vi": ('[$-42A]#,##0" ₫"', lambda v: _dots(f"{v:,.0f}") + " ₫"),
    "it": ('[$-410]#,##0.00" €"', lambda v: _dots(f"{v:,.2f}") + " €"),
    "zh-CN": ('[$-804]"¥"#,##0.00', lambda v: f"¥{v:,.2f}"),
    "en": ('[$-809]"£"#,##0.00', lambda v: f"£{v:,.2f}"),
}


@pytest.mark.parametrize("locale", list(AMOUNTS))
def test_amounts_follow_the_workbook_locale(locale: str, tmp_path: Path) -> None:
    data = sk.generate_demo(clients=120, seed=2, as_of=AS_OF, locale=locale)
    result = ValidationResult(frames=data, locale=locale)
    report = build_report(result, as_of=AS_OF)
    revenue = next(k for k in report.kpis if k.key == "revenue")
    figures = [revenue.this, revenue.last_week, revenue.last_year]
    amount = max(v for v in figures if v is not None)
    assert amount >= 1000  # a thousands separator to check
    number_format, written = AMOUNTS[locale]
    t = _labels(locale)
    ws, page = _outputs(report, tmp_path, locale)
    row = next(r for r in ws.iter_rows() if r[0].value == t["kpi_revenue"])
    cell = row[1 + figures.index(amount)]
    assert cell.value == pytest.approx(amount)
    assert cell.number_format == number_format
    assert f'<td class="n">{written(amount)}</td>' in page
    assert not re.search(r"\d[.,]\d{3}[.,]\d{2} (VND|EUR|CNY|GBP)", page)  # the old "13,330,000.00 VND"
    if locale == "vi":
        assert re.search(r'<td class="n">\d{1,3}(\.\d{3})+ ₫</td>', page)
        assert not re.search(r"\d,\d\d ₫", page)  # no decimals for the dong


@pytest.mark.office
def test_libreoffice_shows_vietnamese_amounts_with_dots(tmp_path: Path) -> None:
    from tests.office import convert, find_soffice

    if find_soffice() is None:
        pytest.skip("LibreOffice not installed")
    data = sk.generate_demo(clients=40, seed=2, as_of=AS_OF, locale="vi")
    report = build_report(ValidationResult(frames=data, locale="vi"), as_of=AS_OF)
    revenue = next(k for k in report.kpis if k.key == "revenue").this
    assert revenue is not None
    assert revenue >= 1_000_000
    xlsx = write_report_xlsx(report, tmp_path / "vi.xlsx", locale="vi")
    pdf = convert(xlsx, "pdf", tmp_path / "pdf")
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert AMOUNTS["vi"][1](revenue) in text


# --------------------------------------------------------------------------- e-mail size, top of the lists


def test_the_300_client_html_fits_an_email(tmp_path: Path) -> None:
    data = sk.generate_demo(clients=300, seed=1, as_of=AS_OF, locale="vi")
    report = build_report(ValidationResult(frames=data, locale="vi"), as_of=AS_OF)
    lapsed = report.actions[0]
    assert lapsed.key == "lapsed"
    assert len(lapsed.rows) > 20
    xlsx = write_report_xlsx(report, tmp_path / "w.xlsx", locale="vi")
    page = write_report_html(report, tmp_path / "w.html", locale="vi")
    assert page.stat().st_size <= 100_000
    text = page.read_text(encoding="utf-8")
    t = _labels("vi")
    section = text.split('<h2 id="lapsed">')[1].split("<h2")[0]
    assert section.count("<tr>") == 1 + 20  # the header and the first 20 clients
    assert t["showing_top"].format(shown=20, total=len(lapsed.rows)) in section
    first = str(lapsed.rows["client_id"].iloc[0])
    twenty_first = str(lapsed.rows["client_id"].iloc[20])
    assert f">{first}<" in section
    assert f">{twenty_first}<" not in section
    # The .xlsx keeps every row.
    opened = openpyxl.load_workbook(xlsx, read_only=True)  # holds the file open until closed
    ids = [row[0] for row in opened[t["sheet_lapsed"]].iter_rows(min_row=5, values_only=True) if row[0]]
    opened.close()
    assert ids == lapsed.rows["client_id"].astype(str).tolist()


# --------------------------------------------------------------------------- people and services


def test_therapist_and_category_tables_in_both_outputs(demo: sk.WorkbookData, tmp_path: Path) -> None:
    report = build_report(ValidationResult(frames=demo), as_of=AS_OF)
    assert report.therapists
    assert report.categories
    t = _labels()
    xlsx = write_report_xlsx(report, tmp_path / "w.xlsx", locale="en")
    page = write_report_html(report, tmp_path / "w.html", locale="en").read_text(encoding="utf-8")
    ws = openpyxl.load_workbook(xlsx)[t["sheet_teams"]]
    rows = {row[0]: row for row in ws.iter_rows(values_only=True) if row[0]}
    assert t["col_therapist"] in rows
    assert t["col_category"] in rows
    for group in report.therapists + report.categories:
        assert rows[group.name][1:3] == (group.visits, group.clients)
        assert f'<tr><td>{html.escape(group.name)}</td><td class="n">{group.visits:,}</td>' in page
    period = therapist_period_label(sk.load_template().labels("en"), report)
    assert f"<h3>{t['table_therapists'].format(period=period)}</h3>" in page


# --------------------------------------------------------------------------- empty workbook


def test_an_empty_workbook_gives_a_no_data_yet_report(tmp_path: Path) -> None:
    book = sk.new_workbook(tmp_path / "empty.xlsx", locale="vi")
    summary = sk.weekly_report(book, as_of=AS_OF, out=tmp_path / "r.xlsx", html=tmp_path / "r.html")
    assert summary["has_data"] is False
    t = _labels("vi")
    sentence = t["no_data_yet"].format(end=AS_OF.isoformat())
    page = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert sentence in page
    assert "<svg" not in page
    assert f"<th>{t['kpi']}</th>" not in page  # no table of dashes
    with zipfile.ZipFile(tmp_path / "r.xlsx") as z:
        assert not [n for n in z.namelist() if n.startswith("xl/charts/")]
    ws = openpyxl.load_workbook(tmp_path / "r.xlsx")[t["sheet_summary"]]
    assert sentence in [c.value for row in ws.iter_rows() for c in row]


# --------------------------------------------------------------------------- chart labels


def _font(path: str, size: float, bold: bool) -> object:
    from PIL import ImageFont

    font = Path(path.replace("Regular", "Bold") if bold else path)
    if not font.exists():
        pytest.skip(f"font {font} not installed")
    return ImageFont.truetype(str(font), round(size))


def _width(text: str, size: float, bold: bool) -> float:
    """Width in px as Chromium draws it (Helvetica/Arial -> Liberation Sans, Chinese -> Noto Sans CJK)."""
    latin = _font("/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf", size, bold)
    total = 0.0
    for ch in text:
        if unicodedata.east_asian_width(ch) in "WF":
            cjk = _font("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", size, bold)
            total += cjk.getlength(ch)  # type: ignore[attr-defined]
        else:
            total += latin.getlength(ch)  # type: ignore[attr-defined]
    return total * size / round(size)


def _outside(svg: ET.Element, width: float, height: float) -> list[str]:
    """Texts of the chart that reach outside it."""
    bad = []
    for node in svg.iter("{http://www.w3.org/2000/svg}text"):
        text = (node.text or "") + "".join(child.tail or "" for child in node)  # not the tooltip
        size = float(node.get("font-size", "12"))
        w = _width(text, size, node.get("font-weight") == "bold")
        x, y = float(node.get("x", "0")), float(node.get("y", "0"))
        anchor = node.get("text-anchor", "start")
        start = {"start": x, "middle": x - w / 2, "end": x - w}[anchor]
        turned = re.match(r"rotate\((-?[\d.]+)", node.get("transform", ""))
        if turned:  # turned around its anchor point, which is its end: it reaches left and down
            angle = -float(turned[1])
            dx, dy = w * math.cos(math.radians(angle)), w * math.sin(math.radians(angle))
            box = (x - dx, y - size, x, y + dy + size * 0.3)
        else:
            box = (start, y - size, start + w, y + size * 0.3)
        if box[0] < 0 or box[2] > width or box[1] < 0 or box[3] > height:
            bad.append(text)
    return bad


@pytest.mark.parametrize("locale", ["vi", "it", "zh-CN"])
def test_chart_labels_stay_inside_their_charts(locale: str, tmp_path: Path) -> None:
    long_name = {
        "vi": "Nguyễn Thị Phương Thảo Hồng Nhung",
        "it": "Maria Antonietta Scaramucci",
        "zh-CN": "欧阳娜娜美容顾问",
    }
    demo = sk.generate_demo(clients=60, seed=4, as_of=AS_OF, locale=locale)
    visits = demo.visits.copy()
    first = visits["therapist"].dropna().iloc[0]
    visits["therapist"] = visits["therapist"].replace({first: long_name[locale]})
    data = sk.WorkbookData(
        clients=demo.clients,
        visits=visits,
        appointments=demo.appointments,
        feedback=demo.feedback,
        lists=demo.lists,
        settings=demo.settings,
    )
    report = build_report(ValidationResult(frames=data, locale=locale), as_of=AS_OF)
    assert long_name[locale] in [r.name for r in report.therapists]
    page = write_report_html(report, tmp_path / "w.html", locale=locale).read_text(encoding="utf-8")
    svgs = re.findall(r"<svg .*?</svg>", page, re.DOTALL)
    assert len(svgs) == 3
    for svg in svgs:
        # The SVG is sheetkit's own output, not untrusted input.
        root = ET.fromstring(svg.replace("<svg ", '<svg xmlns="http://www.w3.org/2000/svg" ', 1))  # noqa: S314
        _, _, width, height = (float(v) for v in root.get("viewBox", "").split())
        assert len(list(root.iter("{http://www.w3.org/2000/svg}text"))) > 10
        assert _outside(root, width, height) == [], svg[:120]
    # The long name is shown whole, or shortened with the whole name as a tooltip.
    assert f">{long_name[locale]}<" in svgs[1]
