"""Write the canonical workbook to Google Sheets: the same tabs, rules and colours as the Excel file.

:func:`write_gsheet` creates a spreadsheet (Sheets API ``spreadsheets.create``)
or fills an existing one shared with the account. Everything comes from the
template through the same modules the Excel writer uses: positions from
:mod:`~sheetkit.template.geometry`, formulas and conditional formats from
:mod:`~sheetkit.template.formulas`, validations from :mod:`~sheetkit.template.rules`,
cell values from :mod:`~sheetkit.template.values`. Two kinds of request carry it:

* the **structure** — tabs, named ranges, header formats, frozen and protected
  header rows, column widths, number formats, every validation and conditional
  format, the staff-view formulas — goes in ONE ``spreadsheets.batchUpdate``,
  which Google applies atomically: it is all there or nothing is;
* the **values** go in ``spreadsheets.values.batchUpdate`` with
  ``valueInputOption=RAW``, so a client named ``=HYPERLINK(...)`` stays text.
  A workbook of a few thousand rows needs one such request; larger ones are
  split into requests of at most :data:`MAX_VALUE_ROWS` rows and about
  :data:`MAX_VALUE_BYTES` of JSON each (Google advises payloads of 2 MB).
  Each counts once against the write quota; the client waits for quota.

A new workbook costs 3 write requests (create, structure, values); filling an
existing spreadsheet costs 1 read (its metadata) and 2 writes.

Formulas are written by :mod:`~sheetkit.template.formulas` for Excel; Google
parses the same text once it is translated by :func:`google_formula`: the
``_xlfn.`` prefixes go, in locales that write decimals with a comma (it_IT,
vi_VN) argument separators become ``;``, and conditional formats reach the
Settings cells through ``INDIRECT("setting_...")`` (Google's conditional
formats may not refer to other tabs directly).

Excel's validation error messages have no counterpart in the Sheets API:
Google rejects invalid input with its own message and shows the column's help
text (``inputMessage``), so the help texts carry the guidance.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

import pandas as pd

from sheetkit.errors import SheetsAccessError, SheetsConflictError, UsageError
from sheetkit.frames import DATA_SHEETS, WorkbookData, empty_frames
from sheetkit.gsheets.client import SheetsClient
from sheetkit.gsheets.reader import sheet_range
from sheetkit.template import Column, Labels, Sheet, Template, load_template
from sheetkit.template.defaults import default_lists, default_settings
from sheetkit.template.formulas import STYLES, StaffFormulas
from sheetkit.template.geometry import (
    FIRST_DATA_ROW,
    SETTINGS_VALUE_COLUMN,
    DefinedName,
    WorkbookLayout,
    column_letter,
    plan_layout,
    quote_sheet,
)
from sheetkit.template.rules import column_rule, plain_number, setting_rule
from sheetkit.template.styles import HEADER_COLOURS, NUMBER_FORMATS
from sheetkit.template.values import (
    CellValue,
    about_entries,
    is_missing,
    list_columns,
    setting_rows,
    value_converter,
)

__all__ = ["GOOGLE_LOCALES", "MAX_CELLS", "TIME_ZONES", "google_formula", "write_gsheet"]

#: Google locale of each workbook locale. The date order of typed dates follows
#: it: zh_CN is YMD, it_IT and vi_VN are DMY like their workbooks. The en
#: workbook writes ISO dates (YMD), which every Google locale reads; en_GB
#: matches its currency (GBP) and its staff, who read 03/04 as 3 April.
GOOGLE_LOCALES: Final = {"en": "en_GB", "zh-CN": "zh_CN", "it": "it_IT", "vi": "vi_VN"}
#: Time zone of a new spreadsheet per workbook locale: TODAY() in the formulas follows it.
TIME_ZONES: Final = {
    "en": "Europe/London",
    "zh-CN": "Asia/Shanghai",
    "it": "Europe/Rome",
    "vi": "Asia/Ho_Chi_Minh",
}
#: Google locales whose formulas separate arguments with "," (the others use ";"
#: and write decimals with ","). Semicolons are accepted in every locale, commas
#: only in these.
COMMA_LOCALES: Final = frozenset(
    {
        "en_US", "en_GB", "en_AU", "en_CA", "en_IE", "en_IN", "en_PH", "cy_GB", "zh_CN", "zh_TW", "zh_HK",
        "ja_JP", "ko_KR", "th_TH", "ar_EG", "iw_IL", "he_IL", "es_MX", "mn_MN", "my_MM", "de_CH", "hi_IN",
        "bn_IN", "gu_IN", "kn_IN", "ml_IN", "mr_IN", "pa_IN", "ta_IN", "te_IN", "fil_PH",
    }
)  # fmt: skip
#: Cells a spreadsheet may hold, over all its tabs (Google's limit).
MAX_CELLS: Final = 10_000_000
#: Bounds of one values.batchUpdate request.
MAX_VALUE_ROWS: Final = 20_000
MAX_VALUE_BYTES: Final = 2_000_000
#: Default titles of a new, empty tab, by the Google interface language; such a tab
#: is removed from an existing spreadsheet when sheetkit fills it and it is empty.
DEFAULT_TAB_TITLE: Final = re.compile(
    r"(?:Sheet|Foglio|Trang tính|工作表|Tabellenblatt|Feuille|Hoja|Página|Planilha|Folha|Blad|Ark|Arkusz"
    r"|List|Лист|Sayfa|Munkalap|Taulukko|シート|시트|แผ่นงาน)\s?\d{1,3}"
)

_EPOCH: Final = dt.datetime(1899, 12, 30)
_WARNING: Final = "sheetkit: {what}. Edits here break the workbook; change them only if you know why."
_FORMULA_BG: Final = "#F2F2F2"
_KEY_GREY: Final = "#808080"
_NOTE_RED: Final = "#7A0000"
_FIRST_SHEET_ID: Final = 1001


def write_gsheet(
    client: SheetsClient,
    data: WorkbookData | None = None,
    *,
    locale: str = "en",
    spreadsheet: str | None = None,
    title: str | None = None,
    branch: str | None = None,
    template: Template | None = None,
    generated_at: dt.datetime | None = None,
    overwrite: bool = False,
    time_zone: str | None = None,
) -> str:
    """Write the client-allocation workbook to Google Sheets and return the spreadsheet key.

    ``spreadsheet=None`` creates a new spreadsheet titled ``title`` (default:
    the Clients tab name in the workbook's language, with the branch code), in the
    Google locale of ``locale`` (:data:`GOOGLE_LOCALES`) and ``time_zone``
    (default :data:`TIME_ZONES`). A service account cannot own files any more:
    then create an empty spreadsheet in Google Sheets, share it with the
    account as Editor and pass its key.

    With a ``spreadsheet`` key, the tabs are added to that spreadsheet, its
    locale is set to the workbook's (and its time zone when given), and an
    empty default tab such as "Sheet1" is removed. A spreadsheet that already
    holds sheetkit tabs or named ranges is refused with SheetsConflictError
    unless ``overwrite=True``, which replaces those tabs (with their data).

    ``data=None`` writes an empty workbook with the default lists and
    settings; with ``branch`` its branch list holds that branch. The About tab
    records the template, version, locale, ``generated_at`` and the branch.

    Errors: SheetsAccessError (unknown key, not shared, or shared for viewing
    only; nothing is written), SheetsConflictError, SheetsUnavailableError
    (quota or server errors after retries), UsageError (the data does not fit).
    The structure is written atomically; should a values request fail after
    it, write again with ``overwrite=True``.
    """
    template = template or load_template()
    labels = template.labels(locale)
    stamp = generated_at or dt.datetime.now().replace(microsecond=0)
    if data is None:
        lists = default_lists(template, labels)
        if branch is not None:
            lists["branches"] = pd.DataFrame(
                {"name": [branch]}, columns=[c.key for c in template.reference_lists["branches"].columns]
            )
        data = WorkbookData(**empty_frames(template), lists=lists, settings=default_settings(template, labels))
    google_locale = GOOGLE_LOCALES.get(locale, locale.replace("-", "_"))
    book = _Book(template, labels, data, stamp, branch)  # converts every value first: errors before any request
    if spreadsheet is None:
        return _create(client, book, google_locale, time_zone or TIME_ZONES.get(locale, "Etc/UTC"), title)
    return _fill(
        client, book, spreadsheet, google_locale=google_locale, time_zone=time_zone, title=title, overwrite=overwrite
    )


# ----------------------------------------------------------------- the two ways in


def _create(client: SheetsClient, book: _Book, google_locale: str, time_zone: str, title: str | None) -> str:
    name = title or book.default_title()
    ids = {tab.key: _FIRST_SHEET_ID + i for i, tab in enumerate(book.tabs)}
    sheets = [{"properties": tab.properties(ids[tab.key], i)} for i, tab in enumerate(book.tabs)]
    made = client.create({"title": name, "locale": google_locale, "timeZone": time_zone}, sheets)
    key = str(made["spreadsheetId"])
    actual = {str(s["properties"]["title"]): int(s["properties"].get("sheetId", 0)) for s in made.get("sheets", [])}
    ids = {tab.key: actual.get(tab.title, ids[tab.key]) for tab in book.tabs}
    dialect = _Dialect(semicolons=google_locale not in COMMA_LOCALES)
    client.batch_update(key, book.structure(ids, dialect))
    _write_values(client, key, book)
    return key


def _fill(
    client: SheetsClient,
    book: _Book,
    key: str,
    *,
    google_locale: str,
    time_zone: str | None,
    title: str | None,
    overwrite: bool,
) -> str:
    meta = client.metadata(key, fields="properties.locale,sheets.properties,namedRanges.namedRangeId,namedRanges.name")
    existing = meta.get("sheets", [])
    defaults = [_title(s) for s in existing if DEFAULT_TAB_TITLE.fullmatch(_title(s))]
    if defaults:
        # Only the default tabs' cells are needed (is "Sheet1" empty?): never download the manager's other tabs.
        cells = client.metadata(
            key,
            fields="sheets.properties.sheetId,sheets.data.rowData.values.userEnteredValue",
            ranges=[sheet_range(t) for t in defaults],
        )
        data = {_sheet_id(s): s.get("data", []) for s in cells.get("sheets", [])}
        existing = [{**s, "data": data.get(_sheet_id(s), [])} for s in existing]
    names = {n.name for n in book.layout.defined_names()}
    old_names = [n for n in meta.get("namedRanges", []) if n.get("name") in names]
    # Tabs sheetkit would replace: those with the titles it adds, and when the spreadsheet holds a sheetkit
    # workbook (its named ranges), that workbook's tabs in any language. A manager's own "Notes" tab stays.
    ours = {tab.title for tab in book.tabs} | (book.known_titles() if old_names else set())
    old_tabs = [s for s in existing if _title(s) in ours]
    if (old_tabs or old_names) and not overwrite:
        found = [_title(s) for s in old_tabs] or [str(n["name"]) for n in old_names]
        raise SheetsConflictError(
            f"the spreadsheet already holds a sheetkit workbook ({', '.join(found[:7])}); "
            "allow overwriting to replace it (its data is replaced too), or give another spreadsheet",
            spreadsheet=key,
        )
    replaced = {_sheet_id(s) for s in old_tabs}
    blank = {
        _sheet_id(s)
        for s in existing
        if _sheet_id(s) not in replaced
        and DEFAULT_TAB_TITLE.fullmatch(_title(s))
        and not any(_has_values(d) for d in s.get("data", []))
    }
    kept_cells = sum(_grid_cells(s["properties"]) for s in existing if _sheet_id(s) not in replaced | blank)
    if kept_cells + book.cells() > MAX_CELLS:
        raise UsageError(
            f"the workbook needs {book.cells():,} cells and the spreadsheet's other tabs hold {kept_cells:,}; "
            f"Google allows {MAX_CELLS:,} per spreadsheet: use a new spreadsheet or split the data"
        )
    taken_ids = {_sheet_id(s) for s in existing}
    taken_titles = {_title(s) for s in existing}
    ids: dict[str, int] = {}
    candidate = _FIRST_SHEET_ID
    for tab in book.tabs:
        while candidate in taken_ids:
            candidate += 1
        ids[tab.key] = candidate
        taken_ids.add(candidate)
    current = str(meta.get("properties", {}).get("locale", ""))
    # The new locale applies within the batch; semicolons parse in both locales, commas only in comma locales.
    dialect = _Dialect(semicolons=google_locale not in COMMA_LOCALES or current not in COMMA_LOCALES)

    props: dict[str, Any] = {"locale": google_locale}
    if time_zone:
        props["timeZone"] = time_zone
    if title:
        props["title"] = title
    requests: list[dict[str, Any]] = [
        {"updateSpreadsheetProperties": {"properties": props, "fields": ",".join(props)}},
        *({"deleteNamedRange": {"namedRangeId": str(n["namedRangeId"])}} for n in old_names),
    ]
    if not replaced:
        requests += [{"addSheet": {"properties": tab.properties(ids[tab.key])}} for tab in book.tabs]
    else:
        # Replaced tabs keep their titles: add the new tabs small and under temporary titles, delete the
        # old ones, then give the new ones their titles and grids (never twice the cells at once).
        for tab in book.tabs:
            temporary = {"rowCount": 1, "columnCount": 1}
            small = {**tab.properties(ids[tab.key]), "title": _free_title("sheetkit", taken_titles)}
            requests.append({"addSheet": {"properties": {**small, "gridProperties": temporary}}})
    requests += [{"deleteSheet": {"sheetId": sid}} for sid in [*replaced, *blank]]
    if replaced:
        fields = "title,gridProperties"
        for tab in book.tabs:
            full = tab.properties(ids[tab.key])
            update = {"sheetId": full["sheetId"], "title": full["title"], "gridProperties": full["gridProperties"]}
            requests.append({"updateSheetProperties": {"properties": update, "fields": fields}})
    requests += book.structure(ids, dialect)
    try:
        client.batch_update(key, requests)
    except SheetsAccessError as exc:
        if exc.status != 403:
            raise
        accounts = ", ".join(a.name for a in client.accounts)
        raise SheetsAccessError(
            f"Google refused to let {accounts} change the spreadsheet: it is shared for viewing only (or its "
            "tabs are protected); nothing was written. Open it in Google Sheets, click Share and make that "
            "address an Editor",
            spreadsheet=key,
            status=403,
        ) from None
    _write_values(client, key, book)
    return key


def _write_values(client: SheetsClient, key: str, book: _Book) -> None:
    for batch in _value_batches(book.value_ranges()):
        client.values_batch_update(key, batch)


def _value_batches(blocks: Iterable[tuple[str, int, int, list[list[Any]]]]) -> Iterator[list[dict[str, Any]]]:
    """Group (tab, first row, first column, rows) blocks into requests of bounded rows and bytes."""
    batch: list[dict[str, Any]] = []
    rows_in = bytes_in = 0
    for title, first_row, first_col, rows in blocks:
        chunk: list[list[Any]] = []
        chunk_start = 0
        for i, row in enumerate(rows):
            size = len(json.dumps(row)) + 1
            full = rows_in + 1 > MAX_VALUE_ROWS or bytes_in + size > MAX_VALUE_BYTES
            if full and (batch or chunk):
                if chunk:
                    batch.append(_value_range(title, first_row + chunk_start, first_col, chunk))
                yield batch
                batch, rows_in, bytes_in = [], 0, 0
                chunk, chunk_start = [], i
            chunk.append(row)
            rows_in += 1
            bytes_in += size
        if chunk:
            batch.append(_value_range(title, first_row + chunk_start, first_col, chunk))
    if batch:
        yield batch


def _value_range(title: str, top: int, left: int, rows: list[list[Any]]) -> dict[str, Any]:
    width = max((len(r) for r in rows), default=0) or 1
    a1 = f"{quote_sheet(title)}!{column_letter(left)}{top}:{column_letter(left + width - 1)}{top + len(rows) - 1}"
    return {"range": a1, "majorDimension": "ROWS", "values": rows}


def _title(sheet: Mapping[str, Any]) -> str:
    return str(sheet["properties"]["title"])


def _sheet_id(sheet: Mapping[str, Any]) -> int:
    return int(sheet["properties"].get("sheetId", 0))  # proto3 JSON leaves out a sheetId of 0


def _has_values(grid: Mapping[str, Any]) -> bool:
    return any(v.get("userEnteredValue") for row in grid.get("rowData", []) for v in row.get("values", []))


def _grid_cells(properties: Mapping[str, Any]) -> int:
    grid = properties.get("gridProperties", {})
    return int(grid.get("rowCount", 0)) * int(grid.get("columnCount", 0))


def _free_title(base: str, taken: set[str]) -> str:
    title, n = base, 1
    while title in taken:
        n += 1
        title = f"{base} ({n})"
    taken.add(title)
    return title


# ----------------------------------------------------------------- formula dialect


@dataclass(frozen=True)
class _Dialect:
    """How Google parses formulas in the target spreadsheet."""

    semicolons: bool

    def number(self, value: float) -> str:
        text = str(plain_number(value))
        return text.replace(".", ",") if self.semicolons else text


_TOKEN: Final = re.compile(
    r"""(?P<text>"(?:[^"]|"")*"|'(?:[^']|'')*')"""  # string literal, quoted sheet name
    r"|(?P<name>[A-Za-z_\\][A-Za-z0-9_.]*)"  # function, name, cell reference, _xlfn.MAXIFS
    r"|(?P<number>[0-9]+(?:\.[0-9]+)?)"
    r"|(?P<other>.)",
    re.DOTALL,
)
_FUTURE_PREFIXES: Final = ("_xlfn.", "_xlws.")


def google_formula(formula: str, *, semicolons: bool = False, indirect: Collection[str] = ()) -> str:
    """Excel formula text as Google Sheets parses it.

    Excel's ``_xlfn.`` / ``_xlws.`` prefixes (its markers of functions newer
    than 2007) are dropped: Google knows MAXIFS and MINIFS by name. With
    ``semicolons`` (locales that write decimals with a comma, such as it_IT and
    vi_VN) argument separators become ``;`` and decimal points ``,``. Names in
    ``indirect`` become ``INDIRECT("name")``: Google's conditional formats may
    not refer to other tabs, named ranges included, except through INDIRECT.
    String literals and quoted sheet names are left alone; array constants
    (``{}``) are not used by sheetkit and are refused.

    >>> google_formula('=IF(_xlfn.MAXIFS(A:A,B:B,"a,b")>1.5,1,0)', semicolons=True)
    '=IF(MAXIFS(A:A;B:B;"a,b")>1,5;1;0)'
    >>> google_formula("=SUM('It, too'!A1,2)")
    "=SUM('It, too'!A1,2)"
    >>> google_formula("=A2<=setting_lead_days", indirect={"setting_lead_days"})
    '=A2<=INDIRECT("setting_lead_days")'
    """
    out: list[str] = []
    for match in _TOKEN.finditer(formula):
        piece = match.group()
        kind = match.lastgroup
        if kind == "name":
            for prefix in _FUTURE_PREFIXES:
                piece = piece.removeprefix(prefix)
            rest = formula[match.end() :].lstrip()
            if piece in indirect and not rest.startswith(("(", "!")):
                piece = f'INDIRECT("{piece}")'
        elif kind == "number" and semicolons:
            piece = piece.replace(".", ",")
        elif kind == "other":
            if piece in "{}":
                raise UsageError(f"array constants are not translated for Google Sheets: {formula[:80]}")
            if semicolons and piece == ",":
                piece = ";"
        out.append(piece)
    return "".join(out)


# ----------------------------------------------------------------- the workbook plan


@dataclass(frozen=True)
class _Tab:
    key: str
    title: str
    rows: int
    columns: int
    frozen_rows: int = 1
    frozen_columns: int = 0
    hidden: bool = False

    def properties(self, sheet_id: int, index: int | None = None) -> dict[str, Any]:
        grid: dict[str, Any] = {"rowCount": self.rows, "columnCount": self.columns}
        if self.frozen_rows:
            grid["frozenRowCount"] = self.frozen_rows
        if self.frozen_columns:
            grid["frozenColumnCount"] = self.frozen_columns
        props: dict[str, Any] = {"sheetId": sheet_id, "title": self.title, "sheetType": "GRID", "gridProperties": grid}
        if index is not None:
            props["index"] = index
        if self.hidden:
            props["hidden"] = True
        return props


class _Book:
    """Everything to write, planned before the first request."""

    def __init__(
        self, template: Template, labels: Labels, data: WorkbookData, stamp: dt.datetime, branch: str | None
    ) -> None:
        self.template = template
        self.labels = labels
        self.data = data
        self.branch = branch
        self.layout: WorkbookLayout = plan_layout(template, labels, {k: len(data.frame(k)) for k in DATA_SHEETS})
        self.formulas = StaffFormulas(self.layout, labels)
        self.names: dict[str, DefinedName] = {n.name: n for n in self.layout.defined_names()}
        self.lists = list_columns(template, labels, self.layout, data.lists)
        self.settings = setting_rows(template, labels, self.layout, data.settings)
        self.about = about_entries(template, labels, stamp, branch=branch)
        self.rows = {sheet.key: self._data_rows(sheet) for sheet in template.sheets}
        lay = self.layout
        lists_height = max(*(len(c) for c in self.lists.values()), *(r.last_row for r in lay.lists.values()))
        self.tabs: list[_Tab] = [
            _Tab(
                s.key,
                lay.sheet(s.key).name,
                lay.sheet(s.key).last_row,
                len(s.columns),
                frozen_columns=lay.sheet(s.key).frozen_columns,
            )
            for s in template.sheets
        ]
        self.tabs += [
            _Tab("settings", lay.settings_name, max(lay.settings_rows.values()), 4),
            _Tab("lists", lay.lists_name, lists_height, max(self.lists) + 1, hidden=True),
            _Tab("about", lay.about_name, len(self.about) + 4, 3, frozen_rows=0),
        ]
        if self.cells() > MAX_CELLS:
            raise UsageError(
                f"the workbook needs {self.cells():,} cells; Google allows {MAX_CELLS:,} per spreadsheet: "
                "split the data (for example by branch or year)"
            )

    def cells(self) -> int:
        """Cells of every tab's grid."""
        return sum(t.rows * t.columns for t in self.tabs)

    def default_title(self) -> str:
        title = self.labels.sheet_name("clients")
        return f"{title} — {self.branch}" if self.branch else title

    def known_titles(self) -> set[str]:
        """Tab names of this template in every locale: the tabs a sheetkit workbook has."""
        keys = [s.key for s in self.template.sheets] + ["lists", "settings", "about"]
        return {self.template.labels(loc).sheet_name(k) for loc in self.template.locales for k in keys}

    # ------------------------------------------------------------------ values
    def _data_rows(self, sheet: Sheet) -> list[list[Any]]:
        frame = self.data.frame(sheet.key)
        missing = [c.key for c in sheet.data_columns if c.key not in frame.columns]
        if missing:
            raise UsageError(f"the {sheet.key} frame lacks columns {missing}")
        # One block of values per sheet, from column A: the formula columns must all come last.
        columns = list(sheet.columns[: _leading_data_columns(sheet)])
        converters = [value_converter(self.template, self.labels, c) for c in columns]
        values = [frame[c.key].tolist() for c in columns]
        out: list[list[Any]] = []
        for r in range(len(frame)):
            row_number = FIRST_DATA_ROW + r
            row: list[Any] = []
            for convert, column, col in zip(converters, values, columns, strict=True):
                value = column[r]
                row.append("" if is_missing(value) else _json(convert(value, sheet.key, row_number), sheet, col))
            while row and row[-1] == "":
                row.pop()
            out.append(row)
        return out

    def value_ranges(self) -> Iterator[tuple[str, int, int, list[list[Any]]]]:
        """(tab title, first 1-based row, first 0-based column, rows) blocks of values."""
        lab = self.labels
        for sheet in self.template.sheets:
            lay = self.layout.sheet(sheet.key)
            yield lay.name, 1, 0, [[lab.header(sheet.key, c.key) for c in sheet.columns]]
            if self.rows[sheet.key]:
                yield lay.name, FIRST_DATA_ROW, 0, self.rows[sheet.key]
        head = lab.settings["header"]
        settings: list[list[Any]] = [[head["key"], head["label"], head["value"], head["help"]]]
        settings += [[e.setting.key, e.label, _json_plain(e.value), e.help] for e in self.settings]
        yield self.layout.settings_name, 1, 0, settings
        height = max(len(c) for c in self.lists.values())
        width = max(self.lists) + 1
        grid: list[list[Any]] = [[""] * width for _ in range(height)]
        for c, cells in self.lists.items():
            for r, value in enumerate(cells):
                if value is not None:
                    grid[r][c] = _json_plain(value) if r else str(value)
        yield self.layout.lists_name, 1, 0, [_trim(r) for r in grid]
        about: list[list[Any]] = [[lab.about["title"]], []]
        about += [[key, label, value] for key, label, value in self.about]
        about += [[], ["", lab.about["notice"]]]
        yield self.layout.about_name, 1, 0, about

    def structure(self, ids: Mapping[str, int], dialect: _Dialect) -> list[dict[str, Any]]:
        """Every batchUpdate request once the tabs exist: names, formats, rules, formulas, protection."""
        return _Structure(self, ids, dialect).requests()


class _Structure:
    """The batchUpdate requests of one workbook, for tabs with known sheet ids."""

    def __init__(self, book: _Book, ids: Mapping[str, int], dialect: _Dialect) -> None:
        self.book = book
        self.template = book.template
        self.labels = book.labels
        self.layout = book.layout
        self.formulas = book.formulas
        self.names = book.names
        self.ids = ids
        self.dialect = dialect

    def requests(self) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        by_title = {tab.title: tab.key for tab in self.book.tabs}
        for name in self.names.values():
            sid = self.ids[by_title[name.sheet]]
            rng = _grid(sid, name.first_row - 1, name.last_row, name.column, name.column + 1)
            out.append({"addNamedRange": {"namedRange": {"name": name.name, "range": rng}}})
        for sheet in self.template.sheets:
            out += self._data_sheet(sheet)
        out += self._settings_sheet()
        out += self._lists_sheet()
        out += self._about_sheet()
        return out

    def formula(self, text: str) -> str:
        return google_formula(text, semicolons=self.dialect.semicolons)

    def _data_sheet(self, sheet: Sheet) -> list[dict[str, Any]]:
        sid = self.ids[sheet.key]
        lay = self.layout.sheet(sheet.key)
        first, last = FIRST_DATA_ROW - 1, lay.last_row
        out: list[dict[str, Any]] = [_row_height(sid, 0, 60)]
        for start, end, kind in _runs(sheet.columns, lambda c: "formula" if c.is_formula else c.sensitivity):
            out.append(_repeat(_grid(sid, 0, 1, start, end), _header_format(HEADER_COLOURS[kind]), _HEADER_FIELDS))
        for start, end, width in _runs(sheet.columns, lambda c: c.width):
            out.append(_widths(sid, start, end, _pixels(width)))
        for idx, col in enumerate(sheet.columns):
            if col.hidden:
                out.append(_hide_columns(sid, idx, idx + 1))
        for idx, col in enumerate(sheet.columns):
            rng = _grid(sid, first, last, idx, idx + 1)
            if col.is_formula:
                formula = self.formula(self.formulas.formula(str(col.formula), FIRST_DATA_ROW))
                cell: dict[str, Any] = {
                    "userEnteredValue": {"formulaValue": formula},
                    "userEnteredFormat": self._formula_format(col),
                }
                out.append(_repeat(rng, cell, _FORMULA_FIELDS))
                continue
            out.append(_repeat(rng, {"userEnteredFormat": {"numberFormat": self._number_format(col)}}, _NUMBER_FIELD))
            rule = column_rule(self.labels, self.layout, sheet, col)
            if rule is not None:
                cell_ref = lay.cell(col.key, FIRST_DATA_ROW, absolute_column=False)
                dv = self._validation(rule, cell_ref, self.labels.help(sheet.key, col.key))
                out.append({"setDataValidation": {"range": rng, "rule": dv}})
        index = 0
        for cf in self.formulas.conditional_rules():
            if cf.sheet != sheet.key:
                continue
            ranges = [_grid(sid, first, last, s, e) for s, e in _index_runs(lay.index(c) for c in cf.columns)]
            formula = google_formula("=" + cf.formula, semicolons=self.dialect.semicolons, indirect=self.names)
            condition = _condition("CUSTOM_FORMULA", formula)
            boolean = {"condition": condition, "format": _style(STYLES[cf.style])}
            out.append(
                {"addConditionalFormatRule": {"rule": {"ranges": ranges, "booleanRule": boolean}, "index": index}}
            )
            index += 1
        width = len(sheet.columns)
        out.append({"setBasicFilter": {"filter": {"range": _grid(sid, 0, last, 0, width)}}})
        out.append(_protect(_grid(sid, 0, 1, 0, width), "the header row"))
        for start, end, is_formula in _runs(sheet.columns, lambda c: c.is_formula):
            if is_formula:
                out.append(_protect(_grid(sid, first, last, start, end), "columns the spreadsheet computes"))
        return out

    def _number_format(self, col: Column) -> dict[str, str]:
        lab = self.labels
        if col.type == "date":
            return {"type": "DATE", "pattern": lab.date_format}
        if col.type == "datetime":
            return {"type": "DATE_TIME", "pattern": lab.datetime_format}
        if col.type in NUMBER_FORMATS:
            return {"type": "NUMBER", "pattern": NUMBER_FORMATS[col.type]}
        return {"type": "TEXT", "pattern": "@"}

    def _formula_format(self, col: Column) -> dict[str, Any]:
        fmt: dict[str, Any] = {"backgroundColor": _colour(_FORMULA_BG)}
        if col.type == "date":
            fmt["numberFormat"] = {"type": "DATE", "pattern": self.labels.date_format}
        elif col.type == "decimal":
            fmt["numberFormat"] = {"type": "NUMBER", "pattern": "0.0"}
        elif col.type == "choice":
            fmt["textFormat"] = {"bold": True}
        else:
            fmt["numberFormat"] = {"type": "NUMBER", "pattern": "0"}
        return fmt

    def _validation(self, rule: Mapping[str, Any], cell: str, help_text: str) -> dict[str, Any]:
        """A rule of :mod:`sheetkit.template.rules` as a Sheets DataValidationRule."""
        kind = rule["validate"]
        show_ui = False
        d = self.dialect
        if kind == "list":
            name = str(rule["source"]).removeprefix("=")
            condition = _condition("ONE_OF_RANGE", "=" + self.names[name].reference)
            show_ui = True
        elif kind == "custom":
            condition = _condition("CUSTOM_FORMULA", self.formula(str(rule["value"])))
        elif kind == "date" and rule["criteria"] == "between":
            bounds = [self.formula(_date_formula(rule[k])) for k in ("minimum", "maximum")]
            condition = _condition("DATE_BETWEEN", *bounds)
        elif kind == "decimal" and rule["criteria"] == "between":
            condition = _condition("NUMBER_BETWEEN", d.number(rule["minimum"]), d.number(rule["maximum"]))
        elif kind == "integer" and rule["criteria"] == "between":
            # NUMBER_BETWEEN would let 2.5 through; Excel's whole-number rule does not.
            lo, hi = d.number(rule["minimum"]), d.number(rule["maximum"])
            formula = f"=AND(ISNUMBER({cell}),{cell}=INT({cell}),{cell}>={lo},{cell}<={hi})"
            condition = _condition("CUSTOM_FORMULA", self.formula(formula))
        elif kind == "length" and rule["criteria"] == "between":
            formula = f"=AND(LEN({cell})>={rule['minimum']},LEN({cell})<={rule['maximum']})"
            condition = _condition("CUSTOM_FORMULA", self.formula(formula))
        elif kind == "length" and rule["criteria"] == "<=":
            condition = _condition("CUSTOM_FORMULA", self.formula(f"=LEN({cell})<={rule['value']}"))
        else:
            raise UsageError(f"no Google Sheets translation for the validation {kind} {rule.get('criteria')}")
        return {
            "condition": condition,
            "inputMessage": help_text,
            "strict": rule.get("error_type", "stop") == "stop",
            "showCustomUi": show_ui,
        }

    def _settings_sheet(self) -> list[dict[str, Any]]:
        sid = self.ids["settings"]
        rows = max(self.layout.settings_rows.values())
        out = [_repeat(_grid(sid, 0, 1, 0, 4), _header_format(HEADER_COLOURS[None]), _HEADER_FIELDS)]
        out += [_widths(sid, i, i + 1, _pixels(w)) for i, w in enumerate((22, 28, 14, 70))]
        out.append(_repeat(_grid(sid, 1, rows, 0, 1), {"userEnteredFormat": _font(_KEY_GREY)}, _FONT_FIELDS))
        for col in (1, 3):
            out.append(_repeat(_grid(sid, 1, rows, col, col + 1), _WRAPPED, _WRAP_FIELDS))
        vc = SETTINGS_VALUE_COLUMN
        for entry in self.book.settings:
            s = entry.setting
            rng = _grid(sid, entry.row - 1, entry.row, vc, vc + 1)
            pattern = {"int": "0", "decimal": "0.00"}.get(s.type)
            number = {"type": "NUMBER", "pattern": pattern} if pattern else {"type": "TEXT", "pattern": "@"}
            out.append(_repeat(rng, {"userEnteredFormat": {"numberFormat": number}}, _NUMBER_FIELD))
            cell_ref = f"{column_letter(vc)}{entry.row}"
            rule = self._validation(setting_rule(self.labels, self.layout, s), cell_ref, entry.help)
            out.append({"setDataValidation": {"range": rng, "rule": rule}})
        out.append(_protect(_grid(sid, 0, 1, 0, 4), "the header row"))
        out.append(_protect(_grid(sid, 1, rows, 0, vc), "setting keys and labels"))
        out.append(_protect(_grid(sid, 1, rows, vc + 1, 4), "help texts"))
        return out

    def _lists_sheet(self) -> list[dict[str, Any]]:
        sid = self.ids["lists"]
        tab = next(t for t in self.book.tabs if t.key == "lists")
        out: list[dict[str, Any]] = []
        for rng in self.layout.lists.values():
            c = rng.column
            out.append(_repeat(_grid(sid, 0, 1, c, c + 1), _header_format(HEADER_COLOURS[None]), _HEADER_FIELDS))
            out.append(_widths(sid, c, c + 1, _pixels(22 if rng.name.startswith("ref_") else 18)))
            number: dict[str, str] = {"type": "TEXT", "pattern": "@"}
            if rng.name.startswith("ref_"):
                col = next(x for x in self.template.reference_lists[rng.list_key].columns if x.key == rng.column_key)
                if col.type in NUMBER_FORMATS:
                    number = {"type": "NUMBER", "pattern": NUMBER_FORMATS[col.type]}
            body = _grid(sid, 1, tab.rows, c, c + 1)
            out.append(_repeat(body, {"userEnteredFormat": {"numberFormat": number}}, _NUMBER_FIELD))
        return out

    def _about_sheet(self) -> list[dict[str, Any]]:
        sid = self.ids["about"]
        rows = len(self.book.about) + 4
        out = [_widths(sid, i, i + 1, _pixels(w)) for i, w in enumerate((20, 24, 60))]
        title = {"userEnteredFormat": {"textFormat": {"bold": True, "fontSize": 14}}}
        out.append(
            _repeat(
                _grid(sid, 0, 1, 0, 1), title, "userEnteredFormat.textFormat.bold,userEnteredFormat.textFormat.fontSize"
            )
        )
        out.append(_repeat(_grid(sid, 2, rows, 0, 1), {"userEnteredFormat": _font(_KEY_GREY)}, _FONT_FIELDS))
        note_row = len(self.book.about) + 3
        note = {
            "userEnteredFormat": {
                "textFormat": {"italic": True, "foregroundColor": _colour(_NOTE_RED)},
                "wrapStrategy": "WRAP",
            }
        }
        fields = f"userEnteredFormat.textFormat.italic,{_FONT_FIELDS},userEnteredFormat.wrapStrategy"
        out.append(_repeat(_grid(sid, note_row, note_row + 1, 1, 2), note, fields))
        out.append(_row_height(sid, note_row, 60))
        out.append(_protect({"sheetId": sid}, "what the reader checks (template, version, locale)"))
        return out


# ----------------------------------------------------------------- request pieces

_HEADER_FIELDS: Final = (
    "userEnteredFormat.backgroundColor,userEnteredFormat.textFormat.bold,userEnteredFormat.wrapStrategy,"
    "userEnteredFormat.verticalAlignment,userEnteredFormat.borders"
)
_FORMULA_FIELDS: Final = (
    "userEnteredValue,userEnteredFormat.numberFormat,userEnteredFormat.backgroundColor,"
    "userEnteredFormat.textFormat.bold"
)
_NUMBER_FIELD: Final = "userEnteredFormat.numberFormat"
_FONT_FIELDS: Final = "userEnteredFormat.textFormat.foregroundColor"
_WRAP_FIELDS: Final = "userEnteredFormat.wrapStrategy,userEnteredFormat.verticalAlignment"
_WRAPPED: Final = {"userEnteredFormat": {"wrapStrategy": "WRAP", "verticalAlignment": "TOP"}}


def _grid(sheet_id: int, row0: int, row1: int, col0: int, col1: int) -> dict[str, int]:
    """A GridRange: 0-based, end exclusive."""
    return {
        "sheetId": sheet_id,
        "startRowIndex": row0,
        "endRowIndex": row1,
        "startColumnIndex": col0,
        "endColumnIndex": col1,
    }


def _repeat(rng: Mapping[str, Any], cell: Mapping[str, Any], fields: str) -> dict[str, Any]:
    # For a formula Google shifts the relative references row by row, as a fill-down does.
    return {"repeatCell": {"range": dict(rng), "cell": dict(cell), "fields": fields}}


def _widths(sheet_id: int, start: int, end: int, pixels: int) -> dict[str, Any]:
    return {
        "updateDimensionProperties": {
            "range": {"sheetId": sheet_id, "dimension": "COLUMNS", "startIndex": start, "endIndex": end},
            "properties": {"pixelSize": pixels},
            "fields": "pixelSize",
        }
    }


def _hide_columns(sheet_id: int, start: int, end: int) -> dict[str, Any]:
    return {
        "updateDimensionProperties": {
            "range": {"sheetId": sheet_id, "dimension": "COLUMNS", "startIndex": start, "endIndex": end},
            "properties": {"hiddenByUser": True},
            "fields": "hiddenByUser",
        }
    }


def _row_height(sheet_id: int, row: int, pixels: int) -> dict[str, Any]:
    return {
        "updateDimensionProperties": {
            "range": {"sheetId": sheet_id, "dimension": "ROWS", "startIndex": row, "endIndex": row + 1},
            "properties": {"pixelSize": pixels},
            "fields": "pixelSize",
        }
    }


def _protect(rng: Mapping[str, Any], what: str) -> dict[str, Any]:
    # warningOnly: like Excel's password-less protection it prevents accidents, not edits.
    # Google refuses editors on a warning-only range.
    return {
        "addProtectedRange": {
            "protectedRange": {"range": dict(rng), "description": _WARNING.format(what=what), "warningOnly": True}
        }
    }


def _condition(kind: str, *values: str) -> dict[str, Any]:
    condition: dict[str, Any] = {"type": kind}
    if values:
        condition["values"] = [{"userEnteredValue": v} for v in values]
    return condition


def _date_formula(bound: Any) -> str:
    if isinstance(bound, dt.date):
        return f"=DATE({bound.year},{bound.month},{bound.day})"
    return str(bound)  # "=TODAY()" or "=TODAY()+1"


def _colour(hex_colour: str) -> dict[str, float]:
    h = hex_colour.lstrip("#")
    return {name: int(h[i : i + 2], 16) / 255 for name, i in (("red", 0), ("green", 2), ("blue", 4))}


def _font(hex_colour: str) -> dict[str, Any]:
    return {"textFormat": {"foregroundColor": _colour(hex_colour)}}


def _header_format(colour: str) -> dict[str, Any]:
    solid = {"style": "SOLID"}
    return {
        "userEnteredFormat": {
            "backgroundColor": _colour(colour),
            "textFormat": {"bold": True},
            "wrapStrategy": "WRAP",
            "verticalAlignment": "TOP",
            "borders": {"top": solid, "bottom": solid, "left": solid, "right": solid},
        }
    }


def _style(spec: Mapping[str, str | bool]) -> dict[str, Any]:
    """A look of formulas.STYLES as a Sheets CellFormat (conditional formats set colours, bold, italic)."""
    fmt: dict[str, Any] = {}
    text: dict[str, Any] = {}
    for key, value in spec.items():
        if key == "bg_color":
            fmt["backgroundColor"] = _colour(str(value))
        elif key == "font_color":
            text["foregroundColor"] = _colour(str(value))
        elif key in ("bold", "italic"):
            text[key] = bool(value)
        else:
            raise UsageError(f"no Google Sheets translation for the style attribute {key!r}")
    if text:
        fmt["textFormat"] = text
    return fmt


def _pixels(width: float) -> int:
    """Excel column width (characters of the default font) in pixels, as Excel converts it."""
    return int(width * 7 + 0.5) + 5


def _runs(columns: Sequence[Column], key: Any) -> Iterator[tuple[int, int, Any]]:
    """(start, end, value) runs of adjacent columns sharing ``key(column)``."""
    start = 0
    for i in range(1, len(columns) + 1):
        if i == len(columns) or key(columns[i]) != key(columns[start]):
            yield start, i, key(columns[start])
            start = i


def _index_runs(indexes: Iterable[int]) -> Iterator[tuple[int, int]]:
    """(start, end) runs of adjacent column indexes."""
    ordered = sorted(indexes)
    start = prev = ordered[0]
    for i in [*ordered[1:], None]:
        if i is not None and i == prev + 1:
            prev = i
            continue
        yield start, prev + 1
        if i is not None:
            start = prev = i


def _leading_data_columns(sheet: Sheet) -> int:
    count = 0
    for col in sheet.columns:
        if col.is_formula:
            break
        count += 1
    if any(not c.is_formula for c in sheet.columns[count:]):
        raise UsageError(f"the {sheet.key} sheet has data columns after its formula columns")
    return count


def _json(value: CellValue, sheet: Sheet, col: Column) -> Any:
    """A converted cell value as the JSON a RAW values request carries."""
    if isinstance(value, str):
        return value
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            raise UsageError(f"{sheet.key}.{col.key}: a date with a time zone; convert it to local time first")
        return _json_plain((value - _EPOCH) / dt.timedelta(days=1))
    if isinstance(value, dt.date):
        return (value - _EPOCH.date()).days
    return _json_plain(value)


def _json_plain(value: Any) -> Any:
    """Numbers as JSON numbers (whole ones without ".0"); anything else as text."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    if not math.isfinite(value):
        raise UsageError(f"{value} cannot be stored in a spreadsheet cell")
    return int(value) if float(value).is_integer() and abs(value) < 2**53 else float(value)


def _trim(row: list[Any]) -> list[Any]:
    while row and row[-1] == "":
        row.pop()
    return row
