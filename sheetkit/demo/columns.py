"""Typed numpy columns for the demo and how they become canonical frames.

Small pure helpers shared by every sheet builder: object arrays with ``None`` for
blanks, day and minute offsets from ``as_of`` turned into dates, row IDs, weights
turned into probabilities, groups to draw a member from, and :func:`sheet_frame`,
which gives a column mapping the dtypes of :mod:`sheetkit.frames` (with the frame-only
"MM-DD" column beside a month-day date column).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from sheetkit.frames import month_day_column
from sheetkit.template import Sheet

IntArr = npt.NDArray[np.int64]
FloatArr = npt.NDArray[np.float64]
BoolArr = npt.NDArray[np.bool_]
ObjArr = npt.NDArray[np.object_]
DateArr = npt.NDArray[np.datetime64]


def probs(keys: Sequence[str], weights: Mapping[str, float], default: float = 0.0) -> FloatArr:
    """Probabilities for ``keys`` from ``weights`` (``default`` for a missing key; uniform if all are 0).

    >>> probs(["a", "b", "c"], {"a": 3.0, "b": 1.0}).tolist()
    [0.75, 0.25, 0.0]
    """
    w = np.array([weights.get(k, default) for k in keys], dtype=np.float64)
    if w.sum() <= 0:
        w = np.ones(len(keys), dtype=np.float64)
    out: FloatArr = w / w.sum()
    return out


def objects(values: Sequence[Any]) -> ObjArr:
    """An object array of ``values`` (numpy never turns them into a 2-D or string array)."""
    out = np.empty(len(values), dtype=object)
    out[:] = list(values)
    return out


def present(values: ObjArr) -> BoolArr:
    """Where ``values`` is not None."""
    return np.array([v is not None for v in values], dtype=bool)


def keep(values: ObjArr, where: BoolArr) -> ObjArr:
    """``values`` with None where ``where`` is False."""
    out = values.copy()
    out[~where] = None
    return out


def nones(n: int) -> ObjArr:
    """``n`` blanks."""
    return np.full(n, None, dtype=object)


def days(as_of: dt.date, offsets: IntArr, where: BoolArr | None = None) -> DateArr:
    """Dates ``as_of + offsets`` (NaT where not ``where``).

    >>> days(dt.date(2025, 3, 14), np.array([-1, 2]), np.array([True, False])).tolist()
    [datetime.date(2025, 3, 13), None]
    """
    out = np.datetime64(as_of, "D") + offsets.astype("timedelta64[D]")
    if where is not None:
        out = np.where(where, out, np.datetime64("NaT", "D"))
    return out


def minutes(as_of: dt.date, offsets: IntArr) -> DateArr:
    """Datetimes ``as_of 00:00 + offsets`` minutes."""
    return np.datetime64(as_of, "m") + offsets.astype("timedelta64[m]")


def ids(prefix: str, n: int, width: int) -> list[str]:
    """Row IDs ``prefix`` + 1..n, zero-padded to ``width`` digits (more if ``n`` needs them).

    >>> ids("C", 3, 4)
    ['C0001', 'C0002', 'C0003']
    """
    digits = max(width, len(str(n)))
    return [f"{prefix}{i:0{digits}d}" for i in range(1, n + 1)]


def sheet_frame(sheet: Sheet, data: Mapping[str, Any], n: int) -> pd.DataFrame:
    """A canonical frame: the sheet's data columns in order, dtypes by column type, blanks where ``data`` has none.

    A month-day date column (``birth_date``) takes full dates only; its frame-only
    companion (``birth_month_day``, "MM-DD") follows it, from ``data`` under that name.
    """
    out: dict[str, pd.Series[Any]] = {}
    for col in sheet.data_columns:
        values: Any = data.get(col.key)
        if values is None:
            values = nones(n)
        series: pd.Series[Any]
        if col.type in ("date", "datetime"):
            series = pd.Series(pd.to_datetime(values)).astype("datetime64[ns]")
        elif col.type in ("int", "rating"):
            series = pd.Series(values).astype("Int64")
        elif col.type == "bool":
            series = pd.Series(values, dtype=object).astype("boolean")
        elif col.type in ("decimal", "money"):
            series = pd.Series(values).astype("float64")
        else:
            series = pd.Series(values, dtype=object)
        out[col.key] = series
        if col.month_day:
            companion = month_day_column(col.key)
            given = data.get(companion)
            out[companion] = pd.Series(nones(n) if given is None else given, dtype=object)
    return pd.DataFrame(out, columns=list(out))


@dataclass(frozen=True)
class Groups:
    """Items grouped by a key: ``members[offsets[g] : offsets[g] + counts[g]]`` are the items of group ``g``.

    >>> g = Groups.of(np.array([1, 0, 1]), 3)
    >>> g.members.tolist(), g.counts.tolist()
    ([1, 0, 2], [1, 2, 0])
    """

    members: IntArr
    offsets: IntArr
    counts: IntArr

    @classmethod
    def of(cls, group_of: IntArr, n_groups: int) -> Groups:
        """The groups of items whose group is ``group_of[item]``, items in their original order within a group."""
        counts = np.bincount(group_of, minlength=n_groups).astype(np.int64)
        members = np.argsort(group_of, kind="stable").astype(np.int64)
        return cls(members, (np.cumsum(counts) - counts).astype(np.int64), counts)

    def pick(self, rng: np.random.Generator, group: IntArr) -> IntArr:
        """For each element of ``group`` (a non-empty group), one of its items drawn at random."""
        return self.members[self.offsets[group] + (rng.random(len(group)) * self.counts[group]).astype(np.int64)]
