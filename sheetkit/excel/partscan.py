"""Every part of a zip inflated once, as it really unpacks, before any reader opens the file.

The sizes a zip declares are claims. Python's zipfile stops at the declared size,
but the Rust readers behind fastexcel and calamine inflate a part to its end: a
2.4 MB file whose headers say 1 MB can unpack to 1.6 GB there. This module owns
:func:`check_parts`, which inflates each part in chunks (zlib is fast: ~0.2 s per
100 MB of sheet XML) while counting the bytes, and refuses the file as soon as a
part unpacks to more than it declares (a zip bomb that lies), or when a part is
shorter than declared, truncated or fails its checksum (damaged). Nothing is kept:
memory stays at a few chunks whatever the file.

The same pass feeds the guards of :mod:`~sheetkit.excel.cellguard`, so sheets whose
cells would make calamine allocate a huge grid, and shared strings with an absurd
``uniqueCount``, are refused before a Rust reader sees them. A sheet the quick
searches cannot clear is inflated again for a strict look at every chunk, and if
it is written in an unusual way, once more to be walked tag by tag.
"""

from __future__ import annotations

import queue
import struct
import threading
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, Final

from sheetkit.errors import UnsupportedFormatError
from sheetkit.excel.cellguard import CellExtents, FastCells, PartGuard, SharedStringsGuard
from sheetkit.excel.refusals import DAMAGED, bomb, human, not_spreadsheet

__all__ = ["check_parts"]

_READ_BYTES: Final = 1 << 20  # compressed bytes read at a time
_INFLATE_BYTES: Final = 4 << 20  # inflated bytes produced at a time
#: Parts larger than this are inflated in a thread, ahead of the checks.
_AHEAD_FROM: Final = 16 << 20
_LOCAL_HEADER: Final = struct.Struct("<4s22xHH")
_LOCAL_MAGIC: Final = b"PK\x03\x04"


def check_parts(stream: BinaryIO, zf: zipfile.ZipFile, file: Path, *, max_uncompressed: int) -> None:
    """Inflate every part of ``zf`` (read from ``stream``) and refuse what it really holds.

    Raises:
        UnsafeWorkbookError: a part unpacks to more than it declares, more than
            ``max_uncompressed`` in all, or holds cells or counts that would make a
            reader exhaust memory.
        UnsupportedFormatError: a part is damaged (truncated, shorter than declared,
            bad checksum, unknown compression).
    """
    total = 0
    unusual: list[zipfile.ZipInfo] = []
    for info in zf.infolist():
        cells = FastCells(file, info.filename)
        guards: list[PartGuard] = [cells]
        if info.filename.replace("\\", "/").lower().endswith("sharedstrings.xml"):
            guards.append(SharedStringsGuard(file, info.filename, info.file_size))
        total += _inflate(stream, info, file, guards, budget=max_uncompressed - total, limit=max_uncompressed)
        if cells.recheck:
            cells = FastCells(file, info.filename, strict=True)
            _inflate(stream, info, file, [cells], budget=info.file_size, limit=max_uncompressed)
        if cells.unusual:
            unusual.append(info)
    for info in unusual:
        _inflate(stream, info, file, [CellExtents(file, info.filename)], budget=info.file_size, limit=max_uncompressed)


def _damaged(file: Path, name: str, reason: str) -> UnsupportedFormatError:
    return UnsupportedFormatError(f"its internal part {name!r} {reason}, so {DAMAGED}", path=file)


def _seek_data(stream: BinaryIO, info: zipfile.ZipInfo, file: Path) -> None:
    """Position ``stream`` at the first compressed byte of ``info``."""
    if info.flag_bits & 0x1:
        raise not_spreadsheet(
            file,
            "a password-protected zip archive",
            "extract the workbook from it (you will need the password) and use the extracted file",
        )
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise _damaged(file, info.filename, "uses a compression method Excel and LibreOffice never use")
    stream.seek(info.header_offset)
    header = stream.read(_LOCAL_HEADER.size)
    if len(header) < _LOCAL_HEADER.size:
        raise _damaged(file, info.filename, "is missing")
    magic, name_length, extra_length = _LOCAL_HEADER.unpack(header)
    if magic != _LOCAL_MAGIC:
        raise _damaged(file, info.filename, "is missing")
    stream.seek(info.header_offset + _LOCAL_HEADER.size + name_length + extra_length)


def _inflate(
    stream: BinaryIO, info: zipfile.ZipInfo, file: Path, guards: list[PartGuard], *, budget: int, limit: int
) -> int:
    """Inflate one part chunk by chunk into ``guards``; return how many bytes it really holds.

    A large part is inflated one chunk ahead in a thread: zlib releases the GIL, so it
    runs while the guards search the previous chunk.
    """
    _seek_data(stream, info, file)
    if info.file_size > budget:
        raise bomb(file, f"it would expand to more than {human(limit)} when opened (the limit is {human(limit)})")
    chunks = _chunks(stream, info, file)
    if info.file_size > _AHEAD_FROM:
        chunks = _read_ahead(chunks)
    produced = 0
    for out in chunks:
        produced += len(out)
        for guard in guards:
            guard.feed(out)
    for guard in guards:
        guard.finish()
    return produced


def _chunks(stream: BinaryIO, info: zipfile.ZipInfo, file: Path) -> Iterator[bytes]:
    """The inflated bytes of one part, never more than one byte past its declared size; then checks the end."""
    declared = info.file_size
    inflater = zlib.decompressobj(-zlib.MAX_WBITS) if info.compress_type == zipfile.ZIP_DEFLATED else None
    produced = 0
    crc = 0
    left = info.compress_size
    while left > 0 and not (inflater is not None and inflater.eof):
        compressed = stream.read(min(left, _READ_BYTES))
        if not compressed:
            raise _damaged(file, info.filename, "is cut short")
        left -= len(compressed)
        while compressed:
            if inflater is None:
                out, compressed = compressed, b""
            else:
                # Never ask for more than one byte past the declared size: a lie shows at once.
                out = inflater.decompress(compressed, min(_INFLATE_BYTES, declared - produced + 1))
                compressed = inflater.unconsumed_tail
                if not out and compressed:
                    raise _damaged(file, info.filename, "cannot be unpacked")
            produced += len(out)
            if produced > declared:
                raise bomb(
                    file,
                    f"its part {info.filename!r} unpacks to more than the {human(declared)} its header declares",
                )
            crc = zlib.crc32(out, crc)
            yield out
            if inflater is not None and inflater.eof:
                break
    if inflater is not None and not inflater.eof:
        raise _damaged(file, info.filename, "is cut short")
    if produced != declared:
        raise _damaged(file, info.filename, f"holds {produced:,} bytes, not the {declared:,} bytes it declares")
    if crc != info.CRC:
        raise _damaged(file, info.filename, "fails its checksum (CRC)")


_DONE: Final = object()


def _read_ahead(chunks: Iterator[bytes]) -> Iterator[bytes]:
    """``chunks``, produced one step ahead in a thread; an error there is raised here, in order."""
    ready: queue.Queue[object] = queue.Queue(maxsize=1)
    stop = threading.Event()

    def offer(item: object) -> bool:
        """Hand ``item`` over, unless the reading thread has stopped listening."""
        while not stop.is_set():
            try:
                ready.put(item, timeout=0.1)
            except queue.Full:
                continue
            return True
        return False

    def produce() -> None:
        try:
            for chunk in chunks:
                if not offer(chunk):
                    return
            offer(_DONE)
        except BaseException as exc:  # handed to the reading thread, which raises it
            offer(exc)

    worker = threading.Thread(target=produce, name="sheetkit-inflate", daemon=True)
    worker.start()
    try:
        while (item := ready.get()) is not _DONE:
            if isinstance(item, BaseException):
                raise item
            yield item  # type: ignore[misc]
    finally:
        stop.set()
        worker.join()
