"""The canonical frames: one pandas DataFrame per sheet, keyed by template keys.

This is the in-memory form of a client-allocation workbook that the writers take
and the readers return. Conventions (locale independent):

* columns are the template's canonical keys, in template order; staff-view
  formula columns are never part of the data;
* fixed choices hold their canonical key (``"relationship_ended"``), manager-edited
  lists (services, therapists, branches, payment methods) hold the name as typed;
* multichoice cells hold canonical keys joined by ``";"``;
* dates are ``datetime64`` (a birthday without a year is the text ``"MM-DD"``
  in ``birth_date``); bools are ``boolean``; whole numbers ``Int64``.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Any, cast

import pandas as pd

from sheetkit.template import Template

__all__ = ["DATA_SHEETS", "WorkbookData", "empty_frames", "row_of"]

#: The data sheets, in workbook order.
DATA_SHEETS = ("clients", "visits", "appointments", "feedback")


@dataclass
class WorkbookData:
    """Canonical content of one workbook (or one branch of a chain)."""

    clients: pd.DataFrame
    visits: pd.DataFrame
    appointments: pd.DataFrame
    feedback: pd.DataFrame
    #: Manager-edited lists by key: categories, services, therapists, branches, payment_methods.
    lists: dict[str, pd.DataFrame] = field(default_factory=dict)
    #: Settings by key, with their typed values.
    settings: dict[str, Any] = field(default_factory=dict)

    def frame(self, sheet: str) -> pd.DataFrame:
        """The frame of a data sheet by canonical key."""
        if sheet not in DATA_SHEETS:
            raise KeyError(f"no data sheet {sheet!r}; expected one of {DATA_SHEETS}")
        frame: pd.DataFrame = getattr(self, sheet)
        return frame


def empty_frames(template: Template) -> dict[str, pd.DataFrame]:
    """An empty frame with the data columns of every data sheet."""
    return {
        sheet.key: pd.DataFrame({c.key: pd.Series(dtype="object") for c in sheet.data_columns})
        for sheet in template.sheets
    }


def row_of(label: Hashable) -> int:
    """The sheet row number of a frame index label (frames are indexed by sheet row)."""
    return int(cast(int, label))
