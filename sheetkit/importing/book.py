"""The imported rows read and checked exactly as ``sheetkit check`` reads and checks a workbook.

The staged text rows are presented to sheetkit's source-neutral reader
(:func:`sheetkit.read.workbook.read_source`) as an in-memory workbook: one tab per
data sheet with the workbook's own headers, cell text as a file reader gives it,
and what the source said about how cells were stored (a phone typed as a number,
a date left as text). The reader's typed parsing and :func:`sheetkit.validate`
then give the typed frames and the Issues, with nothing re-implemented here.
When appending, the rows are numbered after the workbook's own rows, and the
workbook's clients take part in the cross-sheet checks (a visit of a client
already there is not an unknown client).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from sheetkit.frames import WorkbookData
from sheetkit.issues import Issue
from sheetkit.read.raw import RawSheet, SheetFacts
from sheetkit.read.workbook import Workbook, read_source
from sheetkit.template import DATE_TYPES, NUMBER_TYPES, Template
from sheetkit.template.geometry import column_letter
from sheetkit.validation import validate

__all__ = ["ImportedBook", "check_rows"]

_TEXTLIKE = frozenset({"text", "id", "phone", "email", "choice", "multichoice", "bool"})


class _MemorySource:
    """A RawSource over in-memory grids (see :class:`sheetkit.read.raw.RawSource`)."""

    def __init__(self, sheets: dict[str, RawSheet]) -> None:
        self.sheets = sheets
        self.sheet_names = list(sheets)

    def defined_names(self) -> dict[str, str]:
        return {}

    def sheet(self, name: str) -> RawSheet:
        return self.sheets[name]

    def scan(
        self,
        raw: RawSheet,
        *,
        data: Iterable[str],
        text: Mapping[str, Iterable[int]],
        values: Mapping[str, Iterable[int]],
    ) -> None:
        del raw, data, text, values  # the facts were known when the grid was made

    def prefetch(self, name: str) -> None:
        del name

    def prefetch_values(self, name: str) -> None:
        del name

    def close(self) -> None:
        self.sheets = {}


class ImportedBook:
    """The rows of each data sheet to check, as text in template keys, with their storage flags."""

    def __init__(self, template: Template, locale: str) -> None:
        self.template = template
        self.locale = locale
        self.labels = template.labels(locale)
        self.rows: dict[str, pd.DataFrame] = {}
        #: Sheet key -> the sheet row of the first imported row.
        self.first_row: dict[str, int] = {}

    def add(self, sheet: str, frame: pd.DataFrame, *, first_row: int) -> None:
        """The imported rows of one sheet, to sit from ``first_row`` (text; ``_num_``/``_txt_`` flags)."""
        self.rows[sheet] = frame
        self.first_row[sheet] = first_row

    def _raw(self, sheet_key: str) -> RawSheet:
        sheet = self.template.sheet(sheet_key)
        columns = list(sheet.data_columns)
        frame = self.rows.get(sheet_key, pd.DataFrame())
        header_row = self.first_row.get(sheet_key, 2) - 1
        facts = SheetFacts(first_row=header_row)
        # One block for the whole sheet, filled column by column: a 10^5-row history is not copied per step.
        block = np.full((len(frame) + 1, len(columns)), np.nan, dtype=object)
        rows = pd.RangeIndex(header_row + 1, header_row + 1 + len(frame))
        for j, col in enumerate(columns):
            block[0, j] = self.labels.header(sheet_key, col.key)
            present = np.zeros(len(frame), dtype=bool)
            if col.key in frame:
                values = frame[col.key].to_numpy(dtype=object)
                present = ~pd.isna(values)
                block[1:, j][present] = values[present]
            letter = column_letter(j)
            flag = frame.get(f"_num_{col.key}")
            if col.type in _TEXTLIKE and flag is not None:
                facts.numeric[letter] = set(rows[flag.fillna(False).to_numpy(dtype=bool)])
            typed = frame.get(f"_txt_{col.key}")
            if col.type in DATE_TYPES or col.type in NUMBER_TYPES:
                mask = typed.fillna(False).to_numpy(dtype=bool) & present if typed is not None else present & False
                # A text value the import could not read stays text: the parser judges it in the workbook's order.
                facts.text[letter] = set(rows[mask])
                facts.numeric[letter] = set(rows[present & ~mask])
        return RawSheet(
            self.labels.sheet_name(sheet_key),
            pd.DataFrame(block, dtype=object),
            first_row=header_row,
            columns=list(range(len(columns))),
            facts=facts,
            exact_types=True,
        )

    def read(self, *, path: str) -> Workbook:
        """The rows read by sheetkit's reader into typed frames, with the Issues of reading."""
        sheets = {self.labels.sheet_name(s.key): self._raw(s.key) for s in self.template.sheets}
        settings = pd.DataFrame([["date_order", "", "YMD"]], dtype=object)
        sheets[self.labels.sheet_name("settings")] = RawSheet(
            self.labels.sheet_name("settings"), settings, first_row=1, columns=[0, 1, 2], exact_types=True
        )
        about = pd.DataFrame([["template_id", "", self.template.id], ["locale", "", self.locale]], dtype=object)
        sheets[self.labels.sheet_name("about")] = RawSheet(
            self.labels.sheet_name("about"), about, first_row=1, columns=[0, 1, 2], exact_types=True
        )
        return read_source(_MemorySource(sheets), path=path, kind="import", template=self.template)


def check_rows(
    book: Workbook,
    *,
    existing: Workbook | None,
    lists: dict[str, pd.DataFrame],
    settings: dict[str, Any],
    as_of: dt.date,
    today: dt.date | None,
) -> tuple[WorkbookData, WorkbookData, list[Issue]]:
    """Validate the imported rows (with the workbook's own rows when appending).

    Returns the imported typed frames, the frames of the whole workbook to write, and
    the Issues of the imported rows only.
    """
    imported = WorkbookData(
        **{s.key: book.data.frame(s.key) for s in book.template.sheets}, lists=lists, settings=settings
    )
    if existing is None:
        whole = imported
        target = Workbook(book.path, book.format, book.locale, book.template, whole, book.issues, book.sheets)
    else:
        frames = {}
        for s in book.template.sheets:
            own = existing.data.frame(s.key)
            new = book.data.frame(s.key)
            frames[s.key] = pd.concat([own, new[[c for c in new.columns if c in own.columns]]]) if len(own) else new
        whole = WorkbookData(**frames, lists=lists, settings=settings)
        target = Workbook(
            existing.path, existing.format, existing.locale, existing.template, whole, book.issues, existing.sheets
        )
    result = validate(target, as_of=as_of, today=today)
    issues = [i for i in result.issues if _imported(i, book)]
    return imported, whole, issues


def _imported(issue: Issue, book: Workbook) -> bool:
    if issue.sheet_key is None or issue.row is None:
        return issue.sheet_key is None
    try:
        frame = book.data.frame(issue.sheet_key)
    except KeyError:
        return False
    return issue.row in frame.index
