"""Write the canonical workbook to Google Sheets: the same tabs, rules and colours as the Excel file.

:func:`write_gsheet` creates a spreadsheet (Sheets API ``spreadsheets.create``)
or fills an existing one shared with the account, and owns the requests that
do it. Everything comes from the template through the same modules the Excel
writer uses: :mod:`~sheetkit.gsheets.plan` converts every value and sizes the
tabs first, :mod:`~sheetkit.gsheets.structure` builds the formats, rules and
formulas, :mod:`~sheetkit.gsheets.dialect` translates formulas. Two kinds of
request carry it:

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
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

import pandas as pd

from sheetkit.errors import SheetsAccessError, SheetsConflictError
from sheetkit.frames import WorkbookData, empty_frames
from sheetkit.gsheets.client import SheetsClient
from sheetkit.gsheets.dialect import Dialect, google_formula
from sheetkit.gsheets.plan import MAX_CELLS, Book, ValueBlock
from sheetkit.gsheets.structure import structure_requests
from sheetkit.template import Template, load_template
from sheetkit.template.defaults import default_lists, default_settings
from sheetkit.template.geometry import column_letter, quote_sheet

__all__ = ["GOOGLE_LOCALES", "MAX_CELLS", "TIME_ZONES", "google_formula", "write_gsheet"]

log = logging.getLogger(__name__)

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
#: Bounds of one values.batchUpdate request.
MAX_VALUE_ROWS: Final = 20_000
MAX_VALUE_BYTES: Final = 2_000_000
#: Default titles of a new, empty tab, by the Google interface language; such a tab
#: is removed from an existing spreadsheet when sheetkit fills it and it is empty.
DEFAULT_TAB_TITLE: Final = re.compile(
    r"(?:Sheet|Foglio|Trang tính|工作表|Tabellenblatt|Feuille|Hoja|Página|Planilha|Folha|Blad|Ark|Arkusz"
    r"|List|Лист|Sayfa|Munkalap|Taulukko|シート|시트|แผ่นงาน)\s?\d{1,3}"
)

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
    book = Book(template, labels, data, stamp, branch)  # converts every value first: errors before any request
    if spreadsheet is None:
        return _create(client, book, google_locale, time_zone or TIME_ZONES.get(locale, "Etc/UTC"), title)
    return _fill(
        client, book, spreadsheet, google_locale=google_locale, time_zone=time_zone, title=title, overwrite=overwrite
    )


# ----------------------------------------------------------------- the two ways in


def _create(client: SheetsClient, book: Book, google_locale: str, time_zone: str, title: str | None) -> str:
    name = title or book.default_title()
    ids = {tab.key: _FIRST_SHEET_ID + i for i, tab in enumerate(book.tabs)}
    sheets = [{"properties": tab.properties(ids[tab.key], i)} for i, tab in enumerate(book.tabs)]
    made = client.create({"title": name, "locale": google_locale, "timeZone": time_zone}, sheets)
    key = str(made["spreadsheetId"])
    actual = {str(s["properties"]["title"]): int(s["properties"].get("sheetId", 0)) for s in made.get("sheets", [])}
    ids = {tab.key: actual.get(tab.title, ids[tab.key]) for tab in book.tabs}
    client.batch_update(key, structure_requests(book, ids, Dialect.of(google_locale)))
    cells = _write_values(client, key, book)
    log.info("created spreadsheet %s: %d tabs, %d cells with values", key, len(book.tabs), cells)
    return key


def _fill(
    client: SheetsClient,
    book: Book,
    key: str,
    *,
    google_locale: str,
    time_zone: str | None,
    title: str | None,
    overwrite: bool,
) -> str:
    meta = client.metadata(key, fields="properties.locale,sheets.properties,namedRanges.namedRangeId,namedRanges.name")
    existing = _with_default_tab_cells(client, key, meta.get("sheets", []))
    found = _Found.survey(book, existing, meta.get("namedRanges", []))
    if found.conflicts and not overwrite:
        raise SheetsConflictError(
            f"the spreadsheet already holds a sheetkit workbook ({', '.join(found.conflicts[:7])}); "
            "allow overwriting to replace it (its data is replaced too), or give another spreadsheet",
            spreadsheet=key,
        )
    book.check_fits(sum(_grid_cells(s["properties"]) for s in existing if _sheet_id(s) not in found.removed))
    ids = _new_sheet_ids(book, {_sheet_id(s) for s in existing})
    current = str(meta.get("properties", {}).get("locale", ""))
    # The new locale applies within the batch; semicolons parse in both locales, commas only in comma locales.
    dialect = Dialect.of(google_locale, current)
    requests = [
        _spreadsheet_properties(google_locale, time_zone, title),
        *({"deleteNamedRange": {"namedRangeId": str(n["namedRangeId"])}} for n in found.old_names),
        *_tab_requests(book, ids, found, {_title(s) for s in existing}),
        *structure_requests(book, ids, dialect),
    ]
    _apply_structure(client, key, requests)
    cells = _write_values(client, key, book)
    log.info(
        "filled spreadsheet %s: %d tabs (%d replaced), %d cells with values",
        key,
        len(book.tabs),
        len(found.replaced),
        cells,
    )
    return key


@dataclass(frozen=True)
class _Found:
    """What an existing spreadsheet holds that sheetkit would replace or remove."""

    #: sheetkit's named ranges, to delete.
    old_names: list[Mapping[str, Any]]
    #: Sheet ids of the tabs replaced: those with the titles sheetkit adds, and when the spreadsheet holds a
    #: sheetkit workbook (its named ranges), that workbook's tabs in any language. A manager's own "Notes" stays.
    replaced: set[int]
    #: Sheet ids of empty default tabs ("Sheet1"), removed.
    blank: set[int]
    #: Titles (or names) that make writing an overwrite.
    conflicts: list[str]

    @property
    def removed(self) -> set[int]:
        """Every sheet id that goes."""
        return self.replaced | self.blank

    @classmethod
    def survey(cls, book: Book, existing: Sequence[Mapping[str, Any]], named: Sequence[Mapping[str, Any]]) -> _Found:
        """Sort the spreadsheet's tabs and named ranges into replaced, removed and kept."""
        names = {n.name for n in book.layout.defined_names()}
        old_names = [n for n in named if n.get("name") in names]
        ours = {tab.title for tab in book.tabs} | (book.known_titles() if old_names else set())
        old_tabs = [s for s in existing if _title(s) in ours]
        replaced = {_sheet_id(s) for s in old_tabs}
        blank = {
            _sheet_id(s)
            for s in existing
            if _sheet_id(s) not in replaced
            and DEFAULT_TAB_TITLE.fullmatch(_title(s))
            and not any(_has_values(d) for d in s.get("data", []))
        }
        conflicts = [_title(s) for s in old_tabs] or [str(n["name"]) for n in old_names]
        return cls(old_names, replaced, blank, conflicts)


def _with_default_tab_cells(client: SheetsClient, key: str, existing: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The spreadsheet's tabs, default tabs ("Sheet1") with their cells: is such a tab empty?"""
    defaults = [_title(s) for s in existing if DEFAULT_TAB_TITLE.fullmatch(_title(s))]
    if not defaults:
        return existing
    # Only the default tabs' cells are needed: never download the manager's other tabs.
    cells = client.metadata(
        key,
        fields="sheets.properties.sheetId,sheets.data.rowData.values.userEnteredValue",
        ranges=[quote_sheet(t) for t in defaults],
    )
    data = {_sheet_id(s): s.get("data", []) for s in cells.get("sheets", [])}
    return [{**s, "data": data.get(_sheet_id(s), [])} for s in existing]


def _new_sheet_ids(book: Book, taken: set[int]) -> dict[str, int]:
    """Sheet ids for the new tabs, from :data:`_FIRST_SHEET_ID` up, clear of the ids in use."""
    taken = set(taken)
    ids: dict[str, int] = {}
    candidate = _FIRST_SHEET_ID
    for tab in book.tabs:
        while candidate in taken:
            candidate += 1
        ids[tab.key] = candidate
        taken.add(candidate)
    return ids


def _spreadsheet_properties(google_locale: str, time_zone: str | None, title: str | None) -> dict[str, Any]:
    props: dict[str, Any] = {"locale": google_locale}
    if time_zone:
        props["timeZone"] = time_zone
    if title:
        props["title"] = title
    return {"updateSpreadsheetProperties": {"properties": props, "fields": ",".join(props)}}


def _tab_requests(book: Book, ids: Mapping[str, int], found: _Found, taken_titles: set[str]) -> list[dict[str, Any]]:
    """Add the workbook's tabs, delete the replaced and blank ones."""
    requests: list[dict[str, Any]] = []
    if not found.replaced:
        requests += [{"addSheet": {"properties": tab.properties(ids[tab.key])}} for tab in book.tabs]
        return requests + [{"deleteSheet": {"sheetId": sid}} for sid in found.blank]
    # Replaced tabs keep their titles: add the new tabs small and under temporary titles, delete the
    # old ones, then give the new ones their titles and grids (never twice the cells at once).
    for tab in book.tabs:
        temporary = {"rowCount": 1, "columnCount": 1}
        small = {**tab.properties(ids[tab.key]), "title": _free_title("sheetkit", taken_titles)}
        requests.append({"addSheet": {"properties": {**small, "gridProperties": temporary}}})
    requests += [{"deleteSheet": {"sheetId": sid}} for sid in [*found.replaced, *found.blank]]
    for tab in book.tabs:
        full = tab.properties(ids[tab.key])
        update = {"sheetId": full["sheetId"], "title": full["title"], "gridProperties": full["gridProperties"]}
        requests.append({"updateSheetProperties": {"properties": update, "fields": "title,gridProperties"}})
    return requests


def _apply_structure(client: SheetsClient, key: str, requests: Sequence[Mapping[str, Any]]) -> None:
    """The one batchUpdate; a 403 here means the spreadsheet is shared for viewing only."""
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


# ----------------------------------------------------------------- values


def _write_values(client: SheetsClient, key: str, book: Book) -> int:
    """Send every value; return the number of cells sent (a count for the log)."""
    cells = 0
    for batch in _value_batches(book.value_ranges()):
        client.values_batch_update(key, batch)
        cells += sum(len(row) for block in batch for row in block["values"])
    return cells


def _value_batches(blocks: Iterable[ValueBlock]) -> Iterator[list[dict[str, Any]]]:
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
