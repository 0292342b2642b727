"""The OLE2 checks of :mod:`sheetkit.excel.sniff`: .xls files and password-encrypted workbooks.

This module owns a minimal reader of [MS-CFB] compound files (enough to list the
root streams and read the start of one) and what is judged from it: an Excel 97-2003
workbook, one encrypted with a password (an ``EncryptedPackage`` stream, or a BIFF
FILEPASS record), or another Office or Windows file (Word, PowerPoint, Outlook).

An Office-encrypted package (.xlsx "Encrypt with Password") raises
:class:`~sheetkit.errors.WorkbookPasswordError`: the reader opens it when given the
password (:mod:`~sheetkit.excel.crypto`). An encrypted .xls stays refused: its
decryption would need a temporary file of plain client data.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Final, Literal

from sheetkit.errors import EncryptedWorkbookError, UnsupportedFormatError, WorkbookPasswordError
from sheetkit.excel.refusals import DAMAGED, not_spreadsheet

__all__ = ["CFB_MAGIC", "encrypted_package", "sniff_cfb"]

#: How an OLE2 compound file starts.
CFB_MAGIC: Final = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_MAXREGSECT: Final = 0xFFFFFFFA
_ENDOFCHAIN: Final = 0xFFFFFFFE
_FREESECT: Final = 0xFFFFFFFF
_NOSTREAM: Final = 0xFFFFFFFF
_STREAM: Final = 2
_ROOT: Final = 5
_MAX_DIRECTORY_ENTRIES: Final = 65_536
_BIFF_BOF: Final = frozenset({0x0809, 0x0409, 0x0209, 0x0009})
_BIFF_FILEPASS: Final = 0x002F
_BIFF_EOF: Final = 0x000A
_BIFF_SCAN_BYTES: Final = 64 * 1024


class _DamagedError(Exception):
    """The compound file's structure is inconsistent (internal; becomes UnsupportedFormatError)."""


@dataclass(frozen=True)
class _Entry:
    name: str
    kind: int
    left: int
    right: int
    child: int
    start: int
    size: int


class _Table:
    """A sector-chain table (FAT or mini FAT), read one sector at a time when needed."""

    def __init__(self, container: _CompoundFile, sectors: list[int]) -> None:
        self.container = container
        self.sectors = sectors
        self.per_sector: int = container.sector_size // 4
        self.loaded: dict[int, tuple[int, ...]] = {}

    def __len__(self) -> int:
        return len(self.sectors) * self.per_sector

    def words(self, position: int) -> tuple[int, ...]:
        """All entries held by the ``position``-th sector of the table."""
        if position not in self.loaded:
            words: tuple[int, ...] = struct.unpack(
                f"<{self.per_sector}I", self.container.sector(self.sectors[position])
            )
            self.loaded[position] = words
        return self.loaded[position]

    def __getitem__(self, index: int) -> int:
        position, slot = divmod(index, self.per_sector)
        return self.words(position)[slot]


class _CompoundFile:
    """Just enough of [MS-CFB] to list the root streams and read the start of one."""

    def __init__(self, stream: BinaryIO, size: int) -> None:
        self.stream = stream
        stream.seek(0)
        header = stream.read(512)
        if len(header) < 512:
            raise _DamagedError
        major, byte_order, sector_shift, mini_shift = struct.unpack_from("<HHHH", header, 0x1A)
        if major not in (3, 4) or byte_order != 0xFFFE or sector_shift not in (9, 12) or mini_shift != 6:
            raise _DamagedError
        self.major: int = major
        self.sector_size: int = 1 << sector_shift
        self.mini_size: int = 1 << mini_shift
        self.sectors: int = max(0, (size + self.sector_size - 1) // self.sector_size - 1)
        fat_count, first_dir, _, self.cutoff, first_minifat, _, first_difat, difat_count = struct.unpack_from(
            "<8I", header, 0x2C
        )
        if difat_count > self.sectors or fat_count > self.sectors:
            raise _DamagedError
        per_sector = self.sector_size // 4
        difat = list(struct.unpack_from("<109I", header, 0x4C))
        next_difat = first_difat
        for _ in range(difat_count):
            words = struct.unpack(f"<{per_sector}I", self.sector(next_difat))
            difat.extend(words[:-1])
            next_difat = words[-1]
        if fat_count > len(difat):
            raise _DamagedError
        self.fat = _Table(self, difat[:fat_count])
        for position in range(self.sectors // per_sector, len(self.fat.sectors)):
            first_index = position * per_sector
            words = self.fat.words(position)
            if any(word != _FREESECT for word in words[max(0, self.sectors - first_index) :]):
                raise _DamagedError  # sectors in use lie past the end of the file: it was cut short
        self.first_minifat = first_minifat
        self.entries = self._directory(first_dir)

    def sector(self, index: int) -> bytes:
        """Sector ``index`` (a last sector cut short is padded with zeros)."""
        if index >= self.sectors:
            raise _DamagedError
        self.stream.seek((index + 1) * self.sector_size)
        return self.stream.read(self.sector_size).ljust(self.sector_size, b"\x00")

    def chain(self, start: int, table: _Table) -> Iterator[int]:
        """The sector numbers of a chain, from its first one."""
        index, steps = start, 0
        while index != _ENDOFCHAIN:
            if index > _MAXREGSECT or index >= len(table) or steps > len(table):
                raise _DamagedError  # a broken link or a loop
            yield index
            index, steps = table[index], steps + 1

    def _directory(self, first: int) -> list[_Entry]:
        entries: list[_Entry] = []
        for sector in self.chain(first, self.fat):
            if len(entries) >= _MAX_DIRECTORY_ENTRIES:
                raise _DamagedError
            data = self.sector(sector)
            for at in range(0, self.sector_size, 128):
                name_size, kind = struct.unpack_from("<HB", data, at + 64)
                left, right, child = struct.unpack_from("<3I", data, at + 68)
                start, size_low, size_high = struct.unpack_from("<3I", data, at + 116)
                size = size_low if self.major == 3 else size_low | size_high << 32
                name = data[at : at + max(0, min(name_size, 64) - 2)].decode("utf-16-le", "replace")
                entries.append(_Entry(name, kind, left, right, child, start, size))
        if not entries or entries[0].kind != _ROOT:
            raise _DamagedError
        return entries

    def root_children(self) -> list[_Entry]:
        """The streams and storages directly under the root (not those of embedded objects)."""
        found: list[_Entry] = []
        seen: set[int] = set()
        pending = [self.entries[0].child]
        while pending:
            index = pending.pop()
            if index == _NOSTREAM:
                continue
            if index >= len(self.entries) or index in seen:
                raise _DamagedError
            seen.add(index)
            entry = self.entries[index]
            found.append(entry)
            pending += [entry.left, entry.right]
        return found

    def read_start(self, entry: _Entry, limit: int) -> bytes:
        """The first ``limit`` bytes of a stream (fewer if the stream is shorter)."""
        wanted = min(entry.size, limit)
        data = bytearray()
        if entry.size >= self.cutoff:
            for sector in self.chain(entry.start, self.fat):
                if len(data) >= wanted:
                    break
                data += self.sector(sector)
        else:  # small streams live in 64-byte mini sectors inside the root entry's stream
            minifat = _Table(self, list(self.chain(self.first_minifat, self.fat)))
            container = self.chain(self.entries[0].start, self.fat)
            held: list[int] = []
            for mini in self.chain(entry.start, minifat):
                if len(data) >= wanted:
                    break
                position, within = divmod(mini * self.mini_size, self.sector_size)
                while len(held) <= position:
                    link = next(container, None)
                    if link is None:
                        raise _DamagedError
                    held.append(link)
                data += self.sector(held[position])[within : within + self.mini_size]
        if len(data) < wanted:
            raise _DamagedError
        return bytes(data[:wanted])


def sniff_cfb(stream: BinaryIO, file: Path, size: int) -> Literal["xls"]:
    """Judge an OLE2 file: an unencrypted .xls workbook, or an error saying what it is."""
    try:
        container = _CompoundFile(stream, size)
        children = {entry.name.casefold(): entry for entry in container.root_children()}
        if "encryptedpackage" in children or "encryptioninfo" in children:
            raise WorkbookPasswordError(file)  # Office encryption: readable with the password (excel.crypto)
        book = children.get("workbook") or children.get("book")
        if book is not None and book.kind == _STREAM:
            if _biff_is_encrypted(container.read_start(book, _BIFF_SCAN_BYTES)):
                raise EncryptedWorkbookError(file)
            return "xls"
    except (_DamagedError, struct.error, ValueError, IndexError, OverflowError, MemoryError):
        raise UnsupportedFormatError(DAMAGED, path=file) from None
    if "worddocument" in children:
        raise not_spreadsheet(file, "a Word document (.doc)")
    if "powerpoint document" in children:
        raise not_spreadsheet(file, "a PowerPoint presentation (.ppt)")
    if any(name.startswith("__substg1.0_") for name in children):
        raise not_spreadsheet(file, "an Outlook e-mail (.msg)", "save the attached workbook from it and use that file")
    raise not_spreadsheet(file, "an Office or Windows file that is not an Excel workbook")


def encrypted_package(stream: BinaryIO, file: Path, size: int) -> bool:
    """True when the OLE2 file in ``stream`` holds an Office-encrypted package (``EncryptionInfo``)."""
    try:
        container = _CompoundFile(stream, size)
        names = {entry.name.casefold() for entry in container.root_children()}
    except (_DamagedError, struct.error, ValueError, IndexError, OverflowError, MemoryError):
        return False
    return "encryptedpackage" in names and "encryptioninfo" in names


def _biff_is_encrypted(data: bytes) -> bool:
    """Whether the globals substream of a BIFF ``Workbook`` stream holds a FILEPASS record."""
    if len(data) < 4 or struct.unpack_from("<H", data)[0] not in _BIFF_BOF:
        raise _DamagedError
    at = 0
    while at + 4 <= len(data):
        record, length = struct.unpack_from("<HH", data, at)
        if record == _BIFF_FILEPASS:
            return True
        if record == _BIFF_EOF:
            return False
        at += 4 + length
    return False
