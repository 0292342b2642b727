"""What a rewrite writes, where every row goes, and the check that nothing else changed.

A rewrite (:func:`sheetkit.excel.upgrade.rewrite_workbook`, used by ``upgrade``)
regenerates a workbook from its own values. This module holds its three steps
that do not touch files:

- :func:`editable_data`: the values read, as the canonical frames a transform
  edits (staff's extra columns after the template's, under their headers);
- :func:`plan_output`: where each row goes (original rows keep their row, less
  the rows removed above them; appended rows follow), the frames the writer
  takes, the template the writer is given (the current one plus staff's extra
  columns, typed text, numbers or dates) and the hidden rows;
- :func:`compare`: every cell of the original against the regenerated
  workbook, except the cells the transform changed.
"""

from __future__ import annotations

import bisect
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import pandas as pd

from sheetkit.excel.upgrade_read import FullRead, cell_values, comparable
from sheetkit.frames import WorkbookData, row_of
from sheetkit.template import Column, Template
from sheetkit.template.geometry import FIRST_DATA_ROW, column_letter
from sheetkit.template.values import is_missing

__all__ = ["Difference", "OutputPlan", "compare", "editable_data", "plan_output"]

#: Width of a staff column in the regenerated workbook.
_EXTRA_WIDTH = 16.0


@dataclass
class SheetPlan:
    """One data sheet of the output: rows by position, staff's columns, hidden rows."""

    frame: pd.DataFrame
    #: original sheet row -> its row in the output (removed rows are absent)
    rows: dict[int, int]
    #: header of each staff column, in order; their frame columns are ``staff_column_<n>``
    extras: list[str]
    hidden_rows: set[int]
    appended: int = 0


@dataclass
class OutputPlan:
    """Everything the writer needs, and how to find each original cell in the output."""

    data: WorkbookData
    template: Template
    sheets: dict[str, SheetPlan] = field(default_factory=dict)


@dataclass(frozen=True)
class Difference:
    """A cell that the rewrite would change although nothing asked for it (never its value: it may be personal)."""

    sheet: str
    row: int | None
    column: str

    def __str__(self) -> str:
        return f"{self.sheet} row {self.row}, {self.column}" if self.row is not None else f"{self.sheet}, {self.column}"


# ---------------------------------------------------------------- the transform's view


def editable_data(full: FullRead, template: Template) -> WorkbookData:
    """The workbook's values as canonical frames indexed by sheet row, staff's columns after the template's.

    A cell the reader could not read holds the text staff typed; a staff column is
    named by its header (``"Tips"``, a second ``"Tips"`` column ``"Tips#2"``).
    """
    frames: dict[str, pd.DataFrame] = {}
    for sheet in template.sheets:
        cells = full.sheets[sheet.key]
        frame = cells.frame.copy()
        for (row, column), text in cells.unread.items():
            frame[column] = frame[column].astype(object)
            frame.at[row, column] = text
        for extra in cells.extras:
            frame[_extra_name(extra.identity)] = extra.values.reindex(frame.index)
        frames[sheet.key] = frame
    lists = {key: frame.copy() for key, frame in full.book.data.lists.items()}
    return WorkbookData(**frames, lists=lists, settings=dict(full.book.data.settings))


def _extra_name(identity: str) -> str:
    header, _, ordinal = identity.rpartition("#")
    return header if ordinal == "1" else identity


def extra_columns(full: FullRead, template: Template) -> dict[str, list[str]]:
    """Sheet key -> the frame names of staff's columns (as :func:`editable_data` names them)."""
    return {s.key: [_extra_name(e.identity) for e in full.sheets[s.key].extras] for s in template.sheets}


# ---------------------------------------------------------------- the output


def plan_output(
    full: FullRead, data: WorkbookData, template: Template, locale: str, extras: Mapping[str, list[str]]
) -> OutputPlan:
    """Lay out ``data`` (edited or not) for the writer: rows, staff columns, hidden rows, the template to use."""
    plans: dict[str, SheetPlan] = {}
    frames: dict[str, pd.DataFrame] = {}
    for sheet in template.sheets:
        frame = data.frame(sheet.key)
        original = full.sheets[sheet.key]
        rows, appended = _positions(list(original.frame.index), frame.index)
        names = [name for name in extras.get(sheet.key, []) if name in frame.columns]
        headers = [name.rpartition("#")[0] if _is_second(name, extras[sheet.key]) else name for name in names]
        out = _arranged(
            frame, rows, appended, columns=sheet.data_columns, extras=names, derived=_frame_only(frame, sheet, names)
        )
        labels = {int(r) for r in original.frame.index}
        moved = (rows.get(r) if r in labels else _gap_row(r, rows) for r in original.hidden_rows)
        hidden = {r for r in moved if r is not None and FIRST_DATA_ROW <= r < FIRST_DATA_ROW + len(out)}
        plans[sheet.key] = SheetPlan(out, rows, headers, hidden, len(appended))
        frames[sheet.key] = out
    written = _with_staff_columns(template, locale, {k: p.extras for k, p in plans.items()}, frames)
    lists = dict(data.lists)
    return OutputPlan(WorkbookData(**frames, lists=lists, settings=dict(data.settings)), written, plans)


def _is_second(name: str, names: list[str]) -> bool:
    header, _, ordinal = name.rpartition("#")
    return bool(header) and ordinal.isdigit() and int(ordinal) > 1 and header in names


def _frame_only(frame: pd.DataFrame, sheet: Any, extras: list[str]) -> list[str]:
    """Frame columns the template derives from others (``birth_month_day``): kept for the writer."""
    keys = {c.key for c in sheet.columns}
    return [c for c in frame.columns if c not in keys and c not in extras]


def _positions(original: list[Any], index: pd.Index) -> tuple[dict[int, int], list[int]]:
    """Original row -> output row, and the frame positions of appended rows.

    Original rows keep their row less the original rows removed above it (blank rows
    between them stay); appended rows follow the last original row, in frame order.
    """
    before = {int(r) for r in original}
    kept = [int(label) for label in index if _is_row(label) and int(label) in before]
    removed = sorted(before - set(kept))
    rows = {r: r - bisect.bisect_left(removed, r) for r in kept}
    appended = [i for i, label in enumerate(index) if not (_is_row(label) and int(label) in before)]
    return rows, appended


def _is_row(label: Any) -> bool:
    return isinstance(label, (int,)) or (hasattr(label, "is_integer") and not is_missing(label))


def _gap_row(row: int, rows: Mapping[int, int]) -> int | None:
    """Where a row between data rows (blank, maybe hidden) goes: it moves with the data row below it."""
    below = [r for r in rows if r > row]
    if not below:
        return None
    nearest = min(below)
    return rows[nearest] - (nearest - row)


def _arranged(
    frame: pd.DataFrame,
    rows: Mapping[int, int],
    appended: list[int],
    *,
    columns: tuple[Column, ...],
    extras: list[str],
    derived: list[str],
) -> pd.DataFrame:
    """The frame re-indexed by output row from FIRST_DATA_ROW, blank rows where there is no data."""
    last = max(rows.values(), default=FIRST_DATA_ROW - 1)
    targets: list[int] = []
    sources: list[int] = []
    position_of = {label: i for i, label in enumerate(frame.index) if _is_row(label) and int(label) in rows}
    for label, target in rows.items():
        sources.append(position_of[label])
        targets.append(target)
    for n, position in enumerate(appended, start=1):
        sources.append(position)
        targets.append(last + n)
    keys = [c.key for c in columns] + derived
    picked = frame.iloc[sources].reindex(columns=keys + extras)
    picked.index = pd.Index(targets, dtype="int64")
    picked.columns = pd.Index(keys + [f"staff_column_{i + 1}" for i in range(len(extras))], dtype=object)
    end = max(targets, default=FIRST_DATA_ROW - 1)
    full_index = pd.RangeIndex(FIRST_DATA_ROW, end + 1)
    out = picked.reindex(full_index)
    out.index.name = "row"
    return out


def _with_staff_columns(
    template: Template, locale: str, extras: Mapping[str, list[str]], frames: Mapping[str, pd.DataFrame]
) -> Template:
    """The template plus staff's columns at the end of their sheets, under their own headers."""
    if not any(extras.values()):
        return template
    labels = template.labels(locale)
    columns = {key: dict(value) for key, value in labels.columns.items()}
    sheets = []
    for sheet in template.sheets:
        added: list[Column] = []
        for i, header in enumerate(extras.get(sheet.key, [])):
            key = f"staff_column_{i + 1}"
            added.append(Column(key=key, type=_kind(frames[sheet.key][key]), width=_EXTRA_WIDTH))
            columns[sheet.key] = {**columns[sheet.key], key: {"header": header, "help": header}}
        sheets.append(replace(sheet, columns=(*sheet.columns, *added)))
    own = replace(labels, columns=columns)
    every = {name: template.labels(name) for name in template.locales}
    return replace(template, sheets=tuple(sheets), _labels={**every, locale: own})


def _kind(values: pd.Series) -> Any:
    """The column type a staff column is written as: numbers and dates stay numbers and dates."""
    present = [v for v in values.tolist() if not is_missing(v)]
    if present and all(isinstance(v, float | int) and not isinstance(v, bool) for v in present):
        return "decimal"
    if present and all(isinstance(v, pd.Timestamp) for v in present):
        whole = all(v == v.normalize() for v in present)
        return "date" if whole else "datetime"
    return "text"


# ---------------------------------------------------------------- verification


def compare(
    old: FullRead,
    new: FullRead,
    plan: OutputPlan,
    *,
    touched: set[tuple[str, int, str]],
    kept_settings: set[str],
    kept_lists: set[str],
    typed: Mapping[tuple[str, int, str], str] | None = None,
) -> tuple[list[Difference], int]:
    """Every cell of ``old`` that the transform did not touch, against ``new``; the differences.

    Data cells are matched by sheet key, row (through the plan's row map) and
    column key (staff's columns by header); a cell the reader could not read is
    compared as the text typed; a birthday without the year as (month, day).
    ``typed`` (sheet key, new row, column) -> text: cells that must also be typed
    so in ``new`` (a birthday typed in the workbook's date order).
    Lists compare by list, position and column;
    Settings by key (``kept_settings``, ``kept_lists``: the ones that must keep their values).
    Returns the differences and the number of data cells compared.
    """
    before = cell_values(old)
    after = cell_values(new)
    found: list[Difference] = []
    seen: set[tuple[str, int, str]] = set()
    for (sheet, row, column), value in before.items():
        if (sheet, row, column) in touched:
            continue
        target = plan.sheets[sheet].rows.get(row)
        if target is None:
            found.append(_difference(old, sheet, row, column))
            continue
        seen.add((sheet, target, column))
        unread = old.sheets[sheet].unread
        if (row, column) in unread:
            if new.sheets[sheet].text(target, column) != unread[(row, column)]:
                found.append(_difference(old, sheet, row, column))
            continue
        if after.get((sheet, target, column)) != value:
            found.append(_difference(old, sheet, row, column))
    moved = {(s, t): r for s, p in plan.sheets.items() for r, t in p.rows.items()}
    for (sheet, row, column), _value in after.items():
        origin = moved.get((sheet, row))
        if (sheet, row, column) in seen or origin is None or (sheet, origin, column) in touched:
            continue
        found.append(_difference(new, sheet, row, column))
    for (sheet, row, column), text in (typed or {}).items():
        if new.sheets[sheet].text(row, column) != text:
            found.append(_difference(new, sheet, row, column))
    found += _compare_lists(old, new, kept_lists)
    found += _compare_settings(old, new, kept_settings)
    return found, len(seen)


def _difference(full: FullRead, sheet: str, row: int, column: str) -> Difference:
    cells = full.sheets[sheet]
    shown = column.removeprefix("extra:").rpartition("#")[0] if column.startswith("extra:") else column
    letter = cells.positions.get(column)
    where = f"{shown} ({column_letter(letter)})" if letter is not None else shown
    return Difference(cells.name or sheet, row, where)


def _compare_lists(old: FullRead, new: FullRead, kept: set[str]) -> list[Difference]:
    found: list[Difference] = []
    for key, frame in old.book.data.lists.items():
        if key not in kept:
            continue
        other = new.book.data.lists.get(key, pd.DataFrame())
        for column in frame.columns:
            if f"ref_{key}_{column}" not in old.defined_names:
                continue  # a column this workbook did not have: filled from the template
            mine = [comparable(v) for v in frame[column].tolist()]
            theirs = [comparable(v) for v in other[column].tolist()] if column in other.columns else []
            mine, theirs = _trim(mine), _trim(theirs)
            if mine != theirs:
                found.append(Difference("Lists", None, f"{key}.{column}"))
    return found


def _trim(values: list[Any]) -> list[Any]:
    blank = comparable(None)
    while values and values[-1] == blank:
        values = values[:-1]
    return values


def _compare_settings(old: FullRead, new: FullRead, kept: set[str]) -> list[Difference]:
    found: list[Difference] = []
    for key in sorted(kept):
        if comparable(old.book.data.settings.get(key)) != comparable(new.book.data.settings.get(key)):
            found.append(Difference("Settings", None, key))
    return found


# ---------------------------------------------------------------- touched cells


def touched_cells(
    before: WorkbookData, after: WorkbookData, template: Template, extras: Mapping[str, list[str]]
) -> set[tuple[str, int, str]]:
    """(sheet key, original row, column) of every cell a transform changed, blanked or removed."""
    touched: set[tuple[str, int, str]] = set()
    for sheet in template.sheets:
        old, new = before.frame(sheet.key), after.frame(sheet.key)
        names = {name: f"extra:{_identity(name, extras.get(sheet.key, []))}" for name in extras.get(sheet.key, [])}
        for column in old.columns:
            if column not in new.columns:
                continue  # a column is never the transform's to drop: the verification reports it
            key = names.get(str(column), str(column))
            mine = old[column]
            theirs = new[column]
            for row, value in mine.items():
                other = theirs.get(row) if row in theirs.index else None
                if comparable(_blank(value)) != comparable(_blank(other)):
                    touched.add((sheet.key, row_of(row), key))
    return touched


def unchanged_lists(before: WorkbookData, after: WorkbookData) -> set[str]:
    """Keys of the Lists a transform left as they were."""
    same: set[str] = set()
    for key, frame in before.lists.items():
        other = after.lists.get(key)
        if other is not None and list(frame.columns) == list(other.columns) and _cells(frame) == _cells(other):
            same.add(key)
    return same


def _cells(frame: pd.DataFrame) -> list[list[Any]]:
    return [[comparable(_blank(v)) for v in row] for row in frame.itertuples(index=False)]


def _identity(name: str, names: list[str]) -> str:
    return name if _is_second(name, names) else f"{name}#1"


def _blank(value: Any) -> Any:
    return None if is_missing(value) else value
