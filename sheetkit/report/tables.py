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

Chain data (frames with a ``branch_code`` column, see :mod:`sheetkit.chain`) keeps
a therapist per branch: two therapists who share a name in two branches are two
rows. Service categories are matched by meaning, not by spelling: a category named
as a template default in any locale ("Facial", "Viso", "Chăm sóc da mặt") is that
default, shown in the report's locale (:func:`category_names`); a category a
branch added itself keeps its own name. When the branches use different currencies
(``money=False``) every amount is ``None``: adding them up would mean nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final, Literal

import pandas as pd

from sheetkit.analytics import cohort_matrix, no_show_rate, rebooking_rate, return_within, weekly_activity
from sheetkit.frames import WorkbookData
from sheetkit.report.kpis import number
from sheetkit.report.periods import Period, iso_week, week_label
from sheetkit.template import Labels, Template

__all__ = [
    "GROUP_WEEKS",
    "TREND_WEEKS",
    "CohortTable",
    "GroupRow",
    "TrendPoint",
    "category_names",
    "cohort_table",
    "group_label",
    "group_periods",
    "group_rows",
    "trend",
]

TREND_WEEKS: Final = 26
#: Weeks covered by the therapist and category tables.
GROUP_WEEKS: Final = 4
#: The chain frames' branch column (:mod:`sheetkit.chain`).
BRANCH: Final = "branch_code"
#: The column holding each row's group while the tables are computed.
_GROUP: Final = "_report_group"
#: Joins a branch code and a therapist's name into one group key (never typed in a cell).
_SEP: Final = "\x1f"


@dataclass(frozen=True)
class TrendPoint:
    """One ISO week of the trend."""

    week: str
    start: dt.date
    visits: int
    #: None when the branches use different currencies.
    revenue: float | None
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
    #: None when the branches use different currencies.
    revenue: float | None
    rebooking_rate: float | None
    no_show_rate: float | None
    #: Return within X days of the clients seen in the return period (None while censored or without clients).
    return_within: float | None
    satisfaction: float | None
    #: The branch code of a chain's therapist (None in a single workbook and for categories).
    branch: str | None = None

    def to_dict(self) -> dict[str, object]:
        """JSON-ready figures of the row."""
        return dict(self.__dict__)


def group_label(row: GroupRow) -> str:
    """A row's name for a chart: "Maria (MI01)" for a chain's therapist, else the name."""
    return row.name if row.branch is None else f"{row.name} ({row.branch})"


def trend(data: WorkbookData, as_of: dt.date, *, money: bool = True) -> list[TrendPoint]:
    """Visits, revenue and no-show rate of the last :data:`TREND_WEEKS` ISO weeks up to ``as_of``.

    ``money=False`` (branches in different currencies): revenue is None.
    """
    weeks = weekly_activity(data.visits, data.appointments, weeks=TREND_WEEKS, as_of=as_of)
    return [
        TrendPoint(
            week=week_label(monday.date()),
            start=monday.date(),
            visits=int(visits),
            revenue=float(revenue) if money else None,
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


def category_names(template: Template, labels: Labels) -> dict[str, str]:
    """Every locale's name of each default service category, mapped to its name in ``labels``' locale.

    A chain's branches name the same category in their own language; this map lets
    the report count "Facial", "Viso" and "Chăm sóc da mặt" as one category.
    """
    names: dict[str, str] = {}
    keys = [str(row["key"]) for row in template.reference_lists["categories"].default_rows]
    for locale in template.locales:
        theirs = template.labels(locale)
        for key in keys:
            names[_folded(theirs.reference_row_name("categories", key))] = labels.reference_row_name("categories", key)
    return names


def _folded(name: str) -> str:
    return " ".join(name.split()).casefold()


def _services(data: WorkbookData, categories: Mapping[str, str]) -> pd.DataFrame | None:
    """The Lists' services (name, category) with each category under its report name (see :func:`category_names`)."""
    services = data.lists.get("services")
    if services is None or not {"name", "category"} <= set(services.columns):
        return None
    named = services["category"].map(lambda c: categories.get(_folded(c), c) if isinstance(c, str) else c)
    return services.drop_duplicates("name").assign(category=named)[["name", "category"]]


def _groups(frame: pd.DataFrame, by: str, services: pd.DataFrame | None) -> pd.Series:
    """The group of each row: its category's report name, or its therapist (with the branch code in a chain)."""
    if by == "category":
        if services is None or "service" not in frame:
            return pd.Series(None, index=frame.index, dtype=object)
        return frame["service"].map(services.set_index("name")["category"])
    therapist = frame[by] if by in frame else pd.Series(None, index=frame.index, dtype=object)
    if BRANCH not in frame:
        return therapist
    return frame[BRANCH].astype(str).str.cat(therapist.astype("string"), sep=_SEP).astype(object)


def group_rows(
    data: WorkbookData,
    by: Literal["therapist", "category"],
    periods: tuple[Period, Period],
    *,
    as_of: dt.date,
    return_days: int,
    categories: Mapping[str, str] | None = None,
    money: bool = True,
) -> list[GroupRow]:
    """Per therapist (``by="therapist"``) or per service category (``by="category"``), most visits first.

    A visit or appointment belongs to the therapist who gave it (in a chain: the
    therapist of that branch), or to the category of its service (Lists: services;
    ``categories`` from :func:`category_names` merges the locales' names of a
    default category). Groups with no visit in the period are left out.
    ``money=False`` (branches in different currencies): revenue is None.
    """
    period, back = periods
    services = _services(data, categories or {})
    # Every analytic groups by a plain column: the group key replaces the therapist's
    # name, so a chain's "Maria" of two branches are two groups.
    visits = data.visits.assign(**{_GROUP: _groups(data.visits, by, services)})
    appointments = data.appointments.assign(**{_GROUP: _groups(data.appointments, by, services)})
    when = pd.to_datetime(visits["visit_date"], errors="coerce").dt.normalize()
    seen = visits.loc[
        when.between(pd.Timestamp(period.start), pd.Timestamp(period.end)) & visits["client_id"].notna()
    ].dropna(subset=[_GROUP])
    if seen.empty:
        return []
    grouped = seen.groupby(_GROUP)
    paid = pd.to_numeric(seen["amount_paid"], errors="coerce").fillna(0.0).groupby(seen[_GROUP]).sum()
    rated = pd.to_numeric(seen["satisfaction"], errors="coerce").groupby(seen[_GROUP]).mean()
    rebook = rebooking_rate(visits, appointments, start=period.start, end=period.end, by=_GROUP)["rate"]
    booked = pd.to_datetime(appointments["booked_at"], errors="coerce").dt.normalize()
    if not (booked <= pd.Timestamp(period.end)).any():  # no booking recorded: rebooking cannot be measured
        rebook = rebook.map(lambda _: None)
    shows = no_show_rate(appointments, start=period.start, end=period.end, by=_GROUP)["rate"]
    back_rate = pd.Series(dtype=float)
    if by == "therapist" or services is not None:
        back_rate = return_within(
            visits.assign(therapist=visits[_GROUP]),
            start=back.start,
            end=back.end,
            days=return_days,
            as_of=as_of,
            by="therapist",
        ).set_index("therapist")["rate"]
    rows = []
    for key, size in grouped.size().items():
        branch, _, name = str(key).rpartition(_SEP) if by == "therapist" and BRANCH in seen else ("", "", str(key))
        rows.append(
            GroupRow(
                name=name,
                visits=int(size),
                clients=int(grouped.get_group(key)["client_id"].nunique()),
                revenue=float(paid.get(key, 0.0)) if money else None,
                rebooking_rate=number(rebook.get(key)),
                no_show_rate=number(shows.get(key)),
                return_within=number(back_rate.get(key)),
                satisfaction=number(rated.get(key)),
                branch=branch or None,
            )
        )
    return sorted(rows, key=lambda r: (-r.visits, r.name, r.branch or ""))
