"""Retention metrics, each vendor's definition under its own name.

Definitions: docs/metrics.md#retention. Conventions shared by every function
here (docs/metrics.md#conventions, the same as :mod:`sheetkit.analytics.intervals`):

* a client's **visit days** are the distinct dates of their Visits rows on or
  before ``as_of`` (two treatments on one day are one visit day); rows without a
  client or a date are ignored; cancelled and no-show appointments are never visits;
* a **period** P = [start, end] is a closed date range and C = the clients with at
  least one visit day in P; client_status plays no part (a relationship-ended client
  who visited in P is in C: retention is about visits);
* a figure whose observation window reaches past ``as_of`` is **censored**: its
  rate is NaN and ``censored`` is True, never 0 %.

The metrics:

* :func:`return_within` -- *Return within X days* (Zenoti);
* :func:`future_booked` -- *Future-booked* (Timely);
* :func:`returning_share` -- *Returning share* (Square);
* :func:`new_client_conversion` -- *New-client conversion* (Salon Iris);
* :func:`cohort_matrix` -- monthly first-visit cohorts;
* :func:`crr` -- customer retention rate (E - N) / S.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal, NamedTuple

import numpy as np
import pandas as pd

from sheetkit.errors import UsageError

__all__ = [
    "CohortMatrix",
    "cohort_matrix",
    "crr",
    "future_booked",
    "new_client_conversion",
    "return_within",
    "returning_share",
    "visit_days",
]

GroupBy = Literal["branch", "therapist", "category"]

_ALL = "_all"


def _ts(day: dt.date) -> pd.Timestamp:
    return pd.Timestamp(day)


def visit_days(
    visits: pd.DataFrame,
    *,
    as_of: dt.date,
    by: GroupBy | None = None,
    services: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Distinct (client_id, visit_date[, group]) rows with visit_date on or before ``as_of``.

    Dates are normalized to midnight; rows without a client or a date are ignored.
    With ``by`` the group column (``branch``, ``therapist`` or ``category``, the last
    mapped from ``service`` through ``services``' name -> category; the first row of
    a duplicated name wins) is kept and a visit day is counted once per group; rows
    whose group is unknown are dropped.

    >>> v = pd.DataFrame({"client_id": ["C1", "C1", None, "C2"],
    ...                   "visit_date": pd.to_datetime(["2026-01-01 10:00", "2026-01-01 15:00",
    ...                                                 "2026-01-02 09:00", "2026-03-02 09:00"])})
    >>> visit_days(v, as_of=dt.date(2026, 3, 1))["client_id"].tolist()
    ['C1']
    """
    rows = pd.DataFrame(
        {
            "client_id": visits["client_id"],
            "visit_date": pd.to_datetime(visits["visit_date"], errors="coerce").dt.normalize(),
        }
    )
    if by == "category":
        if services is None:
            raise UsageError("by='category' needs services (columns name, category)")
        category = services.drop_duplicates("name").set_index("name")["category"]
        rows[by] = visits["service"].map(category)
    elif by is not None:
        rows[by] = visits[by]
    keep = rows["client_id"].notna() & rows["visit_date"].notna() & (rows["visit_date"] <= _ts(as_of))
    if by is not None:
        keep &= rows[by].notna()
    return rows.loc[keep].drop_duplicates().reset_index(drop=True)


def _between(days: pd.DataFrame, low: pd.Timestamp, high: pd.Timestamp) -> pd.DataFrame:
    """Visit days in the closed range [low, high]."""
    return days.loc[(days["visit_date"] >= low) & (days["visit_date"] <= high)]


def _first_days(days: pd.DataFrame) -> pd.Series:
    """First visit day ever per client."""
    first: pd.Series = days.groupby("client_id")["visit_date"].min()
    return first


def _rate(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator else np.nan


def return_within(
    visits: pd.DataFrame,
    *,
    start: dt.date,
    end: dt.date,
    days: int = 90,
    as_of: dt.date,
    by: GroupBy | None = None,
    services: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """*Return within X days* (Zenoti): share of C with a visit day in (end, end + X].

    C = clients with a visit day in [start, end]. Censored when end + X > ``as_of``:
    then ``returned`` is <NA>, ``rate`` NaN and ``censored`` True.

    One row for the chain (``by=None``; a return to any branch counts), or one row per
    group with at least one client in C. Within a group both the period visit and the
    return must belong to the group: for a branch only a return to that branch counts,
    for a therapist a return to that therapist, for a category a return for a service
    of that category. ``by="category"`` needs ``services`` (name, category).

    Columns: [group,] period_start, period_end, return_days, clients, returned, rate,
    censored.

    >>> v = pd.DataFrame({"client_id": ["C1", "C1", "C2"],
    ...                   "visit_date": pd.to_datetime(["2026-01-05", "2026-02-10", "2026-01-20"])})
    >>> r = return_within(v, start=dt.date(2026, 1, 1), end=dt.date(2026, 1, 31), days=30,
    ...                   as_of=dt.date(2026, 3, 31))
    >>> r.loc[0, ["clients", "returned", "rate"]].astype(float).tolist(), bool(r.loc[0, "censored"])
    ([2.0, 1.0, 0.5], False)
    """
    if days < 1:
        raise UsageError(f"days must be positive, not {days}")
    vd = visit_days(visits, as_of=as_of, by=by, services=services)
    key = by or _ALL
    if by is None:
        vd[_ALL] = _ALL
    end_ts = _ts(end)
    period = _between(vd, _ts(start), end_ts)[[key, "client_id"]].drop_duplicates()
    later = vd.loc[(vd["visit_date"] > end_ts) & (vd["visit_date"] <= end_ts + pd.Timedelta(days=days))]
    back = period.merge(later[[key, "client_id"]].drop_duplicates(), on=[key, "client_id"])
    clients = period.groupby(key)["client_id"].nunique()
    if by is None and clients.empty:
        clients = pd.Series({_ALL: 0})
    returned = back.groupby(key)["client_id"].nunique().reindex(clients.index, fill_value=0)
    censored = end + dt.timedelta(days=days) > as_of
    out = pd.DataFrame(
        {
            "period_start": _ts(start),
            "period_end": end_ts,
            "return_days": days,
            "clients": clients.astype("Int64"),
            "returned": returned.astype("Int64"),
        }
    )
    out["rate"] = [_rate(r, c) for r, c in zip(returned.tolist(), clients.tolist(), strict=True)]
    out["censored"] = censored
    if censored:
        out["returned"] = pd.NA
        out["rate"] = np.nan
    out.index.name = key
    out = out.reset_index()
    return out.drop(columns=_ALL) if by is None else out


def future_booked(
    visits: pd.DataFrame,
    appointments: pd.DataFrame,
    *,
    start: dt.date,
    end: dt.date,
    as_of: dt.date,
    count_unknown_booked_at: bool = False,
) -> pd.DataFrame:
    """*Future-booked* (Timely): share of C holding an appointment scheduled after ``end``.

    C = clients with a visit day in [start, end] (on or before ``as_of``). A client
    of C counts when, as of ``as_of``, they hold an appointment whose status is not
    ``cancelled`` (the status as recorded; no-show and completed ones count), whose
    ``booked_at`` date is on or before ``as_of`` and whose ``scheduled_at`` date is
    after ``end``. An appointment without ``booked_at`` cannot be shown to have been
    booked by ``as_of`` and is left out unless ``count_unknown_booked_at``.

    One row: period_start, period_end, as_of, clients, future_booked, rate.

    >>> v = pd.DataFrame({"client_id": ["C1", "C2"], "visit_date": pd.to_datetime(["2026-01-05", "2026-01-06"])})
    >>> a = pd.DataFrame({"client_id": ["C1"], "scheduled_at": pd.to_datetime(["2026-02-01 10:00"]),
    ...                   "status": ["booked"], "booked_at": pd.to_datetime(["2026-01-05 11:00"])})
    >>> future_booked(v, a, start=dt.date(2026, 1, 1), end=dt.date(2026, 1, 31),
    ...               as_of=dt.date(2026, 1, 31)).loc[0, "rate"]
    np.float64(0.5)
    """
    vd = visit_days(visits, as_of=as_of)
    cohort = set(_between(vd, _ts(start), _ts(end))["client_id"])
    scheduled = pd.to_datetime(appointments["scheduled_at"], errors="coerce").dt.normalize()
    booked = pd.to_datetime(appointments["booked_at"], errors="coerce").dt.normalize()
    booked_ok = booked <= _ts(as_of)
    if count_unknown_booked_at:
        booked_ok |= booked.isna()
    holds = (
        appointments["client_id"].notna() & appointments["status"].ne("cancelled") & booked_ok & (scheduled > _ts(end))
    )
    holders = cohort & set(appointments.loc[holds, "client_id"])
    return pd.DataFrame(
        {
            "period_start": [_ts(start)],
            "period_end": [_ts(end)],
            "as_of": [_ts(as_of)],
            "clients": pd.array([len(cohort)], dtype="Int64"),
            "future_booked": pd.array([len(holders)], dtype="Int64"),
            "rate": [_rate(len(holders), len(cohort))],
        }
    )


def returning_share(visits: pd.DataFrame, *, start: dt.date, end: dt.date, as_of: dt.date) -> pd.DataFrame:
    """*Returning share* (Square): share of C who also had a visit day in the 365 days before ``start``.

    C = clients with a visit day in [start, end], the period cut at ``as_of`` (only
    visit days on or before ``as_of`` are known); "the 365 days before start" is
    [start - 365 days, start - 1 day]. Once ``as_of`` reaches ``end`` the figure is
    final. A period that has not started by ``as_of`` has no client: rate NaN.

    One row: period_start, period_end, clients, returning, rate.

    >>> v = pd.DataFrame({"client_id": ["C1", "C1", "C2"],
    ...                   "visit_date": pd.to_datetime(["2025-06-01", "2026-01-05", "2026-01-06"])})
    >>> returning_share(v, start=dt.date(2026, 1, 1), end=dt.date(2026, 1, 31), as_of=dt.date(2026, 2, 1)).loc[
    ...     0, ["clients", "returning"]].tolist()
    [2, 1]
    """
    vd = visit_days(visits, as_of=min(end, as_of))
    start_ts = _ts(start)
    cohort = set(_between(vd, start_ts, _ts(end))["client_id"])
    before = set(_between(vd, start_ts - pd.Timedelta(days=365), start_ts - pd.Timedelta(days=1))["client_id"])
    returning = cohort & before
    return pd.DataFrame(
        {
            "period_start": [start_ts],
            "period_end": [_ts(end)],
            "clients": pd.array([len(cohort)], dtype="Int64"),
            "returning": pd.array([len(returning)], dtype="Int64"),
            "rate": [_rate(len(returning), len(cohort))],
        }
    )


def new_client_conversion(
    visits: pd.DataFrame,
    *,
    start: dt.date,
    end: dt.date,
    as_of: dt.date,
    visits_needed: int = 2,
    window_days: int = 90,
) -> pd.DataFrame:
    """*New-client conversion* (Salon Iris).

    New clients = clients whose first visit day ever (on or before ``as_of``) lies in
    [start, end]. A new client converts with at least N (``visits_needed``) further
    visit days in (first, first + D] (D = ``window_days``). A new client is censored
    when first + D > ``as_of`` -- even one who already has N further visit days, as
    the definition says -- and is left out of the rate's denominator.

    One row: period_start, period_end, visits_needed, window_days, new_clients,
    censored, eligible (= new_clients - censored), converted, rate
    (= converted / eligible, NaN when nobody is eligible).

    >>> v = pd.DataFrame({"client_id": ["C1", "C1", "C1", "C2"],
    ...                   "visit_date": pd.to_datetime(["2026-01-05", "2026-02-01", "2026-03-01", "2026-01-06"])})
    >>> r = new_client_conversion(v, start=dt.date(2026, 1, 1), end=dt.date(2026, 1, 31), as_of=dt.date(2026, 6, 30))
    >>> r.loc[0, ["new_clients", "converted", "rate"]].astype(float).tolist()
    [2.0, 1.0, 0.5]
    """
    vd = visit_days(visits, as_of=as_of)
    first = _first_days(vd)
    new = first[(first >= _ts(start)) & (first <= _ts(end))]
    window = pd.Timedelta(days=window_days)
    censored = new + window > _ts(as_of)
    judged = new[~censored]
    days = vd.merge(judged.rename("first"), left_on="client_id", right_index=True)
    further = days.loc[(days["visit_date"] > days["first"]) & (days["visit_date"] <= days["first"] + window)]
    counts = further["client_id"].value_counts()
    converted = int((counts >= visits_needed).sum())
    eligible = len(judged)
    return pd.DataFrame(
        {
            "period_start": [_ts(start)],
            "period_end": [_ts(end)],
            "visits_needed": [visits_needed],
            "window_days": [window_days],
            "new_clients": pd.array([len(new)], dtype="Int64"),
            "censored": pd.array([int(censored.sum())], dtype="Int64"),
            "eligible": pd.array([eligible], dtype="Int64"),
            "converted": pd.array([converted], dtype="Int64"),
            "rate": [_rate(converted, eligible)],
        }
    )


class CohortMatrix(NamedTuple):
    """The result of :func:`cohort_matrix`; all three share the cohort index."""

    #: Share of the cohort with a visit day in month cohort + k (rows: cohort month
    #: as a monthly Period, columns: k = 0, 1, ...); NaN for months after as_of's month.
    shares: pd.DataFrame
    #: True where month cohort + k is as_of's own month (the figure is partial).
    partial: pd.DataFrame
    #: Number of clients in each cohort.
    sizes: pd.Series


def cohort_matrix(visits: pd.DataFrame, *, as_of: dt.date) -> CohortMatrix:
    """Monthly first-visit cohorts and the share of each still visiting k months later.

    Cohort = calendar month of a client's first visit day (on or before ``as_of``);
    cell (cohort, k) = share of the cohort with a visit day in calendar month
    cohort + k, so k = 0 is 1.0. Cells whose month lies after ``as_of``'s month are
    NaN (blank); cells in ``as_of``'s own month are flagged in ``partial`` (the month
    is not over). Only months holding at least one first visit are rows; columns run
    from k = 0 to the age in months of the oldest cohort at ``as_of``.

    >>> v = pd.DataFrame({"client_id": ["C1", "C1", "C2"],
    ...                   "visit_date": pd.to_datetime(["2026-01-05", "2026-02-10", "2026-02-01"])})
    >>> m = cohort_matrix(v, as_of=dt.date(2026, 2, 15))
    >>> m.shares.to_numpy().tolist()
    [[1.0, 1.0], [1.0, nan]]
    >>> m.partial.to_numpy().tolist()
    [[False, True], [True, False]]
    """
    vd = visit_days(visits, as_of=as_of)
    month = vd["visit_date"].dt.year * 12 + vd["visit_date"].dt.month - 1
    vd = vd.assign(month=month.astype("int64"))
    cohort = vd.groupby("client_id")["month"].min()
    vd["k"] = vd["month"] - vd["client_id"].map(cohort)
    as_of_month = as_of.year * 12 + as_of.month - 1
    cohorts = np.sort(cohort.unique())
    width = int(as_of_month - cohorts[0]) + 1 if len(cohorts) else 0
    sizes = cohort.value_counts().reindex(cohorts).astype("int64")
    active = vd[["client_id", "k"]].drop_duplicates()
    active["cohort"] = active["client_id"].map(cohort)
    counts = active.groupby(["cohort", "k"]).size().unstack(fill_value=0)
    counts = counts.reindex(index=cohorts, columns=range(width), fill_value=0)
    shares = counts.div(sizes, axis=0).astype(float)
    ages = as_of_month - cohorts[:, None]  # months from each cohort to as_of's month
    ks = np.arange(width)[None, :]
    shares = shares.mask(ks > ages)
    partial = pd.DataFrame(ks == ages, index=shares.index, columns=shares.columns)
    index = pd.PeriodIndex(
        [pd.Period(year=int(m) // 12, month=int(m) % 12 + 1, freq="M") for m in cohorts],
        dtype="period[M]",
        name="cohort",
    )
    columns = pd.RangeIndex(width, name="k")
    shares.index, shares.columns = index, columns
    partial.index, partial.columns = index, columns
    sizes.index = index
    sizes.name = "clients"
    return CohortMatrix(shares=shares, partial=partial, sizes=sizes)


def crr(visits: pd.DataFrame, *, start: dt.date, end: dt.date, as_of: dt.date, active_days: int = 180) -> pd.DataFrame:
    """Customer retention rate CRR = (E - N) / S over P = [start, end].

    A client is active at date t with a visit day in (t - A, t] (A = ``active_days``);
    S = clients active at start - 1 day, E = clients active at end, N = clients whose
    first visit day ever lies in P. The period is cut at ``as_of``: before ``end``,
    E and N are counted at ``as_of`` (only visit days on or before it are known).
    NaN when S = 0; S, E, N are <NA> and CRR NaN while the period has not started.

    One row: period_start, period_end, active_days, S, E, N, crr.

    >>> v = pd.DataFrame({"client_id": ["C1", "C2", "C3"],
    ...                   "visit_date": pd.to_datetime(["2025-12-01", "2025-12-02", "2026-01-10"])})
    >>> r = crr(v, start=dt.date(2026, 1, 1), end=dt.date(2026, 1, 31), as_of=dt.date(2026, 2, 1))
    >>> r.loc[0, ["S", "E", "N", "crr"]].astype(float).tolist()
    [2.0, 3.0, 1.0, 1.0]
    """
    if active_days < 1:
        raise UsageError(f"active_days must be positive, not {active_days}")
    cut = min(end, as_of)
    vd = visit_days(visits, as_of=cut)
    window = pd.Timedelta(days=active_days)
    before = _ts(start) - pd.Timedelta(days=1)
    cut_ts = _ts(cut)
    s = vd.loc[(vd["visit_date"] > before - window) & (vd["visit_date"] <= before), "client_id"].nunique()
    e = vd.loc[(vd["visit_date"] > cut_ts - window) & (vd["visit_date"] <= cut_ts), "client_id"].nunique()
    first = _first_days(vd)
    n = int(((first >= _ts(start)) & (first <= cut_ts)).sum())
    started = cut >= start
    return pd.DataFrame(
        {
            "period_start": [_ts(start)],
            "period_end": [_ts(end)],
            "active_days": [active_days],
            "S": pd.array([s if started else None], dtype="Int64"),
            "E": pd.array([e if started else None], dtype="Int64"),
            "N": pd.array([n if started else None], dtype="Int64"),
            "crr": [_rate(e - n, s) if started else np.nan],
        }
    )
