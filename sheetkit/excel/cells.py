"""Raw cells of a workbook as text, one grid per sheet, from .xlsx, .xls or .ods.

Every cell becomes the text a value reader gives for it (dates as
``YYYY-MM-DD HH:MM:SS``, numbers without a trailing ``.0``, booleans as
``true``/``false``), or NaN when empty; typed parsing happens later, per
template column, in :mod:`sheetkit.read.parse`. .xlsx goes through fastexcel
(fast, Rust) plus :mod:`sheetkit.excel.xlsx_scan` for how cells are stored;
.xls and .ods go through python-calamine, which gives each cell's type directly.
calamine does not expose hidden rows, formulas or error cells, so for .ods
:mod:`sheetkit.excel.ods_scan` finds those (and merged ranges) in content.xml.
.xls files are read for values only: their formulas, error cells and hidden
rows are not seen (an error cell reads as empty, a formula as its cached
value), a known limitation of the .xls support; merged ranges are reported.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import zipfile
from collections.abc import Iterable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any, Final

import fastexcel
import numpy as np
import pandas as pd
import pyarrow as pa  # type: ignore[import-untyped]  # no stubs; pyproject lists no override for it
import pyarrow.compute as pc  # type: ignore[import-untyped]
from python_calamine import CalamineWorkbook, PasswordError

from sheetkit.errors import EncryptedWorkbookError, UnsafeWorkbookError, UnsupportedFormatError, WorkbookError
from sheetkit.excel.ods_scan import scan_ods_sheet
from sheetkit.excel.xlsx_scan import SheetScan, is_date1904, sheet_parts
from sheetkit.read.raw import RawSheet, SheetFacts, number_text
from sheetkit.template.geometry import column_letter

__all__ = ["RawBook", "library_error", "open_raw"]

log = logging.getLogger(__name__)
# calamine logs through Python's logging; with no handler anywhere, Python would print its
# warnings (a dimension beyond the last row...) on stderr, where only sheetkit's one-line
# errors belong. An application that configures logging still receives them.
logging.getLogger("calamine").addHandler(logging.NullHandler())

#: A sheet wider than this is read into one block of cells (see :func:`_wide_grid`).
_WIDE: Final = 256


class RawBook:
    """A workbook opened for raw reading.

    ``path`` names the file in messages; ``source`` is what the readers open (the
    pinned file of :mod:`sheetkit.excel.pinned`, so a file replaced meanwhile is
    still read whole). Errors of the value readers become sheetkit errors with
    advice, never the library's own text.
    """

    def __init__(self, path: Path, kind: str, *, source: str | None = None) -> None:
        self.path = path
        self.kind = kind
        self.source = source or str(path)
        self.date1904 = False
        self._fast: Any = None
        self._calamine: Any = None
        self._value_pool: ThreadPoolExecutor | None = None
        self._values: dict[str, Future[RawSheet]] = {}
        try:
            if kind == "xlsx":
                self._fast = fastexcel.read_excel(self.source)
                self.sheet_names: list[str] = list(self._fast.sheet_names)
                with zipfile.ZipFile(self.source) as zf:
                    self.date1904 = is_date1904(zf)
                    self._parts: dict[str, str] = sheet_parts(zf)
            else:
                # from_path picks the parser by extension; a file object is sniffed by content,
                # so an .ods or .xls renamed to .xlsx still reads.
                with Path(self.source).open("rb") as handle:
                    self._calamine = CalamineWorkbook.from_filelike(handle)
                self.sheet_names = list(self._calamine.sheet_names)
        except Exception as exc:
            raise library_error(exc, path) from None

    def defined_names(self) -> dict[str, str]:
        """Defined name -> its formula text (xlsx only; empty otherwise)."""
        if self._fast is None:
            return {}
        try:
            return {d.name: d.formula for d in self._fast.defined_names()}
        except Exception:
            return {}

    def sheet(self, name: str) -> RawSheet:
        """Read one sheet's cells as text."""
        try:
            pending = self._values.pop(name, None)
            if pending is not None:
                return pending.result()
            if self._fast is not None:
                return self._sheet_fast(name)
            return self._sheet_calamine(name)
        except Exception as exc:
            raise library_error(exc, self.path, sheet=name) from None

    def _sheet_fast(self, name: str) -> RawSheet:
        sheet = self._fast.load_sheet(name, header_row=None, dtypes="string")
        if sheet.height == 0 or sheet.width == 0:
            return RawSheet(name, pd.DataFrame(), first_row=1, columns=[])
        if sheet.width <= _WIDE:
            columns = [int(c.absolute_index) for c in sheet.available_columns()]
            grid = sheet.to_pandas()
            grid.columns = range(len(grid.columns))
            return RawSheet(name, grid, first_row=1, columns=columns)
        first = int(sheet.available_columns()[0].absolute_index)
        columns = list(range(first, first + sheet.width))
        batch = sheet.to_arrow()
        del sheet  # calamine's grid of the whole sheet: let it go before the frame is built
        return RawSheet(name, _wide_grid(batch), first_row=1, columns=columns)

    def scan(
        self,
        raw: RawSheet,
        *,
        data: Iterable[str],
        text: Mapping[str, Iterable[int]],
        values: Mapping[str, Iterable[int]],
    ) -> None:
        """Fill ``raw.facts`` from the sheet XML (xlsx, ods); fix ``first_row`` from it (xlsx).

        For .ods, calamine's exact cell types stay; the hidden rows, merged ranges,
        formulas (of the ``data`` columns) and error cells come from content.xml.
        """
        try:
            self._scan(raw, data=data, text=text, values=values)
        except Exception as exc:
            raise library_error(exc, self.path, sheet=raw.name) from None

    def _scan(
        self,
        raw: RawSheet,
        *,
        data: Iterable[str],
        text: Mapping[str, Iterable[int]],
        values: Mapping[str, Iterable[int]],
    ) -> None:
        if self.kind == "ods":
            found = scan_ods_sheet(Path(self.source), raw.name, formula_columns=data)
            raw.facts.hidden_rows = found.hidden_rows
            raw.facts.merged = list(dict.fromkeys([*raw.facts.merged, *found.merged]))
            raw.facts.formulas = found.formulas
            raw.facts.errors = found.errors
            return
        if self.kind != "xlsx":
            return
        scan = SheetScan(Path(self.source), raw.name, part=self._parts.get(raw.name))
        facts = scan.facts(data_columns=data, text_columns=text, value_columns=values, value_rows=len(raw.grid))
        raw.facts = facts
        if facts.first_row is not None:
            raw.first_row = facts.first_row

    def prefetch(self, name: str) -> None:
        """Nothing to start ahead: the XML scan streams the sheet once its header is known.

        (Scanning ahead meant holding a sheet's whole XML, ~1 GB for 10^6 visits, while
        its values were read.) The values of the next sheet are read ahead instead
        (:meth:`prefetch_values`).
        """

    def prefetch_values(self, name: str) -> None:
        """Start reading a sheet's values in a thread (xlsx): fastexcel releases the GIL,
        so the next sheet is read while this one is parsed."""
        if self._fast is None or name in self._values:
            return
        if self._value_pool is None:
            self._value_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sheetkit-values")
        self._values[name] = self._value_pool.submit(self._sheet_fast, name)

    def close(self) -> None:
        """Stop the reading threads and drop what was read ahead but not used."""
        if self._value_pool is not None:
            self._value_pool.shutdown(wait=True, cancel_futures=True)
        self._value_pool = None
        self._values.clear()

    def _sheet_calamine(self, name: str) -> RawSheet:
        sheet = self._calamine.get_sheet_by_name(name)
        rows: list[list[Any]] = sheet.to_python(skip_empty_area=True)
        start = sheet.start or (0, 0)
        first_row, first_col = int(start[0]) + 1, int(start[1])
        width = max((len(r) for r in rows), default=0)
        facts = SheetFacts(first_row=first_row)
        cells: list[list[Any]] = []
        for r, row in enumerate(rows):
            out: list[Any] = []
            for c in range(width):
                value = row[c] if c < len(row) else ""
                letter = column_letter(first_col + c)
                if isinstance(value, bool):
                    out.append("true" if value else "false")
                    facts.numeric.setdefault(letter, set()).add(first_row + r)
                elif isinstance(value, (int, float)):
                    out.append(number_text(value))
                    facts.numeric.setdefault(letter, set()).add(first_row + r)
                elif isinstance(value, (dt.datetime, dt.date)):
                    out.append(_date_text(value))
                elif isinstance(value, dt.time):
                    out.append(value.isoformat())
                elif isinstance(value, dt.timedelta):
                    out.append(str(value))
                elif value == "":
                    out.append(math.nan)
                else:
                    out.append(str(value))
                    facts.text.setdefault(letter, set()).add(first_row + r)
            cells.append(out)
        facts.merged = [f"{column_letter(a[1])}{a[0] + 1}:{column_letter(b[1])}{b[0] + 1}" for a, b in _merged(sheet)]
        grid = pd.DataFrame(cells, columns=range(width), dtype=object)
        return RawSheet(
            name,
            grid,
            first_row=first_row,
            columns=[first_col + c for c in range(width)],
            facts=facts,
            exact_types=True,
        )


def open_raw(path: Path, kind: str, *, source: str | None = None) -> RawBook:
    """Open a workbook already sniffed as ``kind`` (xlsx, xls or ods); ``source`` is the path to open, if not ``path``.

    ``path`` is the name shown in messages.
    """
    return RawBook(path, kind, source=source)


def _wide_grid(batch: Any) -> pd.DataFrame:
    """A sheet of thousands of columns as one block of text cells (NaN when empty).

    pandas keeps one block per text column: at 16,384 columns every later step pays
    for each one, so a wide sheet becomes a single object block instead, filled from
    Arrow in one step (pandas stores a block column by column, as Arrow does).
    """
    rows, width = batch.num_rows, batch.num_columns
    cells = pa.concat_arrays(list(batch.columns))
    present = pc.is_valid(cells)
    flat = np.full(rows * width, math.nan, dtype=object)
    flat[pc.indices_nonzero(present).to_numpy()] = cells.filter(present).to_numpy(zero_copy_only=False)
    return pd.DataFrame(flat.reshape(width, rows).T, columns=range(width), dtype=object, copy=False)


def library_error(exc: BaseException, path: Path, *, sheet: str | None = None) -> WorkbookError:
    """A value reader's exception as a sheetkit error with advice (the library's text is never shown)."""
    if isinstance(exc, WorkbookError):
        return exc
    log.debug("value reader failed on %s: %s", path, type(exc).__name__)
    what = f"the sheet {sheet!r}" if sheet else "the workbook"
    if isinstance(exc, PasswordError):
        return EncryptedWorkbookError(path)
    if isinstance(exc, MemoryError):
        return UnsafeWorkbookError(
            f"{what} is too large to read on this computer; delete unused rows and columns in Excel or "
            "LibreOffice and save a smaller copy",
            path=path,
        )
    return UnsupportedFormatError(
        f"{what} cannot be read: the file is damaged or was saved in a way sheetkit does not read; "
        "open it in Excel or LibreOffice and save it again as Excel Workbook (.xlsx)",
        path=path,
    )


def _merged(sheet: Any) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    try:
        ranges = sheet.merged_cell_ranges or []
    except Exception:
        return []
    return [(tuple(a), tuple(b)) for a, b in ranges]


def _date_text(value: dt.date) -> str:
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    return value.strftime("%Y-%m-%d 00:00:00")
