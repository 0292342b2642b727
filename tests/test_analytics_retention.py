"""Retention metrics (docs/metrics.md#retention) on tiny fixtures whose figures are worked out by hand."""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import pytest

from sheetkit.analytics.retention import (
    cohort_matrix,
    crr,
    future_booked,
    new_client_conversion,
    return_within,
    returning_share,
    visit_days,
)

D = pd.Timestamp
JAN_START, JAN_END = dt.date(2026, 1, 1), dt.date(2026, 1, 31)


def frame(rows: list[tuple[object, ...]], columns: list[str]) -> pd.DataFrame:
    out = pd.DataFrame(rows, columns=columns)
    out["visit_date"] = pd.to_datetime(out["visit_date"])
    return out


def salon_visits() -> pd.DataFrame:
    """Period January 2026; return window 90 days = (2026-01-31, 2026-05-01].

    C4's relationship has ended since (client_status lives in Clients and plays no
    part): retention is about visits, so C4 still counts in January.
    """
    rows: list[tuple[object, ...]] = [
        ("C1", "2026-01-05", "North", "Anna", "Facial"),
        ("C1", "2026-01-05", "North", "Bea", "Massage"),  # second treatment, same visit day
        ("C1", "2026-03-01", "North", "Anna", "Facial"),  # returns to North, Anna, face
        ("C2", "2026-01-10", "North", "Anna", "Facial"),  # one-visit client
        ("C3", "2026-01-20", "North", "Bea", "Massage"),
        ("C3", "2026-02-15", "South", "Bea", "Massage"),  # returns to ANOTHER branch
        ("C4", "2026-01-25", "South", "Cara", "Peel"),
        ("C4", "2026-05-01", "South", "Cara", "Peel"),  # end + 90 exactly: inside
        ("C5", "2026-01-30", "South", "Cara", "Peel"),
        ("C5", "2026-05-02", "South", "Cara", "Peel"),  # end + 91: outside
        ("C6", "2025-12-31", "North", "Anna", "Facial"),  # not in January
        ("C6", "2026-02-01", "North", "Anna", "Facial"),
        (None, "2026-01-15", "North", "Anna", "Facial"),  # no client: ignored
        ("C2", None, "North", "Anna", "Facial"),  # no date: ignored
    ]
    return frame(rows, ["client_id", "visit_date", "branch", "therapist", "service"])


SERVICES = pd.DataFrame({"name": ["Facial", "Massage", "Peel"], "category": ["face", "body", "face"]})


def test_visit_days_one_per_day_and_only_up_to_as_of() -> None:
    days = visit_days(salon_visits(), as_of=dt.date(2026, 3, 1))
    # C1: 01-05 (two rows -> one day), 03-01; C2 01-10; C3 01-20, 02-15; C4 01-25; C5 01-30;
    # C6 12-31, 02-01 -> 9 visit days; the no-client / no-date rows and later days are gone.
    assert len(days) == 9
    assert days.loc[days["client_id"] == "C1", "visit_date"].tolist() == [D("2026-01-05"), D("2026-03-01")]
    by_branch = visit_days(salon_visits(), as_of=dt.date(2026, 3, 1), by="branch")
    # Per branch C3 has one North day and one South day; still one C1 day on 01-05.
    assert len(by_branch) == 9


def test_return_within_chain() -> None:
    r = return_within(salon_visits(), start=JAN_START, end=JAN_END, days=90, as_of=dt.date(2026, 6, 30))
    # C = {C1..C5} = 5; returned in (01-31, 05-01]: C1 (03-01), C3 (02-15, other branch
    # still counts for the chain), C4 (05-01) = 3; C5 (05-02) too late -> 3 / 5.
    assert len(r) == 1
    row = r.iloc[0]
    assert (row["clients"], row["returned"], row["rate"], row["censored"]) == (5, 3, 0.6, False)
    assert row["period_end"] == D("2026-01-31")
    assert row["return_days"] == 90


def test_return_within_by_branch_only_same_branch_returns_count() -> None:
    r = return_within(salon_visits(), start=JAN_START, end=JAN_END, as_of=dt.date(2026, 6, 30), by="branch")
    # North: C = {C1, C2, C3}; back at North: C1 only (C3 went to South) -> 1/3.
    # South: C = {C4, C5}; back at South: C4 -> 1/2 (C3 was not a South client in January).
    assert r["branch"].tolist() == ["North", "South"]
    assert r["clients"].tolist() == [3, 2]
    assert r["returned"].tolist() == [1, 1]
    assert r["rate"].tolist() == pytest.approx([1 / 3, 1 / 2])


def test_return_within_by_therapist_and_category() -> None:
    r = return_within(salon_visits(), start=JAN_START, end=JAN_END, as_of=dt.date(2026, 6, 30), by="therapist")
    # Anna: {C1, C2}, C1 back with Anna; Bea: {C1, C3}, C3 back with Bea (C1 came back to Anna);
    # Cara: {C4, C5}, C4 back.
    assert r.set_index("therapist")[["clients", "returned"]].to_dict("list") == {
        "clients": [2, 2, 2],
        "returned": [1, 1, 1],
    }
    r = return_within(
        salon_visits(), start=JAN_START, end=JAN_END, as_of=dt.date(2026, 6, 30), by="category", services=SERVICES
    )
    # body (Massage): {C1, C3}, C3 back for a massage; face (Facial, Peel): {C1, C2, C4, C5},
    # C1 (facial) and C4 (peel) back -> 2/4.
    assert r["category"].tolist() == ["body", "face"]
    assert r["clients"].tolist() == [2, 4]
    assert r["returned"].tolist() == [1, 2]
    assert r["rate"].tolist() == [0.5, 0.5]
    with pytest.raises(ValueError, match="services"):
        return_within(salon_visits(), start=JAN_START, end=JAN_END, as_of=dt.date(2026, 6, 30), by="category")


def test_return_within_censored_at_end_of_data_never_zero() -> None:
    # end + 90 = 2026-05-01 > as_of 2026-04-30: not judged yet.
    r = return_within(salon_visits(), start=JAN_START, end=JAN_END, as_of=dt.date(2026, 4, 30)).iloc[0]
    assert bool(r["censored"]) is True
    assert r["clients"] == 5
    assert pd.isna(r["returned"])
    assert math.isnan(r["rate"])
    # as_of = end + 90 exactly: judged, and C4's visit on as_of itself counts -> 3 / 5.
    r = return_within(salon_visits(), start=JAN_START, end=JAN_END, as_of=dt.date(2026, 5, 1)).iloc[0]
    assert (bool(r["censored"]), r["returned"], r["rate"]) == (False, 3, 0.6)


def test_return_within_leap_day_period_end() -> None:
    visits = frame(
        [
            ("L1", "2028-02-29"),
            ("L1", "2028-05-29"),  # 2028-02-29 + 90 days = 2028-05-29: inside
            ("L2", "2028-02-29"),
            ("L2", "2028-05-30"),  # outside
            ("L3", "2028-03-01"),  # after the period: not in C
        ],
        ["client_id", "visit_date"],
    )
    feb = {"start": dt.date(2028, 2, 1), "end": dt.date(2028, 2, 29)}
    assert bool(return_within(visits, **feb, as_of=dt.date(2028, 5, 28)).loc[0, "censored"]) is True
    r = return_within(visits, **feb, as_of=dt.date(2028, 5, 29)).iloc[0]
    assert (r["clients"], r["returned"], r["rate"], bool(r["censored"])) == (2, 1, 0.5, False)


def test_return_within_empty_period() -> None:
    r = return_within(
        salon_visits(), start=dt.date(2025, 6, 1), end=dt.date(2025, 6, 30), as_of=dt.date(2026, 6, 30)
    ).iloc[0]
    assert r["clients"] == 0
    assert math.isnan(r["rate"])


def test_future_booked() -> None:
    visits = frame(
        [(c, f"2026-01-{day:02d}") for c, day in [("F1", 10), ("F2", 12), ("F3", 15), ("F4", 20), ("F5", 25)]]
        + [("F7", "2026-01-28"), ("F6", "2025-12-20")],
        ["client_id", "visit_date"],
    )
    appointments = pd.DataFrame(
        [
            ("F1", "2026-02-20 10:00", "booked", "2026-01-10 12:00"),  # counts
            ("F2", "2026-02-21 10:00", "cancelled", "2026-01-12 12:00"),  # cancelled: excluded
            ("F3", "2026-02-25 10:00", "booked", "2026-02-06 09:00"),  # booked after as_of: excluded
            ("F4", "2026-01-31 18:00", "booked", "2026-01-20 12:00"),  # not after end: excluded
            ("F4", "2026-03-10 10:00", "booked", None),  # booked_at unknown: excluded by default
            ("F5", "2026-02-03 10:00", "completed", "2026-01-25 12:00"),  # not cancelled: counts
            ("F6", "2026-03-01 10:00", "booked", "2026-01-01 12:00"),  # F6 not in C
            ("F7", "2026-02-28 10:00", "booked", "2026-02-05 23:00"),  # booked on as_of's day: counts
        ],
        columns=["client_id", "scheduled_at", "status", "booked_at"],
    )
    for column in ("scheduled_at", "booked_at"):
        appointments[column] = pd.to_datetime(appointments[column])
    as_of = dt.date(2026, 2, 5)
    r = future_booked(visits, appointments, start=JAN_START, end=JAN_END, as_of=as_of).iloc[0]
    # C = {F1, F2, F3, F4, F5, F7} = 6; holders F1, F5, F7 = 3 -> 0.5.
    assert (r["clients"], r["future_booked"], r["rate"]) == (6, 3, 0.5)
    r = future_booked(
        visits, appointments, start=JAN_START, end=JAN_END, as_of=as_of, count_unknown_booked_at=True
    ).iloc[0]
    assert (r["clients"], r["future_booked"]) == (6, 4)  # + F4


def test_returning_share() -> None:
    visits = frame(
        [
            ("R1", "2025-01-01"),  # start - 365 days exactly: inside
            ("R1", "2026-01-10"),
            ("R2", "2024-12-31"),  # start - 366 days: outside
            ("R2", "2026-01-11"),
            ("R3", "2025-12-31"),
            ("R3", "2026-01-12"),
            ("R4", "2026-01-13"),
            ("R4", "2026-01-13"),  # same day twice, no earlier visit
            ("R5", "2025-06-01"),  # not in C
        ],
        ["client_id", "visit_date"],
    )
    r = returning_share(visits, start=JAN_START, end=JAN_END, as_of=dt.date(2026, 3, 1)).iloc[0]
    # C = {R1, R2, R3, R4}; returning R1, R3 -> 2 / 4.
    assert (r["clients"], r["returning"], r["rate"]) == (4, 2, 0.5)
    # As of 2026-01-11 the period is cut there: C = {R1, R2}, returning R1 -> 1 / 2.
    cut = returning_share(visits, start=JAN_START, end=JAN_END, as_of=dt.date(2026, 1, 11)).iloc[0]
    assert (cut["clients"], cut["returning"], cut["rate"]) == (2, 1, 0.5)
    # Before the period starts nobody is in C: no data, not 0 %.
    early = returning_share(visits, start=JAN_START, end=JAN_END, as_of=dt.date(2025, 12, 31)).iloc[0]
    assert early["clients"] == 0
    assert math.isnan(early["rate"])


def conversion_visits() -> pd.DataFrame:
    rows = [
        ("N1", "2026-01-05"),  # first; window (01-05, 04-05]
        ("N1", "2026-02-01"),
        ("N1", "2026-03-01"),  # 2 further -> converted
        ("N2", "2026-01-10"),
        ("N2", "2026-01-10"),  # same day: not a further visit day
        ("N2", "2026-02-10"),  # 1 further -> not converted
        ("N3", "2026-01-15"),  # window (01-15, 04-15], ends on as_of: judged
        ("N3", "2026-02-01"),
        ("N3", "2026-04-15"),  # last day of the window -> converted
        ("N4", "2026-01-20"),  # 01-20 + 90 = 04-20 > as_of: censored
        ("N4", "2026-02-01"),
        ("N4", "2026-03-01"),
        ("N6", "2026-01-02"),  # window (01-02, 04-02]
        ("N6", "2026-02-01"),
        ("N6", "2026-04-03"),  # one day late -> not converted
        ("O1", "2025-11-01"),  # not new
        ("O1", "2026-01-08"),
        ("N5", "2026-02-01"),  # new in February
    ]
    return frame(rows, ["client_id", "visit_date"])


def test_new_client_conversion() -> None:
    r = new_client_conversion(conversion_visits(), start=JAN_START, end=JAN_END, as_of=dt.date(2026, 4, 15)).iloc[0]
    # new {N1, N2, N3, N4, N6} = 5; censored N4; eligible 4; converted N1, N3 -> 2 / 4.
    got = r[["new_clients", "censored", "eligible", "converted", "rate"]].tolist()
    assert got == [5, 1, 4, 2, 0.5]
    # With N = 1: N2 and N6 convert too -> 4 / 4.
    r = new_client_conversion(
        conversion_visits(), start=JAN_START, end=JAN_END, as_of=dt.date(2026, 4, 15), visits_needed=1
    ).iloc[0]
    assert (r["converted"], r["rate"]) == (4, 1.0)


def test_new_client_conversion_censored_everyone_is_nan_not_zero() -> None:
    visits = frame([("L1", "2028-02-29"), ("L1", "2028-03-01"), ("L1", "2028-05-29")], ["client_id", "visit_date"])
    feb = {"start": dt.date(2028, 2, 1), "end": dt.date(2028, 2, 29)}
    # 2028-02-29 + 90 days = 2028-05-29.
    r = new_client_conversion(visits, **feb, as_of=dt.date(2028, 5, 28)).iloc[0]
    assert (r["new_clients"], r["censored"], r["eligible"], r["converted"]) == (1, 1, 0, 0)
    assert math.isnan(r["rate"])
    r = new_client_conversion(visits, **feb, as_of=dt.date(2028, 5, 29)).iloc[0]
    assert (r["censored"], r["converted"], r["rate"]) == (0, 1, 1.0)


def test_cohort_matrix_partial_month_and_blank_future() -> None:
    visits = frame(
        [
            ("A", "2026-01-05"),
            ("A", "2026-01-20"),
            ("A", "2026-03-10"),
            ("B", "2026-01-25"),
            ("C", "2026-02-01"),
            ("C", "2026-02-01"),
            ("C", "2026-03-01"),
            ("D", "2026-02-10"),
            ("D", "2026-03-20"),  # after as_of: ignored
            ("E", "2026-03-05"),
            ("X", "2026-04-01"),  # after as_of: no cohort
        ],
        ["client_id", "visit_date"],
    )
    m = cohort_matrix(visits, as_of=dt.date(2026, 3, 15))
    # Jan {A, B}: k0 1, k1 (Feb) nobody 0, k2 (Mar) A 1/2.
    # Feb {C, D}: k0 1, k1 (Mar) C 1/2, k2 (Apr) blank.  Mar {E}: k0 1, later blank.
    assert [str(p) for p in m.shares.index] == ["2026-01", "2026-02", "2026-03"]
    assert m.shares.columns.tolist() == [0, 1, 2]
    expected = [[1.0, 0.0, 0.5], [1.0, 0.5, None], [1.0, None, None]]
    for got_row, want_row in zip(m.shares.to_numpy().tolist(), expected, strict=True):
        for got, want in zip(got_row, want_row, strict=True):
            assert math.isnan(got) if want is None else got == want
    # March 2026 is as_of's month: one partial cell per cohort, on the anti-diagonal.
    assert m.partial.to_numpy().tolist() == [[False, False, True], [False, True, False], [True, False, False]]
    assert m.sizes.tolist() == [2, 2, 1]


def test_crr_worked_example() -> None:
    visits = frame(
        [
            ("K1", "2026-03-01"),
            ("K1", "2026-05-01"),
            ("K2", "2026-02-01"),
            ("K3", "2025-11-01"),
            ("K4", "2026-01-01"),
            ("K5", "2025-10-02"),
            ("K6", "2026-04-01"),
            ("K7", "2026-06-30"),
            ("K7", "2026-06-30"),
            ("K8", "2025-01-01"),
            ("K8", "2026-05-01"),
            ("K9", "2026-07-01"),
        ],
        ["client_id", "visit_date"],
    )
    r = crr(visits, start=dt.date(2026, 4, 1), end=dt.date(2026, 6, 30), as_of=dt.date(2026, 7, 31), active_days=180)
    r = r.iloc[0]
    # S: active at 2026-03-31 = visit day in (2025-10-02, 2026-03-31] -> K1, K2, K3, K4 (K5 on the
    #    open bound is out) = 4.
    # E: active at 2026-06-30 = visit day in (2026-01-01, 2026-06-30] -> K1, K2, K6, K7, K8 (K4 on
    #    the open bound is out) = 5.
    # N: first visit day in [04-01, 06-30] -> K6, K7 = 2 (K8 is reactivated, not new).
    # CRR = (5 - 2) / 4 = 0.75.
    assert r[["S", "E", "N", "crr"]].tolist() == [4, 5, 2, 0.75]
    # As of 2026-05-31 the period is cut there: K7 (06-30) is not known yet.
    # E: visit day in (2025-12-02, 2026-05-31] -> K1, K2, K4, K6, K8 = 5; N: K6 = 1; CRR = (5 - 1) / 4 = 1.0.
    cut = crr(visits, start=dt.date(2026, 4, 1), end=dt.date(2026, 6, 30), as_of=dt.date(2026, 5, 31)).iloc[0]
    assert cut[["S", "E", "N", "crr"]].tolist() == [4, 5, 1, 1.0]
    # Before the period starts there is nothing to measure: <NA> and NaN, never 0.
    early = crr(visits, start=dt.date(2026, 4, 1), end=dt.date(2026, 6, 30), as_of=dt.date(2026, 3, 31)).iloc[0]
    assert pd.isna(early["E"])
    assert math.isnan(early["crr"])


def test_crr_nan_without_starting_clients() -> None:
    visits = frame([("K1", "2026-04-02")], ["client_id", "visit_date"])
    r = crr(visits, start=dt.date(2026, 4, 1), end=dt.date(2026, 6, 30), as_of=dt.date(2026, 6, 30)).iloc[0]
    assert (r["S"], r["E"], r["N"]) == (0, 1, 1)
    assert math.isnan(r["crr"])
