"""Visit days, intervals, next due and follow-up status per client.

Definitions (docs/metrics.md#visits-and-follow-up) are the same quantities the
workbook's staff-view formula columns compute (see :mod:`sheetkit.template.formulas`):

* a client's **visit days** are the distinct dates of their Visits rows on or
  before ``as_of`` (two treatments on one day are one visit day);
* **mean interval** = (last - first visit day) / (visit days - 1), the seeds'
  "average care interval"; **median interval** is the median of the day
  differences between consecutive visit days;
* **typical interval** = mean of the last 3 intervals when there are at least 3
  (Phorest's rule), else the recommended interval of the category of the most
  recent service (the last Visits row of the last visit day);
* **next due** = last visit day + typical interval;
* **lapsed** = active and days since last visit > max(lapse floor, lapse factor x
  typical interval) (SalonBiz floor 90, factor 2.0 by default); when the typical
  interval is unknown the floor alone applies;
* **overdue** = active, next due before ``as_of`` and not lapsed; **due soon** =
  next due within [as_of, as_of + due-soon lead days]; **never visited** = active
  with no visit day at all. Next due is compared by its calendar day: a next due
  of 16:00 on ``as_of`` (a fractional typical interval) is due on ``as_of``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Final

import numpy as np
import pandas as pd

from sheetkit.analytics.inputs import Source, workbook_inputs
from sheetkit.frames import month_day_column

__all__ = ["birthday_column", "client_intervals", "days_to_birthday", "last_service", "staff_view"]

TYPICAL_INTERVALS: Final = 3


def _visit_rows(visits: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    """Visits with a client and a date on or before ``as_of``, in sheet order."""
    rows = visits.loc[:, ["client_id", "visit_date", *(["service"] if "service" in visits else [])]].copy()
    rows["visit_date"] = pd.to_datetime(rows["visit_date"], errors="coerce").dt.normalize()
    rows["_order"] = np.arange(len(rows))
    keep = rows["client_id"].notna() & rows["visit_date"].notna() & (rows["visit_date"] <= pd.Timestamp(as_of))
    return rows.loc[keep]


def client_intervals(visits: pd.DataFrame, *, as_of: dt.date) -> pd.DataFrame:
    """Per client: visit days, first and last visit day, days since, mean and median interval.

    Returns one row per client with at least one visit day, indexed by client_id.

    >>> v = pd.DataFrame({"client_id": ["C1", "C1", "C1", "C2"],
    ...                   "visit_date": pd.to_datetime(["2026-01-01", "2026-01-01", "2026-01-31", "2026-02-01"])})
    >>> stats = client_intervals(v, as_of=dt.date(2026, 3, 1))
    >>> stats.loc["C1", ["visit_days", "mean_interval_days", "days_since_last_visit"]].tolist()
    [2.0, 30.0, 29.0]
    >>> bool(pd.isna(stats.loc["C2", "mean_interval_days"]))  # one visit day: no interval
    True
    """
    rows = _visit_rows(visits, as_of)
    days = rows.drop_duplicates(["client_id", "visit_date"]).sort_values(["client_id", "visit_date"])
    grouped = days.groupby("client_id", sort=True)["visit_date"]
    out = pd.DataFrame(
        {
            "visit_days": grouped.size().astype("Int64"),
            "first_visit": grouped.min(),
            "last_visit": grouped.max(),
        }
    )
    out.index.name = "client_id"
    out["days_since_last_visit"] = (pd.Timestamp(as_of) - out["last_visit"]).dt.days.astype("Int64")
    span = (out["last_visit"] - out["first_visit"]).dt.days
    out["mean_interval_days"] = (span / (out["visit_days"].astype(float) - 1)).where(out["visit_days"] > 1)
    gaps = days["visit_date"].diff().dt.days.where(days["client_id"].eq(days["client_id"].shift()))
    out["median_interval_days"] = gaps.groupby(days["client_id"]).median().reindex(out.index)
    # Mean of the last 3 intervals = (last - 4th-last visit day) / 3.
    nth = days.groupby("client_id")["visit_date"].nth(-(TYPICAL_INTERVALS + 1))
    nth_by_client = pd.Series(nth.to_numpy(), index=days.loc[nth.index, "client_id"].to_numpy())
    recent = (out["last_visit"] - nth_by_client.reindex(out.index)).dt.days / TYPICAL_INTERVALS
    out["recent_mean_interval_days"] = recent
    return out


def last_service(visits: pd.DataFrame, as_of: dt.date) -> pd.Series:
    """Per client, the service of the last Visits row of the last visit day on or before ``as_of``."""
    rows = _visit_rows(visits, as_of)
    if "service" not in rows:
        return pd.Series(dtype=object)
    last_day = rows.groupby("client_id")["visit_date"].transform("max")
    on_last = rows.loc[rows["visit_date"] == last_day].sort_values("_order")
    return on_last.groupby("client_id")["service"].last()


def _recommended_interval(service: pd.Series, lists: dict[str, pd.DataFrame]) -> pd.Series:
    services = lists.get("services")
    categories = lists.get("categories")
    if services is None or categories is None or service.empty:
        return pd.Series(np.nan, index=service.index, dtype=float)
    # Like MATCH(..., 0): the first row of a duplicated name wins.
    category = service.map(services.drop_duplicates("name").set_index("name")["category"])
    interval = pd.to_numeric(
        categories.drop_duplicates("name").set_index("name")["recommended_interval_days"], errors="coerce"
    )
    return category.map(interval).astype(float)


def days_to_birthday(birth: pd.Series, *, as_of: dt.date) -> pd.Series:
    """Days from ``as_of`` to the next birthday (0 = today); NaN when unknown.

    ``birth`` holds dates or "MM-DD" texts. 29 February falls on 28 February in
    non-leap years.

    >>> days_to_birthday(pd.Series([dt.date(1990, 2, 29 - 1), "02-29", "12-31"]), as_of=dt.date(2027, 2, 27)).tolist()
    [1.0, 1.0, 307.0]
    """
    result: list[float] = []
    for value in birth.tolist():
        month_day = _month_day(value)
        if month_day is None:
            result.append(np.nan)
            continue
        month, day = month_day
        when = _clamped(as_of.year, month, day)
        if when < as_of:
            when = _clamped(as_of.year + 1, month, day)
        result.append(float((when - as_of).days))
    return pd.Series(result, index=birth.index, dtype=float)


def _month_day(value: Any) -> tuple[int, int] | None:
    if isinstance(value, (dt.date, pd.Timestamp)) and not pd.isna(value):
        return value.month, value.day
    if isinstance(value, str) and len(value) == 5 and value[2] == "-":
        try:
            month, day = int(value[:2]), int(value[3:])
        except ValueError:
            return None
        if 1 <= month <= 12 and 1 <= day <= 31:
            return month, day
    return None


def _clamped(year: int, month: int, day: int) -> dt.date:
    last = (dt.date(year + (month == 12), month % 12 + 1, 1) - dt.timedelta(days=1)).day
    return dt.date(year, month, min(day, last))


def birthday_column(clients: pd.DataFrame) -> pd.Series:
    """Each client's birthday: ``birth_month_day`` ("MM-DD"), else ``birth_date`` (frames made without the former)."""
    month_day = month_day_column("birth_date")
    birth = clients["birth_date"] if "birth_date" in clients else pd.Series(None, index=clients.index, dtype=object)
    if month_day not in clients:
        return birth
    known = clients[month_day]
    return known.astype(object).where(known.notna(), birth.astype(object))


def staff_view(
    clients: Source,
    visits: pd.DataFrame | None = None,
    lists: dict[str, pd.DataFrame] | None = None,
    settings: dict[str, Any] | None = None,
    *,
    as_of: dt.date,
) -> pd.DataFrame:
    """The Clients sheet's staff-view columns, computed in Python, one row per client row.

    ``clients`` is a :class:`~sheetkit.ValidationResult` (or its WorkbookData), or,
    as before, the Clients frame followed by visits, lists and settings.

    Columns: last_visit, visit_count, avg_interval_days, next_due,
    days_since_last_visit, follow_up (due_soon / overdue / lapsed / never_visited
    or None), days_to_birthday, typical_interval_days.

    >>> import sheetkit as sk
    >>> staff_view(sk.WorkbookData.empty(), as_of=dt.date(2026, 11, 22)).columns.tolist()[:3]
    ['last_visit', 'visit_count', 'avg_interval_days']
    """
    data = workbook_inputs(clients, visits, lists, settings)
    return _staff_view(data.clients, data.visits, data.lists, data.settings, as_of=as_of)


def _staff_view(
    clients: pd.DataFrame,
    visits: pd.DataFrame,
    lists: dict[str, pd.DataFrame],
    settings: dict[str, Any],
    *,
    as_of: dt.date,
) -> pd.DataFrame:
    stats = client_intervals(visits, as_of=as_of)
    services = last_service(visits, as_of)
    recommended = _recommended_interval(services, lists).reindex(stats.index)
    has_three = stats["visit_days"] > TYPICAL_INTERVALS
    typical = stats["recent_mean_interval_days"].where(has_three, recommended)
    ids = clients["client_id"]
    by_client = stats.reindex(ids.to_numpy())
    by_client.index = clients.index
    typical_c = pd.Series(typical.reindex(ids.to_numpy()).to_numpy(), index=clients.index, dtype=float)
    out = pd.DataFrame(index=clients.index)
    out["last_visit"] = by_client["last_visit"]
    out["visit_count"] = by_client["visit_days"].fillna(0).astype("Int64").where(ids.notna())
    out["avg_interval_days"] = by_client["mean_interval_days"]
    out["next_due"] = by_client["last_visit"] + pd.to_timedelta(typical_c, unit="D")
    out["days_since_last_visit"] = by_client["days_since_last_visit"]
    out["typical_interval_days"] = typical_c
    floor = float(settings.get("lapse_floor_days", 90))
    factor = float(settings.get("lapse_factor", 2.0))
    lead = int(settings.get("due_soon_days", 7))
    as_of_ts = pd.Timestamp(as_of)
    active = clients["client_status"].eq("active") & ids.notna()
    threshold = np.maximum(floor, factor * typical_c.fillna(0))
    since = out["days_since_last_visit"].astype(float)
    never = active & out["visit_count"].fillna(0).eq(0)
    lapsed = active & ~never & (since > threshold)
    due = out["next_due"].dt.floor("D")  # by calendar day, as the workbook's INT(next due)
    overdue = active & ~never & ~lapsed & (due < as_of_ts)
    due_soon = active & ~never & ~lapsed & (due >= as_of_ts) & (due <= as_of_ts + pd.Timedelta(days=lead))
    follow = pd.Series(None, index=clients.index, dtype=object)
    for name, mask in (("never_visited", never), ("lapsed", lapsed), ("overdue", overdue), ("due_soon", due_soon)):
        follow[mask.fillna(False).astype(bool)] = name
    out["follow_up"] = follow
    out["days_to_birthday"] = days_to_birthday(birthday_column(clients), as_of=as_of)
    return out
