"""The content of the manager's weekly report, computed once for every output format.

:func:`build_report` takes a :class:`~sheetkit.issues.ValidationResult` (typed
frames plus Issues) and an explicit ``as_of`` date and returns a
:class:`WeeklyReport`. Every figure comes from :mod:`sheetkit.analytics` under the
name docs/metrics.md gives it (what the report shows: docs/metrics.md#weekly-report);
nothing here reads the clock.

* **period** = the ISO week containing ``as_of``, cut at ``as_of`` (no visit after
  ``as_of`` counts); compared with the previous ISO week and the same ISO week last
  year (week 52 when last year had no week 53);
* **KPIs** per period: visits (Visits rows), visit days, clients, new clients (first
  visit day ever in the period), revenue, average visit value, rebooking rate
  (same day, Phorest), no-show rate, cancellation rate, return within X days
  (Zenoti; ``None`` while censored);
* **trend**: visits, revenue and no-show rate of the last 26 ISO weeks;
* **cohorts**: the last 12 monthly first-visit cohorts (:func:`cohort_matrix`);
* **therapists**: visits and mean satisfaction over the last 4 ISO weeks;
* **action lists**: lapsed and at-risk clients (:func:`call_list`), due next week,
  birthdays ahead and open complaints;
* **data quality**: the validation Issues, with the value of any health column
  withheld.

Health data never enters the report: action lists carry at most the boolean
``safety_flag`` that the analytics compute.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Final

import pandas as pd

from sheetkit.analytics import (
    average_visit_value,
    birthdays_ahead,
    call_list,
    cancellation_rate,
    cohort_matrix,
    due_next_week,
    new_client_conversion,
    no_show_rate,
    open_complaints,
    rebooking_rate,
    return_within,
    spend,
    staff_view,
    weekly_activity,
)
from sheetkit.errors import UnknownLocaleError
from sheetkit.issues import Issue, ValidationResult
from sheetkit.template import Labels, load_template

__all__ = [
    "HEALTH_COLUMNS",
    "ActionList",
    "CohortTable",
    "Kpi",
    "Period",
    "TherapistRow",
    "TrendPoint",
    "WeeklyReport",
    "action_description",
    "action_title",
    "build_report",
    "display_value",
    "header_label",
    "iso_week",
    "kpi_label",
    "report_labels",
    "report_title",
    "therapist_period_label",
]

TREND_WEEKS: Final = 26
COHORTS: Final = 12
THERAPIST_WEEKS: Final = 4

#: Health columns (template sensitivity "health"): never shown in a report.
HEALTH_COLUMNS: Final = frozenset(
    column.key for sheet in load_template().sheets for column in sheet.columns if column.sensitivity == "health"
)

#: Report columns whose values are keys of a fixed choice list, shown with the locale's labels.
CHOICE_COLUMNS: Final = {"preferred_channel": "channel", "follow_up": "follow_up"}


@dataclass(frozen=True)
class Period:
    """A closed date range [start, end]; ``end`` is already cut at ``as_of``."""

    label: str
    start: dt.date
    end: dt.date


@dataclass(frozen=True)
class Kpi:
    """One KPI row: this week, last week and the same ISO week last year (None = not available / censored)."""

    key: str
    label: str
    kind: str  # "count", "money", "rate"
    this_week: float | None
    last_week: float | None
    last_year: float | None


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
    """The last cohorts of the cohort matrix: shares[i][k] in 0..1, None when not yet observable."""

    cohorts: list[str]
    sizes: list[int]
    shares: list[list[float | None]]
    partial: list[list[bool]]


@dataclass(frozen=True)
class TherapistRow:
    """Visits and mean satisfaction (None without ratings) of one therapist in the last 4 weeks."""

    therapist: str
    visits: int
    satisfaction: float | None


@dataclass(frozen=True)
class ActionList:
    """A list of clients or complaints to act on; ``rows`` holds canonical values."""

    key: str
    title: str
    description: str
    rows: pd.DataFrame
    #: Placeholder values of the localized description (e.g. ``days`` for birthdays).
    values: Mapping[str, Any] = field(default_factory=dict)


@dataclass
class WeeklyReport:
    """Everything the weekly report shows, independent of the output format."""

    as_of: dt.date
    locale: str
    source: str | None
    currency: str
    return_days: int
    periods: tuple[Period, Period, Period]
    kpis: list[Kpi]
    trend: list[TrendPoint]
    cohorts: CohortTable
    therapist_period: Period
    therapists: list[TherapistRow]
    actions: list[ActionList]
    issues: list[Issue] = field(default_factory=list)

    @property
    def period(self) -> Period:
        """This week."""
        return self.periods[0]

    @property
    def title(self) -> str:
        """Report title in the report's locale, e.g. "Weekly report 2026-W47"."""
        return report_title(report_labels(self.locale), self)


def iso_week(day: dt.date) -> tuple[dt.date, dt.date]:
    """Monday and Sunday of the ISO week containing ``day``.

    >>> iso_week(dt.date(2026, 11, 22))
    (datetime.date(2026, 11, 16), datetime.date(2026, 11, 22))
    """
    monday = day - dt.timedelta(days=day.weekday())
    return monday, monday + dt.timedelta(days=6)


def _week_label(day: dt.date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def _period(start: dt.date, as_of: dt.date) -> Period:
    monday, sunday = iso_week(start)
    return Period(_week_label(monday), monday, min(sunday, as_of))


def _same_week_last_year(day: dt.date) -> dt.date:
    year, week, weekday = day.isocalendar()
    try:
        return dt.date.fromisocalendar(year - 1, week, weekday)
    except ValueError:  # last year had no week 53
        return dt.date.fromisocalendar(year - 1, 52, weekday)


def _num(value: Any) -> float | None:
    if value is None or value is pd.NA:
        return None
    number = float(value)
    return None if math.isnan(number) else number


def _kpis_for(result: ValidationResult, period: Period, as_of: dt.date, return_days: int) -> dict[str, float | None]:
    data = result.frames
    if period.end < period.start:  # the whole period lies after as_of
        return {}
    start, end = period.start, period.end
    spent = spend(data.visits, start=start, end=end, as_of=as_of)
    rebook = rebooking_rate(data.visits, data.appointments, start=start, end=end, window="same_day")
    back = return_within(data.visits, start=start, end=end, days=return_days, as_of=as_of)
    return {
        "visits": float(spent["period_visits"].sum()),
        "visit_days": float(rebook["visit_days"].iloc[0]),
        "clients": float((spent["period_visits"] > 0).sum()),
        "new_clients": _num(new_client_conversion(data.visits, start=start, end=end, as_of=as_of)["new_clients"][0]),
        "revenue": float(spent["period_total"].sum()),
        "average_visit_value": _num(average_visit_value(data.visits, start=start, end=end)),
        "rebooking_rate": _num(rebook["rate"].iloc[0]),
        "no_show_rate": _num(no_show_rate(data.appointments, start=start, end=end)["rate"].iloc[0]),
        "cancellation_rate": _num(cancellation_rate(data.appointments, start=start, end=end)["rate"].iloc[0]),
        "return_within": None if bool(back["censored"].iloc[0]) else _num(back["rate"].iloc[0]),
    }


#: KPI keys and kinds, in report order; labels are ``report.kpi_<key>`` in the locale files.
KPI_KINDS: Final = (
    ("visits", "count"),
    ("visit_days", "count"),
    ("clients", "count"),
    ("new_clients", "count"),
    ("revenue", "money"),
    ("average_visit_value", "money"),
    ("rebooking_rate", "rate"),
    ("no_show_rate", "rate"),
    ("cancellation_rate", "rate"),
    ("return_within", "rate"),
)


def _trend(result: ValidationResult, as_of: dt.date) -> list[TrendPoint]:
    data = result.frames
    weeks = weekly_activity(data.visits, data.appointments, weeks=TREND_WEEKS, as_of=as_of)
    return [
        TrendPoint(
            week=_week_label(monday.date()),
            start=monday.date(),
            visits=int(visits),
            revenue=float(revenue),
            no_show_rate=_num(rate),
        )
        for monday, visits, revenue, rate in zip(
            weeks["week_start"], weeks["visits"], weeks["revenue"], weeks["no_show_rate"], strict=True
        )
    ]


def _cohorts(result: ValidationResult, as_of: dt.date) -> CohortTable:
    matrix = cohort_matrix(result.frames.visits, as_of=as_of)
    shares = matrix.shares.tail(COHORTS).iloc[:, :COHORTS]
    partial = matrix.partial.tail(COHORTS).iloc[:, :COHORTS]
    return CohortTable(
        cohorts=[str(p) for p in shares.index],
        sizes=[int(s) for s in matrix.sizes.tail(COHORTS).tolist()],
        shares=[[_num(v) for v in row] for row in shares.to_numpy().tolist()],
        partial=[[bool(v) for v in row] for row in partial.to_numpy().tolist()],
    )


def _therapists(result: ValidationResult, period: Period, as_of: dt.date) -> list[TherapistRow]:
    visits = result.frames.visits
    spent = spend(visits, start=period.start, end=period.end, as_of=as_of, by="therapist")
    load = spent["period_visits"].groupby(level="therapist").sum()
    when = pd.to_datetime(visits["visit_date"], errors="coerce").dt.normalize()
    in_period = when.between(pd.Timestamp(period.start), pd.Timestamp(period.end)) & visits["client_id"].notna()
    rated = pd.to_numeric(visits.loc[in_period, "satisfaction"], errors="coerce")
    mean = rated.groupby(visits.loc[in_period, "therapist"]).mean()
    rows = [
        TherapistRow(str(name), int(count), _num(mean.get(name)))
        for name, count in load.items()
        if int(count) > 0 and isinstance(name, str)
    ]
    return sorted(rows, key=lambda r: (-r.visits, r.therapist))


def _action(labels: Labels, key: str, rows: pd.DataFrame, **values: Any) -> ActionList:
    title = labels.report[f"action_{key}_title"]
    description = labels.report[f"action_{key}_description"].format(**values)
    return ActionList(key, title, description, rows, values)


def _actions(result: ValidationResult, as_of: dt.date, labels: Labels) -> list[ActionList]:
    data = result.frames
    args = (data.clients, data.visits, data.lists, data.settings)
    call_columns = [
        "client_id",
        "full_name",
        "phone",
        "preferred_channel",
        "assigned_therapist",
        "follow_up",
        "last_service",
        "last_visit",
        "days_since_last_visit",
        "next_due",
        "safety_flag",
    ]
    view = staff_view(*args, as_of=as_of)  # computed once for the three client lists
    lapsed = call_list(*args, as_of=as_of, which="lapsed", view=view).assign(follow_up="lapsed")
    at_risk = call_list(*args, as_of=as_of, which="at_risk", view=view).assign(follow_up="overdue")
    due = due_next_week(*args, as_of=as_of, view=view).assign(follow_up="due_soon")
    due_columns = [*call_columns[:7], "next_due", "days_until_due", "safety_flag"]
    birthdays = birthdays_ahead(data.clients, as_of=as_of, settings=data.settings)
    complaints = open_complaints(data.feedback, as_of=as_of)
    names = data.clients.drop_duplicates("client_id").set_index("client_id")["full_name"]
    complaints.insert(3, "full_name", complaints["client_id"].map(names))
    lead = int(data.settings.get("birthday_lead_days", 7))
    return [
        _action(labels, "lapsed", lapsed.loc[:, call_columns]),
        _action(labels, "at_risk", at_risk.loc[:, call_columns]),
        _action(labels, "due_next_week", due.loc[:, due_columns]),
        _action(labels, "birthdays", birthdays, days=lead),
        _action(labels, "open_complaints", complaints),
    ]


def _safe_issue(issue: Issue, labels: Labels) -> Issue:
    """The Issue without the offending value when it sits in a health column."""
    if issue.column_key not in HEALTH_COLUMNS or not issue.value:
        return issue
    hidden = labels.report["hidden_health"]
    return replace(
        issue,
        value=hidden,
        message=issue.message.replace(issue.value, hidden),
        message_en=issue.message_en.replace(issue.value, hidden),
    )


def build_report(result: ValidationResult, *, as_of: dt.date) -> WeeklyReport:
    """Compute the weekly report of the ISO week containing ``as_of``.

    Titles are in the locale of ``result``; the writers re-label them in the locale they write.
    """
    labels = report_labels(result.locale)
    settings = result.frames.settings
    return_days = int(settings.get("return_window_days", 90))
    monday, _ = iso_week(as_of)
    periods = (
        _period(monday, as_of),
        _period(monday - dt.timedelta(weeks=1), as_of),
        _period(_same_week_last_year(monday), as_of),
    )
    values = [_kpis_for(result, p, as_of, return_days) for p in periods]
    kpis = [
        Kpi(
            key,
            _kpi_text(labels, key, return_days),
            kind,
            values[0].get(key),
            values[1].get(key),
            values[2].get(key),
        )
        for key, kind in KPI_KINDS
    ]
    therapist_period = Period(
        labels.report["week_range"].format(
            start=_week_label(monday - dt.timedelta(weeks=THERAPIST_WEEKS - 1)), end=periods[0].label
        ),
        monday - dt.timedelta(weeks=THERAPIST_WEEKS - 1),
        periods[0].end,
    )
    return WeeklyReport(
        as_of=as_of,
        locale=result.locale,
        source=result.source,
        currency=str(settings.get("currency", "")),
        return_days=return_days,
        periods=periods,
        kpis=kpis,
        trend=_trend(result, as_of),
        cohorts=_cohorts(result, as_of),
        therapist_period=therapist_period,
        therapists=_therapists(result, therapist_period, as_of),
        actions=_actions(result, as_of, labels),
        issues=[_safe_issue(i, labels) for i in result.issues],
    )


# --------------------------------------------------------------------------- display helpers for the writers


def report_labels(locale: str | None) -> Labels:
    """Labels of ``locale`` in the canonical template, or of its default locale when unknown."""
    template = load_template()
    try:
        return template.labels(locale)
    except UnknownLocaleError:
        return template.labels()


def _kpi_text(labels: Labels, key: str, return_days: int) -> str:
    return labels.report[f"kpi_{key}"].format(days=return_days)


def kpi_label(labels: Labels, kpi: Kpi, report: WeeklyReport) -> str:
    """Label of a KPI row in the locale of ``labels``."""
    return _kpi_text(labels, kpi.key, report.return_days)


def action_title(labels: Labels, action: ActionList) -> str:
    """Title of an action list in the locale of ``labels``."""
    return labels.report[f"action_{action.key}_title"]


def action_description(labels: Labels, action: ActionList) -> str:
    """Description of an action list in the locale of ``labels``."""
    return labels.report[f"action_{action.key}_description"].format(**action.values)


def report_title(labels: Labels, report: WeeklyReport) -> str:
    """Report title in the locale of ``labels``, e.g. "Weekly report 2026-W47"."""
    return labels.report["title"].format(week=report.period.label)


def therapist_period_label(labels: Labels, report: WeeklyReport) -> str:
    """The therapist period ("2026-W44 to 2026-W47") in the locale of ``labels``."""
    period = report.therapist_period
    return labels.report["week_range"].format(start=_week_label(period.start), end=report.period.label)


def header_label(labels: Labels, key: str) -> str:
    """Column header: the workbook's own header for Clients columns, else the locale's report header."""
    if key in labels.columns.get("clients", {}):
        return labels.header("clients", key)
    return labels.report.get(f"header_{key}", key.replace("_", " ").capitalize())


def display_value(labels: Labels, key: str, value: Any) -> str | float | None:
    """A cell for display: choice keys as locale labels, dates as ISO text, flags as yes/blank."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if key in CHOICE_COLUMNS:
        return labels.choices[CHOICE_COLUMNS[key]].get(str(value), str(value))
    if key == "safety_flag":
        return labels.choices["yes_no"]["yes"] if bool(value) else ""
    if isinstance(value, (pd.Timestamp, dt.datetime)):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return labels.choices["yes_no"]["yes" if value else "no"]
    if isinstance(value, (int, float)):
        return float(value)
    if hasattr(value, "item"):  # numpy scalars
        item = value.item()
        return float(item) if isinstance(item, (int, float)) else str(item)
    return str(value)
