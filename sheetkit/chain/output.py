"""The consolidated chain on disk for analysts: one Parquet file per sheet, the Issues and the branch outcomes."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from sheetkit.chain.pull import ChainResult
from sheetkit.files import replace_folder
from sheetkit.frames import DATA_SHEETS

__all__ = ["write_consolidated"]


def write_consolidated(chain: ChainResult, folder: Path | str) -> Path:
    """Write the chain for analysts: one Parquet file per sheet, ``issues.csv`` and ``branches.json``.

    The folder is filled under a temporary name and renamed into place, so a
    failed run never leaves a mix of old and new files; an existing folder is
    replaced only if it holds nothing but these files.
    """
    out = Path(folder)
    names = {f"{k}.parquet" for k in DATA_SHEETS} | {"issues.csv", "branches.json"}
    with replace_folder(out, allowed=names) as tmp:
        for key in DATA_SHEETS:
            frame = chain.frames.frame(key).reset_index(level="source", drop=True).reset_index()
            for column in frame.columns:  # mixed-type extra columns are kept as text
                if frame[column].dtype == object:
                    frame[column] = frame[column].map(lambda v: None if v is None or v is pd.NA else str(v))
            frame.to_parquet(tmp / f"{key}.parquet", index=False)
        pd.DataFrame([i.to_dict() for i in chain.issues]).to_csv(tmp / "issues.csv", index=False)
        (tmp / "branches.json").write_text(
            json.dumps([b.to_dict() for b in chain.branches], indent=2, ensure_ascii=False), encoding="utf-8"
        )
    return out
