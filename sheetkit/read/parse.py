"""Typed parsing of raw cell text, per template column type, before pandera.

Each parser takes a column's raw text (index = sheet row number, NaN = empty)
and returns the typed column plus findings: cells that could not be read are
NaN in the typed column and a :class:`Finding` each, so one bad date never
hides the rest of the column (pandera's coercion would cascade). Nothing is
swapped or guessed: text dates are read only in the workbook's declared order,
a phone stored as a number is reported, never "fixed".
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

import numpy as np
import pandas as pd

from sheetkit.frames import row_of
from sheetkit.issues import IssueCode
from sheetkit.read.arrow_text import all_ascii, any_in, contains, fullmatch, in_folded_set, longer_than
from sheetkit.template import MULTICHOICE_SEPARATOR, Column, Labels, Template

__all__ = [
    "ERROR_VALUES",
    "ColumnContext",
    "Finding",
    "choice_index",
    "error_values",
    "normalize_label",
    "parse_column",
]

#: Texts that mean "no value" in non-text columns. In free-text columns they are
#: kept as typed: a client may well be called "NA".
PLACEHOLDERS: Final = frozenset(
    {"n/a", "na", "n.a.", "n.a", "-", "--", "---", "—", "–", "?", "??", "null", "nil", "tbd", "/", "0/0"}
)
CONTROL: Final = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
#: A date cell as the value reader writes it (RE2 syntax, matched whole).
_DATE_CELL: Final = r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}"
_ISO: Final = r"^(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})(?:[ T](?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2}))?)?$"
_CJK: Final = r"^(?P<y>\d{4})年(?P<m>\d{1,2})月(?P<d>\d{1,2})日?(?:\s*(?P<H>\d{1,2})[:：](?P<M>\d{2}))?$"
_SEP: Final = (
    r"^(?P<a>\d{1,4})[/.\-](?P<b>\d{1,2})[/.\-](?P<c>\d{1,4})(?:\s+(?P<H>\d{1,2})[:.h](?P<M>\d{2})(?::(?P<S>\d{2}))?)?$"
)
#: A day and month without the year: two numbers joined by "-", "/" or ".", in the workbook's date order.
_MONTH_DAY: Final = re.compile(r"^(\d{1,2})[-/.](\d{1,2})$")
#: Always month first: ISO 8601's "--MM-DD" and the Chinese 3月5日.
_MONTH_FIRST: Final = re.compile(r"^(?:--(\d{1,2})-(\d{1,2})|(\d{1,2})月(\d{1,2})日?)$")
#: Error values of Excel, LibreOffice and Google Sheets, as a cell shows them (Google's API returns them as text).
ERROR_VALUES: Final = frozenset(
    {
        "#REF!",
        "#NAME?",
        "#N/A",
        "#VALUE!",
        "#DIV/0!",
        "#NUM!",
        "#NULL!",
        "#ERROR!",
        "#SPILL!",
        "#CALC!",
        "#GETTING_DATA",
        "#FIELD!",
        "#BLOCKED!",
        "#CONNECT!",
        "#BUSY!",
        "#UNKNOWN!",
    }
)
_MONTH_LENGTH: Final = {1: 31, 2: 29, 3: 31, 4: 30, 5: 31, 6: 30, 7: 31, 8: 31, 9: 30, 10: 31, 11: 30, 12: 31}
#: Whole numbers beyond this are not exact in a spreadsheet (IEEE doubles) and would overflow Int64.
_MAX_EXACT: Final = 2**53
_EMAIL: Final = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE: Final = re.compile(r"^[+0-9()\-./ ]{5,32}$")
_CURRENCY: Final = re.compile(r"[€$£¥₫元đ\s\u00a0\u202f]|VND|EUR|CNY|GBP|USD|RMB", re.IGNORECASE)
_SPLIT: Final = re.compile(r"\s*[;,，；、]\s*")


@dataclass(frozen=True)
class Finding:
    """A cell that needs fixing: sheet row, issue code, value as typed, message parameters."""

    row: int
    code: IssueCode
    value: Any
    params: Mapping[str, Any] = field(default_factory=dict)


@dataclass
class ColumnContext:
    """What a parser needs besides the text: how cells were stored, the workbook's labels."""

    template: Template
    labels: Labels
    date_order: str
    #: Sheet rows whose cell is stored as a number (known for text columns), or None if unknown.
    numeric_rows: set[int] | None = None
    #: Sheet rows whose cell is stored as text (known for number and date columns), or None if unknown.
    text_rows: set[int] | None = None
    #: Reverse index of every locale's choice labels: list -> normalized label -> key.
    choice_index: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    #: A birthday without the year is typed month first (MM-DD); None: day first when the date order is DMY.
    #: (Workbooks of template version 1 always took MM-DD.)
    month_first: bool | None = None

    @property
    def day_first_birthdays(self) -> bool:
        """True when a birthday without the year is typed day first (DD-MM)."""
        return not self.month_first if self.month_first is not None else self.date_order == "DMY"


def normalize_label(text: str) -> str:
    """Fold a label for matching: full-width forms, case, non-breaking and repeated spaces."""
    folded = unicodedata.normalize("NFKC", text).replace("\u00a0", " ").replace("\u202f", " ")
    return " ".join(folded.split()).casefold()


def parse_column(raw: pd.Series, column: Column, ctx: ColumnContext) -> tuple[pd.Series, list[Finding]]:
    """Typed values and findings for one column's raw text."""
    findings: list[Finding] = []
    present = raw.notna()
    if not present.any():
        return _empty(raw.index, column), findings
    text = raw[present].astype(str)
    # NFC changes nothing in ASCII text: normalize only the rest (most cells are ASCII).
    if not all_ascii(text):
        wide = ~text.str.isascii()
        text = text.where(~wide, text[wide].str.normalize("NFC"))
    if column.type not in ("text",):
        text = text.str.strip()
        text = text[text != ""]
    errors = error_values(text)
    if errors.any():
        findings.extend(Finding(row_of(r), "error-cell", v.strip()) for r, v in text[errors].items())
        text = text[~errors]
    parser = _PARSERS[column.type]
    typed_present, found = parser(text, column, ctx)
    findings.extend(found)
    if column.type in ("text", "id", "phone", "email", "multichoice"):
        control = text[contains(text, CONTROL.pattern)]
        findings.extend(Finding(row_of(r), "control-characters", v) for r, v in control.items())
    return typed_present.reindex(raw.index), findings


# --------------------------------------------------------------------- helpers


def error_values(text: pd.Series) -> pd.Series:
    """True where a cell's text is a spreadsheet error value such as ``#REF!`` or ``#N/A`` (any case, trimmed).

    >>> error_values(pd.Series(["#NAME?", " #n/a ", "#1 client", "N/A"])).tolist()
    [True, True, False, False]
    """
    if text.empty or not any_in(text, "#"):
        return pd.Series(False, index=text.index)
    return pd.Series(in_folded_set(text, ERROR_VALUES, strip=True, upper=True), index=text.index)


def _empty(index: pd.Index, column: Column) -> pd.Series:
    if column.type in ("int", "rating"):
        return pd.Series(pd.NA, index=index, dtype="Int64")
    if column.type in ("decimal", "money"):
        return pd.Series(np.nan, index=index, dtype="float64")
    if column.type == "bool":
        return pd.Series(pd.NA, index=index, dtype="boolean")
    if column.type in ("date", "datetime") and not column.month_day:
        return pd.Series(pd.NaT, index=index, dtype="datetime64[ns]")
    return pd.Series(None, index=index, dtype=object)


def _placeholder(text: pd.Series) -> pd.Series:
    """True where a cell is a placeholder such as "n/a" or "-" (folded as casefold would for these texts)."""
    if text.empty:
        return pd.Series(False, index=text.index)
    return pd.Series(in_folded_set(text, PLACEHOLDERS), index=text.index)


def _report(findings: list[Finding], text: pd.Series, mask: pd.Series, code: IssueCode, **params: Any) -> None:
    if not mask.any():
        return
    for row, value in text[mask].items():
        findings.append(Finding(row_of(row), code, value, params))


def _shared(text: pd.Series) -> pd.Series:
    """``text`` as Python strings, one object per distinct value (a repeated name costs a pointer per cell)."""
    codes, uniques = pd.factorize(text)
    return pd.Series(np.asarray(uniques, dtype=object).take(codes), index=text.index, dtype=object)


def _lookup(text: pd.Series, index: Mapping[str, str]) -> pd.Series:
    """Canonical keys of labels, computed once per distinct text (columns repeat few values)."""
    codes, uniques = pd.factorize(text)
    keys = np.array([index.get(normalize_label(value)) for value in uniques], dtype=object)
    return pd.Series(keys.take(codes), index=text.index, dtype=object)


def _too_long(findings: list[Finding], text: pd.Series, column: Column) -> None:
    if not column.max_length:
        return
    long = longer_than(text, column.max_length)
    if not long.any():
        return
    for row, value in text[long].items():
        findings.append(Finding(row_of(row), "text-too-long", value, {"length": len(value), "max": column.max_length}))


def _number_rows(ctx: ColumnContext, text: pd.Series) -> pd.Series:
    if ctx.numeric_rows is None:
        return pd.Series(False, index=text.index)
    return pd.Series(text.index.isin(list(ctx.numeric_rows)), index=text.index)


def _text_rows(ctx: ColumnContext, text: pd.Series) -> pd.Series:
    if ctx.text_rows is None:
        return pd.Series(True, index=text.index)
    return pd.Series(text.index.isin(list(ctx.text_rows)), index=text.index)


# ------------------------------------------------------------------- parsers


def _parse_text(text: pd.Series, column: Column, ctx: ColumnContext) -> tuple[pd.Series, list[Finding]]:
    findings: list[Finding] = []
    _too_long(findings, text, column)
    return _shared(text), findings


def _parse_id(text: pd.Series, column: Column, ctx: ColumnContext) -> tuple[pd.Series, list[Finding]]:
    typed, findings = _parse_text(text, column, ctx)
    numeric = _number_rows(ctx, text)
    _report(findings, text, numeric, "id-as-number")
    placeholder = _placeholder(text) & ~numeric
    _report(findings, text, placeholder, "placeholder-value")
    return typed.where(~placeholder), findings


def _parse_phone(text: pd.Series, column: Column, ctx: ColumnContext) -> tuple[pd.Series, list[Finding]]:
    findings: list[Finding] = []
    numeric = _number_rows(ctx, text)
    _report(findings, text, numeric, "phone-as-number")
    placeholder = _placeholder(text) & ~numeric
    _report(findings, text, placeholder, "placeholder-value")
    digits = text.str.count(r"\d")
    odd = ~numeric & ~placeholder & (~text.str.match(_PHONE) | (digits < 5))
    _report(findings, text, odd, "invalid-phone")
    return text.astype(object).where(~placeholder), findings


def _parse_email(text: pd.Series, column: Column, ctx: ColumnContext) -> tuple[pd.Series, list[Finding]]:
    findings: list[Finding] = []
    placeholder = _placeholder(text)
    _report(findings, text, placeholder, "placeholder-value")
    bad = ~placeholder & ~text.str.match(_EMAIL)
    _report(findings, text, bad, "invalid-email")
    _too_long(findings, text, column)
    return text.astype(object).where(~placeholder & ~bad), findings


def _choice_lookup(column: Column, ctx: ColumnContext) -> tuple[Mapping[str, str] | None, str]:
    name = str(column.choices)
    if ctx.template.is_reference_list(name):
        return None, name
    return ctx.choice_index[name], name


def _parse_choice(text: pd.Series, column: Column, ctx: ColumnContext) -> tuple[pd.Series, list[Finding]]:
    findings: list[Finding] = []
    index, name = _choice_lookup(column, ctx)
    if index is None:  # a manager-edited list: names as typed, checked against Lists by validate()
        placeholder = _placeholder(text)
        _report(findings, text, placeholder, "placeholder-value")
        return _shared(text).where(~placeholder), findings
    keys = _lookup(text, index)
    unknown = keys.isna()
    placeholder = unknown & _placeholder(text)
    _report(findings, text, placeholder, "placeholder-value")
    expected = ", ".join(ctx.labels.choice_labels(name))
    _report(findings, text, unknown & ~placeholder, "unknown-choice", expected=expected)
    return keys.astype(object), findings


def _parse_multichoice(text: pd.Series, column: Column, ctx: ColumnContext) -> tuple[pd.Series, list[Finding]]:
    findings: list[Finding] = []
    index, name = _choice_lookup(column, ctx)
    assert index is not None  # noqa: S101 - the template loader only allows fixed lists here
    expected = ", ".join(ctx.labels.choice_labels(name))
    out: dict[Any, Any] = {}
    for row, value in text.items():
        if value.casefold() in PLACEHOLDERS:
            findings.append(Finding(row_of(row), "placeholder-value", value))
            continue
        parts = [p for p in _SPLIT.split(value) if p]
        keys = [index.get(normalize_label(p)) for p in parts]
        if any(k is None for k in keys):
            findings.append(Finding(row_of(row), "unknown-choice", value, {"expected": expected}))
            continue
        out[row] = MULTICHOICE_SEPARATOR.join(dict.fromkeys(k for k in keys if k))
    return pd.Series(out, index=text.index, dtype=object), findings


def _parse_bool(text: pd.Series, column: Column, ctx: ColumnContext) -> tuple[pd.Series, list[Finding]]:
    findings: list[Finding] = []
    index = ctx.choice_index["yes_no"]
    table = {
        v: {"yes": True, "no": False}.get(index.get(normalize_label(v), ""), _BOOL_WORDS.get(v.casefold()))
        for v in text.unique()
    }
    mapped = text.map(table)
    unknown = mapped.isna()
    placeholder = unknown & _placeholder(text)
    _report(findings, text, placeholder, "placeholder-value")
    expected = ", ".join(ctx.labels.choice_labels("yes_no"))
    _report(findings, text, unknown & ~placeholder, "unknown-choice", expected=expected)
    return mapped.astype("boolean"), findings


_BOOL_WORDS: Final = {"true": True, "false": False, "1": True, "0": False, "y": True, "n": False}


def _to_number(text: pd.Series, stored_as_text: pd.Series, separator: str) -> pd.Series:
    """Numbers from cell text: number cells as written by the reader, text cells in the locale's style."""
    out = pd.to_numeric(text.where(~stored_as_text), errors="coerce")
    typed = text[stored_as_text].str.replace(_CURRENCY, "", regex=True)
    if typed.empty:
        return out
    thousands = "." if separator == "," else ","
    t, d = re.escape(thousands), re.escape(separator)
    plain = typed.str.fullmatch(rf"[+-]?\d+(?:{d}\d+)?")
    grouped = typed.str.fullmatch(rf"[+-]?\d{{1,3}}(?:{t}\d{{3}})+(?:{d}\d+)?")
    # A dot (or comma) followed by anything but exactly three digits cannot be a thousands separator.
    other = typed.str.fullmatch(rf"[+-]?\d+{t}(?:\d{{1,2}}|\d{{4,}})")
    canonical: pd.Series = pd.Series(None, index=typed.index, dtype=object)
    canonical[plain | grouped] = (
        typed[plain | grouped].str.replace(thousands, "", regex=False).str.replace(separator, ".", regex=False)
    )
    canonical[other & ~(plain | grouped)] = typed[other & ~(plain | grouped)].str.replace(thousands, ".", regex=False)
    out[typed.index] = pd.to_numeric(canonical, errors="coerce")
    return out


def _parse_number(text: pd.Series, column: Column, ctx: ColumnContext) -> tuple[pd.Series, list[Finding]]:
    findings: list[Finding] = []
    stored_as_text = _text_rows(ctx, text)
    numbers = _to_number(text, stored_as_text, ctx.labels.decimal_separator)
    bad = numbers.isna()
    placeholder = bad & _placeholder(text)
    _report(findings, text, placeholder, "placeholder-value")
    _report(findings, text, bad & ~placeholder, "not-a-number")
    if column.type in ("int", "rating"):
        huge = numbers.abs() > _MAX_EXACT
        low = int(column.min) if isinstance(column.min, float) else -_MAX_EXACT
        high = int(column.max) if isinstance(column.max, float) else _MAX_EXACT
        _report(findings, text, huge, "out-of-range", min=low, max=high)
        numbers = numbers.where(~huge)
        fractional = numbers.notna() & (numbers != numbers.round())
        _report(findings, text, fractional, "not-a-whole-number")
        numbers = numbers.where(~fractional)
        return numbers.astype("Float64").astype("Int64"), findings
    return numbers.astype("float64"), findings


def _parse_when(text: pd.Series, column: Column, ctx: ColumnContext) -> tuple[pd.Series, list[Finding]]:
    findings: list[Finding] = []
    stored_as_text = _text_rows(ctx, text)
    result = pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns]")
    # Real date cells, as the reader writes them.
    cells = ~stored_as_text & pd.Series(fullmatch(text, _DATE_CELL), index=text.index)
    if cells.all():  # the usual column: dates only, no typing to look at
        stamps = pd.to_datetime(text, format="%Y-%m-%d %H:%M:%S", errors="coerce").astype("datetime64[ns]")
        return _finish_when(stamps, column), findings
    result[cells] = pd.to_datetime(text[cells], format="%Y-%m-%d %H:%M:%S", errors="coerce")
    rest = text[~cells]
    if rest.empty:
        return _finish_when(result, column), findings
    example = _example(ctx)
    placeholder = _placeholder(rest)
    _report(findings, rest, placeholder, "placeholder-value")
    rest = rest[~placeholder]
    numeric = rest.str.fullmatch(r"\d+(?:\.\d+)?") & ~_text_rows(ctx, rest)
    _report(findings, rest, numeric, "serial-number-date")
    rest = rest[~numeric]
    if column.month_day:
        month_days, unreadable, taken = _month_days(rest, day_first=ctx.day_first_birthdays)
        result = result.astype(object)
        result[month_days.index] = month_days
        _report(findings, rest, unreadable, "not-a-month-day", month_day=_month_day_format(ctx))
        rest = rest[~taken]
    parsed, bad = _parse_text_dates(rest, ctx.date_order)
    result[parsed.index] = parsed
    typed_text = dict(rest.items())
    for row, code in bad.items():
        findings.append(Finding(row_of(row), code, typed_text[row], {"example": example, "order": ctx.date_order}))
    return _finish_when(result, column), findings


def _month_days(text: pd.Series, *, day_first: bool) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Birthdays without the year, as "MM-DD": (the valid ones, unreadable mask, every text taken as a month-day).

    Two numbers are read day first when ``day_first`` (the workbook's date order is
    DMY: "05-03" is 5 March in an Italian workbook), else month first; "--MM-DD" and
    "3月5日" are always month first. 29 February is a valid birthday.
    """
    plain = text.str.extract(_MONTH_DAY)
    first = text.str.extract(_MONTH_FIRST)
    month = pd.to_numeric(plain[1] if day_first else plain[0], errors="coerce")
    day = pd.to_numeric(plain[0] if day_first else plain[1], errors="coerce")
    fixed_month = pd.to_numeric(first[0].fillna(first[2]), errors="coerce")
    fixed_day = pd.to_numeric(first[1].fillna(first[3]), errors="coerce")
    month = month.where(fixed_month.isna(), fixed_month)
    day = day.where(fixed_day.isna(), fixed_day)
    taken = plain[0].notna() | first[0].notna() | first[2].notna()
    longest = month.map(lambda m: _MONTH_LENGTH.get(int(m), 0) if pd.notna(m) else 0)
    valid = taken & month.between(1, 12) & day.ge(1) & day.le(longest)
    month_days = pd.Series(
        [f"{int(m):02d}-{int(d):02d}" for m, d in zip(month[valid], day[valid], strict=True)],
        index=text.index[valid],
        dtype=object,
    )
    return month_days, taken & ~valid, taken


def _month_day_format(ctx: ColumnContext) -> str:
    """How staff type a birthday without the year in this workbook: "DD-MM" or "MM-DD"."""
    return "DD-MM" if ctx.day_first_birthdays else "MM-DD"


def _finish_when(result: pd.Series, column: Column) -> pd.Series:
    if column.month_day:
        return result.astype(object).where(result.notna(), None)
    return pd.to_datetime(result)


def _parse_text_dates(text: pd.Series, order: str) -> tuple[pd.Series, pd.Series]:
    """Dates from text typed in the declared order (ISO and 年月日 always accepted)."""
    parts = pd.DataFrame(index=text.index, columns=["y", "m", "d", "H", "M", "S"], dtype=object)
    matched = pd.Series(False, index=text.index)
    ambiguous = pd.Series(False, index=text.index)
    for pattern in (_ISO, _CJK):
        found = text.str.extract(pattern)
        hit = found["y"].notna() & ~matched
        for key in ("y", "m", "d", "H", "M"):
            parts.loc[hit, key] = found.loc[hit, key]
        if "S" in found:
            parts.loc[hit, "S"] = found.loc[hit, "S"]
        matched |= hit
    found = text.str.extract(_SEP)
    hit = found["a"].notna() & ~matched
    positions = {"DMY": ("c", "b", "a"), "MDY": ("c", "a", "b"), "YMD": ("a", "b", "c")}[order]
    year_col, month_col, day_col = positions
    year = found[year_col]
    # Four digits outside the year's place: typed in another order, not an ambiguous year.
    wrong_order = hit & (found[month_col].str.len() > 2) | hit & (found[day_col].str.len() > 2)
    two_digit = hit & (year.str.len() <= 2) & ~wrong_order
    ambiguous |= two_digit
    hit &= ~two_digit
    for key, col in (("y", year_col), ("m", month_col), ("d", day_col)):
        parts.loc[hit, key] = found.loc[hit, col]
    for key in ("H", "M", "S"):
        parts.loc[hit, key] = found.loc[hit, key]
    matched |= hit
    numbers = parts.apply(pd.to_numeric, errors="coerce").fillna({"H": 0, "M": 0, "S": 0})
    stamps = (
        pd.to_datetime(
            {
                "year": numbers["y"],
                "month": numbers["m"],
                "day": numbers["d"],
                "hour": numbers["H"],
                "minute": numbers["M"],
                "second": numbers["S"],
            },
            errors="coerce",
        )
        if matched.any()
        else pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns]")
    )
    impossible = matched & (stamps.isna() | (numbers["y"] < 1000))
    codes = pd.Series(
        np.where(ambiguous, "ambiguous-date", np.where(impossible, "impossible-date", "not-a-date")), index=text.index
    )
    bad = codes[~(matched & ~impossible)]
    return stamps[matched & ~impossible], bad


def _example(ctx: ColumnContext) -> str:
    fmt = ctx.labels.date_format
    return fmt.replace("yyyy", "2026").replace("mm", "03").replace("dd", "14")


_PARSERS: Final[Mapping[str, Callable[[pd.Series, Column, ColumnContext], tuple[pd.Series, list[Finding]]]]] = {
    "text": _parse_text,
    "id": _parse_id,
    "phone": _parse_phone,
    "email": _parse_email,
    "choice": _parse_choice,
    "multichoice": _parse_multichoice,
    "bool": _parse_bool,
    "int": _parse_number,
    "rating": _parse_number,
    "decimal": _parse_number,
    "money": _parse_number,
    "date": _parse_when,
    "datetime": _parse_when,
    "month-day": _parse_when,
}


def choice_index(template: Template) -> dict[str, dict[str, str]]:
    """Every fixed list's labels in every locale, plus the canonical keys, folded for matching."""
    index: dict[str, dict[str, str]] = {}
    for name, keys in template.choice_lists.items():
        entries: dict[str, str] = {}
        for key in keys:
            entries[normalize_label(key)] = key
            entries[normalize_label(key.replace("_", " "))] = key
        for locale in template.locales:
            for key, label in template.labels(locale).choices[name].items():
                entries.setdefault(normalize_label(label), key)
        index[name] = entries
    return index
