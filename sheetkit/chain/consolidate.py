"""Consolidation: the validated results of the branches that loaded, merged into one chain dataset.

Nothing here knows where a branch's data came from (a Google Sheet or a
workbook file): each branch arrives as a :class:`LoadedBranch`, its validated
result plus where its columns are. Frames of the chain carry a ``branch_code``
column and are indexed by (source, row): the branch code and the sheet row, so
every row can still be found in its branch's sheet (a staff column of one of
those names becomes ``branch_code (sheet)``).

Clients are chain-wide: a client ID seen in several branches with the same name
is one client (a return to another branch counts for the chain); the same ID
for another name is another person and is kept apart (see :func:`chain_clients`).
Settings are the first loaded branch's; every other branch's setting that
differs is reported (``settings-differ``, or ``currency-differs``, an error).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import cast

import pandas as pd

from sheetkit.frames import DATA_SHEETS, WorkbookData
from sheetkit.issues import Issue, IssueCode, IssueFactory, SheetInfo, ValidationResult
from sheetkit.template import Template
from sheetkit.template.geometry import plan_layout

__all__ = ["LoadedBranch", "chain_clients", "consolidate"]

#: Columns (and index levels) the chain frames add; a staff column of the same name is renamed.
_CHAIN_COLUMNS = ("branch_code", "source", "row")
#: The client ID, and every column whose values are client IDs, are found by this reference.
_CLIENT_ID = "clients.client_id"
#: Settings that only tell how a branch's own cells were typed; the chain never uses them.
_READING_SETTINGS = frozenset({"date_order"})


@dataclass(frozen=True)
class LoadedBranch:
    """A branch that loaded completely: its code, its validated result, and where its columns are."""

    code: str
    result: ValidationResult
    sheets: Mapping[str, SheetInfo]


def consolidate(loaded: Sequence[LoadedBranch], template: Template) -> tuple[WorkbookData, list[Issue]]:
    """Merge the branches (in registry order) into chain frames; return them with every branch's Issues."""
    issues = [replace(i, branch=one.code) for one in loaded for i in one.result.issues]
    frames = {key: _merged_sheet(key, loaded, template) for key in DATA_SHEETS}
    issues += chain_clients(frames, loaded, template)
    issues += _settings_differences(loaded, template)
    lists = _merge_lists([one.result.frames.lists for one in loaded])
    settings = dict(loaded[0].result.frames.settings) if loaded else {}
    return WorkbookData(**frames, lists=lists, settings=settings), issues


def _merged_sheet(key: str, loaded: Sequence[LoadedBranch], template: Template) -> pd.DataFrame:
    parts = []
    for one in loaded:
        frame = _without_clashes(one.result.frames.frame(key))
        frame.insert(0, "branch_code", one.code)
        frame.index = pd.MultiIndex.from_arrays(
            [pd.Index([one.code] * len(frame), dtype=object), frame.index.astype("int64")],
            names=["source", "row"],
        )
        parts.append(frame)
    if parts:
        return pd.concat(parts) if len(parts) > 1 else parts[0]
    columns = ["branch_code", *[c.key for c in template.sheet(key).data_columns]]
    empty = pd.MultiIndex.from_arrays([[], []], names=["source", "row"])
    return pd.DataFrame({c: pd.Series(dtype=object) for c in columns}, index=empty)


def _without_clashes(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of a branch frame whose extra columns do not take the names the chain adds.

    Staff may head a column of their own ``branch_code`` or ``row`` (the reader
    kept it as an extra column and reported it); in the chain it becomes
    ``branch_code (sheet)``, so neither the branch column nor the row number
    written for analysts is lost.
    """
    taken = {str(c) for c in frame.columns} | set(_CHAIN_COLUMNS)
    renames: dict[str, str] = {}
    for column in frame.columns:
        if column not in _CHAIN_COLUMNS:
            continue
        new = f"{column} (sheet)"
        number = 2
        while new in taken:
            new = f"{column} (sheet {number})"
            number += 1
        taken.add(new)
        renames[str(column)] = new
    return frame.rename(columns=renames) if renames else frame.copy()


def _settings_differences(loaded: Sequence[LoadedBranch], template: Template) -> list[Issue]:
    """Every setting of a later branch that differs from the first branch's, whose settings the chain uses.

    A different currency is an error: the chain report would add up amounts in
    different currencies. ``date_order`` only says how a branch's own cells were
    typed (each branch was read in its own), so it may differ.
    """
    if len(loaded) < 2:
        return []
    first = loaded[0]
    reference = first.result.frames.settings
    issues: list[Issue] = []
    for one in loaded[1:]:
        labels = template.labels(one.result.locale)
        layout = plan_layout(template, labels, {})
        factory = IssueFactory(template, one.result.locale)
        where = SheetInfo.settings(template, labels, layout.settings_name)
        settings = one.result.frames.settings
        for setting in template.settings:
            key = setting.key
            if key in _READING_SETTINGS or key not in settings or key not in reference:
                continue
            mine, theirs = settings[key], reference[key]
            if _same_setting(key, mine, theirs):
                continue
            row = layout.settings_rows.get(key)
            issue = factory.at(
                "currency-differs" if key == "currency" else "settings-differ",
                where,
                row=row,
                column=key,
                value=_setting_text(mine),
                header=labels.settings[key]["label"],
                other=_setting_text(theirs),
                first=first.code,
            )
            issues.append(replace(issue, branch=one.code))
    return issues


def _same_setting(key: str, mine: object, theirs: object) -> bool:
    if key == "currency":
        return str(mine).strip().upper() == str(theirs).strip().upper()
    return bool(mine == theirs)


def _setting_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# ---------------------------------------------------------------- chain-wide clients

#: Per chain-wide client ID: per person (folded name), that person's rows as (branch, sheet row), in frame order.
_People = dict[object, dict[object, list[tuple[str, int]]]]


@dataclass
class _Decisions:
    """What chain-wide identity does to the frames: IDs renamed per branch, merged rows dropped, and why."""

    renamed: dict[str, dict[str, str]] = field(default_factory=dict)
    drop: list[tuple[str, int]] = field(default_factory=list)
    #: (issue code, branch, sheet row, client ID, the other branch named, the ID in the chain)
    notes: list[tuple[IssueCode, str, int, object, str, str]] = field(default_factory=list)


def chain_clients(frames: dict[str, pd.DataFrame], loaded: Sequence[LoadedBranch], template: Template) -> list[Issue]:
    """One row per client across the chain, in place in ``frames``; every decision is an Issue.

    Only an ID found in more than one branch is a question for the chain; an
    ID used twice within one branch is that branch's ``duplicate-id`` error and
    is left as it is. The rows of a chain-wide ID are grouped by name (folded
    case and spaces; a row without a name is a group of its own, never the same
    as another). The earliest group, in registry order, keeps the ID; every
    other group is another person and gets the ID ``BRANCH/ID`` after its first
    branch (in the chain frames only, never in the sheet): that client and
    everything that refers to them (visits, appointments, feedback, a referral)
    in that group's branches. A group's row in a later branch is the same
    person returning to another branch: the first row stands for the chain and
    the later one is merged into it. In a branch that holds rows of two groups
    for one ID, nothing tells whose visits are whose, so the ID is left alone
    there (the branch already has its ``duplicate-id`` error).
    """
    people = _people(frames["clients"])
    if not people:
        return []
    decisions = _Decisions()
    for client_id, groups in people.items():
        _decide(client_id, groups, decisions)
    if decisions.renamed:
        _rename_ids(frames, decisions.renamed, template)
    frames["clients"] = frames["clients"].drop(index=decisions.drop)
    return _notes_as_issues(decisions.notes, loaded, template)


def _people(clients: pd.DataFrame) -> _People:
    """The rows of every client ID found in more than one branch, grouped by the person's folded name."""
    if clients.empty:
        return {}
    ids = clients["client_id"]
    present = ids.notna()
    sources = clients.index.get_level_values("source")
    spread = pd.Series(sources[present.to_numpy()], index=ids[present].to_numpy()).groupby(level=0).nunique()
    shared = set(spread.index[spread > 1])
    people: _People = {}
    if not shared:
        return people
    chosen = clients.loc[present & ids.isin(shared), ["client_id", "full_name"]]
    for label, client_id, name in zip(chosen.index, chosen["client_id"], chosen["full_name"], strict=True):
        branch, row = cast(tuple[str, int], label)
        folded = _folded(name)
        person: object = folded if folded else ("no name", branch, row)  # a blank name matches nobody
        people.setdefault(client_id, {}).setdefault(person, []).append((str(branch), int(row)))
    return people


def _decide(client_id: object, groups: dict[object, list[tuple[str, int]]], decisions: _Decisions) -> None:
    """Who keeps the ID, who becomes ``BRANCH/ID``, and which later rows merge into a first one."""
    holders: dict[str, set[object]] = {}
    for person, rows in groups.items():
        for branch, _ in rows:
            holders.setdefault(branch, set()).add(person)
    owner = next(iter(groups.values()))[0][0]
    for number, (person, rows) in enumerate(groups.items()):
        # Branches where this ID is this person only; elsewhere it is left alone.
        clear = [b for b in dict.fromkeys(b for b, _ in rows) if holders[b] == {person}]
        if number == 0:
            home, chain_id = owner, str(client_id)
        elif clear:
            home = clear[0]
            chain_id = f"{home}/{client_id}"
            for branch in clear:
                decisions.renamed.setdefault(branch, {})[str(client_id)] = chain_id
        else:
            continue
        for branch, row in rows:
            if branch == home:
                if number > 0:
                    decisions.notes.append(("client-id-conflict", branch, row, client_id, owner, chain_id))
            elif branch in clear:
                decisions.notes.append(("client-in-several-branches", branch, row, client_id, home, chain_id))
                decisions.drop.append((branch, row))


def _rename_ids(frames: dict[str, pd.DataFrame], renamed: dict[str, dict[str, str]], template: Template) -> None:
    """Give the renamed clients, and everything referring to them in those branches, their chain IDs."""
    for key, column in _client_id_columns(template):
        frame = frames[key]
        if column not in frame.columns:
            continue
        source = frame.index.get_level_values("source")
        new = frame[column].astype(object).copy()
        for branch, mapping in renamed.items():
            mine = source == branch
            new[mine] = new[mine].map(lambda v, m=mapping: m.get(v, v) if isinstance(v, str) else v)
        frame = frame.copy()
        frame[column] = new
        frames[key] = frame


def _notes_as_issues(
    notes: Sequence[tuple[IssueCode, str, int, object, str, str]], loaded: Sequence[LoadedBranch], template: Template
) -> list[Issue]:
    """Each decision as an Issue at the client's ID cell, in the language of that branch's workbook."""
    by_code = {one.code: one for one in loaded}
    factories = {code: IssueFactory(template, one.result.locale) for code, one in by_code.items()}
    issues: list[Issue] = []
    for code, branch, row, client_id, other, chain_id in notes:
        info = by_code[branch].sheets["clients"]
        issue = factories[branch].at(
            code, info, row=row, column="client_id", value=client_id, other=other, chain_id=chain_id
        )
        issues.append(replace(issue, branch=branch))
    return issues


def _client_id_columns(template: Template) -> list[tuple[str, str]]:
    """(sheet, column) of the client ID and of every column the template declares as referring to it."""
    sheet_key, column_key = _CLIENT_ID.split(".", 1)
    return [
        (sheet.key, col.key)
        for sheet in template.sheets
        for col in sheet.data_columns
        if col.references == _CLIENT_ID or (sheet.key, col.key) == (sheet_key, column_key)
    ]


def _folded(value: object) -> str | None:
    return " ".join(str(value).split()).casefold() if isinstance(value, str) else None


def _merge_lists(all_lists: Sequence[Mapping[str, pd.DataFrame]]) -> dict[str, pd.DataFrame]:
    merged: dict[str, pd.DataFrame] = {}
    for lists in all_lists:
        for key, frame in lists.items():
            merged[key] = frame if key not in merged else pd.concat([merged[key], frame], ignore_index=True)
    for key, frame in merged.items():
        first = frame.columns[0] if len(frame.columns) else None
        merged[key] = (frame.drop_duplicates(first) if first is not None else frame).reset_index(drop=True)
    return merged
