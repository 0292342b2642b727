"""A worksheet that stores a column of one formula as an OOXML shared formula.

The staff-view and look-up columns carry the same formula on every prepared row (10 x the data
+ 10,000). Written cell by cell that is ~140,000 formulas of up to 600 characters in an empty
workbook: slow to write, large, and slow to open. OOXML has a form for exactly this: the first
cell holds the formula and the range it covers (``<f t="shared" ref="C2:C10001" si="0">``), every
other cell only the group number (``<f t="shared" si="0"/>``); Excel, LibreOffice and Google
Sheets shift its relative references for each row, as if it had been filled down.

No cached value is stored: the workbook asks for a full calculation on load, and a cell without
one is computed by LibreOffice when shown (xlsxwriter's cached 0 would show until then).
"""

from __future__ import annotations

from typing import Any

from xlsxwriter.format import Format
from xlsxwriter.utility import xl_rowcol_to_cell_fast
from xlsxwriter.worksheet import Worksheet

__all__ = ["SharedFormulaSheet"]


class _Shared:
    """One cell of a shared formula; the same object stands for every row below the first."""

    __slots__ = ("format", "formula", "group", "last_row", "tail")

    def __init__(self, group: int, fmt: Format, formula: str | None = None, last_row: int = 0) -> None:
        self.group = group
        self.format = fmt
        self.formula = formula  # only on the first cell of the group
        self.last_row = last_row
        self.tail = ""  # '" s="N"><f .../></c>', built on first use (xlsxwriter numbers formats late)


class SharedFormulaSheet(Worksheet):  # type: ignore[misc]  # xlsxwriter ships no type information
    """An xlsxwriter worksheet with :meth:`share_formula` and :meth:`write_shared_row`.

    Pass it as ``worksheet_class`` to ``Workbook.add_worksheet``; it works in constant_memory mode
    (rows are written in order).
    """

    def __init__(self) -> None:
        super().__init__()
        self._shared: list[tuple[int, int, int, _Shared, _Shared]] = []

    def share_formula(self, col: int, first_row: int, last_row: int, formula: str, fmt: Format) -> None:
        """Declare ``formula`` (without ``=``, written for ``first_row``) over rows ``first_row..last_row`` of ``col``.

        Rows and columns are 0-based. The cells are written by :meth:`write_shared_row`.
        """
        group = len(self._shared)
        first = _Shared(group, fmt, formula, last_row)
        self._shared.append((col, first_row, last_row, first, _Shared(group, fmt)))

    def write_shared_row(self, row: int) -> None:
        """Write the cells of every shared formula that covers the 0-based ``row``."""
        if self.constant_memory and row > self.previous_row:
            self._write_single_row(row)
        cells = self.table[row]
        for col, first_row, last_row, first, rest in self._shared:
            if first_row <= row <= last_row:
                if self._check_dimensions(row, col):
                    raise ValueError(f"row {row + 1} column {col + 1} is outside the sheet or already written")
                cells[col] = first if row == first_row else rest

    def _write_cell(self, row: int, col: int, cell: Any) -> None:
        if cell.__class__ is not _Shared:
            super()._write_cell(row, col, cell)
            return
        if not cell.tail:
            xf = cell.format._get_xf_index()
            if cell.formula is None:
                cell.tail = f'" s="{xf}"><f t="shared" si="{cell.group}"/></c>'
            else:
                ref = f"{xl_rowcol_to_cell_fast(row, col)}:{xl_rowcol_to_cell_fast(cell.last_row, col)}"
                text = self._escape_data(cell.formula)
                cell.tail = f'" s="{xf}"><f t="shared" ref="{ref}" si="{cell.group}">{text}</f></c>'
        self.fh.write('<c r="' + xl_rowcol_to_cell_fast(row, col) + cell.tail)
