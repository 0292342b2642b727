"""Read a branch workbook file (.xlsx, .xls, .ods): sniff it, open its raw cells, read it as any source.

The file is pinned (:mod:`~sheetkit.excel.pinned`) from sniffing to the last cell,
so every reader sees the bytes the safety checks saw. When the file was saved,
replaced or cut short meanwhile, the reader says so (:class:`WorkbookChangedError`)
rather than report the half-written file as damaged.

An Office-encrypted workbook is read with its ``password``: this is the one place
every read of a file goes through, so check, report, a chain of files, upgrade and
the privacy commands all open it the same way. It is decrypted into memory
(:mod:`~sheetkit.excel.crypto`), then sniffed and read like any workbook.
"""

from __future__ import annotations

from pathlib import Path

from sheetkit.errors import WorkbookChangedError, WorkbookPasswordError
from sheetkit.excel.cells import open_raw
from sheetkit.excel.lockfile import lock_issues
from sheetkit.excel.pinned import PinnedFile
from sheetkit.excel.sniff import pin_workbook, sniff_pinned
from sheetkit.read.workbook import Workbook, read_source
from sheetkit.template import Template, load_template

__all__ = ["read_workbook"]


def read_workbook(path: Path | str, *, template: Template | None = None, password: str | None = None) -> Workbook:
    """Read a branch workbook into typed canonical frames.

    ``password`` opens a workbook encrypted with Excel's or LibreOffice's "Encrypt
    with Password" (ignored for a workbook without one).

    Raises a sheetkit error only for unusable input (missing file, not a
    spreadsheet, encrypted without the right password, unsafe, missing sheet,
    other template, changed while being read); everything else is an Issue in
    ``Workbook.issues``.
    """
    template = template or load_template()
    source = Path(path)
    with pin_workbook(source) as pinned:
        try:
            book = _read_pinned(pinned, source, template, password)
        except Exception:
            if pinned.changed():
                raise WorkbookChangedError(source) from None
            raise
        if pinned.changed():
            raise WorkbookChangedError(source)
        book.issues[:0] = lock_issues(source, book.issue_factory)  # open in Excel or LibreOffice: unsaved edits
        return book


def _read_pinned(pinned: PinnedFile, source: Path, template: Template, password: str | None) -> Workbook:
    try:
        kind = sniff_pinned(pinned)
    except WorkbookPasswordError:
        if password is None:
            raise
        from sheetkit.excel.crypto import decrypted  # noqa: PLC0415  # msoffcrypto loads only for encrypted files

        with decrypted(pinned, password) as plain:
            kind = sniff_pinned(plain)  # the decrypted package passes every safety check of a plain one
            return read_source(open_raw(source, kind, source=plain.source), path=source, kind=kind, template=template)
    return read_source(open_raw(source, kind, source=pinned.source), path=source, kind=kind, template=template)
