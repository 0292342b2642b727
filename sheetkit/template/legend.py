"""The colour legend sheet and the print setup, the same for every writer.

:func:`legend_rows` explains every fill the workbook uses: the header colours by
what a column exposes (:data:`~sheetkit.template.styles.HEADER_COLOURS`) and every
conditional format (:data:`~sheetkit.template.formulas.STYLES`), each with a sample
in the workbook's language, where it shows and what it means.
:func:`print_area` is the front-desk print area of a data sheet.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from sheetkit.template import Labels, Sheet
from sheetkit.template.formulas import STYLES
from sheetkit.template.geometry import HEADER_ROW, column_letter
from sheetkit.template.model import LEGEND_KEYS
from sheetkit.template.styles import HEADER_COLOURS

__all__ = ["LegendRow", "legend_rows", "print_area"]

#: Header fills the legend explains, by legend key.
_HEADER_KINDS: Final = {
    "header_plain": None,
    "header_personal": "personal",
    "header_health": "health",
    "header_formula": "formula",
}
#: The sample shown in each legend row: ("header", sheet, column) or ("choice", list, value).
_SAMPLES: Final = {
    "header_plain": ("header", "clients", "client_id"),
    "header_personal": ("header", "clients", "full_name"),
    "header_health": ("header", "clients", "allergies"),
    "header_formula": ("header", "clients", "last_visit"),
    "lapsed": ("choice", "follow_up", "lapsed"),
    "overdue": ("choice", "follow_up", "overdue"),
    "due_soon": ("choice", "follow_up", "due_soon"),
    "birthday": ("header", "clients", "days_to_birthday"),
    "health_alert": ("header", "clients", "allergies"),
    "consent_missing": ("header", "clients", "records_consent"),
    "inactive": ("choice", "client_status", "paused"),
    "no_show": ("choice", "appointment_status", "no_show"),
    "today": ("header", "appointments", "scheduled_at"),
    "open_complaint": ("choice", "feedback_kind", "complaint"),
    "patch_test_failed": ("choice", "patch_test_result", "fail"),
    "patch_test_expired": ("header", "patch_tests", "valid_until"),
    "consent_withdrawn": ("choice", "consent_decision", "withdrawn"),
    "follow_up_booked": ("choice", "follow_up_outcome", "booked"),
}


@dataclass(frozen=True)
class LegendRow:
    """One row of the legend: a sample cell in the colour, where it shows, what it means."""

    key: str
    style: dict[str, str | bool]
    sample: str
    where: str
    meaning: str


def legend_rows(labels: Labels) -> list[LegendRow]:
    """Every colour of the workbook, in LEGEND_KEYS order, in the language of ``labels``."""
    rows: list[LegendRow] = []
    for key in LEGEND_KEYS:
        if key in _HEADER_KINDS:
            style: dict[str, str | bool] = {"bg_color": HEADER_COLOURS[_HEADER_KINDS[key]], "bold": True}
        else:
            style = dict(STYLES[key])
        kind, a, b = _SAMPLES[key]
        sample = labels.header(a, b) if kind == "header" else labels.choice_label(a, b)
        entry = labels.legend[key]
        rows.append(LegendRow(key, style, sample, entry["where"], entry["meaning"]))
    return rows


def print_area(sheet: Sheet, data_rows: int) -> str:
    """The front-desk print area: the header and the data rows, through the sheet's ``print_through`` column."""
    last_row = HEADER_ROW + max(data_rows, 1)
    return f"A{HEADER_ROW}:{column_letter(sheet.print_columns - 1)}{last_row}"
