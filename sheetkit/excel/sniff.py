"""Tell what a workbook file really is, from its bytes, before anything parses it.

This module owns :func:`sniff_workbook`, the gate every reader goes through first.
It looks at content only, never at the extension, and returns ``"xlsx"``, ``"xls"``
or ``"ods"``, or raises a :mod:`sheetkit.errors` exception whose message says what to
do: a CSV or web page renamed to .xlsx, Excel's ``~$`` lock file, an empty or
half-copied file, a password-protected workbook, a zip bomb or an XML entity bomb.
An Office-encrypted .xlsx raises :class:`~sheetkit.errors.WorkbookPasswordError`:
:func:`sheetkit.read_workbook` then decrypts it in memory when given the password
(:mod:`~sheetkit.excel.crypto`) and sniffs the decrypted package like any other.

It uses the standard library only: the zip central directory, a few small entries,
the first 4 KiB of each XML part (:mod:`~sheetkit.excel.zipcheck`), then every part
inflated once in chunks to measure what it really holds (:mod:`~sheetkit.excel.partscan`),
and for OLE2 files (``.xls``, password-encrypted ``.xlsx``) the compound-file
directory and the first records of the ``Workbook`` stream, parsed minimally
(:mod:`~sheetkit.excel.compound`). Anything else is refused with a message saying
what the file is (:mod:`~sheetkit.excel.refusals`).
"""

from __future__ import annotations

from contextlib import suppress
from pathlib import Path
from typing import Final, Literal

from sheetkit.errors import UnsupportedFormatError
from sheetkit.excel.compound import CFB_MAGIC, sniff_cfb
from sheetkit.excel.pinned import PinnedFile, pin_file, unreadable
from sheetkit.excel.refusals import other_refusal
from sheetkit.excel.zipcheck import (
    MAX_ENTRIES,
    MAX_RATIO,
    MAX_UNCOMPRESSED,
    RATIO_MIN_SIZE,
    XML_HEAD_BYTES,
    ZIP_MAGICS,
    check_zip_safety,
    sniff_zip,
)

__all__ = [
    "MAX_ENTRIES",
    "MAX_RATIO",
    "MAX_UNCOMPRESSED",
    "RATIO_MIN_SIZE",
    "XML_HEAD_BYTES",
    "Format",
    "check_zip_safety",
    "pin_workbook",
    "sniff_pinned",
    "sniff_workbook",
]

Format = Literal["xlsx", "xls", "ods"]

_HEAD_BYTES: Final = 8192
_LOCK_FILE_MAX: Final = 4096  # Excel's owner file is 165 bytes

_EMPTY: Final = (
    "the file is empty (0 bytes), so it was not saved or copied completely; "
    "use the original workbook, or open it in Excel and save it again"
)


def sniff_workbook(
    path: Path | str,
    *,
    max_uncompressed: int = MAX_UNCOMPRESSED,
    max_entries: int = MAX_ENTRIES,
    max_ratio: float = MAX_RATIO,
    ratio_min_size: int = RATIO_MIN_SIZE,
) -> Format:
    """Return the format of the workbook at ``path``, judged by content alone.

    Raises:
        WorkbookNotFoundError: no file at ``path``.
        WorkbookError: a folder, or a file that cannot be read (permissions).
        UnsupportedFormatError: empty, damaged, a lock file, or not a spreadsheet
            (CSV, HTML, PDF, a Word document...); the message says which.
        WorkbookPasswordError: an Office-encrypted .xlsx (readable with its password).
        EncryptedWorkbookError: another password-protected workbook (.xls, .ods).
        UnsafeWorkbookError: a zip bomb or an XML entity bomb (see the limits).
    """
    with pin_workbook(path) as pinned:
        return sniff_pinned(
            pinned,
            max_uncompressed=max_uncompressed,
            max_entries=max_entries,
            max_ratio=max_ratio,
            ratio_min_size=ratio_min_size,
        )


def pin_workbook(path: Path | str) -> PinnedFile:
    """Open the workbook file at ``path`` for sniffing and reading; refuse Excel's and LibreOffice's lock files."""
    file = Path(path)
    with suppress(OSError, ValueError):
        _refuse_lock_file(file, file.stat().st_size)
    return pin_file(file)


def sniff_pinned(
    pinned: PinnedFile,
    *,
    max_uncompressed: int = MAX_UNCOMPRESSED,
    max_entries: int = MAX_ENTRIES,
    max_ratio: float = MAX_RATIO,
    ratio_min_size: int = RATIO_MIN_SIZE,
) -> Format:
    """:func:`sniff_workbook` of a file already pinned (the bytes judged are the bytes later read)."""
    file, size = pinned.path, pinned.size
    _refuse_lock_file(file, size)
    if size == 0:
        raise UnsupportedFormatError(_EMPTY, path=file)
    try:
        with pinned.open() as stream:
            head = stream.read(_HEAD_BYTES)
            if head.startswith(ZIP_MAGICS):
                return sniff_zip(
                    stream,
                    file,
                    size,
                    max_uncompressed=max_uncompressed,
                    max_entries=max_entries,
                    max_ratio=max_ratio,
                    ratio_min_size=ratio_min_size,
                )
            if head.startswith(CFB_MAGIC):
                return sniff_cfb(stream, file, size)
    except OSError as exc:
        raise unreadable(file, exc) from None
    raise other_refusal(file, head)


# --------------------------------------------------------------------------- files


def _refuse_lock_file(file: Path, size: int) -> None:
    name = file.name
    if name.startswith("~$") and size <= _LOCK_FILE_MAX:
        raise UnsupportedFormatError(
            "this is the lock file Excel creates while a workbook is open, not the workbook itself; "
            f"open the real file instead (the same name without '~$', such as {name[2:]!r}). "
            "If Excel is closed and this file stays behind, you can delete it",
            path=file,
        )
    if name.startswith(".~lock.") and name.endswith("#"):
        real = name[len(".~lock.") : -1]
        raise UnsupportedFormatError(
            f"this is the lock file LibreOffice creates while {real!r} is open, not the workbook itself; "
            f"open {real!r} instead",
            path=file,
        )
