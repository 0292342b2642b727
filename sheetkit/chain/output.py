"""The consolidated chain on disk for analysts: one Parquet file per sheet, the Issues and the branch outcomes."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Final

import pandas as pd

from sheetkit.chain.pull import ChainResult
from sheetkit.files import check_folder_target, replace_folder
from sheetkit.frames import DATA_SHEETS

__all__ = ["CONSOLIDATED_FILES", "check_consolidated_folder", "csv_cell", "write_consolidated"]

#: The files :func:`write_consolidated` writes: a folder holding anything else is never replaced.
CONSOLIDATED_FILES: Final = frozenset({*(f"{k}.parquet" for k in DATA_SHEETS), "issues.csv", "branches.json"})


def check_consolidated_folder(folder: Path | str) -> None:
    """Refuse, before any branch is read, a folder :func:`write_consolidated` could not replace."""
    check_folder_target(Path(folder), set(CONSOLIDATED_FILES))


#: What a spreadsheet reads as the start of a formula in an opened CSV (OWASP's CSV-injection list).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: Control characters other than tab, CR and newline: shown as escapes, never written raw.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def csv_cell(value: object) -> object:
    r"""A cell safe to open in Excel or LibreOffice: a leading formula character is quoted, controls escaped.

    >>> csv_cell('=HYPERLINK("http://evil","x")')
    '\'=HYPERLINK("http://evil","x")'
    >>> csv_cell("bell\x07")
    'bell\\x07'
    """
    if not isinstance(value, str):
        return value
    text = _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def write_consolidated(chain: ChainResult, folder: Path | str) -> Path:
    """Write the chain for analysts: one Parquet file per sheet, ``issues.csv`` and ``branches.json``.

    The folder is filled under a temporary name and renamed into place, so a
    failed run never leaves a mix of old and new files; an existing folder is
    replaced only if it holds nothing but these files.
    """
    out = Path(folder)
    with replace_folder(out, allowed=set(CONSOLIDATED_FILES)) as tmp:
        for key in DATA_SHEETS:
            frame = chain.frames.frame(key).reset_index(level="source", drop=True).reset_index()
            for column in frame.columns:  # mixed-type extra columns are kept as text
                if frame[column].dtype == object:
                    frame[column] = frame[column].map(lambda v: None if v is None or v is pd.NA else str(v))
            frame.to_parquet(tmp / f"{key}.parquet", index=False)
        issues = pd.DataFrame([i.to_dict() for i in chain.issues])
        issues.map(csv_cell).to_csv(tmp / "issues.csv", index=False)
        (tmp / "branches.json").write_text(
            json.dumps([b.to_dict() for b in chain.branches], indent=2, ensure_ascii=False), encoding="utf-8"
        )
    return out
