"""``sheetkit gsheets forget``: erase one client from a branch Google Sheet, with backup, verification and a log.

The erasure rules are those of the .xlsx ``forget`` (:func:`~sheetkit.privacy.erasure.plan_erasure`:
tombstone, kept visits, appointments and feedback emptied of personal data, PatchTests, Consents
and FollowUps rows removed, ``referred_by`` links emptied). The steps, in order:

1. read the spreadsheet: tab list (1 read), every value and every formula (2 reads);
2. plan the cells that change (:mod:`sheetkit.privacy.sheet_cells`) and look in the planned
   result for the person's ID, name, phone and e-mail; any found (in another client's notes,
   in a staff tab) refuses the erasure, naming the cells, before anything is written;
3. write a local .xlsx copy of every value, ``<title>.before-forget-YYYYMMDD.xlsx`` in the
   working folder (:mod:`sheetkit.privacy.snapshot`); Google's version history
   (File > Version history) keeps the earlier versions as well;
4. send the changes as ONE ``spreadsheets.batchUpdate`` (1 write), applied by Google entirely
   or not at all, text stored as text, never parsed (the RAW of a batchUpdate);
5. read the values again (1 read): every cell that is not a formula must read as planned, and
   no cell may still hold the person (formula cells included, now computed);
6. add an entry to ``<title>.erasures.jsonl`` in the working folder, in the format of the
   .xlsx erasure log (no personal data), and list the copies sheetkit cannot reach.

Every request goes through :class:`~sheetkit.gsheets.client.SheetsClient`: within quota,
transient failures retried; the write is not resent once it may have reached Google. Staff
should not edit the spreadsheet while it runs: a change made meanwhile is reported by step 5.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from pathlib import Path
from typing import Any

from sheetkit.errors import SheetsError, UsageError, WorkbookError
from sheetkit.gsheets.client import SheetsClient
from sheetkit.gsheets.reader import read_gsheet_values
from sheetkit.privacy.access import access_labels
from sheetkit.privacy.erasure import plan_erasure
from sheetkit.privacy.forget import append_erasure_log, erasure_entry, leftover_message, usual_copies, wanted_client
from sheetkit.privacy.pseudonyms import KEY_BYTES, load_key
from sheetkit.privacy.sheet_cells import (
    cell_requests,
    date_columns,
    differences,
    expected_values,
    leftovers,
    read_spreadsheet,
    reread,
)
from sheetkit.privacy.snapshot import file_stem, free_name, write_snapshot
from sheetkit.template import Template, load_template

__all__ = ["forget_gsheet_client", "gsheet_erasure_log_path", "unreachable_gsheet_copies"]

log = logging.getLogger(__name__)

#: Cells named in an error message, at most.
_SHOWN: int = 5


def gsheet_erasure_log_path(folder: Path | str, title: str, spreadsheet: str) -> Path:
    """The erasure log of a Google Sheet in the working folder: ``<title>.erasures.jsonl``."""
    return Path(folder) / f"{file_stem(title, spreadsheet)}.erasures.jsonl"


def forget_gsheet_client(  # long because each step is one line of the module docstring's sequence
    client: SheetsClient,
    spreadsheet: str,
    client_id: str,
    *,
    when: dt.datetime,
    folder: Path | str = ".",
    reason: str | None = None,
    key_file: Path | str | None = None,
    password: str | None = None,
    template: Template | None = None,
) -> dict[str, Any]:
    """Erase ``client_id`` from the branch Google Sheet ``spreadsheet``; return what was done (no personal data).

    ``folder`` is the working folder for the backup copy and the erasure log; ``when`` the time of the
    erasure. ``key_file`` names the client in the log by the pseudonym of your extracts (never created
    here); ``password`` encrypts the backup copy. Costs 4 reads and 1 write of the quota.

    Refused with nothing changed: an unknown or already erased ID (UsageError); the person's name, phone
    or e-mail in cells that are not theirs (WorkbookError naming the cells, never the value). Raises
    SheetsError when the check after the change fails (the backup and Google's version history hold
    the spreadsheet as it was).
    """
    template = template or load_template()
    wanted = wanted_client(None, client_id, template)
    out = Path(folder)
    if not out.is_dir():
        raise UsageError(f"{out}: no such folder for the backup and the erasure log")
    key = load_key(key_file, create=False)[0] if key_file is not None else secrets.token_bytes(KEY_BYTES)
    used = dict(client.stats.requests)
    before = read_spreadsheet(client, spreadsheet)
    book = read_gsheet_values(before.values, spreadsheet=spreadsheet, titles=before.titles, template=template)
    wanted_client(book.data, wanted, template)
    erased_label = access_labels(template, book.locale)["erased_client"]
    erasure = plan_erasure(book.data, wanted, key=key, template=template, erased_label=erased_label)
    expected = expected_values(before, book, erasure, template)
    planned = {t: expected.get(t, grid) for t, grid in before.values.items()}
    planned_book = read_gsheet_values(planned, spreadsheet=spreadsheet, titles=before.titles, template=template)
    found, _ = leftovers(planned, before.formulas, planned_book, erasure.identifiers, template, computed=False)
    if found:
        raise WorkbookError(leftover_message(found), path=f"gsheets:{spreadsheet}")
    requests, written = cell_requests(before, expected)
    stem = file_stem(before.title, spreadsheet)
    backup = free_name(out, f"{stem}.before-forget-{when:%Y%m%d}", ".xlsx")
    write_snapshot(backup, before, dates=date_columns(book, template), stamp=when, password=password)
    log.info("backup of spreadsheet %s written to %s", spreadsheet, backup)
    client.batch_update(spreadsheet, requests)
    after = reread(client, before)
    wrong, verified = differences(before, expected, after)
    after_book = read_gsheet_values(after.values, spreadsheet=spreadsheet, titles=after.titles, template=template)
    still, namesakes = leftovers(
        after.values, before.formulas, after_book, erasure.identifiers, template, computed=True
    )
    if wrong or still:
        raise SheetsError(_failed(wrong, still, backup), spreadsheet=spreadsheet)
    entry = erasure_entry(
        erasure, when=when, workbook=f"gsheets:{spreadsheet}", key=key if key_file is not None else None, reason=reason
    )
    log_file = append_erasure_log(
        gsheet_erasure_log_path(out, before.title, spreadsheet), {**entry, "backup": backup.name}
    )
    log.info("erased one client from spreadsheet %s (%s); log %s", spreadsheet, erasure.tombstone, log_file)
    requests_used = {kind: n - used.get(kind, 0) for kind, n in client.stats.requests.items()}
    return {
        "spreadsheet": spreadsheet,
        "client_id": wanted,
        "pseudonym": erasure.pseudonym,
        "tombstone": erasure.tombstone,
        "removed": erasure.removed,
        "namesakes": namesakes,
        "backup": str(backup),
        "log": str(log_file),
        "cells_written": written,
        "update_requests": len(requests),
        "verified_cells": verified,
        "requests": requests_used,
        "unreachable": unreachable_gsheet_copies(
            out, stem, backup, pseudonym=erasure.pseudonym if key_file is not None else None
        ),
    }


def _failed(wrong: list[str], still: list[str], backup: Path) -> str:
    parts = []
    if wrong:
        more = f" and {len(wrong) - _SHOWN} more" if len(wrong) > _SHOWN else ""
        parts.append(
            f"{len(wrong)} cell(s) do not read as written ({', '.join(wrong[:_SHOWN])}{more}): someone may have "
            "edited the spreadsheet meanwhile"
        )
    if still:
        parts.append(f"the client is still found in {len(still)} cell(s) ({', '.join(still[:_SHOWN])})")
    return (
        f"the check after the erasure failed: {'; '.join(parts)}. The values before are in {backup}, and "
        "File > Version history in Google Sheets holds the spreadsheet as it was"
    )


def unreachable_gsheet_copies(folder: Path, stem: str, backup: Path, *, pseudonym: str | None) -> list[str]:
    """What may still hold the erased client and sheetkit cannot change, in English, one line each."""
    lines = [f"backup copy written before the erasure (it holds the client): {backup}"]
    try:
        older = sorted(p for p in folder.glob(f"{stem}.before-forget-*.xlsx") if p != backup)
    except OSError:
        older = []
    lines += [f"backup copy of an earlier erasure: {p}" for p in older]
    lines.append(
        "Google Sheets' version history (File > Version history) still shows the client in earlier versions: "
        "to drop them, the owner makes a copy (a copy starts without history), shares it as before, puts its "
        "key in the branch registry, then deletes the original and empties the Drive trash"
    )
    lines.append(
        "chain folders of 'sheetkit gsheets pull --out', chain reports and downloads of the spreadsheet made "
        "before today hold the client: make them again"
    )
    return lines + usual_copies(pseudonym)
