"""Who has a workbook open right now: Excel's owner file and LibreOffice's lock file beside it.

While someone edits ``BOOK.xlsx``, Excel keeps an owner file ``~$BOOK.xlsx`` in the same folder
(``~$`` in place of the first two characters of a long name in some versions) and LibreOffice a
lock file ``.~lock.BOOK.xlsx#``. What sheetkit reads is the last *saved* state: edits made since in
that application are not in it. :func:`open_elsewhere` finds these files and says who has the
workbook open and since when, as the file says; :func:`lock_issues` turns that into an
``open-elsewhere`` warning.

Formats, as the applications write them:

- Excel owner file (165 bytes): byte 0 is the length *n* of the user name, then the name in the
  system's ANSI code page padded with spaces to 54 bytes; then a 16-bit little-endian length and
  the same name in UTF-16LE. It holds no time: the file's modification time is when the
  workbook was opened.
- LibreOffice lock file: one CSV line ``Full name,system user,host,DD.MM.YYYY HH:MM,profile URL;``
  (LibreOffice's own order, svl's lockfilecommon; a comma, semicolon or backslash inside a field
  is escaped with a backslash).

Only a small prefix of each file is read, and nothing in it is trusted beyond text to show.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
import struct
from dataclasses import dataclass
from pathlib import Path

from sheetkit.issues import Issue, IssueFactory

__all__ = ["OpenElsewhere", "lock_issues", "open_elsewhere", "read_libreoffice_lock", "read_owner_file"]

#: Owner and lock files are a few hundred bytes; more than this is not one.
_MAX_BYTES = 4096
_ANSI_FIELD = 54
_LO_FIELD = re.compile(r"((?:\\.|[^,\\])*)(?:,|$)")


@dataclass(frozen=True)
class OpenElsewhere:
    """A workbook open in another application, as its lock file says."""

    #: "Excel" or "LibreOffice".
    app: str
    #: The name the application records for the person (may be empty when it records none).
    who: str
    #: When it was opened, "YYYY-MM-DD HH:MM" (local time), if known.
    since: str | None
    #: The lock or owner file itself.
    lock: Path


def open_elsewhere(book: Path | str) -> list[OpenElsewhere]:
    """Every application that has ``book`` open, by the owner and lock files beside it (none: empty)."""
    book = Path(book)
    found: list[OpenElsewhere] = []
    names = dict.fromkeys([f"~${book.name}", f"~${book.name[2:]}"])  # Excel; Word-style for long names
    for name in names:
        owner = book.with_name(name)
        if owner != book and owner.is_file():
            opened = read_owner_file(owner)
            if opened is not None:
                found.append(opened)
                break
    lock = book.with_name(f".~lock.{book.name}#")
    if lock.is_file():
        opened = read_libreoffice_lock(lock)
        if opened is not None:
            found.append(opened)
    return found


def read_owner_file(path: Path) -> OpenElsewhere | None:
    """The user recorded in an Excel owner file (``~$BOOK.xlsx``), or None when it is not one."""
    data = _head(path)
    if data is None or len(data) < 2:
        return None
    size = data[0]
    if size == 0 or size > _ANSI_FIELD - 1 or len(data) < 1 + size:
        return None
    who = data[1 : 1 + size].decode("cp1252", errors="replace")
    # The UTF-16 copy of the name has every character the ANSI one may have lost ("?" for 李).
    for offset in (_ANSI_FIELD, _ANSI_FIELD + 1):
        if len(data) >= offset + 2 + 2 * size and struct.unpack_from("<H", data, offset)[0] == size:
            wide = data[offset + 2 : offset + 2 + 2 * size]
            with contextlib.suppress(UnicodeDecodeError):
                who = wide.decode("utf-16-le")
            break
    return OpenElsewhere("Excel", who.strip(), _modified(path), path)


def read_libreoffice_lock(path: Path) -> OpenElsewhere | None:
    """The user, host and time recorded in a LibreOffice lock file (``.~lock.BOOK.xlsx#``)."""
    data = _head(path)
    if data is None:
        return None
    line = data.decode("utf-8", errors="replace").strip().splitlines()[0] if data.strip() else ""
    fields = [re.sub(r"\\(.)", r"\1", f) for f in _LO_FIELD.findall(line.rstrip(";"))]
    if len(fields) < 4:
        return None
    full_name, user, host, when = (f.strip() for f in fields[:4])
    account = f"{user}@{host}" if user and host else user or host
    who = f"{full_name} ({account})" if full_name and account else full_name or account
    since = _lo_time(when) or _modified(path)
    return OpenElsewhere("LibreOffice", who, since, path)


def lock_issues(book: Path | str, issues: IssueFactory) -> list[Issue]:
    """An ``open-elsewhere`` warning for each application that has ``book`` open."""
    unknown = "?"
    return [
        issues.make(
            "open-elsewhere",
            sheet="",
            value=opened.lock.name,
            app=opened.app,
            who=opened.who or unknown,
            since=opened.since or unknown,
        )
        for opened in open_elsewhere(book)
    ]


def _head(path: Path) -> bytes | None:
    try:
        with path.open("rb") as handle:
            return handle.read(_MAX_BYTES)
    except OSError:
        return None  # gone already (the application closed) or not readable: nothing to say


def _modified(path: Path) -> str | None:
    try:
        stamp = path.stat().st_mtime
    except OSError:
        return None
    return dt.datetime.fromtimestamp(stamp).strftime("%Y-%m-%d %H:%M")  # local time, as staff see it


def _lo_time(text: str) -> str | None:
    try:
        return dt.datetime.strptime(text, "%d.%m.%Y %H:%M").strftime("%Y-%m-%d %H:%M")  # local time
    except ValueError:
        return None
