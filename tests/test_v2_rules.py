"""Template version 2 as the reader and the checks see it.

Workbooks are written with sheetkit's own writer and read back through the public
functions: the patch-test rule, consent disagreement, follow-ups and marketing
consent on the report's lists, cancelled_at in the no-show rate, birthdays
without the year in day/month order, error values in any column, the prepared
area, and the v1 fixtures that read with only ``upgrade-available``.
"""

from __future__ import annotations

import datetime as dt
import shutil
import zipfile
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import sheetkit as sk
from sheetkit.analytics import late_cancellation_rate, no_show_rate, rebooking_rate, staff_view
from sheetkit.frames import V2_SHEETS, WorkbookData
from sheetkit.report import build_report
from sheetkit.report.content import action_description
from sheetkit.template import load_template
from sheetkit.template.defaults import default_lists, default_settings

D = pd.Timestamp
AS_OF = dt.date(2026, 11, 18)
FIXTURES = Path(__file__).parent / "fixtures" / "v1"


def _frame(key: str, rows: list[dict[str, Any]]) -> pd.DataFrame:
    template = load_template()
    columns = [c.key for c in template.sheet(key).data_columns]
    if key == "clients":
        columns.insert(columns.index("birth_date") + 1, "birth_month_day")
    frame = pd.DataFrame(rows, columns=columns).astype(object)
    frame.index = pd.RangeIndex(2, 2 + len(frame))
    return frame


def salon(locale: str = "en", **sheets: list[dict[str, Any]]) -> WorkbookData:
    """Canonical frames with these rows, default lists (services with patch-test days) and settings."""
    template = load_template()
    labels = template.labels(locale)
    frames = {s.key: _frame(s.key, sheets.get(s.key, [])) for s in template.sheets}
    return WorkbookData(
        **{k: frames[k] for k in ("clients", "visits", "appointments", "feedback")},
        lists=default_lists(template, labels),
        settings=default_settings(template, labels),
        **{k: frames[k] for k in V2_SHEETS},
    )


def client(cid: str, **more: Any) -> dict[str, Any]:
    return {"client_id": cid, "full_name": f"Name {cid}", "client_status": "active", **more}


def service_name(locale: str, key: str) -> str:
    return load_template().labels(locale).reference_row_name("services", key)


def check(tmp_path: Path, data: WorkbookData, locale: str = "en", as_of: dt.date = AS_OF) -> sk.ValidationResult:
    book = tmp_path / f"salon-{locale}.xlsx"
    sk.write_excel(book, data, locale=locale, overwrite=True)
    return sk.validate(book, as_of=as_of)


def codes(result: sk.ValidationResult) -> list[tuple[str, str | None, str | None]]:
    return [(i.code, i.sheet_key, i.cell) for i in result.issues]


# --------------------------------------------------------------------------- patch tests


def test_patch_test_rule(tmp_path: Path) -> None:
    peel = service_name("en", "chemical_peel")  # 180 days
    facial = service_name("en", "hydrating_facial")  # no patch test needed
    visits = [
        {"visit_id": "V1", "client_id": "C1", "visit_date": D("2026-11-02"), "service": peel},  # covered
        {"visit_id": "V2", "client_id": "C2", "visit_date": D("2026-11-02"), "service": peel},  # test failed
        {"visit_id": "V3", "client_id": "C3", "visit_date": D("2026-11-02"), "service": peel},  # test after visit
        {"visit_id": "V4", "client_id": "C4", "visit_date": D("2026-11-02"), "service": peel},  # 180 days passed
        {"visit_id": "V5", "client_id": "C5", "visit_date": D("2026-11-02"), "service": peel},  # valid_until wins
        {"visit_id": "V6", "client_id": "C6", "visit_date": D("2026-11-02"), "service": facial},  # none needed
        {"visit_id": "V7", "client_id": "C6", "visit_date": D("2026-11-03"), "service": peel},  # no test at all
    ]
    tests = [
        {"patch_test_id": "P1", "client_id": "C1", "date": D("2026-10-01"), "result": "pass"},
        {"patch_test_id": "P2", "client_id": "C2", "date": D("2026-10-01"), "result": "fail"},
        {"patch_test_id": "P3", "client_id": "C3", "date": D("2026-11-05"), "result": "pass"},
        {"patch_test_id": "P4", "client_id": "C4", "date": D("2026-04-01"), "result": "pass"},
        {
            "patch_test_id": "P5",
            "client_id": "C5",
            "date": D("2026-10-01"),
            "result": "pass",
            "valid_until": D("2026-10-31"),
        },
    ]
    data = salon(
        clients=[client(f"C{n}") for n in range(1, 7)],
        visits=visits,
        patch_tests=tests,
    )
    result = check(tmp_path, data)
    missing = [i for i in result.issues if i.code == "patch-test-missing"]
    service = result.frames.visits.columns.get_loc("service")
    assert isinstance(service, int)
    assert [i.row for i in missing] == [3, 4, 5, 6, 8]  # V2, V3, V4, V5, V7
    assert {i.severity for i in missing} == {"error"}
    assert {i.column_key for i in missing} == {"service"}
    assert missing[0].cell is not None
    assert missing[0].cell.endswith("3")
    assert "Patch tests" in missing[0].message_en
    assert "180" in missing[0].message_en
    assert not result.valid


# --------------------------------------------------------------------------- consents


def test_consent_mismatch_on_the_clients_cell(tmp_path: Path) -> None:
    clients = [
        client("C1", records_consent=True, marketing_opt_in="subscribed"),  # agrees
        client("C2", records_consent=True, marketing_opt_in="subscribed"),  # marketing withdrawn later
        client("C3", records_consent=False, marketing_opt_in="unknown"),  # records granted; unknown: no compare
    ]
    consents = [
        {"consent_id": "K1", "client_id": "C1", "purpose": "marketing", "decision": "granted", "date": D("2026-01-01")},
        {"consent_id": "K2", "client_id": "C2", "purpose": "marketing", "decision": "granted", "date": D("2026-01-01")},
        {
            "consent_id": "K3",
            "client_id": "C2",
            "purpose": "marketing",
            "decision": "withdrawn",
            "date": D("2026-06-01"),
        },
        {"consent_id": "K4", "client_id": "C3", "purpose": "records", "decision": "granted", "date": D("2026-02-01")},
        {"consent_id": "K5", "client_id": "C3", "purpose": "marketing", "decision": "granted", "date": D("2026-02-01")},
    ]
    result = check(tmp_path, salon(clients=clients, consents=consents))
    found = [(i.row, i.column_key, i.severity) for i in result.issues if i.code == "consent-mismatch"]
    assert found == [(3, "marketing_opt_in", "warning"), (4, "records_consent", "warning")]
    message = next(i.message_en for i in result.issues if i.code == "consent-mismatch" and i.row == 3)
    assert "Withdrawn" in message
    assert "2026-06-01" in message
    assert "Consents" in message


# --------------------------------------------------------------------------- report lists


def _action(report: Any, key: str) -> Any:
    return next(a for a in report.actions if a.key == key)


def test_follow_ups_and_marketing_consent_shape_the_report_lists(tmp_path: Path) -> None:
    facial = service_name("en", "hydrating_facial")
    clients = [
        client("L1", marketing_opt_in="subscribed", preferred_channel="sms", birth_month_day="11-20"),
        client("L2", marketing_opt_in="subscribed", preferred_channel="sms", birth_month_day="11-21"),
        client("L3", marketing_opt_in="unknown", preferred_channel="sms", birth_month_day="11-22"),
        client("L4", marketing_opt_in="subscribed", preferred_channel="sms", birth_month_day="11-23"),
    ]
    visits = [
        {"visit_id": f"V{n}", "client_id": c["client_id"], "visit_date": D("2026-01-05"), "service": facial}
        for n, c in enumerate(clients)
    ]
    follow_ups = [
        # L2 was called 3 days ago: left off every outreach list for follow_up_quiet_days (14)
        {"follow_up_id": "F1", "client_id": "L2", "date": D("2026-11-15"), "reason": "lapsed", "outcome": "booked"},
        # L1's follow-up is older than 14 days: listed again
        {"follow_up_id": "F2", "client_id": "L1", "date": D("2026-10-01"), "reason": "lapsed", "outcome": "no_answer"},
    ]
    consents = [  # the Consents sheet withdraws L4's marketing consent: no birthday gift offer
        {
            "consent_id": "K1",
            "client_id": "L4",
            "purpose": "marketing",
            "decision": "withdrawn",
            "date": D("2026-09-01"),
        },
    ]
    result = check(tmp_path, salon(clients=clients, visits=visits, follow_ups=follow_ups, consents=consents))
    report = build_report(result, as_of=AS_OF)
    lapsed = _action(report, "lapsed")
    assert list(lapsed.rows["client_id"]) == ["L1", "L3", "L4"]
    assert lapsed.followed_up == 1
    birthdays = _action(report, "birthdays")
    assert list(birthdays.rows["client_id"]) == ["L1"]  # L2 followed up; L3 unknown, L4 withdrawn: marketing
    assert birthdays.followed_up == 1
    assert birthdays.no_consent == 2
    description = action_description(load_template().labels("en"), birthdays)
    assert "2 clients without marketing consent" in description
    assert "1 clients followed up in the last 14 days" in description
    content = report.to_dict()
    assert content["followed_up"]["lapsed"] == 1
    assert content["no_marketing_consent"] == {"birthdays": 2}
    # The same through the analytics, given the ValidationResult alone.
    assert list(sk.analytics.call_list(result, as_of=AS_OF)["client_id"]) == ["L1", "L3", "L4"]
    assert list(sk.analytics.call_list(result, as_of=AS_OF, followed_up="keep")["client_id"]) == [
        "L1",
        "L2",
        "L3",
        "L4",
    ]


def test_win_back_outcomes(tmp_path: Path) -> None:
    facial = service_name("en", "hydrating_facial")
    clients = [client(f"C{n}") for n in range(1, 5)]
    visits = [
        {"visit_id": "V1", "client_id": "C1", "visit_date": D("2026-05-01"), "service": facial},
        {"visit_id": "V2", "client_id": "C1", "visit_date": D("2026-11-18"), "service": facial},  # back after F1
        {"visit_id": "V3", "client_id": "C2", "visit_date": D("2026-05-01"), "service": facial},
    ]
    follow_ups = [
        {"follow_up_id": "F1", "client_id": "C1", "date": D("2026-11-16"), "reason": "lapsed", "outcome": "booked"},
        {"follow_up_id": "F2", "client_id": "C2", "date": D("2026-11-17"), "reason": "lapsed", "outcome": "declined"},
        {"follow_up_id": "F3", "client_id": "C3", "date": D("2026-11-17"), "reason": "at_risk"},
        {"follow_up_id": "F4", "client_id": "C4", "date": D("2026-11-02"), "reason": "birthday", "outcome": "reached"},
    ]
    result = check(tmp_path, salon(clients=clients, visits=visits, follow_ups=follow_ups))
    report = build_report(result, as_of=AS_OF)
    assert report.win_back is not None
    table = report.win_back.outcomes
    assert table.loc["lapsed", "booked"] == 1
    assert table.loc["lapsed", "declined"] == 1
    assert table.loc["at_risk", "not_recorded"] == 1
    assert table.loc["birthday"].sum() == 0  # before the period (2026-W47)
    back = report.to_dict()["win_back"]["returned"]
    assert back["lapsed"] == {"clients": 2, "returned": 1, "rate": 0.5}
    assert back["at_risk"] == {"clients": 1, "returned": 0, "rate": 0.0}
    for locale, words in (("it", ("Esiti del recupero clienti", "Prenotato")), ("zh-CN", ("客户挽回结果", "合计"))):
        page = sk.report.write_report_html(report, tmp_path / f"weekly-{locale}.html", locale=locale)
        text = page.read_text(encoding="utf-8")
        assert all(w in text for w in words)
        xlsx = sk.report.write_report_xlsx(report, tmp_path / f"weekly-{locale}.xlsx", locale=locale)
        with zipfile.ZipFile(xlsx) as z:
            assert words[0] in z.read("xl/sharedStrings.xml").decode("utf-8")


# --------------------------------------------------------------------------- cancelled_at


def test_cancelled_at_in_the_no_show_rate() -> None:
    def appointment(n: int, status: str, cancelled: str | None = None) -> dict[str, Any]:
        return {
            "appointment_id": f"A{n}",
            "client_id": "C1",
            "scheduled_at": D("2026-11-17 10:00"),
            "status": status,
            "booked_at": D("2026-11-01"),
            "cancelled_at": None if cancelled is None else D(cancelled),
        }

    appointments = pd.DataFrame(
        [
            appointment(1, "completed"),
            appointment(2, "no_show"),
            appointment(3, "cancelled", "2026-11-10 09:00"),  # in advance: out of the denominator
            appointment(4, "cancelled", "2026-11-16 18:00"),  # 16 hours before: late, stays in
            appointment(5, "cancelled", "2026-11-17 11:00"),  # after the time: late
            appointment(6, "cancelled"),  # no cancelled_at (v1): in advance
        ]
    )
    week = {"start": dt.date(2026, 11, 16), "end": dt.date(2026, 11, 22)}
    shows = no_show_rate(appointments, **week)
    assert shows.loc["all", ["appointments", "no_shows"]].tolist() == [4, 1]
    assert shows.loc["all", "rate"] == pytest.approx(0.25)
    late = late_cancellation_rate(appointments, **week)
    assert late.loc["all", ["appointments", "late_cancellations"]].tolist() == [6, 2]
    # v1 data (no cancelled_at column): every cancellation in advance, as before.
    v1 = appointments.drop(columns="cancelled_at")
    assert no_show_rate(v1, **week).loc["all", ["appointments", "no_shows"]].tolist() == [2, 1]


def test_count_cancelled_uses_cancelled_at() -> None:
    visits = pd.DataFrame({"client_id": ["C1", "C2", "C3"], "visit_date": [D("2026-11-16")] * 3})
    booked = D("2026-11-16 12:00")
    appointments = pd.DataFrame(
        {
            "client_id": ["C1", "C2", "C3"],
            "scheduled_at": [D("2026-12-10 10:00")] * 3,
            "booked_at": [booked] * 3,
            "status": ["cancelled", "cancelled", "cancelled"],
            # C1 cancelled the same evening (within the window), C2 two weeks later, C3 unknown (v1)
            "cancelled_at": [D("2026-11-16 20:00"), D("2026-11-30 09:00"), None],
        }
    )
    week = {"start": dt.date(2026, 11, 16), "end": dt.date(2026, 11, 22)}
    counted = rebooking_rate(visits, appointments, **week, count_cancelled=True)
    assert counted.loc["all", "rebooked"] == 2  # C2 and C3; C1 held no booking when the window closed
    assert rebooking_rate(visits, appointments, **week).loc["all", "rebooked"] == 0


# --------------------------------------------------------------------------- birthdays without the year


@pytest.mark.parametrize("locale", ["it", "vi"])
def test_month_day_birthdays_in_day_month_order(tmp_path: Path, locale: str) -> None:
    clients = [
        client("C1", birth_month_day="03-05"),  # 5 March
        client("C2", birth_month_day="03-14"),  # 14 March: "14-03" in the workbook
        client("C3", birth_month_day="02-29"),
        client("C4", birth_date=D("1990-12-01")),
    ]
    data = salon(locale, clients=clients)
    result = check(tmp_path, data, locale=locale)
    assert [i.code for i in result.issues if i.sheet_key == "clients"] == []
    frame = result.frames.clients.set_index("client_id")
    assert frame["birth_month_day"].to_dict() == {"C1": "03-05", "C2": "03-14", "C3": "02-29", "C4": "12-01"}
    assert str(frame["birth_date"].dtype).startswith("datetime64")
    assert frame["birth_date"].isna().tolist() == [True, True, True, False]
    # 29 February falls on 28 February in a non-leap year; 5 March is 1 week after 26 February.
    view = staff_view(result, as_of=dt.date(2027, 2, 26)).set_index(result.frames.clients["client_id"])
    assert view["days_to_birthday"].to_dict() == {"C1": 7.0, "C2": 16.0, "C3": 2.0, "C4": 278.0}
    birthdays = sk.analytics.birthdays_ahead(result, as_of=dt.date(2027, 2, 26), contact="all")
    assert list(birthdays["client_id"]) == ["C3", "C1"]


def test_day_month_typed_text_is_read_in_the_workbook_order() -> None:
    from sheetkit.read.parse import ColumnContext, parse_column

    template = load_template()
    column = template.sheet("clients").column("birth_date")
    text = pd.Series(["05-03", "14-03", "14/03", "5.3", "--03-05", "3月5日", "31-02"], index=range(2, 9))
    italian = ColumnContext(template, template.labels("it"), "DMY", choice_index={})
    typed, findings = parse_column(text, column, italian)
    assert typed.tolist()[:6] == ["03-05", "03-14", "03-14", "03-05", "03-05", "03-05"]
    assert [(f.row, f.code, f.params["month_day"]) for f in findings] == [(8, "not-a-month-day", "DD-MM")]
    english = ColumnContext(template, template.labels("en"), "YMD", choice_index={})
    typed, findings = parse_column(text, column, english)
    assert typed.tolist()[0] == "05-03"
    assert {f.row for f in findings} == {3, 4, 8}  # month 14 and 31 February


# --------------------------------------------------------------------------- error values


def test_error_values_in_text_id_and_number_columns(tmp_path: Path) -> None:
    facial = service_name("en", "hydrating_facial")
    clients = [client("C1", occupation="#NAME?", notes="#N/A"), client("C2")]
    visits = [
        {"visit_id": "#REF!", "client_id": "C1", "visit_date": D("2026-11-02"), "service": facial},
        {"visit_id": "V2", "client_id": "C2", "visit_date": D("2026-11-02"), "service": facial, "amount_paid": "#N/A"},
        {
            "visit_id": "V3",
            "client_id": "C2",
            "visit_date": D("2026-11-03"),
            "service": facial,
            "amount_paid": "#DIV/0!",
        },
    ]
    result = check(tmp_path, salon(clients=clients, visits=visits))
    errors = {(i.sheet_key, i.column_key, i.row, i.value, i.severity) for i in result.issues if i.code == "error-cell"}
    assert errors == {
        ("clients", "occupation", 2, "#NAME?", "error"),
        ("clients", "notes", 2, "#N/A", "error"),
        ("visits", "visit_id", 2, "#REF!", "error"),
        ("visits", "amount_paid", 3, "#N/A", "error"),
        ("visits", "amount_paid", 4, "#DIV/0!", "error"),
    }
    assert not [i for i in result.issues if i.code == "placeholder-value"]
    visits_read = result.frames.visits
    assert visits_read["amount_paid"].isna().all()
    # The error cell is empty in the frames; its one Issue is the error (no second required-missing).
    assert pd.isna(visits_read.at[2, "visit_id"])
    assert not [i for i in result.issues if i.code == "required-missing"]
    assert not result.valid


# --------------------------------------------------------------------------- versions and the prepared area


#: What staff did to the fixture typed into in LibreOffice: a column of their own, a hidden row, blank rows.
STAFF_EDITS = frozenset({"extra-column", "hidden-row", "blank-row", "blank-rows"})


@pytest.mark.parametrize("fixture", sorted(p.name for p in FIXTURES.glob("*.xlsx")))
def test_v1_fixture_reads_with_only_upgrade_available(fixture: str) -> None:
    result = sk.validate(FIXTURES / fixture, as_of=dt.date(2026, 11, 30))
    found = [
        (i.code, i.severity) for i in result.issues if not fixture.startswith("typed-") or i.code not in STAFF_EDITS
    ]
    assert found == [("upgrade-available", "warning")]
    issue = result.issues[0]
    assert issue.message_en.endswith(f"Run: sheetkit upgrade {fixture}")
    assert "sheetkit upgrade" in issue.message
    for key in V2_SHEETS:
        frame = result.frames.frame(key)
        assert frame.empty
        assert [c.key for c in load_template().sheet(key).data_columns] == list(frame.columns)
    assert result.frames.appointments["cancelled_at"].isna().all()
    assert len(result.frames.visits) > 100
    # Month-days of a v1 workbook were typed MM-DD in every language.
    assert result.frames.clients["birth_month_day"].notna().sum() > len(result.frames.clients) // 2
    assert not result.issues_frame().empty


def test_prepared_area_warnings(tmp_path: Path) -> None:
    import openpyxl

    book = tmp_path / "salon.xlsx"
    sk.write_demo(book, clients=40, as_of=AS_OF)
    data = sk.read_workbook(book)
    visits_last = int(data.data.visits.index.max())
    clients_last = int(data.data.clients.index.max())
    small = tmp_path / "small.xlsx"
    shutil.copy(book, small)
    wb = openpyxl.load_workbook(small)
    about = wb[load_template().labels("en").sheet_name("about")]
    rows = {row[0].value: row for row in about.iter_rows()}
    assert "prepared_rows" in rows, "the About sheet records prepared_rows"
    # Each sheet records its own prepared area: Clients nearly full, Visits beyond it.
    for key in ("clients", "visits"):
        rows[f"prepared_rows_{key}"][2].value = str(clients_last + 5)
    wb.save(small)
    result = sk.validate(small, as_of=AS_OF)
    warned = {(i.code, i.sheet_key): i for i in result.issues if i.code.startswith("prepared-area")}
    exceeded = warned[("prepared-area-exceeded", "visits")]
    assert exceeded.row == clients_last + 6
    assert f"{clients_last + 6} to {visits_last}" in exceeded.message_en
    assert "sheetkit upgrade small.xlsx" in exceeded.message_en
    assert ("prepared-area-nearly-full", "clients") in warned
    assert all(i.severity == "warning" for i in warned.values())
    assert not [i for i in sk.validate(book, as_of=AS_OF).issues if i.code.startswith("prepared-area")]


def test_date_bounds_from_settings_name_both_bounds(tmp_path: Path) -> None:
    facial = service_name("en", "hydrating_facial")
    visits = [
        {"visit_id": "V1", "client_id": "C1", "visit_date": D("1989-12-31"), "service": facial},
        {"visit_id": "V2", "client_id": "C1", "visit_date": D("1997-03-02"), "service": facial},
    ]
    data = salon(clients=[client("C1")], visits=visits)
    result = check(tmp_path, data)
    ranged = [i for i in result.issues if i.code == "out-of-range"]
    assert [i.row for i in ranged] == [2]
    assert ranged[0].message_en.endswith("1990-01-01 to 2026-11-18.")
    data.settings["earliest_date"] = dt.date(1998, 1, 1)
    moved = check(tmp_path, data)
    assert [i.row for i in moved.issues if i.code == "out-of-range"] == [2, 3]


def test_issues_frame(tmp_path: Path) -> None:
    result = sk.validate(FIXTURES / "demo-it.xlsx", as_of=dt.date(2026, 11, 30))
    frame = result.issues_frame()
    assert list(frame.columns[:9]) == [
        "code",
        "severity",
        "sheet",
        "row",
        "column",
        "cell",
        "value",
        "message",
        "message_en",
    ]
    assert frame["code"].tolist() == ["upgrade-available"]
    assert str(frame["row"].dtype) == "Int64"
