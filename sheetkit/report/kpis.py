"""The weekly report's KPIs: each figure for the period and its two comparisons, and which way is good.

Every figure comes from :mod:`sheetkit.analytics` under the name docs/metrics.md
gives it (docs/metrics.md#weekly-report). Two rules from the conventions:

* **no data is not zero**: a rate whose denominator is empty is ``None`` with a
  reason (:data:`REASONS`), never 0 %; so is every figure of a period that ends
  before the workbook's first entry, and rebooking when no appointment with a
  booking date was recorded by the end of the period (it cannot be measured);
* **good or bad, not plus or minus**: each KPI knows whether up is good
  (:data:`KPI_SPECS`); :attr:`Kpi.better` says whether the change since last week
  is an improvement (``None`` when there is nothing to compare or no change).

A chain whose branches use different currencies has no money figures
(:func:`without_money`): a sum of euros, pounds and dong is no amount at all.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final, Literal

import pandas as pd

from sheetkit.analytics import (
    average_visit_value,
    cancellation_rate,
    late_cancellation_rate,
    new_client_conversion,
    no_show_rate,
    rebooking_rate,
    return_within,
    spend,
)
from sheetkit.frames import WorkbookData
from sheetkit.report.periods import Period

__all__ = [
    "KPI_SPECS",
    "REASONS",
    "Kpi",
    "KpiSpec",
    "build_kpis",
    "first_record",
    "kpi_values",
    "number",
    "without_money",
]

KpiKind = Literal["count", "money", "rate"]

#: Why a figure is ``None`` (labels: ``report.reason_<key>`` in the locale files).
REASONS: Final = (
    "no_records",  # the period ends before the workbook's first entry (or it has none)
    "no_visits",  # no visit in the period: nothing to divide by
    "no_appointments",  # no appointment scheduled in the period
    "no_bookings_recorded",  # no appointment with a booking date by the period's end: rebooking unmeasurable
    "not_yet",  # censored: the return window has not passed yet
    "no_cancellation_times",  # cancellations without cancelled_at (template v1): none can be shown late
    "mixed_currencies",  # a chain whose branches use different currencies: amounts cannot be added up
)


@dataclass(frozen=True)
class KpiSpec:
    """A KPI's key (labels: ``report.kpi_<key>``), its kind and whether a rise is good."""

    key: str
    kind: KpiKind
    higher_is_better: bool


#: The KPIs in report order.
KPI_SPECS: Final = (
    KpiSpec("visits", "count", True),
    KpiSpec("visit_days", "count", True),
    KpiSpec("clients", "count", True),
    KpiSpec("new_clients", "count", True),
    KpiSpec("revenue", "money", True),
    KpiSpec("average_visit_value", "money", True),
    KpiSpec("rebooking_rate", "rate", True),
    KpiSpec("no_show_rate", "rate", False),
    KpiSpec("cancellation_rate", "rate", False),
    KpiSpec("late_cancellation_rate", "rate", False),
    KpiSpec("return_within", "rate", True),
    KpiSpec("lapsed_clients", "count", False),
)

#: The three figures of a KPI row, as named in :meth:`Kpi.to_dict` and :attr:`Kpi.reasons`.
SLOTS: Final = ("this", "last_week", "last_year")


@dataclass(frozen=True)
class Kpi:
    """One KPI row: this period, the same weekdays last week and in the same ISO week last year.

    A figure is ``None`` when there is no data or it cannot be judged yet;
    ``reasons`` then maps its slot (``"this"``, ``"last_week"``, ``"last_year"``)
    to a key of :data:`REASONS`.
    """

    key: str
    label: str
    kind: KpiKind
    this: float | None
    last_week: float | None
    last_year: float | None
    higher_is_better: bool
    reasons: Mapping[str, str] = field(default_factory=dict)

    @property
    def change(self) -> float | None:
        """Change since last week: the difference of two rates (0.05 = 5 points), else relative (0.1 = +10 %).

        ``None`` when either figure is missing, or for a count or amount that was 0 last week.
        """
        if self.this is None or self.last_week is None:
            return None
        if self.kind == "rate":
            return self.this - self.last_week
        if self.last_week == 0:
            return None
        return self.this / self.last_week - 1

    @property
    def better(self) -> bool | None:
        """True when the change since last week is an improvement, False when it is worse, None without change."""
        change = self.change
        if change is None or change == 0:
            return None
        return (change > 0) == self.higher_is_better

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: key, kind, this, last_week, last_year, change, better, reasons."""
        return {
            "key": self.key,
            "kind": self.kind,
            "this": self.this,
            "last_week": self.last_week,
            "last_year": self.last_year,
            "change": self.change,
            "better": self.better,
            "higher_is_better": self.higher_is_better,
            "reasons": dict(self.reasons),
        }


def number(value: Any) -> float | None:
    """A float, or None for a missing value (None, <NA>, NaN)."""
    if value is None or value is pd.NA:
        return None
    result = float(value)
    return None if math.isnan(result) else result


def first_record(data: WorkbookData) -> dt.date | None:
    """The earliest visit or appointment date in the workbook (None when it holds neither)."""
    dates = [
        pd.to_datetime(data.visits["visit_date"], errors="coerce").min(),
        pd.to_datetime(data.appointments["scheduled_at"], errors="coerce").min(),
    ]
    known = [d for d in dates if not pd.isna(d)]
    return min(known).date() if known else None


Figure = tuple[float | None, str | None]


def _rate(value: Any, denominator: float, reason: str) -> Figure:
    return (None, reason) if denominator == 0 else (number(value), None)


def kpi_values(
    data: WorkbookData,
    period: Period,
    *,
    as_of: dt.date,
    return_days: int,
    since: dt.date | None,
    view: Callable[[dt.date], pd.DataFrame],
) -> dict[str, Figure]:
    """Every KPI of one period as (value, reason); ``since`` = :func:`first_record`.

    ``view(day)`` gives the :func:`~sheetkit.analytics.staff_view` as of ``day`` (the lapsed count is
    taken at the end of the period). Figures are computed as of ``as_of``, the end of
    the report's period, so nothing after it counts.
    """
    if since is None or period.end < since:
        return {spec.key: (None, "no_records") for spec in KPI_SPECS}
    start, end = period.start, period.end
    spent = spend(data.visits, start=start, end=end, as_of=as_of)
    rebook = rebooking_rate(data.visits, data.appointments, start=start, end=end, window="same_day")
    visit_days = float(rebook["visit_days"].iloc[0])
    back = return_within(data.visits, start=start, end=end, days=return_days, as_of=as_of)
    shows = no_show_rate(data.appointments, start=start, end=end)
    cancels = cancellation_rate(data.appointments, start=start, end=end)
    late = _late_cancellations(data, start, end)
    visits = float(spent["period_visits"].sum())
    booked = pd.to_datetime(data.appointments["booked_at"], errors="coerce").dt.normalize()
    rebooking = _rate(rebook["rate"].iloc[0], visit_days, "no_visits")
    if visit_days and not (booked <= pd.Timestamp(end)).any():
        rebooking = (None, "no_bookings_recorded")
    returned: Figure = _rate(back["rate"].iloc[0], float(back["clients"].iloc[0]), "no_visits")
    if bool(back["censored"].iloc[0]):
        returned = (None, "not_yet")
    new = new_client_conversion(data.visits, start=start, end=end, as_of=as_of)["new_clients"].iloc[0]
    lapsed = view(end)["follow_up"].eq("lapsed").sum()
    return {
        "visits": (visits, None),
        "visit_days": (visit_days, None),
        "clients": (float((spent["period_visits"] > 0).sum()), None),
        "new_clients": (number(new), None),
        "revenue": (float(spent["period_total"].sum()), None),
        "average_visit_value": _rate(average_visit_value(data.visits, start=start, end=end), visits, "no_visits"),
        "rebooking_rate": rebooking,
        "no_show_rate": _rate(shows["rate"].iloc[0], float(shows["appointments"].iloc[0]), "no_appointments"),
        "cancellation_rate": _rate(cancels["rate"].iloc[0], float(cancels["appointments"].iloc[0]), "no_appointments"),
        "late_cancellation_rate": late,
        "return_within": returned,
        "lapsed_clients": (float(lapsed), None),
    }


def _late_cancellations(data: WorkbookData, start: dt.date, end: dt.date) -> Figure:
    """The late-cancellation rate; no figure when cancellations were made but none records when."""
    late = late_cancellation_rate(data.appointments, start=start, end=end)
    figure = _rate(late["rate"].iloc[0], float(late["appointments"].iloc[0]), "no_appointments")
    appointments = data.appointments
    cancelled = appointments["status"].eq("cancelled").fillna(False).astype(bool) if "status" in appointments else None
    if figure[0] is not None and cancelled is not None and cancelled.any():
        times = appointments["cancelled_at"] if "cancelled_at" in appointments else pd.Series(dtype=object)
        if not times.reindex(cancelled.index[cancelled]).notna().any():
            return None, "no_cancellation_times"
    return figure


def build_kpis(
    values: tuple[dict[str, Figure], dict[str, Figure], dict[str, Figure]],
    label: Callable[[str], str],
) -> list[Kpi]:
    """KPI rows from the figures of this period, last week and last year."""
    rows = []
    for spec in KPI_SPECS:
        figures = [v[spec.key] for v in values]
        reasons = {slot: reason for slot, (_, reason) in zip(SLOTS, figures, strict=True) if reason is not None}
        this, last_week, last_year = (value for value, _ in figures)
        rows.append(
            Kpi(spec.key, label(spec.key), spec.kind, this, last_week, last_year, spec.higher_is_better, reasons)
        )
    return rows


def without_money(values: dict[str, Figure], reason: str) -> dict[str, Figure]:
    """``values`` with every money KPI ``None`` for ``reason`` (a key of :data:`REASONS`); counts and rates stay."""
    money = {spec.key for spec in KPI_SPECS if spec.kind == "money"}
    return {key: (None, reason) if key in money else figure for key, figure in values.items()}
