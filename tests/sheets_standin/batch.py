"""spreadsheets.batchUpdate: each request kind, applied atomically (any failure leaves the book unchanged).

Handlers raise :class:`RequestError` with the reason; the dispatcher turns it into Google's
``Invalid requests[<i>].<kind>: <reason>``.  Reasons seen in recorded traffic are verbatim; the rest are
written in the same style (see the notes' "inferred" list).
"""

from __future__ import annotations

import copy
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from . import a1
from .conditions import CONDITIONAL_FORMAT_FIELDS, CONDITIONAL_TEXT_FIELDS, check_condition, check_rule
from .errors import ApiError, RequestError, request_error
from .formula import Shifter
from .masks import MaskError, masked_merge, parse_mask
from .metadata import named_range, protected_range, sheet_properties
from .model import (
    DEFAULT_COLUMNS,
    DEFAULT_ROWS,
    MAX_CELLS,
    Book,
    Ids,
    Sheet,
    check_grid_range,
    default_sheet_properties,
)
from .styles import mirror_mask, normalize_format

Reply = dict[str, Any] | None


@dataclass
class Context:
    book: Book
    caller: str
    ids: Ids


def _mask(fields: str | None) -> Any:
    if not fields:
        raise RequestError("At least one field must be specified in 'fields'.")
    try:
        return parse_mask(fields)
    except MaskError:
        raise RequestError(f"Invalid field mask: '{fields}'.") from None


def _cells_limit(book: Book) -> None:
    if book.total_cells() > MAX_CELLS:
        raise RequestError(
            f"This action would increase the number of cells in the workbook above the limit of {MAX_CELLS} cells."
        )


def _check_grid(sheet: Sheet, other_titles: set[str]) -> None:
    title = sheet.title
    if not title.strip():
        raise RequestError("The sheet name cannot be empty.")
    if title.lower() in other_titles:
        raise RequestError(f'A sheet with the name "{title}" already exists. Please enter another name.')
    grid = sheet.grid
    if grid.get("rowCount", 0) < 1 or grid.get("columnCount", 0) < 1:
        raise RequestError("A sheet must have at least one row and one column.")
    if grid.get("columnCount", 0) > a1.MAX_COLUMNS:
        raise RequestError(f"A sheet can have at most {a1.MAX_COLUMNS} columns.")
    if grid.get("frozenRowCount", 0) >= grid["rowCount"] and grid.get("frozenRowCount"):
        raise RequestError("You can't freeze all visible rows on the sheet.")
    if grid.get("frozenColumnCount", 0) >= grid["columnCount"] and grid.get("frozenColumnCount"):
        raise RequestError("You can't freeze all visible columns on the sheet.")
    for key in ("frozenRowCount", "frozenColumnCount"):
        if grid.get(key, 0) < 0:
            raise RequestError(f"{key} must not be negative.")


def _titles(book: Book, exclude: Sheet | None = None) -> set[str]:
    return {s.title.lower() for s in book.sheets if s is not exclude}


# ---------------------------------------------------------------- sheets
def add_sheet(ctx: Context, body: dict[str, Any]) -> Reply:
    book = ctx.book
    props = body.get("properties", {})
    title = props.get("title")
    if not title:
        n = len(book.sheets) + 1
        while f"sheet{n}" in _titles(book):
            n += 1
        title = f"Sheet{n}"
    if props.get("sheetType", "GRID") != "GRID":
        raise ApiError(501, f"The Sheets stand-in only adds GRID sheets, not {props['sheetType']}", "UNIMPLEMENTED")
    sheet_id = props.get("sheetId")
    taken = {s.sheet_id for s in book.sheets}
    if sheet_id is None:
        sheet_id = ctx.ids.int31(taken)
    elif sheet_id in taken:
        raise RequestError(f"A sheet with the id {sheet_id} already exists.")
    elif sheet_id < 0:
        raise RequestError(f"Invalid sheet id: {sheet_id}.")
    full = default_sheet_properties(sheet_id, title)
    grid = {"rowCount": DEFAULT_ROWS, "columnCount": DEFAULT_COLUMNS, **props.get("gridProperties", {})}
    full["gridProperties"] = grid
    for key in ("hidden", "rightToLeft", "tabColor", "tabColorStyle"):
        if key in props:
            full[key] = copy.deepcopy(props[key])
    sheet = Sheet(full)
    _check_grid(sheet, _titles(book))
    index = props.get("index")
    position = len(book.sheets) if index is None else max(0, min(index, len(book.sheets)))
    book.sheets.insert(position, sheet)
    book.reindex()
    _cells_limit(book)
    if all(s.hidden for s in book.sheets):
        raise RequestError("You can't hide all the sheets in a document.")
    return {"addSheet": {"properties": sheet_properties(sheet)}}


def _sheet(book: Book, sheet_id: int, what: str = "sheet") -> Sheet:
    sheet = book.sheet_by_id(sheet_id)
    if sheet is None:
        raise RequestError(f"No {what} with id: {sheet_id}")
    return sheet


def delete_sheet(ctx: Context, body: dict[str, Any]) -> Reply:
    book = ctx.book
    sheet = _sheet(book, body.get("sheetId", 0))
    if len(book.sheets) == 1:
        raise RequestError("You can't remove all the sheets in a document.")
    if all(s.hidden for s in book.sheets if s is not sheet):
        raise RequestError("You can't remove all the visible sheets in a document.")
    book.sheets.remove(sheet)
    book.named_ranges = [n for n in book.named_ranges if n["range"].get("sheetId", 0) != sheet.sheet_id]
    book.reindex()
    return None


def update_sheet_properties(ctx: Context, body: dict[str, Any]) -> Reply:
    book = ctx.book
    props = body.get("properties", {})
    sheet = _sheet(book, props.get("sheetId", 0), "grid")
    tree = _mask(body.get("fields"))
    old_index = sheet.index
    merged = masked_merge(sheet.properties, props, tree) or {}
    merged["sheetId"] = sheet.sheet_id
    merged.setdefault("sheetType", "GRID")
    merged.setdefault("title", "")
    merged.setdefault("gridProperties", {})
    sheet.properties = merged
    _check_grid(sheet, _titles(book, sheet))
    if tree is None or "index" in tree:
        target = merged.get("index", 0)
        book.sheets.remove(sheet)
        if target > old_index:
            target -= 1
        book.sheets.insert(max(0, min(target, len(book.sheets))), sheet)
    book.reindex()
    if all(s.hidden for s in book.sheets):
        raise RequestError("You can't hide all the sheets in a document.")
    sheet.crop()
    _cells_limit(book)
    return None


def update_spreadsheet_properties(ctx: Context, body: dict[str, Any]) -> Reply:
    book = ctx.book
    tree = _mask(body.get("fields"))
    current = {
        "title": book.title,
        "locale": book.locale,
        "timeZone": book.time_zone,
        "autoRecalc": book.auto_recalc,
        "defaultFormat": book.default_format,
    }
    merged = masked_merge(current, body.get("properties", {}), tree) or {}
    if not merged.get("title"):
        raise RequestError("The spreadsheet title cannot be empty.")
    if not merged.get("locale"):
        raise RequestError("The locale cannot be empty.")
    zone = merged.get("timeZone") or ""
    try:
        zoneinfo.ZoneInfo(zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise RequestError(f"Invalid timeZone: {zone}") from None
    book.title, book.locale, book.time_zone = merged["title"], merged["locale"], zone
    book.auto_recalc = merged.get("autoRecalc") or "ON_CHANGE"
    book.default_format = normalize_format(merged.get("defaultFormat") or book.default_format, book.theme)
    return None


# ---------------------------------------------------------------- data validation, conditional formats
def set_data_validation(ctx: Context, body: dict[str, Any]) -> Reply:
    if "range" not in body:
        raise RequestError("range must be set.")
    sheet, (r0, r1, c0, c1) = check_grid_range(ctx.book, body["range"])
    rule = check_rule(ctx.book, body["rule"]) if body.get("rule") else None
    for r in range(r0, r1):
        for c in range(c0, c1):
            if rule is None:
                cell = sheet.cell(r, c)
                if cell is not None:
                    cell.validation = None
                    sheet.prune(r, c)
            else:
                sheet.ensure(r, c).validation = rule  # one dict shared by the range (never changed in place)
    return None


def _check_cf_rule(ctx: Context, rule: dict[str, Any] | None) -> dict[str, Any]:
    if not rule or not rule.get("ranges"):
        raise RequestError("A conditional format rule needs at least one range.")
    sheets = set()
    ranges = []
    for gr in rule["ranges"]:
        sheet, _ = check_grid_range(ctx.book, gr)
        sheets.add(sheet.sheet_id)
        ranges.append({"sheetId": sheet.sheet_id, **{k: v for k, v in gr.items() if k != "sheetId"}})
    if len(sheets) > 1:
        raise RequestError("All ranges of a conditional format rule must be on the same sheet.")
    if ("booleanRule" in rule) == ("gradientRule" in rule):
        raise RequestError("A conditional format rule must have exactly one of booleanRule or gradientRule.")
    out: dict[str, Any] = {"ranges": ranges}
    if "booleanRule" in rule:
        boolean = rule["booleanRule"]
        fmt = boolean.get("format", {})
        for key in fmt:
            if key not in CONDITIONAL_FORMAT_FIELDS:
                raise RequestError(f"Conditional formatting cannot set {key}.")
        for key in fmt.get("textFormat", {}):
            if key not in CONDITIONAL_TEXT_FIELDS:
                raise RequestError(f"Conditional formatting cannot set textFormat.{key}.")
        out["booleanRule"] = {
            "condition": check_condition(ctx.book, boolean.get("condition"), validation=False),
            "format": normalize_format(fmt, ctx.book.theme),
        }
    else:
        gradient = copy.deepcopy(rule["gradientRule"])
        for point in gradient.values():
            point.update(normalize_format({"backgroundColor": point.pop("color", None)} if "color" in point else {}))
        out["gradientRule"] = gradient
    return out


def _cf_sheet(ctx: Context, sheet_id: int) -> Sheet:
    return _sheet(ctx.book, sheet_id, "grid")


def add_conditional_format_rule(ctx: Context, body: dict[str, Any]) -> Reply:
    rule = _check_cf_rule(ctx, body.get("rule"))
    sheet = _cf_sheet(ctx, rule["ranges"][0]["sheetId"])
    index = body.get("index", 0)
    if not 0 <= index <= len(sheet.conditional_formats):
        raise RequestError(f"index {index} is out of range [0, {len(sheet.conditional_formats)}].")
    sheet.conditional_formats.insert(index, rule)
    return None


def _cf_at(ctx: Context, body: dict[str, Any]) -> tuple[Sheet, int]:
    sheet = _cf_sheet(ctx, body.get("sheetId", 0))
    index = body.get("index", 0)
    if not 0 <= index < len(sheet.conditional_formats):
        raise RequestError(f"No conditional format on sheet {sheet.sheet_id} at index {index}.")
    return sheet, index


def update_conditional_format_rule(ctx: Context, body: dict[str, Any]) -> Reply:
    from .metadata import conditional_format

    sheet, index = _cf_at(ctx, body)
    old = sheet.conditional_formats[index]
    if ("rule" in body) == ("newIndex" in body):
        raise RequestError("Exactly one of rule or newIndex must be set.")
    if "rule" in body:
        new = _check_cf_rule(ctx, body["rule"])
        sheet.conditional_formats[index] = new
        new_index = index
    else:
        new_index = body["newIndex"]
        if not 0 <= new_index < len(sheet.conditional_formats):
            raise RequestError(f"newIndex {new_index} is out of range.")
        new = sheet.conditional_formats.pop(index)
        sheet.conditional_formats.insert(new_index, new)
    reply: dict[str, Any] = {"newRule": conditional_format(new), "oldRule": conditional_format(old)}
    if new_index:
        reply["newIndex"] = new_index
    if index:
        reply["oldIndex"] = index
    return {"updateConditionalFormatRule": reply}


def delete_conditional_format_rule(ctx: Context, body: dict[str, Any]) -> Reply:
    from .metadata import conditional_format

    sheet, index = _cf_at(ctx, body)
    return {"deleteConditionalFormatRule": {"rule": conditional_format(sheet.conditional_formats.pop(index))}}


# ---------------------------------------------------------------- protected and named ranges
def _all_protected(book: Book) -> list[tuple[Sheet, dict[str, Any]]]:
    return [(s, pr) for s in book.sheets for pr in s.protected_ranges]


def _check_protected(ctx: Context, pr: dict[str, Any]) -> Sheet:
    book = ctx.book
    if ("range" in pr) == ("namedRangeId" in pr):
        raise RequestError("Exactly one of range or namedRangeId must be set.")
    if "range" in pr:
        sheet, _ = check_grid_range(book, pr["range"])
    else:
        named = next((n for n in book.named_ranges if n["namedRangeId"] == pr["namedRangeId"]), None)
        if named is None:
            raise RequestError(f"No named range with id: {pr['namedRangeId']}")
        sheet, _ = check_grid_range(book, named["range"])
    for gr in pr.get("unprotectedRanges", []):
        check_grid_range(book, gr)
    editors = pr.get("editors") or {}
    if pr.get("warningOnly") and (editors.get("users") or editors.get("groups") or editors.get("domainUsersCanEdit")):
        raise RequestError("ProtectedRange is warningOnly. Editors cannot be set on it.")
    return sheet


def add_protected_range(ctx: Context, body: dict[str, Any]) -> Reply:
    book = ctx.book
    pr = copy.deepcopy(body.get("protectedRange") or {})
    sheet = _check_protected(ctx, pr)
    taken = {p["protectedRangeId"] for _, p in _all_protected(book)}
    if pr.get("protectedRangeId") in taken:
        raise RequestError(f"A protected range with the id {pr['protectedRangeId']} already exists.")
    pr.setdefault("protectedRangeId", ctx.ids.int31(taken))
    if "range" in pr:
        pr["range"].setdefault("sheetId", sheet.sheet_id)
    requested = pr.get("editors") or {}
    users = list(dict.fromkeys([ctx.caller, book.owner, *requested.get("users", [])]))
    pr["_requested_editors"] = copy.deepcopy(requested)
    pr["editors"] = {"users": users, "groups": list(requested.get("groups", []))}
    if requested.get("domainUsersCanEdit"):
        pr["editors"]["domainUsersCanEdit"] = True
    pr.pop("requestingUserCanEdit", None)
    sheet.protected_ranges.append(pr)
    return {"addProtectedRange": {"protectedRange": protected_range(pr, True, reply=True)}}


def update_protected_range(ctx: Context, body: dict[str, Any]) -> Reply:
    patch = body.get("protectedRange") or {}
    pid = patch.get("protectedRangeId")
    found = next(((s, p) for s, p in _all_protected(ctx.book) if p["protectedRangeId"] == pid), None)
    if found is None:
        raise RequestError(f"No protected range with id: {pid}")
    sheet, pr = found
    merged = masked_merge(pr, patch, _mask(body.get("fields"))) or {}
    merged["protectedRangeId"] = pid
    new_sheet = _check_protected(ctx, merged)
    sheet.protected_ranges.remove(pr)
    new_sheet.protected_ranges.append(merged)
    return None


def delete_protected_range(ctx: Context, body: dict[str, Any]) -> Reply:
    pid = body.get("protectedRangeId")
    for sheet, pr in _all_protected(ctx.book):
        if pr["protectedRangeId"] == pid:
            sheet.protected_ranges.remove(pr)
            return None
    raise RequestError(f"No protected range with id: {pid}")


def _check_name(book: Book, name: str | None, exclude: dict[str, Any] | None = None) -> None:
    if not name:
        raise RequestError("A named range needs a name.")
    if (
        not a1.NAMED_RANGE_NAME.match(name)
        or a1.looks_like_a1(name)
        or name.upper() in ("TRUE", "FALSE")
        or len(name) > 250
    ):
        raise RequestError(f"Invalid name for a named range: {name}")
    other = book.named_range(name)
    if other is not None and other is not exclude:
        raise RequestError(f'A named range with the name "{name}" already exists.')


def add_named_range(ctx: Context, body: dict[str, Any]) -> Reply:
    book = ctx.book
    nr = copy.deepcopy(body.get("namedRange") or {})
    _check_name(book, nr.get("name"))
    if "range" not in nr:
        raise RequestError("A named range needs a range.")
    sheet, _ = check_grid_range(book, nr["range"])
    nr["range"]["sheetId"] = sheet.sheet_id
    taken = {n["namedRangeId"] for n in book.named_ranges}
    if nr.get("namedRangeId") in taken:
        raise RequestError(f"A named range with the id {nr['namedRangeId']} already exists.")
    nr.setdefault("namedRangeId", str(ctx.ids.int31()))
    book.named_ranges.append(nr)
    return {"addNamedRange": {"namedRange": named_range(nr)}}


def _named(book: Book, named_range_id: str | None) -> dict[str, Any]:
    found = next((n for n in book.named_ranges if n["namedRangeId"] == named_range_id), None)
    if found is None:
        raise RequestError(f"No named range with id: {named_range_id}")
    return found


def update_named_range(ctx: Context, body: dict[str, Any]) -> Reply:
    book = ctx.book
    patch = body.get("namedRange") or {}
    nr = _named(book, patch.get("namedRangeId"))
    merged = masked_merge(nr, patch, _mask(body.get("fields"))) or {}
    merged["namedRangeId"] = nr["namedRangeId"]
    _check_name(book, merged.get("name"), exclude=nr)
    if "range" not in merged:
        raise RequestError("A named range needs a range.")
    sheet, _ = check_grid_range(book, merged["range"])
    merged["range"]["sheetId"] = sheet.sheet_id
    nr.clear()
    nr.update(merged)
    return None


def delete_named_range(ctx: Context, body: dict[str, Any]) -> Reply:
    book = ctx.book
    book.named_ranges.remove(_named(book, body.get("namedRangeId")))
    return None


# ---------------------------------------------------------------- cells
_READ_ONLY_CELL_FIELDS = ("textFormatRuns", "effectiveValue", "formattedValue", "effectiveFormat", "hyperlink")


class CellWriter:
    """Writes the masked fields of one CellData (absent in it = cleared) to many cells.

    Each distinct resulting format is computed once and shared between cells (cell dicts are never changed
    in place), and a formula is split once and then shifted per cell, as a fill does.
    """

    def __init__(self, ctx: Context, data: dict[str, Any], tree: Any) -> None:
        self.ctx = ctx
        everything = ("userEnteredValue", "userEnteredFormat", "note", "dataValidation")
        self.keys = everything if tree is None else tuple(tree)
        for key in self.keys:
            if key not in everything and key not in _READ_ONLY_CELL_FIELDS:
                raise RequestError(f"Invalid field mask: CellData has no field '{key}'.")
        value = data.get("userEnteredValue") or None
        self.value = dict(value) if value else None
        self.shifter = Shifter(value["formulaValue"]) if value and "formulaValue" in value else None
        self.format = data.get("userEnteredFormat")
        self.format_mask = mirror_mask(None if tree is None else tree.get("userEnteredFormat"))
        self.rule = check_rule(ctx.book, data["dataValidation"]) if data.get("dataValidation") else None
        self.note = data.get("note") or None
        self._formats: dict[int, tuple[Any, Any]] = {}

    def _format(self, old: dict[str, Any] | None) -> dict[str, Any] | None:
        hit = self._formats.get(id(old))
        if hit is not None and hit[0] is old:
            return hit[1]  # type: ignore[no-any-return]
        merged = masked_merge(old, self.format, self.format_mask)
        new = normalize_format(merged, self.ctx.book.theme) if merged else None
        self._formats[id(old)] = (old, new)
        return new

    def apply(self, sheet: Sheet, at: tuple[int, int], shift: tuple[int, int] = (0, 0)) -> None:
        """Write cell ``at``, which is ``shift`` (rows, cols) away from the first cell of the range."""
        row, col = at
        cell = sheet.ensure(row, col)
        for key in self.keys:
            if key == "userEnteredValue":
                if self.shifter is not None:
                    origin = (row - shift[0], col - shift[1])
                    cell.value = {"formulaValue": self.shifter.fill(origin, *shift)}
                else:
                    cell.value = dict(self.value) if self.value else None
            elif key == "userEnteredFormat":
                cell.fmt = self._format(cell.fmt)
            elif key == "note":
                cell.note = self.note
            elif key == "dataValidation":
                cell.validation = self.rule
        sheet.prune(row, col)


def repeat_cell(ctx: Context, body: dict[str, Any]) -> Reply:
    if "range" not in body:
        raise RequestError("range must be set.")
    sheet, (r0, r1, c0, c1) = check_grid_range(ctx.book, body["range"])
    writer = CellWriter(ctx, body.get("cell", {}), _mask(body.get("fields")))
    for r in range(r0, r1):
        for c in range(c0, c1):
            writer.apply(sheet, (r, c), (r - r0, c - c0))
    return None


def update_cells(ctx: Context, body: dict[str, Any]) -> Reply:
    book = ctx.book
    if ("start" in body) == ("range" in body):
        raise RequestError("Exactly one of start or range must be set.")
    rows = body.get("rows", [])
    tree = _mask(body.get("fields"))
    if "start" in body:
        start = body["start"]
        height = len(rows)
        width = max((len(r.get("values", [])) for r in rows), default=0)
        gr = {
            "sheetId": start.get("sheetId", 0),
            "startRowIndex": start.get("rowIndex", 0),
            "endRowIndex": start.get("rowIndex", 0) + height,
            "startColumnIndex": start.get("columnIndex", 0),
            "endColumnIndex": start.get("columnIndex", 0) + width,
        }
        sheet, (r0, r1, c0, c1) = check_grid_range(book, gr)
        cover = False
    else:
        sheet, (r0, r1, c0, c1) = check_grid_range(book, body["range"])
        cover = True
    for i in range(r1 - r0):
        values = rows[i].get("values", []) if i < len(rows) else []
        for j in range(c1 - c0):
            if j < len(values):
                CellWriter(ctx, values[j], tree).apply(sheet, (r0 + i, c0 + j))
            elif cover:
                CellWriter(ctx, {}, tree).apply(sheet, (r0 + i, c0 + j))
    return None


def update_dimension_properties(ctx: Context, body: dict[str, Any]) -> Reply:
    rng = body.get("range")
    if not rng:
        raise RequestError("range must be set.")
    sheet = _sheet(ctx.book, rng.get("sheetId", 0), "grid")
    dimension = rng.get("dimension")
    if dimension not in ("ROWS", "COLUMNS"):
        raise RequestError("The dimension must be ROWS or COLUMNS.")
    limit = sheet.row_count if dimension == "ROWS" else sheet.column_count
    start, end = rng.get("startIndex", 0), rng.get("endIndex", limit)
    if start < 0 or end > limit or start > end:
        raise RequestError(f"Invalid dimension range [{start}, {end}): the sheet has {limit} {dimension.lower()}.")
    tree = _mask(body.get("fields"))
    props = body.get("properties", {})
    if props.get("pixelSize", 0) < 0:
        raise RequestError("pixelSize must not be negative.")
    store = sheet.row_meta if dimension == "ROWS" else sheet.col_meta
    for i in range(start, end):
        merged = masked_merge(store.get(i), props, tree)
        if merged:
            store[i] = merged
        else:
            store.pop(i, None)
    return None


def update_borders(ctx: Context, body: dict[str, Any]) -> Reply:
    if "range" not in body:
        raise RequestError("range must be set.")
    sheet, (r0, r1, c0, c1) = check_grid_range(ctx.book, body["range"])

    def put(r: int, c: int, side: str, border: dict[str, Any] | None) -> None:
        if border is None:
            return
        cell = sheet.ensure(r, c)
        fmt = copy.deepcopy(cell.fmt or {})
        borders = fmt.setdefault("borders", {})
        if border.get("style") == "NONE":
            borders.pop(side, None)
        else:
            borders[side] = border
        if not borders:
            fmt.pop("borders")
        cell.fmt = normalize_format(fmt, ctx.book.theme) or None
        sheet.prune(r, c)

    for c in range(c0, c1):
        put(r0, c, "top", body.get("top"))
        put(r1 - 1, c, "bottom", body.get("bottom"))
        for r in range(r0 + 1, r1):
            put(r, c, "top", body.get("innerHorizontal"))
            put(r - 1, c, "bottom", body.get("innerHorizontal"))
    for r in range(r0, r1):
        put(r, c0, "left", body.get("left"))
        put(r, c1 - 1, "right", body.get("right"))
        for c in range(c0 + 1, c1):
            put(r, c, "left", body.get("innerVertical"))
            put(r, c - 1, "right", body.get("innerVertical"))
    return None


def set_basic_filter(ctx: Context, body: dict[str, Any]) -> Reply:
    flt = copy.deepcopy(body.get("filter") or {})
    if "range" not in flt:
        raise RequestError("filter.range must be set.")
    sheet, (r0, r1, c0, c1) = check_grid_range(ctx.book, flt["range"])
    flt["range"] = {
        "sheetId": sheet.sheet_id,
        "startRowIndex": r0,
        "endRowIndex": r1,
        "startColumnIndex": c0,
        "endColumnIndex": c1,
    }
    sheet.basic_filter = flt
    return None


def clear_basic_filter(ctx: Context, body: dict[str, Any]) -> Reply:
    _sheet(ctx.book, body.get("sheetId", 0), "grid").basic_filter = None
    return None


HANDLERS: dict[str, Callable[[Context, dict[str, Any]], Reply]] = {
    "addSheet": add_sheet,
    "deleteSheet": delete_sheet,
    "updateSheetProperties": update_sheet_properties,
    "updateSpreadsheetProperties": update_spreadsheet_properties,
    "setDataValidation": set_data_validation,
    "addConditionalFormatRule": add_conditional_format_rule,
    "updateConditionalFormatRule": update_conditional_format_rule,
    "deleteConditionalFormatRule": delete_conditional_format_rule,
    "addProtectedRange": add_protected_range,
    "updateProtectedRange": update_protected_range,
    "deleteProtectedRange": delete_protected_range,
    "addNamedRange": add_named_range,
    "updateNamedRange": update_named_range,
    "deleteNamedRange": delete_named_range,
    "repeatCell": repeat_cell,
    "updateCells": update_cells,
    "updateDimensionProperties": update_dimension_properties,
    "updateBorders": update_borders,
    "setBasicFilter": set_basic_filter,
    "clearBasicFilter": clear_basic_filter,
}


def apply_requests(ctx: Context, requests: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Apply normalized requests in order; on any error restore the book and re-raise."""
    book = ctx.book
    state = book.snapshot()
    replies: list[dict[str, Any]] = []
    try:
        for i, request in enumerate(requests):
            kind, body = next(iter(request.items()))
            handler = HANDLERS.get(kind)
            if handler is None:
                raise ApiError(501, f"The Sheets stand-in does not implement requests[{i}].{kind}", "UNIMPLEMENTED")
            try:
                replies.append(handler(ctx, body) or {})
            except RequestError as exc:
                raise request_error(i, kind, exc.reason) from None
    except BaseException:
        book.restore(state)
        raise
    return replies
