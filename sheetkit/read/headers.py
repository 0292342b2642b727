"""Which tab is which sheet, and which header is which column, in any supported locale.

This module owns matching a workbook's tab names and header row to the template.
Labels are compared after :func:`~sheetkit.read.parse.normalize_label` (case,
spaces, full-width forms), in every locale of the template and by canonical key,
so a column is found whatever its language or position. :class:`SheetInfo`
records where each column of a data sheet was found.

A header staff renamed (Phone -> "Tel.") is not guessed back: an unknown header standing
where a missing template column belongs (between the same neighbours as in the template)
is a ``renamed-column`` error at that header cell, naming the expected header and how
many values are therefore not read, instead of a quiet extra and a missing column.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from pathlib import Path

from sheetkit.errors import SheetNotFoundError
from sheetkit.issues import Issue, IssueFactory, SheetInfo
from sheetkit.read.parse import normalize_label
from sheetkit.read.raw import RawSheet
from sheetkit.template import Sheet, Template
from sheetkit.template.geometry import column_letter

__all__ = ["HeaderMatch", "SheetInfo", "locate_sheets", "match_headers"]


@dataclass
class HeaderMatch:
    """A data sheet's header row matched to the template's columns."""

    info: SheetInfo
    #: Canonical key -> grid column of each data column found (formula columns are not read).
    columns: dict[str, int]
    #: Header as shown -> grid column of each column the template does not declare, and of second copies.
    extras: dict[str, int]
    #: The ``extra-column``, ``duplicate-column`` and ``renamed-column`` Issues, in column order.
    issues: list[Issue]
    #: Canonical key -> grid column of each missing column whose place holds an unknown header (not read).
    renamed: dict[str, int] = field(default_factory=dict)


def locate_sheets(template: Template, sheet_names: list[str], *, path: Path | str) -> dict[str, str]:
    """Sheet key -> tab name of each sheet found; every data sheet must be there."""
    index = _sheet_index(template)
    names: dict[str, str] = {}
    for name in sheet_names:
        key = index.get(normalize_label(name))
        if key and key not in names:
            names[key] = name
    for sheet in template.sheets:
        if sheet.key not in names:
            wanted = template.labels(template.default_locale).sheet_name(sheet.key)
            raise SheetNotFoundError(wanted, path=path, available=sheet_names)
    return names


def match_headers(template: Template, sheet: Sheet, name: str, raw: RawSheet, issues: IssueFactory) -> HeaderMatch:
    """Match the first row of a data sheet (tab ``name``, not empty) to the sheet's columns."""
    info = SheetInfo(sheet.key, name)
    found: list[Issue] = []
    mapping: dict[str, int] = {}
    extras: dict[str, int] = {}
    index = _header_index(template, sheet)
    positions: dict[str, int] = {}  # canonical key -> grid column, formula columns too
    unknown: list[tuple[int, Issue]] = []
    for j, cell in enumerate(raw.grid.iloc[0].tolist()):
        if not isinstance(cell, str) or not cell.strip():
            continue
        letter = column_letter(raw.columns[j])
        key = index.get(normalize_label(cell))
        if key is None:
            extras[cell.strip()] = j
            extra = issues.make(
                "extra-column",
                sheet=name,
                sheet_key=sheet.key,
                row=raw.first_row,
                column=cell.strip(),
                cell=f"{letter}{raw.first_row}",
            )
            found.append(extra)
            unknown.append((j, extra))
        elif key in mapping or key in info.headers:
            extras[f"{cell.strip()} ({letter})"] = j
            found.append(
                issues.make(
                    "duplicate-column",
                    sheet=name,
                    sheet_key=sheet.key,
                    row=raw.first_row,
                    column=cell.strip(),
                    column_key=key,
                    cell=f"{letter}{raw.first_row}",
                )
            )
        else:
            info.headers[key] = cell.strip()
            info.letters[key] = letter
            positions[key] = j
            if not sheet.column(key).is_formula:
                mapping[key] = j
    renamed = _renamed(sheet, positions, [j for j, _ in unknown])
    for j, extra in unknown:
        if j in renamed.values():
            key = next(k for k, at in renamed.items() if at == j)
            found[found.index(extra)] = issues.make(
                "renamed-column",
                sheet=name,
                sheet_key=sheet.key,
                row=raw.first_row,
                column=extra.column,
                column_key=key,
                cell=extra.cell,
                value=extra.column,
                expected=issues.labels.header(sheet.key, key),
                count=_values_below(raw, j),
            )
    return HeaderMatch(info, mapping, extras, found, renamed)


def _renamed(sheet: Sheet, positions: dict[str, int], unknown: list[int]) -> dict[str, int]:
    """Missing key -> grid column of the unknown header standing in its place.

    Between two neighbouring columns that were found, the unknown headers and the template's
    missing columns are paired in order when there are as many of one as of the other.
    """
    order = {col.key: i for i, col in enumerate(sheet.columns)}
    missing = [col.key for col in sheet.columns if col.key not in positions and not col.is_formula]
    if not missing or not unknown:
        return {}
    found = sorted(positions.items(), key=lambda item: item[1])
    bounds = [(-1, -1), *((at, order[key]) for key, at in found), (1 << 30, len(order))]
    renamed: dict[str, int] = {}
    for (left_at, left_i), (right_at, right_i) in itertools.pairwise(bounds):
        if left_i >= right_i:
            continue  # columns out of template order: no place to speak of
        here = [j for j in unknown if left_at < j < right_at]
        gap = [key for key in missing if left_i < order[key] < right_i]
        if here and len(here) == len(gap):
            renamed.update(zip(gap, here, strict=True))
    return renamed


def _values_below(raw: RawSheet, j: int) -> int:
    """How many cells under the header of grid column ``j`` hold something."""
    column = raw.grid[j].iloc[1:].dropna().astype(str)
    return int((column.str.strip() != "").sum())


def _sheet_index(template: Template) -> dict[str, str]:
    index: dict[str, str] = {}
    for locale in template.locales:
        for key, name in template.labels(locale).sheet_names.items():
            index.setdefault(normalize_label(name), key)
    for key in template.tab_keys:
        index.setdefault(normalize_label(key), key)
    return index


def _header_index(template: Template, sheet: Sheet) -> dict[str, str]:
    index: dict[str, str] = {}
    for col in sheet.columns:
        index[normalize_label(col.key)] = col.key
        index.setdefault(normalize_label(col.key.replace("_", " ")), col.key)
    for locale in template.locales:
        labels = template.labels(locale)
        for col in sheet.columns:
            index.setdefault(normalize_label(labels.header(sheet.key, col.key)), col.key)
    return index
