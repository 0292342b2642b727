"""Source tables into canonical text rows: each mapped column put in its field, split or joined, notes kept.

A staged table is a DataFrame of text in the template's keys (plus import fields
such as ``when`` for an event), with ``_t`` (table number) and ``_r`` (file row)
saying where each row came from, and flag columns ``_num_KEY`` (the source stored
the cell as a number: a phone typed as a number) and ``_txt_KEY`` (a date or number
left as typed, for sheetkit's parser to judge). Unmapped columns are appended to
the row's notes as ``Header: value``, so nothing in the source is lost.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

import numpy as np
import pandas as pd

from sheetkit.importing.mapping import MappingFile, TableMapping, synonyms
from sheetkit.importing.sources import SourceTable
from sheetkit.importing.transform import (
    blocked_status,
    combine_date_time,
    join_name,
    join_text,
    normalize_numbers,
    read_dates,
    status_keys,
)
from sheetkit.template import DATE_TYPES, NUMBER_TYPES, Template

__all__ = ["DateNote", "Staged", "stage_table"]

#: Text-like fields whose cells stored as numbers are reported (phone-as-number, id-as-number).
_STORED_AS_NUMBER: Final = ("phone", "emergency_contact_phone", "client_id", "referred_by")
_SCI: Final = r"^\d(?:\.\d+)?[eE]\+?\d+$|^\d+\.0+$"


@dataclass
class DateNote:
    """How the dates of one source column were read, for the report (and an Issue when assumed)."""

    table: int
    header: str
    column: int
    order: str
    decided: bool
    conflict: bool


@dataclass
class Staged:
    """One source table staged: its kind, rows as canonical text, and where each field came from."""

    kind: str
    frame: pd.DataFrame
    #: Field key -> the source columns that filled it.
    sources: dict[str, list[int]] = field(default_factory=dict)
    dates: list[DateNote] = field(default_factory=list)


def _column(table: SourceTable, rows: list[int], j: int) -> pd.Series:
    return table.grid.loc[rows, j].astype(object)


def stage_table(
    number: int,
    table: SourceTable,
    mapping: TableMapping,
    rows: list[int],
    *,
    template: Template,
    mapping_file: MappingFile,
    locale: str,
) -> Staged:
    """The table's data ``rows`` as canonical text fields (see the module docstring)."""
    fields = mapping.field_columns()
    declared = mapping_file.date_order or (mapping.layout.date_order if mapping.layout else None)
    order = declared or template.labels(locale).date_order
    out: dict[str, Any] = {}
    staged = Staged(mapping.kind, pd.DataFrame(index=pd.RangeIndex(len(rows))))
    index = pd.Index(rows)

    def take(key: str) -> pd.Series | None:
        j = fields.get(key)
        if j is None:
            return None
        staged.sources.setdefault(key, []).append(j)
        return _column(table, rows, j)

    def numbers_of(key: str, j: int) -> pd.Series:
        stored = pd.Series(index.isin(list(table.numeric.get(j, set()))), index=index)
        if table.format in ("csv", "tsv", "txt"):
            stored |= _column(table, rows, j).astype(str).str.match(_SCI)
        return stored

    columns = {c.key: c for s in template.sheets for c in s.data_columns}
    for key in fields:
        if key in ("first_name", "last_name", "client_first_name", "client_last_name", "blocked", "time", "status"):
            continue
        series = take(key)
        if series is None:
            continue
        col = columns.get(key)
        kind = col.type if col is not None else None
        if key in ("date", "datetime", "last_visit", "booked_at", "cancelled_at") or kind in DATE_TYPES:
            dates = read_dates(series, order=order, month_day=bool(col and col.month_day))
            out[key] = dates.cells
            out[f"_txt_{key}"] = dates.typed
            if dates.order is not None:
                header = mapping.columns[[c.column for c in mapping.columns].index(fields[key])].header
                decided = dates.decided or declared is not None
                staged.dates.append(DateNote(number, header, fields[key], dates.order, decided, dates.conflict))
        elif key == "amount_paid" or kind in NUMBER_TYPES:
            separator = template.labels(locale).decimal_separator
            out[key], out[f"_txt_{key}"] = normalize_numbers(series, decimal=separator)
        else:
            out[key] = series
            if key in _STORED_AS_NUMBER or key == "client_phone":
                out[f"_num_{key}"] = numbers_of(key, fields[key])
    frame = pd.DataFrame({k: pd.Series(v).set_axis(index) for k, v in out.items()}, index=index)
    if mapping.kind == "clients":
        frame = _clients(frame, table, rows=rows, fields=fields, staged=staged, take=take, locale=locale)
    else:
        frame = _events(frame, fields, take, locale=locale)
    frame = _notes(frame, table, rows, mapping, mapping.kind)
    frame["_t"] = number
    frame["_r"] = index
    staged.frame = frame.reset_index(drop=True)
    return staged


def _clients(
    frame: pd.DataFrame,
    table: SourceTable,
    *,
    rows: list[int],
    fields: Mapping[str, int],
    staged: Staged,
    take: Any,
    locale: str,
) -> pd.DataFrame:
    del table, rows  # the source is reached through take()
    first, last = take("first_name"), take("last_name")
    if "full_name" not in frame and (first is not None or last is not None):
        blank = pd.Series(np.nan, index=frame.index, dtype=object)
        frame["full_name"] = join_name(
            first if first is not None else blank, last if last is not None else blank, locale=locale
        )
        staged.sources["full_name"] = [fields[k] for k in ("first_name", "last_name") if k in fields]
    blocked = take("blocked")
    if blocked is not None and "client_status" not in frame:
        frame["client_status"] = blocked_status(blocked, synonyms()["blocked_yes"])
        staged.sources["client_status"] = [fields["blocked"]]
    if "client_status" not in frame:
        frame["client_status"] = "active"
    parts = [frame[k] for k in ("street", "street2", "city", "state", "postal_code") if k in frame]
    if parts:
        joined = join_text(parts, ", ")
        frame["address"] = joined if "address" not in frame else frame["address"].fillna(joined)
        staged.sources.setdefault("address", []).extend(
            fields[k] for k in ("street", "street2", "city", "state", "postal_code") if k in fields
        )
    if "phone_other" in frame:
        other = frame["phone_other"]
        if "phone" not in frame:
            frame["phone"] = other
            staged.sources["phone"] = [fields["phone_other"]]
        else:
            use = frame["phone"].isna() & other.notna()
            frame.loc[use, "phone"] = other[use]
    return frame


def _events(frame: pd.DataFrame, fields: Mapping[str, int], take: Any, *, locale: str) -> pd.DataFrame:
    when = frame["date"] if "date" in frame else frame.get("datetime")
    if when is None:
        when = pd.Series(np.nan, index=frame.index, dtype=object)
    time = take("time")
    if time is not None:
        when = combine_date_time(when, time)
    frame["when"] = when
    frame["_txt_when"] = frame.get("_txt_date", frame.get("_txt_datetime", pd.Series(False, index=frame.index)))
    status = take("status")
    frame["status"] = status_keys(status, synonyms()["status"]) if status is not None else np.nan
    first, last = take("client_first_name"), take("client_last_name")
    if "client_name" not in frame and (first is not None or last is not None):
        blank = pd.Series(np.nan, index=frame.index, dtype=object)
        frame["client_name"] = join_name(
            first if first is not None else blank, last if last is not None else blank, locale=locale
        )
    return frame


def _notes(frame: pd.DataFrame, table: SourceTable, rows: list[int], mapping: TableMapping, kind: str) -> pd.DataFrame:
    """Unmapped columns appended to the notes as ``Header: value``; a row's own note comes first."""
    kept = [c for c in mapping.columns if c.target is None]
    if not kept:
        return frame
    parts: list[pd.Series] = []
    for col in kept:
        values = _column(table, rows, col.column)
        text = values.where(values.isna(), col.header + ": " + values.astype(str).str.strip())
        parts.append(text.set_axis(frame.index))
    extra = join_text(parts, "; ")
    frame["_extra_notes"] = extra
    return frame
