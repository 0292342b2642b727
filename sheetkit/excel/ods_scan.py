"""Cell facts of an .ods sheet that calamine does not expose, from its content.xml.

calamine gives the values and types of an .ods sheet's cells, but not its
hidden rows, merged ranges, formulas or error cells. This module finds those
in the sheet's ``<table:table>`` element of ``content.xml``, read as a stream
of bytes: the part is decompressed 1 MiB at a time, the tables before the
named one are skipped with a byte search, and the named one is cut into whole
rows that a few patterns walk, so memory stays flat and a 4000-row sheet
takes a few tens of milliseconds. Positions are exact sheet cells:
``table:number-rows-repeated`` and ``table:number-columns-repeated`` advance
the row and column counters arithmetically (the ~10^6 repeated empty rows
LibreOffice writes after the data cost nothing), and covered cells of merged
ranges count as columns. A row is hidden when its ``table:visibility`` is
``collapse`` (what ODF and LibreOffice write; ``collapsed`` is accepted too) or
``filter``. A formula is reported as written in ODF syntax without its
namespace (``of:=NA()`` -> ``=NA()``). Namespace prefixes are taken from the document's
declarations. The file has already been checked for DOCTYPE (entity) bombs by
:mod:`sheetkit.excel.sniff`, and no entity is ever expanded here.
"""

from __future__ import annotations

import html
import re
import zipfile
from bisect import bisect_left
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO

from sheetkit.read.raw import SheetFacts
from sheetkit.template.geometry import column_index, column_letter

__all__ = ["scan_ods_sheet"]

_CHUNK = 1 << 20
#: Hidden rows of a repeated row are listed one by one up to this count; a longer
#: run is listed only when it holds a cell with content (never the empty tail).
_EXPAND = 1024

_NS_TABLE = b"urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_NS_OFFICE = b"urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_NS_CALCEXT = b"urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0"

#: Attributes of a start tag; a quoted value may hold ">" (XML allows it unescaped).
_ATTRS = rb"""((?:[^>"'/]+|/(?!>)|"[^"]*"|'[^']*')*+)"""
_ROOT = re.compile(rb"<(?![?!])[^\s>/]+" + _ATTRS + rb">")
_XMLNS = re.compile(rb"""xmlns:([\w.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_MARKUP = re.compile(r"<[^>]*>")
_FORMULA_NAMESPACE = re.compile(r"^[A-Za-z][\w.-]*:(?==)")


def scan_ods_sheet(path: Path, sheet: str, *, formula_columns: Iterable[str] | None = None) -> SheetFacts:
    """Hidden rows, merged ranges, formulas and error cells of one sheet of an .ods file.

    ``formula_columns``: letters whose formulas are wanted (all columns when None);
    ``first_row`` is the first row with a value or formula; ``numeric`` and
    ``text`` stay empty (calamine gives cell types exactly).
    """
    facts = SheetFacts()
    with zipfile.ZipFile(path) as zf:
        if "content.xml" not in zf.namelist():
            return facts
        with zf.open("content.xml") as part:
            _Scan(facts, formula_columns).run(part, sheet)
    return facts


def _attribute(prefix: bytes, name: bytes) -> re.Pattern[bytes]:
    return re.compile(rb"(?<![\w.:-])" + re.escape(prefix + b":" + name) + rb"""\s*=\s*(?:"([^"]*)"|'([^']*)')""")


def _value(match: re.Match[bytes] | None) -> str | None:
    if match is None:
        return None
    raw = match.group(1) if match.group(1) is not None else match.group(2)
    return html.unescape(raw.decode("utf-8", errors="replace"))


def _number(match: re.Match[bytes] | None) -> int:
    text = _value(match)
    return int(text) if text and text.strip().isdigit() and int(text) > 0 else 1


class _Scan:
    """The state of one pass over content.xml: the row being read and where its cells are."""

    def __init__(self, facts: SheetFacts, formula_columns: Iterable[str] | None) -> None:
        self.facts = facts
        self.wanted = None if formula_columns is None else {column_index(c) for c in formula_columns}
        self.next_row = 1
        self.row = 1
        self.row_repeat = 1
        #: A long run of hidden rows, listed once a cell with content shows it is not the empty tail.
        self.pending_hidden: tuple[int, int] | None = None

    def run(self, part: IO[bytes], sheet: str) -> None:
        chunks = iter(lambda: part.read(_CHUNK), b"")
        buf = next(chunks, b"")
        root = _ROOT.search(buf)
        while root is None and len(buf) < 16 * _CHUNK:
            more = next(chunks, b"")
            if not more:
                return
            buf += more
            root = _ROOT.search(buf)
        if root is None:
            return
        prefixes = {m.group(2) or m.group(3): m.group(1) for m in _XMLNS.finditer(root.group(1))}
        self._compile(prefixes.get(_NS_TABLE, b"table"), prefixes.get(_NS_OFFICE, b"office"), prefixes.get(_NS_CALCEXT))
        start = self._find_table(buf, root.end(), chunks, sheet)
        if start is not None:
            self._rows(*start, chunks)

    def _compile(self, table: bytes, office: bytes, calcext: bytes | None) -> None:
        t = re.escape(table)
        self.table_start = re.compile(rb"<" + t + rb":table(?=[\s/>])" + _ATTRS + rb"(/?)>")
        self.row_tag = re.compile(rb"<" + t + rb":table-row(?=[\s/>])" + _ATTRS + rb"(/?)>")
        self.cell_tag = re.compile(rb"<" + t + rb":(?:table-cell|(covered-)table-cell)(?=[\s/>])" + _ATTRS + rb"(/?)>")
        #: Byte strings that make a cell worth a look (the cell's tag is then parsed and checked).
        self.marks = [table + b":formula", table + b":number-columns-spanned", table + b":number-rows-spanned"]
        if calcext is not None:
            self.marks += [b'value-type="error"', b"value-type='error'"]
        self.cell_open = b"<" + table + b":table-cell"
        self.covered_open = b"<" + table + b":covered-table-cell"
        self.row_end = b"</" + table + b":table-row>"
        self.table_end = b"</" + table + b":table>"
        self.cell_end = b"</" + table + b":table-cell>"
        self.formula_marker = table + b":formula"
        self.value_marker = office + b":value-type"
        self.name = _attribute(table, b"name")
        self.rows_repeated = _attribute(table, b"number-rows-repeated")
        self.columns_repeated = _attribute(table, b"number-columns-repeated")
        self.visibility = _attribute(table, b"visibility")
        self.columns_spanned = _attribute(table, b"number-columns-spanned")
        self.rows_spanned = _attribute(table, b"number-rows-spanned")
        self.formula = _attribute(table, b"formula")
        self.value_type = _attribute(calcext, b"value-type") if calcext is not None else None

    def _find_table(self, buf: bytes, pos: int, chunks: Iterator[bytes], sheet: str) -> tuple[bytes, int] | None:
        """The buffer and offset just after the named table's start tag, reading on as needed."""
        while True:
            for m in self.table_start.finditer(buf, pos):
                if _value(self.name.search(m.group(1))) == sheet:
                    return (buf, m.end()) if not m.group(2) else None
            # Keep the last, perhaps partial, tag for the next chunk.
            keep = buf.rfind(b"<")
            buf = buf[keep:] if keep >= 0 else b""
            pos = 0
            more = next(chunks, b"")
            if not more:
                return None
            buf += more

    def _rows(self, buf: bytes, pos: int, chunks: Iterator[bytes]) -> None:
        """Walk the table's rows, a run of whole rows at a time, to the table's end tag."""
        while True:
            end = buf.find(self.table_end, pos)
            if end >= 0:
                self._walk(buf, pos, end)
                return
            cut = buf.rfind(self.row_end, pos)
            if cut >= 0:
                cut += len(self.row_end)
                self._walk(buf, pos, cut)
                buf, pos = buf[cut:], 0
            more = next(chunks, b"")
            if not more:
                self._walk(buf, pos, len(buf))
                return
            buf += more

    def _walk(self, buf: bytes, pos: int, end: int) -> None:
        """The rows in ``buf[pos:end]``; only the rare cells with a formula, span or error are parsed."""
        hits: list[int] = []
        for mark in self.marks:
            hit = buf.find(mark, pos, end)
            while hit >= 0:
                hits.append(hit)
                hit = buf.find(mark, hit + len(mark), end)
        hits.sort()
        rows = list(self.row_tag.finditer(buf, pos, end))
        for i, m in enumerate(rows):
            self._row(m.group(1))
            if m.group(2):
                continue
            start = m.end()
            stop = rows[i + 1].start() if i + 1 < len(rows) else end
            if self.pending_hidden is not None or self.facts.first_row is None:
                valued = (
                    buf.find(self.value_marker, start, stop) >= 0 or buf.find(self.formula_marker, start, stop) >= 0
                )
                if valued and self.facts.first_row is None:
                    self.facts.first_row = self.row
                if valued or buf.find(self.cell_end, start, stop) >= 0:
                    self._show_pending()
            first = bisect_left(hits, start)
            if first < len(hits) and hits[first] < stop:
                self._cells(buf, start, hits[first : bisect_left(hits, stop, first)])

    def _row(self, attrs: bytes) -> None:
        self.row = self.next_row
        self.row_repeat = _number(self.rows_repeated.search(attrs)) if b"repeated" in attrs else 1
        self.next_row += self.row_repeat
        self.pending_hidden = None
        if b"visibility" in attrs and _value(self.visibility.search(attrs)) in {"collapse", "collapsed", "filter"}:
            if self.row_repeat <= _EXPAND:
                self.facts.hidden_rows.update(range(self.row, self.next_row))
            else:
                self.pending_hidden = (self.row, self.next_row)

    def _show_pending(self) -> None:
        if self.pending_hidden is not None:
            self.facts.hidden_rows.update(range(*self.pending_hidden))
            self.pending_hidden = None

    def _cells(self, buf: bytes, start: int, hits: list[int]) -> None:
        """The cells of the row starting at ``start`` that hold the markers at ``hits``."""
        seen = -1
        cursor, column = start, 0
        for hit in hits:
            tag = buf.rfind(b"<", start, hit)  # "<" cannot occur inside an attribute value
            if tag <= seen:
                continue
            m = self.cell_tag.match(buf, tag)
            if m is None or m.end() <= hit:
                continue  # the marker was in a cell's text
            seen = tag
            column += self._width(buf, cursor, tag)
            cursor = tag
            self._cell(buf, m, column)

    def _width(self, buf: bytes, start: int, stop: int) -> int:
        """How many columns the cells starting in ``buf[start:stop]`` cover."""
        width = buf.count(self.cell_open, start, stop) + buf.count(self.covered_open, start, stop)
        if buf.find(b"repeated", start, stop) >= 0:
            for m in self.cell_tag.finditer(buf, start, stop):
                if b"repeated" in m.group(2):
                    width += _number(self.columns_repeated.search(m.group(2))) - 1
        return width

    def _cell(self, buf: bytes, m: re.Match[bytes], col: int) -> None:
        if m.group(1):  # a covered cell: no content of its own
            return
        attrs: bytes = m.group(2)
        repeat = _number(self.columns_repeated.search(attrs)) if b"repeated" in attrs else 1
        facts = self.facts
        rows = range(self.row, self.row + self.row_repeat)
        if b"spanned" in attrs:
            across = _number(self.columns_spanned.search(attrs))
            down = _number(self.rows_spanned.search(attrs))
            if across > 1 or down > 1:
                facts.merged.append(
                    f"{column_letter(col)}{self.row}:{column_letter(col + across - 1)}{self.row + down - 1}"
                )
        columns = range(col, col + repeat)
        wanted = columns if self.wanted is None else sorted(self.wanted.intersection(columns))
        formula = _value(self.formula.search(attrs)) if wanted and b"formula" in attrs else None
        if formula is not None:
            shown = _FORMULA_NAMESPACE.sub("", formula)
            for c in wanted:
                letter = column_letter(c)
                for r in rows:
                    facts.formulas[(letter, r)] = shown
        if self.value_type is not None and b"error" in attrs and _value(self.value_type.search(attrs)) == "error":
            stop = buf.find(self.cell_end, m.end())
            inner = buf[m.end() : stop].decode("utf-8", errors="replace") if not m.group(3) and stop >= 0 else ""
            shown = html.unescape(_MARKUP.sub("", inner)).strip() or "#ERROR"
            for c in range(col, col + repeat):
                letter = column_letter(c)
                for r in rows:
                    facts.errors[(letter, r)] = shown
