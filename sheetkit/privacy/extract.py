"""Pseudonymised extracts for analysts: one Parquet file per sheet and a manifest, driven by ``sensitivity``.

:func:`extract_frames` turns canonical frames (one workbook, or a chain's
consolidated frames with their ``branch_code`` column) into extract frames;
:func:`write_extract` reads a source and writes them with ``manifest.json``.
What happens to a column follows its template declaration alone
(:mod:`sheetkit.privacy.columns`): client IDs become keyed pseudonyms
(:mod:`sheetkit.privacy.pseudonyms`), direct identifiers and free text are
dropped, quasi-identifying dates keep their year, health columns become flags.
Columns staff added that the template does not declare are dropped, and the
manifest names them. Row numbers are not written: they would lead back to the
workbook's rows.

The extract is for analysis, not marketing: it holds no way to contact anyone.
Health data leaves the workbook only as a yes/no flag.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

import pandas as pd

from sheetkit._version import __version__
from sheetkit.analytics.outreach import allergy_none_words
from sheetkit.errors import UsageError, WorkbookError
from sheetkit.excel.reader import read_workbook
from sheetkit.files import replace_folder
from sheetkit.frames import WorkbookData, empty_frame, month_day_column
from sheetkit.issues import ValidationResult
from sheetkit.privacy.columns import Action, column_plan, output_name
from sheetkit.privacy.pseudonyms import key_fingerprint, load_key, pseudonym
from sheetkit.read.workbook import Workbook
from sheetkit.template import Sheet, Template, load_template

__all__ = ["CHAIN_COLUMNS", "MANIFEST", "extract_frames", "read_source_data", "sheet_frames", "write_extract"]

log = logging.getLogger(__name__)

#: The manifest's file name in an extract folder.
MANIFEST: Final = "manifest.json"
#: Columns a chain's consolidated frames add (not staff's): kept, they say which branch a row is from.
CHAIN_COLUMNS: Final = frozenset({"branch_code"})
#: What a consolidated chain folder (``sheetkit gsheets pull --out``) holds besides the Parquet files.
_CHAIN_MARKER: Final = "branches.json"
_PURPOSE: Final = (
    "Analysis only, not marketing: the extract holds no name, phone, e-mail or address, so nobody can be "
    "contacted from it. Lists for contacting clients are the report's outreach lists, which leave out clients "
    "without marketing consent."
)
_HEALTH: Final = (
    "Health data (allergies, medications, contraindications, patch tests, skin reactions) is never copied: "
    "each health column is a yes/no flag 'has_<column>', true when something other than blank or an explicit "
    "'none' is recorded."
)
_NOTES: Final[Mapping[Action, str]] = {
    "pseudonym": "client ID replaced by its keyed pseudonym (HMAC-SHA256)",
    "drop": "dropped",
    "year": "generalised to the year",
    "flag": "reduced to a yes/no flag",
    "keep": "kept as is",
}


def sheet_frames(data: WorkbookData, template: Template) -> dict[str, pd.DataFrame]:
    """The frame of every template sheet ``data`` has (a v1 workbook has no v2 sheets)."""
    frames: dict[str, pd.DataFrame] = {}
    for sheet in template.sheets:
        frame = getattr(data, sheet.key, None)
        if isinstance(frame, pd.DataFrame):
            frames[sheet.key] = frame
    return frames


def extract_frames(
    data: WorkbookData, key: bytes, *, template: Template | None = None
) -> tuple[dict[str, pd.DataFrame], dict[str, Any]]:
    """The extract frames of every sheet, and per sheet what was done to each column (the manifest's part).

    >>> import datetime as dt, sheetkit as sk
    >>> data = sk.generate_demo(clients=5, seed=1, as_of=dt.date(2026, 11, 22))
    >>> frames, done = extract_frames(data, bytes(32))
    >>> "full_name" in frames["clients"], frames["clients"]["birth_date_year"].dtype
    (False, Int64Dtype())
    >>> set(frames["visits"]["client_id"]) <= set(frames["clients"]["client_id"])
    True
    """
    template = template or load_template()
    none_words = allergy_none_words() | {"none"}
    cache: dict[object, str] = {}
    frames: dict[str, pd.DataFrame] = {}
    done: dict[str, Any] = {}
    for key_, frame in sheet_frames(data, template).items():
        sheet = template.sheet(key_)
        frames[key_], done[key_] = _extract_sheet(sheet, frame, key, none_words, cache)
    return frames, done


def _extract_sheet(
    sheet: Sheet, frame: pd.DataFrame, key: bytes, none_words: frozenset[str], cache: dict[object, str]
) -> tuple[pd.DataFrame, dict[str, Any]]:
    plan = column_plan(sheet)
    out: dict[str, pd.Series] = {}
    columns: list[dict[str, Any]] = []
    for name in (c for c in frame.columns if c in CHAIN_COLUMNS):
        out[name] = frame[name].astype("string")
        columns.append({"column": name, "sensitivity": None, "action": "keep", "output": name, "note": "branch code"})
    for col in sheet.data_columns:
        act = plan[col.key]
        target = output_name(col.key, act)
        entry = {"column": col.key, "sensitivity": col.sensitivity, "action": act, "output": target}
        entry["note"] = _NOTES[act]
        columns.append(entry)
        if target is None:
            continue
        values = frame[col.key] if col.key in frame else pd.Series(None, index=frame.index, dtype=object)
        out[target] = _transformed(values, act, key, none_words, cache)
    companions = {month_day_column(c.key): c for c in sheet.data_columns if c.month_day}
    for name, col in companions.items():
        note = f"the day and month of {col.key} without the year (frame-only): dropped"
        columns.append({"column": name, "sensitivity": col.sensitivity, "action": "drop", "output": None, "note": note})
    extras = [str(c) for c in frame.columns if c not in plan and c not in CHAIN_COLUMNS and c not in companions]
    result = pd.DataFrame(out).reset_index(drop=True)
    return result, {
        "rows": len(result),
        "columns": columns,
        "dropped_extra_columns": extras,
        "extra_columns_note": "columns the template does not declare (staff's own, or derived) are dropped: "
        "nothing says what they hold",
    }


def _transformed(
    values: pd.Series, act: Action, key: bytes, none_words: frozenset[str], cache: dict[object, str]
) -> pd.Series:
    if act == "keep":
        return values
    if act == "pseudonym":
        return _pseudonyms(values, key, cache)
    if act == "year":
        return _years(values)
    return _flags(values, none_words)


def _pseudonyms(values: pd.Series, key: bytes, cache: dict[object, str]) -> pd.Series:
    text = values.astype("string").str.strip()
    present = text.notna() & text.ne("")
    mapping: dict[object, str] = {}
    for one in pd.unique(text[present].to_numpy(dtype=object)):
        if one not in cache:
            cache[one] = pseudonym(key, one)
        mapping[one] = cache[one]
    return text.where(present).map(mapping).astype("string")


def _years(values: pd.Series) -> pd.Series:
    """The year of each full date; a birthday without a year (text "MM-DD") or anything else has none."""
    if pd.api.types.is_datetime64_any_dtype(values):
        full: pd.Series = values.dt.year.astype("Int64")
        return full
    years = [v.year if isinstance(v, (pd.Timestamp, dt.date)) and not pd.isna(v) else None for v in values]
    return pd.Series(years, index=values.index, dtype="Int64")


def _flags(values: pd.Series, none_words: frozenset[str]) -> pd.Series:
    """True when something other than blank or an explicit none is recorded."""
    if pd.api.types.is_datetime64_any_dtype(values) or pd.api.types.is_numeric_dtype(values):
        return values.notna().astype("boolean")
    text = values.astype("string").str.strip()
    present = text.notna() & text.ne("") & ~text.str.casefold().isin(none_words)
    return present.fillna(False).astype("boolean")


def read_source_data(
    source: WorkbookData | ValidationResult | Workbook | Path | str, *, template: Template, password: str | None = None
) -> tuple[WorkbookData, str]:
    """The frames of a source and a name for it: frames, a validated or read workbook, a workbook file,
    or a folder written by ``sheetkit gsheets pull --out`` (a chain's consolidated data)."""
    if isinstance(source, WorkbookData):
        return source, "frames"
    if isinstance(source, ValidationResult):
        return source.frames, Path(source.source).name if source.source else "frames"
    if isinstance(source, Workbook):
        return source.data, Path(str(source.path)).name
    path = Path(source)
    if path.is_dir():
        return _consolidated(path, template), path.name
    return read_workbook(path, template=template, password=password).data, path.name


def _consolidated(folder: Path, template: Template) -> WorkbookData:
    if not (folder / _CHAIN_MARKER).is_file():
        raise UsageError(f"{folder}: a folder must be a chain written by 'sheetkit gsheets pull --out'")
    frames: dict[str, pd.DataFrame] = {}
    for sheet in template.sheets:
        file = folder / f"{sheet.key}.parquet"
        if not file.is_file():  # a chain pulled before the sheet existed
            frames[sheet.key] = empty_frame(template, sheet.key)
            continue
        try:
            frame = pd.read_parquet(file)
        except (OSError, ValueError) as exc:
            raise WorkbookError(f"{file}: cannot read this Parquet file ({type(exc).__name__})") from None
        frames[sheet.key] = frame.set_index("row") if "row" in frame.columns else frame
    known = {name for name in WorkbookData.__dataclass_fields__ if name not in ("lists", "settings")}
    fields: dict[str, Any] = {k: v for k, v in frames.items() if k in known}
    return WorkbookData(**fields)


def write_extract(
    source: WorkbookData | ValidationResult | Workbook | Path | str,
    out: Path | str,
    *,
    key_file: Path | str,
    template: Template | None = None,
    overwrite: bool = False,
    generated_at: dt.datetime | None = None,
    password: str | None = None,
) -> dict[str, Any]:
    """Write the pseudonymised extract of ``source`` to the folder ``out``; return the manifest.

    ``key_file`` holds the pseudonym key; a missing one is created (mode 0600).
    The same key gives the same pseudonyms in every extract, so extracts can be
    joined; keep the key away from the extracts. ``out`` must be new or empty, or
    (``overwrite=True``) an earlier extract. Nothing is written on error.
    ``password`` opens an encrypted workbook file.

    >>> import datetime as dt, tempfile, pathlib, sheetkit as sk
    >>> from sheetkit.privacy import write_extract
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> data = sk.generate_demo(clients=10, seed=1, as_of=dt.date(2026, 11, 22))
    >>> manifest = write_extract(data, folder / "extract", key_file=folder / "extract.key")
    >>> sorted(p.name for p in (folder / "extract").iterdir())[:2], manifest["purpose"][:13]
    (['appointments.parquet', 'clients.parquet'], 'Analysis only')
    """
    template = template or load_template()
    target = Path(out)
    _check_out(target, Path(key_file), overwrite=overwrite)
    data, name = read_source_data(source, template=template, password=password)
    key, created = load_key(key_file)
    frames, done = extract_frames(data, key, template=template)
    files = {sheet: f"{sheet}.parquet" for sheet in frames}
    manifest: dict[str, Any] = {
        "sheetkit": __version__,
        "template": {"id": template.id, "version": template.version},
        "source": name,
        "created_at": (generated_at or dt.datetime.now()).replace(microsecond=0).isoformat(),
        "purpose": _PURPOSE,
        "health": _HEALTH,
        "pseudonyms": {
            "method": "HMAC-SHA256 of the client ID (trimmed) with the key file's key; first 32 hex digits",
            "columns": "clients.client_id and every column that refers to it",
            "key_fingerprint": key_fingerprint(key),
            "key_created": created,
        },
        "sheets": {sheet: {"file": files[sheet], **done[sheet]} for sheet in frames},
    }
    with replace_folder(target, allowed={*files.values(), MANIFEST} if overwrite else set()) as tmp:
        for sheet, frame in frames.items():
            _parquet_ready(frame).to_parquet(tmp / files[sheet], index=False)
        (tmp / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False), encoding="utf-8")
    log.info("wrote extract %s: %s", target, ", ".join(f"{len(f)} {s}" for s, f in frames.items()))
    return manifest


def _check_out(target: Path, key_file: Path, *, overwrite: bool) -> None:
    if target.is_dir() and any(target.iterdir()) and not overwrite:
        raise UsageError(f"{target}: the folder exists and is not empty; choose a new folder, or replace it (--force)")
    if target.is_dir() and (target / MANIFEST).exists() is False and any(target.iterdir()):
        raise UsageError(f"{target}: this folder is not an extract; choose a new folder")
    try:
        inside = key_file.resolve().is_relative_to(target.resolve())
    except OSError:
        inside = False
    if inside:
        raise UsageError("keep the key file outside the extract folder: whoever has both can test guesses of IDs")


def _parquet_ready(frame: pd.DataFrame) -> pd.DataFrame:
    """Object columns (mixed values typed by staff) as text, so Parquet has one type per column."""
    ready = frame.copy()
    for column in ready.columns:
        if ready[column].dtype == object:
            ready[column] = ready[column].map(lambda v: None if v is None or v is pd.NA else str(v)).astype("string")
    return ready
