"""Sheets v4 endpoints over the in-memory books.

Subclass :class:`SheetsApi` to break behaviour on purpose (the contract test's negative controls override
:meth:`range_name` and :meth:`values_out`).
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from . import a1, batch, values
from .errors import ApiError, bad_request, invalid_value, not_found, permission_denied
from .masks import MaskError, apply_mask, parse_mask
from .metadata import can_edit_protected, spreadsheet_json
from .model import MAX_CELLS, Book, Sheet, grid_box
from .schema import ENUMS, normalize, snake
from .values import Box, Evaluator, Render
from .wire import Request

if TYPE_CHECKING:
    from .standin import Identity, SheetsStandIn

PROTECTED = (
    "You are trying to edit a protected cell or object. Please contact the spreadsheet owner to remove "
    "protection if you need to edit."
)


def unable(text: str) -> ApiError:
    return bad_request(f"Unable to parse range: {text}")


def enum_param(req: Request, name: str, enum: str, default: str) -> str:
    value = req.param(name)
    if value is None:
        return default
    if value not in ENUMS[enum]:
        raise invalid_value(snake(name), "TYPE_ENUM", value)
    return value


def bool_param(req: Request, name: str, default: bool = False) -> bool:
    value = req.param(name)
    if value is None:
        return default
    if value.lower() not in ("true", "false", "1", "0"):
        raise invalid_value(snake(name), "TYPE_BOOL", value)
    return value.lower() in ("true", "1")


class Target:
    """A resolved A1 range: the sheet and its span (open ends = to the edge of the grid)."""

    def __init__(self, sheet: Sheet, span: a1.Span, text: str) -> None:
        self.sheet = sheet
        self.span = span
        self.text = text

    @property
    def single(self) -> bool:
        s = self.span
        return s.r1 == s.r0 + 1 and s.c1 == s.c0 + 1

    def box(self) -> Box:
        """Clamped to the grid; 400 when the range lies wholly outside it."""
        s, sheet = self.span, self.sheet
        r1 = sheet.row_count if s.r1 is None else min(s.r1, sheet.row_count)
        c1 = sheet.column_count if s.c1 is None else min(s.c1, sheet.column_count)
        if s.r0 >= sheet.row_count or s.c0 >= sheet.column_count:
            raw = (s.r0, s.r1 or s.r0 + 1, s.c0, s.c1 or s.c0 + 1)
            raise bad_request(_exceeds(sheet, raw))
        return s.r0, r1, s.c0, c1


def _exceeds(sheet: Sheet, box: Box) -> str:
    from .model import exceeds_grid

    return exceeds_grid(sheet, box)


def resolve(book: Book, text: str) -> Target:
    """A1 text -> Target, the way Sheets reads it (notes §5: title, then A1 on the first sheet, then name)."""
    try:
        title, rest = a1.split_title(text)
    except ValueError:
        raise unable(text) from None
    if title is not None:
        sheet = book.sheet_by_title(title)
        if sheet is None:
            raise unable(text)
        if not rest:
            return Target(sheet, a1.Span(0, None, 0, None), text)
        try:
            return Target(sheet, a1.parse_a1(rest.replace("$", "")), text)
        except ValueError:
            named = book.named_range(rest)
            if named is None:
                raise unable(text) from None
            return _named_target(book, named, text)
    sheet = book.sheet_by_title(text)
    if sheet is not None:
        return Target(sheet, a1.Span(0, None, 0, None), text)
    try:
        span = a1.parse_a1(text.replace("$", ""))
    except ValueError:
        named = book.named_range(text)
        if named is None:
            raise unable(text) from None
        return _named_target(book, named, text)
    if not book.sheets:
        raise unable(text)
    return Target(book.sheets[0], span, text)


def _named_target(book: Book, named: dict[str, Any], text: str) -> Target:
    gr = named["range"]
    sheet = book.sheet_by_id(gr.get("sheetId", 0))
    if sheet is None:
        raise unable(text)
    return Target(sheet, a1.Span(gr.get("startRowIndex") or 0, gr.get("endRowIndex"),
                                 gr.get("startColumnIndex") or 0, gr.get("endColumnIndex")), text)  # fmt: skip


class SheetsApi:
    def __init__(self, standin: SheetsStandIn) -> None:
        self.standin = standin

    # ------------------------------------------------------------ hooks (negative controls override these)
    def range_name(self, sheet: Sheet, box: Box) -> str:
        return f"{a1.quote_title(sheet.title)}!{a1.box_name(*box)}"

    def values_out(self, rows: list[list[Any]]) -> list[list[Any]]:
        return rows

    # ------------------------------------------------------------ helpers
    def book(self, key: str, who: Identity, *, write: bool) -> Book:
        book = self.standin.books.get(key)
        if book is None:
            raise not_found()
        role = book.role_of(who.email)
        if role is None or (write and role not in ("owner", "writer")):
            raise permission_denied()
        if not book.is_spreadsheet:
            raise bad_request("This operation is not supported for this document")
        return book

    def value_range(self, ev: Evaluator, target: Target, how: Render) -> dict[str, Any]:
        box = target.box()
        out: dict[str, Any] = {"range": self.range_name(target.sheet, box), "majorDimension": how.major}
        rows = values.read_matrix(ev, target.sheet, box, how)
        if rows:
            out["values"] = self.values_out(rows)
        return out

    def _render(self, req: Request, prefix: str = "") -> Render:
        def name(n: str) -> str:
            return f"{prefix}{n[0].upper()}{n[1:]}" if prefix else n

        major = req.param("majorDimension") or "ROWS"
        if major not in ENUMS["Dimension"]:
            raise invalid_value("major_dimension", "TYPE_ENUM", major)
        return Render(
            enum_param(req, name("valueRenderOption"), "ValueRenderOption", "FORMATTED_VALUE"),
            enum_param(req, name("dateTimeRenderOption"), "DateTimeRenderOption", "SERIAL_NUMBER"),
            "COLUMNS" if major == "COLUMNS" else "ROWS",
        )

    def _check_protected(self, book: Book, sheet: Sheet, box: Box, who: Identity) -> None:
        if book.role_of(who.email) == "owner":
            return
        r0, r1, c0, c1 = box
        for pr in sheet.protected_ranges:
            if "range" not in pr or can_edit_protected(pr, who.email):
                continue
            p0, p1, q0, q1 = grid_box(sheet, pr["range"])
            if p0 < r1 and r0 < p1 and q0 < c1 and c0 < q1:
                raise bad_request(PROTECTED)

    def _touch(self, book: Book) -> None:
        book.modified_time = self.standin.clock.now()

    # ------------------------------------------------------------ spreadsheets
    def get(self, req: Request, key: str, who: Identity) -> dict[str, Any]:
        book = self.book(key, who, write=False)
        include = bool_param(req, "includeGridData")
        fields = req.param("fields")
        try:
            tree = parse_mask(fields) if fields else None
        except MaskError:
            raise bad_request(f"Invalid field selection {fields}") from None
        wants_data = include if tree is None else _mentions(tree, "sheets", "data")
        ev = Evaluator(book)
        grid: dict[int, list[Box] | None] | None = None
        ranges = req.query.get("ranges", [])
        if ranges:
            grid = {}
            for text in ranges:
                target = resolve(book, text)
                boxes = grid.setdefault(target.sheet.sheet_id, [] if wants_data else None)
                if boxes is not None:
                    boxes.append(target.box())
        elif wants_data:
            grid = {s.sheet_id: [(0, s.row_count, 0, s.column_count)] for s in book.sheets}
        out = spreadsheet_json(book, who.email, grid, ev)
        return out if tree is None else apply_mask(out, tree)

    def create(self, req: Request, who: Identity) -> dict[str, Any]:
        body = normalize(req.json(), "Spreadsheet", "spreadsheet")
        book = self.standin.new_book(owner=who.email, title=body.get("properties", {}).get("title"))
        props = body.get("properties", {})
        requests: list[dict[str, Any]] = []
        sheets = body.get("sheets") or [{"properties": {"sheetId": 0, "title": "Sheet1"}}]
        for i, sheet in enumerate(sheets):
            sp = copy.deepcopy(sheet.get("properties", {}))
            if i == 0 and "sheetId" not in sp:
                sp["sheetId"] = 0
            sp.pop("index", None)
            requests.append({"addSheet": {"properties": sp}})
        book.locale = props.get("locale") or "en_US"
        book.time_zone = props.get("timeZone") or "Etc/GMT"
        book.auto_recalc = props.get("autoRecalc") or "ON_CHANGE"
        ctx = batch.Context(book, who.email, self.standin.ids)
        batch.apply_requests(ctx, requests)
        later: list[dict[str, Any]] = []
        for sheet_body, sheet in zip(sheets, book.sheets, strict=True):
            for rule in sheet_body.get("conditionalFormats", []):
                ranges = [{**g, "sheetId": g.get("sheetId", sheet.sheet_id)} for g in rule.get("ranges", [])]
                later.append({"addConditionalFormatRule": {"rule": {**rule, "ranges": ranges},
                                                           "index": len(later)}})  # fmt: skip
            for pr in sheet_body.get("protectedRanges", []):
                later.append({"addProtectedRange": {"protectedRange": pr}})
            for grid in sheet_body.get("data") or []:
                rows = grid.get("rowData", [])
                start = {"sheetId": sheet.sheet_id, "rowIndex": grid.get("startRow", 0),
                         "columnIndex": grid.get("startColumn", 0)}  # fmt: skip
                if rows:
                    later.append({"updateCells": {"rows": rows, "fields": "*", "start": start}})
        later += [{"addNamedRange": {"namedRange": n}} for n in body.get("namedRanges", [])]
        batch.apply_requests(ctx, [normalize(r, "Request", f"requests[{i}]") for i, r in enumerate(later)])
        self.standin.books[book.id] = book
        return spreadsheet_json(book, who.email, None)

    def batch_update(self, req: Request, key: str, who: Identity) -> dict[str, Any]:
        book = self.book(key, who, write=True)
        body = normalize(req.json(), "BatchUpdateSpreadsheetRequest", "")
        requests = body.get("requests", [])
        if not requests:
            raise bad_request("Must specify at least one request.")
        replies = batch.apply_requests(batch.Context(book, who.email, self.standin.ids), requests)
        self._touch(book)
        out: dict[str, Any] = {"spreadsheetId": book.id, "replies": replies}
        if body.get("includeSpreadsheetInResponse"):
            grid = None
            if body.get("responseRanges"):
                grid = {}
                for text in body["responseRanges"]:
                    target = resolve(book, text)
                    boxes = grid.setdefault(target.sheet.sheet_id, [] if body.get("responseIncludeGridData") else None)
                    if boxes is not None:
                        boxes.append(target.box())
            out["updatedSpreadsheet"] = spreadsheet_json(book, who.email, grid)
        return out

    # ------------------------------------------------------------ values
    def values_get(self, req: Request, key: str, text: str, who: Identity) -> dict[str, Any]:
        book = self.book(key, who, write=False)
        return self.value_range(Evaluator(book), resolve(book, text), self._render(req))

    def values_batch_get(self, req: Request, key: str, who: Identity) -> dict[str, Any]:
        book = self.book(key, who, write=False)
        how = self._render(req)
        ev = Evaluator(book)
        targets = [resolve(book, text) for text in req.query.get("ranges", [])]
        out: dict[str, Any] = {"spreadsheetId": book.id}
        if targets:
            out["valueRanges"] = [self.value_range(ev, t, how) for t in targets]
        return out

    def _input_option(self, value: str | None) -> str:
        if value is None:
            raise bad_request("'valueInputOption' is required but not specified")
        if value not in ENUMS["ValueInputOption"]:
            raise invalid_value("value_input_option", "TYPE_ENUM", value)
        if value == "INPUT_VALUE_OPTION_UNSPECIFIED":
            raise bad_request("Invalid valueInputOption: INPUT_VALUE_OPTION_UNSPECIFIED")
        return value

    def _plan(self, book: Book, target: Target, body: dict[str, Any], path: str, *, append: bool) -> Any:
        """Validate one ValueRange write; return (sheet, start row, start col, rows)."""
        rows = values.check_rows(body.get("values", []), path)
        if body.get("majorDimension") == "COLUMNS":
            rows = values.transpose(rows)
        span = target.span
        if not append:
            box_limit = None if target.single else target.box()
            height = len(rows)
            width = max((len(r) for r in rows), default=0)
            if box_limit is not None and span.r1 is not None and span.r0 + height > span.r1:
                name = self.range_name(target.sheet, box_limit)
                raise bad_request(f"Requested writing within range [{name}], but tried writing to row [{span.r1 + 1}]")
            if box_limit is not None and span.c1 is not None and span.c0 + width > span.c1:
                name = self.range_name(target.sheet, box_limit)
                column = a1.col_letters(span.c1)
                raise bad_request(f"Requested writing within range [{name}], but tried writing to column [{column}]")
        return rows

    def _write(self, book: Book, sheet: Sheet, start: tuple[int, int], rows: list[list[Any]], *, option: str,
               who: Identity, grow: bool = False) -> dict[str, Any]:  # fmt: skip
        cells = values.written_cells(start[0], start[1], rows)
        box, n_rows, n_cols, n_cells = values.stats(cells)
        if box is not None:
            if box[1] > sheet.row_count or box[3] > sheet.column_count:
                if not grow:
                    raise bad_request(_exceeds(sheet, box))
                sheet.grid["rowCount"] = max(sheet.row_count, box[1])
                sheet.grid["columnCount"] = max(sheet.column_count, box[3])
                if book.total_cells() > MAX_CELLS:
                    raise bad_request(
                        f"This action would increase the number of cells in the workbook above the limit of "
                        f"{MAX_CELLS} cells."
                    )
            self._check_protected(book, sheet, box, who)
        return {"cells": cells, "box": box, "counts": (n_rows, n_cols, n_cells), "option": option}

    def _commit(self, book: Book, sheet: Sheet, plan: dict[str, Any]) -> None:
        values.apply_cells(sheet, plan["cells"], plan["option"], book.locale)

    def _update_response(self, book: Book, sheet: Sheet, plan: dict[str, Any], fallback: Box, *,
                         include: bool, how: Render) -> dict[str, Any]:  # fmt: skip
        box = plan["box"] or fallback
        n_rows, n_cols, n_cells = plan["counts"]
        out: dict[str, Any] = {"spreadsheetId": book.id, "updatedRange": self.range_name(sheet, box)}
        for name, n in (("updatedRows", n_rows), ("updatedColumns", n_cols), ("updatedCells", n_cells)):
            if n:
                out[name] = n
        if include:
            rows = values.read_matrix(Evaluator(book), sheet, box, how)
            data: dict[str, Any] = {"range": self.range_name(sheet, box), "majorDimension": how.major}
            if rows:
                data["values"] = self.values_out(rows)
            out["updatedData"] = data
        return out

    def values_update(self, req: Request, key: str, text: str, who: Identity) -> dict[str, Any]:
        book = self.book(key, who, write=True)
        option = self._input_option(req.param("valueInputOption"))
        body = normalize(req.json(), "ValueRange", "data")
        target = resolve(book, text)
        rows = self._plan(book, target, body, "data.values", append=False)
        plan = self._write(book, target.sheet, (target.span.r0, target.span.c0), rows, option=option, who=who)
        self._commit(book, target.sheet, plan)
        self._touch(book)
        how = self._render(req, "response")
        fallback = target.box()
        include = bool_param(req, "includeValuesInResponse")
        return self._update_response(book, target.sheet, plan, fallback, include=include, how=how)

    def values_append(self, req: Request, key: str, text: str, who: Identity) -> dict[str, Any]:
        book = self.book(key, who, write=True)
        option = self._input_option(req.param("valueInputOption"))
        insert = enum_param(req, "insertDataOption", "InsertDataOption", "OVERWRITE")
        body = normalize(req.json(), "ValueRange", "data")
        target = resolve(book, text)
        rows = self._plan(book, target, body, "data.values", append=True)
        box = target.box()
        table = values.find_table(target.sheet, box)
        start = (table[1], table[2]) if table else (box[0], box[2])
        if insert == "INSERT_ROWS" and rows:
            values.insert_rows(target.sheet, start[0], len(rows))
        plan = self._write(book, target.sheet, start, rows, option=option, who=who, grow=True)
        self._commit(book, target.sheet, plan)
        self._touch(book)
        how = self._render(req, "response")
        include = bool_param(req, "includeValuesInResponse")
        fallback = (start[0], start[0] + 1, start[1], start[1] + 1)
        out: dict[str, Any] = {"spreadsheetId": book.id}
        if table:
            out["tableRange"] = self.range_name(target.sheet, table)
        out["updates"] = self._update_response(book, target.sheet, plan, fallback, include=include, how=how)
        return out

    def values_clear(self, req: Request, key: str, text: str, who: Identity) -> dict[str, Any]:
        book = self.book(key, who, write=True)
        normalize(req.json(), "ClearValuesRequest", "")
        target = resolve(book, text)
        box = target.box()
        self._check_protected(book, target.sheet, box, who)
        values.clear_values(target.sheet, box)
        self._touch(book)
        return {"spreadsheetId": book.id, "clearedRange": self.range_name(target.sheet, box)}

    def values_batch_clear(self, req: Request, key: str, who: Identity) -> dict[str, Any]:
        book = self.book(key, who, write=True)
        body = normalize(req.json(), "BatchClearValuesRequest", "")
        targets = [resolve(book, text) for text in body.get("ranges", [])]
        boxes = [(t, t.box()) for t in targets]
        for t, box in boxes:
            self._check_protected(book, t.sheet, box, who)
        for t, box in boxes:
            values.clear_values(t.sheet, box)
        self._touch(book)
        out: dict[str, Any] = {"spreadsheetId": book.id}
        if boxes:
            out["clearedRanges"] = [self.range_name(t.sheet, box) for t, box in boxes]
        return out

    def values_batch_update(self, req: Request, key: str, who: Identity) -> dict[str, Any]:
        book = self.book(key, who, write=True)
        body = normalize(req.json(), "BatchUpdateValuesRequest", "")
        option = body.get("valueInputOption", "INPUT_VALUE_OPTION_UNSPECIFIED")
        if option == "INPUT_VALUE_OPTION_UNSPECIFIED":
            raise bad_request("Invalid valueInputOption: INPUT_VALUE_OPTION_UNSPECIFIED")
        plans = []
        for i, item in enumerate(body.get("data", [])):
            if "range" not in item:
                raise bad_request(f"Invalid data[{i}]: range is required")
            target = resolve(book, item["range"])
            rows = self._plan(book, target, item, f"data[{i}].values", append=False)
            plan = self._write(book, target.sheet, (target.span.r0, target.span.c0), rows, option=option, who=who)
            plans.append((target, plan))
        for target, plan in plans:
            self._commit(book, target.sheet, plan)
        if plans:
            self._touch(book)
        how = Render(
            body.get("responseValueRenderOption", "FORMATTED_VALUE"),
            body.get("responseDateTimeRenderOption", "SERIAL_NUMBER"),
        )
        include = bool(body.get("includeValuesInResponse"))
        responses = [self._update_response(book, t.sheet, plan, t.box(), include=include, how=how) for t, plan in plans]
        rows_seen = {(t.sheet.sheet_id, r) for t, p in plans for r, _, _ in p["cells"]}
        cols_seen = {(t.sheet.sheet_id, c) for t, p in plans for _, c, _ in p["cells"]}
        out: dict[str, Any] = {"spreadsheetId": book.id}
        totals = {
            "totalUpdatedRows": len(rows_seen),
            "totalUpdatedColumns": len(cols_seen),
            "totalUpdatedCells": sum(p["counts"][2] for _, p in plans),
            "totalUpdatedSheets": len({t.sheet.sheet_id for t, p in plans if p["cells"]}),
        }
        out.update({k: v for k, v in totals.items() if v})
        if responses:
            out["responses"] = responses
        return out


def _mentions(tree: dict[str, Any] | None, *path: str) -> bool:
    node: Any = tree
    for seg in path:
        if node is None:
            return True
        if not isinstance(node, dict) or seg not in node:
            return False
        node = node[seg]
    return True
