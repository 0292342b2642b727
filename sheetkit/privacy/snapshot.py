"""A local .xlsx copy of every value of a Google Sheet, kept before sheetkit changes it.

Google's version history keeps earlier versions too, but only in Google and only for people
who can edit the spreadsheet; this copy sits beside the manager's working files. It holds
the values as read (``UNFORMATTED_VALUE``): text as text (never a formula), numbers as
numbers, booleans as booleans, and date cells of the template's date columns as the same
serial numbers shown as dates. Formulas are not copied, their results are. Each tab becomes
a sheet of the same name (shortened or made unique where Excel's sheet names require it).

With a password the copy is Office-encrypted (AES-256): it holds the person's data.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

import xlsxwriter

from sheetkit.errors import WorkbookWriteError
from sheetkit.excel.crypto import check_password, encrypt_workbook
from sheetkit.files import scratch_beside, write_atomically
from sheetkit.privacy.sheet_cells import SheetValues

__all__ = ["excel_sheet_names", "file_stem", "free_name", "write_snapshot"]

_MAX_TEXT: Final = 32_767
_MAX_ROWS: Final = 1_048_576
_MAX_COLUMNS: Final = 16_384
_MAX_SHEET_NAME: Final = 31
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
_BAD_FILE_CHARS = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]+')
_FORMATS: Final = {"date": "yyyy-mm-dd", "datetime": "yyyy-mm-dd hh:mm"}


def file_stem(title: str, key: str) -> str:
    """A file name stem from a spreadsheet's title (characters no file system takes replaced).

    >>> file_stem("Salon: Milano / 2026", "1AbC"), file_stem("", "1AbCdEfGhIj")
    ('Salon_ Milano _ 2026', 'spreadsheet-1AbCdEfG')
    """
    stem = _BAD_FILE_CHARS.sub("_", title).strip(" ._")[:80].strip(" ._")
    return stem or f"spreadsheet-{key[:8]}"


def free_name(folder: Path, stem: str, suffix: str) -> Path:
    """``folder/stem+suffix``, or ``stem-2``, ``-3``... when that name is taken."""
    number = 1
    candidate = folder / f"{stem}{suffix}"
    while candidate.exists() or candidate.is_symlink():
        number += 1
        candidate = folder / f"{stem}-{number}{suffix}"
    return candidate


def excel_sheet_names(titles: list[str]) -> dict[str, str]:
    """Tab title -> an Excel sheet name: at most 31 characters, none of ``[]:*?/\\``, unique in any case."""
    out: dict[str, str] = {}
    taken: set[str] = set()
    for title in titles:
        base = _BAD_SHEET_CHARS.sub("_", title).strip("'")[:_MAX_SHEET_NAME] or "Sheet"
        name, number = base, 1
        while name.casefold() in taken:
            number += 1
            tail = f"~{number}"
            name = base[: _MAX_SHEET_NAME - len(tail)] + tail
        taken.add(name.casefold())
        out[title] = name
    return out


def write_snapshot(
    path: Path,
    values: SheetValues,
    *,
    dates: Mapping[str, Mapping[int, str]],
    stamp: dt.datetime,
    password: str | None = None,
) -> Path:
    """Write every value of ``values`` to the new file ``path`` (.xlsx); refuse what .xlsx cannot hold.

    ``dates`` gives, per tab, the columns whose numbers are dates (``date`` or ``datetime``).
    Nothing is written when a tab or a text is too large for .xlsx (WorkbookWriteError).
    """
    if password is not None:
        check_password(password)
    _check_fits(path, values)
    with write_atomically(path, overwrite=False) as (tmp,), scratch_beside(path) as scratch:
        if password is None:
            _write(tmp, values, dates, stamp, scratch)
        else:  # built in memory and encrypted there: the plain copy never touches the disk
            package = io.BytesIO()
            _write(package, values, dates, stamp, scratch)
            tmp.write_bytes(encrypt_workbook(package.getvalue(), password))
    return path


def _check_fits(path: Path, values: SheetValues) -> None:
    for title, grid in values.values.items():
        width = max((len(r) for r in grid), default=0)
        if len(grid) > _MAX_ROWS or width > _MAX_COLUMNS:
            raise WorkbookWriteError(
                f"the {title} tab has more rows or columns than an .xlsx sheet can hold; no backup, nothing changed",
                path=path,
            )
        for r, row in enumerate(grid):
            for value in row:
                if isinstance(value, str) and len(value) > _MAX_TEXT:
                    raise WorkbookWriteError(
                        f"row {r + 1} of the {title} tab holds a text longer than an .xlsx cell can hold; "
                        "no backup, nothing changed",
                        path=path,
                    )


def _write(
    target: Path | io.BytesIO,
    values: SheetValues,
    dates: Mapping[str, Mapping[int, str]],
    stamp: dt.datetime,
    scratch: Path,
) -> None:
    wb = xlsxwriter.Workbook(
        str(target) if isinstance(target, Path) else target,
        {
            "in_memory": not isinstance(target, Path),
            "tmpdir": str(scratch),
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
            "constant_memory": True,
        },
    )
    wb.set_properties(
        {
            "title": "Google Sheet before sheetkit forget",
            "comments": f"Values of spreadsheet {values.key} read at {stamp.replace(microsecond=0).isoformat()}",
            "created": stamp,
        }
    )
    formats = {kind: wb.add_format({"num_format": code}) for kind, code in _FORMATS.items()}
    names = excel_sheet_names(values.titles)
    try:
        for title in values.titles:
            ws = wb.add_worksheet(names[title])
            kinds = dates.get(title, {})
            for r, row in enumerate(values.values[title]):
                for c, value in enumerate(row):
                    _put(ws, r, c, value, formats.get(kinds.get(c, "")))
    finally:
        wb.close()


def _put(ws: Any, r: int, c: int, value: Any, date_format: Any) -> None:
    if value is None or value == "":
        return
    if isinstance(value, bool):
        ws.write_boolean(r, c, value)
    elif isinstance(value, (int, float)):
        if date_format is not None:
            ws.write_number(r, c, value, date_format)
        else:
            ws.write_number(r, c, value)
    else:
        ws.write_string(r, c, str(value))
