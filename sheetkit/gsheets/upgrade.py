"""Upgrade a branch Google Sheet to the current template: one atomic batchUpdate for the structure.

:func:`upgrade_gsheet` reads the branch (its values, once), then sends ONE
``spreadsheets.batchUpdate``, which Google applies entirely or not at all:

- the sheetkit tabs' old conditional formats, protected ranges, named ranges and
  validations are removed; tabs new in this version are added; grids grow to the
  new prepared area;
- where the template inserts a column (a name look-up beside ``client_id``,
  ``cancelled_at``), the cells to its right move right with it: they are written
  back at their new place exactly as read (numbers as numbers, text as text,
  dates as the same serials), staff's own columns after the template's;
- the Settings (values as the manager left them, new settings with their
  defaults, a setting still at a default the template changed with the new one:
  :mod:`sheetkit.template.changes`), Lists (staff's entries, new columns with
  their defaults) and About tabs are laid out as the current template has them;
- a birthday without the year is typed in the workbook's date order
  (:mod:`sheetkit.read.month_days`, shared with the Excel upgrade): version 1
  typed ``MM-DD`` everywhere, an Italian ``DD-MM``;
- then every validation, colour rule, formula and protection of the current
  template (:func:`~sheetkit.gsheets.structure.structure_requests`).

No ``values`` request is sent. The branch is read again afterwards and every
staff value is compared with what was there before (sheet, row, column key).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Final

import pandas as pd

from sheetkit.errors import SheetsError, TemplateMismatchError
from sheetkit.frames import MONTH_DAY_COLUMNS, WorkbookData
from sheetkit.gsheets.client import ENTERED_VALUE, SheetsClient, entered_cell
from sheetkit.gsheets.dialect import Dialect
from sheetkit.gsheets.plan import Book
from sheetkit.gsheets.reader import read_gsheet
from sheetkit.gsheets.structure import structure_requests
from sheetkit.gsheets.writer import GOOGLE_LOCALES
from sheetkit.read.month_days import month_day_parts, retyped_month_days
from sheetkit.read.parse import normalize_label
from sheetkit.read.workbook import Workbook
from sheetkit.template import Labels, Sheet, Template, load_template
from sheetkit.template.changes import settings_at_old_defaults
from sheetkit.template.defaults import default_lists, default_settings
from sheetkit.template.geometry import FIRST_DATA_ROW, quote_sheet
from sheetkit.template.rules import date_order
from sheetkit.template.values import is_missing, list_columns, setting_rows

__all__ = ["SheetsUpgradeResult", "upgrade_gsheet"]

_GROW_CODES: Final = frozenset({"prepared-area-exceeded", "prepared-area-nearly-full"})


@dataclass
class SheetsUpgradeResult:
    """What ``sheetkit gsheets upgrade`` did (or, with ``dry_run``, would do)."""

    spreadsheet: str
    from_version: int
    to_version: int
    changed: bool
    dry_run: bool
    tabs_added: list[str] = field(default_factory=list)
    #: Sheet key -> template columns inserted.
    columns_added: dict[str, list[str]] = field(default_factory=dict)
    #: Sheet key -> data rows kept.
    rows: dict[str, int] = field(default_factory=dict)
    #: Requests in the one batchUpdate.
    requests: int = 0
    #: Staff cells compared after the upgrade.
    verified: int = 0
    changes: list[str] = field(default_factory=list)
    #: Settings left at the old default that take the new one.
    settings_updated: list[str] = field(default_factory=list)
    #: Birthdays without the year typed again in the workbook's date order (DD-MM for DMY); same dates.
    birthdays_retyped: int = 0

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (what ``sheetkit gsheets upgrade --json`` prints)."""
        return asdict(self)


def upgrade_gsheet(
    client: SheetsClient,
    spreadsheet: str,
    *,
    dry_run: bool = False,
    generated_at: dt.datetime | None = None,
    template: Template | None = None,
) -> SheetsUpgradeResult:
    """Upgrade the branch spreadsheet ``spreadsheet`` to the current template version.

    Costs 2-4 reads and, unless ``dry_run`` or already current, ONE batchUpdate, plus one
    read to verify. Refuses another template or a newer version
    (:class:`~sheetkit.errors.TemplateMismatchError`), and a tab whose template columns
    were moved or have a column inserted between them. Raises SheetsError when the
    check after the upgrade finds a staff value changed (Google's version history
    holds the spreadsheet as it was).
    """
    template = template or load_template()
    before = read_gsheet(client, spreadsheet, template=template)
    version = before.template_version
    if version is None or version < 1 or version > template.version:
        raise TemplateMismatchError(
            f"the About tab gives template version {version}; sheetkit upgrades versions 1 to {template.version}",
            path=f"gsheets:{spreadsheet}",
        )
    result = SheetsUpgradeResult(spreadsheet, version, template.version, changed=False, dry_run=dry_run)
    grow = any(i.code in _GROW_CODES for i in before.issues)
    if version == template.version and not grow:
        result.changes.append(f"already at version {template.version}: nothing to do")
        return result
    meta = client.metadata(
        spreadsheet,
        fields="properties.locale,sheets.properties,sheets.conditionalFormats,sheets.protectedRanges,namedRanges",
    )
    plan = _Plan(template, before, meta, spreadsheet, version)
    values = client.values_batch_get(spreadsheet, [quote_sheet(t) for t in plan.titles_to_read()])
    grids = {t: r.get("values", []) for t, r in zip(plan.titles_to_read(), values.get("valueRanges", []), strict=True)}
    requests = plan.requests(grids, generated_at or dt.datetime.now().replace(microsecond=0))
    result.tabs_added = [template.labels(before.locale).sheet_name(k) for k in plan.added]
    result.columns_added = {k: v for k, v in plan.inserted.items() if v}
    result.rows = {s.key: len(before.data.frame(s.key)) for s in template.sheets}
    result.requests = len(requests)
    result.settings_updated = sorted(plan.settings_updated)
    result.birthdays_retyped = plan.birthdays_retyped
    result.changes = _describe(result, template.labels(before.locale), grow=version == template.version)
    if dry_run:
        return result
    client.batch_update(spreadsheet, requests)
    result.changed = True
    after = read_gsheet(client, spreadsheet, locale=before.locale, template=template)
    differences, result.verified = _compare(before, after, plan.lists_before, set(plan.settings_updated))
    if differences:
        raise SheetsError(
            f"after the upgrade {len(differences)} staff value(s) read differently ({'; '.join(differences[:3])}); "
            "File > Version history in Google Sheets holds the spreadsheet as it was",
            spreadsheet=spreadsheet,
        )
    return result


class _Plan:
    """Where every tab, column and staff value goes; the requests of the one batchUpdate."""

    def __init__(self, template: Template, before: Workbook, meta: Mapping[str, Any], key: str, version: int) -> None:
        self.template = template
        self.before = before
        self.key = key
        self.labels: Labels = template.labels(before.locale)
        current = default_settings(template, self.labels)
        self.settings_updated = settings_at_old_defaults(before.data.settings, version, current)
        self.settings = {**before.data.settings, **self.settings_updated}
        self.birthdays_retyped = 0
        self.meta_sheets = [s for s in meta.get("sheets", []) if isinstance(s, dict)]
        self.named = [n for n in meta.get("namedRanges", []) if isinstance(n, dict)]
        self.current_locale = str(meta.get("properties", {}).get("locale", ""))
        self.by_title = {str(s["properties"]["title"]): s for s in self.meta_sheets}
        self.tabs = self._find_tabs()
        self.added = [s.key for s in template.sheets if s.key not in self.tabs]
        self.inserted: dict[str, list[str]] = {}
        self.lists_before: dict[str, pd.DataFrame] = {}

    # ------------------------------------------------------------- what is there
    def _find_tabs(self) -> dict[str, str]:
        """Tab key -> title of each sheetkit tab the spreadsheet has."""
        tabs = {key: info.name for key, info in self.before.sheets.items() if info.name in self.by_title}
        for key in self.template.SUPPORT_SHEETS:
            names = {normalize_label(self.template.labels(loc).sheet_name(key)) for loc in self.template.locales}
            for title in self.by_title:
                if normalize_label(title) in names:
                    tabs[key] = title
                    break
        return tabs

    def titles_to_read(self) -> list[str]:
        """Tabs whose cells move or are laid out again: data tabs, Lists, About."""
        keys = [s.key for s in self.template.sheets if s.key in self.tabs] + ["lists", "about"]
        return [self.tabs[k] for k in keys if k in self.tabs]

    def sheet_id(self, key: str) -> int:
        return int(self.by_title[self.tabs[key]]["properties"].get("sheetId", 0))

    def grid(self, key: str) -> tuple[int, int]:
        props = self.by_title[self.tabs[key]]["properties"].get("gridProperties", {})
        return int(props.get("rowCount", 0)), int(props.get("columnCount", 0))

    # ------------------------------------------------------------- the requests
    def requests(self, grids: Mapping[str, list[list[Any]]], stamp: dt.datetime) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = self._removals()
        moves: list[dict[str, Any]] = []
        for sheet in self.template.sheets:
            if sheet.key in self.tabs:
                moves += self._move_columns(sheet, grids.get(self.tabs[sheet.key], []))
        lists = self._lists(grids.get(self.tabs.get("lists", ""), []))
        data = self._layout_data(lists)
        book = Book(
            self.template, self.labels, data, stamp, _about_value(grids.get(self.tabs.get("about", "")), "branch")
        )
        ids = {key: self.sheet_id(key) for key in self.tabs}
        out += self._grids(book, ids)
        out += moves
        out += self._support_tabs(book, ids, grids)
        google_locale = GOOGLE_LOCALES.get(self.before.locale, self.before.locale.replace("-", "_"))
        out += structure_requests(book, ids, Dialect.of(google_locale, self.current_locale))
        return out

    def _removals(self) -> list[dict[str, Any]]:
        """The old structure of the sheetkit tabs: colour rules, protections, names, validations."""
        ours = {self.sheet_id(k) for k in self.tabs}
        out: list[dict[str, Any]] = []
        for sheet in self.meta_sheets:
            sid = int(sheet["properties"].get("sheetId", 0))
            if sid not in ours:
                continue
            out += [
                {"deleteConditionalFormatRule": {"sheetId": sid, "index": 0}}
                for _ in sheet.get("conditionalFormats", [])
            ]
            out += [
                {"deleteProtectedRange": {"protectedRangeId": p["protectedRangeId"]}}
                for p in sheet.get("protectedRanges", [])
                if "protectedRangeId" in p
            ]
            out.append({"setDataValidation": {"range": {"sheetId": sid}}})
        for name in self.named:
            if int(name.get("range", {}).get("sheetId", 0)) in ours and "namedRangeId" in name:
                out.append({"deleteNamedRange": {"namedRangeId": str(name["namedRangeId"])}})
        return out

    def _grids(self, book: Book, ids: dict[str, int]) -> list[dict[str, Any]]:
        """New tabs added after the data tabs; existing tabs grown (never shrunk) to the new layout."""
        out: list[dict[str, Any]] = []
        last = max(
            (
                int(self.by_title[self.tabs[s.key]]["properties"].get("index", 0))
                for s in self.template.sheets
                if s.key in self.tabs
            ),
            default=0,
        )
        taken = {int(s["properties"].get("sheetId", 0)) for s in self.meta_sheets}
        candidate = 2001
        for n, tab in enumerate(t for t in book.tabs if t.key in self.added):
            while candidate in taken:
                candidate += 1
            ids[tab.key] = candidate
            taken.add(candidate)
            out.append({"addSheet": {"properties": tab.properties(candidate, last + 1 + n)}})
        for tab in book.tabs:
            if tab.key in self.added:
                continue
            rows, columns = self.grid(tab.key)
            extra = len(self.before.data.frame(tab.key).columns) if tab.key in self.before.sheets else 0
            want_rows, want_columns = max(rows, tab.rows), max(columns, tab.columns + extra)
            if (want_rows, want_columns) != (rows, columns):
                grid = {"rowCount": want_rows, "columnCount": want_columns}
                props = {"sheetId": ids[tab.key], "gridProperties": grid}
                out.append(
                    {"updateSheetProperties": {"properties": props, "fields": "gridProperties(rowCount,columnCount)"}}
                )
        return out

    def _move_columns(self, sheet: Sheet, rows: list[list[Any]]) -> list[dict[str, Any]]:
        """Cells right of an inserted column, moved right as they are; staff's columns after the template's."""
        info = self.before.sheets[sheet.key]
        keys = [c.key for c in sheet.columns]
        found = [k for k in keys if k in info.letters]
        old_index = {k: _index(info.letters[k]) for k in found}
        if [old_index[k] for k in found] != list(range(len(found))):
            raise TemplateMismatchError(
                f"the {info.name} tab's template columns were moved, or a column was inserted between them; "
                "put them back in the template's order (staff's own columns go after them) and try again",
                path=f"gsheets:{self.key}",
            )
        self.inserted[sheet.key] = [k for k in keys if k not in info.letters]
        birthdays = self._birthdays(sheet, rows, old_index)
        if not self.inserted[sheet.key]:
            return [_one_cell(self.sheet_id(sheet.key), r, keys.index(k), text) for (r, k), text in birthdays.items()]
        first = keys.index(self.inserted[sheet.key][0])
        width = max((len(r) for r in rows), default=0)
        target = {old_index[k]: keys.index(k) for k in found}
        for j in range(len(found), width):  # staff's columns keep their order after the template's
            target[j] = len(keys) + j - len(found)
        formula = {keys.index(c.key) for c in sheet.columns if c.is_formula}
        new_width = max(target.values(), default=len(keys) - 1) + 1
        out_rows = []
        key_at = {keys.index(k): k for k in found}
        for r, row in enumerate(rows):
            cells: list[dict[str, Any]] = [{} for _ in range(new_width - first)]
            for j, value in enumerate(row):
                to = target.get(j)
                if to is None or to < first or (r > 0 and to in formula):
                    continue
                cells[to - first] = entered_cell(birthdays.get((r, key_at.get(to, "")), value))
            if r == 0:
                for k in self.inserted[sheet.key]:
                    cells[keys.index(k) - first] = entered_cell(self.labels.header(sheet.key, k))
            out_rows.append({"values": cells})
        grid = _range(self.sheet_id(sheet.key), 0, len(rows), first, new_width)
        return [{"updateCells": {"range": grid, "rows": out_rows, "fields": ENTERED_VALUE}}]

    def _birthdays(
        self, sheet: Sheet, rows: list[list[Any]], old_index: Mapping[str, int]
    ) -> dict[tuple[int, str], str]:
        """(0-based row, key) -> a birthday without the year as the current template types it (DD-MM in DMY).

        Version 1 wrote MM-DD in every language; the value read stays the same date.
        """

        def typed(row: int, key: str) -> Any:
            r, j = row - 1, old_index.get(key)
            return rows[r][j] if j is not None and 0 <= r < len(rows) and j < len(rows[r]) else None

        order = date_order(self.labels, self.settings)
        found = retyped_month_days(self.before.data.frame(sheet.key), sheet, order, typed)
        out = {(row - 1, key): text for (row, key), text in found.items() if key in old_index and row - 1 < len(rows)}
        self.birthdays_retyped += len(out)
        return out

    def _lists(self, rows: list[list[Any]]) -> dict[str, pd.DataFrame]:
        """The reference lists as laid out on the Lists tab (found by their headers), new columns filled."""
        header = [str(v).strip() if not is_missing(v) else "" for v in (rows[0] if rows else [])]
        defaults = default_lists(self.template, self.labels)
        out: dict[str, pd.DataFrame] = {}
        position = 0
        for ref in self.template.reference_lists.values():
            columns: dict[str, list[Any]] = {}
            for col in ref.columns:
                names = {
                    normalize_label(self.template.labels(loc).reference_header(ref.key, col.key))
                    for loc in self.template.locales
                }
                if position < len(header) and normalize_label(header[position]) in names:
                    columns[col.key] = [r[position] if position < len(r) else "" for r in rows[1:]]
                    position += 1
            position += 1  # the empty column between blocks
            height = max((len(v) for v in columns.values()), default=0)
            frame = pd.DataFrame({k: pd.Series(v + [""] * (height - len(v)), dtype=object) for k, v in columns.items()})
            frame = frame.replace("", None)
            frame = frame[frame.notna().any(axis=1)] if len(frame.columns) else frame
            self.lists_before[ref.key] = frame.copy()
            by_name = {normalize_label(str(r["name"])): r for r in defaults[ref.key].to_dict("records")}
            for col in ref.columns:
                if col.key not in frame.columns:
                    row_names = frame["name"] if "name" in frame.columns else pd.Series([None] * len(frame))
                    frame[col.key] = [by_name.get(normalize_label(str(n)), {}).get(col.key) for n in row_names]
            out[ref.key] = frame[[c.key for c in ref.columns]].reset_index(drop=True)
        return out

    def _layout_data(self, lists: dict[str, pd.DataFrame]) -> WorkbookData:
        """The branch's values, each data frame as tall as its last used row (the prepared area follows)."""
        frames: dict[str, pd.DataFrame] = {}
        for sheet in self.template.sheets:
            frame = self.before.data.frame(sheet.key)
            last = int(frame.index.max()) if len(frame) else FIRST_DATA_ROW - 1
            frames[sheet.key] = frame.reindex(pd.RangeIndex(FIRST_DATA_ROW, last + 1))
        return WorkbookData(**frames, lists=lists, settings=dict(self.settings))

    def _support_tabs(
        self, book: Book, ids: Mapping[str, int], grids: Mapping[str, list[list[Any]]]
    ) -> list[dict[str, Any]]:
        """Settings, Lists and About as the current template lays them out (staff's settings and lists kept)."""
        lab = self.labels
        head = lab.settings["header"]
        settings: list[list[Any]] = [[head["key"], head["label"], head["value"], head["help"]]]
        layout = book.layout
        for entry in setting_rows(self.template, lab, layout, self.settings):
            settings.append([entry.setting.key, entry.label, entry.value, entry.help])
        lists_cells = list_columns(self.template, lab, layout, book.data.lists)
        height = max(len(c) for c in lists_cells.values())
        lists: list[list[Any]] = [["" for _ in range(max(lists_cells) + 1)] for _ in range(height)]
        for c, cells in lists_cells.items():
            for r, value in enumerate(cells):
                lists[r][c] = "" if value is None else value
        about: list[list[Any]] = [[lab.about["title"]], []]
        about += [[k, label, value] for k, label, value in book.about]
        about += [[], ["", lab.about["notice"]]]
        out: list[dict[str, Any]] = []
        for key, rows in (("settings", settings), ("lists", lists), ("about", about)):
            old = grids.get(self.tabs.get(key, ""), [])
            height = max(len(rows), len(old), 1)
            width = max(max((len(r) for r in rows), default=1), max((len(r) for r in old), default=1))
            body = [{"values": [entered_cell(v) for v in row] + [{}] * (width - len(row))} for row in rows]
            grid = _range(ids[key], 0, height, 0, width)
            out.append({"updateCells": {"range": grid, "rows": body, "fields": ENTERED_VALUE}})
        return out


# ---------------------------------------------------------------- helpers


def _one_cell(sheet_id: int, row: int, column: int, text: str) -> dict[str, Any]:
    start = {"sheetId": sheet_id, "rowIndex": row, "columnIndex": column}
    return {"updateCells": {"start": start, "rows": [{"values": [entered_cell(text)]}], "fields": ENTERED_VALUE}}


def _range(sheet_id: int, r0: int, r1: int, c0: int, c1: int) -> dict[str, int]:
    return {"sheetId": sheet_id, "startRowIndex": r0, "endRowIndex": r1, "startColumnIndex": c0, "endColumnIndex": c1}


def _index(letters: str) -> int:
    number = 0
    for ch in letters:
        number = number * 26 + ord(ch) - ord("A") + 1
    return number - 1


def _about_value(rows: Sequence[Sequence[Any]] | None, key: str) -> str | None:
    for row in rows or []:
        if len(row) >= 3 and str(row[0]).strip() == key and str(row[2]).strip():
            return str(row[2]).strip()
    return None


def _describe(result: SheetsUpgradeResult, labels: Labels, *, grow: bool) -> list[str]:
    lines = [
        "the data nears or passes the prepared rows: validation, colours and formulas re-extended"
        if grow
        else f"template version {result.from_version} -> {result.to_version}"
    ]
    lines += [f"tab {name}: added (empty)" for name in result.tabs_added]
    if result.settings_updated:
        lines.append("settings left at the old default take the new one: " + ", ".join(result.settings_updated))
    if result.birthdays_retyped:
        lines.append(
            f"{result.birthdays_retyped} birthday(s) without the year typed in the workbook's date order "
            "(the same dates)"
        )
    for key, columns in result.columns_added.items():
        lines.append(f"tab {labels.sheet_name(key)}: column(s) added: {', '.join(columns)}; values moved with them")
    lines.append(f"one batchUpdate of {result.requests} requests; no values request")
    return lines


def _compare(
    before: Workbook, after: Workbook, lists: Mapping[str, pd.DataFrame], updated: set[str]
) -> tuple[list[str], int]:
    """Staff values of ``before`` that read differently in ``after`` (sheet, row, column; never the value).

    A birthday without the year compares as (month, day): the same date, whichever order it is typed in.
    """
    differences: list[str] = []
    compared = 0
    month_days = set(MONTH_DAY_COLUMNS.values())
    for key, info in before.sheets.items():
        old, new = before.data.frame(key), after.data.frame(key)
        for column in old.columns:
            for row, value in old[column].items():
                other = new.at[row, column] if column in new.columns and row in new.index else None
                compared += 1
                if column in month_days:
                    if month_day_parts(value) != month_day_parts(other):
                        differences.append(f"{info.name} row {row}, {column}")
                elif not _same(value, other):
                    differences.append(f"{info.name} row {row}, {column}")
    for key, value in before.data.settings.items():
        if key not in updated and not _same(value, after.data.settings.get(key)):
            differences.append(f"Settings, {key}")
    for key, frame in lists.items():
        read: pd.DataFrame = after.data.lists.get(key, pd.DataFrame())
        for column in frame.columns:
            mine = list(frame[column])
            theirs = list(read[column])[: len(mine)] if column in read.columns else []
            if len(mine) != len(theirs) or not all(_same(a, b) for a, b in zip(mine, theirs, strict=True)):
                differences.append(f"Lists, {key}.{column}")
    return differences, compared


def _same(a: Any, b: Any) -> bool:
    if is_missing(a) or is_missing(b):
        return is_missing(a) and is_missing(b)
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        return float(a) == float(b)
    if isinstance(a, (dt.date, pd.Timestamp)) or isinstance(b, (dt.date, pd.Timestamp)):
        return bool(pd.Timestamp(a) == pd.Timestamp(b))
    return str(a) == str(b)
