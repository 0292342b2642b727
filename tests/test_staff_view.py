"""The Clients staff-view quantities computed in Python, on hand-computed fixtures."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from sheetkit.analytics import due_next_week
from sheetkit.analytics.intervals import client_intervals, days_to_birthday, staff_view
from sheetkit.template import load_template
from sheetkit.template.defaults import default_lists, default_settings

AS_OF = dt.date(2026, 11, 22)
D = pd.Timestamp


def small_salon() -> tuple[pd.DataFrame, pd.DataFrame, dict[str, pd.DataFrame], dict[str, object]]:
    """Six clients whose staff-view figures are worked out by hand below."""
    t = load_template()
    lab = t.labels("en")
    clients = pd.DataFrame(
        {
            "client_id": ["C1", "C2", "C3", "C4", "C5", "C6", "C7", "C8"],
            "client_status": [
                "active",
                "active",
                "active",
                "relationship_ended",
                "active",
                "paused",
                "active",
                "active",
            ],
            "birth_date": [dt.date(1992, 2, 29), "11-25", None, dt.date(1980, 11, 22), "13-40", "02-29", None, None],
        }
    )
    # C7 and C8: four visit days 31 days apart end to end, so the typical interval is 31 / 3 days and
    # next due falls at 08:00 on a calendar day: C7 on as_of + 7 (11-29), C8 on as_of itself (11-22).
    fractional = {
        "C7": ["2026-10-19", "2026-10-29", "2026-11-08", "2026-11-19"],
        "C8": ["2026-10-12", "2026-10-22", "2026-11-01", "2026-11-12"],
    }
    visits = pd.DataFrame(
        {
            "client_id": ["C1", "C1", "C1", "C1", "C1", "C2", "C2", "C3", "C4", "C1", "C2"],
            "visit_date": [
                D("2026-08-01"),
                D("2026-09-01"),
                D("2026-09-01"),  # second treatment the same day: one visit day
                D("2026-10-01"),
                D("2026-11-01"),
                D("2026-06-01"),
                D("2026-10-30"),
                D("2026-11-20"),
                D("2025-01-10"),
                D("2026-11-30"),  # in the future: not a visit day yet
                None,  # no date: ignored
            ],
            "service": [
                "Relaxing massage",
                "Chemical peel",
                "Hydrating facial",
                "Chemical peel",
                "Chemical peel",
                "Chemical peel",
                "Hydrating facial",
                "Lash lift",
                "Waxing",
                "Waxing",
                "Waxing",
            ],
        }
    )
    extra = pd.DataFrame(
        [(cid, D(day), "Waxing") for cid, days in fractional.items() for day in days],
        columns=["client_id", "visit_date", "service"],
    )
    visits = pd.concat([visits, extra], ignore_index=True)
    return clients, visits, default_lists(t, lab), default_settings(t, lab)


def test_intervals_by_hand() -> None:
    _, visits, _, _ = small_salon()
    stats = client_intervals(visits, as_of=AS_OF)
    c1 = stats.loc["C1"]
    # Visit days 08-01, 09-01, 10-01, 11-01: intervals 31, 30, 31.
    assert c1["visit_days"] == 4
    assert c1["first_visit"] == D("2026-08-01")
    assert c1["last_visit"] == D("2026-11-01")
    assert c1["days_since_last_visit"] == 21
    assert c1["mean_interval_days"] == pytest.approx(92 / 3)
    assert c1["median_interval_days"] == 31
    assert stats.loc["C2", "mean_interval_days"] == 151  # 06-01 -> 10-30
    assert pd.isna(stats.loc["C3", "mean_interval_days"])  # one visit day
    assert "C5" not in stats.index  # never visited


def test_staff_view_by_hand() -> None:
    clients, visits, lists, settings = small_salon()
    view = staff_view(clients, visits, lists, settings, as_of=AS_OF).set_index(clients["client_id"])
    # C1: 3 intervals -> typical = mean of the last 3 = 92/3; next due 11-01 + 30.67 days.
    assert view.loc["C1", "typical_interval_days"] == pytest.approx(92 / 3)
    assert abs(view.loc["C1", "next_due"] - D("2026-12-01 16:00")) < pd.Timedelta(seconds=1)
    assert pd.isna(view.loc["C1", "follow_up"])  # due 12-01 16:00: more than 7 days ahead
    # C2: 1 interval -> recommended interval of the last service's category (facial, 28 days): due 11-27.
    assert view.loc["C2", "next_due"] == D("2026-11-27")
    assert view.loc["C2", "follow_up"] == "due_soon"
    # C3: lash lift (lashes & brows, 42 days) on 11-20: due 2027-01-01, nothing to do yet.
    assert view.loc["C3", "next_due"] == D("2027-01-01")
    assert pd.isna(view.loc["C3", "follow_up"])
    # C4: relationship ended, 681 days since: never lapsed.
    assert view.loc["C4", "days_since_last_visit"] == (AS_OF - dt.date(2025, 1, 10)).days
    assert pd.isna(view.loc["C4", "follow_up"])
    # C5: active, never visited.
    assert view.loc["C5", "visit_count"] == 0
    assert view.loc["C5", "follow_up"] == "never_visited"
    assert pd.isna(view.loc["C5", "days_to_birthday"])  # "13-40" is no birthday
    # Birthdays: 29 Feb falls on 28 Feb 2027; "11-25" is in 3 days; born on 22 Nov: today.
    assert view.loc["C1", "days_to_birthday"] == (dt.date(2027, 2, 28) - AS_OF).days
    assert view.loc["C2", "days_to_birthday"] == 3
    assert view.loc["C4", "days_to_birthday"] == 0


def test_lapsed_and_overdue_thresholds() -> None:
    clients, visits, lists, settings = small_salon()
    # As of 2027-02-20, C3 (lash lift, typical 42 days) is 92 days away: > max(90, 84) -> lapsed.
    later = dt.date(2027, 2, 20)
    view = staff_view(clients, visits, lists, settings, as_of=later).set_index(clients["client_id"])
    assert view.loc["C3", "follow_up"] == "lapsed"
    # With the floor at 120 days (Zenoti), the same client is only overdue.
    view = staff_view(clients, visits, lists, {**settings, "lapse_floor_days": 120}, as_of=later)
    assert view.set_index(clients["client_id"]).loc["C3", "follow_up"] == "overdue"


def test_days_to_birthday_leap_years() -> None:
    born = pd.Series([dt.date(2000, 2, 29), "02-29", "03-01"])
    assert days_to_birthday(born, as_of=dt.date(2028, 2, 28)).tolist() == [1.0, 1.0, 2.0]  # 2028 is a leap year
    assert days_to_birthday(born, as_of=dt.date(2027, 2, 28)).tolist() == [0.0, 0.0, 1.0]


def test_next_due_counts_on_its_calendar_day() -> None:
    clients, visits, lists, settings = small_salon()
    view = staff_view(clients, visits, lists, settings, as_of=AS_OF).set_index(clients["client_id"])
    assert abs(view.loc["C7", "next_due"] - D("2026-11-29 08:00")) < pd.Timedelta(seconds=1)
    assert abs(view.loc["C8", "next_due"] - D("2026-11-22 08:00")) < pd.Timedelta(seconds=1)
    # Due on as_of + 7 (the last due-soon day) at 08:00 is still due soon; due today is due soon, not overdue.
    assert view.loc["C7", "follow_up"] == "due_soon"
    assert view.loc["C8", "follow_up"] == "due_soon"
    # A day later C8 is overdue: its due day has passed.
    later = staff_view(clients, visits, lists, settings, as_of=AS_OF + dt.timedelta(days=1))
    assert later.set_index(clients["client_id"]).loc["C8", "follow_up"] == "overdue"


def test_due_next_week_by_calendar_day() -> None:
    clients, visits, lists, settings = small_salon()
    due = due_next_week(clients, visits, lists, settings, as_of=AS_OF)
    # C8 is due on the report day itself (08:00): not next week. C7 is due on the 7th day after it.
    assert "C8" not in due["client_id"].tolist()
    row = due.set_index("client_id").loc["C7"]
    assert row["next_due"] == D("2026-11-29")
    assert row["days_until_due"] == 7
    # From the day before, C8 is due the next day.
    before = due_next_week(clients, visits, lists, settings, as_of=AS_OF - dt.timedelta(days=1))
    assert before.set_index("client_id").loc["C8", "days_until_due"] == 1
