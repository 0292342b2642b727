"""Erasing one client from a workbook's frames: what goes, what stays under a tombstone, and the check.

:func:`plan_erasure` decides which rows and cells change, for every backend alike;
:func:`erase_frames` applies that plan to a workbook's frames (file handling is in
:mod:`sheetkit.privacy.forget`), :mod:`sheetkit.privacy.gsheets_forget` applies it to the
cells of a Google Sheet. For client ID ``C``:

- the Clients row of ``C`` becomes a *tombstone*: client ID ``ERASED-<8 hex of
  C's pseudonym>``, the name "Erased client" in the workbook's language, status
  relationship ended, the branch; every other cell, staff's own columns too, is
  emptied. The tombstone keeps the rows below valid (their client ID exists), so
  ``check`` stays clean and the books still add up;
- ``referred_by`` links to ``C`` in other clients' rows are emptied;
- rows of ``C`` on Visits, Appointments and Feedback are kept under the tombstone
  ID (visits carry the revenue, appointments the no-show and rebooking rates,
  feedback the complaint counts), with their ``personal``, ``free_text`` and
  ``health`` cells and staff's own columns emptied;
- rows of ``C`` on every other sheet that refers to clients (PatchTests,
  Consents, FollowUps) are removed.

:func:`leftover_cells` then looks in every cell of every sheet for ``C``'s ID,
name, phone and e-mail. A cell of another client that holds the same value in a
column of the same kind (a namesake, a shared family phone) is that client's own
data and is only counted; any other hit (the name typed into someone else's notes)
is a leftover, and the erasure is refused until staff edit that cell.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Final

import pandas as pd

from sheetkit.frames import WorkbookData, row_of
from sheetkit.privacy.columns import is_client_id
from sheetkit.privacy.extract import sheet_frames
from sheetkit.privacy.pseudonyms import pseudonym, tombstone
from sheetkit.template import Sheet, Template

__all__ = [
    "KEPT_SHEETS",
    "Erasure",
    "Identifiers",
    "SheetChanges",
    "erase_frames",
    "holds_identifier",
    "leftover_cells",
    "plan_erasure",
]

#: Sheets whose rows of an erased client are kept under the tombstone ID, emptied of personal data.
KEPT_SHEETS: Final = ("visits", "appointments", "feedback")
#: Clients columns a tombstone row keeps: what the figures need (status, branch).
_TOMBSTONE_KEEPS: Final = ("client_status", "branch")
_ERASED_SENSITIVITIES: Final = frozenset({"personal", "free_text", "health"})
_MIN_PHONE_DIGITS: Final = 6
_NON_DIGIT = re.compile(r"\D+")


@dataclass(frozen=True)
class Identifiers:
    """What identifies the erased person, to look for afterwards. Never logged or printed."""

    client_id: str
    names: tuple[str, ...]
    phones: tuple[str, ...]
    emails: tuple[str, ...]


@dataclass
class SheetChanges:
    """What an erasure does to one sheet, whatever holds it (a file's frames, a Google Sheet's cells).

    ``removed_rows`` are sheet row numbers whose whole row goes (the rows below move up);
    ``cells`` maps (sheet row, column) to the new value, None for an emptied cell. Columns are
    canonical keys, or staff's own headers as the reader names them.
    """

    removed_rows: list[int] = field(default_factory=list)
    cells: dict[tuple[int, str], Any] = field(default_factory=dict)


@dataclass
class Erasure:
    """The frames after erasing one client, and what was done (counts only: no personal data)."""

    data: WorkbookData
    pseudonym: str
    tombstone: str
    identifiers: Identifiers
    #: sheet -> what was removed: ``rows_removed``, ``rows_kept_under_tombstone``, ``<column>`` cells emptied.
    removed: dict[str, dict[str, int]] = field(default_factory=dict)
    #: Clients sheet rows of the erased client, in the workbook as it was.
    rows: list[int] = field(default_factory=list)
    #: sheet -> the rows and cells that change (:func:`plan_erasure`); sheets left alone are absent.
    changes: dict[str, SheetChanges] = field(default_factory=dict)


def _matches(values: pd.Series, wanted: str) -> pd.Series:
    return values.astype("string").str.strip().eq(wanted).fillna(False).astype(bool)


def _texts(values: Iterable[Any]) -> tuple[str, ...]:
    found = {str(v).strip() for v in values if v is not None and not pd.isna(v) and str(v).strip()}
    return tuple(sorted(found))


def _identifiers(template: Template, clients: pd.DataFrame, client_id: str) -> Identifiers:
    sheet = template.sheet("clients")
    kinds: dict[str, list[Any]] = {"text": [], "phone": [], "email": []}
    for col in sheet.data_columns:
        if col.sensitivity == "personal" and col.key in clients and col.type in kinds:
            kinds[col.type] += list(clients[col.key])
    names = tuple(n for n in _texts(kinds["text"]) if len(n) >= 3)
    phones = tuple(p for p in (_NON_DIGIT.sub("", t) for t in _texts(kinds["phone"])) if len(p) >= _MIN_PHONE_DIGITS)
    emails = tuple(e.casefold() for e in _texts(kinds["email"]) if "@" in e)
    return Identifiers(client_id, names, phones, emails)


def plan_erasure(data: WorkbookData, client_id: str, *, key: bytes, template: Template, erased_label: str) -> Erasure:
    """Which rows and cells of ``data`` change to erase one client; ``data`` itself is left as it is.

    The same plan serves every backend: :func:`erase_frames` applies it to the frames of a
    workbook file, :mod:`sheetkit.privacy.gsheets_forget` to the cells of a Google Sheet.
    """
    frames = sheet_frames(data, template)
    clients = frames["clients"]
    mine = _matches(clients["client_id"], client_id)
    ident = _identifiers(template, clients[mine], client_id)
    stone = tombstone(key, client_id)
    erasure = Erasure(data, pseudonym(key, client_id), stone, ident, rows=[row_of(r) for r in clients.index[mine]])
    erasure.changes["clients"] = _plan_clients(clients, mine, stone, erasure, erased_label)
    for key_, frame in frames.items():
        if key_ != "clients":
            changes = _plan_sheet(template.sheet(key_), frame, client_id, stone, erasure)
            if changes is not None:
                erasure.changes[key_] = changes
    return erasure


def erase_frames(data: WorkbookData, client_id: str, *, key: bytes, template: Template, erased_label: str) -> Erasure:
    """``data`` with one client erased (see the module docstring). UsageError-free: the caller checks the ID."""
    erasure = plan_erasure(data, client_id, key=key, template=template, erased_label=erased_label)
    frames = sheet_frames(data, template)
    new = {name: _apply(frames[name], changes) for name, changes in erasure.changes.items()}
    clients = frames["clients"]
    # The tombstone row empties every column: give each column its own type back where its values allow.
    new["clients"] = new["clients"].astype({c: clients[c].dtype for c in clients.columns}, errors="ignore")
    fields: dict[str, Any] = {name: new.get(name, getattr(data, name)) for name in data.__dataclass_fields__}
    fields["lists"], fields["settings"] = data.lists, data.settings
    erasure.data = WorkbookData(**fields)
    return erasure


def _apply(frame: pd.DataFrame, changes: SheetChanges) -> pd.DataFrame:
    out = frame.drop(index=changes.removed_rows) if changes.removed_rows else frame.copy()
    for column in dict.fromkeys(column for _, column in changes.cells):
        out[column] = out[column].astype(object)
    for (row, column), value in changes.cells.items():
        out.at[row, column] = value
    return out


def _plan_clients(
    clients: pd.DataFrame, mine: pd.Series, stone: str, erasure: Erasure, erased_label: str
) -> SheetChanges:
    first = clients.index[mine][0]
    filled = clients.loc[mine].notna().sum()
    counts = {str(k): int(n) for k, n in filled.items() if n and k not in ("client_id", *_TOMBSTONE_KEEPS)}
    changes = SheetChanges(removed_rows=[int(r) for r in clients.index[mine][1:]])
    changes.cells = {(first, str(column)): None for column in clients.columns}
    changes.cells[(first, "client_id")] = stone
    changes.cells[(first, "full_name")] = erased_label
    changes.cells[(first, "client_status")] = "relationship_ended"
    for k in _TOMBSTONE_KEEPS:
        if k in clients and k != "client_status":
            changes.cells[(first, k)] = clients.at[first, k]
    referred = 0
    if "referred_by" in clients:
        links = _matches(clients["referred_by"], erasure.identifiers.client_id) & ~mine
        referred = int(links.sum())
        changes.cells.update({(row, "referred_by"): None for row in clients.index[links]})
    summary = {"rows_replaced_by_tombstone": 1, "rows_removed": int(mine.sum()) - 1, **counts}
    if referred:
        summary["referred_by_links_emptied"] = referred
    erasure.removed["clients"] = summary
    return changes


def _plan_sheet(sheet: Sheet, frame: pd.DataFrame, client_id: str, stone: str, erasure: Erasure) -> SheetChanges | None:
    id_columns = [c.key for c in sheet.data_columns if is_client_id(sheet, c) and c.key in frame]
    mine = pd.Series(False, index=frame.index)
    for column in id_columns:
        mine |= _matches(frame[column], client_id)
    if not mine.any():
        return None
    if sheet.key not in KEPT_SHEETS:
        erasure.removed[sheet.key] = {"rows_removed": int(mine.sum())}
        return SheetChanges(removed_rows=[int(r) for r in frame.index[mine]])
    declared = {c.key for c in sheet.data_columns}
    erased = [c.key for c in sheet.data_columns if c.sensitivity in _ERASED_SENSITIVITIES and c.key in frame]
    erased += [str(c) for c in frame.columns if c not in declared]  # staff's own columns: nothing says what they hold
    summary = {"rows_kept_under_tombstone": int(mine.sum())}
    changes = SheetChanges()
    for column in erased:
        filled = mine & frame[column].notna()
        if filled.any():
            summary[column] = int(filled.sum())
            changes.cells.update({(row, column): None for row in frame.index[filled]})
    for column in id_columns:
        changes.cells.update({(row, column): stone for row in frame.index[_matches(frame[column], client_id)]})
    erasure.removed[sheet.key] = summary
    return changes


def leftover_cells(
    data: WorkbookData, ident: Identifiers, *, template: Template
) -> tuple[list[tuple[str, int, str]], int]:
    """Cells that still hold the person's ID, name, phone or e-mail: (sheet, row, column); and namesake cells.

    A namesake cell is another client's own value in a column of the same kind
    (``full_name``/``emergency_contact_name``, a phone column, ``email``) equal to
    the person's: that client's data, counted but not a leftover. Only text cells
    are searched (a date or an amount holds no name).
    """
    leftovers: list[tuple[str, int, str]] = []
    namesakes = 0
    for key, frame in sheet_frames(data, template).items():
        sheet = template.sheet(key)
        for column in frame.columns:
            inside, same = _hits(frame[column], ident, _kind(sheet, str(column)))
            namesakes += int(same.sum())
            for label in frame.index[inside]:
                row = row_of(label[-1] if isinstance(label, tuple) else label)
                leftovers.append((key, row, str(column)))
    return leftovers, namesakes


def holds_identifier(values: pd.Series, ident: Identifiers) -> pd.Series:
    """Which text cells of ``values`` hold the person's ID, a name, an e-mail or a phone (no namesake rule)."""
    return _hits(values, ident, "other")[0]


def _mask(values: pd.Series) -> pd.Series:
    return values.fillna(False).astype(bool)


def _kind(sheet: Sheet, column: str) -> str:
    try:
        col = sheet.column(column)
    except KeyError:
        return "other"
    if col.sensitivity == "personal" and col.type in ("text", "phone", "email"):
        return col.type
    return "other"


def _hits(values: pd.Series, ident: Identifiers, kind: str) -> tuple[pd.Series, pd.Series]:
    """(leftover, namesake) masks of one column: text cells holding the ID, a name, an e-mail or a phone."""
    is_text = values.map(lambda v: isinstance(v, str)).astype(bool)
    text = values.where(is_text).astype("string").str.strip()
    folded = text.str.casefold()
    digits = text.str.replace(_NON_DIGIT, "", regex=True)
    found = _mask(text.eq(ident.client_id))
    same = pd.Series(False, index=values.index)
    searches = [(folded, n.casefold(), "text") for n in ident.names]
    searches += [(folded, e, "email") for e in ident.emails]
    searches += [(digits, p, "phone") for p in ident.phones]
    for cells, wanted, wanted_kind in searches:
        hit = _mask(cells.str.contains(wanted, regex=False))
        found |= hit
        if kind == wanted_kind:
            same |= hit & _mask(cells.eq(wanted))
    return found & ~same, same
