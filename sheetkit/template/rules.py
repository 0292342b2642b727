"""Data validation of every data column and setting, declared once for both writers.

A rule is a dictionary in xlsxwriter's ``data_validation`` form (``validate``,
``criteria``, ``minimum``/``maximum``/``value``, ``source``, ``error_message``):
the Excel writer passes it on after adding titles and the input message, the
Google Sheets writer translates it to a Sheets ``DataValidationRule``
(:mod:`sheetkit.gsheets.writer`). Formulas in rules are written for the first
data row, with Excel's function names and comma separators.

A bound taken from a setting (``min: setting:earliest_date``) refers to the
setting's defined name, so the manager's change on the Settings sheet applies at
once; the message shows the value the workbook was written with. A birthday
without the year is checked in the order of the Settings ``date_order`` cell.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sheetkit.template import TEXT_TYPES, Column, Labels, Setting, SettingBound, Sheet, Template, resolve_bound
from sheetkit.template.defaults import default_settings
from sheetkit.template.geometry import FIRST_DATA_ROW, SheetLayout, WorkbookLayout
from sheetkit.template.values import MAX_CELL_TEXT

__all__ = [
    "column_help",
    "column_rule",
    "date_order",
    "month_day_example",
    "month_day_pattern",
    "plain_number",
    "setting_rule",
    "show_number",
]

#: Date bounds of date columns that declare none.
EARLIEST_DATE = dt.date(1900, 1, 1)
LATEST_DATE = dt.date(2100, 12, 31)
#: Length limits of phones, and of settings without a declared one.
PHONE_LENGTH = (5, 32)
SETTING_MAX_LENGTH = 255


def date_order(labels: Labels, settings: Mapping[str, Any] | None) -> str:
    """The workbook's effective date order: the ``date_order`` setting, else the locale's (DMY, MDY or YMD)."""
    value = (settings or {}).get("date_order")
    return str(value) if value in ("DMY", "MDY", "YMD") else labels.date_order


def month_day_pattern(labels: Labels, order: str) -> str:
    """How a birthday without the year is typed, in the locale's words: DD-MM (GG-MM in Italian) or MM-DD."""
    return labels.message("month_day_dm" if order == "DMY" else "month_day_md")


def month_day_example(order: str) -> str:
    """14 March typed as a birthday without the year: ``14-03`` (DMY) or ``03-14``."""
    return "14-03" if order == "DMY" else "03-14"


def column_help(labels: Labels, sheet: str, column: str, settings: Mapping[str, Any] | None = None) -> str:
    """The help text of a column as the workbook shows it: ``{month_day}`` and ``{example}`` filled in."""
    text = labels.help(sheet, column)
    if "{" not in text:
        return text
    order = date_order(labels, settings)
    return text.format(month_day=month_day_pattern(labels, order), example=month_day_example(order))


def column_rule(
    labels: Labels,
    layout: WorkbookLayout,
    sheet: Sheet,
    col: Column,
    *,
    settings: Mapping[str, Any] | None = None,
    template: Template | None = None,
) -> dict[str, Any] | None:
    """The validation of a data column (None for columns without one, such as formulas).

    ``settings`` (the workbook's) fill the messages of setting bounds and the date order;
    missing ones take the template's defaults.
    """
    if col.is_formula:
        return None
    lab = labels
    lay: SheetLayout = layout.sheet(sheet.key)
    cell = lay.cell(col.key, FIRST_DATA_ROW, absolute_column=False)
    if col.key == sheet.id_column and col.unique:
        rng = lay.data_range(col.key, sheet=False)
        return {
            "validate": "custom",
            "value": f"=AND(LEN({cell})<={col.max_length or 32},COUNTIF({rng},{cell})=1)",
            "error_message": lab.message("unique"),
        }
    if col.references == "clients.client_id":
        return {
            "validate": "list",
            "source": "=client_ids",
            "error_message": lab.message("client_exists"),
        }
    if col.type in ("choice",) or col.type == "bool":
        list_key = "yes_no" if col.type == "bool" else str(col.choices)
        return {
            "validate": "list",
            "source": "=" + layout.choice_range_name(list_key),
            "error_message": lab.message("choice"),
        }
    values: Mapping[str, Any] = settings or {}
    if template is not None:
        values = {**default_settings(template, labels), **values}
    if col.type == "date" and col.month_day:
        return _birth_date_rule(lab, layout, cell, date_order(lab, values))
    if col.type in ("date", "datetime"):
        return _date_rule(lab, layout, col, values)
    if col.type in ("int", "rating", "decimal", "money"):
        return _number_rule(lab, col)
    return _text_rule(lab, col, cell)


def _birth_date_rule(lab: Labels, layout: WorkbookLayout, cell: str, order: str) -> dict[str, Any]:
    """A full past date, or a day and month alone (a birthday without the year) in the Settings date order.

    DD-MM when the ``date_order`` setting is DMY, else MM-DD; ``-``, ``/`` or ``.`` between.
    The formula stays under Excel's 255 characters.
    """
    first, second = f"--LEFT({cell},2)", f"--RIGHT({cell},2)"  # "--" makes a number of the text, as VALUE does
    dmy = f'{layout.setting_name("date_order")}="{lab.choice_label("date_order", "DMY")}"'
    return {
        "validate": "custom",
        "value": (
            f"=OR(AND(ISNUMBER({cell}),{cell}>=DATE(1900,1,1),{cell}<=TODAY()),"
            f'AND(LEN({cell})=5,ISNUMBER(FIND(MID({cell},3,1),"-/.")),{first}>=1,{second}>=1,'
            f"IF({dmy},AND({first}<=31,{second}<=12),AND({first}<=12,{second}<=31))))"
        ),
        "error_message": lab.message("birth_date", format=lab.date_format, month_day=month_day_pattern(lab, order)),
    }


def _date_rule(lab: Labels, layout: WorkbookLayout, col: Column, settings: Mapping[str, Any]) -> dict[str, Any]:
    """A date or date-time between the column's bounds (the defaults when it declares none).

    A setting bound refers to the setting's cell (``=setting_earliest_date``); the message gives both bounds.
    """
    lo: Any
    if isinstance(col.min, SettingBound):
        lo = "=" + layout.setting_name(col.min.key)
        shown_lo = resolve_bound(col.min, settings)
    else:
        lo = col.min if isinstance(col.min, dt.date) else EARLIEST_DATE
        shown_lo = lo
    fmt = lab.datetime_format if col.type == "datetime" else lab.date_format
    if col.max == "today":
        hi: Any = "=TODAY()+1" if col.type == "datetime" else "=TODAY()"
        message = lab.message("date_not_future", min=_show_date(shown_lo), format=fmt)
    else:
        hi = col.max if isinstance(col.max, dt.date) else LATEST_DATE
        message = lab.message("date", min=_show_date(shown_lo), max=_show_date(hi), format=fmt)
    return {
        "validate": "date",
        "criteria": "between",
        "minimum": lo,
        "maximum": hi,
        "error_message": message,
    }


def _number_rule(lab: Labels, col: Column) -> dict[str, Any]:
    """A whole number (int, rating) or a decimal (decimal, money) between the column's bounds."""
    if col.type in ("int", "rating"):
        lo_n, hi_n = _num(col.min, 0), _num(col.max, 10**9)
        key = "rating" if col.type == "rating" else "int"
        return {
            "validate": "integer",
            "criteria": "between",
            "minimum": int(lo_n),
            "maximum": int(hi_n),
            "error_message": lab.message(key, min=show_number(lo_n), max=show_number(hi_n)),
        }
    lo_n, hi_n = _num(col.min, 0), _num(col.max, 10**12)
    if col.type == "money":  # bounds are in the template's reference currency
        lo_n, hi_n = lo_n * lab.price_scale, hi_n * lab.price_scale
    return {
        "validate": "decimal",
        "criteria": "between",
        "minimum": plain_number(lo_n),
        "maximum": plain_number(hi_n),
        "error_message": lab.message("decimal", min=show_number(lo_n), max=show_number(hi_n)),
    }


def _text_rule(lab: Labels, col: Column, cell: str) -> dict[str, Any] | None:
    """The length (and, for e-mails, the shape) of a text-like column; None for other types."""
    if col.type == "email":
        return {
            "validate": "custom",
            "value": f'=AND(ISNUMBER(FIND("@",{cell})),LEN({cell})<={col.max_length or 254})',
            "error_message": lab.message("email"),
        }
    if col.type == "phone":
        return {
            "validate": "length",
            "criteria": "between",
            "minimum": PHONE_LENGTH[0],
            "maximum": PHONE_LENGTH[1],
            "error_message": lab.message("phone"),
        }
    if col.type in TEXT_TYPES:
        limit = col.max_length or MAX_CELL_TEXT
        return {
            "validate": "length",
            "criteria": "<=",
            "value": limit,
            "error_message": lab.message("id" if col.type == "id" else "length", max=limit),
        }
    return None


def setting_rule(labels: Labels, layout: WorkbookLayout, setting: Setting) -> dict[str, Any]:
    """The validation of a setting's value cell."""
    s = setting
    if s.type in ("int", "decimal"):
        return {
            "validate": "integer" if s.type == "int" else "decimal",
            "criteria": "between",
            "minimum": plain_number(s.min if s.min is not None else 0),
            "maximum": plain_number(s.max if s.max is not None else 10**9),
            "error_message": labels.message(
                "int" if s.type == "int" else "decimal",
                min=show_number(s.min or 0),
                max=show_number(s.max or 10**9),
            ),
        }
    if s.type == "date":
        lo = s.date_min or EARLIEST_DATE
        hi: Any = "=TODAY()" if s.date_max == "today" else s.date_max or LATEST_DATE
        message = (
            labels.message("date_not_future", min=_show_date(lo), format=labels.date_format)
            if s.date_max == "today"
            else labels.message("date", min=_show_date(lo), max=_show_date(hi), format=labels.date_format)
        )
        return {"validate": "date", "criteria": "between", "minimum": lo, "maximum": hi, "error_message": message}
    if s.type == "choice":
        return {
            "validate": "list",
            "source": "=" + layout.choice_range_name(str(s.choices)),
            "error_message": labels.message("choice"),
        }
    return {
        "validate": "length",
        "criteria": "<=",
        "value": s.max_length or SETTING_MAX_LENGTH,
        "error_message": labels.message("length", max=s.max_length or SETTING_MAX_LENGTH),
    }


def plain_number(value: float) -> float | int:
    """1.0 -> 1, so a validation bound reads the same after LibreOffice rewrites it."""
    return int(value) if float(value).is_integer() else value


def show_number(value: float) -> str:
    """A bound as people read it: 5, not 5.0."""
    return str(int(value)) if float(value).is_integer() else str(value)


def _num(bound: Any, default: float) -> float:
    return float(bound) if isinstance(bound, (int, float)) else default


def _show_date(value: Any) -> str:
    return value.isoformat() if isinstance(value, dt.date) else str(value)
