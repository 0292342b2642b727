"""Where everything sits in a generated workbook: tabs, columns, rows and names.

The layout is derived from the template and the number of data rows; the Excel
writer, the formulas and (later) the Google Sheets writer all take positions
from here, so no column letter is ever written by hand.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from sheetkit.errors import UsageError
from sheetkit.template import Labels, Template

__all__ = [
    "FIRST_DATA_ROW",
    "HEADER_ROW",
    "SETTINGS_VALUE_COLUMN",
    "DefinedName",
    "ListRange",
    "SheetLayout",
    "WorkbookLayout",
    "column_index",
    "column_letter",
    "plan_layout",
]

#: 1-based row of the header on every data sheet; data starts right below.
HEADER_ROW: Final = 1
FIRST_DATA_ROW: Final = 2
#: Row count on the Settings and About sheets before their first entry.
SETTINGS_FIRST_ROW: Final = 2
#: 0-based column of the values on the Settings sheet (key, label, value, help).
SETTINGS_VALUE_COLUMN: Final = 2
#: Rows of an .xlsx sheet (Excel's and LibreOffice's limit).
MAX_ROWS: Final = 1_048_576


def column_letter(index: int) -> str:
    """Spreadsheet letters of a 0-based column index (0 -> A, 26 -> AA).

    >>> column_letter(0), column_letter(25), column_letter(26), column_letter(701)
    ('A', 'Z', 'AA', 'ZZ')
    """
    letters = ""
    n = index + 1
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def column_index(letters: str) -> int:
    """0-based column index of spreadsheet letters (A -> 0, AA -> 26).

    >>> column_index("A"), column_index("Z"), column_index("AA"), column_index("zz")
    (0, 25, 26, 701)
    """
    n = 0
    for ch in letters.upper():
        n = n * 26 + (ord(ch) - 64)
    return n - 1


def quote_sheet(name: str) -> str:
    """Sheet name as it must appear in a formula reference, and as the A1 range of a whole tab (Sheets API)."""
    return "'" + name.replace("'", "''") + "'"


@dataclass(frozen=True)
class SheetLayout:
    """Positions on one data sheet."""

    key: str
    name: str
    columns: tuple[str, ...]
    last_row: int

    @property
    def frozen_columns(self) -> int:
        """Columns kept in view when scrolling right: the ID, and on Clients also the name."""
        return 2 if self.key == "clients" else 1

    def index(self, column: str) -> int:
        """0-based column index of a canonical key."""
        return self.columns.index(column)

    def letter(self, column: str) -> str:
        """Column letter of a canonical key."""
        return column_letter(self.index(column))

    def cell(self, column: str, row: int, *, absolute_column: bool = True) -> str:
        """A1 reference of a column at a 1-based row, e.g. ``$A2``."""
        prefix = "$" if absolute_column else ""
        return f"{prefix}{self.letter(column)}{row}"

    def data_range(self, column: str, *, sheet: bool = True) -> str:
        """Absolute range of a column's data area, e.g. ``'Visits'!$B$2:$B$5001``."""
        letter = self.letter(column)
        ref = f"${letter}${FIRST_DATA_ROW}:${letter}${self.last_row}"
        return f"{quote_sheet(self.name)}!{ref}" if sheet else ref


@dataclass(frozen=True)
class ListRange:
    """One column of the hidden Lists sheet, exposed as a defined name."""

    name: str
    list_key: str
    column_key: str
    column: int
    first_row: int
    last_row: int
    reference: str


@dataclass(frozen=True)
class DefinedName:
    """A workbook-level name over one column range (1-based rows, 0-based column).

    ``reference`` is the absolute A1 form with the quoted sheet name, e.g.
    ``'Lists'!$A$2:$A$201`` or ``'Settings'!$C$2`` for a single cell.
    """

    name: str
    sheet: str
    column: int
    first_row: int
    last_row: int
    reference: str


@dataclass(frozen=True)
class WorkbookLayout:
    """Positions of every sheet and defined name of one generated workbook."""

    sheets: dict[str, SheetLayout]
    lists_name: str
    settings_name: str
    about_name: str
    lists: dict[str, ListRange]
    settings_rows: dict[str, int]
    legend_name: str = ""

    @property
    def prepared_rows(self) -> int:
        """The last 1-based row that carries validation, formats and formulas on every data sheet.

        Some sheets reach further (each grows with its own data); the About sheet records this one.
        """
        return min(s.last_row for s in self.sheets.values())

    @property
    def prepared_by_sheet(self) -> dict[str, int]:
        """The last 1-based prepared row of each data sheet, by canonical key."""
        return {key: s.last_row for key, s in self.sheets.items()}

    def sheet(self, key: str) -> SheetLayout:
        """Layout of a data sheet by canonical key."""
        return self.sheets[key]

    def choice_range_name(self, list_key: str) -> str:
        """Defined name holding the dropdown values of a list."""
        return f"list_{list_key}" if f"list_{list_key}" in self.lists else f"ref_{list_key}_name"

    def setting_name(self, key: str) -> str:
        """Defined name of a setting's value cell."""
        return f"setting_{key}"

    def defined_names(self) -> list[DefinedName]:
        """Every defined name: the Lists columns, ``client_ids`` and one per setting."""
        names = [
            DefinedName(r.name, self.lists_name, r.column, r.first_row, r.last_row, r.reference)
            for r in self.lists.values()
        ]
        clients = self.sheet("clients")
        for name, column in (("client_ids", "client_id"), ("client_names", "full_name")):
            names.append(
                DefinedName(
                    name,
                    clients.name,
                    clients.index(column),
                    FIRST_DATA_ROW,
                    clients.last_row,
                    clients.data_range(column),
                )
            )
        letter = column_letter(SETTINGS_VALUE_COLUMN)
        for key, row in self.settings_rows.items():
            ref = f"{quote_sheet(self.settings_name)}!${letter}${row}"
            names.append(DefinedName(self.setting_name(key), self.settings_name, SETTINGS_VALUE_COLUMN, row, row, ref))
        return names


def plan_layout(template: Template, labels: Labels, rows: dict[str, int]) -> WorkbookLayout:
    """Lay out a workbook whose data sheets hold ``rows[sheet]`` data rows."""
    sheets: dict[str, SheetLayout] = {}
    for sheet in template.sheets:
        count = rows.get(sheet.key, 0)
        if count > MAX_ROWS - FIRST_DATA_ROW + 1:
            raise UsageError(
                f"the {sheet.key} sheet would have {count:,} rows; a spreadsheet holds at most "
                f"{MAX_ROWS - FIRST_DATA_ROW + 1:,} below its header: split the data (for example by branch or year)"
            )
        # Spare rows carry validation and formulas for new entries (10 x the data + 10,000 in the
        # canonical template), as far as the sheet allows.
        capacity = min(template.prepared_capacity(count), MAX_ROWS - FIRST_DATA_ROW + 1)
        sheets[sheet.key] = SheetLayout(
            key=sheet.key,
            name=labels.sheet_name(sheet.key),
            columns=sheet.keys,
            last_row=FIRST_DATA_ROW + capacity - 1,
        )
    lists_name = labels.sheet_name("lists")
    lists: dict[str, ListRange] = {}
    col = 0
    ref_last = FIRST_DATA_ROW + template.reference_list_rows - 1
    for ref in template.reference_lists.values():
        for ref_col in ref.columns:
            name = f"ref_{ref.key}_{ref_col.key}"
            lists[name] = _list_range(name, ref.key, ref_col.key, col=col, last=ref_last, sheet=lists_name)
            col += 1
        col += 1  # an empty column between blocks keeps them readable
    for list_key, values in template.choice_lists.items():
        name = f"list_{list_key}"
        last = FIRST_DATA_ROW + len(values) - 1
        lists[name] = _list_range(name, list_key, "label", col=col, last=last, sheet=lists_name)
        col += 1
    settings_rows = {s.key: SETTINGS_FIRST_ROW + i for i, s in enumerate(template.settings)}
    return WorkbookLayout(
        sheets=sheets,
        lists_name=lists_name,
        settings_name=labels.sheet_name("settings"),
        about_name=labels.sheet_name("about"),
        lists=lists,
        settings_rows=settings_rows,
        legend_name=labels.sheet_names.get("legend", ""),
    )


def _list_range(name: str, list_key: str, column_key: str, *, col: int, last: int, sheet: str) -> ListRange:
    letter = column_letter(col)
    ref = f"{quote_sheet(sheet)}!${letter}${FIRST_DATA_ROW}:${letter}${last}"
    return ListRange(name, list_key, column_key, col, FIRST_DATA_ROW, last, ref)
