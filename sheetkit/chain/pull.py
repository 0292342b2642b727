"""Pulling a chain: read and validate every branch, then consolidate the ones that loaded.

:func:`pull_chain` reads every branch from its source, a Google Sheet (one
``values.batchGet`` each, within the quota) or a workbook file (.xlsx, .xls,
.ods), and validates it on its own (Issues keep the branch's tab and cell).
:func:`read_branch` is the only place that knows which kind of source a branch
has; from the validated result on, both kinds are the same. Only the branches
that loaded completely are merged (:mod:`sheetkit.chain.consolidate`): a branch
that fails (a sheet not shared, still failing after the client's retries, a
missing or damaged file, or any unforeseen error) is reported in its
:class:`BranchOutcome` and as a ``branch-not-loaded`` error of the chain, and
contributes nothing; the others load.

Each branch is logged (``sheetkit.chain.pull``): loaded at INFO with its row
counts and seconds, failed at WARNING with the reason. The reason is a sheetkit
error's message (paths and keys, never cell values) or the name of an
unexpected exception's type, whose own text may hold client data.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from sheetkit.chain.consolidate import LoadedBranch, consolidate
from sheetkit.chain.registry import Branch, Registry
from sheetkit.errors import SheetkitError, UsageError
from sheetkit.excel.reader import read_workbook
from sheetkit.frames import DATA_SHEETS
from sheetkit.gsheets.client import SheetsClient
from sheetkit.gsheets.reader import read_gsheet
from sheetkit.issues import Issue, IssueFactory, ValidationResult
from sheetkit.read.workbook import Workbook
from sheetkit.template import Template, load_template
from sheetkit.validation import validate

__all__ = ["BranchOutcome", "ChainResult", "PullProgress", "pull_chain", "read_branch"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BranchOutcome:
    """How one branch went: loaded (with its validity) or failed (with the reason).

    ``spreadsheet`` is the key of a Google Sheet branch, ``workbook`` the path
    of a file branch; the other is ``None``.
    """

    code: str
    spreadsheet: str | None
    status: Literal["loaded", "failed"]
    valid: bool | None = None
    issues: int = 0
    rows: Mapping[str, int] = field(default_factory=dict)
    error: str | None = None
    error_type: str | None = None
    seconds: float = 0.0
    workbook: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "code": self.code,
            "spreadsheet": self.spreadsheet,
            "workbook": self.workbook,
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
PullProgress = Callable[[int, int, BranchOutcome], None]
_Pair = tuple[BranchOutcome, LoadedBranch | None]


def pull_chain(
    registry: Registry | Sequence[Branch],
    client: SheetsClient | None = None,
    *,
    as_of: dt.date,
    template: Template | None = None,
    progress: PullProgress | None = None,
    workers: int = 1,
    password: str | None = None,
) -> ChainResult:
    """Read, validate and consolidate every branch of a chain.

    ``password`` opens the branch workbook files that are encrypted (one password for the chain).

    ``client`` reads the Google Sheet branches; a chain of workbook files
    needs none. ``workers`` > 1 reads several branches at once (the client's
    limiter still keeps every account within quota). The result's ``locale``
    is the registry's; with a plain list of branches it is the first branch's.
    """
    template = template or load_template()
    branches = list(registry.branches if isinstance(registry, Registry) else registry)
    locale = registry.locale if isinstance(registry, Registry) else (branches[0].locale if branches else None) or "en"
    if client is None and any(b.spreadsheet is not None for b in branches):
        raise UsageError("the chain has Google Sheet branches: pass a SheetsClient to read them")
    if workers < 1:
        raise UsageError(f"workers must be 1 or more, not {workers}")

    def load(branch: Branch) -> _Pair:
        return _load_branch(branch, client, as_of=as_of, template=template, password=password)

    pairs = _load_all(branches, load, progress, workers)
    frames, issues = consolidate([one for _, one in pairs if one is not None], template)
    outcomes = [outcome for outcome, _ in pairs]
    return ChainResult(
        frames=frames,
        issues=_not_loaded(outcomes, template, locale) + issues,
        locale=locale,
        source=str(registry.source) if isinstance(registry, Registry) and registry.source else "chain",
        branches=outcomes,
    )


def read_branch(
    branch: Branch, client: SheetsClient | None, *, template: Template | None = None, password: str | None = None
) -> Workbook:
    """A branch's workbook, from its Google Sheet or its file (the one place that tells them apart)."""
    if branch.workbook is not None:
        return read_workbook(branch.workbook, template=template, password=password)
    if client is None or branch.spreadsheet is None:
        raise UsageError(f"branch {branch.code}: a Google Sheet branch needs a SheetsClient")
    return read_gsheet(client, branch.spreadsheet, locale=branch.locale, template=template)


def _load_branch(
    branch: Branch, client: SheetsClient | None, *, as_of: dt.date, template: Template, password: str | None = None
) -> _Pair:
    """Read and validate one branch; any failure is that branch's outcome, never the chain's exception."""
    started = time.perf_counter()
    try:
        book = read_branch(branch, client, template=template, password=password)
        result = validate(book, as_of=as_of, template=template)
        rows = {key: len(result.frames.frame(key)) for key in DATA_SHEETS}
    except SheetkitError as exc:
        return _failed(branch, str(exc), type(exc).__name__, started), None
    except Exception as exc:  # one branch never stops the chain; the text may hold client data
        return _failed(branch, _unexpected(exc), type(exc).__name__, started), None
    seconds = time.perf_counter() - started
    outcome = _outcome(branch, "loaded", valid=result.valid, issues=len(result.issues), rows=rows, seconds=seconds)
    counts = ", ".join(f"{n} {key}" for key, n in rows.items())
    log.info("branch %s loaded in %.1f s: %s; %d issues", branch.code, seconds, counts, len(result.issues))
    return outcome, LoadedBranch(branch.code, result, book.sheets)


def _load_all(
    branches: Sequence[Branch], load: Callable[[Branch], _Pair], progress: PullProgress | None, workers: int
) -> list[_Pair]:
    """Every branch's outcome in registry order, reporting progress as each one finishes."""
    pairs: list[_Pair] = []

    def finished(pair: _Pair) -> None:
        pairs.append(pair)
        if progress is not None:
            progress(len(pairs), len(branches), pair[0])

    if workers == 1:
        for branch in branches:
            finished(load(branch))
        return pairs
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="sheetkit-pull") as pool:
        futures = [(b, time.perf_counter(), pool.submit(load, b)) for b in branches]
        for branch, submitted, future in futures:
            try:
                pair = future.result()
            except Exception as exc:  # whatever escaped the worker is that branch's failure, not the chain's
                pair = _failed(branch, _unexpected(exc), type(exc).__name__, submitted), None
            finished(pair)
    return pairs


def _outcome(branch: Branch, status: Literal["loaded", "failed"], **details: Any) -> BranchOutcome:
    workbook = None if branch.workbook is None else str(branch.workbook)
    return BranchOutcome(branch.code, branch.spreadsheet, status, workbook=workbook, **details)


def _failed(branch: Branch, error: str, error_type: str, started: float) -> BranchOutcome:
    seconds = time.perf_counter() - started
    log.warning("branch %s not loaded (%s): %s", branch.code, error_type, error)
    return _outcome(branch, "failed", error=error, error_type=error_type, seconds=seconds)


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
