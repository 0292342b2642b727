"""Record keeping: which ended relationships are past the retention period, and erased clients' tombstones.

**Retention period** (Settings ``retention_years``, default 6): a client whose
``client_status`` is ``relationship_ended`` and whose *last activity* lies more
than that many years before ``today`` should be erased (``sheetkit forget``).
Last activity is the client's latest visit date; for a client without visits, the
latest of ``first_visit_date``, ``consent_date`` and the dates of their Consents
rows. A client with none of these is never listed: nothing says how old the
record is. Erased clients (their tombstone rows, ID ``ERASED-...``) are never listed.

:func:`retention_issues` turns the list into ``retention-period-passed`` warnings
for ``sheetkit check``, each with the command that erases the client.
"""

from __future__ import annotations

import datetime as dt
import shlex
from typing import Final

import pandas as pd

from sheetkit.frames import WorkbookData, row_of
from sheetkit.issues import Issue
from sheetkit.read.workbook import Workbook

__all__ = ["TOMBSTONE_PREFIX", "forget_command", "is_tombstone", "retention_issues", "retention_passed"]

#: The client ID that stands for an erased client in the rows kept for the books.
TOMBSTONE_PREFIX: Final = "ERASED-"
_ENDED: Final = "relationship_ended"
_DEFAULT_YEARS: Final = 6


def is_tombstone(client_id: object) -> bool:
    """True for the ID of an erased client (``ERASED-`` + 8 hex digits)."""
    return isinstance(client_id, str) and client_id.startswith(TOMBSTONE_PREFIX)


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=day.year - years, day=28)


def _latest(frame: pd.DataFrame, date_column: str) -> pd.Series:
    """Latest date per client ID of one sheet (empty when the sheet or column is missing)."""
    if frame.empty or "client_id" not in frame or date_column not in frame:
        return pd.Series(dtype="datetime64[ns]")
    dates = pd.to_datetime(frame[date_column], errors="coerce")
    ids = frame["client_id"].astype("string").str.strip()
    return dates.groupby(ids).max().dropna()


def _as_dates(values: pd.Series) -> pd.Series:
    """Values as datetime64 (a mapped column with nothing found is float NaN)."""
    if pd.api.types.is_datetime64_any_dtype(values):
        return values.astype("datetime64[ns]")
    return pd.to_datetime(values.astype(object), errors="coerce").astype("datetime64[ns]")


def _dates(frame: pd.DataFrame, column: str) -> pd.Series:
    if column not in frame:
        return pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns]")
    return _as_dates(frame[column])


def retention_passed(data: WorkbookData, *, today: dt.date, years: int | None = None) -> pd.DataFrame:
    """Ended relationships whose last activity is more than ``years`` (Settings) years before ``today``.

    Indexed like the Clients frame (its sheet rows), with ``client_id`` and
    ``last_activity``, oldest first.

    >>> clients = pd.DataFrame({"client_id": ["C1", "C2", "C3"],
    ...     "client_status": ["relationship_ended", "active", "relationship_ended"],
    ...     "first_visit_date": pd.to_datetime(["2015-01-01", "2010-01-01", "2024-01-01"])}, index=[2, 3, 4])
    >>> visits = pd.DataFrame({"client_id": ["C1"], "visit_date": pd.to_datetime(["2019-06-01"])})
    >>> empty = pd.DataFrame()
    >>> data = WorkbookData(clients=clients, visits=visits, appointments=empty, feedback=empty)
    >>> retention_passed(data, today=dt.date(2026, 11, 22))["client_id"].tolist()
    ['C1']
    """
    years = int(years if years is not None else data.settings.get("retention_years") or _DEFAULT_YEARS)
    clients = data.clients
    columns = {"client_id": pd.Series(dtype="string"), "last_activity": pd.Series(dtype="datetime64[ns]")}
    if clients.empty or "client_status" not in clients:
        return pd.DataFrame(columns)
    ids = clients["client_id"].astype("string").str.strip()
    ended = clients["client_status"].astype("string").eq(_ENDED).fillna(False).astype(bool)
    ended &= ids.notna() & ~ids.str.startswith(TOMBSTONE_PREFIX).fillna(False).astype(bool)
    last_visit = _as_dates(ids.map(_latest(data.visits, "visit_date").to_dict()))
    consents = getattr(data, "consents", pd.DataFrame())
    fallback = pd.concat(
        [
            _dates(clients, "first_visit_date"),
            _dates(clients, "consent_date"),
            _as_dates(ids.map(_latest(consents, "date").to_dict())),
        ],
        axis=1,
    ).max(axis=1)
    last = last_visit.fillna(_as_dates(fallback))
    cutoff = pd.Timestamp(_years_before(today, years))
    passed = ended & last.notna() & (last < cutoff)
    found = pd.DataFrame({"client_id": ids[passed], "last_activity": last[passed]})
    return found.sort_values("last_activity", kind="stable")


def forget_command(source: object, client_id: str) -> str:
    """The command that erases ``client_id`` from a workbook file or a Google Sheet (``gsheets:KEY``)."""
    text = str(source)
    if text.startswith("gsheets:"):
        return f"sheetkit gsheets forget {shlex.quote(text.removeprefix('gsheets:'))} {shlex.quote(client_id)}"
    return f"sheetkit forget {shlex.quote(text)} {shlex.quote(client_id)}"


def retention_issues(book: Workbook, *, today: dt.date) -> list[Issue]:
    """One ``retention-period-passed`` warning per client of :func:`retention_passed`, on their client ID cell."""
    if "clients" not in book.sheets:
        return []
    years = int(book.data.settings.get("retention_years") or _DEFAULT_YEARS)
    make = book.issue_factory
    settings = make.labels.sheet_name("settings")
    issues = []
    for label, row in retention_passed(book.data, today=today, years=years).iterrows():
        client_id = str(row["client_id"])
        issues.append(
            make.at(
                "retention-period-passed",
                book.sheets["clients"],
                row=row_of(label),
                column="client_id",
                value=client_id,
                date=row["last_activity"].date().isoformat(),
                years=years,
                settings=settings,
                command=forget_command(book.path, client_id),
            )
        )
    return issues
