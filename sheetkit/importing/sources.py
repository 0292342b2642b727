"""Source files as grids of text: spreadsheets (.xlsx, .xls, .ods) and delimited text (.csv, .tsv, .txt).

A :class:`SourceTable` is one sheet (or one text file) as cell text, indexed by
the row number a person sees in the file (1-based), with the cells stored as
numbers (a phone typed as a number) and the merged ranges. Spreadsheets go
through sheetkit's own safety gate and raw readers (:mod:`sheetkit.excel`), so a
hostile or encrypted file is refused exactly as ``sheetkit check`` refuses it;
text files are decoded by :mod:`~sheetkit.importing.encodings`.
"""

from __future__ import annotations

import csv
import io
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

import pandas as pd

from sheetkit.errors import SheetNotFoundError, UnsupportedFormatError, WorkbookNotFoundError
from sheetkit.excel.cells import open_raw
from sheetkit.excel.sniff import pin_workbook, sniff_pinned
from sheetkit.importing.encodings import decode_text, detect_delimiter
from sheetkit.template.geometry import column_letter

__all__ = ["TEXT_SUFFIXES", "WORKBOOK_SUFFIXES", "SourceTable", "merged_rows", "read_source_tables"]

TEXT_SUFFIXES: Final = frozenset({".csv", ".tsv", ".txt"})
WORKBOOK_SUFFIXES: Final = frozenset({".xlsx", ".xlsm", ".xls", ".ods"})
#: Text files larger than this are refused: a salon's export is far smaller.
MAX_TEXT_BYTES: Final = 512 * 1024 * 1024
_NUMBER_TEXT: Final = r"[+-]?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?"


@dataclass
class SourceTable:
    """One sheet of a source file as text cells; ``grid`` has 0-based int columns and 1-based file rows."""

    path: Path
    sheet: str | None
    format: str
    grid: pd.DataFrame
    #: 0-based column -> file rows whose cell is stored as a number (spreadsheets only).
    numeric: dict[int, set[int]] = field(default_factory=dict)
    merged: list[str] = field(default_factory=list)
    encoding: str | None = None
    delimiter: str | None = None
    #: Absolute 0-based column index of each grid column (for A1 cells).
    columns: list[int] = field(default_factory=list)

    @property
    def label(self) -> str:
        """How the table is named in messages: the file name, and the sheet for a workbook."""
        return f"{self.path.name} › {self.sheet}" if self.sheet else self.path.name

    def cell(self, column: int, row: int) -> str:
        """A1 reference of a grid column at a file row."""
        absolute = self.columns[column] if column < len(self.columns) else column
        return f"{column_letter(absolute)}{row}"


def read_source_tables(path: Path | str, *, sheet: str | None = None, encoding: str | None = None) -> list[SourceTable]:
    """Every non-empty sheet of a source file (only ``sheet`` when given) as text grids."""
    source = Path(path)
    if not source.is_file():
        raise WorkbookNotFoundError(source)
    suffix = source.suffix.lower()
    if suffix in TEXT_SUFFIXES:
        return [_text_table(source, encoding)]
    if suffix in WORKBOOK_SUFFIXES:
        return _workbook_tables(source, sheet)
    raise UnsupportedFormatError(
        "sheetkit imports .xlsx, .xls, .ods, .csv, .tsv and .txt files; export or save the data as one of these",
        path=source,
    )


def _text_table(path: Path, encoding: str | None) -> SourceTable:
    size = path.stat().st_size
    if size > MAX_TEXT_BYTES:
        raise UnsupportedFormatError(f"the file is larger than {MAX_TEXT_BYTES // 2**20} MiB", path=path)
    decoded = decode_text(path.read_bytes(), path=path, encoding=encoding)
    text = decoded.text.lstrip("\ufeff")
    delimiter = "\t" if path.suffix.lower() == ".tsv" else detect_delimiter(text)
    try:
        grid = _grid(text, delimiter)
    except csv.Error as exc:
        raise UnsupportedFormatError(f"the file is not readable as delimited text ({exc})", path=path) from None
    width = grid.shape[1]
    return SourceTable(
        path,
        None,
        path.suffix.lower().lstrip("."),
        grid,
        encoding=decoded.encoding,
        delimiter=delimiter,
        columns=list(range(width)),
    )


def _grid(text: str, delimiter: str) -> pd.DataFrame:
    """Delimited text as a grid of cell text (NaN for empty or blank cells), rows numbered from 1.

    Python's csv module defines the result (and the width, in one streaming pass).
    pandas' C parser then builds the grid in a fraction of the time and memory of
    Python lists (a 10^5-row visit log); it gives the same cells as the csv module,
    stray quotes and line breaks included (checked on thousands of generated texts).
    Text it refuses, or with a NUL byte, goes through the csv module alone.
    """
    fast = _grid_fast(text, delimiter)
    if fast is not None:
        return fast
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    width = max((len(r) for r in rows), default=0)
    grid = pd.DataFrame(
        [[cell if cell.strip() else math.nan for cell in r] + [math.nan] * (width - len(r)) for r in rows],
        columns=range(width),
        dtype=object,
    )
    grid.index = pd.RangeIndex(1, len(rows) + 1)
    return grid


def _grid_fast(text: str, delimiter: str) -> pd.DataFrame | None:
    """The grid by pandas' C parser, or None when the csv module is needed to read the text exactly."""
    if not text or "\x00" in text:
        return None
    width = max(map(len, csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)), default=0)
    if width == 0:
        return None
    try:
        grid = pd.read_csv(
            io.StringIO(text, newline=""),
            sep=delimiter,
            header=None,
            names=range(width),
            dtype=object,
            na_filter=False,
            skip_blank_lines=False,
            quoting=csv.QUOTE_MINIMAL,
            doublequote=True,
            engine="c",
        )
    except (pd.errors.ParserError, ValueError):
        return None
    for j in grid.columns:
        column = grid[j]
        blank = {u for u in pd.unique(column) if not isinstance(u, str) or not u.strip()}  # each text once
        grid[j] = column.where(~column.isin(blank), math.nan).astype(object)
    grid.index = pd.RangeIndex(1, len(grid) + 1)
    return grid


def _workbook_tables(path: Path, wanted: str | None) -> list[SourceTable]:
    tables: list[SourceTable] = []
    with pin_workbook(path) as pinned:
        kind = sniff_pinned(pinned)
        book = open_raw(path, kind, source=pinned.source)
        try:
            names = list(book.sheet_names)
            if wanted is not None:
                if wanted not in names:
                    raise SheetNotFoundError(wanted, path=path, available=names)
                names = [wanted]
            for name in names:
                raw = book.sheet(name)
                if raw.grid.empty:
                    continue
                numbers: dict[str, list[int]] = {}
                letters = [column_letter(c) for c in raw.columns]
                for j, letter in enumerate(letters):
                    cells = raw.grid[j].dropna().astype(str)
                    # Positions from the first row that holds a value, as the XML scan counts them.
                    rows = [int(p) for p in cells.index[cells.str.fullmatch(_NUMBER_TEXT)]]
                    if rows:
                        numbers[letter] = rows
                book.scan(raw, data=[], text=numbers, values={})
                grid = raw.grid.copy()
                grid.index = pd.RangeIndex(raw.first_row, raw.first_row + len(grid))
                numeric = {j: set(raw.facts.numeric.get(letter, set())) for j, letter in enumerate(letters)}
                tables.append(
                    SourceTable(
                        path, name, kind, grid, numeric=numeric, merged=list(raw.facts.merged), columns=raw.columns
                    )
                )
        finally:
            book.close()
    return tables


def merged_rows(table: SourceTable) -> set[int]:
    """File rows covered by a merged range (a title spread over several columns)."""
    rows: set[int] = set()
    for ref in table.merged:
        numbers = [int(n) for n in re.findall(r"\d+", ref)]
        if numbers:
            rows.update(range(numbers[0], numbers[-1] + 1))
    return rows
