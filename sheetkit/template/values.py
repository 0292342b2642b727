"""What goes into the cells, shared by the Excel and the Google Sheets writer.

A frame value becomes text, a number or a date exactly one way, whichever
application the workbook is for: fixed choices and bools as their labels in the
workbook's language, multichoice labels joined by ``"; "``, a birthday without
a year ("MM-DD") as text, dates as dates. The content of the Settings, Lists and
About sheets is laid out here too, so both writers show the same cells.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final, Literal

import pandas as pd

from sheetkit._version import __version__
from sheetkit.errors import UsageError
from sheetkit.template import MULTICHOICE_SEPARATOR, Column, Labels, Setting, Template
from sheetkit.template.defaults import default_lists, default_settings
from sheetkit.template.geometry import WorkbookLayout

__all__ = [
    "MAX_CELL_TEXT",
    "NUMBER_TYPES",
    "CellValue",
    "Converter",
    "SettingRow",
    "about_entries",
    "cell_kind",
    "is_missing",
    "list_columns",
    "month_day_text",
    "setting_rows",
    "value_converter",
]

#: Longest text a cell holds in Excel (Google Sheets allows 50,000; the stricter limit keeps both).
MAX_CELL_TEXT: Final = 32767
#: Column types stored as numbers.
NUMBER_TYPES: Final = frozenset({"int", "rating", "decimal", "money"})

#: A converted value: text, a number, or a date (a datetime keeps its time of day).
CellValue = str | float | dt.date
#: Converts one frame value of a column; arguments: value, sheet key, 1-based sheet row (for messages).
Converter = Callable[[Any, str, int], CellValue]


def is_missing(value: Any) -> bool:
    """True for None, NaN, NaT and pd.NA: the cell stays empty."""
    if value is None or value is pd.NaT or value is pd.NA:
        return True
    return bool(isinstance(value, float) and math.isnan(value))


def month_day_text(value: str, order: str) -> str:
    """A birthday without the year, ``"MM-DD"`` in frames, as staff type it: ``DD-MM`` when ``order`` is DMY.

    >>> month_day_text("03-14", "DMY"), month_day_text("03-14", "YMD")
    ('14-03', '03-14')
    """
    text = value.strip()
    if order == "DMY" and len(text) == 5 and text[2] in "-/." and text[:2].isdigit() and text[3:].isdigit():
        return f"{text[3:]}-{text[:2]}"
    return text


def cell_kind(col: Column) -> Literal["date", "number", "text"]:
    """What a column's converter returns: dates (or text), numbers (or text), or always text."""
    if col.type in ("date", "datetime"):
        return "date"
    if col.type in NUMBER_TYPES:
        return "number"
    return "text"


def value_converter(template: Template, labels: Labels, col: Column) -> Converter:
    """The conversion of one column's frame values to cell values (missing values excluded).

    Text longer than :data:`MAX_CELL_TEXT` raises UsageError naming the sheet, row and column.
    """

    def text(value: Any, sheet: str, row: int) -> str:
        s = value if isinstance(value, str) else str(value)
        if len(s) > MAX_CELL_TEXT:
            raise UsageError(
                f"{sheet} row {row}, {col.key}: text of {len(s)} characters exceeds the "
                f"spreadsheet limit of {MAX_CELL_TEXT}"
            )
        return s

    if col.type in ("date", "datetime"):

        def when(value: Any, sheet: str, row: int) -> CellValue:
            if isinstance(value, str):  # a birthday without a year, "MM-DD"
                return text(value, sheet, row)
            if isinstance(value, pd.Timestamp):
                value = value.to_pydatetime()
            if isinstance(value, dt.datetime) and col.type == "date" and value.time() == dt.time():
                value = value.date()
            return value  # type: ignore[no-any-return]  # a date or datetime from the frame

        return when
    if col.type in NUMBER_TYPES:

        def number(value: Any, sheet: str, row: int) -> CellValue:
            if isinstance(value, str):
                return text(value, sheet, row)
            return float(value)

        return number
    if col.type == "bool":
        yes, no = labels.choice_label("yes_no", "yes"), labels.choice_label("yes_no", "no")

        def boolean(value: Any, sheet: str, row: int) -> CellValue:
            if isinstance(value, str):
                return text(value, sheet, row)
            return text(yes if bool(value) else no, sheet, row)

        return boolean
    if col.type in ("choice", "multichoice") and col.choices and not template.is_reference_list(col.choices):
        choice_labels = dict(labels.choices[col.choices])

        def choice(value: Any, sheet: str, row: int) -> CellValue:
            s = str(value)
            if col.type == "multichoice":
                parts = [p.strip() for p in s.split(MULTICHOICE_SEPARATOR)]
                joined = f"{MULTICHOICE_SEPARATOR} ".join(choice_labels.get(p, p) for p in parts if p)
                return text(joined, sheet, row)
            return text(choice_labels.get(s, s), sheet, row)

        return choice
    return text


# ------------------------------------------------------------ Settings, Lists, About


@dataclass(frozen=True)
class SettingRow:
    """One row of the Settings sheet: key, label, value (a number or text) and help."""

    setting: Setting
    row: int
    label: str
    value: float | str | dt.date
    help: str


def setting_rows(
    template: Template, labels: Labels, layout: WorkbookLayout, settings: Mapping[str, Any]
) -> list[SettingRow]:
    """The Settings rows: ``settings`` over the defaults, choices shown by their label."""
    values = {**default_settings(template, labels), **settings}
    rows: list[SettingRow] = []
    for s in template.settings:
        value = values[s.key]
        shown: float | str | dt.date
        if s.type in ("int", "decimal"):
            shown = float(value)
        elif s.type == "date":
            shown = _setting_date(value, s.default)
        elif s.type == "choice":
            shown = labels.choice_label(str(s.choices), str(value))
        else:
            shown = str(value)
        entry = labels.settings[s.key]
        rows.append(SettingRow(s, layout.settings_rows[s.key], entry["label"], shown, entry["help"]))
    return rows


def _setting_date(value: Any, default: Any) -> dt.date:
    """A date setting's value as a date (a timestamp or ISO text is accepted; anything else is the default)."""
    if isinstance(value, dt.datetime):  # also pandas.Timestamp
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        return default if isinstance(default, dt.date) else dt.date(1990, 1, 1)


def list_columns(
    template: Template, labels: Labels, layout: WorkbookLayout, lists: Mapping[str, pd.DataFrame]
) -> dict[int, list[Any]]:
    """Cells of each Lists column by 0-based index: the header, then the values (None = empty).

    Reference lists come from ``lists`` (the defaults where a list is missing);
    fixed choice lists hold their labels. Raises UsageError when a list is
    longer than the rows the layout reserves for it.
    """
    columns: dict[int, list[Any]] = {}
    defaults: dict[str, pd.DataFrame] | None = None
    for rng in layout.lists.values():
        if rng.name.startswith("ref_"):
            ref = template.reference_lists[rng.list_key]
            frame = lists.get(rng.list_key)
            if frame is None:
                defaults = defaults or default_lists(template, labels)
                frame = defaults[rng.list_key]
            header = labels.reference_header(ref.key, rng.column_key)
            cells = list(frame[rng.column_key]) if rng.column_key in frame.columns else []
            limit = rng.last_row - rng.first_row + 1
            if len(cells) > limit:
                raise UsageError(f"the {ref.key} list has {len(cells)} rows; the workbook holds {limit}")
        else:
            header = rng.list_key
            cells = labels.choice_labels(rng.list_key)
        columns[rng.column] = [header, *(None if is_missing(v) else v for v in cells)]
    return columns


def about_entries(
    template: Template,
    labels: Labels,
    stamp: dt.datetime,
    *,
    branch: str | None = None,
    prepared_rows: int | None = None,
    prepared_by_sheet: Mapping[str, int] | None = None,
) -> list[tuple[str, str, str]]:
    """The About rows as (key, label, value); the reader finds template, version and locale by key.

    ``prepared_rows`` is the last sheet row (1-based) that carries validation, formats and
    formulas on every data sheet (:attr:`WorkbookLayout.prepared_rows`); ``prepared_by_sheet``
    the same per data sheet (``prepared_rows_<sheet>``), since each sheet grows with its own data.
    """
    entries = [
        ("template_id", template.id),
        ("template_version", str(template.version)),
        ("locale", labels.locale),
        ("generated_at", stamp.isoformat(sep=" ")),
        ("generator", f"sheetkit {__version__}"),
    ]
    if prepared_rows is not None:
        entries.append(("prepared_rows", str(prepared_rows)))
    rows = [(key, labels.about[key], value) for key, value in entries]
    for sheet, last in (prepared_by_sheet or {}).items():
        rows.append(
            (f"prepared_rows_{sheet}", f"{labels.about['prepared_rows']} · {labels.sheet_name(sheet)}", str(last))
        )
    if branch is not None:
        rows.append(("branch", labels.header("clients", "branch"), branch))
    return rows
