"""In-memory spreadsheets: the state the stand-in serves and tests assert on.

A :class:`Book` is one spreadsheet (and Drive file); its :class:`Sheet` tabs hold sparse cells keyed by
``(row, col)`` (0-based).  A cell keeps what a user entered (``userEnteredValue`` as Sheets spells it, the
``userEnteredFormat``, a data-validation rule, a note); effective and formatted values are computed on read.
GridRanges are stored in API form (``{"sheetId", "startRowIndex", ...}``, end-exclusive, open ends absent).
"""

from __future__ import annotations

import copy
import random
import string
from dataclasses import dataclass, field
from typing import Any

from . import a1
from .errors import RequestError

ID_ALPHABET = string.ascii_letters + string.digits + "-_"
DEFAULT_ROWS, DEFAULT_COLUMNS = 1000, 26
MAX_CELLS = 10_000_000
SPREADSHEET_MIME = "application/vnd.google-apps.spreadsheet"

# Recorded from real spreadsheets.get replies (identical in every cassette).
DEFAULT_FORMAT: dict[str, Any] = {
    "backgroundColor": {"red": 1, "green": 1, "blue": 1},
    "padding": {"top": 2, "right": 3, "bottom": 2, "left": 3},
    "verticalAlignment": "BOTTOM",
    "wrapStrategy": "OVERFLOW_CELL",
    "textFormat": {
        "foregroundColor": {},
        "fontFamily": "arial,sans,sans-serif",
        "fontSize": 10,
        "bold": False,
        "italic": False,
        "strikethrough": False,
        "underline": False,
        "foregroundColorStyle": {"rgbColor": {}},
    },
    "backgroundColorStyle": {"rgbColor": {"red": 1, "green": 1, "blue": 1}},
}
THEME: dict[str, Any] = {
    "primaryFontFamily": "Arial",
    "themeColors": [
        {"colorType": "TEXT", "color": {"rgbColor": {}}},
        {"colorType": "BACKGROUND", "color": {"rgbColor": {"red": 1, "green": 1, "blue": 1}}},
        {"colorType": "ACCENT1", "color": {"rgbColor": {"red": 0.25882354, "green": 0.52156866, "blue": 0.95686275}}},
        {"colorType": "ACCENT2", "color": {"rgbColor": {"red": 0.91764706, "green": 0.2627451, "blue": 0.20784314}}},
        {"colorType": "ACCENT3", "color": {"rgbColor": {"red": 0.9843137, "green": 0.7372549, "blue": 0.015686275}}},
        {"colorType": "ACCENT4", "color": {"rgbColor": {"red": 0.20392157, "green": 0.65882355, "blue": 0.3254902}}},
        {"colorType": "ACCENT5", "color": {"rgbColor": {"red": 1, "green": 0.42745098, "blue": 0.003921569}}},
        {"colorType": "ACCENT6", "color": {"rgbColor": {"red": 0.27450982, "green": 0.7411765, "blue": 0.7764706}}},
        {"colorType": "LINK", "color": {"rgbColor": {"red": 0.06666667, "green": 0.33333334, "blue": 0.8}}},
    ],
}
DEFAULT_ROW_PX, DEFAULT_COLUMN_PX = 21, 100


@dataclass
class Cell:
    value: dict[str, Any] | None = None  # userEnteredValue: numberValue | stringValue | boolValue | formulaValue
    fmt: dict[str, Any] | None = None  # userEnteredFormat
    validation: dict[str, Any] | None = None  # DataValidationRule
    note: str | None = None

    def is_empty(self) -> bool:
        return self.value is None and not self.fmt and self.validation is None and not self.note


def default_sheet_properties(sheet_id: int, title: str) -> dict[str, Any]:
    return {
        "sheetId": sheet_id,
        "title": title,
        "index": 0,
        "sheetType": "GRID",
        "gridProperties": {"rowCount": DEFAULT_ROWS, "columnCount": DEFAULT_COLUMNS},
        "hidden": False,
    }


class Sheet:
    """One tab. ``properties`` is the full SheetProperties dict (defaults included, e.g. ``hidden: False``)."""

    def __init__(self, properties: dict[str, Any]) -> None:
        self.properties = properties
        self.cells: dict[tuple[int, int], Cell] = {}
        self.conditional_formats: list[dict[str, Any]] = []
        self.protected_ranges: list[dict[str, Any]] = []
        self.row_meta: dict[int, dict[str, Any]] = {}
        self.col_meta: dict[int, dict[str, Any]] = {}
        self.basic_filter: dict[str, Any] | None = None

    # identity and grid
    @property
    def sheet_id(self) -> int:
        return int(self.properties["sheetId"])

    @property
    def title(self) -> str:
        return str(self.properties["title"])

    @property
    def index(self) -> int:
        return int(self.properties.get("index", 0))

    @property
    def hidden(self) -> bool:
        return bool(self.properties.get("hidden"))

    @property
    def grid(self) -> dict[str, Any]:
        return self.properties.setdefault("gridProperties", {})

    @property
    def row_count(self) -> int:
        return int(self.grid.get("rowCount", 0))

    @property
    def column_count(self) -> int:
        return int(self.grid.get("columnCount", 0))

    # cells
    def cell(self, row: int, col: int) -> Cell | None:
        return self.cells.get((row, col))

    def ensure(self, row: int, col: int) -> Cell:
        cell = self.cells.get((row, col))
        if cell is None:
            cell = self.cells[(row, col)] = Cell()
        return cell

    def prune(self, row: int, col: int) -> None:
        cell = self.cells.get((row, col))
        if cell is not None and cell.is_empty():
            del self.cells[(row, col)]

    def value(self, row: int, col: int) -> dict[str, Any] | None:
        """The ``userEnteredValue`` at (row, col), 0-based, e.g. ``{"numberValue": 43831}``; None if empty."""
        cell = self.cells.get((row, col))
        return None if cell is None else cell.value

    def format_at(self, row: int, col: int) -> dict[str, Any] | None:
        cell = self.cells.get((row, col))
        return None if cell is None else cell.fmt

    def number_format_at(self, row: int, col: int) -> dict[str, Any] | None:
        fmt = self.format_at(row, col)
        return None if not fmt else fmt.get("numberFormat")

    def validation_at(self, row: int, col: int) -> dict[str, Any] | None:
        cell = self.cells.get((row, col))
        return None if cell is None else cell.validation

    @property
    def data_validations(self) -> dict[tuple[int, int], dict[str, Any]]:
        """Every cell's DataValidationRule, by (row, col) (rules are stored per cell, as Sheets does)."""
        return {k: c.validation for k, c in sorted(self.cells.items()) if c.validation is not None}

    def note_at(self, row: int, col: int) -> str | None:
        cell = self.cells.get((row, col))
        return None if cell is None else cell.note

    def has_value(self, row: int, col: int) -> bool:
        cell = self.cells.get((row, col))
        return cell is not None and cell.value is not None

    def save(self) -> tuple[Any, ...]:
        cells = {k: (c.value, c.fmt, c.validation, c.note) for k, c in self.cells.items()}
        rules = (self.conditional_formats, self.protected_ranges, self.basic_filter)
        return copy.deepcopy(self.properties), cells, copy.deepcopy(rules), dict(self.row_meta), dict(self.col_meta)

    def load(self, saved: tuple[Any, ...]) -> None:
        self.properties, cells, rules, self.row_meta, self.col_meta = saved
        self.cells = {k: Cell(*v) for k, v in cells.items()}
        self.conditional_formats, self.protected_ranges, self.basic_filter = rules

    def crop(self) -> None:
        """Drop cells, metadata and rules outside the grid (after a resize)."""
        rows, cols = self.row_count, self.column_count
        for key in [k for k in self.cells if k[0] >= rows or k[1] >= cols]:
            del self.cells[key]
        self.row_meta = {k: v for k, v in self.row_meta.items() if k < rows}
        self.col_meta = {k: v for k, v in self.col_meta.items() if k < cols}

    def __repr__(self) -> str:
        return f"<Sheet {self.title!r} id={self.sheet_id} {self.row_count}x{self.column_count}>"


@dataclass
class Book:
    """A spreadsheet (a Drive file with ``mime_type`` of a Google spreadsheet) and who may use it."""

    id: str
    title: str
    owner: str
    created_time: float
    modified_time: float
    locale: str = "en_US"
    time_zone: str = "Etc/GMT"
    auto_recalc: str = "ON_CHANGE"
    mime_type: str = SPREADSHEET_MIME
    shared: dict[str, str] = field(default_factory=dict)
    sheets: list[Sheet] = field(default_factory=list)
    named_ranges: list[dict[str, Any]] = field(default_factory=list)
    default_format: dict[str, Any] = field(default_factory=lambda: copy.deepcopy(DEFAULT_FORMAT))
    theme: dict[str, Any] = field(default_factory=lambda: copy.deepcopy(THEME))
    parents: list[str] = field(default_factory=list)

    @property
    def is_spreadsheet(self) -> bool:
        return self.mime_type == SPREADSHEET_MIME

    def role_of(self, email: str | None) -> str | None:
        if email is None:
            return None
        if email.lower() == self.owner.lower():
            return "owner"
        return self.shared.get(email.lower())

    def sheet_by_id(self, sheet_id: int) -> Sheet | None:
        return next((s for s in self.sheets if s.sheet_id == sheet_id), None)

    def sheet_by_title(self, title: str) -> Sheet | None:
        exact = next((s for s in self.sheets if s.title == title), None)
        return exact or next((s for s in self.sheets if s.title.lower() == title.lower()), None)

    def named_range(self, name: str) -> dict[str, Any] | None:
        return next((n for n in self.named_ranges if n["name"].lower() == name.lower()), None)

    def reindex(self) -> None:
        for i, sheet in enumerate(self.sheets):
            sheet.properties["index"] = i

    def total_cells(self) -> int:
        return sum(s.row_count * s.column_count for s in self.sheets)

    def snapshot(self) -> dict[str, Any]:
        """A cheap copy for rollback.  Cell value/format/rule dicts are never changed in place (they are
        replaced), so cells are saved as tuples of shared dicts; everything else is deep-copied."""
        return {
            "fields": copy.deepcopy({k: v for k, v in self.__dict__.items() if k != "sheets"}),
            "sheets": [(s, s.save()) for s in self.sheets],
        }

    def restore(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state["fields"])
        self.sheets = [s for s, _ in state["sheets"]]
        for sheet, saved in state["sheets"]:
            sheet.load(saved)

    def __repr__(self) -> str:
        return f"<Book {self.id} {self.title!r} sheets={[s.title for s in self.sheets]}>"


# ---------------------------------------------------------------- ids
class Ids:
    """Random ids shaped like Google's: 44-char spreadsheet keys, int31 sheet/protected-range ids."""

    def __init__(self, seed: int | None = None) -> None:
        self._rng = random.Random(seed)

    def spreadsheet(self) -> str:
        return "1" + "".join(self._rng.choice(ID_ALPHABET) for _ in range(43))

    def int31(self, taken: set[int] | None = None) -> int:
        while True:
            value = self._rng.randint(1, 2**31 - 1)
            if not taken or value not in taken:
                return value

    def digits(self, n: int) -> str:
        return str(self._rng.randint(10 ** (n - 1), 10**n - 1))

    def token(self, n: int = 32) -> str:
        return "".join(self._rng.choice(ID_ALPHABET) for _ in range(n))


# ---------------------------------------------------------------- GridRange helpers
GRID_KEYS = ("startRowIndex", "endRowIndex", "startColumnIndex", "endColumnIndex")


def render_grid_range(gr: dict[str, Any]) -> dict[str, Any]:
    """API form: ``sheetId`` 0 is omitted (proto3), bounded indexes are kept even when 0 (recorded)."""
    out: dict[str, Any] = {}
    if gr.get("sheetId"):
        out["sheetId"] = gr["sheetId"]
    for key in GRID_KEYS:
        if gr.get(key) is not None:
            out[key] = gr[key]
    return out


def grid_box(sheet: Sheet, gr: dict[str, Any]) -> tuple[int, int, int, int]:
    r0 = gr.get("startRowIndex") or 0
    r1 = gr.get("endRowIndex")
    c0 = gr.get("startColumnIndex") or 0
    c1 = gr.get("endColumnIndex")
    return r0, sheet.row_count if r1 is None else r1, c0, sheet.column_count if c1 is None else c1


def exceeds_grid(sheet: Sheet, box: tuple[int, int, int, int]) -> str:
    """``Range (Sheet1!A1001) exceeds grid limits. Max rows: 1000, max columns: 26`` (wording from Google)."""
    r0, r1, c0, c1 = box
    name = f"{a1.quote_title(sheet.title)}!{a1.box_name(r0, max(r1, r0 + 1), c0, max(c1, c0 + 1))}"
    return f"Range ({name}) exceeds grid limits. Max rows: {sheet.row_count}, max columns: {sheet.column_count}"


def check_grid_range(book: Book, gr: dict[str, Any]) -> tuple[Sheet, tuple[int, int, int, int]]:
    """Resolve a GridRange from a batchUpdate request, with Google-style reasons when it is bad."""
    sheet_id = gr.get("sheetId", 0)
    sheet = book.sheet_by_id(sheet_id)
    if sheet is None:
        raise RequestError(f"No grid with id: {sheet_id}")
    for key in GRID_KEYS:
        if gr.get(key) is not None and gr[key] < 0:
            raise RequestError(f"GridRange.{key} must be greater than or equal to 0, was {gr[key]}")
    r0, r1, c0, c1 = grid_box(sheet, gr)
    if r1 < r0 or c1 < c0:
        raise RequestError(f"Invalid range: start index must be <= end index ({a1.box_name(r0, r0 + 1, c0, c0 + 1)})")
    if r1 > sheet.row_count or c1 > sheet.column_count:
        raise RequestError(exceeds_grid(sheet, (r0, r1, c0, c1)))
    return sheet, (r0, r1, c0, c1)
