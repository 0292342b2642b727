"""The weekly report's tables: the weekly trend, the cohort matrix, per-therapist and per-category figures.

Every figure comes from :mod:`sheetkit.analytics` (docs/metrics.md#weekly-report):

* **trend**: visits, revenue and no-show rate of the last 26 ISO weeks
  (:func:`~sheetkit.analytics.weekly_activity`), the last one cut at ``as_of``;
* **cohorts**: every calendar month of the last ``cohort_months`` months (Settings,
  default 24) from the first cohort on, so the newest cohorts are always there, even
  a month without new clients; k = 0 to ``cohort_months`` - 1;
* **therapists** and **service categories** over the last 4 ISO weeks: visits,
  clients, revenue, rebooking rate (same day), no-show rate and mean satisfaction;
  return within X days over the latest 4 weeks that can already be judged (ending
  at least X days before ``as_of``), so the column is never all "not yet".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Final, Literal

import pandas as pd

from sheetkit.analytics import cohort_matrix, no_show_rate, rebooking_rate, return_within, weekly_activity
from sheetkit.frames import WorkbookData
from sheetkit.report.kpis import number
from sheetkit.report.periods import Period, iso_week, week_label

__all__ = [
    "GROUP_WEEKS",
    "TREND_WEEKS",
    "CohortTable",
    "GroupRow",
    "TrendPoint",
    "cohort_table",
    "group_periods",
    "group_rows",
    "trend",
]

TREND_WEEKS: Final = 26
#: Weeks covered by the therapist and category tables.
GROUP_WEEKS: Final = 4


@dataclass(frozen=True)
class TrendPoint:
    """One ISO week of the trend."""

    week: str
    start: dt.date
    visits: int
    revenue: float
    no_show_rate: float | None


@dataclass(frozen=True)
class CohortTable:
    """The last cohorts of the cohort matrix: shares[i][k] in 0..1, None when not yet observable or empty."""

    cohorts: list[str]
    sizes: list[int]
    shares: list[list[float | None]]
    partial: list[list[bool]]


@dataclass(frozen=True)
class GroupRow:
    """One therapist or service category: figures over the table's period (None = no data / not yet)."""

    name: str
    visits: int
    clients: int
    revenue: float
    rebooking_rate: float | None
    no_show_rate: float | None
    #: Return within X days of the clients seen in the return period (None while censored or without clients).
    return_within: float | None
    satisfaction: float | None

    def to_dict(self) -> dict[str, object]:
        """JSON-ready figures of the row."""
        return dict(self.__dict__)


def trend(data: WorkbookData, as_of: dt.date) -> list[TrendPoint]:
    """Visits, revenue and no-show rate of the last :data:`TREND_WEEKS` ISO weeks up to ``as_of``."""
    weeks = weekly_activity(data.visits, data.appointments, weeks=TREND_WEEKS, as_of=as_of)
    return [
        TrendPoint(
            week=week_label(monday.date()),
            start=monday.date(),
            visits=int(visits),
            revenue=float(revenue),
            no_show_rate=number(rate),
        )
        for monday, visits, revenue, rate in zip(
            weeks["week_start"], weeks["visits"], weeks["revenue"], weeks["no_show_rate"], strict=True
        )
    ]


def cohort_table(data: WorkbookData, as_of: dt.date, months: int) -> CohortTable:
    """The last ``months`` calendar months of the cohort matrix, every month a row, k = 0 to ``months`` - 1."""
    matrix = cohort_matrix(data.visits, as_of=as_of)
    if matrix.sizes.empty:
        return CohortTable([], [], [], [])
    newest = pd.Period(as_of, freq="M")
    first = max(matrix.sizes.index.min(), newest - (months - 1))
    index = pd.period_range(first, newest, freq="M", name="cohort")
    width = min(months, matrix.shares.shape[1])
    shares = matrix.shares.reindex(index).iloc[:, :width]
    partial = matrix.partial.reindex(index, fill_value=False).iloc[:, :width]
    sizes = matrix.sizes.reindex(index, fill_value=0)
    return CohortTable(
        cohorts=[str(p) for p in index],
        sizes=[int(s) for s in sizes.tolist()],
        shares=[[number(v) for v in row] for row in shares.to_numpy().tolist()],
        partial=[[bool(v) for v in row] for row in partial.to_numpy().tolist()],
    )


def group_periods(period: Period, return_days: int) -> tuple[Period, Period]:
    """The tables' period (the last :data:`GROUP_WEEKS` ISO weeks, cut at the report's end) and the return period.

    The return period is the latest span of :data:`GROUP_WEEKS` whole ISO weeks ending
    at least ``return_days`` before the report's end: its returns can be judged.
    """
    monday, _ = iso_week(period.end)
    weeks = Period(monday - dt.timedelta(weeks=GROUP_WEEKS - 1), period.end, "weeks")
    judged = period.end - dt.timedelta(days=return_days)
    sunday = judged - dt.timedelta(days=(judged.weekday() + 1) % 7)
    back = Period(sunday - dt.timedelta(days=7 * GROUP_WEEKS - 1), sunday, "weeks")
    return weeks, back


def _categories(frame: pd.DataFrame, data: WorkbookData) -> pd.Series:
    services = data.lists.get("services")
    if services is None or "service" not in frame:
        return pd.Series(None, index=frame.index, dtype=object)
    category = services.drop_duplicates("name").set_index("name")["category"]
    return frame["service"].map(category)


def group_rows(
    data: WorkbookData,
    by: Literal["therapist", "category"],
    periods: tuple[Period, Period],
    *,
    as_of: dt.date,
    return_days: int,
) -> list[GroupRow]:
    """Per therapist (``by="therapist"``) or per service category (``by="category"``), most visits first.

    A visit or appointment belongs to the therapist who gave it, or to the category
    of its service (Lists: services). Groups with no visit in the period are left out.
    """
    period, back = periods
    visits = data.visits.assign(category=_categories(data.visits, data))
    appointments = data.appointments.assign(category=_categories(data.appointments, data))
    when = pd.to_datetime(visits["visit_date"], errors="coerce").dt.normalize()
    seen = visits.loc[
        when.between(pd.Timestamp(period.start), pd.Timestamp(period.end)) & visits["client_id"].notna()
    ].dropna(subset=[by])
    if seen.empty:
        return []
    grouped = seen.groupby(by)
    paid = pd.to_numeric(seen["amount_paid"], errors="coerce").fillna(0.0).groupby(seen[by]).sum()
    rated = pd.to_numeric(seen["satisfaction"], errors="coerce").groupby(seen[by]).mean()
    rebook = rebooking_rate(visits, appointments, start=period.start, end=period.end, by=by)["rate"]
    booked = pd.to_datetime(appointments["booked_at"], errors="coerce").dt.normalize()
    if not (booked <= pd.Timestamp(period.end)).any():  # no booking recorded: rebooking cannot be measured
        rebook = rebook.map(lambda _: None)
    shows = no_show_rate(appointments, start=period.start, end=period.end, by=by)["rate"]
    services = data.lists.get("services") if by == "category" else None
    back_rate = pd.Series(dtype=float)
    if by == "therapist" or services is not None:
        back_rate = return_within(
            data.visits, start=back.start, end=back.end, days=return_days, as_of=as_of, by=by, services=services
        ).set_index(by)["rate"]
    rows = [
        GroupRow(
            name=str(name),
            visits=int(size),
            clients=int(grouped.get_group(name)["client_id"].nunique()),
            revenue=float(paid.get(name, 0.0)),
            rebooking_rate=number(rebook.get(name)),
            no_show_rate=number(shows.get(name)),
            return_within=number(back_rate.get(name)),
            satisfaction=number(rated.get(name)),
        )
        for name, size in grouped.size().items()
    ]
    return sorted(rows, key=lambda r: (-r.visits, r.name))
