"""The canonical frames: one pandas DataFrame per sheet, keyed by template keys.

This is the in-memory form of a client-allocation workbook that the writers take
and the readers return. Conventions (locale independent):

* columns are the template's canonical keys, in template order; staff-view
  formula columns (and the name look-ups beside client IDs) are never part of the data;
* fixed choices hold their canonical key (``"relationship_ended"``), manager-edited
  lists (services, therapists, branches, payment methods) hold the name as typed;
* multichoice cells hold canonical keys joined by ``";"``;
* dates are ``datetime64``; bools are ``boolean``; whole numbers ``Int64``;
* a birthday: ``birth_date`` holds only full dates (NaT otherwise) and the
  frame-only column ``birth_month_day`` holds ``"MM-DD"`` (month first, whatever the
  workbook's date order) for every client whose birthday is known, from a full
  date or from a day and month typed without the year. Writers write
  ``birth_month_day`` into the birth date cell when ``birth_date`` is empty.

A workbook of template version 1 has no PatchTests, Consents or FollowUps sheet:
its frames for them are empty, with the right columns.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Any, Final, cast

import pandas as pd

from sheetkit.template import Template, load_template

__all__ = [
    "DATA_SHEETS",
    "MONTH_DAY_COLUMNS",
    "V2_COLUMNS",
    "V2_LIST_COLUMNS",
    "V2_SHEETS",
    "WorkbookData",
    "empty_frame",
    "empty_frames",
    "month_day_column",
    "row_of",
]

#: The data sheets, in workbook order.
DATA_SHEETS: Final = ("clients", "visits", "appointments", "feedback", "patch_tests", "consents", "follow_ups")
#: The data sheets template version 2 added: a version 1 workbook has none of them.
V2_SHEETS: Final = ("patch_tests", "consents", "follow_ups")
#: Data columns template version 2 added to sheets a version 1 workbook has (missing there without an Issue).
V2_COLUMNS: Final = {"appointments": ("cancelled_at",)}
#: Columns of Lists blocks template version 2 added.
V2_LIST_COLUMNS: Final = {"services": ("patch_test_valid_days",)}
#: Frame-only columns: date column -> its "MM-DD" companion (a birthday without the year).
MONTH_DAY_COLUMNS: Final = {"birth_date": "birth_month_day"}


def month_day_column(key: str) -> str:
    """The frame-only "MM-DD" column beside a month-day date column (``birth_date`` -> ``birth_month_day``)."""
    return MONTH_DAY_COLUMNS.get(key, key.removesuffix("_date") + "_month_day")


def empty_frame(template: Template, key: str) -> pd.DataFrame:
    """An empty frame with the data columns of one data sheet (no rows); no columns when the template lacks it."""
    try:
        sheet = template.sheet(key)
    except KeyError:
        return pd.DataFrame()
    columns: dict[str, pd.Series] = {}
    for col in sheet.data_columns:
        columns[col.key] = pd.Series(dtype="object")
        if col.month_day:
            columns[month_day_column(col.key)] = pd.Series(dtype="object")
    frame = pd.DataFrame(columns)
    frame.index.name = "row"
    return frame


def _empty(key: str) -> Any:
    return lambda: empty_frame(load_template(), key)


@dataclass
class WorkbookData:
    """Canonical content of one workbook (or one branch of a chain).

    The v2 sheets come after ``lists`` and ``settings`` so that code written for
    template version 1 (four frames, lists, settings) keeps working; they default to
    empty frames.
    """

    clients: pd.DataFrame
    visits: pd.DataFrame
    appointments: pd.DataFrame
    feedback: pd.DataFrame
    #: Manager-edited lists by key: categories, services, therapists, branches, payment_methods.
    lists: dict[str, pd.DataFrame] = field(default_factory=dict)
    #: Settings by key, with their typed values.
    settings: dict[str, Any] = field(default_factory=dict)
    patch_tests: pd.DataFrame = field(default_factory=_empty("patch_tests"))
    consents: pd.DataFrame = field(default_factory=_empty("consents"))
    follow_ups: pd.DataFrame = field(default_factory=_empty("follow_ups"))

    def frame(self, sheet: str) -> pd.DataFrame:
        """The frame of a data sheet by canonical key."""
        if sheet not in DATA_SHEETS:
            raise KeyError(f"no data sheet {sheet!r}; expected one of {DATA_SHEETS}")
        frame: pd.DataFrame = getattr(self, sheet)
        return frame

    @classmethod
    def empty(cls, template: Template | None = None) -> WorkbookData:
        """Data of a workbook with no rows (every frame empty, with its columns)."""
        t = template or load_template()
        frames = empty_frames(t)
        return cls(
            clients=frames["clients"],
            visits=frames["visits"],
            appointments=frames["appointments"],
            feedback=frames["feedback"],
            **{key: frames[key] for key in V2_SHEETS if key in frames},  # type: ignore[arg-type]  # frames only
        )


def empty_frames(template: Template) -> dict[str, pd.DataFrame]:
    """An empty frame with the data columns of every data sheet the template declares."""
    return {sheet.key: empty_frame(template, sheet.key) for sheet in template.sheets}


def row_of(label: Hashable) -> int:
    """The sheet row number of a frame index label (frames are indexed by sheet row)."""
    return int(cast(int, label))
