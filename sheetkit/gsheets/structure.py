"""The one ``spreadsheets.batchUpdate`` that gives a Google Sheet its structure, as the Excel file has it.

:func:`structure_requests` turns a planned :class:`~sheetkit.gsheets.plan.Book`
into the requests Google applies atomically once the tabs exist: named
ranges, header formats, frozen and protected header rows, column widths,
number formats, every validation and conditional format (from
:mod:`~sheetkit.template.rules` and :mod:`~sheetkit.template.formulas`), and
the staff-view formulas. Grid ranges are 0-based and end-exclusive here, as
the Sheets API counts them.

Excel's validation error messages have no counterpart in the Sheets API:
Google rejects invalid input with its own message and shows the column's help
text (``inputMessage``), so the help texts carry the guidance.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, Final

from sheetkit.errors import UsageError
from sheetkit.gsheets.dialect import Dialect
from sheetkit.gsheets.plan import Book
from sheetkit.template import Column, Sheet
from sheetkit.template.formulas import STYLES
from sheetkit.template.geometry import FIRST_DATA_ROW, SETTINGS_VALUE_COLUMN, column_letter
from sheetkit.template.rules import column_help, column_rule, setting_rule
from sheetkit.template.styles import HEADER_COLOURS, NUMBER_FORMATS

__all__ = ["structure_requests"]

_WARNING: Final = "sheetkit: {what}. Edits here break the workbook; change them only if you know why."
_FORMULA_BG: Final = "#F2F2F2"
_KEY_GREY: Final = "#808080"
_NOTE_RED: Final = "#7A0000"


def structure_requests(book: Book, ids: Mapping[str, int], dialect: Dialect) -> list[dict[str, Any]]:
    """Every batchUpdate request once the tabs exist (``ids``: sheet id by tab key): names, formats, rules,
    formulas, protection."""
    return _Structure(book, ids, dialect).requests()


class _Structure:
    """The batchUpdate requests of one workbook, for tabs with known sheet ids."""

    def __init__(self, book: Book, ids: Mapping[str, int], dialect: Dialect) -> None:
        self.book = book
        self.template = book.template
        self.labels = book.labels
        self.layout = book.layout
        self.formulas = book.formulas
        self.names = book.names
        self.ids = ids
        self.dialect = dialect

    def requests(self) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        by_title = {tab.title: tab.key for tab in self.book.tabs}
        for name in self.names.values():
            sid = self.ids[by_title[name.sheet]]
            rng = _grid(sid, name.first_row - 1, name.last_row, name.column, name.column + 1)
            out.append({"addNamedRange": {"namedRange": {"name": name.name, "range": rng}}})
        for sheet in self.template.sheets:
            out += self._data_sheet(sheet)
        out += self._settings_sheet()
        out += self._lists_sheet()
        out += self._about_sheet()
        return out

    def formula(self, text: str) -> str:
        """Excel formula text in the target spreadsheet's dialect."""
        return self.dialect.formula(text)

    def rule_formula(self, text: str) -> str:
        """A validation formula: like :meth:`formula`, Settings cells through INDIRECT (they are on another tab).

        Google refuses references to other tabs in rules (named ranges included) except through INDIRECT.
        """
        return self.dialect.formula(text, indirect=[n for n in self.names if n.startswith("setting_")])

    def _data_sheet(self, sheet: Sheet) -> list[dict[str, Any]]:
        sid = self.ids[sheet.key]
        lay = self.layout.sheet(sheet.key)
        first, last = FIRST_DATA_ROW - 1, lay.last_row
        out: list[dict[str, Any]] = [_row_height(sid, 0, 60)]
        for start, end, kind in _runs(sheet.columns, lambda c: "formula" if c.is_formula else c.sensitivity):
            out.append(_repeat(_grid(sid, 0, 1, start, end), _header_format(HEADER_COLOURS[kind]), _HEADER_FIELDS))
        for start, end, width in _runs(sheet.columns, lambda c: c.width):
            out.append(_widths(sid, start, end, _pixels(width)))
        for idx, col in enumerate(sheet.columns):
            if col.hidden:
                out.append(_hide_columns(sid, idx, idx + 1))
        for idx, col in enumerate(sheet.columns):
            rng = _grid(sid, first, last, idx, idx + 1)
            if col.is_formula:
                formula = self.formula(self.formulas.formula(str(col.formula), FIRST_DATA_ROW, sheet.key))
                cell: dict[str, Any] = {
                    "userEnteredValue": {"formulaValue": formula},
                    "userEnteredFormat": self._formula_format(col),
                }
                out.append(_repeat(rng, cell, _FORMULA_FIELDS))
                continue
            out.append(_repeat(rng, {"userEnteredFormat": {"numberFormat": self._number_format(col)}}, _NUMBER_FIELD))
            settings = self.book.data.settings
            rule = column_rule(self.labels, self.layout, sheet, col, settings=settings, template=self.template)
            if rule is not None:
                cell_ref = lay.cell(col.key, FIRST_DATA_ROW, absolute_column=False)
                dv = self._validation(rule, cell_ref, column_help(self.labels, sheet.key, col.key, settings))
                out.append({"setDataValidation": {"range": rng, "rule": dv}})
        index = 0
        for cf in self.formulas.conditional_rules():
            if cf.sheet != sheet.key:
                continue
            ranges = [_grid(sid, first, last, s, e) for s, e in _index_runs(lay.index(c) for c in cf.columns)]
            formula = self.dialect.formula("=" + cf.formula, indirect=self.names)
            condition = _condition("CUSTOM_FORMULA", formula)
            boolean = {"condition": condition, "format": _style(STYLES[cf.style])}
            out.append(
                {"addConditionalFormatRule": {"rule": {"ranges": ranges, "booleanRule": boolean}, "index": index}}
            )
            index += 1
        width = len(sheet.columns)
        out.append({"setBasicFilter": {"filter": {"range": _grid(sid, 0, last, 0, width)}}})
        out.append(_protect(_grid(sid, 0, 1, 0, width), "the header row"))
        for start, end, is_formula in _runs(sheet.columns, lambda c: c.is_formula):
            if is_formula:
                out.append(_protect(_grid(sid, first, last, start, end), "columns the spreadsheet computes"))
        return out

    def _number_format(self, col: Column) -> dict[str, str]:
        lab = self.labels
        if col.type == "date":
            return {"type": "DATE", "pattern": lab.date_format}
        if col.type == "datetime":
            return {"type": "DATE_TIME", "pattern": lab.datetime_format}
        if col.type in NUMBER_FORMATS:
            return {"type": "NUMBER", "pattern": NUMBER_FORMATS[col.type]}
        return {"type": "TEXT", "pattern": "@"}

    def _formula_format(self, col: Column) -> dict[str, Any]:
        fmt: dict[str, Any] = {"backgroundColor": _colour(_FORMULA_BG)}
        if col.type == "date":
            fmt["numberFormat"] = {"type": "DATE", "pattern": self.labels.date_format}
        elif col.type == "decimal":
            fmt["numberFormat"] = {"type": "NUMBER", "pattern": "0.0"}
        elif col.type == "choice":
            fmt["textFormat"] = {"bold": True}
        else:
            fmt["numberFormat"] = {"type": "NUMBER", "pattern": "0"}
        return fmt

    def _validation(self, rule: Mapping[str, Any], cell: str, help_text: str) -> dict[str, Any]:
        """A rule of :mod:`sheetkit.template.rules` as a Sheets DataValidationRule."""
        kind = rule["validate"]
        show_ui = False
        d = self.dialect
        if kind == "list":
            name = str(rule["source"]).removeprefix("=")
            condition = _condition("ONE_OF_RANGE", "=" + self.names[name].reference)
            show_ui = True
        elif kind == "custom":
            condition = _condition("CUSTOM_FORMULA", self.rule_formula(str(rule["value"])))
        elif kind == "date" and rule["criteria"] == "between":
            bounds = [self.rule_formula(_date_formula(rule[k])) for k in ("minimum", "maximum")]
            condition = _condition("DATE_BETWEEN", *bounds)
        elif kind == "decimal" and rule["criteria"] == "between":
            condition = _condition("NUMBER_BETWEEN", d.number(rule["minimum"]), d.number(rule["maximum"]))
        elif kind == "integer" and rule["criteria"] == "between":
            # NUMBER_BETWEEN would let 2.5 through; Excel's whole-number rule does not.
            lo, hi = d.number(rule["minimum"]), d.number(rule["maximum"])
            formula = f"=AND(ISNUMBER({cell}),{cell}=INT({cell}),{cell}>={lo},{cell}<={hi})"
            condition = _condition("CUSTOM_FORMULA", self.formula(formula))
        elif kind == "length" and rule["criteria"] == "between":
            formula = f"=AND(LEN({cell})>={rule['minimum']},LEN({cell})<={rule['maximum']})"
            condition = _condition("CUSTOM_FORMULA", self.formula(formula))
        elif kind == "length" and rule["criteria"] == "<=":
            condition = _condition("CUSTOM_FORMULA", self.formula(f"=LEN({cell})<={rule['value']}"))
        else:
            raise UsageError(f"no Google Sheets translation for the validation {kind} {rule.get('criteria')}")
        return {
            "condition": condition,
            "inputMessage": help_text,
            "strict": rule.get("error_type", "stop") == "stop",
            "showCustomUi": show_ui,
        }

    def _settings_sheet(self) -> list[dict[str, Any]]:
        sid = self.ids["settings"]
        rows = max(self.layout.settings_rows.values())
        out = [_repeat(_grid(sid, 0, 1, 0, 4), _header_format(HEADER_COLOURS[None]), _HEADER_FIELDS)]
        out += [_widths(sid, i, i + 1, _pixels(w)) for i, w in enumerate((22, 28, 14, 70))]
        out.append(_repeat(_grid(sid, 1, rows, 0, 1), {"userEnteredFormat": _font(_KEY_GREY)}, _FONT_FIELDS))
        for col in (1, 3):
            out.append(_repeat(_grid(sid, 1, rows, col, col + 1), _WRAPPED, _WRAP_FIELDS))
        vc = SETTINGS_VALUE_COLUMN
        for entry in self.book.settings:
            s = entry.setting
            rng = _grid(sid, entry.row - 1, entry.row, vc, vc + 1)
            pattern = {"int": "0", "decimal": "0.00"}.get(s.type)
            number = {"type": "NUMBER", "pattern": pattern} if pattern else {"type": "TEXT", "pattern": "@"}
            if s.type == "date":
                number = {"type": "DATE", "pattern": self.labels.date_format}
            out.append(_repeat(rng, {"userEnteredFormat": {"numberFormat": number}}, _NUMBER_FIELD))
            cell_ref = f"{column_letter(vc)}{entry.row}"
            rule = self._validation(setting_rule(self.labels, self.layout, s), cell_ref, entry.help)
            out.append({"setDataValidation": {"range": rng, "rule": rule}})
        out.append(_protect(_grid(sid, 0, 1, 0, 4), "the header row"))
        out.append(_protect(_grid(sid, 1, rows, 0, vc), "setting keys and labels"))
        out.append(_protect(_grid(sid, 1, rows, vc + 1, 4), "help texts"))
        return out

    def _lists_sheet(self) -> list[dict[str, Any]]:
        sid = self.ids["lists"]
        tab = next(t for t in self.book.tabs if t.key == "lists")
        out: list[dict[str, Any]] = []
        for rng in self.layout.lists.values():
            c = rng.column
            out.append(_repeat(_grid(sid, 0, 1, c, c + 1), _header_format(HEADER_COLOURS[None]), _HEADER_FIELDS))
            out.append(_widths(sid, c, c + 1, _pixels(22 if rng.name.startswith("ref_") else 18)))
            number: dict[str, str] = {"type": "TEXT", "pattern": "@"}
            if rng.name.startswith("ref_"):
                col = next(x for x in self.template.reference_lists[rng.list_key].columns if x.key == rng.column_key)
                if col.type in NUMBER_FORMATS:
                    number = {"type": "NUMBER", "pattern": NUMBER_FORMATS[col.type]}
            body = _grid(sid, 1, tab.rows, c, c + 1)
            out.append(_repeat(body, {"userEnteredFormat": {"numberFormat": number}}, _NUMBER_FIELD))
        return out

    def _about_sheet(self) -> list[dict[str, Any]]:
        sid = self.ids["about"]
        rows = len(self.book.about) + 4
        out = [_widths(sid, i, i + 1, _pixels(w)) for i, w in enumerate((20, 24, 60))]
        title = {"userEnteredFormat": {"textFormat": {"bold": True, "fontSize": 14}}}
        out.append(
            _repeat(
                _grid(sid, 0, 1, 0, 1), title, "userEnteredFormat.textFormat.bold,userEnteredFormat.textFormat.fontSize"
            )
        )
        out.append(_repeat(_grid(sid, 2, rows, 0, 1), {"userEnteredFormat": _font(_KEY_GREY)}, _FONT_FIELDS))
        note_row = len(self.book.about) + 3
        note = {
            "userEnteredFormat": {
                "textFormat": {"italic": True, "foregroundColor": _colour(_NOTE_RED)},
                "wrapStrategy": "WRAP",
            }
        }
        fields = f"userEnteredFormat.textFormat.italic,{_FONT_FIELDS},userEnteredFormat.wrapStrategy"
        out.append(_repeat(_grid(sid, note_row, note_row + 1, 1, 2), note, fields))
        out.append(_row_height(sid, note_row, 60))
        out.append(_protect({"sheetId": sid}, "what the reader checks (template, version, locale)"))
        return out


# ----------------------------------------------------------------- request pieces

_HEADER_FIELDS: Final = (
    "userEnteredFormat.backgroundColor,userEnteredFormat.textFormat.bold,userEnteredFormat.wrapStrategy,"
    "userEnteredFormat.verticalAlignment,userEnteredFormat.borders"
)
_FORMULA_FIELDS: Final = (
    "userEnteredValue,userEnteredFormat.numberFormat,userEnteredFormat.backgroundColor,"
    "userEnteredFormat.textFormat.bold"
)
_NUMBER_FIELD: Final = "userEnteredFormat.numberFormat"
_FONT_FIELDS: Final = "userEnteredFormat.textFormat.foregroundColor"
_WRAP_FIELDS: Final = "userEnteredFormat.wrapStrategy,userEnteredFormat.verticalAlignment"
_WRAPPED: Final = {"userEnteredFormat": {"wrapStrategy": "WRAP", "verticalAlignment": "TOP"}}


def _grid(sheet_id: int, row0: int, row1: int, col0: int, col1: int) -> dict[str, int]:
    """A GridRange: 0-based, end exclusive."""
    return {
        "sheetId": sheet_id,
        "startRowIndex": row0,
        "endRowIndex": row1,
        "startColumnIndex": col0,
        "endColumnIndex": col1,
    }


def _repeat(rng: Mapping[str, Any], cell: Mapping[str, Any], fields: str) -> dict[str, Any]:
    # For a formula Google shifts the relative references row by row, as a fill-down does.
    return {"repeatCell": {"range": dict(rng), "cell": dict(cell), "fields": fields}}


def _widths(sheet_id: int, start: int, end: int, pixels: int) -> dict[str, Any]:
    return {
        "updateDimensionProperties": {
            "range": {"sheetId": sheet_id, "dimension": "COLUMNS", "startIndex": start, "endIndex": end},
            "properties": {"pixelSize": pixels},
            "fields": "pixelSize",
        }
    }


def _hide_columns(sheet_id: int, start: int, end: int) -> dict[str, Any]:
    return {
        "updateDimensionProperties": {
            "range": {"sheetId": sheet_id, "dimension": "COLUMNS", "startIndex": start, "endIndex": end},
            "properties": {"hiddenByUser": True},
            "fields": "hiddenByUser",
        }
    }


def _row_height(sheet_id: int, row: int, pixels: int) -> dict[str, Any]:
    return {
        "updateDimensionProperties": {
            "range": {"sheetId": sheet_id, "dimension": "ROWS", "startIndex": row, "endIndex": row + 1},
            "properties": {"pixelSize": pixels},
            "fields": "pixelSize",
        }
    }


def _protect(rng: Mapping[str, Any], what: str) -> dict[str, Any]:
    # warningOnly: like Excel's password-less protection it prevents accidents, not edits.
    # Google refuses editors on a warning-only range.
    return {
        "addProtectedRange": {
            "protectedRange": {"range": dict(rng), "description": _WARNING.format(what=what), "warningOnly": True}
        }
    }


def _condition(kind: str, *values: str) -> dict[str, Any]:
    condition: dict[str, Any] = {"type": kind}
    if values:
        condition["values"] = [{"userEnteredValue": v} for v in values]
    return condition


def _date_formula(bound: Any) -> str:
    if isinstance(bound, dt.date):
        return f"=DATE({bound.year},{bound.month},{bound.day})"
    return str(bound)  # "=TODAY()" or "=TODAY()+1"


def _colour(hex_colour: str) -> dict[str, float]:
    h = hex_colour.lstrip("#")
    return {name: int(h[i : i + 2], 16) / 255 for name, i in (("red", 0), ("green", 2), ("blue", 4))}


def _font(hex_colour: str) -> dict[str, Any]:
    return {"textFormat": {"foregroundColor": _colour(hex_colour)}}


def _header_format(colour: str) -> dict[str, Any]:
    solid = {"style": "SOLID"}
    return {
        "userEnteredFormat": {
            "backgroundColor": _colour(colour),
            "textFormat": {"bold": True},
            "wrapStrategy": "WRAP",
            "verticalAlignment": "TOP",
            "borders": {"top": solid, "bottom": solid, "left": solid, "right": solid},
        }
    }


def _style(spec: Mapping[str, str | bool]) -> dict[str, Any]:
    """A look of formulas.STYLES as a Sheets CellFormat (conditional formats set colours, bold, italic)."""
    fmt: dict[str, Any] = {}
    text: dict[str, Any] = {}
    for key, value in spec.items():
        if key == "bg_color":
            fmt["backgroundColor"] = _colour(str(value))
        elif key == "font_color":
            text["foregroundColor"] = _colour(str(value))
        elif key in ("bold", "italic"):
            text[key] = bool(value)
        else:
            raise UsageError(f"no Google Sheets translation for the style attribute {key!r}")
    if text:
        fmt["textFormat"] = text
    return fmt


def _pixels(width: float) -> int:
    """Excel column width (characters of the default font) in pixels, as Excel converts it."""
    return int(width * 7 + 0.5) + 5


def _runs(columns: Sequence[Column], key: Any) -> Iterator[tuple[int, int, Any]]:
    """(start, end, value) runs of adjacent columns sharing ``key(column)``."""
    start = 0
    for i in range(1, len(columns) + 1):
        if i == len(columns) or key(columns[i]) != key(columns[start]):
            yield start, i, key(columns[start])
            start = i


def _index_runs(indexes: Iterable[int]) -> Iterator[tuple[int, int]]:
    """(start, end) runs of adjacent column indexes."""
    ordered = sorted(indexes)
    start = prev = ordered[0]
    for i in [*ordered[1:], None]:
        if i is not None and i == prev + 1:
            prev = i
            continue
        yield start, prev + 1
        if i is not None:
            start = prev = i
