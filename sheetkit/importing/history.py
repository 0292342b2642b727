"""A salon's history rebuilt: visits from appointment and transaction exports, first and last visits kept.

* An event row with status *completed* (or none, dated on or before ``as_of``) is a
  visit; *no-show*, *cancelled* and *booked* rows (or none, dated after ``as_of``) are
  appointments. A status word sheetkit does not know stays as typed on the
  appointment, where ``check`` reports it.
* A client list that gives a first or last visit date (Square's *First Visit* and
  *Last Visit*, a hand-made *上次护理日期*) yields a visit on that day when the
  imported history has none, so an imported regular keeps the history that makes
  them a regular: the analytics see their first visit years ago, and never count
  them as a new client. Such a visit's service is the mapping file's default
  service or "Earlier visit (imported)" in the workbook's language.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

__all__ = ["route_events", "visits_from_client_dates"]


def route_events(events: pd.DataFrame, *, as_of: dt.date) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split event rows into (visits, appointments) by status, or by date when there is no status."""
    if events.empty:
        return events.copy(), events.copy()
    status = events["status"].astype(object)
    day = events["when"].astype(str).str.slice(0, 10)
    cutoff = as_of.isoformat()
    dated = day.str.fullmatch(r"\d{4}-\d{2}-\d{2}")
    no_status = status.isna()
    visit = (status == "completed") | (no_status & (~dated | (day <= cutoff)))
    appointments = events[~visit].copy()
    # (A log without a status column has a float NaN column: the word is set on an object column.)
    status = appointments["status"].astype(object)
    appointments["status"] = status.where(status.notna(), "booked")
    return (events.copy(deep=False) if visit.all() else events[visit]), appointments


def visits_from_client_dates(clients: pd.DataFrame, visits: pd.DataFrame, *, service: str) -> pd.DataFrame:
    """Visits on the first and last visit dates a client list gives, where the history has none that day.

    A first visit date counts only when no imported visit of the client is earlier.
    Rows keep the client row's origin (``_t``, ``_r``) for the report.
    """
    rows: list[dict[str, object]] = []
    if not any(source in clients for source in ("first_visit_date", "last_visit")):
        return _no_visits()
    day_of_visit = visits["when"].astype(str).str.slice(0, 10) if not visits.empty else pd.Series(dtype=object)
    have = set(zip(visits["client_id"], day_of_visit, strict=True)) if not visits.empty else set()
    earliest: dict[str, str] = {}
    if not visits.empty:
        earliest = {str(k): str(v) for k, v in day_of_visit.groupby(visits["client_id"]).min().items()}
    for source in ("first_visit_date", "last_visit"):
        if source not in clients:
            continue
        typed = clients.get(f"_txt_{source}", pd.Series(False, index=clients.index))
        for i, when, skip in zip(clients.index, clients[source], typed.astype(bool), strict=True):
            if not isinstance(when, str) or skip or when[:10].count("-") != 2:
                continue
            client = str(clients.at[i, "client_id"])
            day = when[:10]
            if (client, day) in have:
                continue
            if source == "first_visit_date" and earliest.get(client, "9999") <= day:
                continue
            have.add((client, day))
            rows.append(
                {
                    "client_id": client,
                    "when": f"{day} 00:00:00",
                    "service": service,
                    "_t": clients.at[i, "_t"],
                    "_r": clients.at[i, "_r"],
                    "_from": source,
                }
            )
    if not rows:
        return _no_visits()
    out = pd.DataFrame(rows)
    out["status"] = np.nan
    return out


def _no_visits() -> pd.DataFrame:
    return pd.DataFrame(columns=["client_id", "when", "service", "_t", "_r", "_from"])
