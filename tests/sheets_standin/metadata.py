"""The Spreadsheet resource as ``spreadsheets.get`` returns it (proto3 JSON: zero/false/empty omitted)."""

from __future__ import annotations

import copy
from typing import Any

from . import formula
from .model import DEFAULT_COLUMN_PX, DEFAULT_ROW_PX, Book, Sheet, render_grid_range
from .styles import TAB_MIRRORS, deep_merge, mirror
from .values import Box, Evaluator, Render, render

_ERROR_TYPES = {
    "#DIV/0!": ("DIVIDE_BY_ZERO", "Function DIVIDE parameter 2 cannot be zero."),
    "#VALUE!": ("VALUE", "Function expects number values."),
    "#NAME?": ("NAME", "Unknown function."),
    "#REF!": ("REF", "Reference does not exist."),
    "#N/A": ("N_A", "Value not available."),
    "#ERROR!": ("ERROR", "Formula parse error."),
}
GRID_FLAGS = ("hideGridlines", "rowGroupControlAfter", "columnGroupControlAfter")


def spreadsheet_url(key: str) -> str:
    return f"https://docs.google.com/spreadsheets/d/{key}/edit"


def spreadsheet_properties(book: Book) -> dict[str, Any]:
    return {
        "title": book.title,
        "locale": book.locale,
        "autoRecalc": book.auto_recalc,
        "timeZone": book.time_zone,
        "defaultFormat": copy.deepcopy(book.default_format),
        "spreadsheetTheme": copy.deepcopy(book.theme),
    }


def sheet_properties(sheet: Sheet) -> dict[str, Any]:
    p = sheet.properties
    out: dict[str, Any] = {
        "sheetId": p["sheetId"],
        "title": p["title"],
        "index": p.get("index", 0),
        "sheetType": p.get("sheetType") or "GRID",
    }
    grid = p.get("gridProperties") or {}
    gp = {k: grid[k] for k in ("rowCount", "columnCount", "frozenRowCount", "frozenColumnCount") if grid.get(k)}
    gp.update({k: True for k in GRID_FLAGS if grid.get(k)})
    out["gridProperties"] = gp
    if p.get("hidden"):
        out["hidden"] = True
    if p.get("tabColorStyle") or p.get("tabColor"):
        tab = {k: copy.deepcopy(p[k]) for k in ("tabColor", "tabColorStyle") if k in p}
        mirror(tab, TAB_MIRRORS, None)
        out.update(tab)
    if p.get("rightToLeft"):
        out["rightToLeft"] = True
    return out


def protected_range(pr: dict[str, Any], viewer_can_edit: bool, *, reply: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {"protectedRangeId": pr["protectedRangeId"]}
    if "range" in pr:
        out["range"] = render_grid_range(pr["range"])
    if pr.get("namedRangeId"):
        out["namedRangeId"] = pr["namedRangeId"]
    if pr.get("description"):
        out["description"] = pr["description"]
    if pr.get("warningOnly"):
        out["warningOnly"] = True
    if viewer_can_edit:
        out["requestingUserCanEdit"] = True
    if pr.get("unprotectedRanges"):
        out["unprotectedRanges"] = [render_grid_range(g) for g in pr["unprotectedRanges"]]
    if viewer_can_edit:
        editors = pr.get("_requested_editors" if reply else "editors") or {}
        rendered: dict[str, Any] = {}
        for key in ("users", "groups"):
            if editors.get(key):
                rendered[key] = list(editors[key])
        if editors.get("domainUsersCanEdit"):
            rendered["domainUsersCanEdit"] = True
        out["editors"] = rendered
    return out


def conditional_format(rule: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy({k: v for k, v in rule.items() if k != "ranges"})
    return {"ranges": [render_grid_range(g) for g in rule.get("ranges", [])], **out}


def basic_filter(flt: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(flt)
    out["range"] = render_grid_range(flt["range"])
    return out


def extended_value(value: Any) -> dict[str, Any]:
    if isinstance(value, formula.CellError):
        kind, message = _ERROR_TYPES.get(value.code, ("ERROR", value.code))
        return {"errorValue": {"type": kind, "message": message}}
    if isinstance(value, bool):
        return {"boolValue": value}
    if isinstance(value, int | float):
        from .formatting import json_number

        return {"numberValue": json_number(value)}
    if value is None:
        return {}
    return {"stringValue": str(value)}


def cell_data(ev: Evaluator, sheet: Sheet, row: int, col: int) -> dict[str, Any]:
    cell = sheet.cell(row, col)
    if cell is None:
        return {}
    out: dict[str, Any] = {}
    if cell.value is not None:
        out["userEnteredValue"] = copy.deepcopy(cell.value)
        out["effectiveValue"] = extended_value(ev.effective(sheet, row, col))
        out["formattedValue"] = render(ev, sheet, row, col, Render())
    if cell.fmt:
        out["userEnteredFormat"] = copy.deepcopy(cell.fmt)
    if cell.value is not None or cell.fmt:
        out["effectiveFormat"] = deep_merge(ev.book.default_format, cell.fmt or {})
    if cell.note:
        out["note"] = cell.note
    if cell.validation:
        out["dataValidation"] = copy.deepcopy(cell.validation)
    return out


def _dimension(meta: dict[str, Any] | None, default_px: int) -> dict[str, Any]:
    out: dict[str, Any] = {"pixelSize": (meta or {}).get("pixelSize") or default_px}
    if (meta or {}).get("hiddenByUser"):
        out["hiddenByUser"] = True
    return out


def grid_data(ev: Evaluator, sheet: Sheet, box: Box) -> dict[str, Any]:
    r0, r1, c0, c1 = box
    out: dict[str, Any] = {}
    if r0:
        out["startRow"] = r0
    if c0:
        out["startColumn"] = c0
    used = [k for k in sheet.cells if r0 <= k[0] < r1 and c0 <= k[1] < c1]
    if used:
        last_row = max(k[0] for k in used)
        per_row: dict[int, int] = {}
        for r, c in used:
            per_row[r] = max(per_row.get(r, -1), c)
        rows: list[dict[str, Any]] = []
        for r in range(r0, last_row + 1):
            if r not in per_row:
                rows.append({})
                continue
            rows.append({"values": [cell_data(ev, sheet, r, c) for c in range(c0, per_row[r] + 1)]})
        out["rowData"] = rows
    out["rowMetadata"] = [_dimension(sheet.row_meta.get(r), DEFAULT_ROW_PX) for r in range(r0, r1)]
    out["columnMetadata"] = [_dimension(sheet.col_meta.get(c), DEFAULT_COLUMN_PX) for c in range(c0, c1)]
    return out


def sheet_json(
    ev: Evaluator, sheet: Sheet, viewer_can_edit: bool, boxes: list[Box] | None, viewer: str | None
) -> dict[str, Any]:
    out: dict[str, Any] = {"properties": sheet_properties(sheet)}
    if boxes is not None:
        out["data"] = [grid_data(ev, sheet, box) for box in boxes]
    if sheet.conditional_formats:
        out["conditionalFormats"] = [conditional_format(r) for r in sheet.conditional_formats]
    if sheet.protected_ranges:
        out["protectedRanges"] = [
            protected_range(pr, viewer_can_edit and can_edit_protected(pr, viewer)) for pr in sheet.protected_ranges
        ]
    basic = getattr(sheet, "basic_filter", None)
    if basic:
        out["basicFilter"] = basic_filter(basic)
    return out


def can_edit_protected(pr: dict[str, Any], viewer: str | None) -> bool:
    if pr.get("warningOnly"):
        return True
    users = [u.lower() for u in (pr.get("editors") or {}).get("users", [])]
    return viewer is not None and viewer.lower() in users


def spreadsheet_json(
    book: Book, viewer: str | None, grid: dict[int, list[Box]] | None, ev: Evaluator | None = None
) -> dict[str, Any]:
    """The full resource. ``grid``: sheetId -> boxes of grid data (only those sheets are listed), or None."""
    ev = ev or Evaluator(book)
    role = book.role_of(viewer)
    can_edit = role in ("owner", "writer")
    sheets = []
    for sheet in book.sheets:
        if grid is not None and sheet.sheet_id not in grid:
            continue
        sheets.append(sheet_json(ev, sheet, can_edit, None if grid is None else grid[sheet.sheet_id], viewer))
    out: dict[str, Any] = {"spreadsheetId": book.id, "properties": spreadsheet_properties(book), "sheets": sheets}
    if book.named_ranges:
        out["namedRanges"] = [named_range(n) for n in book.named_ranges]
    out["spreadsheetUrl"] = spreadsheet_url(book.id)
    return out


def named_range(n: dict[str, Any]) -> dict[str, Any]:
    return {"namedRangeId": n["namedRangeId"], "name": n["name"], "range": render_grid_range(n["range"])}
