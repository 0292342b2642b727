"""Shared by the privacy tests: the demo's personal values, and every string found in some output."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

import pandas as pd

import sheetkit as sk

AS_OF = dt.date(2026, 11, 22)
#: Health words that are a choice label or an explicit "none" (not a person's data by themselves).
_NOT_PERSONAL = {"none", "nessuna", "không", "无", "không có", "nessuno"}


def personal_values(data: sk.WorkbookData, *, health: bool = True, contact: bool = True) -> set[str]:
    """Names, phones, e-mails (``contact``) and allergy and medication texts (``health``) of every client."""
    columns = []
    if contact:
        columns += ["full_name", "phone", "email", "address", "emergency_contact_name", "emergency_contact_phone"]
    if health:
        columns += ["allergies", "medications"]
    values: set[str] = set()
    for column in columns:
        for value in data.clients[column].dropna():
            text = str(value).strip()
            if len(text) >= 5 and text.casefold() not in _NOT_PERSONAL:
                values.add(text)
    return values


def all_strings(frames: Mapping[str, pd.DataFrame] | Iterable[pd.DataFrame]) -> set[str]:
    """Every string cell and column name of some frames."""
    found: set[str] = set()
    items = frames.values() if isinstance(frames, Mapping) else frames
    for frame in items:
        found |= {str(c) for c in frame.columns}
        for column in frame.columns:
            found |= {v for v in frame[column].tolist() if isinstance(v, str)}
    return found


def leaks_in_text(values: Iterable[str], text: str) -> list[str]:
    """The values that occur anywhere in ``text``."""
    return sorted(v for v in values if v in text)
