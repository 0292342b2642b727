"""What the source-neutral reader needs of an opened workbook, whatever it is.

A source is a spreadsheet file (:mod:`sheetkit.excel.cells`) or a Google Sheet
(:mod:`sheetkit.gsheets.reader`). Either gives every cell as the text a value
reader gives for it (dates as ``YYYY-MM-DD HH:MM:SS``, numbers without a
trailing ``.0``, booleans as ``true``/``false``), or NaN when empty, plus the
:class:`SheetFacts` it can tell about how cells are stored; typed parsing
happens later, per template column, in :mod:`sheetkit.read.parse`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

import pandas as pd

__all__ = ["RawSheet", "RawSource", "SheetFacts", "number_text"]


@dataclass
class SheetFacts:
    """What the XML says about some cells of one sheet (rows are 1-based sheet rows)."""

    first_row: int | None = None
    hidden_rows: set[int] = field(default_factory=set)
    merged: list[str] = field(default_factory=list)
    #: (column letter, row) -> formula text, for the columns asked about
    formulas: dict[tuple[str, int], str] = field(default_factory=dict)
    #: (column letter, row) -> error text such as "#REF!"
    errors: dict[tuple[str, int], str] = field(default_factory=dict)
    #: column letter -> rows whose cell is stored as a number (asked for text columns)
    numeric: dict[str, set[int]] = field(default_factory=dict)
    #: column letter -> rows whose cell is stored as text (asked for number and date columns)
    text: dict[str, set[int]] = field(default_factory=dict)


class RawSource(Protocol):
    """What the reader needs of an opened workbook: a file (:class:`RawBook`) or a Google Sheet."""

    sheet_names: list[str]

    def defined_names(self) -> dict[str, str]:
        """Defined name -> its formula text."""
        ...

    def sheet(self, name: str) -> RawSheet:
        """One sheet's cells as text."""
        ...

    def scan(
        self,
        raw: RawSheet,
        *,
        data: Iterable[str],
        text: Mapping[str, Iterable[int]],
        values: Mapping[str, Iterable[int]],
    ) -> None:
        """Fill ``raw.facts`` where the source can tell more than the values."""
        ...

    def prefetch(self, name: str) -> None:
        """Start work on a sheet ahead of time (may do nothing)."""
        ...

    def prefetch_values(self, name: str) -> None:
        """Start reading a sheet's values ahead of time (may do nothing)."""
        ...

    def close(self) -> None:
        """Release what the source holds."""
        ...


@dataclass
class RawSheet:
    """One sheet's cells as text; ``grid`` row 0 is ``first_row`` of the sheet."""

    name: str
    grid: pd.DataFrame
    first_row: int
    #: Absolute 0-based column index of each grid column.
    columns: list[int]
    facts: SheetFacts = field(default_factory=SheetFacts)
    #: True when facts.numeric / facts.text are known for every column (xls, ods, Google Sheets).
    exact_types: bool = False
    #: True when a number in a date column is a date serial (Google Sheets renders dates as serials).
    serial_dates: bool = False

    def row_number(self, position: int) -> int:
        """Sheet row number of a 0-based grid row."""
        return self.first_row + position


def number_text(value: float) -> str:
    """A number as the value reader writes it: no trailing ``.0`` on whole numbers."""
    if isinstance(value, int):
        return str(value)
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value)
