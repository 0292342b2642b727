"""What the Rust readers would allocate for a part, judged before they see it.

fastexcel and calamine trust two things inside an .xlsx that a crafted file can
inflate at will, and a failed allocation in Rust aborts the whole process (exit
134, no exception to catch):

- a sheet is held as one dense grid from its first to its last non-empty cell,
  32 bytes a cell: one stray cell at ``XFD1048576`` next to ``A1`` asks for 512 GB;
- the ``uniqueCount`` of ``sharedStrings.xml`` is reserved up front, 24 bytes a
  string: ``4294967295`` asks for 96 GB.

This module owns the guards that measure both while :mod:`~sheetkit.excel.partscan`
inflates each part once. Cell positions are where calamine puts them: a cell's
``r`` attribute, or else the running row and column counters. A sheet written the
way Excel, LibreOffice, xlsxwriter and openpyxl write one (every cell tag starts
with ``<c r="..."``, columns up to ``BL``) is cleared by a few byte counts and
searches per chunk; any other sheet is walked tag by tag the way calamine walks
it, which is exact but slower. A ``<dimension>`` element is not trusted at all
(calamine only uses it for a capped reservation), and neither is the
``count`` attribute of the shared strings (a number of uses, which may rightly
exceed the number of strings).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Final, Protocol

from sheetkit.errors import UnsafeWorkbookError, UnsupportedFormatError
from sheetkit.excel.refusals import DAMAGED, human
from sheetkit.template.geometry import column_letter

__all__ = [
    "MAX_COLUMNS",
    "MAX_GRID_CELLS",
    "MAX_ROWS",
    "CellExtents",
    "FastCells",
    "PartGuard",
    "SharedStringsGuard",
]

#: The last row and column a spreadsheet can have (Excel, LibreOffice): 1048576 and XFD.
MAX_ROWS: Final = 1_048_576
MAX_COLUMNS: Final = 16_384
#: A sheet whose cells span more than this many grid cells is refused (calamine keeps
#: 32 bytes a cell: 2 GiB). A 10^6-row sheet of 64 columns fits, one stray cell far away does not.
MAX_GRID_CELLS: Final = MAX_ROWS * 64
_BYTES_PER_CELL: Final = 32
_BYTES_PER_STRING: Final = 24
#: The shortest shared string, ``<si/>``: a part cannot hold more strings than its size over this.
_MIN_STRING_BYTES: Final = 5
#: A tag longer than this (a crafted attribute of many megabytes) is refused rather than buffered.
_MAX_TAG_BYTES: Final = 16 * 1024**2

_ROW_NUMBER: Final = rb"(?:[1-9]\d{0,5}|10[0-3]\d{4}|104[0-7]\d{3}|1048[0-4]\d\d|10485[0-6]\d|104857[0-6])"
#: A cell tag that does not start the usual way: ``<c r="`` and a reference within A1:BL1048576.
_UNUSUAL_CELL: Final = re.compile(rb'<c(?=[\s/>])(?! r="(?:[A-Z]|A[A-Z]|B[A-L])' + _ROW_NUMBER + rb'")')
#: A cell tag with a namespace prefix (``<x:c``): calamine matches local names.
_PREFIXED_CELL: Final = re.compile(rb":c[\s/>]")
#: An ``r`` attribute written with space before its ``=``.
_SPACED_R: Final = re.compile(rb"r\s+=")
#: An ``r=`` that does not start a cell or a row: perhaps a second ``r`` in a cell.
_OTHER_R: Final = re.compile(rb"r=(?<!<c r=)(?<!<row r=)")
#: What counts only inside a tag (in the text of a formula or a cell it is harmless).
_MAYBE_IN_TAG: Final = (_PREFIXED_CELL, _SPACED_R, _OTHER_R)

#: One markup construct as quick-xml reads it; a tag's quoted attribute values may hold ">".
_TOKEN: Final = re.compile(
    rb"<!--.*?-->|<!\[CDATA\[.*?\]\]>|<\?.*?\?>|<!(?!--|\[CDATA\[)[^>]*>"
    rb"|<(/?)([^\s/>!?]+)((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>",
    re.DOTALL,
)
_ATTRIBUTE: Final = re.compile(rb"""\s*([^=\s]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_REFERENCE: Final = re.compile(rb"([A-Za-z]*)([0-9]+)")
_UNIQUE_COUNT: Final = re.compile(rb"uniqueCount\s*=\s*[\"']\s*\+?(\d+)")


class PartGuard(Protocol):
    """Something that watches a part's bytes as they are inflated."""

    def feed(self, data: bytes) -> None:
        """The next inflated bytes of the part."""
        ...

    def finish(self) -> None:
        """The part is complete: raise if what it holds is refused."""
        ...


def _cell(row: int, column: int) -> str:
    return f"{column_letter(column)}{row + 1}"


def _unsafe(file: Path | None, part: str, reason: str, advice: str) -> UnsafeWorkbookError:
    return UnsafeWorkbookError(
        f"its internal part {part!r} {reason}. The file is refused for safety: it may be crafted to exhaust "
        f"memory. If it is a genuine workbook, {advice}",
        path=file,
    )


def _damaged(file: Path | None, part: str, reason: str) -> UnsupportedFormatError:
    return UnsupportedFormatError(f"its internal part {part!r} {reason}, so {DAMAGED}", path=file)


_STRAY_CELLS: Final = (
    "open it in Excel or LibreOffice, delete the cells far from the data (Ctrl+End shows the last one) "
    "and save it again"
)
_SAVE_AGAIN: Final = "open it in Excel or LibreOffice and save it again"


class _Chunks:
    """Cuts a stream of bytes after its last ``>``: a ``<c r="`` or ``r=`` is never split in two."""

    def __init__(self, file: Path | None, part: str) -> None:
        self.file = file
        self.part = part
        self.carry = b""

    def cut(self, data: bytes) -> bytes:
        end = data.rfind(b">") + 1
        if end:  # one copy of the chunk at most: the carry is only ever the start of a tag
            piece = b"".join((self.carry, memoryview(data)[:end])) if self.carry or end < len(data) else data
            self.carry = data[end:]
        else:
            piece, self.carry = b"", self.carry + data
        if len(self.carry) > _MAX_TAG_BYTES:
            raise _damaged(self.file, self.part, f"has a tag longer than {human(_MAX_TAG_BYTES)}")
        return piece

    def rest(self) -> bytes:
        rest, self.carry = self.carry, b""
        return rest


class FastCells:
    """The usual case, cleared by a few searches: every cell names its place, within A1:BL1048576.

    Cells only count between ``sheetData`` tags. If, from the first ``sheetData`` in
    the part to the last one, every cell tag starts with ``<c r="`` and a reference
    within A1:BL1048576, none has a namespace prefix, and every ``r=`` is the first
    attribute of a cell or a row (so no cell has a second ``r``), calamine places each
    cell at its own reference: the grid is at most 64 x 1048576 cells. Anything else
    sets :attr:`unusual`, and the part must be walked by :class:`CellExtents`.

    The searches for a prefix, a spaced ``r`` and a second ``r`` also hit the text of
    formulas and cells (``IF(order="DMY"...``, a note "colour = red"). Such a hit only
    counts inside a tag, and where a tag begins and ends is certain only when the markup
    is *plain* from the start of the part: ``<`` and ``>`` alternate, and tags hold no
    ``'`` and an even number of ``"`` (as Excel, LibreOffice, xlsxwriter and openpyxl
    write them; :func:`_plain`). Then a hit after a ``>`` is text, and after a ``<`` it
    is in a tag. Chunks are shown plain only when they hold such hits; when a hit comes
    after a chunk that was not looked at, :attr:`recheck` asks for the part again with
    ``strict`` set, which looks at every chunk.
    """

    def __init__(self, file: Path | None, part: str, *, strict: bool = False) -> None:
        self.unusual = False
        #: A hit in text came after chunks that were not shown plain: check the part again, ``strict``.
        self.recheck = False
        self._strict = strict
        self._chunks = _Chunks(file, part)
        self._started = False
        #: Something unusual was seen after the last ``sheetData`` so far: it counts if another one follows.
        self._pending = False
        #: A hit after the last ``sheetData`` so far could not be judged: a recheck, if another one follows.
        self._undecided = False
        #: Every chunk so far, from the start of the part, was shown plain.
        self._plain = True

    def feed(self, data: bytes) -> None:
        """Check the next inflated bytes."""
        if not (self.unusual or self.recheck):
            self._check(self._chunks.cut(data))

    def finish(self) -> None:
        """Check what is left after the last ``>``; what follows the last ``sheetData`` never counts."""
        if not (self.unusual or self.recheck):
            self._check(self._chunks.rest())

    def _check(self, piece: bytes) -> None:
        start = 0
        if not self._started:
            start = piece.find(b"sheetData")
            if start < 0:
                self._plain = self._plain and _plain(piece)  # the part's head: rarely a whole chunk
                return
            self._started = True
        found = piece.rfind(b"sheetData")
        if found >= 0:  # what was pending counts now
            if self._pending:
                self.unusual = True
                return
            if self._undecided:
                self.recheck, self.unusual = not self._strict, self._strict
                return
        last = max(found, start)  # what comes before ``last`` counts now, what follows it if another one comes
        bad = _UNUSUAL_CELL.search(piece, start)
        if bad is not None and bad.start() < last:
            self.unusual = True
            return
        self._pending = self._pending or bad is not None
        hits = sorted(m.start() for pattern in _MAYBE_IN_TAG for m in pattern.finditer(piece, start))
        if not hits and not self._strict:
            self._plain = False  # not looked at: a later hit in text needs a strict second look
            return
        # When every chunk before was shown plain, a second, strict look would judge alike.
        decisive = self._strict or self._plain
        upto = self._plain_prefix(piece, last)
        for at in hits:
            judged = at < upto or decisive
            if at < upto and piece.rfind(b"<", 0, at) < piece.rfind(b">", 0, at):
                continue  # in the text of a formula or a cell
            if at < last:
                self.unusual, self.recheck = judged, not judged
                return
            self._pending = self._pending or judged
            self._undecided = self._undecided or not judged

    def _plain_prefix(self, piece: bytes, last: int) -> int:
        """How much of ``piece`` is known plain from the start of the part (0 if nothing); updates ``_plain``."""
        if not self._plain:
            return 0
        if _plain(piece):
            return len(piece)
        self._plain = False
        end = piece.find(b">", last) + 1
        return end if end and _plain(piece[:end]) else 0


#: Translation table deleting every byte but ``<``, ``>``, ``"`` and ``'``.
_NOT_MARKUP: Final = bytes(b for b in range(256) if b not in b"<>\"'")


def _plain(piece: bytes) -> bool:
    """``<`` and ``>`` alternate, and each tag holds no ``'`` and an even number of ``"``.

    Then quick-xml, which ends a tag at the first ``>`` outside quotes, ends every tag at
    its first ``>``. Checked at the speed of a byte translation: with all other bytes
    deleted and ``""`` pairs removed, a plain piece is ``<>`` pairs with quotes between.
    """
    marks = piece.translate(None, _NOT_MARKUP).replace(b'""', b"")
    tags = marks.count(b"<>")
    return tags == marks.count(b"<") == marks.count(b">")


class CellExtents:
    """A sheet walked tag by tag as calamine walks it, for the grid calamine would allocate.

    Follows calamine's cell reader: cells count from the first ``sheetData`` start tag
    to its end tag, element names are compared without their prefix, a cell's place is
    its ``r`` attribute (the last one seen before ``r``, ``s`` and ``t`` are all found)
    or else the running counters (a row's ``r`` sets the row, its end tag moves to the
    next row and column A; each cell moves one column right). A cell counts as holding
    a value when it has a child element other than ``<f>``: calamine leaves a cell with
    a formula and no value out of its grid, as it does the formula-only rows a template
    prepares. Inside a cell only properly nested child elements are accepted (anything
    else is refused as damaged), so the walk and calamine always agree on where a cell
    ends.
    """

    def __init__(self, file: Path | None, part: str) -> None:
        self.file = file
        self.part = part
        self._carry = b""
        self._state = "before"  # before sheetData, in it, or done
        self._row = 0
        self._column = 0
        self._open: list[bytes] | None = None  # inside a cell: its child elements still open
        self._counted = False  # the open cell was counted as holding a value
        self._at = (0, 0)  # where the open cell is
        self._top = (MAX_ROWS, MAX_COLUMNS)
        self._bottom = (-1, -1)

    def feed(self, data: bytes) -> None:
        """Walk the next inflated bytes; an unfinished construct at their end waits for the next ones."""
        if self._state == "done":
            return
        buf = self._carry + data if self._carry else data
        self._carry = b""
        pos = buf.find(b"<")
        while pos >= 0 and self._state != "done":
            token = _TOKEN.match(buf, pos)
            if token is None:
                self._carry = buf[pos:]
                if len(self._carry) > _MAX_TAG_BYTES:
                    raise _damaged(self.file, self.part, "has markup that never ends")
                return
            name = token.group(2)
            if name is not None:
                self._tag(name.split(b":", 1)[-1], closing=bool(token.group(1)), attributes=token.group(3))
            pos = buf.find(b"<", token.end())

    def finish(self) -> None:
        """Refuse the part if its grid is too large."""
        if self._bottom[0] < 0:
            return
        rows = self._bottom[0] - self._top[0] + 1
        columns = self._bottom[1] - self._top[1] + 1
        if rows * columns > MAX_GRID_CELLS:
            span = f"{_cell(*self._top)}:{_cell(*self._bottom)}"
            raise _unsafe(
                self.file,
                self.part,
                f"has cells spread over {span} ({rows * columns:,} cells); reading it would take about "
                f"{human(rows * columns * _BYTES_PER_CELL)} of memory",
                _STRAY_CELLS,
            )

    def _tag(self, local: bytes, *, closing: bool, attributes: bytes) -> None:
        """One tag of calamine's event loop (self-closing tags are a start and an end, as calamine reads them)."""
        empty = not closing and attributes.endswith(b"/")
        if self._open is not None:
            self._inside_cell(self._open, local, closing=closing, empty=empty)
        elif self._state == "before":
            if local == b"sheetData" and not closing:
                self._state = "done" if empty else "in"
        elif local == b"sheetData" and closing:
            self._state = "done"
        elif local == b"row":
            if not closing:
                reference = _attribute(attributes, b"r")
                if reference is not None:
                    self._row = self._position(reference, cell=False)[0]
            if closing or empty:
                self._row += 1
                self._column = 0
        elif local == b"c" and not closing:
            reference = _cell_reference(attributes)
            if reference is not None:
                self._row, self._column = self._position(reference, cell=True)
            self._check_counters()
            if not empty:
                self._open = []
                self._at = (self._row, self._column)
                self._counted = False
            self._column += 1

    def _inside_cell(self, children: list[bytes], local: bytes, *, closing: bool, empty: bool) -> None:
        if not closing:
            if local in (b"c", b"row", b"sheetData"):
                raise _damaged(self.file, self.part, f"has a <{local.decode(errors='replace')}> inside a cell")
            if not (children or self._counted or local == b"f"):
                self._counted = True  # a value (or something calamine refuses): the cell is in the grid
                row, column = self._at
                self._top = (min(self._top[0], row), min(self._top[1], column))
                self._bottom = (max(self._bottom[0], row), max(self._bottom[1], column))
            if not empty:
                children.append(local)
        elif children:
            if children.pop() != local:
                raise _damaged(self.file, self.part, "has a cell whose inner elements are not closed in order")
        elif local == b"c":
            self._open = None
        else:
            raise _damaged(self.file, self.part, "has a cell whose inner elements are not closed in order")

    def _position(self, reference: bytes, *, cell: bool) -> tuple[int, int]:
        """0-based (row, column) of a reference such as ``AB12`` (letters may be lower case, as for calamine)."""
        match = _REFERENCE.fullmatch(reference)
        if match is None or int(match.group(2)) < 1 or (cell and not match.group(1)):
            shown = reference[:20].decode(errors="replace")
            raise _damaged(self.file, self.part, f"has a cell reference {shown!r} that no spreadsheet writes")
        column = 0
        for letter in match.group(1).upper():
            column = column * 26 + letter - 64
            if column > MAX_COLUMNS:
                break
        return int(match.group(2)) - 1, column - 1

    def _check_counters(self) -> None:
        if self._row < MAX_ROWS and self._column < MAX_COLUMNS:
            return
        if self._row >= MAX_ROWS:
            where, limit = f"row {self._row + 1:,}", f"row {MAX_ROWS:,}"
        else:
            where, limit = "a column beyond XFD", "column XFD"
        raise _unsafe(
            self.file,
            self.part,
            f"places a cell in {where}, past the last {limit} a spreadsheet can have",
            _SAVE_AGAIN,
        )


def _attribute(attributes: bytes, key: bytes) -> bytes | None:
    """The first attribute named exactly ``key`` (calamine's ``raw_attr``)."""
    for match in _ATTRIBUTE.finditer(attributes):
        if match.group(1) == key:
            return bytes(match.group(2) if match.group(2) is not None else match.group(3))
    return None


def _cell_reference(attributes: bytes) -> bytes | None:
    """A cell's ``r`` as calamine reads it: the last one before ``r``, ``s`` and ``t`` have all been seen."""
    found = 0
    reference = None
    for match in _ATTRIBUTE.finditer(attributes):
        key = match.group(1)
        if key in (b"r", b"s", b"t"):
            found += 1
            if key == b"r":
                reference = match.group(2) if match.group(2) is not None else match.group(3)
            if found == 3:
                break
    return None if reference is None else bytes(reference)


class SharedStringsGuard:
    """Refuses a ``uniqueCount`` larger than the strings the part can hold.

    calamine reserves room for ``uniqueCount`` strings (24 bytes each) before it reads
    one. A part of ``size`` bytes holds at most ``size / 5`` strings (``<si/>``), so a
    larger count is a lie. Every ``uniqueCount`` in the part is checked, wherever it is.
    """

    def __init__(self, file: Path | None, part: str, size: int) -> None:
        self.file = file
        self.part = part
        self.room = max(size // _MIN_STRING_BYTES, 1)
        self._chunks = _Chunks(file, part)

    def feed(self, data: bytes) -> None:
        """Check the next inflated bytes."""
        self._check(self._chunks.cut(data))

    def finish(self) -> None:
        """Check what is left after the last ``>``."""
        self._check(self._chunks.rest())

    def _check(self, piece: bytes) -> None:
        if b"uniqueCount" not in piece:
            return
        for match in _UNIQUE_COUNT.finditer(piece):
            unique = int(match.group(1))
            if unique > self.room:
                raise _unsafe(
                    self.file,
                    self.part,
                    f"says it holds {unique:,} different texts but has room for at most {self.room:,}; "
                    f"reading it would reserve about {human(unique * _BYTES_PER_STRING)} of memory",
                    _SAVE_AGAIN,
                )
