"""Rebooking, no-show and cancellation rates, open complaints, spend and weekly activity.

Every function follows docs/metrics.md under the name given there and
takes an explicit ``as_of`` (or period) date; nothing here reads the clock. The
outreach lists (lapsed, at risk, due next week, birthdays) are in
:mod:`sheetkit.analytics.outreach`.
"""

from __future__ import annotations

import datetime as dt
from typing import Final, Literal

import numpy as np
import pandas as pd

from sheetkit.errors import UsageError

__all__ = [
    "average_visit_value",
    "cancellation_rate",
    "cancelled_late",
    "late_cancellation_rate",
    "no_show_rate",
    "open_complaints",
    "rebooking_rate",
    "spend",
    "weekly_activity",
]

#: The appointment statuses the rates know.
APPOINTMENT_STATUSES: Final = frozenset({"booked", "completed", "cancelled", "no_show"})

DAYS_IN_YEAR: Final = 365
#: A cancellation less than this before the appointment (or after it) is late.
LATE_CANCELLATION: Final = pd.Timedelta(hours=24)


def _day(value: dt.date) -> pd.Timestamp:
    return pd.Timestamp(value).normalize()


def _dates(values: pd.Series) -> pd.Series:
    """Dates (midnight timestamps) of a date/datetime column; NaT when unreadable."""
    return pd.to_datetime(values, errors="coerce").dt.normalize()


def _column(frame: pd.DataFrame, key: str) -> pd.Series:
    if key in frame:
        return frame[key]
    return pd.Series(None, index=frame.index, dtype=object)


def _grouped(frame: pd.DataFrame, by: str | None, columns: dict[str, pd.Series]) -> pd.DataFrame:
    """Sums of boolean/count columns per ``by`` value (one row "all" when by is None)."""
    data = pd.DataFrame(columns, index=frame.index)
    if by is None:
        total = data.sum().to_frame("all").T.astype("int64")
        total.index.name = "group"
        return total
    if by not in frame:
        raise KeyError(f"cannot group by {by!r}: no such column")
    data[by] = frame[by]
    return data.groupby(by, sort=True, dropna=False).sum().astype("int64")


def _rate(numerator: pd.Series, denominator: pd.Series) -> pd.Series:
    return (numerator / denominator.where(denominator > 0)).astype(float)


def rebooking_rate(
    visits: pd.DataFrame,
    appointments: pd.DataFrame,
    *,
    start: dt.date,
    end: dt.date,
    window: Literal["same_day", "24h"] = "same_day",
    count_cancelled: bool = False,
    by: str | None = None,
) -> pd.DataFrame:
    """Share of visit days in [start, end] rebooked (docs/metrics.md#rebooking-rate).

    A visit day of client c on date d is **rebooked** when an appointment of c exists
    scheduled after d (on a later date) and booked no later than the end of d
    (``window="same_day"``, Phorest / Boulevard) or no later than the end of d + 1 day
    (``window="24h"``, Kitomba; booking times are compared by date). Bookings made
    before the visit count too. ``count_cancelled=True`` counts a booking later
    cancelled (Boulevard); False (Phorest, default) does not. Either way a booking
    that was already cancelled when the window closed (``cancelled_at`` before the end
    of d, or of d + 1 day with ``"24h"``) never counts: at that moment the client held
    no booking. A cancelled booking without ``cancelled_at`` (all template-v1 data) is
    taken as cancelled after the window. No-show and completed bookings count.
    Appointments with no booking date cannot be judged and do not count.

    ``by`` ("branch", "therapist", ...) groups by the visit's value; a visit day with
    two therapists counts once for each. Returns visit_days, rebooked, rate (NaN
    when there is no visit day); one row "all" when ``by`` is None.
    """
    if window not in {"same_day", "24h"}:
        raise UsageError(f"window must be 'same_day' or '24h', not {window!r}")
    rows = pd.DataFrame({"client_id": visits["client_id"], "d": _dates(visits["visit_date"])}, index=visits.index)
    if by is not None:
        rows[by] = _column(visits, by)
    in_period = rows["client_id"].notna() & rows["d"].between(_day(start), _day(end))
    days = rows.loc[in_period].drop_duplicates(["client_id", "d", *([by] if by is not None else [])])
    appts = pd.DataFrame(
        {
            "client_id": appointments["client_id"],
            "scheduled": _dates(appointments["scheduled_at"]),
            "booked": _dates(appointments["booked_at"]),
            "status": appointments["status"],
            "cancelled_at": pd.to_datetime(_column(appointments, "cancelled_at"), errors="coerce"),
        }
    )
    cancelled = appts["status"].eq("cancelled").fillna(False).astype(bool)
    if not count_cancelled:
        appts = appts.loc[~cancelled]
    appts = appts.dropna(subset=["client_id", "scheduled", "booked"])
    slack = pd.Timedelta(days=0 if window == "same_day" else 1)
    keys = days.loc[:, ["client_id", "d"]].drop_duplicates()
    pairs = keys.merge(appts, on="client_id", how="inner")
    closes = pairs["d"] + slack + pd.Timedelta(days=1)  # the window ends at midnight after d (or d + 1)
    gone = pairs["status"].eq("cancelled").fillna(False).astype(bool) & (pairs["cancelled_at"] < closes).fillna(False)
    hit = pairs.loc[(pairs["scheduled"] > pairs["d"]) & (pairs["booked"] <= pairs["d"] + slack) & ~gone]
    rebooked_keys = pd.MultiIndex.from_frame(hit.loc[:, ["client_id", "d"]].drop_duplicates())
    flag = pd.MultiIndex.from_frame(days.loc[:, ["client_id", "d"]]).isin(rebooked_keys)
    out = _grouped(
        days,
        by,
        {"visit_days": pd.Series(1, index=days.index), "rebooked": pd.Series(flag, index=days.index).astype(int)},
    )
    out["rate"] = _rate(out["rebooked"], out["visit_days"])
    return out


def _scheduled_in(appointments: pd.DataFrame, start: dt.date, end: dt.date) -> pd.DataFrame:
    scheduled = _dates(appointments["scheduled_at"])
    status = appointments["status"]
    keep = scheduled.between(_day(start), _day(end)) & status.isin(APPOINTMENT_STATUSES)
    return appointments.loc[keep.fillna(False).astype(bool)]


def cancelled_late(appointments: pd.DataFrame) -> pd.Series:
    """True for each cancelled appointment cancelled less than 24 hours before its time, or after it.

    Definition: docs/metrics.md#late-cancellation-rate. A cancellation without
    ``cancelled_at`` (all template-v1 data) counts as made in advance.

    >>> a = pd.DataFrame({"status": ["cancelled", "cancelled", "cancelled", "booked"],
    ...                   "scheduled_at": pd.to_datetime(["2026-11-20 10:00"] * 4),
    ...                   "cancelled_at": pd.to_datetime(["2026-11-19 09:00", "2026-11-19 11:00", None, None])})
    >>> cancelled_late(a).tolist()
    [False, True, False, False]
    """
    scheduled = pd.to_datetime(_column(appointments, "scheduled_at"), errors="coerce")
    cancelled_at = pd.to_datetime(_column(appointments, "cancelled_at"), errors="coerce")
    late = appointments["status"].eq("cancelled") & (cancelled_at > scheduled - LATE_CANCELLATION)
    return late.fillna(False).astype(bool)


def _kept_appointments(rows: pd.DataFrame) -> pd.DataFrame:
    """The appointments of a no-show rate: not cancelled, or cancelled late."""
    return rows.loc[rows["status"].ne("cancelled") | cancelled_late(rows)]


def no_show_rate(appointments: pd.DataFrame, *, start: dt.date, end: dt.date, by: str | None = None) -> pd.DataFrame:
    """No-show appointments / appointments scheduled in [start, end] that were not cancelled in advance.

    Definition: docs/metrics.md#no-show-rate. Denominator = booked, completed and
    no-show appointments scheduled in the period plus the late cancellations (cancelled
    less than 24 hours before, or after, the appointment time: :func:`cancelled_late`);
    a cancellation in advance, or one without ``cancelled_at`` (template v1), is left
    out, as are rows without a known status. ``by``: "client_id", "therapist" or
    "branch" (of the appointment). Returns appointments (the denominator), no_shows,
    rate (NaN when no appointment).
    """
    rows = _kept_appointments(_scheduled_in(appointments, start, end))
    out = _grouped(
        rows,
        by,
        {"appointments": pd.Series(1, index=rows.index), "no_shows": rows["status"].eq("no_show").astype(int)},
    )
    out["rate"] = _rate(out["no_shows"], out["appointments"])
    return out


def cancellation_rate(
    appointments: pd.DataFrame, *, start: dt.date, end: dt.date, by: str | None = None
) -> pd.DataFrame:
    """Cancelled appointments / all appointments scheduled in [start, end].

    Definition: docs/metrics.md#cancellation-rate; rows without a known status
    are left out. ``by``: "client_id", "therapist" or "branch" (of the appointment).
    Returns appointments, cancelled, rate (NaN when no appointment).
    """
    rows = _scheduled_in(appointments, start, end)
    out = _grouped(
        rows,
        by,
        {"appointments": pd.Series(1, index=rows.index), "cancelled": rows["status"].eq("cancelled").astype(int)},
    )
    out["rate"] = _rate(out["cancelled"], out["appointments"])
    return out


def late_cancellation_rate(
    appointments: pd.DataFrame, *, start: dt.date, end: dt.date, by: str | None = None
) -> pd.DataFrame:
    """Late cancellations / all appointments scheduled in [start, end].

    Definition: docs/metrics.md#late-cancellation-rate: a cancellation is late when
    ``cancelled_at`` is less than 24 hours before the appointment time, or after it
    (:func:`cancelled_late`); the denominator is the cancellation rate's (every
    appointment with a known status). Without any ``cancelled_at`` (template v1)
    the rate is 0 % of the appointments, as no cancellation can be shown late.
    Returns appointments, late_cancellations, rate (NaN when no appointment).
    """
    rows = _scheduled_in(appointments, start, end)
    out = _grouped(
        rows,
        by,
        {"appointments": pd.Series(1, index=rows.index), "late_cancellations": cancelled_late(rows).astype(int)},
    )
    out["rate"] = _rate(out["late_cancellations"], out["appointments"])
    return out


def open_complaints(feedback: pd.DataFrame, *, as_of: dt.date) -> pd.DataFrame:
    """Unresolved complaints with their age in days (as_of - date), oldest first.

    Definition: docs/metrics.md#open-complaints: Feedback of kind complaint,
    not resolved (a blank ``resolved`` counts as open). Feedback dated after
    ``as_of`` is not yet known and left out; undated complaints come last with no age.
    """
    when = _dates(feedback["date"])
    resolved = feedback["resolved"].astype("boolean").fillna(False).astype(bool)
    keep = (feedback["kind"].eq("complaint") & ~resolved & ~(when > _day(as_of))).fillna(False).astype(bool)
    columns = [c for c in ("feedback_id", "date", "client_id", "branch", "owner", "text") if c in feedback]
    out = feedback.loc[keep, columns].copy()
    out["age_days"] = (_day(as_of) - when.loc[keep]).dt.days.astype("Int64")
    out = out.sort_values("age_days", ascending=False, na_position="last", kind="stable")
    return out.reset_index(drop=True)


def _amounts(visits: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "client_id": visits["client_id"],
            "d": _dates(visits["visit_date"]),
            "paid": pd.to_numeric(visits["amount_paid"], errors="coerce").fillna(0.0).astype(float),
        },
        index=visits.index,
    )


def spend(
    visits: pd.DataFrame,
    *,
    start: dt.date,
    end: dt.date,
    as_of: dt.date,
    by: str | None = None,
) -> pd.DataFrame:
    """Per client: total and mean amount paid in [start, end] and in the 365 days ending at ``as_of``.

    Definition: docs/metrics.md#spend. A visit is a Visits row; only visits on
    or before ``as_of`` count (so the period is cut at ``as_of``); the last 365 days
    are [as_of - 364, as_of]. Mean = total / visits (a blank amount paid counts as
    0 paid). Columns: period_visits, period_total, period_mean, last_365_visits,
    last_365_total, last_365_mean (NaN mean with no visit), indexed by client_id, or
    by (``by``, client_id) when ``by`` ("branch", "therapist", ...) is given.
    """
    rows = _amounts(visits)
    keys = ["client_id"] if by is None else [by, "client_id"]
    if by is not None:
        rows[by] = _column(visits, by)
    today = _day(as_of)
    rows = rows.loc[rows["client_id"].notna() & rows["d"].notna() & (rows["d"] <= today)]
    in_period = rows["d"].between(_day(start), _day(end))
    in_year = rows["d"] > today - pd.Timedelta(days=DAYS_IN_YEAR)
    out = pd.DataFrame(index=pd.MultiIndex.from_frame(rows.loc[in_period | in_year, keys]).unique().sort_values())
    if by is None:
        out.index = out.index.get_level_values(0)
    for name, mask in (("period", in_period), ("last_365", in_year)):
        grouped = rows.loc[mask].groupby(keys if by is not None else "client_id")["paid"]
        count = grouped.size().reindex(out.index, fill_value=0).astype("int64")
        total = grouped.sum().reindex(out.index, fill_value=0.0).astype(float)
        out[f"{name}_visits"] = count
        out[f"{name}_total"] = total
        out[f"{name}_mean"] = _rate(total, count)
    return out


def average_visit_value(visits: pd.DataFrame, *, start: dt.date, end: dt.date) -> float:
    """Amount paid / visits in [start, end] (docs/metrics.md#average-visit-value).

    A visit is a Visits row (two treatments on one day are two visits); a blank
    amount paid counts as 0. NaN when the period holds no visit.

    >>> v = pd.DataFrame({"client_id": ["C1", "C1", "C2"], "amount_paid": [30.0, 50.0, 40.0],
    ...                   "visit_date": pd.to_datetime(["2026-01-01", "2026-01-01", "2026-02-01"])})
    >>> average_visit_value(v, start=dt.date(2026, 1, 1), end=dt.date(2026, 1, 31))
    40.0
    """
    rows = _amounts(visits)
    rows = rows.loc[rows["client_id"].notna() & rows["d"].between(_day(start), _day(end))]
    if rows.empty:
        return float(np.nan)
    return float(rows["paid"].sum() / len(rows))


def weekly_activity(visits: pd.DataFrame, appointments: pd.DataFrame, *, weeks: int, as_of: dt.date) -> pd.DataFrame:
    """Visits, amount paid and no-show rate of each of the last ``weeks`` ISO weeks up to ``as_of``.

    One row per ISO week (Monday to Sunday), oldest first, the last one being the
    week containing ``as_of``, cut at ``as_of``. Per week, with the definitions of
    :func:`spend` and :func:`no_show_rate` over that week as the period:

    * visits = Visits rows with a client, dated in the week and on or before ``as_of``;
    * revenue = their amount paid (a blank amount counts as 0);
    * appointments = booked, completed and no-show appointments and late cancellations
      scheduled in the week (cancellations in advance and unknown statuses left out),
      no_shows = the no-show ones,
      no_show_rate = no_shows / appointments (NaN when none).

    One pass over each frame, so the cost does not grow with ``weeks``. Columns:
    week_start (the Monday), visits, revenue, appointments, no_shows, no_show_rate.

    >>> v = pd.DataFrame({"client_id": ["C1", "C2", "C1"], "amount_paid": [30.0, None, 50.0],
    ...                   "visit_date": pd.to_datetime(["2026-11-09", "2026-11-16", "2026-11-23"])})
    >>> a = pd.DataFrame({"client_id": ["C1", "C2"], "status": ["no_show", "cancelled"],
    ...                   "scheduled_at": pd.to_datetime(["2026-11-17 10:00", "2026-11-18 10:00"])})
    >>> w = weekly_activity(v, a, weeks=2, as_of=dt.date(2026, 11, 22))
    >>> w[["visits", "revenue", "appointments", "no_show_rate"]].to_numpy().tolist()
    [[1.0, 30.0, 0.0, nan], [1.0, 0.0, 1.0, 1.0]]
    """
    if weeks < 1:
        raise UsageError(f"weeks must be positive, not {weeks}")
    today = _day(as_of)
    first = today - pd.Timedelta(days=as_of.weekday() + 7 * (weeks - 1))
    mondays = pd.date_range(first, periods=weeks, freq="7D")

    def week_of(days: pd.Series) -> pd.Series:
        return ((days - first).dt.days // 7).astype("int64")

    rows = _amounts(visits)
    rows = rows.loc[rows["client_id"].notna() & rows["d"].between(first, today)]
    by_week = rows.groupby(week_of(rows["d"]))["paid"]
    shown = _scheduled_in(appointments, first.date(), as_of)
    shown = _kept_appointments(shown)
    shown_week = week_of(_dates(shown["scheduled_at"]))
    counted = shown["status"].eq("no_show").astype("int64").groupby(shown_week)
    out = pd.DataFrame(
        {
            "week_start": mondays,
            "visits": by_week.size().reindex(range(weeks), fill_value=0).to_numpy(dtype="int64"),
            "revenue": by_week.sum().reindex(range(weeks), fill_value=0.0).to_numpy(dtype=float),
            "appointments": counted.size().reindex(range(weeks), fill_value=0).to_numpy(dtype="int64"),
            "no_shows": counted.sum().reindex(range(weeks), fill_value=0).to_numpy(dtype="int64"),
        }
    )
    out["no_show_rate"] = _rate(out["no_shows"], out["appointments"])
    return out
