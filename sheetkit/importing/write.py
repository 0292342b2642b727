"""Writing an import: a new workbook, or the rows appended to an existing one (backup, verification, atomic replace).

A new workbook is written by sheetkit's writer (:func:`sheetkit.write_excel`). An
existing one is regenerated from its own values with the imported rows appended,
through :func:`sheetkit.excel.upgrade.rewrite_workbook`: staff's own columns, Lists
and Settings are kept, every original cell is verified in the new file, a backup is
kept beside it, and the workbook is replaced in one atomic rename.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from sheetkit.errors import UsageError
from sheetkit.excel.upgrade import rewrite_workbook
from sheetkit.excel.writer import write_excel
from sheetkit.frames import WorkbookData
from sheetkit.importing.result import ImportResult
from sheetkit.template import Template, load_template

__all__ = ["WriteOutcome", "write_import"]


@dataclass
class WriteOutcome:
    """Where an import was written, and the backup of the workbook it replaced (when appending)."""

    path: Path
    created: bool
    backup: Path | None
    appended: dict[str, int]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "path": str(self.path),
            "created": self.created,
            "backup": None if self.backup is None else str(self.backup),
            "appended": self.appended,
        }


def write_import(
    result: ImportResult,
    *,
    today: dt.date,
    template: Template | None = None,
    password: str | None = None,
    encrypt: bool = False,
) -> WriteOutcome:
    """Write what :func:`~sheetkit.importing.import_records` read: create ``result.target`` or append to it.

    ``password`` opens an encrypted workbook being appended to, which stays encrypted
    with it; with ``encrypt`` a new workbook (or a plain one appended to) is written
    encrypted with ``password``.
    """
    if encrypt and not password:
        raise UsageError("encrypting the workbook needs a password")
    template = template or load_template()
    counts = {key: len(result.frames.frame(key)) for key in ("clients", "visits", "appointments")}
    target = result.target
    if result.creates:
        if target.exists():
            raise UsageError(f"{target} appeared while the import was read; run the import again")
        write_excel(
            target,
            _plain(result.whole, template),
            locale=result.locale,
            template=template,
            password=password if encrypt else None,
        )
        return WriteOutcome(target, True, None, counts)
    frames = result.frames

    def append(data: WorkbookData) -> WorkbookData:
        for key in ("clients", "visits", "appointments"):
            own = data.frame(key)
            new = frames.frame(key)
            if new.empty:
                continue
            added = new[[c for c in new.columns if c in own.columns]].copy()
            added.index = pd.RangeIndex(-len(added), 0)  # labels that are no original row: appended rows
            setattr(data, key, pd.concat([own, added]) if len(own) else added)
        for name, names in result.lists_added.items():
            own_list = data.lists.get(name)
            added_names = pd.DataFrame({"name": pd.Series(names, dtype=object)})
            data.lists[name] = (
                added_names if own_list is None else pd.concat([own_list, added_names], ignore_index=True)
            )
        return data

    outcome = rewrite_workbook(target, append, today=today, template=template, password=password, encrypt=encrypt)
    return WriteOutcome(target, False, outcome.backup, counts)


def _plain(data: WorkbookData, template: Template) -> WorkbookData:
    """The frames with the template's data columns only, rows numbered from 0 (what the writer takes)."""
    frames: dict[str, pd.DataFrame] = {}
    for sheet in template.sheets:
        frame = data.frame(sheet.key)
        keys = [c.key for c in sheet.data_columns]
        for key in keys:
            if key not in frame:
                frame = frame.assign(**{key: pd.Series(None, index=frame.index, dtype=object)})
        frames[sheet.key] = frame[keys].reset_index(drop=True)
    return WorkbookData(**frames, lists=data.lists, settings=data.settings)
