"""read_gsheet: a branch's Google Sheet into the same typed frames and Issues as an Excel file.

One ``values.batchGet`` per spreadsheet reads every tab (``UNFORMATTED_VALUE``
with ``SERIAL_NUMBER`` dates), so a branch costs one read request of the
quota. Each value keeps its JSON type: numbers, booleans and strings are told
apart exactly (a phone stored as a number is reported, as in Excel), numbers in
date columns are date serials (days since 1899-12-30). The values then go
through the reader of :mod:`sheetkit.read.workbook`: header matching in any
language, typed parsing, Issues with the tab name and A1 cell staff see.

The tab names asked for are those of the branch's locale; when a tab was
renamed or the locale is unknown, one ``spreadsheets.get`` lists the tabs and
the read is repeated with the tabs found (2-3 reads instead of 1). Values only:
hidden rows, merged cells and formulas are not visible through this request.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pandas as pd

from sheetkit.errors import SheetsError, UnknownLocaleError
from sheetkit.gsheets.client import SheetsClient
from sheetkit.read.parse import normalize_label
from sheetkit.read.raw import RawSheet, SheetFacts, number_text
from sheetkit.read.workbook import Workbook, read_source
from sheetkit.template import Template, load_template
from sheetkit.template.geometry import column_letter, quote_sheet

__all__ = ["read_gsheet", "read_gsheet_values", "tab_keys"]


def tab_keys(template: Template) -> list[str]:
    """Canonical keys of the tabs of a sheetkit workbook, in workbook order: data sheets, Lists, Settings, About.

    >>> " ".join(tab_keys(load_template()))
    'clients visits appointments feedback patch_tests consents follow_ups lists settings about'
    """
    return list(template.tab_keys)


def read_gsheet(
    client: SheetsClient,
    spreadsheet: str,
    *,
    locale: str | None = None,
    template: Template | None = None,
) -> Workbook:
    """Read a Google Sheet made from the client-allocation template.

    ``locale`` (en, zh-CN, it, vi) names the tabs to ask for in the single
    read; without it, the tabs are listed first. Errors: SheetsAccessError
    (not shared, unknown key), SheetsUnavailableError (after retries),
    SheetNotFoundError (a tab is missing), TemplateMismatchError.
    """
    template = template or load_template()
    if locale is not None and locale not in template.locales:
        raise UnknownLocaleError(locale, available=list(template.locales))
    titles: list[str] | None = None
    if locale is not None:
        labels = template.labels(locale)
        wanted = [labels.sheet_name(key) for key in tab_keys(template)]
        try:
            answer = client.values_batch_get(spreadsheet, [quote_sheet(t) for t in wanted])
        except SheetsError as exc:
            if exc.status != 400:  # 400: "Unable to parse range", a tab is missing or renamed
                raise
        else:
            return _read(answer, wanted, wanted, spreadsheet, template)
    meta = client.metadata(spreadsheet, fields="sheets.properties.title")
    sheets = meta.get("sheets")
    titles = [str(t) for t in (_title(s) for s in sheets) if t] if isinstance(sheets, list) else []
    known = _known_titles(template)
    wanted = [t for t in titles if normalize_label(t) in known]
    if not wanted:
        return _read({"valueRanges": []}, [], titles, spreadsheet, template)
    answer = client.values_batch_get(spreadsheet, [quote_sheet(t) for t in wanted])
    return _read(answer, wanted, titles, spreadsheet, template)


def read_gsheet_values(
    values: Mapping[str, list[list[Any]]],
    *,
    spreadsheet: str,
    titles: Sequence[str] | None = None,
    template: Template | None = None,
) -> Workbook:
    """A branch from values already read: tab title -> rows as ``values.batchGet`` gives them.

    The values must be ``UNFORMATTED_VALUE`` with ``SERIAL_NUMBER`` dates, as :func:`read_gsheet`
    asks for them; ``titles`` are all the tabs of the spreadsheet (default: those given). For a
    caller that needs the raw values too (a backup, a comparison), so the branch is read once.
    """
    template = template or load_template()
    asked = list(values)
    answer = {"valueRanges": [{"values": values[t]} for t in asked]}
    return _read(answer, asked, list(titles) if titles is not None else asked, spreadsheet, template)


def _known_titles(template: Template) -> set[str]:
    keys = tab_keys(template)
    names = {normalize_label(key) for key in keys}
    for locale in template.locales:
        labels = template.labels(locale)
        names.update(normalize_label(labels.sheet_name(key)) for key in keys)
    return names


def _read(
    answer: Mapping[str, Any], asked: Sequence[str], titles: Sequence[str], spreadsheet: str, template: Template
) -> Workbook:
    ranges = answer.get("valueRanges", [])
    if not isinstance(ranges, list) or len(ranges) != len(asked) or not all(isinstance(r, dict) for r in ranges):
        # A short answer would load as a branch with empty tabs: refuse it rather than merge half a branch.
        raise SheetsError(
            f"Google answered with {len(ranges) if isinstance(ranges, list) else 'no'} of the {len(asked)} tabs "
            "asked for; try again",
            spreadsheet=spreadsheet,
        )
    values = {title: _rows(r.get("values", [])) for title, r in zip(asked, ranges, strict=True)}
    source = _ValuesSource(values, list(titles))
    return read_source(source, path=f"gsheets:{spreadsheet}", kind="gsheets", template=template)


def _title(sheet: Any) -> str | None:
    props = sheet.get("properties") if isinstance(sheet, dict) else None
    title = props.get("title") if isinstance(props, dict) else None
    return title if isinstance(title, str) else None


def _rows(values: Any) -> list[list[Any]]:
    if not isinstance(values, list):
        return []
    return [row if isinstance(row, list) else [] for row in values]


class _ValuesSource:
    """The values of a batchGet, served to the reader as raw sheets."""

    def __init__(self, values: dict[str, list[list[Any]]], titles: list[str]) -> None:
        self._values = values
        self.sheet_names = titles

    def defined_names(self) -> dict[str, str]:
        # Named ranges would cost another read; the Lists layout is the template's own.
        return {}

    def sheet(self, name: str) -> RawSheet:
        return _raw_sheet(name, self._values.get(name, []))

    def scan(
        self,
        raw: RawSheet,
        *,
        data: Iterable[str],
        text: Mapping[str, Iterable[int]],
        values: Mapping[str, Iterable[int]],
    ) -> None:
        # Cell types came with the values; there is no file to scan.
        return

    def prefetch(self, name: str) -> None:
        return

    def prefetch_values(self, name: str) -> None:
        return

    def close(self) -> None:
        self._values = {}


def _raw_sheet(name: str, rows: list[list[Any]]) -> RawSheet:
    width = max((len(r) for r in rows), default=0)
    facts = SheetFacts(first_row=1)
    cells: list[list[Any]] = []
    letters = [column_letter(c) for c in range(width)]
    for r, row in enumerate(rows, start=1):
        out: list[Any] = []
        for c in range(width):
            value = row[c] if c < len(row) else ""
            if isinstance(value, bool):
                out.append("true" if value else "false")
                facts.numeric.setdefault(letters[c], set()).add(r)
            elif isinstance(value, (int, float)):
                out.append(number_text(value) if math.isfinite(value) else str(value))
                facts.numeric.setdefault(letters[c], set()).add(r)
            elif value == "" or value is None:
                out.append(math.nan)
            else:
                out.append(str(value))
                facts.text.setdefault(letters[c], set()).add(r)
        cells.append(out)
    grid = pd.DataFrame(cells, columns=range(width), dtype=object) if width else pd.DataFrame()
    return RawSheet(
        name, grid, first_row=1, columns=list(range(width)), facts=facts, exact_types=True, serial_dates=True
    )
