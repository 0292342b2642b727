"""A chain of branches, each with its own Google Sheet: the registry and the consolidation.

The registry is a small TOML file head office keeps::

    # branches.toml
    locale = "en"                                  # language of the chain report
    service_accounts = ["keys/reader-1.json"]      # optional; paths relative to this file

    [[branch]]
    code = "HN01"
    spreadsheet = "1AbC..."                        # the key, or the sheet's full address
    locale = "vi"                                  # the tab names to ask for (one read per branch)
    name = "Hà Nội 1"

:func:`pull_chain` reads every branch (one ``values.batchGet`` each, within the
quota), validates it on its own (Issues keep the branch's tab and cell), and
merges only the branches that loaded completely: a branch that still fails
after the client's retries (or on any unforeseen error) is reported in its
:class:`BranchOutcome` and as a ``branch-not-loaded`` error of the chain, and
contributes nothing; the others load. Frames of the chain carry a
``branch_code`` column and are indexed by (source, row): the branch code and
the sheet row, so every row can still be found in its branch's sheet (a staff
column of one of those names becomes ``branch_code (sheet)``).

Clients are chain-wide: a client ID seen in several branches with the same name
is one client (a return to another branch counts for the chain); the same ID
for another name is another person and is kept apart (see ``_chain_clients``).
Settings are the first loaded branch's; every other branch's setting that
differs is reported (``settings-differ``, or ``currency-differs``, an error).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import time
import tomllib
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal, cast

import pandas as pd

from sheetkit.errors import RegistryError, SheetkitError, UsageError
from sheetkit.files import replace_folder
from sheetkit.frames import DATA_SHEETS, WorkbookData
from sheetkit.gsheets.client import SheetsClient
from sheetkit.gsheets.reader import read_gsheet
from sheetkit.issues import Issue, IssueFactory, ValidationResult
from sheetkit.read.workbook import SheetInfo
from sheetkit.template import Template, load_template
from sheetkit.template.geometry import SETTINGS_VALUE_COLUMN, column_letter, plan_layout
from sheetkit.validate import validate

__all__ = [
    "Branch",
    "BranchOutcome",
    "ChainResult",
    "Registry",
    "load_registry",
    "pull_chain",
    "spreadsheet_key",
    "write_consolidated",
]

_KEY = re.compile(r"^[A-Za-z0-9_-]{20,100}$")
_URL = re.compile(r"/spreadsheets/d/([A-Za-z0-9_-]+)")
_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$")


@dataclass(frozen=True)
class Branch:
    """One branch of the chain: its code, its spreadsheet key, the language of its tabs."""

    code: str
    spreadsheet: str
    locale: str | None = None
    name: str | None = None


@dataclass(frozen=True)
class Registry:
    """The branches of a chain, and what to read them with."""

    branches: tuple[Branch, ...]
    locale: str = "en"
    service_accounts: tuple[Path, ...] = ()
    source: Path | None = None


def spreadsheet_key(text: str) -> str:
    """The key of a spreadsheet from the key itself or its address.

    >>> spreadsheet_key("https://docs.google.com/spreadsheets/d/1AbCdEfGhIjKlMnOpQrStUvWxYz0123456789/edit#gid=0")
    '1AbCdEfGhIjKlMnOpQrStUvWxYz0123456789'
    """
    found = _URL.search(text)
    key = found.group(1) if found else text.strip()
    if not _KEY.match(key):
        raise UsageError(f"{text!r} is not a spreadsheet key or address")
    return key


def load_registry(path: Path | str, *, template: Template | None = None) -> Registry:
    """Read and check a branch registry (TOML); errors name the file and the entry."""
    template = template or load_template()
    source = Path(path)
    try:
        raw = tomllib.loads(source.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RegistryError("no such registry file", file=source) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise RegistryError(f"cannot read the file ({type(exc).__name__})", file=source) from None
    except tomllib.TOMLDecodeError as exc:
        raise RegistryError(f"not valid TOML ({exc})", file=source) from None
    unknown = sorted(set(raw) - {"locale", "service_accounts", "branch"})
    if unknown:
        raise RegistryError(
            f"unknown setting(s) {', '.join(unknown)}; expected locale, service_accounts, [[branch]]", file=source
        )
    locale = raw.get("locale", "en")
    if locale not in template.locales:
        raise RegistryError(f"locale {locale!r} is not one of {', '.join(template.locales)}", file=source)
    accounts = raw.get("service_accounts", [])
    if not isinstance(accounts, list) or not all(isinstance(a, str) for a in accounts):
        raise RegistryError("service_accounts must be a list of file paths", file=source)
    entries = raw.get("branch", [])
    if not isinstance(entries, list) or not entries:
        raise RegistryError("no [[branch]] entries", file=source)
    branches: list[Branch] = []
    seen: dict[str, int] = {}
    keys: dict[str, tuple[int, str]] = {}
    for number, entry in enumerate(entries, start=1):
        where = f"branch {number}"
        if not isinstance(entry, dict):
            raise RegistryError("each [[branch]] must be a table", file=source, entry=where)
        extra = sorted(set(entry) - {"code", "spreadsheet", "locale", "name"})
        if extra:
            raise RegistryError(f"unknown field(s) {', '.join(extra)}", file=source, entry=where)
        code = entry.get("code")
        if not isinstance(code, str) or not _CODE.match(code):
            raise RegistryError("code must be a short text like HN01", file=source, entry=where)
        where = f"branch {code}"
        if code in seen:
            raise RegistryError(f"the code is used twice (entries {seen[code]} and {number})", file=source, entry=where)
        seen[code] = number
        try:
            key = spreadsheet_key(str(entry.get("spreadsheet", "")))
        except ValueError as exc:
            raise RegistryError(str(exc), file=source, entry=where) from None
        if key in keys:
            first_number, first_code = keys[key]
            raise RegistryError(
                f"the spreadsheet is also registered as branch {first_code} (entries {first_number} and {number});"
                " one spreadsheet would be counted twice",
                file=source,
                entry=where,
            )
        keys[key] = (number, code)
        branch_locale = entry.get("locale")
        if branch_locale is not None and branch_locale not in template.locales:
            raise RegistryError(
                f"locale {branch_locale!r} is not one of {', '.join(template.locales)}", file=source, entry=where
            )
        name = entry.get("name")
        branches.append(Branch(code, key, branch_locale, None if name is None else str(name)))
    return Registry(
        branches=tuple(branches),
        locale=str(locale),
        service_accounts=tuple((source.parent / a).expanduser() for a in accounts),
        source=source,
    )


@dataclass(frozen=True)
class BranchOutcome:
    """How one branch went: loaded (with its validity) or failed (with the reason)."""

    code: str
    spreadsheet: str
    status: Literal["loaded", "failed"]
    valid: bool | None = None
    issues: int = 0
    rows: Mapping[str, int] = field(default_factory=dict)
    error: str | None = None
    error_type: str | None = None
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "code": self.code,
            "spreadsheet": self.spreadsheet,
            "status": self.status,
            "valid": self.valid,
            "issues": self.issues,
            "rows": dict(self.rows),
            "error": self.error,
            "error_type": self.error_type,
        }


@dataclass
class ChainResult(ValidationResult):
    """The consolidated, validated chain, plus one outcome per branch."""

    branches: list[BranchOutcome] = field(default_factory=list)

    @property
    def failed(self) -> list[BranchOutcome]:
        """Branches that could not be read."""
        return [b for b in self.branches if b.status == "failed"]

    @property
    def complete(self) -> bool:
        """True when every branch loaded."""
        return not self.failed

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary: the validation summary plus every branch's outcome."""
        out = super().to_dict()
        out["complete"] = self.complete
        out["branches"] = [b.to_dict() for b in self.branches]
        return out


#: Called after each branch: (branches done, total, that branch's outcome).
Progress = Callable[[int, int, BranchOutcome], None]


def pull_chain(
    registry: Registry | Sequence[Branch],
    client: SheetsClient,
    *,
    as_of: dt.date,
    template: Template | None = None,
    progress: Progress | None = None,
    workers: int = 1,
) -> ChainResult:
    """Read, validate and consolidate every branch of a chain.

    ``workers`` > 1 reads several branches at once (the client's limiter still
    keeps every account within quota). The result's ``locale`` is the
    registry's; with a plain list of branches it is the first branch's.
    """
    template = template or load_template()
    branches = list(registry.branches if isinstance(registry, Registry) else registry)
    locale = registry.locale if isinstance(registry, Registry) else (branches[0].locale if branches else None) or "en"
    results: dict[str, tuple[BranchOutcome, _Loaded | None]] = {}
    done = 0

    def failed(branch: Branch, error: str, error_type: str, started: float) -> tuple[BranchOutcome, _Loaded | None]:
        seconds = time.perf_counter() - started
        outcome = BranchOutcome(
            branch.code, branch.spreadsheet, "failed", error=error, error_type=error_type, seconds=seconds
        )
        return outcome, None

    def one(branch: Branch) -> tuple[BranchOutcome, _Loaded | None]:
        started = time.perf_counter()
        try:
            book = read_gsheet(client, branch.spreadsheet, locale=branch.locale, template=template)
            result = validate(book, as_of=as_of, template=template)
            rows = {key: len(result.frames.frame(key)) for key in DATA_SHEETS}
        except SheetkitError as exc:
            return failed(branch, str(exc), type(exc).__name__, started)
        except Exception as exc:  # one branch never stops the chain; the text may hold client data
            return failed(branch, _unexpected(exc), type(exc).__name__, started)
        outcome = BranchOutcome(
            branch.code,
            branch.spreadsheet,
            "loaded",
            valid=result.valid,
            issues=len(result.issues),
            rows=rows,
            seconds=time.perf_counter() - started,
        )
        return outcome, _Loaded(branch, result, book.sheets)

    def finished(branch: Branch, pair: tuple[BranchOutcome, _Loaded | None]) -> None:
        nonlocal done
        results[branch.code] = pair
        done += 1
        if progress is not None:
            progress(done, len(branches), pair[0])

    if workers > 1:
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="sheetkit-pull") as pool:
            futures = [(b, time.perf_counter(), pool.submit(one, b)) for b in branches]
            for branch, submitted, future in futures:
                try:
                    pair = future.result()
                except Exception as exc:  # whatever escaped the worker is that branch's failure, not the chain's
                    pair = failed(branch, _unexpected(exc), type(exc).__name__, submitted)
                finished(branch, pair)
    else:
        for branch in branches:
            finished(branch, one(branch))
    ordered = [results[b.code] for b in branches]
    loaded = [r for _, r in ordered if r is not None]
    frames, issues = _consolidate(loaded, template)
    issues = _not_loaded([o for o, _ in ordered], template, locale) + issues
    return ChainResult(
        frames=frames,
        issues=issues,
        locale=locale,
        source=str(registry.source) if isinstance(registry, Registry) and registry.source else "chain",
        branches=[o for o, _ in ordered],
    )


@dataclass(frozen=True)
class _Loaded:
    branch: Branch
    result: ValidationResult
    sheets: Mapping[str, SheetInfo]


#: Columns (and index levels) the chain frames add; a staff column of the same name is renamed.
_CHAIN_COLUMNS = ("branch_code", "source", "row")
#: The client ID, and every column whose values are client IDs, are found by this reference.
_CLIENT_ID = "clients.client_id"
#: Settings that only tell how a branch's own cells were typed; the chain never uses them.
_READING_SETTINGS = frozenset({"date_order"})


def _unexpected(exc: BaseException) -> str:
    return f"unexpected error ({type(exc).__name__})"


def _not_loaded(outcomes: Sequence[BranchOutcome], template: Template, locale: str) -> list[Issue]:
    """One error per branch that could not be read: the figures are incomplete, and the result says so."""
    factory = IssueFactory(template, locale)
    issues: list[Issue] = []
    for outcome in outcomes:
        if outcome.status != "failed":
            continue
        issue = factory.make("branch-not-loaded", sheet="", value=outcome.error or "", branch=outcome.code)
        issues.append(replace(issue, branch=outcome.code))
    return issues


def _consolidate(loaded: Sequence[_Loaded], template: Template) -> tuple[WorkbookData, list[Issue]]:
    issues = [replace(i, branch=one.branch.code) for one in loaded for i in one.result.issues]
    frames: dict[str, pd.DataFrame] = {}
    for key in DATA_SHEETS:
        parts = []
        for one in loaded:
            code = one.branch.code
            frame = _without_clashes(one.result.frames.frame(key))
            frame.insert(0, "branch_code", code)
            frame.index = pd.MultiIndex.from_arrays(
                [pd.Index([code] * len(frame), dtype=object), frame.index.astype("int64")],
                names=["source", "row"],
            )
            parts.append(frame)
        if parts:
            frames[key] = pd.concat(parts) if len(parts) > 1 else parts[0]
        else:
            columns = ["branch_code", *[c.key for c in template.sheet(key).data_columns]]
            empty = pd.MultiIndex.from_arrays([[], []], names=["source", "row"])
            frames[key] = pd.DataFrame({c: pd.Series(dtype=object) for c in columns}, index=empty)
    issues += _chain_clients(frames, loaded, template)
    issues += _settings_differences(loaded, template)
    lists = _merge_lists([one.result.frames.lists for one in loaded])
    settings = dict(loaded[0].result.frames.settings) if loaded else {}
    return WorkbookData(**frames, lists=lists, settings=settings), issues


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


def _settings_differences(loaded: Sequence[_Loaded], template: Template) -> list[Issue]:
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
        settings = one.result.frames.settings
        for setting in template.settings:
            key = setting.key
            if key in _READING_SETTINGS or key not in settings or key not in reference:
                continue
            mine, theirs = settings[key], reference[key]
            if _same_setting(key, mine, theirs):
                continue
            row = layout.settings_rows.get(key)
            issue = factory.make(
                "currency-differs" if key == "currency" else "settings-differ",
                sheet=layout.settings_name,
                sheet_key="settings",
                row=row,
                column=labels.settings["header"]["value"],
                column_key=key,
                cell=None if row is None else f"{column_letter(SETTINGS_VALUE_COLUMN)}{row}",
                value=_setting_text(mine),
                header=labels.settings[key]["label"],
                other=_setting_text(theirs),
                first=first.branch.code,
            )
            issues.append(replace(issue, branch=one.branch.code))
    return issues


def _same_setting(key: str, mine: object, theirs: object) -> bool:
    if key == "currency":
        return str(mine).strip().upper() == str(theirs).strip().upper()
    return bool(mine == theirs)


def _setting_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _chain_clients(frames: dict[str, pd.DataFrame], loaded: Sequence[_Loaded], template: Template) -> list[Issue]:
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
    clients = frames["clients"]
    if clients.empty:
        return []
    ids = clients["client_id"]
    present = ids.notna()
    sources = clients.index.get_level_values("source")
    spread = pd.Series(sources[present.to_numpy()], index=ids[present].to_numpy()).groupby(level=0).nunique()
    shared = set(spread.index[spread > 1])
    if not shared:
        return []
    by_code = {one.branch.code: one for one in loaded}
    factories = {code: IssueFactory(template, one.result.locale) for code, one in by_code.items()}
    # Each chain-wide ID's rows in frame order (registry order, then sheet row), grouped by person.
    people: dict[object, dict[object, list[tuple[str, int]]]] = {}
    chosen = clients.loc[present & ids.isin(shared), ["client_id", "full_name"]]
    for label, client_id, name in zip(chosen.index, chosen["client_id"], chosen["full_name"], strict=True):
        branch, row = cast(tuple[str, int], label)
        folded = _folded(name)
        person: object = folded if folded else ("no name", branch, row)  # a blank name matches nobody
        people.setdefault(client_id, {}).setdefault(person, []).append((str(branch), int(row)))
    issues: list[Issue] = []
    renamed: dict[str, dict[str, str]] = {}
    drop: list[tuple[str, int]] = []

    def note(code: str, branch: str, row: int, *, client_id: object, other: str, chain_id: str) -> None:
        info = by_code[branch].sheets["clients"]
        issue = factories[branch].make(
            code,
            sheet=info.name,
            sheet_key="clients",
            row=row,
            column=info.headers.get("client_id"),
            column_key="client_id",
            cell=info.cell("client_id", row),
            value=client_id,
            other=other,
            chain_id=chain_id,
        )
        issues.append(replace(issue, branch=branch))

    for client_id, groups in people.items():
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
                    renamed.setdefault(branch, {})[str(client_id)] = chain_id
            else:
                continue
            for branch, row in rows:
                if branch == home:
                    if number > 0:
                        note("client-id-conflict", branch, row, client_id=client_id, other=owner, chain_id=chain_id)
                elif branch in clear:
                    note("client-in-several-branches", branch, row, client_id=client_id, other=home, chain_id=chain_id)
                    drop.append((branch, row))
    if renamed:
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
    frames["clients"] = frames["clients"].drop(index=drop)
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


def write_consolidated(chain: ChainResult, folder: Path | str) -> Path:
    """Write the chain for analysts: one Parquet file per sheet, ``issues.csv`` and ``branches.json``.

    The folder is filled under a temporary name and renamed into place, so a
    failed run never leaves a mix of old and new files; an existing folder is
    replaced only if it holds nothing but these files.
    """
    out = Path(folder)
    names = {f"{k}.parquet" for k in DATA_SHEETS} | {"issues.csv", "branches.json"}
    with replace_folder(out, allowed=names) as tmp:
        for key in DATA_SHEETS:
            frame = chain.frames.frame(key).reset_index(level="source", drop=True).reset_index()
            for column in frame.columns:  # mixed-type extra columns are kept as text
                if frame[column].dtype == object:
                    frame[column] = frame[column].map(lambda v: None if v is None or v is pd.NA else str(v))
            frame.to_parquet(tmp / f"{key}.parquet", index=False)
        pd.DataFrame([i.to_dict() for i in chain.issues]).to_csv(tmp / "issues.csv", index=False)
        (tmp / "branches.json").write_text(
            json.dumps([b.to_dict() for b in chain.branches], indent=2, ensure_ascii=False), encoding="utf-8"
        )
    return out
