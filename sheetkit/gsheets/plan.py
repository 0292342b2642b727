"""The plan of a Google Sheets workbook: its tabs, grid sizes and every value, converted before any request.

:class:`Book` takes the canonical frames and the template and works out what
:mod:`~sheetkit.gsheets.writer` sends: the tabs (:class:`Tab`) with their grid
sizes, the JSON values of every tab (dates as serial numbers, text as text),
and whether it all fits in one spreadsheet (:data:`MAX_CELLS`). Nothing here
talks to Google, so a workbook that cannot be written fails before the first
request.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Final

from sheetkit.errors import UsageError
from sheetkit.frames import DATA_SHEETS, WorkbookData
from sheetkit.gsheets.reader import tab_keys
from sheetkit.template import Column, Labels, Sheet, Template
from sheetkit.template.formulas import StaffFormulas
from sheetkit.template.geometry import FIRST_DATA_ROW, DefinedName, WorkbookLayout, plan_layout
from sheetkit.template.rules import date_order
from sheetkit.template.values import (
    CellValue,
    about_entries,
    is_missing,
    list_columns,
    month_day_text,
    setting_rows,
    value_converter,
)

__all__ = ["MAX_CELLS", "Book", "Tab", "ValueBlock"]

#: Cells a spreadsheet may hold, over all its tabs (Google's limit).
MAX_CELLS: Final = 10_000_000

#: Values of one rectangle: tab title, first 1-based row, first 0-based column, rows.
ValueBlock = tuple[str, int, int, list[list[Any]]]

_EPOCH: Final = dt.datetime(1899, 12, 30)


@dataclass(frozen=True)
class Tab:
    """One tab to create: canonical key, title in the workbook's language, grid size and view."""

    key: str
    title: str
    rows: int
    columns: int
    frozen_rows: int = 1
    frozen_columns: int = 0
    hidden: bool = False

    def properties(self, sheet_id: int, index: int | None = None) -> dict[str, Any]:
        """The tab as Sheets API SheetProperties."""
        grid: dict[str, Any] = {"rowCount": self.rows, "columnCount": self.columns}
        if self.frozen_rows:
            grid["frozenRowCount"] = self.frozen_rows
        if self.frozen_columns:
            grid["frozenColumnCount"] = self.frozen_columns
        props: dict[str, Any] = {"sheetId": sheet_id, "title": self.title, "sheetType": "GRID", "gridProperties": grid}
        if index is not None:
            props["index"] = index
        if self.hidden:
            props["hidden"] = True
        return props


class Book:
    """Everything to write, planned before the first request."""

    def __init__(
        self, template: Template, labels: Labels, data: WorkbookData, stamp: dt.datetime, branch: str | None
    ) -> None:
        self.template = template
        self.labels = labels
        self.data = data
        self.branch = branch
        self.layout: WorkbookLayout = plan_layout(template, labels, {k: len(data.frame(k)) for k in DATA_SHEETS})
        self.formulas = StaffFormulas(self.layout, labels)
        self.names: dict[str, DefinedName] = {n.name: n for n in self.layout.defined_names()}
        self.lists = list_columns(template, labels, self.layout, data.lists)
        self.settings = setting_rows(template, labels, self.layout, data.settings)
        self.about = about_entries(
            template,
            labels,
            stamp,
            branch=branch,
            prepared_rows=self.layout.prepared_rows,
            prepared_by_sheet=self.layout.prepared_by_sheet,
        )
        self.rows = {sheet.key: self._data_rows(sheet) for sheet in template.sheets}
        lay = self.layout
        lists_height = max(*(len(c) for c in self.lists.values()), *(r.last_row for r in lay.lists.values()))
        self.tabs: list[Tab] = [
            Tab(
                s.key,
                lay.sheet(s.key).name,
                lay.sheet(s.key).last_row,
                len(s.columns),
                frozen_columns=lay.sheet(s.key).frozen_columns,
            )
            for s in template.sheets
        ]
        self.tabs += [
            Tab("settings", lay.settings_name, max(lay.settings_rows.values()), 4),
            Tab("lists", lay.lists_name, lists_height, max(self.lists) + 1, hidden=True),
            Tab("about", lay.about_name, len(self.about) + 4, 3, frozen_rows=0),
        ]
        if self.cells() > MAX_CELLS:
            raise UsageError(
                f"the workbook needs {self.cells():,} cells; Google allows {MAX_CELLS:,} per spreadsheet: "
                "split the data (for example by branch or year)"
            )

    def cells(self) -> int:
        """Cells of every tab's grid."""
        return sum(t.rows * t.columns for t in self.tabs)

    def check_fits(self, kept_cells: int) -> None:
        """Refuse the workbook when it and the ``kept_cells`` of a spreadsheet's other tabs exceed Google's limit."""
        if kept_cells + self.cells() > MAX_CELLS:
            raise UsageError(
                f"the workbook needs {self.cells():,} cells and the spreadsheet's other tabs hold {kept_cells:,}; "
                f"Google allows {MAX_CELLS:,} per spreadsheet: use a new spreadsheet or split the data"
            )

    def default_title(self) -> str:
        """Title of a new spreadsheet: the Clients tab name, with the branch code."""
        title = self.labels.sheet_name("clients")
        return f"{title} — {self.branch}" if self.branch else title

    def known_titles(self) -> set[str]:
        """Tab names of this template in every locale: the tabs a sheetkit workbook has."""
        keys = tab_keys(self.template)
        return {self.template.labels(loc).sheet_name(k) for loc in self.template.locales for k in keys}

    def _data_rows(self, sheet: Sheet) -> dict[int, list[list[Any]]]:
        """Values of each run of data columns (formula columns such as client_name split them), by first column.

        Columns the frame lacks stay blank; a birthday without the year is written in the workbook's date order.
        """
        frame = self.data.frame(sheet.key)
        order = date_order(self.labels, self.data.settings)
        blocks: dict[int, list[list[Any]]] = {}
        for start, columns in _data_runs(sheet):
            converters = [value_converter(self.template, self.labels, c) for c in columns]
            values = [_values(frame, c, order) for c in columns]
            out: list[list[Any]] = []
            for r in range(len(frame)):
                row_number = FIRST_DATA_ROW + r
                row: list[Any] = []
                for convert, column, col in zip(converters, values, columns, strict=True):
                    value = column[r]
                    row.append("" if is_missing(value) else _json(convert(value, sheet.key, row_number), sheet, col))
                out.append(_trim(row))
            if any(out):
                blocks[start] = out
        return blocks

    def value_ranges(self) -> Iterator[ValueBlock]:
        """(tab title, first 1-based row, first 0-based column, rows) blocks of values."""
        lab = self.labels
        for sheet in self.template.sheets:
            lay = self.layout.sheet(sheet.key)
            yield lay.name, 1, 0, [[lab.header(sheet.key, c.key) for c in sheet.columns]]
            for start, rows in self.rows[sheet.key].items():
                yield lay.name, FIRST_DATA_ROW, start, rows
        head = lab.settings["header"]
        settings: list[list[Any]] = [[head["key"], head["label"], head["value"], head["help"]]]
        settings += [[e.setting.key, e.label, _setting_json(e.value), e.help] for e in self.settings]
        yield self.layout.settings_name, 1, 0, settings
        height = max(len(c) for c in self.lists.values())
        width = max(self.lists) + 1
        grid: list[list[Any]] = [[""] * width for _ in range(height)]
        for c, cells in self.lists.items():
            for r, value in enumerate(cells):
                if value is not None:
                    grid[r][c] = _json_plain(value) if r else str(value)
        yield self.layout.lists_name, 1, 0, [_trim(r) for r in grid]
        about: list[list[Any]] = [[lab.about["title"]], []]
        about += [[key, label, value] for key, label, value in self.about]
        about += [[], ["", lab.about["notice"]]]
        yield self.layout.about_name, 1, 0, about


def _data_runs(sheet: Sheet) -> list[tuple[int, list[Column]]]:
    """Runs of adjacent data columns, with the 0-based index of the first: formula columns lie between them."""
    runs: list[tuple[int, list[Column]]] = []
    for idx, col in enumerate(sheet.columns):
        if col.is_formula:
            continue
        if runs and runs[-1][0] + len(runs[-1][1]) == idx:
            runs[-1][1].append(col)
        else:
            runs.append((idx, [col]))
    return runs


def _values(frame: Any, col: Column, order: str) -> list[Any]:
    """A column's frame values (all missing when the frame lacks it); "MM-DD" birthdays in the date order."""
    if col.key not in frame.columns:
        return [None] * len(frame)
    values: list[Any] = frame[col.key].tolist()
    if not col.month_day:
        return values
    name = col.key.removesuffix("_date") + "_month_day"
    companion = frame[name].tolist() if name in frame.columns else [None] * len(frame)
    out = []
    for given, md in zip(values, companion, strict=True):
        value = md if is_missing(given) else given
        out.append(month_day_text(value, order) if isinstance(value, str) else value)
    return out


def _setting_json(value: Any) -> Any:
    """A Settings value as JSON: a date as its serial number (the cell is formatted as a date)."""
    if isinstance(value, dt.date):
        return (value - _EPOCH.date()).days
    return _json_plain(value)


def _json(value: CellValue, sheet: Sheet, col: Column) -> Any:
    """A converted cell value as the JSON a RAW values request carries."""
    if isinstance(value, str):
        return value
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            raise UsageError(f"{sheet.key}.{col.key}: a date with a time zone; convert it to local time first")
        return _json_plain((value - _EPOCH) / dt.timedelta(days=1))
    if isinstance(value, dt.date):
        return (value - _EPOCH.date()).days
    return _json_plain(value)


def _json_plain(value: Any) -> Any:
    """Numbers as JSON numbers (whole ones without ".0"); anything else as text."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    if not math.isfinite(value):
        raise UsageError(f"{value} cannot be stored in a spreadsheet cell")
    return int(value) if float(value).is_integer() and abs(value) < 2**53 else float(value)


def _trim(row: list[Any]) -> list[Any]:
    while row and row[-1] == "":
        row.pop()
    return row
