"""The cells of a Google Sheet during an erasure: read, changed as planned, sent, and read back.

:func:`read_spreadsheet` reads every tab twice in two ``values.batchGet`` requests: the values
(``UNFORMATTED_VALUE``, dates as serial numbers, as :func:`~sheetkit.gsheets.reader.read_gsheet`
reads them) and the formulas (``FORMULA``), which tell the cells the spreadsheet computes.

:func:`expected_values` turns the backend-neutral plan of
:func:`~sheetkit.privacy.erasure.plan_erasure` into the cells each changed tab must hold:
emptied and replaced cells in place; a removed row's cells below move up one row, column by
column, and the last rows empty, as if the row had been deleted. Columns of formulas (the
template's own, or staff's) stay where they are: each formula reads its own row, so it
follows the values. A column that mixes formulas and typed values below a removed row is
refused before anything changes: moving its values would break its formulas.

:func:`cell_requests` sends only cells that change (and plain values between them), as
``updateCells`` requests of ONE ``spreadsheets.batchUpdate``, which Google applies entirely
or not at all. ``userEnteredValue.stringValue`` is stored as text as it is, never parsed
(the batchUpdate twin of ``valueInputOption=RAW``): a client's text never becomes a
formula, a number or a date.

:func:`differences` and :func:`leftovers` are the checks before and after: every cell that
is not a formula reads as expected, and no cell holds the person's ID, name, phone or e-mail.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

import pandas as pd

from sheetkit.errors import SheetsError, WorkbookError
from sheetkit.frames import month_day_column
from sheetkit.gsheets.client import ENTERED_VALUE, SheetsClient, entered_cell
from sheetkit.issues import SheetInfo
from sheetkit.privacy.erasure import Erasure, Identifiers, SheetChanges, holds_identifier, leftover_cells
from sheetkit.read.parse import normalize_label
from sheetkit.read.workbook import Workbook
from sheetkit.template import Sheet, Template
from sheetkit.template.geometry import column_index, column_letter, quote_sheet
from sheetkit.template.values import is_missing, value_converter

__all__ = [
    "Grid",
    "SheetValues",
    "cell_requests",
    "date_columns",
    "differences",
    "expected_values",
    "leftovers",
    "read_spreadsheet",
    "reread",
]

#: One tab's values as ``values.batchGet`` gives them: rows of cells, "" for an empty cell.
Grid = list[list[Any]]
_EPOCH: Final = dt.datetime(1899, 12, 30)
_NON_DIGIT = re.compile(r"\D+")
_MIN_PHONE_DIGITS: Final = 6


@dataclass
class SheetValues:
    """Every tab of one spreadsheet as read: values, and the cells that hold formulas."""

    key: str
    title: str
    #: Tab title -> sheetId, in tab order (grid tabs only: a chart tab has no cells).
    sheet_ids: dict[str, int]
    values: dict[str, Grid]
    #: Tab title -> (0-based row, 0-based column) of each formula cell, as read before the erasure.
    formulas: dict[str, set[tuple[int, int]]]

    @property
    def titles(self) -> list[str]:
        """The tabs, in order."""
        return list(self.sheet_ids)


def read_spreadsheet(client: SheetsClient, key: str) -> SheetValues:
    """Titles, values and formula cells of every tab: one metadata read and two value reads."""
    meta = client.metadata(key, fields="properties.title,sheets.properties")
    ids: dict[str, int] = {}
    for sheet in meta.get("sheets") or []:
        props = sheet.get("properties") if isinstance(sheet, dict) else None
        if isinstance(props, dict) and isinstance(props.get("title"), str) and props.get("sheetType", "GRID") == "GRID":
            ids[props["title"]] = int(props.get("sheetId") or 0)
    title = meta.get("properties", {}).get("title") if isinstance(meta.get("properties"), dict) else None
    values = _batch(client, key, list(ids), "UNFORMATTED_VALUE")
    shown = _batch(client, key, list(ids), "FORMULA")
    formulas = {
        t: {
            (r, c)
            for r, row in enumerate(shown[t])
            for c, v in enumerate(row)
            if isinstance(v, str) and v.startswith("=") and _at(values[t], r, c) != v
        }
        for t in ids
    }
    return SheetValues(key, str(title or ""), ids, values, formulas)


def reread(client: SheetsClient, before: SheetValues) -> SheetValues:
    """The same tabs read again (values only, one read); formula cells are those found before."""
    values = _batch(client, before.key, before.titles, "UNFORMATTED_VALUE")
    return SheetValues(before.key, before.title, dict(before.sheet_ids), values, before.formulas)


def _batch(client: SheetsClient, key: str, titles: list[str], render: str) -> dict[str, Grid]:
    answer = client.values_batch_get(key, [quote_sheet(t) for t in titles], value_render=render)
    ranges = answer.get("valueRanges")
    if not isinstance(ranges, list) or len(ranges) != len(titles):
        raise SheetsError(
            f"Google answered with another number of tabs than the {len(titles)} asked for", spreadsheet=key
        )
    out: dict[str, Grid] = {}
    for title, part in zip(titles, ranges, strict=True):
        rows = part.get("values", []) if isinstance(part, dict) else []
        out[title] = [list(row) if isinstance(row, list) else [] for row in rows] if isinstance(rows, list) else []
    return out


def _at(grid: Grid, r: int, c: int) -> Any:
    if r < len(grid) and c < len(grid[r]):
        value = grid[r][c]
        return "" if value is None else value
    return ""


def same(a: Any, b: Any) -> bool:
    """Two cell values read the same (numbers by value, never a number equal to a text or a boolean)."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return float(a) == float(b)
    return bool(a == b)


# ---------------------------------------------------------------- the cells after the erasure


def expected_values(before: SheetValues, book: Workbook, erasure: Erasure, template: Template) -> dict[str, Grid]:
    """Tab title -> the values the tab must hold after the erasure, for every tab the plan changes."""
    labels = template.labels(book.locale)
    out: dict[str, Grid] = {}
    for key, changes in erasure.changes.items():
        info = book.sheets[key]
        grid = [list(row) for row in before.values[info.name]]
        width = max((len(r) for r in grid), default=0)
        grid = [row + [""] * (width - len(row)) for row in grid]
        sheet = template.sheet(key)
        columns = _columns(info, grid[0] if grid else [])
        # A birthday without the year is read into a frame-only column; in the tab it is the date column's cell.
        columns.update(
            {month_day_column(c.key): columns[c.key] for c in sheet.columns if c.month_day and c.key in columns}
        )
        frame = book.data.frame(key)
        for (row, column), value in changes.cells.items():
            if column not in columns:
                continue  # a column the tab lacks
            if is_missing(value):
                grid[int(row) - 1][columns[column]] = ""
                continue
            if row in frame.index and column in frame.columns and _same_frame_value(frame.at[row, column], value):
                continue  # kept as it is (the tombstone's branch): the cell is not rewritten
            cell = value
            if column in sheet.keys:
                cell = value_converter(template, labels, sheet.column(column))(value, key, int(row))
            grid[int(row) - 1][columns[column]] = _json(cell)
        if changes.removed_rows:
            _remove_rows(grid, changes, _fixed(sheet, info, before, grid, changes), before.key, info.name)
        out[info.name] = grid
    return out


def _columns(info: SheetInfo, header: list[Any]) -> dict[str, int]:
    """Column (canonical key, or staff's header as the reader names it) -> 0-based grid column."""
    out: dict[str, int] = {}
    for j, cell in enumerate(header):
        if isinstance(cell, str) and cell.strip():
            out[cell.strip()] = j  # the last of two equal headers, as the reader keeps it
            out[f"{cell.strip()} ({column_letter(j)})"] = j
    out.update({k: column_index(letter) for k, letter in info.letters.items()})
    return out


def _same_frame_value(old: Any, new: Any) -> bool:
    if is_missing(old) or is_missing(new):
        return is_missing(old) and is_missing(new)
    try:
        return bool(old == new)
    except (TypeError, ValueError):
        return False


def _json(value: Any) -> Any:
    """A cell value as the Sheets API carries it: text, number, boolean, dates as serial numbers."""
    if is_missing(value):
        return ""
    if isinstance(value, (str, bool)):
        return value
    if isinstance(value, (int, float)):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, dt.datetime):
        return (value.replace(tzinfo=None) - _EPOCH) / dt.timedelta(days=1)
    if isinstance(value, dt.date):
        return (value - _EPOCH.date()).days
    return str(value)


def _fixed(sheet: Sheet, info: SheetInfo, before: SheetValues, grid: Grid, changes: SheetChanges) -> set[int]:
    """Columns that do not move when rows go: formula columns. A column mixing formulas and values is refused."""
    first = min(changes.removed_rows) - 1
    formulas = before.formulas[info.name]
    fixed = {column_index(info.letters[c.key]) for c in sheet.columns if c.is_formula and c.key in info.letters}
    for c in {c for r, c in formulas if r >= first} - fixed:
        typed = [r for r in range(first, len(grid)) if (r, c) not in formulas and _at(grid, r, c) != ""]
        if typed:
            raise WorkbookError(
                f"the {info.name} tab's column {column_letter(c)} mixes formulas and typed values below row "
                f"{first + 1}, so its rows cannot move up safely; turn its formulas into values (or move "
                "them to another tab) and try again; nothing was changed",
                path=f"gsheets:{before.key}",
            )
        fixed.add(c)
    return fixed


def _remove_rows(grid: Grid, changes: SheetChanges, fixed: set[int], key: str, name: str) -> None:
    gone = {int(r) - 1 for r in changes.removed_rows}
    if min(gone) < 1:
        raise WorkbookError(f"the {name} tab: the header row cannot be removed", path=f"gsheets:{key}")
    first, height = min(gone), len(grid)
    kept = [r for r in range(first, height) if r not in gone]
    for c in range(len(grid[0]) if grid else 0):
        if c in fixed:
            continue
        moved = [grid[r][c] for r in kept] + [""] * (height - first - len(kept))
        for offset, value in enumerate(moved):
            grid[first + offset][c] = value


# ---------------------------------------------------------------- the one batchUpdate


def cell_requests(before: SheetValues, expected: Mapping[str, Grid]) -> tuple[list[dict[str, Any]], int]:
    """The ``updateCells`` requests that turn ``before`` into ``expected``, and the number of cells they write.

    A request covers a rectangle of rows whose changed cells span the same columns; cells
    between changed ones are written with their own value, formula cells never.
    """
    requests: list[dict[str, Any]] = []
    written = 0
    for title, grid in expected.items():
        old, formulas = before.values[title], before.formulas[title]
        spans: dict[int, list[tuple[int, int]]] = {}
        for r, row in enumerate(grid):
            changed = [c for c, value in enumerate(row) if not same(value, _at(old, r, c))]
            if changed:
                spans[r] = _runs(changed, r, formulas)
        for r0, r1, c0, c1 in _rectangles(spans):
            rows = [{"values": [entered_cell(grid[r][c]) for c in range(c0, c1 + 1)]} for r in range(r0, r1 + 1)]
            area = {
                "sheetId": before.sheet_ids[title],
                "startRowIndex": r0,
                "endRowIndex": r1 + 1,
                "startColumnIndex": c0,
                "endColumnIndex": c1 + 1,
            }
            requests.append({"updateCells": {"range": area, "rows": rows, "fields": ENTERED_VALUE}})
            written += (r1 - r0 + 1) * (c1 - c0 + 1)
    return requests, written


def _runs(changed: list[int], r: int, formulas: set[tuple[int, int]]) -> list[tuple[int, int]]:
    """Changed columns of one row joined into runs wherever no formula cell lies between them."""
    runs = [(changed[0], changed[0])]
    for c in changed[1:]:
        start, end = runs[-1]
        if all((r, between) not in formulas for between in range(end + 1, c)):
            runs[-1] = (start, c)
        else:
            runs.append((c, c))
    return runs


def _rectangles(spans: Mapping[int, list[tuple[int, int]]]) -> list[tuple[int, int, int, int]]:
    """(first row, last row, first column, last column) of runs repeated on consecutive rows."""
    done: list[tuple[int, int, int, int]] = []
    open_: dict[tuple[int, int], tuple[int, int]] = {}
    for r in sorted(spans):
        still: dict[tuple[int, int], tuple[int, int]] = {}
        for run in spans[r]:
            r0, r1 = open_.pop(run, (r, r - 1))
            if r1 != r - 1:
                done.append((r0, r1, *run))
                r0 = r
            still[run] = (r0, r)
        done += [(r0, r1, *run) for run, (r0, r1) in open_.items()]
        open_ = still
    done += [(r0, r1, *run) for run, (r0, r1) in open_.items()]
    return sorted(done)


# ---------------------------------------------------------------- the checks


def differences(before: SheetValues, expected: Mapping[str, Grid], after: SheetValues) -> tuple[list[str], int]:
    """Cells (``Tab!A1``, never a value) that do not read as expected, and how many were compared.

    Formula cells are not compared: the spreadsheet computes them from the cells that are.
    """
    found: list[str] = []
    compared = 0
    for title in before.titles:
        want, got = expected.get(title, before.values[title]), after.values.get(title, [])
        formulas = before.formulas[title]
        for r in range(max(len(want), len(got))):
            width = max(len(want[r]) if r < len(want) else 0, len(got[r]) if r < len(got) else 0)
            for c in range(width):
                if (r, c) in formulas:
                    continue
                compared += 1
                if not same(_at(want, r, c), _at(got, r, c)):
                    found.append(f"{title}!{column_letter(c)}{r + 1}")
    return found, compared


def date_columns(book: Workbook, template: Template) -> dict[str, dict[int, str]]:
    """Tab title -> 0-based column -> ``date`` or ``datetime``, for the template's date columns."""
    out: dict[str, dict[int, str]] = {}
    for key, info in book.sheets.items():
        sheet = template.sheet(key)
        out[info.name] = {
            column_index(info.letters[c.key]): c.type
            for c in sheet.columns
            if c.type in ("date", "datetime") and c.key in info.letters
        }
    return out


def leftovers(
    values: Mapping[str, Grid],
    formulas: Mapping[str, set[tuple[int, int]]],
    book: Workbook,
    ident: Identifiers,
    template: Template,
    *,
    computed: bool,
) -> tuple[list[str], int]:
    """Cells (as staff see them) still holding the person's ID, name, phone or e-mail; and namesake cells.

    The rows read into frames follow :func:`~sheetkit.privacy.erasure.leftover_cells` (another
    client's own name or phone is a namesake). Every other cell of every tab is searched too,
    staff's own tabs included, except the template's Lists, Settings and About (staff, services
    and settings, no clients). Formula cells are skipped unless ``computed`` (after the
    erasure, when the spreadsheet has computed them); then a formula showing another client's
    own name, phone or e-mail (a name look-up) is a namesake.
    """
    found, namesakes = leftover_cells(book.data, ident, template=template)
    cells = [f"{book.sheets[k].name} row {row} ({book.sheets[k].headers.get(col, col)})" for k, row, col in found]
    covered = _covered(book, values)
    support = _support_titles(template)
    others = _own_values(book, template)
    where: list[tuple[str, int, int, bool]] = []
    texts: list[Any] = []
    for title, grid in values.items():
        if normalize_label(title) in support:
            continue
        rows, columns = covered.get(title, (set(), set()))
        header = title in covered
        for r, row in enumerate(grid):
            for c, value in enumerate(row):
                formula = (r, c) in formulas.get(title, set())
                if not isinstance(value, str) or (r == 0 and header) or (formula and not computed):
                    continue
                if r + 1 in rows and c in columns:
                    continue
                where.append((title, r, c, formula))
                texts.append(value)
    hits = holds_identifier(pd.Series(texts, dtype=object), ident) if texts else pd.Series(dtype=bool)
    for (title, r, c, formula), hit, value in zip(where, hits.tolist(), texts, strict=True):
        if not hit:
            continue
        if formula and _namesake(value, others):
            namesakes += 1
        else:
            cells.append(f"{title}!{column_letter(c)}{r + 1}")
    return cells, namesakes


def _covered(book: Workbook, values: Mapping[str, Grid]) -> dict[str, tuple[set[int], set[int]]]:
    """Tab title -> (sheet rows, 0-based columns) read into the frames, which leftover_cells searches."""
    out: dict[str, tuple[set[int], set[int]]] = {}
    for key, info in book.sheets.items():
        frame = book.data.frame(key)
        grid = values.get(info.name) or [[]]
        columns = _columns(info, grid[0])
        out[info.name] = ({int(r) for r in frame.index}, {columns[str(c)] for c in frame.columns if str(c) in columns})
    return out


def _support_titles(template: Template) -> set[str]:
    return {
        normalize_label(template.labels(loc).sheet_name(key))
        for loc in template.locales
        for key in template.SUPPORT_SHEETS
    }


def _own_values(book: Workbook, template: Template) -> tuple[set[str], set[str]]:
    """Other clients' own names and e-mails (folded) and phones (digits), after the erasure."""
    clients = book.data.frame("clients")
    texts: set[str] = set()
    phones: set[str] = set()
    for col in template.sheet("clients").data_columns:
        if col.sensitivity == "personal" and col.type in ("text", "phone", "email") and col.key in clients:
            for value in clients[col.key].dropna():
                if col.type == "phone":
                    phones.add(_NON_DIGIT.sub("", str(value)))
                else:
                    texts.add(str(value).strip().casefold())
    return texts, phones


def _namesake(value: Any, others: tuple[set[str], set[str]]) -> bool:
    digits = _NON_DIGIT.sub("", str(value))
    return str(value).strip().casefold() in others[0] or (len(digits) >= _MIN_PHONE_DIGITS and digits in others[1])
