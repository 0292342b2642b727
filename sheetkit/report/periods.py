"""The week a report covers, and the like-for-like weeks it is compared with.

Definitions (docs/metrics.md#weekly-report): a report covers days of one ISO week
(Monday to Sunday), chosen by :func:`report_period`:

* by default the **last complete week**, the Monday to Sunday before ``today``;
* ``week="2026-W49"`` names a week (cut at ``today`` while it is still running);
* ``as_of=D`` is the ISO week containing D, cut at D.

Comparisons are like-for-like (:func:`comparison_periods`): the same weekdays of the
previous ISO week and of the same ISO week one year earlier (week 52 when that year
had no week 53), so a Monday-to-Wednesday period is compared with two other
Monday-to-Wednesday periods. Nothing here reads the clock: the caller passes ``today``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Final, Literal

from sheetkit.errors import UsageError

__all__ = [
    "Period",
    "PeriodKind",
    "comparison_periods",
    "iso_week",
    "parse_week",
    "report_period",
    "resolve_period",
    "same_week_last_year",
    "week_label",
]

#: How a period was chosen: the three ways of choosing a report's period
#: (:func:`report_period`), the two comparison weeks, and a span of several weeks.
PeriodKind = Literal["last_complete_week", "week", "week_to_date", "last_week", "same_week_last_year", "weeks"]

_WEEK: Final = re.compile(r"(\d{4})-?W(\d{1,2})", re.IGNORECASE)


@dataclass(frozen=True)
class Period:
    """A closed date range [start, end] (both days included), and how it was chosen."""

    start: dt.date
    end: dt.date
    kind: PeriodKind = "week"

    @property
    def label(self) -> str:
        """The ISO week ("2026-W47"), or "2026-W44 to 2026-W47" for a span of weeks."""
        first, last = week_label(self.start), week_label(self.end)
        return first if first == last else f"{first} to {last}"

    @property
    def days(self) -> int:
        """Number of days in the period."""
        return (self.end - self.start).days + 1

    @property
    def whole_week(self) -> bool:
        """True for a complete Monday-to-Sunday week."""
        return self.days == 7 and self.start.weekday() == 0

    def to_dict(self) -> dict[str, str]:
        """JSON-ready: start, end (ISO dates), the ISO week label and the kind."""
        return {"start": self.start.isoformat(), "end": self.end.isoformat(), "label": self.label, "kind": self.kind}


def iso_week(day: dt.date) -> tuple[dt.date, dt.date]:
    """Monday and Sunday of the ISO week containing ``day``.

    >>> iso_week(dt.date(2026, 11, 22))
    (datetime.date(2026, 11, 16), datetime.date(2026, 11, 22))
    """
    monday = day - dt.timedelta(days=day.weekday())
    return monday, monday + dt.timedelta(days=6)


def week_label(day: dt.date) -> str:
    """The ISO week of ``day`` as text, the same in every language.

    >>> week_label(dt.date(2027, 1, 1))
    '2026-W53'
    """
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def parse_week(text: str) -> dt.date:
    """The Monday of an ISO week written like ``2026-W49``.

    >>> parse_week("2026-W49")
    datetime.date(2026, 11, 30)
    """
    match = _WEEK.fullmatch(text.strip())
    if match is not None:
        try:
            return dt.date.fromisocalendar(int(match[1]), int(match[2]), 1)
        except ValueError:
            pass
    raise UsageError(f"week {text!r} is not an ISO week like 2026-W49 (weeks 01 to 52, or 53 in some years)")


def report_period(*, today: dt.date, as_of: dt.date | None = None, week: str | None = None) -> Period:
    """The period a weekly report covers (see the module docstring).

    >>> report_period(today=dt.date(2026, 12, 7))  # a Monday: the week before
    Period(start=datetime.date(2026, 11, 30), end=datetime.date(2026, 12, 6), kind='last_complete_week')
    >>> report_period(today=dt.date(2026, 12, 7), as_of=dt.date(2026, 11, 18)).label
    '2026-W47'
    """
    if as_of is not None and week is not None:
        raise UsageError("give a week or an as-of date, not both")
    if week is not None:
        monday = parse_week(week)
        if monday > today:
            raise UsageError(f"week {week_label(monday)} has not started yet (today is {today.isoformat()})")
        end = min(monday + dt.timedelta(days=6), today)
        return Period(monday, end, "week" if end.weekday() == 6 else "week_to_date")
    if as_of is not None:
        if as_of > today:
            raise UsageError(f"{as_of.isoformat()} has not happened yet (today is {today.isoformat()})")
        monday, _ = iso_week(as_of)
        return Period(monday, as_of, "week" if as_of.weekday() == 6 else "week_to_date")
    sunday = today - dt.timedelta(days=today.weekday() + 1)
    return Period(sunday - dt.timedelta(days=6), sunday, "last_complete_week")


def same_week_last_year(day: dt.date) -> dt.date:
    """The same weekday of the same ISO week one year earlier (week 52 when that year had no week 53).

    >>> same_week_last_year(dt.date(2026, 11, 18))  # Wednesday of 2026-W47
    datetime.date(2025, 11, 19)
    """
    year, week, weekday = day.isocalendar()
    try:
        return dt.date.fromisocalendar(year - 1, week, weekday)
    except ValueError:  # last year had no week 53
        return dt.date.fromisocalendar(year - 1, 52, weekday)


def comparison_periods(period: Period) -> tuple[Period, Period]:
    """Like-for-like comparisons of ``period``: the same weekdays last week and in the same ISO week last year.

    >>> last, year = comparison_periods(Period(dt.date(2026, 11, 16), dt.date(2026, 11, 18)))
    >>> last.start, last.end, year.start, year.end
    (datetime.date(2026, 11, 9), datetime.date(2026, 11, 11), datetime.date(2025, 11, 17), datetime.date(2025, 11, 19))
    """
    week_before = dt.timedelta(weeks=1)
    last_week = Period(period.start - week_before, period.end - week_before, "last_week")
    year_start = same_week_last_year(period.start)
    last_year = Period(year_start, year_start + (period.end - period.start), "same_week_last_year")
    return last_week, last_year


def resolve_period(period: Period | None, as_of: dt.date | None) -> Period:
    """The period a library call names: ``period`` itself, or the ISO week containing ``as_of`` cut at it."""
    if period is not None and as_of is not None:
        raise UsageError("give period or as_of, not both")
    if period is not None:
        if period.end < period.start:
            raise UsageError(f"the period ends ({period.end}) before it starts ({period.start})")
        return period
    if as_of is None:
        raise UsageError("give the period to report on (sheetkit.report.report_period) or an as_of date")
    return report_period(today=as_of, as_of=as_of)
