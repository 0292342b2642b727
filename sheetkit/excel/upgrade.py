"""Upgrade a workbook to the current template, or regenerate it from its own values.

A staff workbook is never loaded and saved by a spreadsheet library (that drops
validation extensions, cached values and styles); it is read, then written anew
by the current writer (:mod:`sheetkit.excel.writer`), checked, and only then
put in place:

1. read every value: the template's columns by key (headers in any language),
   staff's own columns with their headers, the cells the reader could not read
   as typed, hidden rows, the Lists and the Settings;
2. optionally let a transform edit the values (``forget`` erases a client,
   ``import --write`` appends rows);
3. write the workbook with the current template into a scratch file beside it:
   its prepared area (validation, formats, formulas) covers every row plus the
   template's margin;
4. read the new file and compare every cell with the original, except the cells
   the transform changed: any difference stops here, and nothing has changed;
5. keep a backup beside the workbook (``salon.v1-20261207.xlsx``, never over an
   existing file) and replace the workbook in one atomic rename.

Two values are written differently on purpose, and verified as such: a setting
still at a default that a later version changed takes the new default
(:mod:`sheetkit.template.changes`), and a birthday without the year is typed in
the workbook's date order (``DD-MM`` in an Italian or Vietnamese workbook, where
version 1 typed ``MM-DD``: :mod:`sheetkit.read.month_days`); the verification
compares it as (month, day) and checks the text typed.

An Office-encrypted workbook is read with its password and written encrypted with
the same password (built in memory, never on disk in plain); its backup is the
file as it was, so it stays encrypted. ``encrypt=True`` encrypts a plain workbook.

:func:`upgrade_workbook` is step 1-5 without a transform, from the version on the
About sheet to the current one; :func:`rewrite_workbook` is the reusable form.
"""

from __future__ import annotations

import datetime as dt
import io
import shutil
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Final

import pandas as pd

from sheetkit.errors import TemplateMismatchError, UsageError, WorkbookChangedError, WorkbookWriteError
from sheetkit.excel import upgrade_plan as plans
from sheetkit.excel.crypto import check_password, encrypt_workbook
from sheetkit.excel.upgrade_read import FullRead, comparable, read_in_full
from sheetkit.excel.writer import _ExcelWriter
from sheetkit.files import scratch_beside, write_atomically
from sheetkit.frames import WorkbookData
from sheetkit.read.month_days import retyped_month_days
from sheetkit.read.parse import normalize_label
from sheetkit.template import Template, load_template
from sheetkit.template.changes import settings_at_old_defaults
from sheetkit.template.defaults import default_lists, default_settings
from sheetkit.template.rules import date_order

__all__ = [
    "RewriteResult",
    "SheetUpgrade",
    "Transform",
    "UpgradeResult",
    "rewrite_workbook",
    "upgrade_backup_name",
    "upgrade_workbook",
]

#: A function that edits a workbook's values (see :func:`rewrite_workbook`).
Transform = Callable[[WorkbookData], WorkbookData]

#: Issues that say the prepared area must grow: an upgrade at the current version re-extends it.
_GROW_CODES: Final = frozenset({"prepared-area-exceeded", "prepared-area-nearly-full"})


@dataclass
class SheetUpgrade:
    """What an upgrade does to one data sheet."""

    sheet: str
    name: str
    #: True when the sheet is new in this template version.
    added: bool
    #: Data rows copied (rows with at least one value).
    rows: int
    #: Template columns the workbook did not have (formula columns included).
    columns_added: list[str] = field(default_factory=list)
    #: Headers of the columns staff added, kept at the end of the sheet.
    extra_columns: list[str] = field(default_factory=list)
    hidden_rows: int = 0
    #: Birthdays without the year typed again in the workbook's date order (DD-MM for DMY); same dates.
    birthdays_retyped: int = 0


@dataclass
class RewriteResult:
    """What a rewrite did (or, with ``dry_run``, would do)."""

    path: Path
    changed: bool
    dry_run: bool
    backup: Path | None
    #: Data rows per sheet key in the written workbook.
    rows: dict[str, int] = field(default_factory=dict)
    #: Rows a transform removed and appended, per sheet key.
    removed: dict[str, int] = field(default_factory=dict)
    appended: dict[str, int] = field(default_factory=dict)
    #: Cells the transform changed (not compared by the verification).
    touched: int = 0
    #: Cells compared between the original and the regenerated workbook.
    verified: int = 0
    #: True when the workbook is (or, with ``dry_run``, would be) written Office-encrypted.
    encrypted: bool = False

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        out = asdict(self)
        out["path"] = str(self.path)
        out["backup"] = None if self.backup is None else str(self.backup)
        return out


@dataclass
class UpgradeResult:
    """What ``sheetkit upgrade`` did (or, with ``dry_run``, would do)."""

    path: Path
    from_version: int
    to_version: int
    changed: bool
    dry_run: bool
    backup: Path | None
    sheets: list[SheetUpgrade] = field(default_factory=list)
    settings_added: list[str] = field(default_factory=list)
    #: Settings left at their old default that take the new default.
    settings_updated: list[str] = field(default_factory=list)
    #: Lists columns the workbook did not have, as ``list.column``.
    list_columns_added: list[str] = field(default_factory=list)
    #: One line per change, in English (what the command line prints).
    changes: list[str] = field(default_factory=list)
    verified: int = 0
    #: True when the workbook is (or, with ``dry_run``, would be) written Office-encrypted.
    encrypted: bool = False

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (what ``sheetkit upgrade --json`` prints)."""
        out = asdict(self)
        out["path"] = str(self.path)
        out["backup"] = None if self.backup is None else str(self.backup)
        return out


# ---------------------------------------------------------------- public functions


def upgrade_workbook(
    path: Path | str,
    *,
    today: dt.date,
    dry_run: bool = False,
    generated_at: dt.datetime | None = None,
    template: Template | None = None,
    password: str | None = None,
    encrypt: bool = False,
) -> UpgradeResult:
    """Upgrade the workbook at ``path`` to the current template version, in place, with a backup.

    Reads the version on the About sheet and refuses another template or a newer
    version (:class:`~sheetkit.errors.TemplateMismatchError`). Copies every value
    by column key, keeps staff's own columns, edited Lists and Settings (a setting
    left at its old default takes the new default), hidden rows and rows beyond the
    old prepared area; types birthdays without the year in the workbook's date
    order; writes the backup ``NAME.v<old>-<today>.xlsx`` beside it,
    then replaces the workbook once every cell of the original was found unchanged
    in the new one. At the current version it is a no-op, unless the data has
    outgrown the prepared area (then the workbook is regenerated to re-extend it)
    or ``encrypt`` asks to encrypt a plain workbook.
    ``dry_run`` reports the same changes and writes nothing.

    ``password`` opens an Office-encrypted workbook, and the upgraded workbook is
    encrypted with the same password (the backup is the file as it was: encrypted
    too). ``encrypt=True`` also encrypts a plain workbook with ``password``; its
    backup stays as it was, not encrypted (:attr:`UpgradeResult.changes` says so).
    """
    template = template or load_template()
    source = _checked_path(path)
    _check_encrypt(encrypt, password)
    full = read_in_full(source, template, password=password)
    version = _version(full, template)
    labels = template.labels(full.book.locale)
    grow = any(issue.code in _GROW_CODES for issue in full.book.issues)
    encrypting = encrypt and not full.encrypted
    result = UpgradeResult(source, version, template.version, changed=False, dry_run=dry_run, backup=None)
    result.encrypted = full.encrypted or encrypt
    if version == template.version and not grow and not encrypting:
        result.changes.append(f"already at version {template.version}: nothing to do")
        return result
    data = plans.editable_data(full, template)
    result.settings_added = sorted({s.key for s in template.settings} - full.settings_present)
    result.settings_updated = _take_new_defaults(full, data, template, labels, version)
    result.list_columns_added = _fill_new_list_columns(full, data, template, labels)
    retyped = _retyped_birthdays(full, data.settings, template)
    result.sheets = _sheet_changes(full, template, labels, retyped)
    backup = upgrade_backup_name(source, version, today)
    result.changes = _describe(result, grow=grow, encrypting=encrypting, backup=backup)
    if dry_run:
        result.backup = backup
        return result
    kept = (full.settings_present & {s.key for s in template.settings}) - set(result.settings_updated)
    done = _regenerate(
        full,
        data,
        template,
        _Keep(set(), kept, set(data.lists), retyped),
        backup=backup,
        stamp=generated_at,
        today=today,
        password=password if result.encrypted else None,
    )
    result.changed, result.backup, result.verified = True, done.backup, done.verified
    return result


def rewrite_workbook(
    path: Path | str,
    transform: Transform | None = None,
    *,
    today: dt.date,
    dry_run: bool = False,
    generated_at: dt.datetime | None = None,
    template: Template | None = None,
    password: str | None = None,
    encrypt: bool = False,
) -> RewriteResult:
    """Regenerate the workbook at ``path`` from its own values, edited by ``transform``; verify; back up; replace.

    The contract, for commands that change a staff workbook (``forget``, ``import --write``):

    - ``transform`` gets the workbook's values as :class:`~sheetkit.frames.WorkbookData`:
      each data sheet's frame is indexed by the sheet row staff see, holds the
      template's data columns (typed as :func:`sheetkit.read_workbook` gives them; a
      cell the reader could not read holds the text staff typed), then staff's own
      columns under their headers (a second column with the same header is
      ``"Header#2"``); ``lists`` and ``settings`` as read. It returns the data to
      write (the same object edited, or a new one). It may change, blank, remove or
      append rows: a row whose label is an original sheet row is that row (the
      order of original rows is kept, whatever the frame order); a removed row
      closes up, the rows below move up; any other label (``-1``, ``None``...) is a
      new row, written after the last original row in frame order. It may edit
      Lists and Settings. It must keep every column: a column it drops fails the
      verification. It must not read the clock or files.
    - Verification: the regenerated workbook is read back and every cell of the
      original that the transform did not change (compared with the frames it was
      given) must read back the same, at its new row; so must Lists and Settings
      the transform left alone. Any difference raises
      :class:`~sheetkit.errors.WorkbookWriteError` naming the first cells (never
      their values) and leaves the workbook and the folder as they were.
    - Then a backup is kept beside the workbook, ``NAME.v<version>-<today>.xlsx``
      (``-2``, ``-3``... if taken), and the workbook is replaced in one atomic rename.
      It is refused when the file changed since it was read.
    - ``password`` opens an Office-encrypted workbook; the result is encrypted with
      the same password, and the backup (the file as it was) is encrypted too.
      ``encrypt=True`` encrypts a plain workbook with ``password`` (its backup stays plain).

    The workbook is written with the current template: an older version is
    upgraded on the way. ``dry_run`` runs the transform and reports, writing nothing.
    """
    template = template or load_template()
    source = _checked_path(path)
    _check_encrypt(encrypt, password)
    full = read_in_full(source, template, password=password)
    version = _version(full, template)
    data = plans.editable_data(full, template)
    before = plans.editable_data(full, template)
    extras = plans.extra_columns(full, template)
    if transform is not None:
        data = transform(data)
        if not isinstance(data, WorkbookData):
            raise UsageError("a rewrite transform must return the WorkbookData to write")
    touched = plans.touched_cells(before, data, template, extras)
    plan = plans.plan_output(full, data, template, full.book.locale, extras)
    result = RewriteResult(source, changed=False, dry_run=dry_run, backup=None, touched=len(touched))
    result.encrypted = full.encrypted or encrypt
    for key, sheet in plan.sheets.items():
        result.rows[key] = int(sheet.frame.notna().any(axis=1).sum())
        result.removed[key] = len(full.sheets[key].frame) - len(sheet.rows)
        result.appended[key] = sheet.appended
    if dry_run:
        return result
    kept = {key for key in full.settings_present if _same(full.book.data.settings.get(key), data.settings.get(key))}
    keep = _Keep(touched, kept, plans.unchanged_lists(before, data), _retyped_birthdays(full, data.settings, template))
    done = _regenerate(
        full,
        data,
        template,
        keep,
        backup=upgrade_backup_name(source, version, today),
        stamp=generated_at,
        today=today,
        password=password if result.encrypted else None,
    )
    result.changed, result.backup, result.verified = True, done.backup, done.verified
    return result


def upgrade_backup_name(path: Path, version: int, today: dt.date) -> Path:
    """A free name beside ``path`` for its copy before a rewrite: ``salon.v1-20261207.xlsx``, then ``-2``..."""
    stem = f"{path.stem}.v{version}-{today:%Y%m%d}"
    candidate = path.with_name(f"{stem}{path.suffix}")
    number = 2
    while candidate.exists():
        candidate = path.with_name(f"{stem}-{number}{path.suffix}")
        number += 1
    return candidate


# ---------------------------------------------------------------- the rewrite itself


@dataclass
class _Done:
    backup: Path
    verified: int


@dataclass
class _Keep:
    """What the verification expects: cells the transform changed (not compared), what must stay as it was."""

    #: (sheet key, original row, column) of the cells the transform changed.
    touched: set[tuple[str, int, str]]
    settings: set[str]
    lists: set[str]
    #: (sheet key, original row, column) -> the text a birthday without the year must be typed as.
    retyped: dict[tuple[str, int, str], str]


def _regenerate(
    full: FullRead,
    data: WorkbookData,
    template: Template,
    keep: _Keep,
    *,
    backup: Path,
    stamp: dt.datetime | None,
    today: dt.date,
    password: str | None,
) -> _Done:
    path = full.path
    extras = plans.extra_columns(full, template)
    plan = plans.plan_output(full, data, template, full.book.locale, extras)
    labels = plan.template.labels(full.book.locale)
    when = stamp or dt.datetime.combine(today, dt.time())
    typed = {
        (sheet, plan.sheets[sheet].rows[row], column): text
        for (sheet, row, column), text in keep.retyped.items()
        if (sheet, row, column) not in keep.touched and row in plan.sheets[sheet].rows
    }
    with scratch_beside(path) as scratch:
        out = scratch / "rewritten.xlsx"
        hidden = {key: sheet.hidden_rows for key, sheet in plan.sheets.items()}
        writer = _KeepingWriter(plan.template, labels, plan.data, when, hidden)
        if password is None:
            writer.write(out, scratch=scratch)
        else:  # built in memory and encrypted there: the plain workbook never touches the disk
            package = io.BytesIO()
            writer.write(package, scratch=scratch)
            _write_bytes(out, encrypt_workbook(package.getvalue(), password), path)
            del package
        new = read_in_full(out, template, password=password)  # an encrypted result must open with the password
        differences, verified = plans.compare(
            full, new, plan, touched=keep.touched, kept_settings=keep.settings, kept_lists=keep.lists, typed=typed
        )
        if differences:
            first = "; ".join(str(d) for d in differences[:3])
            more = f" and {len(differences) - 3} more" if len(differences) > 3 else ""
            raise WorkbookWriteError(
                f"the regenerated workbook would not keep {len(differences)} cell(s) as they are "
                f"({first}{more}); nothing was changed",
                path=path,
            )
        if _stamp(path) != full.stamp:
            raise WorkbookChangedError(path)
        with write_atomically(path, overwrite=True, backup=backup) as (tmp,):
            shutil.copyfile(out, tmp)
    return _Done(backup, verified)


def _write_bytes(out: Path, content: bytes, workbook: Path) -> None:
    try:
        out.write_bytes(content)
    except OSError as exc:
        raise WorkbookWriteError(
            f"the regenerated workbook could not be written beside it ({exc.strerror or type(exc).__name__}); "
            "nothing was changed",
            path=workbook,
        ) from None


class _KeepingWriter(_ExcelWriter):
    """The current writer, plus the rows staff had hidden."""

    def __init__(
        self, template: Template, labels: Any, data: WorkbookData, stamp: dt.datetime, hidden: Mapping[str, set[int]]
    ) -> None:
        super().__init__(template, labels, data, stamp)
        self.hidden = hidden

    def _write_data_sheet(self, ws: Any, sheet: Any) -> None:
        # Row options are kept until the row is written, also in constant_memory mode.
        for row in sorted(self.hidden.get(sheet.key, ())):
            ws.set_row(row - 1, None, None, {"hidden": True})
        super()._write_data_sheet(ws, sheet)


# ---------------------------------------------------------------- upgrade steps


def _checked_path(path: Path | str) -> Path:
    source = Path(path)
    if source.suffix.lower() != ".xlsx":
        raise UsageError(f"{source}: only .xlsx workbooks are upgraded in place (save an .xls or .ods copy as .xlsx)")
    for lock in (source.with_name(f"~${source.name}"), source.with_name(f".~lock.{source.name}#")):
        if lock.exists():
            raise UsageError(f"{source} is open in a spreadsheet ({lock.name} exists): close it first")
    return source


def _version(full: FullRead, template: Template) -> int:
    version = full.version
    if version is None or version < 1:
        raise TemplateMismatchError(
            "the About sheet gives no template version sheetkit knows, so there is nothing to upgrade from "
            "(only workbooks made by sheetkit can be upgraded)",
            path=full.path,
        )
    if version > template.version:  # the reader refuses this first; kept for other readers
        raise TemplateMismatchError(
            f"this workbook uses template version {version}, newer than this sheetkit knows ({template.version})",
            path=full.path,
        )
    return version


def _stamp(path: Path) -> tuple[int, int]:
    try:
        stat = path.stat()
    except OSError:
        return (0, 0)
    return (stat.st_size, stat.st_mtime_ns)


def _same(a: Any, b: Any) -> bool:
    return bool(comparable(a) == comparable(b))


def _take_new_defaults(full: FullRead, data: WorkbookData, template: Template, labels: Any, version: int) -> list[str]:
    """Settings still at their old version's default take the current default; the keys that did."""
    current = default_settings(template, labels)
    updated = settings_at_old_defaults(data.settings, version, current, present=full.settings_present)
    data.settings.update(updated)
    return sorted(updated)


def _check_encrypt(encrypt: bool, password: str | None) -> None:
    if encrypt and password is None:
        raise UsageError("encrypting the workbook needs a password (password=...)")
    if password is not None:
        check_password(password)


def _retyped_birthdays(
    full: FullRead, settings: Mapping[str, Any], template: Template
) -> dict[tuple[str, int, str], str]:
    """(sheet key, row, column) -> the text of each birthday without the year that the rewrite types differently."""
    order = date_order(template.labels(full.book.locale), settings)
    out: dict[tuple[str, int, str], str] = {}
    for sheet in template.sheets:
        cells = full.sheets[sheet.key]
        if cells.present:
            found = retyped_month_days(cells.frame, sheet, order, cells.text)
            out.update({(sheet.key, row, column): text for (row, column), text in found.items()})
    return out


def _fill_new_list_columns(full: FullRead, data: WorkbookData, template: Template, labels: Any) -> list[str]:
    """Lists columns new in this version: a row named like a default row takes that row's value."""
    defaults = default_lists(template, labels)
    added: list[str] = []
    for ref in template.reference_lists.values():
        frame = data.lists.get(ref.key)
        if frame is None:
            continue
        by_name: dict[str, dict[Any, Any]] = {
            normalize_label(str(row["name"])): row for row in defaults[ref.key].to_dict("records")
        }
        for col in ref.columns[1:]:
            if f"ref_{ref.key}_{col.key}" in full.defined_names:
                continue
            added.append(f"{ref.key}.{col.key}")
            values = [by_name.get(normalize_label(str(name)), {}).get(col.key) for name in frame["name"]]
            frame[col.key] = pd.Series(values, index=frame.index, dtype=object)
        data.lists[ref.key] = frame
    return added


def _sheet_changes(
    full: FullRead, template: Template, labels: Any, retyped: Mapping[tuple[str, int, str], str]
) -> list[SheetUpgrade]:
    out: list[SheetUpgrade] = []
    for sheet in template.sheets:
        cells = full.sheets[sheet.key]
        found = cells.found | {c.key for c in sheet.columns if c.is_formula and c.key in _formula_headers(full, sheet)}
        added = (
            [c.key for c in sheet.columns if c.key not in found] if cells.present else [c.key for c in sheet.columns]
        )
        out.append(
            SheetUpgrade(
                sheet=sheet.key,
                name=labels.sheet_name(sheet.key),
                added=not cells.present,
                rows=len(cells.frame),
                columns_added=[] if not cells.present else added,
                extra_columns=[e.header for e in cells.extras],
                hidden_rows=len(cells.hidden_rows & {int(r) for r in cells.frame.index}),
                birthdays_retyped=sum(1 for key in retyped if key[0] == sheet.key),
            )
        )
    return out


def _formula_headers(full: FullRead, sheet: Any) -> set[str]:
    info = full.book.sheets.get(sheet.key)
    return set(info.headers) if info is not None else set()


def _describe(result: UpgradeResult, *, grow: bool, encrypting: bool, backup: Path) -> list[str]:
    lines: list[str] = []
    if result.from_version != result.to_version:
        lines.append(f"template version {result.from_version} -> {result.to_version}")
    elif grow:
        lines.append("the data nears or passes the prepared rows: the workbook is written again with room to grow")
    else:
        lines.append(f"already at version {result.to_version}: the workbook is written again to encrypt it")
    if encrypting:
        lines.append(
            f"the workbook is encrypted with the password; the backup {backup.name} is the workbook as it was, "
            "NOT encrypted: delete it once the encrypted workbook opens"
        )
    elif result.encrypted:
        lines.append(f"the workbook stays encrypted with the same password, and so does the backup {backup.name}")
    for sheet in result.sheets:
        if sheet.added:
            lines.append(f"sheet {sheet.name}: added (empty)")
            continue
        parts = [f"{sheet.rows} row(s) copied"]
        if sheet.columns_added:
            parts.append("column(s) added: " + ", ".join(sheet.columns_added))
        if sheet.extra_columns:
            parts.append(f"{len(sheet.extra_columns)} column(s) staff added kept")
        if sheet.hidden_rows:
            parts.append(f"{sheet.hidden_rows} hidden row(s) kept hidden")
        if sheet.birthdays_retyped:
            parts.append(
                f"{sheet.birthdays_retyped} birthday(s) without the year typed in the workbook's date order "
                "(the same dates)"
            )
        lines.append(f"sheet {sheet.name}: " + "; ".join(parts))
    if result.settings_added:
        lines.append("settings added with their defaults: " + ", ".join(result.settings_added))
    if result.settings_updated:
        lines.append("settings left at the old default take the new one: " + ", ".join(result.settings_updated))
    if result.list_columns_added:
        lines.append("Lists columns added: " + ", ".join(result.list_columns_added))
    return lines
