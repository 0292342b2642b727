"""Values split, joined and normalised on the way in, never guessed.

Dates are read in the order their column shows (a day above 12 decides it), never
swapped; a column whose dates all fit either order is read in the order given
(mapping file, vendor layout, locale) and reported. Dates become the text a
value reader writes for a date cell (``YYYY-MM-DD HH:MM:SS``), so sheetkit's own
typed parsing reads them; what cannot be read is passed on as typed and becomes
an Issue there. Numbers lose currency signs and thousands separators by the
separator their column uses. Names are joined, date and time combined, a
``3月5日`` birthday becomes a month-day, ``Blocked: Yes`` a relationship ended.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np
import pandas as pd

from sheetkit.read.parse import normalize_label

__all__ = [
    "DateColumn",
    "blocked_status",
    "combine_date_time",
    "join_name",
    "join_text",
    "normalize_numbers",
    "read_dates",
    "status_keys",
]

_CELL: Final = r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$"
_YMD: Final = r"^(?P<y>\d{4})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})(?:[ T](?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2}))?(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?)?$"  # noqa: E501
_CJK: Final = r"^(?:(?P<y>\d{4})\s*年\s*)?(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*[日号]?$"
_SEP: Final = r"^(?P<a>\d{1,2})[/.\-](?P<b>\d{1,2})[/.\-](?P<y>\d{4})(?:[ T,]+(?P<H>\d{1,2})[:.h](?P<M>\d{2})(?::(?P<S>\d{2}))?\s*(?P<p>[AaPp][Mm])?)?$"  # noqa: E501
_SHORT: Final = r"^(?P<a>\d{1,2})[/.\-](?P<b>\d{1,2})$"
_TIME: Final = r"^(?P<H>\d{1,2})[:.h](?P<M>\d{2})(?::(?P<S>\d{2}))?\s*(?P<p>[AaPp]\.?[Mm]\.?)?$"
_PLACEHOLDER_YEARS: Final = frozenset({"0000", "0001", "1604", "1900"})  # a birthday given without a year


@dataclass
class DateColumn:
    """Dates of one column as date-cell text; ``typed`` marks the cells passed on as typed."""

    cells: pd.Series
    typed: pd.Series
    #: The order the column's day/month dates were read in, and whether the values decided it.
    order: str | None
    decided: bool
    conflict: bool


def _stamp(y: pd.Series, m: pd.Series, d: pd.Series, *, hh: pd.Series, mm: pd.Series, ss: pd.Series) -> pd.Series:
    numbers = pd.DataFrame({"year": y, "month": m, "day": d, "hour": hh, "minute": mm, "second": ss}).apply(
        pd.to_numeric, errors="coerce"
    )
    numbers = numbers.fillna({"hour": 0, "minute": 0, "second": 0})
    if numbers.empty:
        return pd.Series(dtype=object)
    stamps: pd.Series = pd.to_datetime(numbers, errors="coerce")
    text: pd.Series = stamps.dt.strftime("%Y-%m-%d %H:%M:%S").where(stamps.notna())
    return text


def _hours(found: pd.DataFrame) -> pd.Series:
    hours = pd.to_numeric(found["H"], errors="coerce")
    if "p" in found:
        half = found["p"].fillna("").str.lower().str[0]
        hours = hours.where(~((half == "p") & (hours < 12)), hours + 12)
        hours = hours.where(~((half == "a") & (hours == 12)), 0)
    return hours


def read_dates(values: pd.Series, *, order: str | None, month_day: bool = False) -> DateColumn:
    """Dates of a column (text, NaN when empty); ``order`` is used when the values do not decide it.

    With ``month_day`` (birthdays), a day and month without a year becomes ``MM-DD``.

    >>> col = read_dates(pd.Series(["05/03/2024", "25/12/2023"]), order="MDY")
    >>> col.cells.tolist(), col.order, col.decided
    (['2024-03-05 00:00:00', '2023-12-25 00:00:00'], 'DMY', True)
    >>> read_dates(pd.Series(["3月5日", "1990年12月1日"]), order=None, month_day=True).cells.tolist()
    ['03-05', '1990-12-01 00:00:00']
    """
    text = values.dropna().astype(str).str.strip()
    text = text[text != ""]
    # Each distinct text is read once (a visit log of 10^5 rows holds a few thousand days).
    distinct = text.drop_duplicates().reset_index(drop=True)
    found, chosen, decided, conflict, needed = _read_distinct(distinct, order=order, month_day=month_day)
    cells: pd.Series = pd.Series(np.nan, index=values.index, dtype=object)
    cells[text.index] = text.map(pd.Series(found.to_numpy(dtype=object), index=distinct.to_numpy())).astype(object)
    typed = pd.Series(False, index=values.index)
    missing = cells.isna() & values.notna()
    cells[missing] = values[missing]
    typed[missing] = True
    return DateColumn(cells, typed, chosen if needed else None, decided, conflict)


def _read_distinct(
    text: pd.Series, *, order: str | None, month_day: bool
) -> tuple[pd.Series, str | None, bool, bool, bool]:
    """Date-cell text of distinct texts (NaN where unread); the order chosen, decided, conflicting, needed."""
    cells: pd.Series = pd.Series(np.nan, index=text.index, dtype=object)
    done = text.str.match(_CELL)
    cells[text.index[done]] = text[done]
    rest = text[~done]
    iso = rest.str.extract(_YMD)
    hit = iso["y"].notna()
    if hit.any():
        cells[iso.index[hit]] = _stamp(iso.y[hit], iso.m[hit], iso.d[hit], hh=iso.H[hit], mm=iso.M[hit], ss=iso.S[hit])
        if month_day:
            blank_year = hit & iso["y"].isin(_PLACEHOLDER_YEARS)
            cells[iso.index[blank_year]] = _month_day(iso.m[blank_year], iso.d[blank_year])
    rest = rest[~hit]
    cjk = rest.str.extract(_CJK)
    hit = cjk["m"].notna()
    if hit.any():
        full = hit & cjk["y"].notna()
        zeros = pd.Series(None, index=cjk.index, dtype=object)
        cells[cjk.index[full]] = _stamp(
            cjk.y[full], cjk.m[full], cjk.d[full], hh=zeros[full], mm=zeros[full], ss=zeros[full]
        )
        if month_day:
            cells[cjk.index[hit & ~full]] = _month_day(cjk.m[hit & ~full], cjk.d[hit & ~full])
    rest = rest[~hit]
    sep = rest.str.extract(_SEP)
    short = rest.str.extract(_SHORT) if month_day else pd.DataFrame(columns=["a", "b"], index=rest.index)
    firsts = pd.concat([sep["a"], short["a"]]).dropna().astype(int)
    seconds = pd.concat([sep["b"], short["b"]]).dropna().astype(int)
    day_first, month_first = bool((firsts > 12).any()), bool((seconds > 12).any())
    decided = day_first != month_first
    chosen = ("DMY" if day_first else "MDY") if decided else order
    if chosen == "YMD":
        chosen = "DMY" if order is None else order
    hit = sep["a"].notna()
    if hit.any() and chosen in ("DMY", "MDY"):
        day, month = (sep.a, sep.b) if chosen == "DMY" else (sep.b, sep.a)
        cells[sep.index[hit]] = _stamp(
            sep.y[hit], month[hit], day[hit], hh=_hours(sep)[hit], mm=sep.M[hit], ss=sep.S[hit]
        )
    short_hit = short["a"].notna() & ~hit
    if month_day and short_hit.any() and chosen in ("DMY", "MDY"):
        day, month = (short.a, short.b) if chosen == "DMY" else (short.b, short.a)
        cells[short.index[short_hit]] = _month_day(month[short_hit], day[short_hit])
    needed = bool(hit.any() or short_hit.any())
    return cells, chosen, decided, day_first and month_first, needed


def _month_day(month: pd.Series, day: pd.Series) -> pd.Series:
    m = pd.to_numeric(month, errors="coerce")
    d = pd.to_numeric(day, errors="coerce")
    ok = m.between(1, 12) & d.between(1, 31)
    out = pd.Series(None, index=month.index, dtype=object)
    out[ok] = [f"{int(a):02d}-{int(b):02d}" for a, b in zip(m[ok], d[ok], strict=True)]
    return out


def combine_date_time(dates: pd.Series, times: pd.Series) -> pd.Series:
    """Date cells with the time of day of a separate column (``14:30``, ``2:30 PM``); other cells as they are."""
    found = times.astype(object).where(times.notna(), "").astype(str).str.strip().str.extract(_TIME)
    ok = found["H"].notna() & dates.astype(str).str.match(_CELL)
    if not ok.any():
        return dates
    hours = _hours(found)
    out = dates.copy()
    day = dates[ok].str.slice(0, 10)
    out[ok] = [
        f"{d} {int(h):02d}:{int(m):02d}:{int(s) if isinstance(s, str) else 0:02d}"
        for d, h, m, s in zip(day, hours[ok], found["M"][ok], found["S"][ok], strict=True)
    ]
    return out


def normalize_numbers(values: pd.Series, *, decimal: str = ".") -> tuple[pd.Series, pd.Series]:
    """Numbers as plain text (``1234.5``); and the cells left as typed.

    The decimal separator is the one the column shows (a separator followed by one or
    two digits at the end), else ``decimal`` (the sources' locale): ``350.000`` is
    three hundred and fifty thousand in Vietnam, three hundred and fifty in England.

    >>> normalize_numbers(pd.Series(["$1,234.50", "80"]))[0].tolist()
    ['1234.50', '80']
    >>> normalize_numbers(pd.Series(["1.234,50 €", "80,00"]))[0].tolist()
    ['1234.50', '80.00']
    >>> normalize_numbers(pd.Series(["350.000", "1.200.000"]), decimal=",")[0].tolist()
    ['350000', '1200000']
    """
    cells = values.dropna().astype(str)
    # Each distinct text is read once (a price list repeats); ``text`` is indexed by those texts.
    distinct = cells.drop_duplicates().reset_index(drop=True)
    text = distinct.str.replace(r"[€$£¥₫元đ\s\u00a0\u202f]|VND|EUR|CNY|RMB|USD|GBP", "", regex=True)
    if text.str.fullmatch(r"-?[\d.]*\d,\d{1,2}").any():
        decimal = ","
    elif text.str.fullmatch(r"-?[\d,]*\d\.\d{1,2}").any():
        decimal = "."
    thousands = "." if decimal == "," else ","
    plain = text.str.replace(thousands, "", regex=False).str.replace(decimal, ".", regex=False)
    plain = plain.str.replace(r"^\((.*)\)$", r"-\1", regex=True)  # (12.00): a negative amount
    good = plain.str.fullmatch(r"-?\d+(?:\.\d+)?").fillna(False).astype(bool)
    read = cells.map(pd.Series(plain.where(good).to_numpy(dtype=object), index=distinct.to_numpy()))
    ok = read.notna()
    out = values.astype(object).copy()
    out[cells.index[ok]] = read[ok]
    typed = pd.Series(False, index=values.index)
    typed[cells.index[~ok]] = True
    return out, typed


def join_text(parts: Sequence[pd.Series], separator: str) -> pd.Series:
    """Non-empty parts of each row joined by ``separator`` (NaN when all are empty).

    >>> join_text([pd.Series(["a", None]), pd.Series(["b", "c"])], "; ").tolist()
    ['a; b', 'c']
    """
    out: pd.Series = pd.Series(np.nan, index=parts[0].index, dtype=object)
    for part in parts:
        text = part.astype(object).where(part.notna(), "").astype(str).str.strip()
        text = text.where(text != "")
        both = out.notna() & text.notna()
        out = out.where(~both, out.astype(str) + separator + text.astype(str))
        out = out.where(out.notna(), text)
    return out.astype(object)


def _cjk(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def join_name(first: pd.Series, last: pd.Series, *, locale: str) -> pd.Series:
    """Full names from given and family names: family name first in Chinese (no space) and Vietnamese.

    >>> join_name(pd.Series(["Anna", "丽"]), pd.Series(["Rossi", "王"]), locale="it").tolist()
    ['Anna Rossi', '王丽']
    """
    out = []
    for given, family in zip(first.tolist(), last.tolist(), strict=True):
        g = given.strip() if isinstance(given, str) else ""
        f = family.strip() if isinstance(family, str) else ""
        if _cjk(g + f):
            out.append(f + g)
        elif locale == "vi":
            out.append(" ".join(p for p in (f, g) if p))
        else:
            out.append(" ".join(p for p in (g, f) if p))
    return pd.Series(out, index=first.index, dtype=object).where(lambda s: s != "", np.nan)


def blocked_status(values: pd.Series, yes_words: Sequence[str]) -> pd.Series:
    """``relationship_ended`` where a Blocked column says yes, ``active`` otherwise."""
    yes = {normalize_label(str(w)) for w in yes_words}
    blocked = values.astype(object).where(values.notna(), "").astype(str).map(lambda v: normalize_label(v) in yes)
    return pd.Series(np.where(blocked, "relationship_ended", "active"), index=values.index, dtype=object)


def status_keys(values: pd.Series, words: dict[str, list[str]]) -> pd.Series:
    """Appointment status keys from the words exports use; an unknown word stays as typed."""
    index = {normalize_label(str(w)): key for key, ws in words.items() for w in ws}
    folded = values.astype(object).where(values.notna(), "").astype(str)
    table = {v: index.get(normalize_label(v), v if v else None) for v in folded.unique()}
    return folded.map(table).astype(object)
