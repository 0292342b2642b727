"""read_workbook: any branch workbook (.xlsx, .xls, .ods) into the canonical frames.

Steps: sniff the file by content; find the data sheets and headers in any
supported locale (after folding case, spaces and full-width forms) and in any
order (:mod:`~sheetkit.read.headers`); read every cell as text; parse each column by its template type. Cells
that cannot be read become Issues with their A1 cell and are NaN in the frames;
every other value of the row still loads. Frames are indexed by the sheet row
number the user sees.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sheetkit.errors import TemplateMismatchError
from sheetkit.frames import V2_SHEETS, WorkbookData, empty_frame, row_of
from sheetkit.issues import Issue, IssueCode, IssueFactory, SheetInfo
from sheetkit.read.arrow_text import filled as filled_cells
from sheetkit.read.arrow_text import fullmatch
from sheetkit.read.headers import HeaderMatch, match_headers
from sheetkit.read.parse import ColumnContext, Finding, choice_index, normalize_label, parse_column
from sheetkit.read.raw import RawSheet, RawSource
from sheetkit.read.versions import (
    before_v2,
    check_v2_sheets,
    find_sheets,
    prepared_area_issues,
    prepared_rows,
    skipped_in_v1,
    split_month_days,
    upgrade_command,
    v1_template,
)
from sheetkit.template import DATE_TYPES, NUMBER_TYPES, Column, Setting, Sheet, Template, load_template
from sheetkit.template.defaults import default_lists, default_settings
from sheetkit.template.geometry import SETTINGS_VALUE_COLUMN, column_index, column_letter, plan_layout

__all__ = ["SheetInfo", "Workbook", "read_source", "serials_as_dates"]

_TEXTLIKE = frozenset({"text", "id", "phone", "email", "choice", "multichoice", "bool"})
#: How the value reader writes a number or boolean cell: in a text column such a value may be stored as a number.
_NUMBER_LIKE = r"[+-]?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false"
#: How the value reader writes number and date cells; anything else in a number or date column was typed as text.
_VALUE_CELL = r"-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}"
#: Texts that read differently as typed text (thousands groups, trailing zeros) than as a number cell.
_AMBIGUOUS_NUMBER = r"-?\d{1,3}(?:[.,]\d{3})+|-?\d*\.\d*0"


@dataclass
class Workbook:
    """A workbook read into canonical frames, with the Issues found while reading."""

    #: The file, or ``gsheets:KEY`` for a Google Sheet.
    path: Path | str
    format: str
    locale: str
    template: Template
    data: WorkbookData
    issues: list[Issue]
    sheets: dict[str, SheetInfo]
    template_version: int | None = None

    @property
    def issue_factory(self) -> IssueFactory:
        """Makes Issues in this workbook's language."""
        return IssueFactory(self.template, self.locale)


class _Reader:
    def __init__(self, template: Template, path: Path | str, kind: str, raw: RawSource) -> None:
        self.template = template
        self.path = path
        self.kind = kind
        self.raw = raw
        self.next_sheet: str | None = None
        self.choices = choice_index(template)
        self.version: int | None = None

    def read(self) -> Workbook:
        names = find_sheets(self.template, self.raw.sheet_names, path=self.path)
        about = self._about(names.get("about"))
        locale = self._locale(about, names)
        version = self._check_template(about)
        check_v2_sheets(self.template, names, version, path=self.path)
        self.version = version
        self.issues = IssueFactory(self.template, locale)
        self.labels = self.template.labels(locale)
        found: list[Issue] = []
        command = upgrade_command(self.path, self.kind)
        if version is not None and version < self.template.version:
            found.append(
                self.issues.make(
                    "upgrade-available",
                    sheet=names.get("about", ""),
                    sheet_key="about",
                    value=version,
                    expected=self.template.version,
                    command=command,
                )
            )
        settings, settings_issues = self._settings(names.get("settings"))
        found += settings_issues
        self.date_order = str(settings.get("date_order") or self.labels.date_order)
        lists = self._lists(names.get("lists"))
        frames: dict[str, pd.DataFrame] = {}
        infos: dict[str, SheetInfo] = {}
        present = [s for s in self.template.sheets if s.key in names]
        order = [names[s.key] for s in present]
        for i, sheet in enumerate(present):
            # Scan this sheet's XML in a thread while its values are read; the next
            # sheet's scan starts when this one is used, so at most two are in memory.
            self.raw.prefetch(order[i])
            self.next_sheet = order[i + 1] if i + 1 < len(order) else None
            frame, info, issues = self._data_sheet(sheet, names[sheet.key])
            frames[sheet.key] = split_month_days(frame, sheet)
            infos[sheet.key] = info
            found += issues
        prepared = prepared_rows(about, tuple(frames))
        found += prepared_area_issues(self.issues, prepared, frames, infos, command=command)
        for key in V2_SHEETS:  # a workbook of template version 1: empty, with the right columns
            if key not in frames and key in {s.key for s in self.template.sheets}:
                frames[key] = empty_frame(self.template, key)
                infos[key] = SheetInfo(key, self.labels.sheet_name(key))
        data = WorkbookData(**frames, lists=lists, settings=settings)
        return Workbook(self.path, self.kind, locale, self.template, data, found, infos, version)

    # ------------------------------------------------------------ sheets, locale
    def _about(self, name: str | None) -> dict[str, str]:
        if name is None:
            return {}
        grid = self.raw.sheet(name).grid
        about: dict[str, str] = {}
        for _, row in grid.iterrows():
            values = row.tolist()
            if values and isinstance(values[0], str) and len(values) >= 3 and isinstance(values[2], str):
                about[values[0].strip()] = values[2].strip()
        return about

    def _locale(self, about: Mapping[str, str], names: Mapping[str, str]) -> str:
        locale = about.get("locale")
        if locale in self.template.locales:
            return str(locale)
        clients = normalize_label(names["clients"])
        for candidate in self.template.locales:
            if normalize_label(self.template.labels(candidate).sheet_name("clients")) == clients:
                return candidate
        return self.template.default_locale

    def _check_template(self, about: Mapping[str, str]) -> int | None:
        template_id = about.get("template_id")
        if template_id is not None and template_id != self.template.id:
            raise TemplateMismatchError(
                f"this workbook was made from the template {template_id!r}, not {self.template.id!r}", path=self.path
            )
        raw_version = about.get("template_version")
        if raw_version is None:
            return None
        try:
            version = int(float(raw_version))
        except ValueError:
            return None
        if version > self.template.version:
            raise TemplateMismatchError(
                f"this workbook uses template version {version}, newer than this sheetkit knows "
                f"({self.template.version}); upgrade sheetkit (pip install -U sheetkit)",
                path=self.path,
            )
        return version

    # ------------------------------------------------------------ settings, lists
    def _settings(self, name: str | None) -> tuple[dict[str, Any], list[Issue]]:
        values = default_settings(self.template, self.labels)
        if name is None:
            return values, []
        raw = self.raw.sheet(name)
        value_letter = column_letter(SETTINGS_VALUE_COLUMN)
        self.raw.scan(raw, data=[], text={}, values={value_letter: range(len(raw.grid))})
        where = SheetInfo.settings(self.template, self.labels, name)
        typed, issues = self._setting_values(raw, where)
        for sheet_row, (setting, cell) in typed.items():
            if cell is None or pd.isna(cell):
                continue
            value = cell.item() if hasattr(cell, "item") else cell
            if setting.type == "date" and isinstance(value, pd.Timestamp):
                value = value.date()  # as default_settings gives it
            low = setting.min if setting.min is not None else -math.inf
            high = setting.max if setting.max is not None else math.inf
            if isinstance(value, (int, float)) and not low <= value <= high:
                issues.append(
                    self.issues.at(
                        "out-of-range",
                        where,
                        row=sheet_row,
                        column=setting.key,
                        value=value,
                        min=_number(low),
                        max=_number(high),
                    )
                )
                continue  # the default stays in force
            values[setting.key] = value
        return values, sorted(issues, key=lambda issue: issue.row or 0)

    def _setting_values(self, raw: RawSheet, where: SheetInfo) -> tuple[dict[int, tuple[Setting, Any]], list[Issue]]:
        """Sheet row -> (setting, typed value) of the Settings rows, and the Issues of parsing them.

        Settings of one type are parsed together (one column of a few cells each).
        """
        value_letter = column_letter(SETTINGS_VALUE_COLUMN)
        known = {s.key for s in self.template.settings}
        groups: dict[tuple[Any, ...], dict[int, tuple[Setting, Any]]] = {}
        for position, row in raw.grid.iterrows():
            cells = row.tolist()
            key = cells[0] if cells else None
            if not isinstance(key, str) or key.strip() not in known:
                continue
            setting = self.template.setting(key.strip())
            kind = (setting.type, setting.choices, setting.min, setting.max, setting.max_length)
            cell = cells[2] if len(cells) > 2 else None
            groups.setdefault(kind, {})[raw.row_number(row_of(position))] = (setting, cell)
        typed: dict[int, tuple[Setting, Any]] = {}
        issues: list[Issue] = []
        ctx = ColumnContext(
            self.template,
            self.labels,
            self.labels.date_order,
            text_rows=raw.facts.text.get(value_letter) if raw.exact_types else raw.facts.text.get(value_letter, set()),
            choice_index=self.choices,
        )
        for (kind, choices, low, high, max_length), entries in groups.items():
            series = pd.Series([cell for _, cell in entries.values()], index=list(entries), dtype=object)
            if raw.serial_dates and kind in DATE_TYPES:  # Google Sheets gives a date as its serial
                series = serials_as_dates(series, raw.facts.numeric.get(value_letter, set()), whole_days=kind == "date")
            column = Column(key="value", type=kind, choices=choices, min=low, max=high, max_length=max_length)
            parsed, findings = parse_column(series, column, ctx)
            issues += [
                self.issues.at(f.code, where, row=f.row, column=entries[f.row][0].key, value=f.value, **f.params)
                for f in findings
            ]
            typed.update({row: (entries[row][0], parsed[row]) for row in entries})
        return dict(sorted(typed.items())), issues

    def _lists(self, name: str | None) -> dict[str, pd.DataFrame]:
        if name is None:
            return default_lists(self.template, self.labels)
        raw = self.raw.sheet(name)
        grid = raw.grid
        positions = self._list_positions(name)
        out: dict[str, pd.DataFrame] = {}
        for ref in self.template.reference_lists.values():
            columns: dict[str, pd.Series] = {}
            for col in ref.columns:
                absolute, first, last = positions.get(f"ref_{ref.key}_{col.key}", (-1, 0, 0))
                if absolute not in raw.columns:
                    columns[col.key] = pd.Series(dtype=object)
                    continue
                j = raw.columns.index(absolute)
                start, stop = first - raw.first_row, last - raw.first_row + 1
                values = grid[j].iloc[max(start, 0) : max(stop, 0)]
                values.index = pd.RangeIndex(first, first + len(values))
                columns[col.key] = values
            frame = pd.DataFrame(columns)
            frame = frame[frame.notna().any(axis=1)]
            for col in ref.columns:
                if col.type in NUMBER_TYPES:
                    frame[col.key] = pd.to_numeric(frame[col.key], errors="coerce")
                else:
                    frame[col.key] = frame[col.key].astype(object)
            out[ref.key] = frame
        return out

    def _list_positions(self, lists_name: str) -> dict[str, tuple[int, int, int]]:
        """Defined name -> (absolute column, first row, last row) of each Lists column.

        A column whose defined name a workbook with defined names lacks (one that an
        older template version did not have) is left out: it is read as empty.
        """
        old = before_v2(self.version)
        layout = plan_layout(v1_template(self.template) if old else self.template, self.labels, {})
        positions = {n: (r.column, r.first_row, r.last_row) for n, r in layout.lists.items()}
        names = self.raw.defined_names()
        if names:
            positions = {n: p for n, p in positions.items() if n in names or not n.startswith("ref_")}
        for name, formula in names.items():
            match = _RANGE.match(formula or "")
            if name in positions and match:
                letters, first, last = match.group(2), match.group(3), match.group(6) or match.group(3)
                positions[name] = (column_index(letters), int(first), int(last))
        return positions

    # ---------------------------------------------------------------- data sheets
    def _data_sheet(self, sheet: Sheet, name: str) -> tuple[pd.DataFrame, SheetInfo, list[Issue]]:
        raw = self.raw.sheet(name)
        if self.next_sheet is not None:
            self.raw.prefetch_values(self.next_sheet)
        if raw.grid.empty:
            issues = [self._missing(sheet, col, name) for col in sheet.data_columns]
            empty = pd.DataFrame({col.key: pd.Series(dtype=object) for col in sheet.data_columns})
            return empty, SheetInfo(sheet.key, name), issues
        match = match_headers(self.template, sheet, name, raw, self.issues)
        info, mapping, issues = match.info, match.columns, match.issues
        for col in sheet.data_columns:
            if col.key not in mapping:
                info.headers.setdefault(col.key, self.labels.header(sheet.key, col.key))
                if col.key not in match.renamed and col.key not in skipped_in_v1(sheet, self.version):
                    # (a renamed column's error says more; a v1 workbook lacks what v2 added)
                    issues.append(self._missing(sheet, col, name))
        letters = {k: info.letters[k] for k in mapping}
        text_cells: dict[str, list[int]] = {}
        value_cells: dict[str, list[int]] = {}
        if not raw.exact_types:
            # Look up in the XML only the cells whose text leaves their storage in doubt.
            text_cells, value_cells = _doubtful_cells(sheet, raw, mapping, letters)
        self.raw.scan(raw, data=letters.values(), text=text_cells, values=value_cells)
        if self.next_sheet is not None:
            self.raw.prefetch(self.next_sheet)
        used = [mapping[c.key] for c in sheet.data_columns if c.key in mapping] + list(match.extras.values())
        body, blank_rows = _rows_in_use(raw, used)
        issues += self._blank_rows(sheet, name, blank_rows)
        issues += self._structure_issues(sheet, name, raw, letters, set(body.index))
        frame, findings = self._typed_frame(sheet, name, raw, body, match)
        return frame, info, issues + findings

    def _typed_frame(
        self, sheet: Sheet, name: str, raw: RawSheet, body: pd.DataFrame, match: HeaderMatch
    ) -> tuple[pd.DataFrame, list[Issue]]:
        """The sheet's rows parsed column by column, extra columns as they are, and the Issues of parsing."""
        # Columns are gathered first and the frame made once: inserting them one by one
        # copies the frame each time (minutes and a flood of warnings on a 16,384-column sheet).
        columns: dict[str, pd.Series] = {}
        issues: list[Issue] = []
        facts = raw.facts
        for col in sheet.data_columns:
            if col.key not in match.columns:
                columns[col.key] = pd.Series(None, index=body.index, dtype=object)
                continue
            letter = match.info.letters[col.key]
            values = body[match.columns[col.key]]
            if raw.serial_dates and col.type in DATE_TYPES:
                values = serials_as_dates(values, facts.numeric.get(letter, set()), whole_days=col.type == "date")
            bad_cells = {r for (lt, r) in facts.errors if lt == letter}
            if bad_cells:
                values = values.where(~values.index.isin(list(bad_cells)))
            ctx = ColumnContext(
                self.template,
                self.labels,
                self.date_order,
                numeric_rows=facts.numeric.get(letter, set()) if (raw.exact_types or col.type in _TEXTLIKE) else None,
                text_rows=facts.text.get(letter, set()) if (raw.exact_types or col.type not in _TEXTLIKE) else None,
                choice_index=self.choices,
                month_first=True if before_v2(self.version) else None,  # version 1 took MM-DD everywhere
            )
            typed, findings = parse_column(values, col, ctx)
            columns[col.key] = typed
            issues += self._findings(findings, sheet, name, col, match.info)
        frame = _with_extras(pd.DataFrame(columns, index=body.index), body, match.extras)
        frame.index.name = "row"
        return frame, issues

    def _blank_rows(self, sheet: Sheet, name: str, rows: list[int]) -> list[Issue]:
        """One Issue per run of blank rows: 2,000 blank rows are one thing to fix, not 2,000."""
        issues: list[Issue] = []
        for first, last in _runs(rows):
            if first == last:
                issues.append(self.issues.make("blank-row", sheet=name, sheet_key=sheet.key, row=first))
                continue
            issues.append(
                self.issues.make(
                    "blank-rows",
                    sheet=name,
                    sheet_key=sheet.key,
                    row=first,
                    first=first,
                    last=last,
                    count=last - first + 1,
                )
            )
        return issues

    def _missing(self, sheet: Sheet, col: Column, name: str) -> Issue:
        return self.issues.make(
            "missing-column",
            sheet=name,
            sheet_key=sheet.key,
            column=self.labels.header(sheet.key, col.key),
            column_key=col.key,
            optional=not col.required,
        )

    def _findings(self, findings: list[Finding], sheet: Sheet, name: str, col: Column, info: SheetInfo) -> list[Issue]:
        return [self.issues.at(f.code, info, row=f.row, column=col.key, value=f.value, **f.params) for f in findings]

    def _structure_issues(
        self, sheet: Sheet, name: str, raw: RawSheet, letters: Mapping[str, str], rows: set[int]
    ) -> list[Issue]:
        issues: list[Issue] = []
        facts = raw.facts
        by_letter = {v: k for k, v in letters.items()}
        headers = {k: self.labels.header(sheet.key, k) for k in letters}
        for ref in facts.merged:
            first = ref.split(":")[0]
            issues.append(
                self.issues.make(
                    "merged-cells",
                    sheet=name,
                    sheet_key=sheet.key,
                    row=int(re.sub(r"[A-Z]", "", first)),
                    cell=first,
                    value=ref,
                )
            )
        for row in sorted(facts.hidden_rows & rows):
            issues.append(self.issues.make("hidden-row", sheet=name, sheet_key=sheet.key, row=row))
        stored: tuple[tuple[IssueCode, dict[tuple[str, int], str]], ...] = (
            ("formula-in-data", facts.formulas),
            ("error-cell", facts.errors),
        )
        for code, cells in stored:
            for (letter, row), shown in sorted(cells.items(), key=lambda x: (x[0][1], x[0][0])):
                if letter not in by_letter or row <= raw.first_row:
                    continue
                key = by_letter[letter]
                issues.append(
                    self.issues.make(
                        code,
                        sheet=name,
                        sheet_key=sheet.key,
                        row=row,
                        column=headers[key],
                        column_key=key,
                        cell=f"{letter}{row}",
                        value=shown,
                    )
                )
        return issues


def read_source(source: RawSource, *, path: Path | str, kind: str, template: Template | None = None) -> Workbook:
    """Read an opened source (a workbook file's raw cells, a Google Sheet's values) into typed frames; close it."""
    try:
        return _Reader(template or load_template(), path, kind, source).read()
    finally:
        source.close()


#: Date serials beyond this are after 9999-12-31: not dates.
_MAX_SERIAL = 2_958_465


def serials_as_dates(values: pd.Series, numeric_rows: set[int], *, whole_days: bool = False) -> pd.Series:
    """Number cells of a date column as date-cell text (serials count days since 1899-12-30).

    With ``whole_days`` (date columns) a time of day is cut off, as the
    spreadsheet shows the date: 46348.99999 is 22 November, not the 23rd.

    >>> import pandas as pd
    >>> serials_as_dates(pd.Series(["46348.99999", "46348.5", "x"], index=[2, 3, 4]), {2, 3}, whole_days=True).tolist()
    ['2026-11-22 00:00:00', '2026-11-22 00:00:00', 'x']
    """
    rows = values.index.isin(list(numeric_rows)) & values.notna()
    if not rows.any():
        return values
    serial = pd.to_numeric(values[rows], errors="coerce")
    if whole_days:
        serial = serial.floordiv(1)
    ok = serial.between(1, _MAX_SERIAL)
    stamps = pd.Timestamp("1899-12-30") + pd.to_timedelta((serial[ok] * 86400).round(), unit="s")
    out = values.copy()
    out[serial[ok].index] = stamps.dt.strftime("%Y-%m-%d %H:%M:%S")
    return out


def _runs(rows: list[int]) -> list[tuple[int, int]]:
    """Sorted row numbers as runs of consecutive rows: [3, 4, 5, 9] -> [(3, 5), (9, 9)]."""
    runs: list[tuple[int, int]] = []
    for row in sorted(rows):
        if runs and row == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], row)
        else:
            runs.append((row, row))
    return runs


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _doubtful_cells(
    sheet: Sheet, raw: RawSheet, mapping: Mapping[str, int], letters: Mapping[str, str]
) -> tuple[dict[str, list[int]], dict[str, list[int]]]:
    """Letter -> rows of the cells whose text may hide how they are stored: (in text columns, in value columns).

    A text column's cell that reads as a number may be a number cell; a number or date
    column's cell not written the way the value reader writes values, or ambiguous
    (``1.000``), may be a text cell.
    """
    text_cells: dict[str, list[int]] = {}
    value_cells: dict[str, list[int]] = {}
    for col in sheet.data_columns:
        if col.key not in mapping:
            continue
        cells = raw.grid[mapping[col.key]].iloc[1:]
        if col.type in _TEXTLIKE:
            doubt = fullmatch(cells, _NUMBER_LIKE)
        elif col.type in NUMBER_TYPES or col.type in DATE_TYPES:
            doubt = cells.notna().to_numpy() & (~fullmatch(cells, _VALUE_CELL) | fullmatch(cells, _AMBIGUOUS_NUMBER))
        else:
            continue
        positions = [row_of(p) for p in cells.index[doubt]]
        if positions:
            target = text_cells if col.type in _TEXTLIKE else value_cells
            target[letters[col.key]] = positions
    return text_cells, value_cells


def _rows_in_use(raw: RawSheet, used: list[int]) -> tuple[pd.DataFrame, list[int]]:
    """The data rows below the header, indexed by sheet row, without blank ones; and the blank rows.

    ``used`` are the grid columns that count: a row with text only in other columns is blank.
    """
    body = raw.grid.iloc[1:]
    body.index = pd.Index(body.index.astype("int64") + raw.first_row, dtype="int64")
    filled = _filled_rows(body, used)
    # Trailing empty rows are the spare area of the template, not blank rows. Rows are in
    # order, so the rest is a slice: no copy of the grid (a boolean selection copies it).
    last = int(filled[filled].index.max()) if filled.any() else raw.first_row
    kept = int((body.index <= last).sum())
    body, filled = body.iloc[:kept], filled.iloc[:kept]
    blank_rows = [row_of(row) for row in filled[~filled].index]
    return (body if not blank_rows else body[filled]), blank_rows


def _with_extras(frame: pd.DataFrame, body: pd.DataFrame, extras: Mapping[str, int]) -> pd.DataFrame:
    """``frame`` with the columns the template does not declare, as they are (text), after its own.

    They are added as one block: a sheet may have thousands (a header dragged to column XFD).
    """
    if not extras:
        return frame
    replacing = [header for header in extras if header in frame.columns]
    for header in replacing:
        frame[header] = body[extras[header]].astype(object)
    added = [header for header in extras if header not in frame.columns]
    if not added:
        return frame
    block = body[[extras[header] for header in added]].astype(object)
    block.columns = pd.Index(added, dtype=object)
    return pd.concat([frame, block], axis=1)


#: With more columns than this, the empty ones are set aside in one step before looking at text.
_MANY_COLUMNS = 256


def _filled_rows(body: pd.DataFrame, used: list[int]) -> pd.Series:
    """Rows with at least one cell that is not empty or only spaces."""
    filled = np.zeros(len(body), dtype=bool)
    used = list(dict.fromkeys(used))
    if len(used) > _MANY_COLUMNS:
        counts = body[used].count()
        used = [j for j in used if counts[j]]
    for j in used:
        filled |= filled_cells(body[j])
    return pd.Series(filled, index=body.index)


_RANGE = re.compile(r"^=?(?:'([^']|'')+'|[^!]+)!\$?([A-Z]{1,3})\$?(\d+)(:\$?([A-Z]{1,3})\$?(\d+))?$")
