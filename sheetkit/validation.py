"""validate: pandera schemas derived from the template, plus cross-sheet rules.

Input is a workbook read by :func:`sheetkit.read_workbook` (or a path). Typed
parsing has already turned unreadable cells into Issues; here the typed frames
are checked lazily by pandera schemas generated from the template (required
columns, numeric and date bounds), then by rules that span rows and sheets:
duplicate IDs (every row of a duplicate is reported), client IDs that must
exist in Clients, therapists, services, branches and payment methods that must
be on the Lists sheet, dates that may not lie in the future, plausible birth
dates, and appointment status against its date. The result keeps every row:
good rows stay usable, bad cells are NaN and listed as Issues.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from sheetkit.excel.reader import read_workbook
from sheetkit.frames import row_of
from sheetkit.issues import Issue, IssueCode, IssueFactory, ValidationResult
from sheetkit.read.workbook import SheetInfo, Workbook
from sheetkit.record_keeping import is_tombstone, retention_issues
from sheetkit.safety import latest_consents, uncovered_visits
from sheetkit.template import Column, Sheet, Template, load_template, resolve_bound

if TYPE_CHECKING:
    import pandera.pandas as pa

log = logging.getLogger(__name__)

__all__ = ["schema_for", "validate"]

#: Ages outside this range make a birth date implausible.
MIN_AGE, MAX_AGE = 5, 110


def validate(
    book: Workbook | Path | str,
    *,
    as_of: dt.date,
    today: dt.date | None = None,
    template: Template | None = None,
    password: str | None = None,
) -> ValidationResult:
    """Check a workbook; return its typed frames and every Issue.

    ``password`` opens an encrypted workbook file (see :func:`sheetkit.read_workbook`).

    ``today`` is the day the check runs: a date after it is in the future, and
    ages and appointment statuses are judged on it. It defaults to ``as_of``, the
    day the data is reported for; a report on a past period passes both, so that
    entries staff typed today are not "in the future" (docs/metrics.md#conventions).

    >>> import datetime as dt, tempfile, pathlib, sheetkit as sk
    >>> book = pathlib.Path(tempfile.mkdtemp()) / "salon.xlsx"
    >>> _ = sk.write_demo(book, clients=20, as_of=dt.date(2026, 11, 22))
    >>> result = sk.validate(book, as_of=dt.date(2026, 11, 22))
    >>> result.valid, len(result.frames.clients)
    (True, 20)
    """
    workbook = book if isinstance(book, Workbook) else read_workbook(book, template=template, password=password)
    checker = _Checker(workbook, today or as_of)
    issues = list(workbook.issues) + checker.run()
    result = ValidationResult(
        frames=workbook.data,
        issues=_sorted(issues, workbook),
        locale=workbook.locale,
        source=str(workbook.path),
    )
    errors = len(result.errors)
    log.info(
        "validated %s: %d clients, %d visits, %d errors, %d warnings",
        workbook.path,
        len(workbook.data.clients),
        len(workbook.data.visits),
        errors,
        len(result.issues) - errors,
    )
    return result


def schema_for(
    sheet: Sheet, *, as_of: dt.date, price_scale: float = 1.0, settings: Mapping[str, Any] | None = None
) -> pa.DataFrameSchema:
    """The pandera schema of a data sheet's typed frame, derived from the template.

    Money bounds are in the template's reference currency and scale with the
    workbook locale's ``price_scale`` (a card balance in VND is 20 000 times larger).
    A bound taken from a setting (``setting:earliest_date``) is the value in
    ``settings``, else the setting's default. A date whose upper bound is "today"
    is checked against ``as_of`` (the day the check runs), so that an out-of-range
    message always names both bounds.
    """
    import pandera.pandas as pa  # noqa: PLC0415 - imported when a schema is needed: a third of a pandas import

    columns: dict[str, pa.Column] = {}
    for col in sheet.data_columns:
        checks: list[pa.Check] = []
        lo, hi = _scaled_bounds(col, as_of, price_scale, settings or {})
        # The error text names the bounds; _schema turns it back into an out-of-range Issue.
        if lo is not None and hi is not None:
            checks.append(pa.Check.in_range(lo, hi, error=f"in_range:{_show(lo)}:{_show(hi)}"))
        elif lo is not None:
            # Upper bound "today": a later date is a future-date Issue; the message still names both bounds.
            top = as_of.isoformat() if col.max == "today" else ""
            checks.append(pa.Check.ge(lo, error=f"in_range:{_show(lo)}:{top}"))
        columns[col.key] = pa.Column(nullable=not col.required, checks=checks, required=True, coerce=False)
    return pa.DataFrameSchema(columns, strict=False, name=sheet.key)


def _scaled_bounds(col: Column, as_of: dt.date, price_scale: float, settings: Mapping[str, Any]) -> tuple[Any, Any]:
    """The column's bounds as :func:`schema_for` checks them (money scaled to the workbook's currency)."""
    lo, hi = _bounds(col, as_of, settings)
    if col.type == "money":
        lo = None if lo is None else lo * price_scale
        hi = None if hi is None else hi * price_scale
    return lo, hi


def _schema_may_fail(
    sheet: Sheet, frame: pd.DataFrame, *, as_of: dt.date, price_scale: float, settings: Mapping[str, Any] | None
) -> bool:
    """Whether any cell of ``frame`` could fail :func:`schema_for`'s checks (a quick look in pandas).

    pandera's checks are the same comparisons: when no required cell is empty and no
    value lies outside its bounds, the schema passes, and pandera need not be imported.
    Anything this look cannot judge (values that do not compare) counts as a failure.
    """
    for col in sheet.data_columns:
        if col.key not in frame.columns:
            continue
        values = frame[col.key]
        present = values.dropna()
        if col.required and len(present) != len(values):
            return True
        lo, hi = _scaled_bounds(col, as_of, price_scale, settings or {})
        if lo is None or present.empty:
            continue
        try:
            inside = present >= lo if hi is None else (present >= lo) & (present <= hi)
            if not bool(inside.all()):
                return True
        except (TypeError, ValueError):
            return True
    return False


def _bounds(col: Column, as_of: dt.date, settings: Mapping[str, Any]) -> tuple[Any, Any]:
    if col.is_formula or col.month_day:  # a birth date's bounds are the plausible-age check
        return None, None
    low, high = (resolve_bound(b, settings, load_template()) for b in (col.min, col.max))
    if col.type in ("int", "decimal", "money", "rating"):
        return (
            low if isinstance(low, float) else None,
            high if isinstance(high, float) else None,
        )
    if col.type in ("date", "datetime"):
        # "today" is checked as future-date; a fixed upper bound is a range.
        return (
            pd.Timestamp(low) if isinstance(low, dt.date) else None,
            pd.Timestamp(high) + pd.Timedelta(hours=23, minutes=59) if isinstance(high, dt.date) else None,
        )
    return None, None


def _show(value: Any) -> str:
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


class _Checker:
    def __init__(self, workbook: Workbook, today: dt.date) -> None:
        self.book = workbook
        self.template = workbook.template
        self.data = workbook.data
        self.today = pd.Timestamp(today)
        self.make: IssueFactory = workbook.issue_factory
        self.labels = self.make.labels
        # Cells already reported as errors while reading: no second Issue for the same cell.
        # (A placeholder is only a warning: a required cell holding "N/A" is still missing.)
        self.reported = {(i.sheet_key, i.row, i.column_key) for i in workbook.issues if i.severity == "error"}

    def issue(
        self, code: IssueCode, sheet_key: str, row: int | None, column: str | None, value: Any, **params: Any
    ) -> Issue:
        where: SheetInfo = self.book.sheets[sheet_key]
        return self.make.at(code, where, row=row, column=column, value=_display(value), **params)

    def run(self) -> list[Issue]:
        issues: list[Issue] = []
        for sheet in self.template.sheets:
            frame = self.data.frame(sheet.key)
            issues += self._schema(sheet, frame)
            issues += self._duplicates(sheet, frame)
            issues += self._future(sheet, frame)
        issues += self._references()
        issues += self._lists()
        issues += self._birth_dates()
        issues += self._appointments()
        issues += self._patch_tests()
        issues += self._consents()
        issues += retention_issues(self.book, today=self.today.date())  # record_keeping.py (privacy)
        return issues

    def _schema(self, sheet: Sheet, frame: pd.DataFrame) -> list[Issue]:
        present = [c for c in sheet.data_columns if c.key in frame.columns]
        if frame.empty:
            return []
        as_of, scale, settings = self.today.date(), self.labels.price_scale, self.data.settings
        if not _schema_may_fail(sheet, frame, as_of=as_of, price_scale=scale, settings=settings):
            return []
        from pandera.errors import SchemaErrors  # noqa: PLC0415 - only when a check fails (see schema_for)

        schema = schema_for(sheet, as_of=as_of, price_scale=scale, settings=settings)
        try:
            schema.validate(frame[[c.key for c in present]], lazy=True)
        except SchemaErrors as exc:
            cases = exc.failure_cases
        else:
            return []
        issues: list[Issue] = []
        letters = self.book.sheets[sheet.key].letters
        for case in cases.itertuples(index=False):
            column = str(case.column)
            row = None if pd.isna(case.index) else int(case.index)
            # A column missing from the sheet is one missing-column Issue, not one per row.
            if row is None or column not in letters or (sheet.key, row, column) in self.reported:
                continue
            check = str(case.check)
            if check == "not_nullable":
                issues.append(self.issue("required-missing", sheet.key, row, column, None))
            elif check.startswith("in_range:"):
                _, lo, hi = check.split(":")
                issues.append(self.issue("out-of-range", sheet.key, row, column, case.failure_case, min=lo, max=hi))
        return issues

    def _duplicates(self, sheet: Sheet, frame: pd.DataFrame) -> list[Issue]:
        issues: list[Issue] = []
        for col in sheet.data_columns:
            if not col.unique or col.key not in frame.columns:
                continue
            values = frame[col.key].dropna()
            dup = values[values.duplicated(keep=False)]
            rows_of = dup.groupby(dup).groups
            for row, value in dup.items():
                rows = ", ".join(str(r) for r in rows_of[value])
                issues.append(self.issue("duplicate-id", sheet.key, row_of(row), col.key, value, rows=rows))
        return issues

    def _future(self, sheet: Sheet, frame: pd.DataFrame) -> list[Issue]:
        issues: list[Issue] = []
        for col in sheet.data_columns:
            if col.max != "today" or col.key not in frame.columns or col.month_day:
                continue
            values = pd.to_datetime(frame[col.key], errors="coerce")
            future = values[values.dt.normalize() > self.today]
            issues += [self.issue("future-date", sheet.key, row_of(r), col.key, v) for r, v in future.items()]
        return issues

    def _references(self) -> list[Issue]:
        clients = set(self.data.clients["client_id"].dropna()) if "client_id" in self.data.clients else set()
        issues: list[Issue] = []
        for sheet in self.template.sheets:
            frame = self.data.frame(sheet.key)
            for col in sheet.data_columns:
                if col.references != "clients.client_id" or col.key not in frame.columns:
                    continue
                values = frame[col.key].dropna()
                unknown = values[~values.isin(clients)]
                issues += [self.issue("unknown-client", sheet.key, row_of(r), col.key, v) for r, v in unknown.items()]
        return issues

    def _lists(self) -> list[Issue]:
        issues: list[Issue] = []
        for sheet in self.template.sheets:
            frame = self.data.frame(sheet.key)
            for col in sheet.data_columns:
                if col.type != "choice" or not col.choices or not self.template.is_reference_list(col.choices):
                    continue
                if col.key not in frame.columns:
                    continue
                allowed = self.data.lists.get(col.choices)
                names = set(allowed["name"].dropna().astype(str)) if allowed is not None else set()
                values = frame[col.key].dropna()
                unknown = values[~values.astype(str).isin(names)]
                issues += [
                    self.issue("unknown-list-value", sheet.key, row_of(r), col.key, v) for r, v in unknown.items()
                ]
        return issues

    def _birth_dates(self) -> list[Issue]:
        clients = self.data.clients
        if "birth_date" not in clients:
            return []
        issues: list[Issue] = []
        values = clients["birth_date"].dropna()
        dates = values[values.map(lambda v: not isinstance(v, str))]  # "MM-DD" birthdays have no age
        if dates.empty:
            return issues
        born = pd.to_datetime(dates)
        ages = (self.today - born).dt.days // 365.25
        for row in born.index[born > self.today]:
            issues.append(self.issue("future-date", "clients", row_of(row), "birth_date", born[row]))
        odd = (born <= self.today) & ~ages.between(MIN_AGE, MAX_AGE)
        for row in born.index[odd]:
            issues.append(
                self.issue(
                    "implausible-birth-date", "clients", row_of(row), "birth_date", born[row], age=int(ages[row])
                )
            )
        return issues

    def _appointments(self) -> list[Issue]:
        frame = self.data.appointments
        if frame.empty or not {"status", "scheduled_at"} <= set(frame.columns):
            return []
        issues: list[Issue] = []
        when = pd.to_datetime(frame["scheduled_at"], errors="coerce")
        status = frame["status"]
        day = when.dt.normalize()
        done_in_future = status.isin(["completed", "no_show"]) & (day > self.today)
        stale_booking = status.eq("booked") & (day < self.today - pd.Timedelta(days=1))
        labels = self.labels.choices["appointment_status"]
        for row in frame.index[(done_in_future | stale_booking).fillna(False)]:
            issues.append(
                self.issue(
                    "status-date-mismatch",
                    "appointments",
                    row_of(row),
                    "status",
                    frame.at[row, "scheduled_at"],
                    status=labels.get(str(frame.at[row, "status"]), ""),
                )
            )
        if "booked_at" in frame:
            booked = pd.to_datetime(frame["booked_at"], errors="coerce")
            late = booked > when
            for row in frame.index[late.fillna(False)]:
                issues.append(
                    self.issue(
                        "booked-after-scheduled",
                        "appointments",
                        row_of(row),
                        "booked_at",
                        frame.at[row, "booked_at"],
                        expected=_display(frame.at[row, "scheduled_at"]),
                    )
                )
        return issues

    def _patch_tests(self) -> list[Issue]:
        """``patch-test-missing`` at the service cell of each visit without a valid passing test (sheetkit.safety)."""
        if "patch_tests" not in self.book.sheets:
            return []
        visits = self.data.visits
        if "client_id" in visits:
            # An erased client's visits stay under a tombstone for the books; their patch tests are gone with them.
            visits = visits.loc[~visits["client_id"].map(is_tombstone).astype(bool)]
        missing = uncovered_visits(visits, self.data.patch_tests, self.data.lists.get("services"))
        sheet = self.book.sheets["patch_tests"].name
        # The services read in one step: a cell look-up per visit took seconds on a 10^5-row history.
        services = self.data.visits.loc[missing.index, "service"].tolist()
        return [
            self.issue(
                "patch-test-missing",
                "visits",
                row_of(r),
                "service",
                service,
                days=int(days),
                patch_sheet=sheet,
            )
            for (r, days), service in zip(missing.items(), services, strict=True)
        ]

    def _consents(self) -> list[Issue]:
        """``consent-mismatch`` where Clients' quick view disagrees with the latest Consents entry."""
        consents = self.data.consents
        clients = self.data.clients
        if consents.empty or "client_id" not in clients:
            return []
        latest = latest_consents(consents, as_of=self.today.date())
        decisions = dict(zip(latest.index, latest["decision"], strict=True))  # (client, purpose) -> decision
        dates = dict(zip(latest.index, latest["date"], strict=True))
        issues: list[Issue] = []
        sheet = self.book.sheets["consents"].name
        # Clients column -> (purpose, its value that means granted, its value that means withdrawn).
        quick = {
            "records_consent": ("records", True, False),
            "marketing_opt_in": ("marketing", "subscribed", "unsubscribed"),
        }
        for column, (purpose, yes, no) in quick.items():
            if column not in clients:
                continue
            for row, client, value in zip(clients.index, clients["client_id"], clients[column], strict=True):
                key = (client, purpose)
                if pd.isna(client) or key not in decisions or value is None or pd.isna(value):
                    continue
                decision = str(decisions[key])
                expected = yes if decision == "granted" else no
                if value == expected or value not in (yes, no):
                    continue  # agrees, or "unknown": nothing to compare
                issues.append(
                    self.issue(
                        "consent-mismatch",
                        "clients",
                        row_of(row),
                        column,
                        self._choice_text(column, value),
                        purpose=self.labels.choices["consent_purpose"].get(purpose, purpose),
                        decision=self.labels.choices["consent_decision"].get(decision, decision),
                        date=_display(dates[key]),
                        consent_sheet=sheet,
                    )
                )
        return issues

    def _choice_text(self, column: str, value: Any) -> str:
        """A Clients value as staff see it: the yes/no or opt-in label of the workbook's language."""
        if isinstance(value, (bool, np.bool_)):
            return self.labels.choices["yes_no"]["yes" if value else "no"]
        return self.labels.choices.get("marketing_opt_in", {}).get(str(value), str(value))


def _display(value: Any) -> Any:
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d") if value == value.normalize() else value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _sorted(issues: Iterable[Issue], workbook: Workbook) -> list[Issue]:
    order = {info.name: i for i, info in enumerate(workbook.sheets.values())}
    return sorted(issues, key=lambda i: (order.get(i.sheet, -1), i.row or 0, i.cell or "", i.code))
