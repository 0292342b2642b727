"""Birthdays without the year as the current template types them, for the upgrades of both backends.

Template version 1 typed a birthday without the year ``MM-DD`` in every language;
from version 2 it follows the workbook's date order: ``DD-MM`` when the order is
DMY (the Italian and Vietnamese defaults), ``MM-DD`` otherwise. An Italian v1 cell
``03-05`` (5 March) copied as typed would read as 3 May in version 2, so an upgrade
types every such birthday again. The frames hold the birthday as ``"MM-DD"``
(``birth_month_day``) whatever the version; :func:`retyped_month_days` says which
cells must be typed differently, and :func:`month_day_parts` gives the birthday as
(month, day), the form the upgrades' verification compares.

>>> month_day_parts("03-05")
(3, 5)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd

from sheetkit.frames import month_day_column, row_of
from sheetkit.template import Sheet
from sheetkit.template.values import is_missing, month_day_text

__all__ = ["month_day_parts", "retyped_month_days"]


def retyped_month_days(
    frame: pd.DataFrame, sheet: Sheet, order: str, typed: Callable[[int, str], Any]
) -> dict[tuple[int, str], str]:
    """(sheet row, column key) -> the text a birthday without the year is typed as now, where it was typed otherwise.

    ``frame`` is the sheet as read (indexed by sheet row, with the ``"MM-DD"``
    companion columns), ``order`` the workbook's effective date order
    (:func:`~sheetkit.template.rules.date_order`), ``typed(row, key)`` the cell as it
    is in the workbook now. Full birth dates and unreadable cells are left alone.
    """
    out: dict[tuple[int, str], str] = {}
    for col in sheet.columns:
        companion = month_day_column(col.key)
        if not col.month_day or companion not in frame.columns or col.key not in frame.columns:
            continue
        only_month_day = frame[col.key].isna() & frame[companion].notna()
        for row, value in frame.loc[only_month_day, companion].items():
            text = month_day_text(str(value), order)
            if typed(row_of(row), col.key) != text:
                out[(row_of(row), col.key)] = text
    return out


def month_day_parts(value: Any) -> tuple[int, int] | None:
    """A birthday without the year from the frames (``"MM-DD"``) as (month, day); None when it is not one."""
    text = str(value).strip() if not is_missing(value) else ""
    month, sep, day = text.partition("-")
    if not (sep and month.isdigit() and day.isdigit()):
        return None
    return int(month), int(day)
