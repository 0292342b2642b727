"""Cell values: what a write stores (RAW vs USER_ENTERED) and what a read returns for each render option."""

from __future__ import annotations

from typing import Any, NamedTuple

from . import formula
from .errors import bad_request, invalid_value
from .formatting import format_number, is_date_format, json_number, parse_typed
from .model import Book, Sheet

Box = tuple[int, int, int, int]  # r0, r1, c0, c1 (end-exclusive)


class Render(NamedTuple):
    """valueRenderOption, dateTimeRenderOption and majorDimension of a read."""

    value: str = "FORMATTED_VALUE"
    date: str = "SERIAL_NUMBER"
    major: str = "ROWS"


class Evaluator:
    """Effective values of one book, memoised for the duration of one request."""

    def __init__(self, book: Book) -> None:
        self.book = book
        self._cache: dict[tuple[int, int, int], Any] = {}
        self._active: set[tuple[int, int, int]] = set()
        self.spans: dict[tuple[int, int, int, int, int], list[Any]] = {}

    def effective(self, sheet: Sheet, row: int, col: int) -> Any:
        cell = sheet.cell(row, col)
        if cell is None or cell.value is None:
            return None
        value = cell.value
        if "formulaValue" in value:
            key = (sheet.sheet_id, row, col)
            if key in self._cache:
                return self._cache[key]
            if key in self._active:
                return formula.REF
            self._active.add(key)
            try:
                result = formula.evaluate(value["formulaValue"], _Resolver(self, sheet), (row, col))
            finally:
                self._active.discard(key)
            if result is None:
                result = 0.0
            self._cache[key] = result
            return result
        if "numberValue" in value:
            return value["numberValue"]
        if "boolValue" in value:
            return bool(value["boolValue"])
        if "errorValue" in value:
            return formula.CellError(str(value["errorValue"].get("message") or "#ERROR!"))
        return value.get("stringValue", "")


class _Resolver:
    def __init__(self, ev: Evaluator, sheet: Sheet) -> None:
        self.ev = ev
        self.sheet = sheet

    def _sheet(self, title: str | None) -> Sheet | None:
        return self.sheet if title is None else self.ev.book.sheet_by_title(title)

    def cell(self, sheet: str | None, row: int, col: int) -> Any:
        target = self._sheet(sheet)
        if target is None:
            return formula.REF
        grid = target.properties["gridProperties"]
        if row >= grid["rowCount"] or col >= grid["columnCount"]:
            return formula.REF
        return self.ev.effective(target, row, col)

    def _box(self, target: Sheet, r0: int, r1: int, c0: int, c1: int) -> list[Any]:
        r1, c1 = min(r1, target.row_count), min(c1, target.column_count)
        key = (target.sheet_id, r0, r1, c0, c1)
        cached = self.ev.spans.get(key)
        if cached is None:
            if (r1 - r0) * (c1 - c0) <= len(target.cells):
                keys = [(r, c) for r in range(r0, r1) for c in range(c0, c1) if (r, c) in target.cells]
            else:
                keys = sorted(k for k in target.cells if r0 <= k[0] < r1 and c0 <= k[1] < c1)
            cached = self.ev.spans[key] = [self.ev.effective(target, r, c) for r, c in keys]
        return cached

    def span(self, sheet: str | None, box: tuple[int, int | None, int, int | None]) -> list[Any]:
        target = self._sheet(sheet)
        if target is None:
            return [formula.REF]
        r0, r1, c0, c1 = box
        r1 = target.row_count if r1 is None else r1
        c1 = target.column_count if c1 is None else c1
        return self._box(target, r0, r1, c0, c1)

    def named(self, name: str) -> list[Any] | None:
        named = self.ev.book.named_range(name)
        if named is None:
            return None
        gr = named["range"]
        target = self.ev.book.sheet_by_id(gr.get("sheetId", 0))
        if target is None:
            return [formula.REF]
        r0, r1 = gr.get("startRowIndex") or 0, gr.get("endRowIndex", target.row_count)
        c0, c1 = gr.get("startColumnIndex") or 0, gr.get("endColumnIndex", target.column_count)
        return self._box(target, r0, r1, c0, c1)


# ---------------------------------------------------------------- reading
def render(ev: Evaluator, sheet: Sheet, row: int, col: int, how: Render) -> Any:
    """One cell as values.get returns it; None when the cell is empty."""
    value_render, date_render = how.value, how.date
    cell = sheet.cell(row, col)
    if cell is None or cell.value is None:
        return None
    if value_render == "FORMULA" and "formulaValue" in cell.value:
        return cell.value["formulaValue"]
    eff = ev.effective(sheet, row, col)
    number_format = cell.fmt.get("numberFormat") if cell.fmt else None
    if isinstance(eff, formula.CellError):
        return eff.code
    if isinstance(eff, bool):
        return ("TRUE" if eff else "FALSE") if value_render == "FORMATTED_VALUE" else eff
    if isinstance(eff, int | float):
        if value_render == "FORMATTED_VALUE":
            return format_number(eff, number_format, ev.book.locale)
        if date_render == "FORMATTED_STRING" and is_date_format(number_format):
            return format_number(eff, number_format, ev.book.locale)
        return json_number(eff)
    return eff


def read_matrix(ev: Evaluator, sheet: Sheet, box: Box, how: Render) -> list[list[Any]]:
    """The ``values`` of a ValueRange: trailing empty cells and rows trimmed, interior gaps ``""``/``[]``."""
    r0, r1, c0, c1 = box
    keys = [k for k, cell in sheet.cells.items() if cell.value is not None and r0 <= k[0] < r1 and c0 <= k[1] < c1]
    if not keys:
        return []
    rmax = max(k[0] for k in keys) + 1
    cmax = max(k[1] for k in keys) + 1
    grid = [[render(ev, sheet, r, c, how) for c in range(c0, cmax)] for r in range(r0, rmax)]
    if how.major == "COLUMNS":
        grid = [list(col) for col in zip(*grid, strict=True)]
    out: list[list[Any]] = []
    for line in grid:
        while line and line[-1] is None:
            line.pop()
        out.append(["" if v is None else v for v in line])
    while out and not out[-1]:
        out.pop()
    return out


# ---------------------------------------------------------------- writing
def check_rows(values: Any, path: str) -> list[list[Any]]:
    """``values`` must be a list of lists of scalars (null = leave the cell alone)."""
    if not isinstance(values, list):
        raise invalid_value(path, "type.googleapis.com/google.protobuf.ListValue", values)
    rows: list[list[Any]] = []
    for i, row in enumerate(values):
        if row is None:
            rows.append([])
            continue
        if not isinstance(row, list):
            raise invalid_value(f"{path}[{i}]", "type.googleapis.com/google.protobuf.ListValue", row)
        for j, v in enumerate(row):
            if isinstance(v, dict | list):
                kind = "struct_value" if isinstance(v, dict) else "list_value"
                raise bad_request(f"Invalid values[{i}][{j}]: {kind}")
        rows.append(row)
    return rows


def transpose(rows: list[list[Any]]) -> list[list[Any]]:
    width = max((len(r) for r in rows), default=0)
    return [[r[j] if j < len(r) else None for r in rows] for j in range(width)]


def written_cells(r0: int, c0: int, rows: list[list[Any]]) -> list[tuple[int, int, Any]]:
    return [(r0 + i, c0 + j, v) for i, row in enumerate(rows) for j, v in enumerate(row) if v is not None]


def stats(cells: list[tuple[int, int, Any]]) -> tuple[Box | None, int, int, int]:
    """Bounding box of the written cells, and updatedRows / updatedColumns / updatedCells."""
    if not cells:
        return None, 0, 0, 0
    rows = {r for r, _, _ in cells}
    cols = {c for _, c, _ in cells}
    return (min(rows), max(rows) + 1, min(cols), max(cols) + 1), len(rows), len(cols), len(cells)


def stored_value(raw: Any, option: str, locale: str, existing: dict[str, Any] | None) -> tuple[Any, Any]:
    """(userEnteredValue or None to empty the cell, numberFormat detected from typed text or None)."""
    if isinstance(raw, bool):
        return {"boolValue": raw}, None
    if isinstance(raw, int | float):
        return {"numberValue": json_number(raw)}, None
    text = str(raw)
    if option == "RAW" or (existing and existing.get("type") == "TEXT"):
        return ({"stringValue": text} if text != "" else None), None
    return parse_typed(text, locale)


def apply_cells(sheet: Sheet, cells: list[tuple[int, int, Any]], option: str, locale: str) -> None:
    for r, c, raw in cells:
        existing = sheet.number_format_at(r, c)
        value, detected = stored_value(raw, option, locale, existing)
        cell = sheet.ensure(r, c)
        cell.value = value
        if detected is not None and not existing:
            cell.fmt = {**(cell.fmt or {}), "numberFormat": detected}
        sheet.prune(r, c)


def clear_values(sheet: Sheet, box: Box) -> None:
    r0, r1, c0, c1 = box
    for key in [k for k in sheet.cells if r0 <= k[0] < r1 and c0 <= k[1] < c1]:
        sheet.cells[key].value = None
        sheet.prune(*key)


def find_table(sheet: Sheet, box: Box) -> Box | None:
    """append's table detection (fitted to recorded replies, see the notes §5).

    Seed: the last non-empty cell of the input range (row-major).  Table columns: the contiguous run of
    non-empty cells through the seed on its row.  Table rows: extend up and down while a row has a value
    in those columns.
    """
    r0, r1, c0, c1 = box
    filled = [k for k, cell in sheet.cells.items() if cell.value is not None and r0 <= k[0] < r1 and c0 <= k[1] < c1]
    if not filled:
        return None
    row, col = max(filled)
    left = col
    while left > 0 and sheet.has_value(row, left - 1):
        left -= 1
    right = col + 1
    while sheet.has_value(row, right):
        right += 1

    def busy(r: int) -> bool:
        return any(sheet.has_value(r, c) for c in range(left, right))

    top = row
    while top > 0 and busy(top - 1):
        top -= 1
    bottom = row + 1
    while busy(bottom):
        bottom += 1
    return top, bottom, left, right


def insert_rows(sheet: Sheet, at: int, count: int) -> None:
    """INSERT_ROWS: shift everything at or below ``at`` down by ``count`` rows and grow the grid."""
    moved = {(r + count if r >= at else r, c): cell for (r, c), cell in sheet.cells.items()}
    sheet.cells = moved
    sheet.row_meta = {(r + count if r >= at else r): m for r, m in sheet.row_meta.items()}
    sheet.grid["rowCount"] = sheet.row_count + count
