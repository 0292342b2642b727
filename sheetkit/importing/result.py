"""What an import found: per source its rows and columns accounted for, the mapping, the Issues.

Issues are located in the *source* the person is looking at: the file (and sheet),
the file row and the source column's header and cell. A field filled from two
columns (``First Name`` + ``Last Name``) names both.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from sheetkit.frames import WorkbookData
from sheetkit.importing.mapping import TableMapping
from sheetkit.importing.sources import SourceTable
from sheetkit.issues import Issue, IssueFactory

if TYPE_CHECKING:
    from sheetkit.importing.staging import Staged
    from sheetkit.read.workbook import Workbook

__all__ = ["ImportResult", "SourceReport", "remap_issues"]

_DATE_CODES = frozenset({"not-a-date", "impossible-date", "ambiguous-date"})


@dataclass
class SourceReport:
    """One source table: where its header is, and every row and column accounted for."""

    table: SourceTable
    mapping: TableMapping
    header_row: int
    rows: int
    imported_rows: set[int] = field(default_factory=set)
    skipped: dict[int, str] = field(default_factory=dict)

    def skip(self, rows: dict[int, str]) -> None:
        """Rows not imported, with their reason (the first reason given stays)."""
        for row, reason in rows.items():
            self.skipped.setdefault(row, reason)

    def count_imported(
        self, staged: Staged, clients: pd.DataFrame, visits: pd.DataFrame, appointments: pd.DataFrame
    ) -> None:
        """Mark the rows that became a client, visit or appointment; any other data row is skipped with its reason."""
        number = int(staged.frame["_t"].iloc[0]) if len(staged.frame) else -1
        for frame in (clients, visits, appointments):
            if "_t" in frame and len(frame):
                mine = frame[frame["_t"].astype(int) == number]
                self.imported_rows.update(int(r) for r in mine["_r"])
        self.imported_rows -= set(self.skipped)
        for row in staged.frame["_r"].astype(int) if len(staged.frame) else []:
            if row not in self.imported_rows:
                self.skipped.setdefault(row, "not imported")
        header = self.header_row
        self.skipped.pop(header, None)

    @property
    def imported(self) -> int:
        """Rows imported."""
        return len(self.imported_rows)

    @property
    def unmapped_columns(self) -> list[str]:
        """Headers no field takes: their values are kept in the notes of their rows."""
        return [c.header for c in self.mapping.columns if c.target is None]

    @property
    def left_out_columns(self) -> list[str]:
        """Headers left out on purpose (the mapping file, or a vendor's bookkeeping columns)."""
        return [c.header for c in self.mapping.columns if c.target == ""]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form: ``imported + skipped == rows``."""
        return {
            "path": str(self.table.path),
            "sheet": self.table.sheet,
            "format": self.table.format,
            "encoding": self.table.encoding,
            "layout": self.mapping.layout.name if self.mapping.layout else None,
            "kind": self.mapping.kind,
            "header_row": self.header_row,
            "rows": self.rows,
            "imported": self.imported,
            "skipped": len(self.skipped),
            "skipped_rows": [{"row": r, "reason": why} for r, why in sorted(self.skipped.items())],
            "unmapped_columns": self.unmapped_columns,
            "left_out_columns": self.left_out_columns,
        }


@dataclass
class ImportResult:
    """The mapping, the imported typed frames and their Issues; ``whole`` is the workbook ``--write`` would write."""

    target: Path
    locale: str
    creates: bool
    mapping: list[TableMapping]
    frames: WorkbookData
    whole: WorkbookData
    issues: list[Issue]
    sources: list[SourceReport]
    lists_added: dict[str, list[str]] = field(default_factory=dict)
    existing: Workbook | None = field(default=None, repr=False)

    @property
    def valid(self) -> bool:
        """True when no Issue is an error."""
        return not any(i.severity == "error" for i in self.issues)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (what ``sheetkit import --json`` prints)."""
        return {
            "into": str(self.target),
            "creates": self.creates,
            "locale": self.locale,
            "valid": self.valid,
            "sources": [s.to_dict() for s in self.sources],
            "mapping": [
                {
                    "path": str(s.table.path),
                    "sheet": s.table.sheet,
                    "kind": m.kind,
                    "layout": m.layout.name if m.layout else None,
                    "columns": [c.to_dict() for c in m.columns],
                }
                for s, m in zip(self.sources, self.mapping, strict=True)
            ],
            "rows": {key: len(self.frames.frame(key)) for key in ("clients", "visits", "appointments")},
            "lists_added": self.lists_added,
            "issues": [i.to_dict() for i in self.issues],
        }


def remap_issues(
    issues: list[Issue],
    origins: dict[str, pd.DataFrame],
    staged: list[Staged],
    reports: list[SourceReport],
    factory: IssueFactory,
) -> list[Issue]:
    """Issues located in the source files: sheet = file (› sheet), row = file row, column = source header(s).

    The origin of each row is looked up in plain arrays and each (table, field) is
    resolved once: a 10^5-row visit log can raise tens of thousands of Issues.
    """
    where = {key: _Origin(frame) for key, frame in origins.items()}
    fields: dict[tuple[int, str], tuple[list[int], list[str]]] = {}
    out: list[Issue] = []
    for issue in issues:
        origin = where.get(issue.sheet_key or "")
        found = origin.find(issue.row) if origin is not None and issue.row is not None else None
        if found is None:
            out.append(issue)
            continue
        number, file_row = found
        report = reports[number]
        table = report.table
        key = issue.column_key or ""
        if (number, key) not in fields:
            fields[number, key] = _source_columns(report, staged[number], key)
        columns, headers = fields[number, key]
        changes: dict[str, Any] = {"sheet": table.label, "row": file_row}
        if headers:
            changes["column"] = " + ".join(headers)
            changes["cell"] = table.cell(columns[0], file_row)
        else:
            changes["cell"] = None
        if issue.code in _DATE_CODES and columns:
            note = next((d for d in staged[number].dates if d.column == columns[0]), None)
            if note is not None:
                fresh = factory.make(
                    issue.code,
                    sheet=table.label,
                    value=issue.value,
                    column=changes.get("column"),
                    example="2026-03-14",
                    order=note.order,
                )
                changes["message"], changes["message_en"] = fresh.message, fresh.message_en
        out.append(dataclasses.replace(issue, **changes))
    return out


class _Origin:
    """Sheet row -> (table number, file row), from a frame of ``_t`` and ``_r`` indexed by sheet row."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self.rows = {int(r): i for i, r in enumerate(frame.index.tolist())}
        self.tables = frame["_t"].tolist()
        self.file_rows = frame["_r"].tolist()

    def find(self, row: int) -> tuple[int, int] | None:
        at = self.rows.get(row)
        return None if at is None else (int(self.tables[at]), int(self.file_rows[at]))


def _source_columns(report: SourceReport, staged: Staged, key: str) -> tuple[list[int], list[str]]:
    """The source columns that filled a field (an event's date fills visit_date and scheduled_at), and their headers."""
    if report.mapping.kind == "events":
        key = {"visit_date": "date", "scheduled_at": "date"}.get(key, key)
    columns = staged.sources.get(key) or staged.sources.get({"date": "datetime"}.get(key, key), [])
    return columns, [c.header for c in report.mapping.columns if c.column in columns]
