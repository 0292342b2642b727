"""The weekly report: KPIs equal the analytics, xlsx and HTML outputs are safe and complete."""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import re
import shutil
import stat
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import yaml

import sheetkit as sk
from sheetkit.analytics import (
    average_visit_value,
    call_list,
    cancellation_rate,
    no_show_rate,
    rebooking_rate,
    return_within,
    spend,
)
from sheetkit.errors import TemplateError, UsageError
from sheetkit.issues import ValidationResult
from sheetkit.report import (
    WeeklyReport,
    build_report,
    chain_report,
    report_period,
    write_report_html,
    write_report_xlsx,
)
from sheetkit.report.content import HEALTH_COLUMNS
from sheetkit.report.periods import iso_week
from sheetkit.report.weekly import is_sheetkit_workbook

AS_OF = dt.date(2026, 11, 22)
EVIL = "<script>alert(1)</script> Eve"


@pytest.fixture(scope="module")
def data() -> sk.WorkbookData:
    data = sk.generate_demo(clients=150, seed=3, as_of=AS_OF)
    # A lapsed client whose name is markup; the name must stay text everywhere.
    lapsed = call_list(data.clients, data.visits, data.lists, data.settings, as_of=AS_OF)
    assert not lapsed.empty
    row = data.clients.index[data.clients["client_id"].eq(lapsed.loc[0, "client_id"])][0]
    data.clients.loc[row, "full_name"] = EVIL
    data.clients.loc[row, "allergies"] = "zz-secret-allergen"
    return data


@pytest.fixture(scope="module")
def report(data: sk.WorkbookData) -> WeeklyReport:
    return build_report(ValidationResult(frames=data), as_of=AS_OF)


@pytest.fixture(scope="module")
def outputs(report: WeeklyReport, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("report")
    xlsx = write_report_xlsx(report, folder / "weekly.xlsx", locale="en")
    page = write_report_html(report, folder / "weekly.html", locale="en")
    return xlsx, page


def _xlsx_strings(path: Path) -> str:
    with zipfile.ZipFile(path) as z:
        return "\n".join(
            z.read(name).decode("utf-8")
            for name in z.namelist()
            if name == "xl/sharedStrings.xml" or name.startswith("xl/worksheets/sheet")
        )


def _same(a: float | None, b: object) -> bool:
    if a is None:
        return b is None or (isinstance(b, float) and math.isnan(b))
    return math.isclose(a, float(b))  # type: ignore[arg-type]


def test_period_is_iso_week(report: WeeklyReport) -> None:
    assert iso_week(AS_OF) == (dt.date(2026, 11, 16), dt.date(2026, 11, 22))
    assert report.period.label == "2026-W47"
    assert [p.label for p in report.periods] == ["2026-W47", "2026-W46", "2025-W47"]


def test_kpis_equal_analytics(report: WeeklyReport, data: sk.WorkbookData) -> None:
    start, end = report.period.start, report.period.end
    kpi = {k.key: k.this for k in report.kpis}
    spent = spend(data.visits, start=start, end=end, as_of=AS_OF)
    rebook = rebooking_rate(data.visits, data.appointments, start=start, end=end)
    assert _same(kpi["visits"], spent["period_visits"].sum())
    assert _same(kpi["revenue"], spent["period_total"].sum())
    assert _same(kpi["clients"], (spent["period_visits"] > 0).sum())
    assert _same(kpi["visit_days"], rebook["visit_days"].iloc[0])
    assert _same(kpi["rebooking_rate"], rebook["rate"].iloc[0])
    assert _same(kpi["average_visit_value"], average_visit_value(data.visits, start=start, end=end))
    assert _same(kpi["no_show_rate"], no_show_rate(data.appointments, start=start, end=end)["rate"].iloc[0])
    assert _same(kpi["cancellation_rate"], cancellation_rate(data.appointments, start=start, end=end)["rate"].iloc[0])
    assert kpi["visits"] is not None
    assert kpi["visits"] > 0
    # This week's return-within-90 cannot be judged yet: censored, shown as None, never 0.
    assert kpi["return_within"] is None
    year = report.periods[2]
    back = return_within(data.visits, start=year.start, end=year.end, days=90, as_of=AS_OF)
    assert _same(next(k.last_year for k in report.kpis if k.key == "return_within"), back["rate"].iloc[0])


def test_trend_cohorts_therapists_actions(report: WeeklyReport, data: sk.WorkbookData) -> None:
    assert len(report.trend) == 26
    assert report.trend[-1].week == "2026-W47"
    assert report.trend[-1].visits == next(k.this for k in report.kpis if k.key == "visits")
    assert 0 < len(report.cohorts.cohorts) <= 24
    # Every month is a row, the newest (as_of's month) last; a month without new clients has no shares.
    assert report.cohorts.cohorts[-1] == "2026-11"
    for size, row in zip(report.cohorts.sizes, report.cohorts.shares, strict=True):
        assert row[0] == 1.0 if size else set(row) == {None}
    assert report.therapists
    assert all(r.satisfaction is None or 1 <= r.satisfaction <= 5 for r in report.therapists)
    keys = [a.key for a in report.actions]
    assert keys == ["lapsed", "at_risk", "due_next_week", "birthdays", "open_complaints"]
    lapsed = call_list(data.clients, data.visits, data.lists, data.settings, as_of=AS_OF)
    assert report.actions[0].rows["client_id"].tolist() == lapsed["client_id"].tolist()
    for action in report.actions:
        assert not HEALTH_COLUMNS & set(action.rows.columns)


def test_trend_equals_the_analytics_week_by_week(report: WeeklyReport, data: sk.WorkbookData) -> None:
    # The trend is computed in one pass (weekly_activity); each week must equal the period metrics.
    for point in report.trend:
        monday, sunday = iso_week(point.start)
        end = min(sunday, AS_OF)
        spent = spend(data.visits, start=monday, end=end, as_of=AS_OF)
        shows = no_show_rate(data.appointments, start=monday, end=end)["rate"].iloc[0]
        assert point.start == monday
        assert point.visits == spent["period_visits"].sum()
        assert math.isclose(point.revenue, spent["period_total"].sum())
        assert _same(point.no_show_rate, shows)
    assert [p.start for p in report.trend] == [AS_OF - dt.timedelta(days=6 + 7 * k) for k in range(25, -1, -1)]


def test_xlsx_sheets_and_charts(outputs: tuple[Path, Path]) -> None:
    xlsx, _ = outputs
    with zipfile.ZipFile(xlsx) as z:
        charts = [n for n in z.namelist() if re.fullmatch(r"xl/charts/chart\d+\.xml", n)]
        workbook = z.read("xl/workbook.xml").decode("utf-8")
    assert len(charts) >= 2
    names = re.findall(r'<sheet name="([^"]+)"', workbook)
    report = sk.load_template().labels("en").report
    keys = ("summary", "teams", "cohorts", "lapsed", "at_risk", "due_next_week", "birthdays", "open_complaints")
    for key in keys:
        assert report[f"sheet_{key}"] in names
    assert report["sheet_data_quality"] in names
    assert names[0] == report["sheet_summary"]
    with zipfile.ZipFile(xlsx) as z:
        cohort_sheet = z.read(f"xl/worksheets/sheet{names.index(report['sheet_cohorts']) + 1}.xml").decode("utf-8")
    assert 'type="colorScale"' in cohort_sheet


def test_no_health_data_anywhere(outputs: tuple[Path, Path], data: sk.WorkbookData) -> None:
    xlsx, page = outputs
    texts = {"xlsx": _xlsx_strings(xlsx), "html": page.read_text(encoding="utf-8")}
    labels = sk.load_template().labels("en")
    headers = {labels.header(s, c) for s in ("clients", "visits") for c in HEALTH_COLUMNS if c in labels.columns[s]}
    allergies = {a for a in data.clients["allergies"].dropna().astype(str) if a.strip().lower() not in {"none", ""}}
    medications = set(data.clients["medications"].dropna().astype(str))
    assert "zz-secret-allergen" in allergies
    for where, text in texts.items():
        for secret in headers | allergies | medications:
            assert f">{secret}<" not in text, (where, secret)
        assert "zz-secret-allergen" not in text, where


def test_html_is_self_contained(outputs: tuple[Path, Path]) -> None:
    _, page = outputs
    text = page.read_text(encoding="utf-8")
    assert "http" not in text.lower()
    assert not re.search(r"<script|<link|<img|<iframe|@import|url\(", text, re.IGNORECASE)
    assert text.count("<svg") >= 3


def test_client_text_is_escaped_and_stored_as_string(outputs: tuple[Path, Path]) -> None:
    xlsx, page = outputs
    text = page.read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Eve" in text
    assert "<script>" not in text
    with zipfile.ZipFile(xlsx) as z:
        shared = z.read("xl/sharedStrings.xml").decode("utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Eve" in shared


def test_choice_values_use_locale_labels(report: WeeklyReport, tmp_path: Path) -> None:
    page = write_report_html(report, tmp_path / "it.html", locale="it")
    labels = sk.load_template().labels("it")
    text = page.read_text(encoding="utf-8")
    assert f">{labels.choice_label('follow_up', 'lapsed')}<" in text
    channels = report.actions[0].rows["preferred_channel"].dropna()
    assert f">{labels.choice_label('channel', str(channels.iloc[0]))}<" in text
    assert f">{labels.header('clients', 'full_name')}<" in text
    xlsx = write_report_xlsx(report, tmp_path / "it.xlsx", locale="it")
    assert labels.choice_label("follow_up", "lapsed") in _xlsx_strings(xlsx)


@pytest.mark.parametrize("locale", ["it", "zh-CN"])
def test_report_is_localized(report: WeeklyReport, tmp_path: Path, locale: str) -> None:
    labels = sk.load_template().labels(locale)
    english = sk.load_template().labels("en").report
    summary = labels.report["sheet_summary"]
    assert summary != english["sheet_summary"]
    kpi_labels = [labels.report[f"kpi_{k.key}"].format(days=report.return_days) for k in report.kpis]
    assert "Summary" not in kpi_labels

    xlsx = write_report_xlsx(report, tmp_path / f"{locale}.xlsx", locale=locale)
    with zipfile.ZipFile(xlsx) as z:
        workbook = z.read("xl/workbook.xml").decode("utf-8")
    names = re.findall(r'<sheet name="([^"]+)"', workbook)
    assert names[0] == summary
    assert "Summary" not in names
    assert len(names) == len(set(names)) == 11  # with the win-back sheet
    strings = _xlsx_strings(xlsx)
    for text in kpi_labels:
        assert text in strings, text
    assert english["kpi_visit_days"] not in strings

    page = write_report_html(report, tmp_path / f"{locale}.html", locale=locale).read_text(encoding="utf-8")
    assert f'<html lang="{locale}">' in page
    for text in kpi_labels:
        assert f"<td>{text}</td>" in page, text
    assert f"<h1>{labels.report['title'].format(week=report.period.label)}</h1>" in page
    assert f">{english['kpi_visit_days']}<" not in page
    assert f">{english['key_figures']}<" not in page


def test_report_labels_must_match_the_default_locale(tmp_path: Path) -> None:
    folder = tmp_path / "template"
    shutil.copytree(sk.load_template().path, folder)
    path = folder / "locales" / "vi.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    del data["report"]["sheet_summary"]
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    with pytest.raises(TemplateError, match=r"vi\.yaml.*sheet_summary"):
        sk.load_template(folder)


def test_data_quality_lists_issues_without_health_values(tmp_path: Path) -> None:
    data = sk.generate_demo(clients=30, seed=5, as_of=AS_OF)
    book = sk.write_excel(tmp_path / "salon.xlsx", data)
    result = sk.validate(book, as_of=AS_OF)
    issue = sk.Issue(
        code="control-characters",
        severity="warning",
        sheet="Clients",
        row=2,
        column="Allergies",
        cell="V2",
        value="peanut\x07",
        message="Allergies: 'peanut\x07' has control characters",
        message_en="Allergies: 'peanut\x07' has control characters",
        sheet_key="clients",
        column_key="allergies",
    )
    result.issues.append(issue)
    report = build_report(result, as_of=AS_OF)
    assert len(report.issues) == len(result.issues)
    assert all("peanut" not in (i.value or "") + i.message for i in report.issues)
    xlsx = write_report_xlsx(report, tmp_path / "weekly.xlsx", locale=result.locale)
    page = write_report_html(report, tmp_path / "weekly.html", locale=result.locale)
    assert "control-characters" in _xlsx_strings(xlsx)
    assert "control-characters" in page.read_text(encoding="utf-8")
    assert "peanut" not in _xlsx_strings(xlsx) + page.read_text(encoding="utf-8")


def test_atomic_write_leaves_no_temp_files(report: WeeklyReport, tmp_path: Path) -> None:
    write_report_xlsx(report, tmp_path / "a.xlsx", locale="en")
    write_report_xlsx(report, tmp_path / "a.xlsx", locale="en")
    write_report_html(report, tmp_path / "a.html", locale="en")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.html", "a.xlsx"]


def test_report_files_get_the_usual_permissions(report: WeeklyReport, tmp_path: Path) -> None:
    # mkstemp makes 0600 files; a report is a normal document others may need to open.
    umask = os.umask(0o022)
    try:
        xlsx = write_report_xlsx(report, tmp_path / "a.xlsx", locale="en")
        page = write_report_html(report, tmp_path / "a.html", locale="en")
    finally:
        os.umask(umask)
    assert stat.S_IMODE(xlsx.stat().st_mode) == 0o644
    assert stat.S_IMODE(page.stat().st_mode) == 0o644


def test_partial_cohort_month_is_italic_in_both_outputs(report: WeeklyReport, outputs: tuple[Path, Path]) -> None:
    xlsx, page = outputs
    labels = sk.load_template().labels("en").report
    sheet = openpyxl.load_workbook(xlsx)[labels["sheet_cohorts"]]
    table = report.cohorts
    seen = 0
    for i, (shares, partial) in enumerate(zip(table.shares, table.partial, strict=True)):
        for k, (share, part) in enumerate(zip(shares, partial, strict=True)):
            if share is not None:
                assert bool(sheet.cell(row=5 + i, column=3 + k).font.i) is part, (i, k)
                seen += part
    # At most one partial cell per cohort (the current month; beyond the 12 columns shown for older cohorts).
    assert 0 < seen == sum(map(sum, table.partial)) <= len(table.cohorts)
    # In the HTML a partial cell has the class "p" (italics) beside its colour class.
    assert len(re.findall(r'<td class="c\d+ p">', page.read_text(encoding="utf-8"))) == seen


@pytest.mark.office
def test_summary_renders_to_png(outputs: tuple[Path, Path], tmp_path: Path) -> None:
    from tests.office import render_png

    pngs = render_png(outputs[0], tmp_path, last_page=1)
    assert pngs
    assert pngs[0].suffix == ".png"
    assert pngs[0].stat().st_size > 1000


def test_frames_are_not_modified(data: sk.WorkbookData) -> None:
    before = data.clients.copy()
    build_report(ValidationResult(frames=data), as_of=AS_OF)
    pd.testing.assert_frame_equal(data.clients, before)


# ----------------------------------------------------------------------------- never over the source


@pytest.fixture
def salon_book(tmp_path: Path) -> Path:
    book = tmp_path / "salon.xlsx"
    sk.write_demo(book, clients=40, seed=8, as_of=AS_OF)
    return book


def test_report_never_writes_over_a_workbook(salon_book: Path, tmp_path: Path) -> None:
    other = tmp_path / "other.xlsx"
    sk.write_demo(other, clients=20, seed=9, locale="it", as_of=AS_OF)
    link = tmp_path / "link.xlsx"
    link.symlink_to(salon_book)
    before = {path: path.read_bytes() for path in (salon_book, other)}
    report = tmp_path / "weekly.xlsx"
    attempts: list[tuple[Path, Path | None]] = [
        (salon_book, None),  # the input itself
        (link, None),  # the input under another name
        (report, salon_book),  # the HTML over the input
        (other, None),  # another sheetkit workbook (Italian: its About sheet is "Informazioni")
        (report, other),
    ]
    for out, page in attempts:
        with pytest.raises(UsageError, match="write the report to another file"):
            sk.weekly_report(salon_book, as_of=AS_OF, out=out, html=page, overwrite=True)
    assert {path: path.read_bytes() for path in before} == before
    assert not report.exists()  # nothing written either
    # An old report is no workbook: it may be replaced when asked.
    sk.weekly_report(salon_book, as_of=AS_OF, out=report)
    sk.weekly_report(salon_book, as_of=AS_OF, out=report, overwrite=True)
    assert not is_sheetkit_workbook(report)
    assert is_sheetkit_workbook(salon_book)
    assert is_sheetkit_workbook(other)


def test_chain_report_never_writes_over_the_registry_or_a_branch(salon_book: Path, tmp_path: Path) -> None:
    registry = tmp_path / "branches.toml"
    registry.write_text(f'[[branch]]\ncode = "B1"\nworkbook = "{salon_book.name}"\n', encoding="utf-8")
    stranger = tmp_path / "x.xlsx"
    sk.write_demo(stranger, clients=10, seed=1, as_of=AS_OF)
    before = {path: path.read_bytes() for path in (registry, salon_book, stranger)}
    for out, message in (
        (registry, "the registry"),
        (salon_book, "workbook of branch B1"),
        (stranger, "sheetkit workbook"),
    ):
        with pytest.raises(UsageError, match=message):
            chain_report(registry, as_of=AS_OF, out=out, overwrite=True)
        with pytest.raises(UsageError, match=message):
            chain_report(registry, as_of=AS_OF, out=tmp_path / "chain.xlsx", html=out, overwrite=True)
    assert {path: path.read_bytes() for path in before} == before
    assert not (tmp_path / "chain.xlsx").exists()


# ----------------------------------------------------------------------------- "in the future" means after today


def test_future_dates_are_judged_against_today(tmp_path: Path) -> None:
    today = dt.date(2026, 12, 7)  # a Monday: the default report covers the week before
    data = sk.generate_demo(clients=40, seed=4, as_of=today - dt.timedelta(days=1))
    typed_today = data.visits.iloc[[0, 1]].assign(
        visit_id=["VT1", "VT2"], visit_date=[pd.Timestamp(today), pd.Timestamp(today + dt.timedelta(days=1))]
    )
    data.visits = pd.concat([data.visits, typed_today], ignore_index=True)
    data.visits.index = pd.RangeIndex(2, 2 + len(data.visits))
    book = sk.write_excel(tmp_path / "salon.xlsx", data)
    sunday = dt.date(2026, 12, 6)

    def future(result: ValidationResult) -> list[str | None]:
        return [i.value for i in result.issues if i.code == "future-date"]

    # Against last Sunday, today's visit would be "in the future"; against today only tomorrow's is.
    assert future(sk.validate(book, as_of=sunday)) == ["2026-12-07", "2026-12-08"]
    assert future(sk.validate(book, as_of=sunday, today=today)) == ["2026-12-08"]
    # The report of last week checks against today: it agrees with `sheetkit check` run today.
    period = report_period(today=today)
    summary = sk.weekly_report(book, period=period, today=today, out=tmp_path / "weekly.xlsx")
    assert summary["issues"] == len(sk.validate(book, as_of=today).issues)
    assert summary["period"]["end"] == "2026-12-06"
    visits = next(k for k in summary["kpis"] if k["key"] == "visits")
    in_week = data.visits["visit_date"].between(pd.Timestamp(period.start), pd.Timestamp(period.end))
    assert visits["this"] == in_week.sum()  # today's visit is after the period: not counted


# ----------------------------------------------------------------------------- settings and JSON


def test_cohort_months_setting(data: sk.WorkbookData, tmp_path: Path) -> None:
    assert sk.load_template().setting("cohort_months").default == 24
    table = build_report(ValidationResult(frames=data), as_of=AS_OF).cohorts
    assert len(table.cohorts) == 24
    assert max(len(row) for row in table.shares) == 24
    assert table.cohorts[0] == "2024-12"
    short = replace_settings(data, cohort_months=12)
    table = build_report(ValidationResult(frames=short), as_of=AS_OF).cohorts
    assert (len(table.cohorts), max(len(row) for row in table.shares)) == (12, 12)
    assert table.cohorts[-1] == "2026-11"  # the newest cohort is always shown
    # The manager sets it on the workbook's Settings sheet.
    book = sk.write_excel(tmp_path / "salon.xlsx", replace_settings(data, cohort_months=36))
    result = sk.validate(book, as_of=AS_OF)
    assert result.frames.settings["cohort_months"] == 36
    assert len(build_report(result, as_of=AS_OF).cohorts.cohorts) == 36


def replace_settings(data: sk.WorkbookData, **values: object) -> sk.WorkbookData:
    return sk.WorkbookData(
        clients=data.clients,
        visits=data.visits,
        appointments=data.appointments,
        feedback=data.feedback,
        lists=data.lists,
        settings={**data.settings, **values},
    )


def test_weekly_report_returns_the_figures(salon_book: Path, tmp_path: Path) -> None:
    summary = sk.weekly_report(salon_book, as_of=AS_OF, out=tmp_path / "w.xlsx", html=tmp_path / "w.html")
    content = json.loads(json.dumps(summary))
    assert content["period"]["start"] == "2026-11-16"
    assert content["period"]["end"] == "2026-11-22"
    assert content["compared_with"]["last_week"] == {
        "start": "2026-11-09",
        "end": "2026-11-15",
        "label": "2026-W46",
        "kind": "last_week",
    }
    assert content["compared_with"]["last_year"]["start"] == "2025-11-17"
    assert content["kpis"][0]["key"] == "visits"
    assert {"this", "last_week", "last_year", "change", "better"} <= set(content["kpis"][0])
    assert isinstance(content["issues"], int)
    assert content["report"] == str(tmp_path / "w.xlsx")
    assert content["html"] == str(tmp_path / "w.html")
    assert set(content["actions"]) == {"lapsed", "at_risk", "due_next_week", "birthdays", "open_complaints"}
