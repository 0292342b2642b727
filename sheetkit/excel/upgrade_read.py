"""Read a workbook in full for a rewrite: the typed frames plus everything a regenerated workbook must keep.

:func:`read_in_full` reads a workbook file the way :func:`sheetkit.read_workbook`
does (same pinning, sniffing and source-neutral reader), and keeps beside the
typed frames what that reader sets aside:

- the raw text of every data cell, so a cell the reader could not read (a typo
  such as ``31/02/2026``, a placeholder such as ``N/A``) is copied as typed
  instead of being lost as an empty value;
- the columns staff added, with their header exactly as typed and their cells
  as values (numbers, dates or text);
- the hidden rows, the Settings that are present on the Settings sheet and the
  Lists columns that have a defined name, and the About entries;
- whether the file is Office-encrypted: an encrypted workbook is read with its
  password, decrypted in memory as :func:`sheetkit.read_workbook` does.

:func:`cell_values` turns one such read into comparable cells, the unit the
rewrite's verification compares (:mod:`sheetkit.excel.upgrade_plan`).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from sheetkit.errors import WorkbookChangedError, WorkbookPasswordError
from sheetkit.excel.cells import open_raw
from sheetkit.excel.crypto import decrypted
from sheetkit.excel.pinned import PinnedFile
from sheetkit.excel.sniff import pin_workbook, sniff_pinned
from sheetkit.frames import MONTH_DAY_COLUMNS, row_of
from sheetkit.read.headers import match_headers
from sheetkit.read.month_days import month_day_parts
from sheetkit.read.raw import RawSheet, RawSource, number_text
from sheetkit.read.workbook import Workbook, read_source
from sheetkit.template import Template
from sheetkit.template.values import is_missing

__all__ = ["Extra", "FullRead", "SheetCells", "cell_values", "read_in_full"]

#: How the value readers write a date or datetime cell.
_DATE_CELL = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}")
#: Issue codes that leave a cell empty in the frames although staff typed something there.
_UNREAD_CODES = frozenset(
    {
        "not-a-date",
        "ambiguous-date",
        "impossible-date",
        "serial-number-date",
        "not-a-month-day",
        "not-a-number",
        "not-a-whole-number",
        "unknown-choice",
        "placeholder-value",
        "error-cell",
        "out-of-range",
        "text-too-long",
        "invalid-email",
        "invalid-phone",
        "control-characters",
    }
)


@dataclass
class Extra:
    """A column staff added to a data sheet: its header as typed and its cells as values, by sheet row."""

    header: str
    #: Header plus its ordinal among equal headers of the sheet: stable when the column moves.
    identity: str
    values: pd.Series


@dataclass
class SheetCells:
    """One data sheet as read: typed frame (template columns only), staff's extra columns, raw text."""

    key: str
    name: str
    #: Typed values of the template's data columns (and frame-only columns), indexed by sheet row.
    frame: pd.DataFrame
    extras: list[Extra]
    #: (sheet row, column key) -> the text staff typed, for cells the reader could not read.
    unread: dict[tuple[int, str], str]
    hidden_rows: set[int]
    #: Template data columns the sheet has.
    found: set[str]
    present: bool = True
    #: The cells as text below the header, indexed by sheet row, and the grid column of each template key.
    body: pd.DataFrame | None = None
    positions: dict[str, int] = field(default_factory=dict)

    def text(self, row: int, column: str) -> str | None:
        """The text of one template cell as the value reader gives it (None when empty or absent)."""
        if self.body is None or column not in self.positions or row not in self.body.index:
            return None
        value = self.body.at[row, self.positions[column]]
        return None if is_missing(value) else str(value)


@dataclass
class FullRead:
    """A workbook read for a rewrite."""

    path: Path
    book: Workbook
    sheets: dict[str, SheetCells]
    #: Keys of the settings written on the Settings sheet (the others were filled from defaults).
    settings_present: set[str]
    #: Defined names of the workbook (ref_<list>_<column> says a Lists column exists).
    defined_names: set[str]
    about: dict[str, str] = field(default_factory=dict)
    #: (size, modification time) of the file when it was read, to notice a save before it is replaced.
    stamp: tuple[int, int] = (0, 0)
    #: True when the file is Office-encrypted (it was read with its password).
    encrypted: bool = False

    @property
    def version(self) -> int | None:
        """The template version on the About sheet, if any."""
        return self.book.template_version


class _Recorder:
    """A raw source that keeps every sheet the reader asked for, and closes only when told."""

    def __init__(self, inner: RawSource) -> None:
        self.inner = inner
        self.sheet_names = inner.sheet_names
        self.sheets: dict[str, RawSheet] = {}
        self.names: dict[str, str] | None = None

    def defined_names(self) -> dict[str, str]:
        if self.names is None:
            self.names = self.inner.defined_names()
        return self.names

    def sheet(self, name: str) -> RawSheet:
        if name not in self.sheets:
            self.sheets[name] = self.inner.sheet(name)
        return self.sheets[name]

    def scan(
        self,
        raw: RawSheet,
        *,
        data: Iterable[str],
        text: Mapping[str, Iterable[int]],
        values: Mapping[str, Iterable[int]],
    ) -> None:
        self.inner.scan(raw, data=data, text=text, values=values)

    def prefetch(self, name: str) -> None:
        self.inner.prefetch(name)

    def prefetch_values(self, name: str) -> None:
        self.inner.prefetch_values(name)

    def close(self) -> None:
        """Closed by :func:`read_in_full` once it has what it needs."""


def read_in_full(path: Path | str, template: Template, *, password: str | None = None) -> FullRead:
    """Read ``path`` like :func:`sheetkit.read_workbook`, keeping what a rewrite must carry over.

    ``password`` opens an Office-encrypted workbook (ignored for a plain one); without
    it an encrypted workbook raises :class:`~sheetkit.errors.WorkbookPasswordError`.
    """
    source = Path(path)
    with pin_workbook(source) as pinned:
        try:
            try:
                full = _read_pinned(source, pinned, template)
            except WorkbookPasswordError:
                if password is None:
                    raise
                with decrypted(pinned, password) as plain:  # in memory: the plain package never touches the disk
                    full = _read_pinned(source, plain, template)
                full.encrypted = True
        except Exception:
            if pinned.changed():
                raise WorkbookChangedError(source) from None
            raise
        if pinned.changed():
            raise WorkbookChangedError(source)
    stat = source.stat()
    full.stamp = (stat.st_size, stat.st_mtime_ns)
    return full


def _read_pinned(source: Path, pinned: PinnedFile, template: Template) -> FullRead:
    kind = sniff_pinned(pinned)  # a decrypted package passes every safety check of a plain one
    recorder = _Recorder(open_raw(source, kind, source=pinned.source))
    try:
        book = read_source(recorder, path=source, kind=kind, template=template)
        names = set(recorder.defined_names())
        return _collect(source, book, recorder, names, template)
    finally:
        recorder.inner.close()


def _collect(path: Path, book: Workbook, recorder: _Recorder, names: set[str], template: Template) -> FullRead:
    tab_of = {info.key: info.name for info in book.sheets.values()}
    sheets: dict[str, SheetCells] = {}
    for sheet in template.sheets:
        frame = book.data.frame(sheet.key)
        name = tab_of.get(sheet.key)
        raw = recorder.sheets.get(name) if name is not None else None
        if raw is None or raw.grid.empty:
            data_keys = [c.key for c in sheet.data_columns]
            sheets[sheet.key] = SheetCells(
                sheet.key, name or "", frame[[c for c in frame.columns if c in data_keys]], [], {}, set(), set(), False
            )
            continue
        match = match_headers(template, sheet, raw.name, raw, book.issue_factory)
        body = raw.grid.iloc[1:]
        body.index = pd.Index([raw.row_number(int(p)) for p in body.index], dtype="int64")
        extras = _extras(raw, match.extras, frame.index)
        own = [c for c in frame.columns if c not in match.extras]
        unread = _unread(book, sheet.key, frame, body, match.columns)
        sheets[sheet.key] = SheetCells(
            key=sheet.key,
            name=raw.name,
            frame=frame[own],
            extras=extras,
            unread=unread,
            hidden_rows=set(raw.facts.hidden_rows),
            found=set(match.columns),
            body=body,
            positions=dict(match.columns),
        )
    return FullRead(
        path=path,
        book=book,
        sheets=sheets,
        settings_present=_settings_present(book, recorder, template),
        defined_names=names,
        about=_about(book, recorder),
    )


def _extras(raw: RawSheet, extras: Mapping[str, int], rows: pd.Index) -> list[Extra]:
    """The staff's own columns, typed per column: numbers and dates stay numbers and dates."""
    out: list[Extra] = []
    seen: dict[str, int] = {}
    for j in extras.values():
        header = str(raw.grid.iat[0, j]).strip()
        seen[header] = seen.get(header, 0) + 1
        cells = raw.grid[j].iloc[1:]
        cells.index = pd.Index([raw.row_number(int(p)) for p in cells.index], dtype="int64")
        cells = cells.reindex(rows)
        out.append(Extra(header, f"{header}#{seen[header]}", _typed_extra(cells)))
    return out


def _typed_extra(cells: pd.Series) -> pd.Series:
    """Cells of an extra column: all numbers -> floats, all dates -> timestamps, else the text as read."""
    present = cells.dropna().astype(str)
    present = present[present.str.strip().astype(bool)]
    if present.empty:
        return pd.Series(None, index=cells.index, dtype=object)
    if present.map(_is_number).all():
        return pd.to_numeric(cells.where(cells.index.isin(present.index)), errors="coerce").astype(object)
    if present.str.fullmatch(_DATE_CELL).all():
        return pd.to_datetime(cells.where(cells.index.isin(present.index)), format="%Y-%m-%d %H:%M:%S").astype(object)
    return cells.where(cells.index.isin(present.index)).astype(object)


def _is_number(text: str) -> bool:
    """True when ``text`` is how the value reader writes a number: it reads back the same."""
    try:
        value = float(text)
    except ValueError:
        return False
    return math.isfinite(value) and number_text(value) == text


def _unread(
    book: Workbook, key: str, frame: pd.DataFrame, body: pd.DataFrame, columns: Mapping[str, int]
) -> dict[tuple[int, str], str]:
    """Cells with a reading Issue whose typed value is empty, with the text staff typed there."""
    unread: dict[tuple[int, str], str] = {}
    for issue in book.issues:
        if issue.sheet_key != key or issue.code not in _UNREAD_CODES or issue.row is None:
            continue
        column = issue.column_key
        if column is None or column not in columns or issue.row not in frame.index:
            continue
        if not is_missing(frame.at[issue.row, column]) or issue.row not in body.index:
            continue
        text = body.at[issue.row, columns[column]]
        if not is_missing(text) and str(text).strip():
            unread[(issue.row, column)] = str(text)
    return unread


def _settings_present(book: Workbook, recorder: _Recorder, template: Template) -> set[str]:
    raw = _tab(recorder, template, "settings")
    if raw is None or raw.grid.empty:
        return set()
    keys = {s.key for s in template.settings}
    found = {str(v).strip() for v in raw.grid[0].tolist() if isinstance(v, str)}
    return keys & found


def _about(book: Workbook, recorder: _Recorder) -> dict[str, str]:
    raw = _tab(recorder, book.template, "about")
    about: dict[str, str] = {}
    if raw is None:
        return about
    for values in raw.grid.itertuples(index=False):
        cells = list(values)
        if len(cells) >= 3 and isinstance(cells[0], str) and isinstance(cells[2], str):
            about[cells[0].strip()] = cells[2].strip()
    return about


def _tab(recorder: _Recorder, template: Template, key: str) -> RawSheet | None:
    """The recorded support sheet ``key`` (About, Settings) under any locale's name."""
    for locale in template.locales:
        name = template.labels(locale).sheet_name(key)
        if name in recorder.sheets:
            return recorder.sheets[name]
    return None


# ------------------------------------------------------------------ comparable cells


def cell_values(full: FullRead) -> dict[tuple[str, int, str], Any]:
    """Every non-empty data cell as (sheet key, sheet row, column) -> a comparable value.

    Template columns compare by typed value (a choice by its canonical key, a date
    as a timestamp, a birthday without the year as (month, day), whichever order it
    was typed in), or by the text typed where the reader could not read it;
    staff's own columns compare by header and ordinal (``"extra:Tips#1"``).
    """
    cells: dict[tuple[str, int, str], Any] = {}
    month_days = set(MONTH_DAY_COLUMNS.values())
    for key, sheet in full.sheets.items():
        frame = sheet.frame
        for column in frame.columns:
            as_month_day = column in month_days
            for row, value in frame[column].items():
                if not is_missing(value):
                    parts = month_day_parts(value) if as_month_day else None
                    cells[(key, row_of(row), str(column))] = ("month-day", parts) if parts else comparable(value)
        for (row, column), text in sheet.unread.items():
            cells[(key, row, str(column))] = ("typed", text)
        for extra in sheet.extras:
            for row, value in extra.values.items():
                if not is_missing(value):
                    cells[(key, row_of(row), f"extra:{extra.identity}")] = comparable(value)
    return cells


def comparable(value: Any) -> Any:
    """A value in a form equal values share whatever their dtype (1 == 1.0, Timestamp == datetime)."""
    if is_missing(value):
        return ("blank", None)
    if isinstance(value, bool):
        return ("bool", value)
    if isinstance(value, (int, float)):
        return ("number", float(value))
    if hasattr(value, "item") and not isinstance(value, (str, pd.Timestamp)):
        return comparable(value.item())
    if isinstance(value, (dt.date, pd.Timestamp)):
        return ("date", pd.Timestamp(value).isoformat())
    return ("text", str(value))
