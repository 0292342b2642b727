"""Is this file a sheetkit workbook? Cheap: only the list of sheets is read.

The report refuses to write over one, and ``new``/``demo`` keep a backup before replacing one.
"""

from __future__ import annotations

import html as html_text
import re
import zipfile
from pathlib import Path
from typing import Final

from python_calamine import CalamineWorkbook

from sheetkit.errors import EncryptedWorkbookError, SheetkitError, WorkbookPasswordError
from sheetkit.excel.crypto import decrypted
from sheetkit.excel.sniff import pin_workbook, sniff_pinned, sniff_workbook
from sheetkit.template import load_template

__all__ = ["is_sheetkit_workbook"]

_WORKBOOK_XML_LIMIT: Final = 8 * 1024 * 1024
_SHEET_NAME: Final = re.compile(rb"<(?:\w+:)?sheet\b[^>]*?\bname=\"([^\"]*)\"")


def _about_names() -> frozenset[str]:
    template = load_template()
    return frozenset(template.labels(locale).sheet_name("about") for locale in template.locales)


def is_sheetkit_workbook(path: Path | str, *, password: str | None = None) -> bool:
    """True when ``path`` is a workbook with sheetkit's About sheet; cheap (it reads only the list of sheets).

    A password-protected workbook that ``password`` does not open cannot be looked
    into and counts as one; a file that is no workbook at all does not.
    """
    file = Path(path)
    if not file.is_file():
        return False
    try:
        kind = sniff_workbook(file)
    except WorkbookPasswordError:
        return True if password is None else _encrypted_is_sheetkit(file, password)
    except EncryptedWorkbookError:
        return True
    except SheetkitError:
        return False
    try:
        names = _xlsx_sheet_names(file) if kind == "xlsx" else _calamine_sheet_names(file)
    except (OSError, KeyError, zipfile.BadZipFile, ValueError):
        return False
    return not names.isdisjoint(_about_names())


def _encrypted_is_sheetkit(file: Path, password: str) -> bool:
    """Whether an encrypted workbook holds sheetkit's About sheet; True when ``password`` does not open it."""
    try:
        with pin_workbook(file) as pinned, decrypted(pinned, password) as plain:
            if sniff_pinned(plain) != "xlsx":
                return False
            names = _xlsx_sheet_names(Path(plain.source))
    except SheetkitError:
        return True
    except (OSError, KeyError, zipfile.BadZipFile, ValueError):
        return False
    return not names.isdisjoint(_about_names())


def _xlsx_sheet_names(file: Path) -> set[str]:
    with zipfile.ZipFile(file) as zf, zf.open("xl/workbook.xml") as part:
        head = part.read(_WORKBOOK_XML_LIMIT)
    return {html_text.unescape(name.decode("utf-8")) for name in _SHEET_NAME.findall(head)}


def _calamine_sheet_names(file: Path) -> set[str]:
    try:
        with file.open("rb") as handle:
            return set(CalamineWorkbook.from_filelike(handle).sheet_names)
    except Exception:  # calamine raises its own error types for a damaged file: no workbook to protect
        return set()
