"""What the PatchTests and Consents sheets (template version 2) say about a client.

Shared by :mod:`sheetkit.validation` (the ``patch-test-missing`` and
``consent-mismatch`` checks) and :mod:`sheetkit.analytics` (marketing consent of the
outreach lists), so both read the sheets the same way:

* :func:`latest_consents` -- per client and purpose, the entry that counts: the latest
  date, and on one date the lower row. Never defaulted to yes.
* :func:`uncovered_visits` -- Visits rows whose service needs a patch test
  (Lists ``patch_test_valid_days``) without a passing test of the client dated on or
  before the visit and still valid on the visit day: until ``valid_until``, or, when it
  is blank, for the service's ``patch_test_valid_days`` after the test.
"""

from __future__ import annotations

import datetime as dt
from typing import Final

import numpy as np
import pandas as pd

__all__ = ["PASSED", "latest_consents", "patch_test_days", "uncovered_visits"]

#: The patch-test result that allows a treatment.
PASSED: Final = "pass"


def _dates(frame: pd.DataFrame, key: str) -> pd.Series:
    if key not in frame:
        return pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns]")
    return pd.to_datetime(frame[key], errors="coerce").dt.normalize()


def _text(frame: pd.DataFrame, key: str) -> pd.Series:
    if key not in frame:
        return pd.Series(None, index=frame.index, dtype=object)
    return frame[key].astype(object)


def latest_consents(consents: pd.DataFrame, *, as_of: dt.date | None = None) -> pd.DataFrame:
    """Per (client_id, purpose), the Consents entry that counts: columns decision, date, row (the sheet row).

    Later date wins; on one date the lower row (typed later) wins. Rows without a
    client, purpose, decision or date, and rows dated after ``as_of``, are left out.

    >>> k = pd.DataFrame({"client_id": ["C1", "C1", "C1"], "purpose": ["marketing"] * 3,
    ...                   "decision": ["granted", "withdrawn", "granted"],
    ...                   "date": pd.to_datetime(["2026-01-01", "2026-03-01", "2026-03-01"])}, index=[2, 3, 4])
    >>> latest_consents(k).loc[("C1", "marketing"), "row"]
    np.int64(4)
    """
    if consents.empty:
        empty = pd.DataFrame({"decision": [], "date": [], "row": []})
        empty.index = pd.MultiIndex.from_arrays([[], []], names=["client_id", "purpose"])
        return empty
    rows = pd.DataFrame(
        {
            "client_id": _text(consents, "client_id"),
            "purpose": _text(consents, "purpose"),
            "decision": _text(consents, "decision"),
            "date": _dates(consents, "date"),
            "row": np.asarray(consents.index.get_level_values(-1), dtype="int64"),
            "_order": np.arange(len(consents)),
        },
        index=consents.index,
    ).dropna(subset=["client_id", "purpose", "decision", "date"])
    if as_of is not None:
        rows = rows.loc[rows["date"] <= pd.Timestamp(as_of)]
    rows = rows.sort_values(["date", "_order"], kind="stable")
    latest = rows.groupby(["client_id", "purpose"], sort=True).tail(1)
    return latest.set_index(["client_id", "purpose"]).loc[:, ["decision", "date", "row"]].sort_index()


def patch_test_days(services: pd.DataFrame | None) -> pd.Series:
    """Service name -> days a patch test stays valid, for the services that need one (Lists)."""
    if services is None or "patch_test_valid_days" not in services or "name" not in services:
        return pd.Series(dtype=float)
    days = pd.to_numeric(services["patch_test_valid_days"], errors="coerce")
    table = pd.Series(days.to_numpy(), index=services["name"].astype(object).to_numpy())
    table = table[table.notna() & (table > 0)]
    return table[~table.index.duplicated(keep="first")].astype(float)


def uncovered_visits(visits: pd.DataFrame, patch_tests: pd.DataFrame, services: pd.DataFrame | None) -> pd.Series:
    """The needed validity in days of every Visits row without a valid passing patch test (index = the visit's).

    A visit needs a test when its service has ``patch_test_valid_days``. A test of
    the same client covers it when its result is pass, its date is on or before
    the visit date and the visit date is on or before its ``valid_until`` (blank:
    the test's date + the visit's service's ``patch_test_valid_days``). Visits
    without a client, date or service are left to the other checks.
    """
    days = patch_test_days(services)
    if days.empty or visits.empty:
        return pd.Series(dtype=float)
    need = _text(visits, "service").map(days)
    rows = pd.DataFrame(
        {"client_id": _text(visits, "client_id"), "visit": _dates(visits, "visit_date"), "days": need},
        index=visits.index,
    ).dropna()
    if rows.empty:
        return pd.Series(dtype=float)
    tests = pd.DataFrame(
        {
            "client_id": _text(patch_tests, "client_id"),
            "tested": _dates(patch_tests, "date"),
            "until": _dates(patch_tests, "valid_until"),
            "result": _text(patch_tests, "result"),
        }
    )
    tests = tests.loc[tests["result"].eq(PASSED) & tests["client_id"].notna() & tests["tested"].notna()]
    keyed = rows.assign(_visit_row=np.arange(len(rows)))
    pairs = keyed.merge(tests, on="client_id", how="inner")
    until = pairs["until"].fillna(pairs["tested"] + pd.to_timedelta(pairs["days"], unit="D"))
    valid = (pairs["tested"] <= pairs["visit"]) & (pairs["visit"] <= until)
    covered = set(pairs.loc[valid, "_visit_row"].tolist())
    missing = ~keyed["_visit_row"].isin(covered)
    return rows.loc[missing.to_numpy(), "days"]
