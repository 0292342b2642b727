"""``sheetkit forget``: erase one client from a workbook file, with backup, verification and an erasure log.

The erasure itself is :func:`sheetkit.privacy.erasure.erase_frames`; the file is
regenerated from its own values by :func:`sheetkit.excel.upgrade.rewrite_workbook`
(every cell the erasure did not change is verified unchanged, a backup is kept
beside the workbook, the workbook is replaced in one atomic rename). Before
writing, and again on the file as written, every cell is searched for the client's
ID, name, phone and e-mail (:func:`~sheetkit.privacy.erasure.leftover_cells`).

The erasure log ``NAME.erasures.jsonl`` beside the workbook gets one JSON line per
erasure: date, the client's pseudonym and tombstone ID, what was removed (counts
per sheet and column), the reason as given, the backup's file name. It holds no
personal data, provided the reason holds none (the command's help says so).

What sheetkit cannot reach is listed for the person doing the erasure: the
backups and reports beside the workbook (found by name), reports already
e-mailed, extracts, and copies elsewhere.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import secrets
from pathlib import Path
from typing import Any, Final

from sheetkit.errors import UsageError, WorkbookError, WorkbookWriteError
from sheetkit.excel.reader import read_workbook
from sheetkit.excel.upgrade import rewrite_workbook
from sheetkit.files import write_atomically
from sheetkit.frames import WorkbookData
from sheetkit.privacy.access import access_labels
from sheetkit.privacy.erasure import Erasure, erase_frames, leftover_cells
from sheetkit.privacy.extract import sheet_frames
from sheetkit.privacy.pseudonyms import KEY_BYTES, is_tombstone, key_fingerprint, load_key
from sheetkit.template import Labels, Template, load_template

__all__ = [
    "append_erasure_log",
    "erasure_entry",
    "erasure_log_path",
    "forget_client",
    "leftover_message",
    "unreachable_copies",
    "usual_copies",
    "wanted_client",
]

log = logging.getLogger(__name__)

_SPREADSHEETS: Final = frozenset({".xlsx", ".xlsm", ".xls", ".ods", ".csv", ".bak"})
_REPORTS: Final = frozenset({".html", ".htm", ".pdf"})
#: Leftover cells named in the refusal, at most.
_SHOWN_CELLS: Final = 5


def erasure_log_path(book: Path | str) -> Path:
    """The erasure log beside a workbook: ``salon.xlsx`` -> ``salon.erasures.jsonl``."""
    path = Path(book)
    return path.with_name(f"{path.stem}.erasures.jsonl")


def forget_client(
    book: Path | str,
    client_id: str,
    *,
    when: dt.datetime,
    reason: str | None = None,
    key_file: Path | str | None = None,
    password: str | None = None,
    template: Template | None = None,
) -> dict[str, Any]:
    """Erase ``client_id`` from the workbook file ``book``; return what was done (no personal data).

    ``when`` is the time of the erasure (for the log and the backup's name).
    ``key_file`` is the pseudonym key of the extracts (:func:`~sheetkit.privacy.write_extract`): the log then
    names the client by the pseudonym those extracts use, so their rows can be found; without it a one-off key
    is used and nothing links the log entry to any extract. It is never created here.

    Refused, with nothing changed: a client ID not on the Clients sheet or already erased (UsageError); the
    client's name, phone or e-mail inside other clients' cells (WorkbookError naming the cells, never the value:
    staff edit those cells first).
    """
    template = template or load_template()
    path = Path(book)
    wanted = wanted_client(None, client_id, template)
    key = load_key(key_file, create=False)[0] if key_file is not None else secrets.token_bytes(KEY_BYTES)
    first = read_workbook(path, template=template, password=password)
    labels = template.labels(first.locale)
    wanted_client(first.data, wanted, template)
    erased_label = access_labels(template, first.locale)["erased_client"]
    done: list[Erasure] = []

    def transform(data: WorkbookData) -> WorkbookData:
        erasure = erase_frames(data, wanted, key=key, template=template, erased_label=erased_label)
        leftovers, _ = leftover_cells(erasure.data, erasure.identifiers, template=template)
        if leftovers:
            raise WorkbookError(_leftover_message(leftovers, labels, template))
        done.append(erasure)
        return erasure.data

    # an encrypted workbook is written encrypted with the same password; its backup is the encrypted original
    result = rewrite_workbook(path, transform, today=when.date(), template=template, password=password)
    erasure = done[0]
    after = read_workbook(path, template=template, password=password)
    leftovers, namesakes = leftover_cells(after.data, erasure.identifiers, template=template)
    if leftovers:  # the rewrite verified every cell; this is a second look at the file as written
        raise WorkbookWriteError(
            f"the client is still found in {len(leftovers)} cell(s) after the erasure; the workbook as it was "
            f"is kept as {result.backup}",
            path=path,
        )
    backup = None if result.backup is None else result.backup.name
    entry = erasure_entry(
        erasure, when=when, workbook=path.name, key=key if key_file is not None else None, reason=reason
    )
    log_file = append_erasure_log(erasure_log_path(path), {**entry, "backup": backup})
    log.info("erased one client from %s (%s); log %s", path, erasure.tombstone, log_file)
    return {
        "workbook": str(path),
        "client_id": wanted,
        "pseudonym": erasure.pseudonym,
        "tombstone": erasure.tombstone,
        "removed": erasure.removed,
        "namesakes": namesakes,
        "backup": None if result.backup is None else str(result.backup),
        "log": str(log_file),
        "verified_cells": result.verified,
        "unreachable": unreachable_copies(path, pseudonym=erasure.pseudonym if key_file is not None else None),
    }


def wanted_client(data: WorkbookData | None, client_id: object, template: Template) -> str:
    """The client ID to erase, trimmed; UsageError when empty, a tombstone, or (given ``data``) not a client."""
    wanted = str(client_id).strip()
    if not wanted:
        raise UsageError("give the client's ID")
    if is_tombstone(wanted):
        raise UsageError(f"{wanted} is the ID of a client already erased")
    if data is not None:
        clients = sheet_frames(data, template)["clients"]
        ids = clients["client_id"].astype("string").str.strip()
        if not ids.eq(wanted).fillna(False).any():
            raise UsageError(f"no client with ID {wanted!r} on the Clients sheet")
    return wanted


def _leftover_message(leftovers: list[tuple[str, int, str]], labels: Labels, template: Template) -> str:
    cells = []
    for sheet, row, column in leftovers:
        try:
            header = labels.header(sheet, column) if column in template.sheet(sheet).keys else column
        except KeyError:
            header = column
        cells.append(f"{labels.sheet_name(sheet)} row {row} ({header})")
    return leftover_message(cells)


def leftover_message(cells: list[str]) -> str:
    """Why an erasure is refused: the cells (named as staff see them, never their values) to edit first."""
    more = f" and {len(cells) - _SHOWN_CELLS} more" if len(cells) > _SHOWN_CELLS else ""
    return (
        f"the client's name, phone, e-mail or ID is also written in other rows: {'; '.join(cells[:_SHOWN_CELLS])}"
        f"{more}. Edit those cells first (they belong to other clients' records); nothing was changed"
    )


def erasure_entry(
    erasure: Erasure, *, when: dt.datetime, workbook: str, key: bytes | None, reason: str | None
) -> dict[str, Any]:
    """The erasure log's entry, without personal data (``key`` None: a one-off key, nothing links to extracts)."""
    return {
        "date": when.replace(microsecond=0).isoformat(),
        "workbook": workbook,
        "pseudonym": erasure.pseudonym,
        "tombstone": erasure.tombstone,
        "key": key_fingerprint(key) if key is not None else "one-off",
        "removed": erasure.removed,
        "reason": reason or "",
    }


def append_erasure_log(file: Path, entry: dict[str, Any]) -> Path:
    """Add one line to the log (the whole file is rewritten atomically: a crash never leaves half a line)."""
    try:
        before = file.read_text(encoding="utf-8") if file.exists() else ""
    except (OSError, UnicodeDecodeError) as exc:
        raise WorkbookWriteError(f"the erasure log cannot be read ({type(exc).__name__})", path=file) from None
    if before and not before.endswith("\n"):
        before += "\n"
    with write_atomically(file, overwrite=True) as (tmp,):
        tmp.write_text(before + json.dumps(entry, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8")
    return file


def unreachable_copies(book: Path, *, pseudonym: str | None) -> list[str]:
    """What may still hold the erased client and sheetkit cannot change, in English, one line each."""
    lines: list[str] = []
    folder = book.parent
    stem = book.stem
    try:
        names = sorted(p for p in folder.iterdir() if p.is_file() and p != book)
    except OSError:
        names = []
    for other in names:
        name = other.name
        if not (name.startswith((f"{stem}.", f"{stem}-", f"{stem}_", "~$"))):
            continue
        suffix = other.suffix.lower()
        if name == erasure_log_path(book).name:
            continue
        if suffix in _REPORTS or "weekly" in name.lower():
            lines.append(f"report written before the erasure: {other}")
        elif suffix in _SPREADSHEETS:
            lines.append(f"backup or copy of the workbook: {other}")
    return lines + usual_copies(pseudonym)


def usual_copies(pseudonym: str | None) -> list[str]:
    """The copies every erasure leaves out of reach, whatever held the client: mail, extracts, elsewhere."""
    lines = ["weekly reports already e-mailed (sheetkit report --mail-to) stay in the recipients' mailboxes"]
    if pseudonym is not None:
        lines.append(f"pseudonymised extracts made with this key hold the client as {pseudonym}: delete those rows")
    else:
        lines.append("pseudonymised extracts made before today still hold the client's rows: make them again")
    lines.append("copies elsewhere: other computers, cloud sync and its version history, USB drives, printouts")
    return lines
