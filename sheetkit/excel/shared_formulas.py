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
from xlsxwriter.utility import xl_col_to_name, xl_rowcol_to_cell_fast
from xlsxwriter.worksheet import Worksheet

__all__ = ["SharedFormulaSheet"]


class _Shared:
    """One cell of a shared formula; the same object stands for every row below the first."""

    __slots__ = ("first_row", "format", "formula", "group", "last_row", "letter", "tail")

    def __init__(
        self, group: int, fmt: Format, letter: str, *, first_row: int, last_row: int, formula: str | None = None
    ) -> None:
        self.group = group
        self.format = fmt
        self.letter = letter
        self.first_row = first_row
        self.last_row = last_row
        self.formula = formula  # only on the first cell of the group
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
        letter = xl_col_to_name(col)
        first = _Shared(group, fmt, letter, first_row=first_row, last_row=last_row, formula=formula)
        rest = _Shared(group, fmt, letter, first_row=first_row, last_row=last_row)
        self._shared.append((col, first_row, last_row, first, rest))

    def write_shared_row(self, row: int) -> None:
        """Write the cells of every shared formula that covers the 0-based ``row``.

        A row of nothing else (the prepared rows below the data) goes straight to the row file as
        one string: ~140,000 such cells in an empty workbook.
        """
        if self.constant_memory and row > self.previous_row:
            self._write_single_row(row)
        covering = [(col, first, rest) for col, lo, hi, first, rest in self._shared if lo <= row <= hi]
        if not covering:
            return
        last_col = max(col for col, _, _ in covering)
        if self._check_dimensions(row, last_col):
            raise ValueError(f"row {row + 1} is outside the sheet or already written")
        cells = self.table[row]
        if self.constant_memory and not cells and row not in self.row_info and row not in self.comments:
            number = str(row + 1)
            parts = [f'<row r="{number}">']
            for col, first, rest in covering:
                cell = rest if row != first.first_row else first
                parts.append(self._cell_xml(row, col, cell, number))
            parts.append("</row>")
            self.fh.write("".join(parts))
            return
        for col, first, rest in covering:
            cells[col] = rest if row != first.first_row else first

    def _write_cell(self, row: int, col: int, cell: Any) -> None:
        if cell.__class__ is not _Shared:
            super()._write_cell(row, col, cell)
            return
        self.fh.write(self._cell_xml(row, col, cell, str(row + 1)))

    def _cell_xml(self, row: int, col: int, cell: _Shared, number: str) -> str:
        if not cell.tail:
            xf = cell.format._get_xf_index()
            if cell.formula is None:
                cell.tail = f'" s="{xf}"><f t="shared" si="{cell.group}"/></c>'
            else:
                ref = f"{xl_rowcol_to_cell_fast(row, col)}:{xl_rowcol_to_cell_fast(cell.last_row, col)}"
                text = self._escape_data(cell.formula)
                cell.tail = f'" s="{xf}"><f t="shared" ref="{ref}" si="{cell.group}">{text}</f></c>'
        return '<c r="' + cell.letter + number + cell.tail
