"""Colours and number formats that the Excel and Google Sheets writers share."""

from __future__ import annotations

from typing import Final

__all__ = ["HEADER_COLOURS", "NUMBER_FORMATS"]

#: Number format of each numeric column type.
NUMBER_FORMATS: Final = {"int": "0", "rating": "0", "decimal": "0.00", "money": "#,##0.00"}
#: Header fill by column sensitivity (None = ordinary column).
HEADER_COLOURS: Final = {
    None: "#DCE6F1",
    "personal": "#E4DFEC",
    "quasi": "#E4DFEC",
    "free_text": "#DCE6F1",
    "health": "#F2C4C4",
    "formula": "#D9D9D9",
}
