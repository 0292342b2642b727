"""Report periods mean what they say: the last complete week by default, like-for-like comparisons, KPIs that know
their good direction and say "no data" instead of 0 %, on a salon whose counts are written out by hand."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pandas as pd
import pytest

from sheetkit.errors import UsageError
from sheetkit.frames import WorkbookData, empty_frames
from sheetkit.issues import ValidationResult
from sheetkit.report import Period, WeeklyReport, build_report, parse_week, report_period
from sheetkit.template import load_template
from sheetkit.template.defaults import default_lists, default_settings

D = pd.Timestamp
# Wednesday of 2026-W47: the period is Monday 16 to Wednesday 18 November.
WEDNESDAY = dt.date(2026, 11, 18)


def frames(
    clients: list[dict[str, Any]], visits: list[dict[str, Any]], appointments: list[dict[str, Any]]
) -> WorkbookData:
    """Canonical frames holding exactly these rows (every other column empty), default lists and settings."""
    template = load_template()
    labels = template.labels("en")
    empty = empty_frames(template)

    def fill(key: str, rows: list[dict[str, Any]]) -> pd.DataFrame:
        frame = pd.DataFrame(rows, columns=list(empty[key].columns)) if rows else empty[key]
        frame.index = pd.RangeIndex(2, 2 + len(frame))  # frames are indexed by sheet row
        return frame

    return WorkbookData(
        clients=fill("clients", clients),
        visits=fill("visits", visits),
        appointments=fill("appointments", appointments),
        feedback=empty["feedback"],
        lists=default_lists(template, labels),
        settings=default_settings(template, labels),
    )


def _visit(n: int, day: str, client: str) -> dict[str, Any]:
    return {"visit_id": f"V{n}", "client_id": client, "visit_date": D(day), "amount_paid": 100.0, "therapist": "Ann"}


def _appointment(n: int, day: str, status: str, booked: str | None = "2025-01-01") -> dict[str, Any]:
    return {
        "appointment_id": f"A{n}",
        "client_id": "C1",
        "scheduled_at": D(f"{day} 10:00"),
        "status": status,
        "booked_at": None if booked is None else D(booked),
    }


#: Visits per day, written out by hand. Monday to Wednesday of each compared week, and the days after it.
VISIT_DAYS = {
    # this week, 2026-W47: Mon 2, Tue 1, Wed 2 -> 5; Thursday 19 is after the period: not counted.
    "2026-11-16": 2,
    "2026-11-17": 1,
    "2026-11-18": 2,
    "2026-11-19": 3,
    # last week, 2026-W46: Mon 1, Wed 1 -> 2 for Monday to Wednesday; Thursday to Sunday 4 more (the whole week: 6).
    "2026-11-09": 1,
    "2026-11-11": 1,
    "2026-11-12": 2,
    "2026-11-15": 2,
    # same ISO week last year, 2025-W47 (Mon 17 Nov 2025): Mon 1, Wed 2 -> 3; Thursday 2 more.
    "2025-11-17": 1,
    "2025-11-19": 2,
    "2025-11-20": 2,
}

#: Appointments: this week 2 no-shows of 4 (50 %); last week Monday to Wednesday 1 of 4 (25 %), but with
#: Thursday's 2 of 2 the whole week would be 3 of 6 (50 %): only like-for-like shows the rise.
APPOINTMENTS = [
    *[("2026-11-16", s) for s in ("no_show", "completed")],
    *[("2026-11-18", s) for s in ("no_show", "completed")],
    *[("2026-11-10", s) for s in ("no_show", "completed", "completed", "completed")],
    *[("2026-11-12", s) for s in ("no_show", "no_show")],
]


def hand_made_salon() -> WorkbookData:
    clients = [{"client_id": f"C{i}", "full_name": f"Client {i}", "client_status": "active"} for i in range(1, 6)]
    visits = []
    for day, count in VISIT_DAYS.items():
        visits += [_visit(len(visits) + 1, day, f"C{k + 1}") for k in range(count)]
    appointments = [_appointment(n, day, status) for n, (day, status) in enumerate(APPOINTMENTS, start=1)]
    return frames(clients, visits, appointments)


@pytest.fixture(scope="module")
def report() -> WeeklyReport:
    return build_report(
        ValidationResult(frames=hand_made_salon()), period=report_period(today=WEDNESDAY, as_of=WEDNESDAY)
    )


def kpi(report: WeeklyReport, key: str) -> Any:
    return next(k for k in report.kpis if k.key == key)


# ----------------------------------------------------------------------------- choosing the period


def test_default_period_is_the_last_complete_week() -> None:
    monday, sunday = dt.date(2026, 12, 7), dt.date(2026, 12, 13)
    # Run on a Monday: the week that ended the day before, not one day of the new week.
    assert report_period(today=monday) == Period(dt.date(2026, 11, 30), dt.date(2026, 12, 6), "last_complete_week")
    # Run on a Sunday: that week is not complete until the day is over, so still the week before.
    assert report_period(today=sunday) == Period(dt.date(2026, 11, 30), dt.date(2026, 12, 6), "last_complete_week")
    assert report_period(today=sunday + dt.timedelta(days=1)).start == monday
    assert report_period(today=monday).label == "2026-W49"
    assert report_period(today=monday).whole_week


def test_as_of_is_the_iso_week_cut_at_that_day() -> None:
    period = report_period(today=dt.date(2026, 12, 7), as_of=WEDNESDAY)
    assert (period.start, period.end, period.kind, period.days) == (dt.date(2026, 11, 16), WEDNESDAY, "week_to_date", 3)
    sunday = report_period(today=dt.date(2026, 12, 7), as_of=dt.date(2026, 11, 22))
    assert sunday.kind == "week"
    assert sunday.whole_week


def test_a_named_week() -> None:
    today = dt.date(2026, 12, 9)  # Wednesday of 2026-W50
    assert report_period(today=today, week="2026-W49") == Period(dt.date(2026, 11, 30), dt.date(2026, 12, 6), "week")
    # Week 53 of 2026 runs into 2027; the current week is cut at today.
    assert parse_week("2026-w53") == dt.date(2026, 12, 28)
    running = report_period(today=today, week="2026-W50")
    assert (running.start, running.end, running.kind) == (dt.date(2026, 12, 7), today, "week_to_date")


@pytest.mark.parametrize("week", ["2026-W54", "2025-W53", "2026-49", "W49", "2026-W4x", "", "2026-W00"])
def test_a_bad_week_is_a_usage_error(week: str) -> None:
    with pytest.raises(UsageError, match="not an ISO week like 2026-W49"):
        report_period(today=dt.date(2026, 12, 7), week=week)


def test_a_week_not_started_or_two_choices_are_usage_errors() -> None:
    with pytest.raises(UsageError, match="has not started yet"):
        report_period(today=dt.date(2026, 12, 7), week="2026-W51")
    with pytest.raises(UsageError, match="not both"):
        report_period(today=dt.date(2026, 12, 7), week="2026-W49", as_of=WEDNESDAY)
    with pytest.raises(UsageError):
        build_report(ValidationResult(frames=hand_made_salon()))  # neither a period nor as_of


# ----------------------------------------------------------------------------- like-for-like


def test_comparisons_are_the_same_weekdays(report: WeeklyReport) -> None:
    this, last_week, last_year = report.periods
    assert (this.start, this.end) == (dt.date(2026, 11, 16), dt.date(2026, 11, 18))
    assert (last_week.start, last_week.end) == (dt.date(2026, 11, 9), dt.date(2026, 11, 11))
    assert (last_year.start, last_year.end) == (dt.date(2025, 11, 17), dt.date(2025, 11, 19))
    assert [p.label for p in report.periods] == ["2026-W47", "2026-W46", "2025-W47"]


def test_kpis_count_the_same_weekdays_and_nothing_after_the_period(report: WeeklyReport) -> None:
    visits = kpi(report, "visits")
    # Monday to Wednesday, counted by hand above; Thursday's 3 visits this week are not counted.
    assert (visits.this, visits.last_week, visits.last_year) == (5, 2, 3)
    assert visits.change == pytest.approx(1.5)  # 5 against 2, not against the whole of last week (6)
    assert kpi(report, "revenue").this == 500
    shows = kpi(report, "no_show_rate")
    assert (shows.this, shows.last_week) == (0.5, 0.25)  # the whole of last week would also be 50 %


def test_the_trend_and_the_report_date_stop_at_the_period(report: WeeklyReport) -> None:
    assert report.as_of == WEDNESDAY
    assert report.trend[-1].visits == 5
    assert report.trend[-2].visits == 6  # the trend shows whole past weeks


def test_direction_flags(report: WeeklyReport) -> None:
    # Visits rose: better. The no-show rate rose (25 % -> 50 %): worse, whatever the sign.
    assert kpi(report, "visits").better is True
    assert kpi(report, "no_show_rate").better is False
    assert kpi(report, "no_show_rate").change == pytest.approx(0.25)
    # The cancellation rate stayed at 0: no change, no judgement.
    assert kpi(report, "cancellation_rate").change == 0
    assert kpi(report, "cancellation_rate").better is None
    # A falling no-show rate is good: the same rows seen from the other side.
    data = hand_made_salon()
    data.appointments.loc[data.appointments["scheduled_at"] >= D("2026-11-16"), "status"] = "completed"
    falling = build_report(ValidationResult(frames=data), as_of=WEDNESDAY)
    assert kpi(falling, "no_show_rate").better is True
    assert kpi(falling, "no_show_rate").this == 0


def test_an_empty_denominator_is_none_with_a_reason(report: WeeklyReport) -> None:
    # Last year the salon had no appointments that week: no rate, not 0 %.
    shows = kpi(report, "no_show_rate")
    assert shows.last_year is None
    assert shows.reasons == {"last_year": "no_appointments"}
    # This week's return within 90 days cannot be judged yet.
    assert kpi(report, "return_within").reasons["this"] == "not_yet"
    labels = load_template().labels("it").report
    assert labels["reason_no_appointments"] == "nessun appuntamento nel periodo"


def test_rebooking_without_any_appointment_is_no_data_not_zero() -> None:
    data = hand_made_salon()
    data.appointments = data.appointments.iloc[0:0]
    report = build_report(ValidationResult(frames=data), as_of=WEDNESDAY)
    rebooking = kpi(report, "rebooking_rate")
    assert (rebooking.this, rebooking.last_week, rebooking.last_year) == (None, None, None)
    assert set(rebooking.reasons.values()) == {"no_bookings_recorded"}
    assert all(row.rebooking_rate is None for row in report.therapists)
    assert kpi(report, "no_show_rate").reasons["this"] == "no_appointments"
    # Visits are still counted.
    assert kpi(report, "visits").this == 5


def test_periods_before_the_first_record_are_no_data() -> None:
    data = hand_made_salon()
    data.visits = data.visits.loc[data.visits["visit_date"] >= D("2026-01-01")]
    report = build_report(ValidationResult(frames=data), as_of=WEDNESDAY)
    visits = kpi(report, "visits")
    assert visits.last_year is None  # not 0 visits: the salon kept no records then
    assert visits.reasons == {"last_year": "no_records"}


def test_empty_workbook_is_no_data_yet() -> None:
    data = frames([], [], [])
    report = build_report(ValidationResult(frames=data), period=report_period(today=dt.date(2026, 12, 7)))
    assert report.has_data is False
    assert all(k.this is None and k.reasons["this"] == "no_records" for k in report.kpis)
    assert all(k.better is None for k in report.kpis)
    assert report.cohorts.cohorts == []
    assert report.therapists == report.categories == []
    assert all(a.rows.empty for a in report.actions)
    assert [p.visits for p in report.trend] == [0] * 26
    assert load_template().labels("vi").report["no_data_yet"].startswith("Chưa có dữ liệu")


def test_content_as_json() -> None:
    report = build_report(ValidationResult(frames=hand_made_salon()), as_of=WEDNESDAY)
    content = json.loads(json.dumps(report.to_dict()))  # plain JSON types only
    assert content["period"] == {
        "start": "2026-11-16",
        "end": "2026-11-18",
        "label": "2026-W47",
        "kind": "week_to_date",
    }
    assert content["compared_with"]["last_week"]["start"] == "2026-11-09"
    assert content["compared_with"]["last_year"]["end"] == "2025-11-19"
    keys = [k["key"] for k in content["kpis"]]
    assert keys[:3] == ["visits", "visit_days", "clients"]
    assert "no_show_rate" in keys
    assert "lapsed_clients" in keys
    for row in content["kpis"]:
        assert {"key", "this", "last_week", "last_year", "change", "better"} <= set(row)
        assert row["better"] in (True, False, None)
    visits = content["kpis"][0]
    assert (visits["this"], visits["last_week"], visits["last_year"], visits["better"]) == (5, 2, 3, True)
    assert content["issues"] == 0
    assert set(content["actions"]) == {"lapsed", "at_risk", "due_next_week", "birthdays", "open_complaints"}
    assert set(content["do_not_contact"]) == {"lapsed", "at_risk", "due_next_week", "birthdays"}
