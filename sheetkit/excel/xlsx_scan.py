"""Cell facts of an .xlsx sheet that value readers do not expose, from its XML, streamed.

fastexcel and calamine give cell *values*. Staff mistakes also live in how a
cell is stored: a phone kept as a number, a date typed as text, a formula or an
error in a data column, hidden rows, merged ranges. This module finds those in
one pass over the sheet's XML, inflated a few MiB at a time and cut before a
``<row`` tag so that every piece holds whole rows: memory stays at a few pieces
whatever the sheet (the Visits XML of 10^6 visits is about 1 GB). Literal
searches find the rare cells that matter; patterns run only on pieces that
contain their marker, so the pass stays fast on 10^6-row sheets.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path, PurePosixPath
from typing import Final
from xml.etree import ElementTree as ET

from sheetkit.read.raw import SheetFacts

__all__ = ["SheetScan", "scan_xlsx_sheet", "sheet_parts"]

_NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_NS_PKG = "{http://schemas.openxmlformats.org/package/2006/relationships}"

_FIRST_VALUE = re.compile(rb'<c r="[A-Z]{1,3}(\d+)"[^>]*?(?<!/)>(?:<f[^>]*?(?:/>|>[^<]*</f>))?(?:<v>|<is>)')
_HIDDEN_ROW = re.compile(rb'<row r="(\d+)"[^>]*?\bhidden="(?:1|true)"')
_MERGED = re.compile(rb'<mergeCell ref="([A-Z]{1,3}\d+(?::[A-Z]{1,3}\d+)?)"')
_ERROR = re.compile(rb'<c r="([A-Z]{1,3})(\d+)"[^>]*?\bt="e"[^>]*>(?:<f[^>]*?(?:/>|>[^<]*</f>))?<v>([^<]*)</v>')
_DATE1904 = re.compile(rb'<workbookPr[^>]*\bdate1904="(?:1|true)"')
_T_ATTR = re.compile(rb'\bt="([^"]*)"')
_ROW_NUMBER = re.compile(rb'<row r="(\d+)"')
#: The cell of a shared formula's first cell, its range's first and last column, and its ``si``.
_SHARED_MASTER = re.compile(
    rb'<c r="([A-Z]{1,3})\d+"[^>]*><f t="shared" ref="([A-Z]{1,3})\d+:([A-Z]{1,3})\d+" si="(\d+)"'
)
#: Inflated bytes read at a time.
_PIECE: Final = 4 << 20
_DIGITS: Final = b"0123456789"
#: Below one formula in this many bytes, walking from each ``<f`` beats a pattern over every cell.
_BYTES_PER_FORMULA: Final = 175

#: Values of a cell's t attribute: absent or "n" is a number, "b" a boolean.
_NUMBER_TYPES = frozenset({"", "n", "b"})
_TEXT_TYPES = frozenset({"s", "inlineStr", "str"})


def sheet_parts(zf: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> path of its XML part inside the package."""
    workbook = ET.fromstring(zf.read("xl/workbook.xml"))  # noqa: S314 - checked by sniff
    rels = ET.fromstring(zf.read("xl/_rels/workbook.xml.rels"))  # noqa: S314 - checked by sniff
    targets = {r.get("Id"): r.get("Target", "") for r in rels.iter(f"{_NS_PKG}Relationship")}
    parts: dict[str, str] = {}
    for sheet in workbook.iter(f"{_NS_MAIN}sheet"):
        target = targets.get(sheet.get(f"{_NS_REL}id"), "")
        if not target:
            continue
        path = target.lstrip("/") if target.startswith("/") else str(PurePosixPath("xl") / target)
        parts[sheet.get("name", "")] = path
    return parts


def is_date1904(zf: zipfile.ZipFile) -> bool:
    """True when the workbook counts dates from 1904 (old Mac Excel)."""
    return bool(_DATE1904.search(zf.read("xl/workbook.xml")))


class SheetScan:
    """One sheet of an .xlsx file, to be scanned once the header tells which columns hold data.

    Opening it only finds the sheet's part; :meth:`facts` streams the XML once.
    """

    def __init__(self, path: Path, sheet: str, *, part: str | None = None) -> None:
        self.path = path
        if part is None:
            with zipfile.ZipFile(path) as zf:
                part = sheet_parts(zf)[sheet]
        self.part = part

    def facts(
        self,
        *,
        data_columns: Iterable[str],
        text_columns: Mapping[str, Iterable[int]],
        value_columns: Mapping[str, Iterable[int]],
        value_rows: int | None = None,
    ) -> SheetFacts:
        """Facts about the sheet: first row, hidden rows, merged ranges, error cells, and for its data columns more.

        ``data_columns``: letters where a formula is a mistake. ``text_columns``:
        letter -> rows whose value looks like a number in a column that must hold
        text (IDs, phones): which of them are stored as numbers? ``value_columns``:
        letter -> rows whose value could be typed text in a number or date column:
        which of them are stored as text? Only those cells are looked up. Rows are
        counted from the first row that holds a value (0 = that row), as value
        readers count them. ``value_rows``: how many rows from that one the value
        reader returned; below them no cell holds a value, so formulas there (the
        look-ups a template prepares for rows to come) are not looked at.
        """
        walk = _Walk(
            {letter.encode() for letter in data_columns},
            {letter: sorted(set(rows)) for letter, rows in text_columns.items()},
            {letter: sorted(set(rows)) for letter, rows in value_columns.items()},
            value_rows,
        )
        for piece in _pieces(self.path, self.part):
            walk.feed(piece)
        walk.finish(lambda: _pieces(self.path, self.part))
        return walk.facts


def scan_xlsx_sheet(
    path: Path,
    sheet: str,
    *,
    data_columns: Iterable[str],
    text_columns: Mapping[str, Iterable[int]],
    value_columns: Mapping[str, Iterable[int]],
) -> SheetFacts:
    """The facts of one sheet (see :meth:`SheetScan.facts`)."""
    return SheetScan(path, sheet).facts(
        data_columns=data_columns, text_columns=text_columns, value_columns=value_columns
    )


def _pieces(path: Path, part: str) -> Iterator[bytes]:
    """The part's XML in pieces of whole rows: each piece but the last ends just before a ``<row`` tag."""
    with zipfile.ZipFile(path) as zf, zf.open(part) as stream:
        carry = b""
        while chunk := stream.read(_PIECE):
            buffer = carry + chunk if carry else chunk
            cut = buffer.rfind(b"<row ")
            if cut <= 0:
                carry = buffer  # no row starts here (or only at the very start): read on
                continue
            carry = buffer[cut:]
            yield buffer[:cut]
        if carry:
            yield carry


class _Walk:
    """The state of one pass over a sheet's XML, fed piece by piece."""

    def __init__(
        self,
        data: set[bytes],
        text_columns: Mapping[str, list[int]],
        value_columns: Mapping[str, list[int]],
        value_rows: int | None = None,
    ) -> None:
        self.facts = SheetFacts()
        self.data = data
        self.text_columns = text_columns
        self.value_columns = value_columns
        self.in_data = False
        self.done_data = False
        self.value_rows = value_rows
        #: The rows below the values have begun: only merged ranges are looked for.
        self.past_values = False
        #: A cell of a data column whose first child is a formula (group 3: a self-closing, shared one).
        self.formula_cell = (
            re.compile(
                rb'<c r="(' + b"|".join(re.escape(letter) for letter in sorted(data)) + rb')(\d+)"[^>]*(?<!/)>'
                rb"\s*(?:<v>[^<]*</v>\s*)?<f(?=[\s/>])[^>]*?(/?)>"
            )
            if data
            else None
        )
        #: ``si`` of the shared formulas whose whole range lies in one column that is not a data column
        #: (a template's look-ups): their cells are skipped at C speed, without a step in Python each.
        self.own_shared: set[bytes] = set()
        self.other_formula: re.Pattern[bytes] | None = None
        #: Cells whose t attribute is asked for, in file order: (row, letter); set once the first row is known.
        self.wanted: list[tuple[int, str]] = []
        self.next_wanted = 0
        self.types: dict[tuple[int, str], str] = {}
        self.missing: list[tuple[int, str]] = []

    def feed(self, piece: bytes) -> None:
        facts = self.facts
        if self.past_values:
            self._merges(piece)
            return
        if facts.first_row is None:
            first = _FIRST_VALUE.search(piece)
            if first is not None:
                facts.first_row = int(first.group(1))
                self._plan_lookups(facts.first_row)
        if self.value_rows is not None and facts.first_row is not None:
            # Below the last row the value reader returned, no cell holds a value (an error value is one):
            # the rows there are the formulas a template prepares for rows to come. Only the merged
            # ranges after the sheet data still count. (Excel and LibreOffice write rows in order.)
            below = piece.find(b'<row r="%d"' % (facts.first_row + self.value_rows))
            if below >= 0:
                self.past_values = True
                self._values(piece[:below])
                self._merges(piece[below:])
                return
        self._values(piece)

    def _merges(self, piece: bytes) -> None:
        if b"<mergeCell " in piece:
            self.facts.merged.extend(m.group(1).decode() for m in _MERGED.finditer(piece))

    def _values(self, piece: bytes) -> None:
        """The facts of rows that may hold values."""
        facts = self.facts
        # Literal searches are ~10x faster than the patterns: run a pattern only when its marker occurs.
        if b'hidden="' in piece:
            facts.hidden_rows.update(int(m.group(1)) for m in _HIDDEN_ROW.finditer(piece))
        self._merges(piece)
        if b't="e"' in piece:
            for m in _ERROR.finditer(piece):
                facts.errors[(m.group(1).decode(), int(m.group(2)))] = m.group(3).decode(errors="replace")
        self._formulas(piece)
        if self.next_wanted < len(self.wanted):
            self._lookups(piece)

    def _plan_lookups(self, top: int) -> None:
        asked = {(top + p, letter) for letter, rows in self.text_columns.items() for p in rows}
        asked |= {(top + p, letter) for letter, rows in self.value_columns.items() for p in rows}
        # Cells are stored row by row, left to right ("B" before "AA").
        self.wanted = sorted(asked, key=lambda rc: (rc[0], len(rc[1]), rc[1]))

    def _formulas(self, piece: bytes) -> None:
        """The formulas of data columns in the sheet data of ``piece``.

        Where formulas are many (the formula columns a template prepares in every row:
        look-ups, keys), one pattern that only matches a formula in a data column passes
        over them at C speed, without a step in Python per formula.
        """
        if self.done_data or self.formula_cell is None:
            return
        start = 0
        if not self.in_data:
            at = piece.find(b"<sheetData")
            if at < 0:
                return
            self.in_data, start = True, at
        end = piece.find(b"</sheetData>", start)
        if end < 0:
            end = len(piece)
        else:
            self.done_data = True
        if b'<f t="shared" ref="' in piece:
            self._learn_shared(piece, start, end)
        if self.other_formula is not None:
            self._sparse_formulas(
                piece, start, end, (m.start() for m in self.other_formula.finditer(piece, start, end))
            )
            return
        if piece.count(b"<f", start, end) * _BYTES_PER_FORMULA < end - start:
            self._sparse_formulas(piece, start, end, _finds(piece, b"<f", start, end))
            return
        formulas = self.facts.formulas
        for m in self.formula_cell.finditer(piece, start, end):
            if m.group(3):
                text = "(shared formula)"
            else:
                close = piece.find(b"</f>", m.end())
                text = "=" + _unescape(piece[m.end() : close].decode(errors="replace"))
            formulas[(m.group(1).decode(), int(m.group(2)))] = text

    def _learn_shared(self, piece: bytes, start: int, end: int) -> None:
        """Note the shared formulas that cover one column outside the data (``<f t="shared" ref="C2:C9" si="0">``)."""
        learned = False
        for m in _SHARED_MASTER.finditer(piece, start, end):
            letter, first, last, si = m.groups()
            if letter == first == last and letter not in self.data and si not in self.own_shared:
                self.own_shared.add(si)
                learned = True
        if learned:
            known = b"|".join(sorted(self.own_shared))
            # Any formula but a cell of those shared formulas, as Excel and xlsxwriter write one.
            self.other_formula = re.compile(rb'<f(?=[\s/>])(?! t="shared" si="(?:' + known + rb')"/>)')

    def _sparse_formulas(self, piece: bytes, start: int, end: int, positions: Iterator[int]) -> None:
        """The same, from each ``<f`` at ``positions`` back to its cell."""
        data, formulas = self.data, self.facts.formulas
        for pos in positions:
            cell = piece.rfind(b'<c r="', start, pos)
            close = piece.find(b">", pos)
            if cell < 0 or close < 0:
                break  # not a cell's formula: a damaged part, whose values the reader refuses anyway
            ref = piece[cell + 6 : piece.find(b'"', cell + 6)]
            letter = ref.rstrip(_DIGITS)
            if letter in data and piece[pos + 2 : pos + 3] in (b" ", b">", b"/", b"\t", b"\n", b"\r"):
                if piece[close - 1 : close] == b"/":
                    text = "(shared formula)"
                else:
                    text = "=" + _unescape(piece[close + 1 : piece.find(b"</f>", close)].decode(errors="replace"))
                formulas[(letter.decode(), int(ref[len(letter) :]))] = text

    def _lookups(self, piece: bytes) -> None:
        """The t attribute of the wanted cells in ``piece``, walking forward: the XML is read once."""
        last = piece.rfind(b'<row r="')
        match = _ROW_NUMBER.match(piece, last) if last >= 0 else None
        last_row = int(match.group(1)) if match else None
        wanted, pos = self.wanted, 0
        while self.next_wanted < len(wanted):
            row, letter = wanted[self.next_wanted]
            if last_row is not None and row > last_row:
                return  # in a later piece
            self.next_wanted += 1
            needle = _needle(row, letter)
            at = piece.find(needle, pos)
            if at < 0:
                at = piece.find(needle)  # out of order (hand-made files): search the piece again
                if at < 0:
                    self.missing.append((row, letter))
                    continue
            close = piece.find(b">", at)
            found = _T_ATTR.search(piece, at, close)
            self.types[(row, letter)] = found.group(1).decode() if found else ""
            pos = close

    def finish(self, again: Callable[[], Iterator[bytes]]) -> None:
        """Look up the cells found nowhere in order (a second pass, for hand-made files), then sort the types."""
        self.missing.extend(self.wanted[self.next_wanted :])
        missing = {
            (row, letter): b'<c r="' + letter.encode() + str(row).encode() + b'"' for row, letter in self.missing
        }
        if missing:
            for piece in again():
                for key, needle in list(missing.items()):
                    at = piece.find(needle)
                    if at >= 0:
                        found = _T_ATTR.search(piece, at, piece.find(b">", at))
                        self.types[key] = found.group(1).decode() if found else ""
                        del missing[key]
                if not missing:
                    break
        top = self.facts.first_row or 1
        for letter, rows in self.text_columns.items():
            numbers = {top + p for p in rows if self.types.get((top + p, letter)) in _NUMBER_TYPES}
            if numbers:
                self.facts.numeric[letter] = numbers
        for letter, rows in self.value_columns.items():
            texts = {top + p for p in rows if self.types.get((top + p, letter)) in _TEXT_TYPES}
            if texts:
                self.facts.text[letter] = texts


def _finds(piece: bytes, needle: bytes, start: int, end: int) -> Iterator[int]:
    """Every position of ``needle`` in ``piece[start:end]``."""
    pos = piece.find(needle, start, end)
    while pos >= 0:
        yield pos
        pos = piece.find(needle, pos + len(needle), end)


def _needle(row: int, letter: str) -> bytes:
    """How the XML starts the cell at ``letter`` ``row``."""
    return b'<c r="' + letter.encode() + str(row).encode() + b'"'


def _unescape(text: str) -> str:
    return (
        text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", '"')
        .replace("&apos;", "'")
        .replace("&amp;", "&")
    )
