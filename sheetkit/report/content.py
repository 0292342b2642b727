"""The content of the manager's weekly report, computed once for every output format.

:func:`build_report` takes a :class:`~sheetkit.issues.ValidationResult` (typed
frames plus Issues) and a :class:`~sheetkit.report.periods.Period` (or an
``as_of`` date) and returns a :class:`WeeklyReport`. Every figure comes from
:mod:`sheetkit.analytics` under the name docs/metrics.md gives it (what the report
shows: docs/metrics.md#weekly-report); nothing here reads the clock.

* **period** (:mod:`sheetkit.report.periods`): the last complete ISO week, a named
  week, or the ISO week containing ``as_of`` cut at it; every figure is computed as
  of the period's end, so entries dated after it do not count. It is compared
  like-for-like with the same weekdays of last week and of the same ISO week last year;
* **KPIs** (:mod:`sheetkit.report.kpis`): each with its good direction, ``None`` with
  a reason when there is no data;
* **tables** (:mod:`sheetkit.report.tables`): the 26-week trend, the cohort matrix
  (Settings ``cohort_months``), per-therapist and per-service-category figures;
* **currencies**: when a chain's branches use different currencies (the
  consolidation's ``currency-differs`` Issue) no amount is added up: money KPIs
  and money columns are ``None`` with the reason ``mixed_currencies``;
* **action lists** (:mod:`sheetkit.report.actions`): lapsed and at-risk clients, due
  next week, birthdays ahead (all consent-aware, leaving out clients followed up
  lately) and open complaints;
* **win-back outcomes** (:func:`~sheetkit.analytics.win_back`): the period's
  follow-ups by reason x outcome and the lapsed / at-risk clients back after one;
* **data quality**: the validation Issues, with the value of any health column withheld.

Health data never enters the report: action lists carry at most the boolean
``safety_flag`` that the analytics compute.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field, replace
from typing import Any, Final

import pandas as pd

from sheetkit.analytics import WinBack, staff_view, win_back
from sheetkit.errors import UnknownLocaleError
from sheetkit.issues import Issue, ValidationResult
from sheetkit.report.actions import OUTREACH, ActionList, build_actions
from sheetkit.report.kpis import Kpi, build_kpis, first_record, kpi_values, without_money
from sheetkit.report.periods import Period, comparison_periods, iso_week, resolve_period, week_label
from sheetkit.report.tables import (
    CohortTable,
    GroupRow,
    TrendPoint,
    category_names,
    cohort_table,
    group_periods,
    group_rows,
    trend,
)
from sheetkit.template import Labels, load_template

__all__ = [
    "HEALTH_COLUMNS",
    "ActionList",
    "CohortTable",
    "GroupRow",
    "Kpi",
    "Period",
    "TrendPoint",
    "WeeklyReport",
    "action_description",
    "action_title",
    "build_report",
    "display_value",
    "header_label",
    "iso_week",
    "kpi_label",
    "period_description",
    "reason_text",
    "report_labels",
    "report_title",
    "therapist_period_label",
]

#: Health columns (template sensitivity "health"): never shown in a report.
HEALTH_COLUMNS: Final = frozenset(
    column.key for sheet in load_template().sheets for column in sheet.columns if column.sensitivity == "health"
)

#: Report columns whose values are keys of a fixed choice list, shown with the locale's labels.
CHOICE_COLUMNS: Final = {
    "preferred_channel": "channel",
    "follow_up": "follow_up",
    "marketing_opt_in": "marketing_opt_in",
}


@dataclass
class WeeklyReport:
    """Everything the weekly report shows, independent of the output format."""

    #: The day the figures are computed for: the end of the period.
    as_of: dt.date
    locale: str
    source: str | None
    currency: str
    return_days: int
    #: This period, the same weekdays last week, the same weekdays of the same ISO week last year.
    periods: tuple[Period, Period, Period]
    kpis: list[Kpi]
    trend: list[TrendPoint]
    cohorts: CohortTable
    #: The last 4 ISO weeks, the period of the therapist and category tables.
    therapist_period: Period
    therapists: list[GroupRow]
    actions: list[ActionList]
    issues: list[Issue] = field(default_factory=list)
    categories: list[GroupRow] = field(default_factory=list)
    #: The weeks whose clients' return within ``return_days`` the therapist and category tables show.
    return_period: Period | None = None
    #: False when the workbook holds no visit and no appointment up to ``as_of``: "no data yet".
    has_data: bool = True
    #: Why every amount is missing (a key of :data:`~sheetkit.report.kpis.REASONS`), e.g. "mixed_currencies".
    money_reason: str | None = None
    #: Follow-ups of the period by reason x outcome, and who came back after one (None: no FollowUps data).
    win_back: WinBack | None = None

    @property
    def period(self) -> Period:
        """The period reported on."""
        return self.periods[0]

    @property
    def title(self) -> str:
        """Report title in the report's locale, e.g. "Weekly report 2026-W47"."""
        return report_title(report_labels(self.locale), self)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary: period, comparisons, KPIs, action and do-not-contact counts, Issue count."""
        _, last_week, last_year = self.periods
        return {
            "period": self.period.to_dict(),
            "compared_with": {"last_week": last_week.to_dict(), "last_year": last_year.to_dict()},
            "has_data": self.has_data,
            "money_reason": self.money_reason,
            "kpis": [k.to_dict() for k in self.kpis],
            "issues": len(self.issues),
            "actions": {a.key: len(a.rows) for a in self.actions},
            "do_not_contact": {a.key: a.do_not_contact for a in self.actions if a.do_not_contact is not None},
            "followed_up": {a.key: a.followed_up for a in self.actions if a.followed_up is not None},
            "no_marketing_consent": {a.key: a.no_consent for a in self.actions if a.no_consent is not None},
            "win_back": None if self.win_back is None else _win_back_dict(self.win_back),
        }


def _win_back_dict(outcomes: WinBack) -> dict[str, Any]:
    returned = outcomes.returned
    return {
        "follow_ups": {
            str(reason): {str(k): int(v) for k, v in row.items()} for reason, row in outcomes.outcomes.iterrows()
        },
        "returned": {
            str(reason): {
                "clients": int(row["clients"]),
                "returned": int(row["returned"]),
                "rate": None if math.isnan(row["rate"]) else float(row["rate"]),
            }
            for reason, row in returned.iterrows()
        },
    }


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
        fields={**issue.fields, "value": hidden} if issue.fields else issue.fields,
    )


def build_report(
    result: ValidationResult, *, period: Period | None = None, as_of: dt.date | None = None
) -> WeeklyReport:
    """Compute the weekly report of ``period`` (from :func:`~sheetkit.report.report_period`).

    ``as_of`` instead of ``period``: the ISO week containing ``as_of``, cut at it.
    Titles are in the locale of ``result``; the writers re-label them in the locale they write.
    """
    chosen = resolve_period(period, as_of)
    day = chosen.end
    data = result.frames
    labels = report_labels(result.locale)
    settings = data.settings
    return_days = int(settings.get("return_window_days", 90))
    views: dict[dt.date, pd.DataFrame] = {}

    def view(when: dt.date) -> pd.DataFrame:
        if when not in views:
            views[when] = staff_view(data.clients, data.visits, data.lists, settings, as_of=when)
        return views[when]

    periods = (chosen, *comparison_periods(chosen))
    since = first_record(data)
    # The consolidation compares every branch's currency with the first branch's: its Issue is the signal.
    money_reason = "mixed_currencies" if any(i.code == "currency-differs" for i in result.issues) else None
    values = tuple(kpi_values(data, p, as_of=day, return_days=return_days, since=since, view=view) for p in periods)
    if money_reason is not None:
        values = tuple(without_money(v, money_reason) for v in values)
    group = group_periods(chosen, return_days)
    names = category_names(load_template(), labels)
    grouped = {
        by: group_rows(
            data, by, group, as_of=day, return_days=return_days, categories=names, money=money_reason is None
        )
        for by in ("therapist", "category")
    }
    return WeeklyReport(
        as_of=day,
        locale=result.locale,
        source=result.source,
        currency=str(settings.get("currency", "")),
        return_days=return_days,
        periods=(periods[0], periods[1], periods[2]),
        kpis=build_kpis((values[0], values[1], values[2]), lambda key: _kpi_text(labels, key, return_days)),
        trend=trend(data, day, money=money_reason is None),
        cohorts=cohort_table(data, day, int(settings.get("cohort_months", 24))),
        therapist_period=group[0],
        therapists=grouped["therapist"],
        categories=grouped["category"],
        return_period=group[1],
        actions=build_actions(data, day, labels, view(day)),
        issues=[_safe_issue(i, labels) for i in result.issues],
        has_data=since is not None and since <= day,
        money_reason=money_reason,
        win_back=win_back(data.follow_ups, data.visits, start=chosen.start, end=chosen.end, as_of=day),
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


def reason_text(labels: Labels, reason: str) -> str:
    """Why a figure is missing ("no appointments in the period"), in the locale of ``labels``."""
    return labels.report[f"reason_{reason}"]


def period_description(labels: Labels, report: WeeklyReport) -> str:
    """What the report covers and what it is compared with, in the locale of ``labels``."""
    this, last_week, last_year = report.periods
    covered = labels.report[f"period_{this.kind}"].format(
        week=this.label, start=this.start.isoformat(), end=this.end.isoformat(), days=this.days
    )
    compared = labels.report["compared_with"].format(
        last_week_start=last_week.start.isoformat(),
        last_week_end=last_week.end.isoformat(),
        last_year_start=last_year.start.isoformat(),
        last_year_end=last_year.end.isoformat(),
    )
    return f"{covered} {compared}"


def action_title(labels: Labels, action: ActionList) -> str:
    """Title of an action list in the locale of ``labels``."""
    return labels.report[f"action_{action.key}_title"]


def action_description(labels: Labels, action: ActionList) -> str:
    """Description of an action list in the locale of ``labels``, with its do-not-contact count."""
    text = labels.report[f"action_{action.key}_description"].format(**action.values)
    if action.key in OUTREACH and action.do_not_contact:
        text += " " + labels.report["do_not_contact"].format(count=action.do_not_contact)
    if action.no_consent:
        text += " " + labels.report["no_marketing_consent"].format(count=action.no_consent)
    if action.followed_up:
        days = action.values.get("quiet_days", "")
        text += " " + labels.report["followed_up_recently"].format(count=action.followed_up, days=days)
    return text


def report_title(labels: Labels, report: WeeklyReport) -> str:
    """Report title in the locale of ``labels``, e.g. "Weekly report 2026-W47"."""
    return labels.report["title"].format(week=report.period.label)


def therapist_period_label(labels: Labels, report: WeeklyReport) -> str:
    """The therapist period ("2026-W44 to 2026-W47") in the locale of ``labels``."""
    period = report.therapist_period
    return labels.report["week_range"].format(start=week_label(period.start), end=week_label(period.end))


def header_label(labels: Labels, key: str) -> str:
    """Column header: the workbook's own header for Clients columns, else the locale's report header."""
    if key in labels.columns.get("clients", {}):
        return labels.header("clients", key)
    return labels.report.get(f"header_{key}", key.replace("_", " ").capitalize())


def display_value(labels: Labels, key: str, value: Any) -> str | float | None:
    """A cell for display: choice keys as locale labels, dates as ISO text, flags as yes/blank.

    An unknown marketing consent reads as a prompt to ask at the next visit.
    """
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if key == "marketing_opt_in" and value == "unknown":
        return labels.report["consent_ask"]
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
