"""Call lists, birthdays, rebooking, no-show / cancellation, complaints and spend on hand-computed fixtures."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import pandas as pd
import pytest

from sheetkit.analytics import (
    average_visit_value,
    birthdays_ahead,
    call_list,
    cancellation_rate,
    due_next_week,
    never_visited,
    no_show_rate,
    open_complaints,
    rebooking_rate,
    spend,
)

D = pd.Timestamp
AS_OF = dt.date(2026, 11, 22)
SETTINGS: dict[str, Any] = {"lapse_floor_days": 90, "lapse_factor": 2.0, "due_soon_days": 7, "birthday_lead_days": 7}
HEALTH = {"allergies", "medications", "contraindications", "patch_test_date", "patch_test_result"}


def lists() -> dict[str, pd.DataFrame]:
    return {
        "services": pd.DataFrame(
            {"name": ["Facial", "Massage", "Peel"], "category": ["face", "body", "peel"], "price": [60, 80, 90]}
        ),
        "categories": pd.DataFrame({"name": ["face", "body", "peel"], "recommended_interval_days": [30, 60, 28]}),
    }


def salon() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Clients and visits; every figure below is worked out by hand for as_of 2026-11-22.

    All typical intervals are recommended intervals (nobody has 3 intervals):
    C1  one visit 2026-06-01 Facial (30): since 174 > max(90, 60) -> lapsed; due 07-01; overdue 144
    C2  2026-09-01 Facial + Massage (one visit day; last row Massage, 60): since 82 <= max(90, 120);
        due 10-31 < as_of -> at risk, overdue 22
    C3  relationship ended, 2026-01-10: would be lapsed -> never listed
    C4  paused, 2026-09-01 Massage: would be at risk -> never listed
    C5  active, no visit -> never visited only
    C6  2026-10-27 Facial: due 11-26 -> due next week (4 days)
    C7  2026-10-23 Facial: due 11-22 = as_of -> not in (as_of, as_of + 7]
    C8  2026-10-30 Facial: due 11-29 = as_of + 7 -> due next week (7 days)
    C10 relationship ended, no visit -> not never-visited
    C11 2026-08-01 Peel (28): since 113 > max(90, 56) -> lapsed; due 08-29; overdue 85
    """
    ids = ["C1", "C2", "C3", "C4", "C5", "C6", "C7", "C8", "C10", "C11"]
    status = ["active"] * 10
    status[2] = status[8] = "relationship_ended"
    status[3] = "paused"
    clients = pd.DataFrame(
        {
            "client_id": ids,
            "full_name": [f"Name {i}" for i in ids],
            "phone": [f"+100{n}" for n in range(10)],
            "preferred_channel": ["sms"] * 10,
            "assigned_therapist": ["Anna"] * 5 + ["Bea"] * 5,
            "client_status": status,
            "allergies": ["None", "latex", None, None, "nuts", None, None, None, None, ""],
            "medications": ["aspirin"] * 10,
            "contraindications": [None] * 9 + ["pregnant"],
        }
    )
    visits = pd.DataFrame(
        {
            "client_id": ["C1", "C2", "C2", "C3", "C4", "C6", "C7", "C8", "C11"],
            "visit_date": [
                D("2026-06-01"),
                D("2026-09-01"),
                D("2026-09-01"),
                D("2026-01-10"),
                D("2026-09-01"),
                D("2026-10-27"),
                D("2026-10-23"),
                D("2026-10-30"),
                D("2026-08-01"),
            ],
            "service": ["Facial", "Facial", "Massage", "Facial", "Massage", "Facial", "Facial", "Facial", "Peel"],
            "amount_paid": [60.0] * 9,
        }
    )
    return clients, visits


def test_lapsed_call_list() -> None:
    clients, visits = salon()
    out = call_list(clients, visits, lists(), SETTINGS, as_of=AS_OF, which="lapsed")
    assert out["client_id"].tolist() == ["C1", "C11"]  # most overdue first; C3 (ended) left out
    assert out.columns.tolist() == [
        "client_id",
        "full_name",
        "phone",
        "preferred_channel",
        "marketing_opt_in",
        "assigned_therapist",
        "last_service",
        "last_visit",
        "days_since_last_visit",
        "typical_interval_days",
        "next_due",
        "days_overdue",
        "safety_flag",
    ]
    assert not HEALTH & set(out.columns)
    assert out["last_service"].tolist() == ["Facial", "Peel"]
    assert out["last_visit"].tolist() == [D("2026-06-01"), D("2026-08-01")]
    assert out["days_since_last_visit"].tolist() == [174, 113]
    assert out["typical_interval_days"].tolist() == [30.0, 28.0]
    assert out["next_due"].tolist() == [D("2026-07-01"), D("2026-08-29")]
    assert out["days_overdue"].tolist() == [144.0, 85.0]
    # C1 "None" is an explicit none; C11 has a contraindication.
    assert out["safety_flag"].tolist() == [False, True]


def test_at_risk_call_list() -> None:
    clients, visits = salon()
    out = call_list(clients, visits, lists(), SETTINGS, as_of=AS_OF, which="at_risk")
    assert out["client_id"].tolist() == ["C2"]  # C4 (paused) left out
    row = out.iloc[0]
    assert row["last_service"] == "Massage"  # last row of the last visit day
    assert row["days_since_last_visit"] == 82
    assert row["typical_interval_days"] == 60.0
    assert row["next_due"] == D("2026-10-31")
    assert row["days_overdue"] == 22.0
    assert bool(row["safety_flag"]) is True  # latex


def test_call_list_floor_from_settings() -> None:
    clients, visits = salon()
    # Floor 180: C1 (174 days, threshold 180) and C11 (113, threshold 180) are no longer lapsed but at risk.
    settings = {**SETTINGS, "lapse_floor_days": 180}
    assert call_list(clients, visits, lists(), settings, as_of=AS_OF)["client_id"].tolist() == []
    at_risk = call_list(clients, visits, lists(), settings, as_of=AS_OF, which="at_risk")
    assert at_risk["client_id"].tolist() == ["C1", "C11", "C2"]


def test_call_list_rejects_unknown_kind() -> None:
    clients, visits = salon()
    with pytest.raises(ValueError, match="at_risk"):
        call_list(clients, visits, lists(), SETTINGS, as_of=AS_OF, which="gone")  # type: ignore[arg-type]


def test_never_visited() -> None:
    clients, visits = salon()
    out = never_visited(clients, visits, as_of=AS_OF)
    assert out["client_id"].tolist() == ["C5"]  # C10 relationship ended
    assert out["safety_flag"].tolist() == [True]  # nuts
    assert not HEALTH & set(out.columns)
    # Before C1's only visit, C1 has not visited yet either.
    early = never_visited(clients, visits, as_of=dt.date(2026, 5, 31))
    assert early["client_id"].tolist() == ["C1", "C2", "C5", "C6", "C7", "C8", "C11"]


def test_due_next_week() -> None:
    clients, visits = salon()
    out = due_next_week(clients, visits, lists(), SETTINGS, as_of=AS_OF)
    assert out["client_id"].tolist() == ["C6", "C8"]  # C7 due on as_of itself is not "after"
    assert out["next_due"].tolist() == [D("2026-11-26"), D("2026-11-29")]
    assert out["days_until_due"].tolist() == [4, 7]
    assert not HEALTH & set(out.columns)


def people(births: list[object], status: list[str]) -> pd.DataFrame:
    ids = [f"B{n + 1}" for n in range(len(births))]
    return pd.DataFrame(
        {"client_id": ids, "full_name": ids, "client_status": status, "birth_date": births, "allergies": "x"}
    )


BIRTHS: list[object] = [
    dt.date(1992, 2, 29),  # B1: 2027-02-28 (no 29 Feb in 2027), 3 days
    "02-29",  # B2: month-day only, same
    "03-04",  # B3: 2027-03-04, 3 + 4 = 7 days (edge of the lead)
    "03-05",  # B4: 8 days, out
    "02-26",  # B5: paused, out
    dt.date(1980, 2, 25),  # B6: today, 0 days
    "13-40",  # B7: not a date, out
    None,  # B8: unknown, out
]
STATUS = ["active"] * 4 + ["paused"] + ["active"] * 3


def test_birthdays_ahead_leap_day() -> None:
    out = birthdays_ahead(people(BIRTHS, STATUS), as_of=dt.date(2027, 2, 25), settings=SETTINGS)
    assert out["client_id"].tolist() == ["B6", "B1", "B2", "B3"]
    assert out["birthday"].tolist() == [
        dt.date(2027, 2, 25),
        dt.date(2027, 2, 28),
        dt.date(2027, 2, 28),
        dt.date(2027, 3, 4),
    ]
    assert out["days_until"].tolist() == [0, 3, 3, 7]
    assert "allergies" not in out
    assert "birth_date" not in out


def test_birthdays_ahead_lead_and_leap_year() -> None:
    frame = people(BIRTHS, STATUS)
    assert birthdays_ahead(frame, as_of=dt.date(2027, 2, 25), lead_days=2)["client_id"].tolist() == ["B6"]
    short = birthdays_ahead(frame, as_of=dt.date(2027, 2, 25), settings={"birthday_lead_days": 3})
    assert short["client_id"].tolist() == ["B6", "B1", "B2"]
    # No settings at all: the default 7 days.
    assert len(birthdays_ahead(frame, as_of=dt.date(2027, 2, 25))) == 4
    # 2028 is a leap year: 29 February itself, 4 days after 25 February.
    leap = birthdays_ahead(frame, as_of=dt.date(2028, 2, 25), lead_days=4)
    assert leap["client_id"].tolist() == ["B6", "B1", "B2"]
    assert leap["birthday"].tolist()[1:] == [dt.date(2028, 2, 29)] * 2
    assert leap["days_until"].tolist() == [0, 4, 4]


def booking() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Visits and appointments for the period 2026-11-02 .. 2026-11-08.

    Visit days in the period (7):
      R1 11-02 North Anna (two rows: one visit day)  a1 booked 11-02 for 12-01      -> rebooked
      R2 11-03 North Bea   a2 booked 10-20 (before the visit) for 12-03             -> rebooked
      R3 11-04 South Anna  a4 booked 11-05 23:30 for 12-10: d + 1                   -> 24h only
      R4 11-05 South Bea   a5 booked 11-05 for 12-12, later cancelled               -> count_cancelled only
      R5 11-06 North Anna  a6 booked 11-01 for 11-07, later cancelled               -> count_cancelled only
      R7 11-07 South Anna  a9 booked 11-09 08:00: d + 2                             -> never
      R1 11-08 North Anna  a1 (booked 11-02) is still ahead                         -> rebooked
    R6 visits 11-01 and 11-09 fall outside the period. R8 only has no-show appointments: no visit rows.
    """
    visits = pd.DataFrame(
        {
            "client_id": ["R1", "R1", "R2", "R3", "R4", "R5", "R7", "R1", "R6", "R6"],
            "visit_date": [
                D("2026-11-02"),
                D("2026-11-02"),
                D("2026-11-03"),
                D("2026-11-04"),
                D("2026-11-05"),
                D("2026-11-06"),
                D("2026-11-07"),
                D("2026-11-08"),
                D("2026-11-01"),
                D("2026-11-09"),
            ],
            "branch": ["North", "North", "North", "South", "South", "North", "South", "North", "North", "North"],
            "therapist": ["Anna", "Anna", "Bea", "Anna", "Bea", "Anna", "Anna", "Anna", "Bea", "Bea"],
        }
    )
    rows = [
        # id, client, scheduled_at, status, booked_at, therapist, branch
        ("a1", "R1", "2026-12-01 10:00", "booked", "2026-11-02 15:00", "Anna", "North"),
        ("a2", "R2", "2026-12-03 10:00", "booked", "2026-10-20 09:00", "Bea", "North"),
        ("a3", "R2", "2026-11-03 11:00", "completed", "2026-10-01 09:00", "Bea", "North"),
        ("a4", "R3", "2026-12-10 10:00", "booked", "2026-11-05 23:30", "Anna", "South"),
        ("a5", "R4", "2026-12-12 10:00", "cancelled", "2026-11-05 12:00", "Bea", "South"),
        ("a6", "R5", "2026-11-07 14:00", "cancelled", "2026-11-01 09:00", "Anna", "North"),
        ("a7", "R8", "2026-11-04 09:00", "no_show", "2026-10-25 09:00", "Anna", "North"),
        ("a8", "R8", "2026-11-06 09:00", "no_show", "2026-11-04 09:00", "Anna", "South"),
        ("a9", "R7", "2026-12-20 10:00", "booked", "2026-11-09 08:00", "Anna", "South"),
        ("a10", "R1", "2026-11-08 18:00", "completed", "2026-11-02 15:05", "Anna", "North"),
        ("a11", "R9", "2026-11-09 10:00", "no_show", "2026-11-01 09:00", "Bea", "North"),
        ("a12", "R4", "2026-11-05 10:00", "completed", "2026-10-10 09:00", "Bea", "South"),
        ("a13", "R6", "2026-11-20 10:00", "booked", "2026-11-01 09:00", "Bea", "North"),
    ]
    appointments = pd.DataFrame(
        rows, columns=["appointment_id", "client_id", "scheduled_at", "status", "booked_at", "therapist", "branch"]
    )
    for column in ("scheduled_at", "booked_at"):
        appointments[column] = pd.to_datetime(appointments[column])
    return visits, appointments


START, END = dt.date(2026, 11, 2), dt.date(2026, 11, 8)


@pytest.mark.parametrize(
    ("window", "count_cancelled", "rebooked"),
    [
        ("same_day", False, 3),  # R1 x2, R2
        ("24h", False, 4),  # + R3
        ("same_day", True, 5),  # + R4 and R5 (cancelled bookings)
        ("24h", True, 6),  # + R3, R4 and R5
    ],
)
def test_rebooking_rate_knobs(window: Any, count_cancelled: bool, rebooked: int) -> None:
    visits, appointments = booking()
    out = rebooking_rate(visits, appointments, start=START, end=END, window=window, count_cancelled=count_cancelled)
    assert out.loc["all", "visit_days"] == 7
    assert out.loc["all", "rebooked"] == rebooked
    assert out.loc["all", "rate"] == pytest.approx(rebooked / 7)


def test_rebooking_rate_default_is_same_day_without_cancelled() -> None:
    visits, appointments = booking()
    out = rebooking_rate(visits, appointments, start=START, end=END)
    assert out.iloc[0].tolist() == pytest.approx([7, 3, 3 / 7])


def test_rebooking_rate_by_branch_and_therapist() -> None:
    visits, appointments = booking()
    branch = rebooking_rate(visits, appointments, start=START, end=END, by="branch")
    # Same day, no cancelled. North: R1 11-02, R2, R5, R1 11-08 -> 3 of 4; South: R3, R4, R7 -> 0 of 3.
    assert branch.index.tolist() == ["North", "South"]
    assert branch["visit_days"].tolist() == [4, 3]
    assert branch["rebooked"].tolist() == [3, 0]
    assert branch["rate"].tolist() == [0.75, 0.0]
    therapist = rebooking_rate(visits, appointments, start=START, end=END, window="24h", by="therapist")
    # 24h, no cancelled. Anna: R1 x2, R3, R5, R7 -> R1 x2 + R3 = 3 of 5; Bea: R2, R4 -> 1 of 2.
    assert therapist["visit_days"].tolist() == [5, 2]
    assert therapist["rebooked"].tolist() == [3, 1]


def test_rebooking_rate_empty_period() -> None:
    visits, appointments = booking()
    out = rebooking_rate(visits, appointments, start=dt.date(2027, 1, 1), end=dt.date(2027, 1, 7))
    assert out.loc["all", "visit_days"] == 0
    assert out.index.tolist() == ["all"]
    assert bool(out["rate"].isna().all())


def test_no_show_and_cancellation_rates() -> None:
    _, appointments = booking()
    # Scheduled 11-02..11-08: a3, a10, a12 completed; a6 cancelled; a7, a8 no-show (a11 is 11-09).
    no_show = no_show_rate(appointments, start=START, end=END)
    assert no_show.iloc[0].tolist() == pytest.approx([5, 2, 0.4])
    cancelled = cancellation_rate(appointments, start=START, end=END)
    assert cancelled.iloc[0].tolist() == pytest.approx([6, 1, 1 / 6])


def test_rates_by_therapist_client_and_branch() -> None:
    _, appointments = booking()
    # Anna: a6 cancelled, a7 + a8 no-show, a10 completed; Bea: a3, a12 completed.
    ns = no_show_rate(appointments, start=START, end=END, by="therapist")
    assert ns["appointments"].to_dict() == {"Anna": 3, "Bea": 2}
    assert ns["rate"].to_dict() == pytest.approx({"Anna": 2 / 3, "Bea": 0.0})
    cr = cancellation_rate(appointments, start=START, end=END, by="therapist")
    assert cr["rate"].to_dict() == pytest.approx({"Anna": 0.25, "Bea": 0.0})
    # Per client: R8 missed both; R5 only cancelled, so has no no-show base.
    ns_client = no_show_rate(appointments, start=START, end=END, by="client_id")
    assert ns_client["rate"].to_dict() == pytest.approx({"R1": 0.0, "R2": 0.0, "R4": 0.0, "R8": 1.0})
    cr_client = cancellation_rate(appointments, start=START, end=END, by="client_id")
    assert cr_client["cancelled"].to_dict() == {"R1": 0, "R2": 0, "R4": 0, "R5": 1, "R8": 0}
    # North: a3, a6, a7, a10; South: a8, a12.
    ns_branch = no_show_rate(appointments, start=START, end=END, by="branch")
    assert ns_branch["rate"].to_dict() == pytest.approx({"North": 1 / 3, "South": 0.5})
    cr_branch = cancellation_rate(appointments, start=START, end=END, by="branch")
    assert cr_branch["rate"].to_dict() == pytest.approx({"North": 0.25, "South": 0.0})


def test_open_complaints() -> None:
    feedback = pd.DataFrame(
        {
            "feedback_id": ["f1", "f2", "f3", "f4", "f5", "f6", "f7"],
            "date": pd.to_datetime(
                ["2026-11-01", "2026-10-15", "2026-11-20", "2026-11-10", "2026-11-21", "2026-11-25", "2026-11-22"]
            ),
            "client_id": ["C1", "C2", "C3", "C4", "C5", "C6", "C7"],
            "kind": ["complaint", "complaint", "complaint", "praise", "suggestion", "complaint", "complaint"],
            "resolved": pd.array([False, None, True, False, False, False, False], dtype="boolean"),
            "owner": ["Anna"] * 7,
            "text": ["t"] * 7,
        }
    )
    out = open_complaints(feedback, as_of=AS_OF)
    # f3 resolved, f4/f5 not complaints, f6 after as_of. Ages: f2 10-15 -> 38, f1 11-01 -> 21, f7 -> 0.
    assert out["feedback_id"].tolist() == ["f2", "f1", "f7"]
    assert out["age_days"].tolist() == [38, 21, 0]


def spending() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "client_id": ["S1", "S1", "S1", "S1", "S1", "S2", "S2", "S3"],
            "visit_date": [
                D("2026-11-02"),
                D("2026-11-02"),  # second treatment the same day: a second visit
                D("2025-12-01"),  # within the last 365 days (from 2025-11-23)
                D("2025-11-22"),  # 365 days before as_of: outside
                D("2026-11-25"),  # after as_of: not yet
                D("2026-06-15"),
                D("2026-11-10"),  # blank amount: 0 paid
                D("2024-01-01"),
            ],
            "amount_paid": [60.0, 40.0, 100.0, 500.0, 70.0, 80.0, None, 30.0],
            "branch": ["North", "South", "North", "North", "North", "South", "South", "North"],
        }
    )


def test_spend_windows() -> None:
    out = spend(spending(), start=dt.date(2026, 11, 1), end=dt.date(2026, 11, 30), as_of=AS_OF)
    # S1: period 60 + 40 (11-25 is after as_of); last 365: 60 + 40 + 100. S2: period 0 (blank); 365: 80 + 0.
    assert out.index.tolist() == ["S1", "S2"]  # S3 spent nothing in either window
    assert out["period_visits"].tolist() == [2, 1]
    assert out["period_total"].tolist() == [100.0, 0.0]
    assert out["period_mean"].tolist() == [50.0, 0.0]
    assert out["last_365_visits"].tolist() == [3, 2]
    assert out["last_365_total"].tolist() == [200.0, 80.0]
    assert out["last_365_mean"].tolist() == pytest.approx([200 / 3, 40.0])


def test_spend_by_branch() -> None:
    out = spend(spending(), start=dt.date(2026, 11, 1), end=dt.date(2026, 11, 30), as_of=AS_OF, by="branch")
    assert out.index.tolist() == [("North", "S1"), ("South", "S1"), ("South", "S2")]
    assert out["period_total"].tolist() == [60.0, 40.0, 0.0]
    assert out["last_365_total"].tolist() == [160.0, 40.0, 80.0]
    assert out["last_365_mean"].tolist() == [80.0, 40.0, 40.0]


def test_average_visit_value() -> None:
    visits = spending()
    # 11-01..11-22: 60 + 40 + 0 over 3 visits; 11-01..11-30 adds 70: 170 / 4.
    assert average_visit_value(visits, start=dt.date(2026, 11, 1), end=dt.date(2026, 11, 22)) == pytest.approx(100 / 3)
    assert average_visit_value(visits, start=dt.date(2026, 11, 1), end=dt.date(2026, 11, 30)) == 42.5
    assert math.isnan(average_visit_value(visits, start=dt.date(2023, 1, 1), end=dt.date(2023, 12, 31)))
