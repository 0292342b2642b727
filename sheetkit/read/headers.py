"""Which tab is which sheet, and which header is which column, in any supported locale.

This module owns matching a workbook's tab names and header row to the template.
Labels are compared after :func:`~sheetkit.read.parse.normalize_label` (case,
spaces, full-width forms), in every locale of the template and by canonical key,
so a column is found whatever its language or position. :class:`SheetInfo`
records where each column of a data sheet was found.
"""

from __future__ import annotations

from dataclasses import dataclass
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
    #: The ``extra-column`` and ``duplicate-column`` Issues, in column order.
    issues: list[Issue]


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
    for j, cell in enumerate(raw.grid.iloc[0].tolist()):
        if not isinstance(cell, str) or not cell.strip():
            continue
        letter = column_letter(raw.columns[j])
        key = index.get(normalize_label(cell))
        if key is None:
            extras[cell.strip()] = j
            found.append(
                issues.make(
                    "extra-column",
                    sheet=name,
                    sheet_key=sheet.key,
                    row=raw.first_row,
                    column=cell.strip(),
                    cell=f"{letter}{raw.first_row}",
                )
            )
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
            if not sheet.column(key).is_formula:
                mapping[key] = j
    return HeaderMatch(info, mapping, extras, found)


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
