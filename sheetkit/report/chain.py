"""The chain's weekly report: pull every branch of a registry, then write one report for the whole chain."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from sheetkit.chain import PullProgress, Registry, load_registry, pull_chain
from sheetkit.errors import UsageError
from sheetkit.excel.crypto import is_encrypted
from sheetkit.gsheets.client import SheetsClient
from sheetkit.report.periods import Period, resolve_period
from sheetkit.report.weekly import check_outputs, refuse_sources, report_result, same_file
from sheetkit.template import Template

__all__ = ["chain_report"]


def chain_report(
    registry: Registry | Path | str,
    *,
    period: Period | None = None,
    as_of: dt.date | None = None,
    today: dt.date | None = None,
    out: Path | str | None = None,
    html: Path | str | None = None,
    overwrite: bool = False,
    client: SheetsClient | None = None,
    template: Template | None = None,
    progress: PullProgress | None = None,
    workers: int = 1,
    password: str | None = None,
) -> dict[str, Any]:
    """Pull every branch of a chain, then write its weekly report; return where it went and how each branch went.

    ``registry`` is a :class:`~sheetkit.chain.Registry` or the path of its TOML
    file; ``out`` defaults to ``<registry>-weekly.xlsx`` beside that file.
    ``period``, ``as_of`` and ``today`` as for :func:`~sheetkit.report.weekly_report`.
    ``client`` reads the Google Sheet branches (a chain of workbook files needs
    none). A branch that could not be read is not in the figures: the summary's
    ``complete`` is then ``False`` and the report lists it as a
    ``branch-not-loaded`` error. The report never replaces the registry file, a
    branch's workbook or any other sheetkit workbook, even with ``overwrite=True``.
    ``password`` opens encrypted branch files; when any branch file is encrypted, the
    .xlsx report is encrypted with it too.
    """
    chosen = resolve_period(period, as_of)
    chain_registry = registry if isinstance(registry, Registry) else load_registry(registry, template=template)
    target = _target(chain_registry, out)
    encrypted = any(b.workbook is not None and is_encrypted(b.workbook) for b in chain_registry.branches)
    secret = password if encrypted else None
    _refuse_registry_files(chain_registry, target, html)
    refuse_sources([], target, html, password=secret)
    check_outputs(target, html, overwrite=overwrite)
    chain = pull_chain(
        chain_registry,
        client,
        as_of=today or chosen.end,
        template=template,
        progress=progress,
        workers=workers,
        password=password,
    )
    summary = report_result(chain, period=chosen, out=target, html=html, overwrite=overwrite, password=secret)
    source = chain_registry.source
    return {
        "registry": None if source is None else str(source),
        **summary,
        "branches": [b.to_dict() for b in chain.branches],
        "complete": chain.complete,
    }


def _target(registry: Registry, out: Path | str | None) -> Path:
    if out is not None:
        return Path(out)
    if registry.source is None:
        raise UsageError("give out=: the registry has no file to put the report beside")
    return registry.source.with_name(f"{registry.source.stem}-weekly.xlsx")


def _refuse_registry_files(registry: Registry, *outputs: Path | str | None) -> None:
    """A report never writes over a file it reads: the registry itself or a branch's workbook."""
    for output in outputs:
        if output is None:
            continue
        path = Path(output)
        if registry.source is not None and same_file(path, registry.source):
            raise UsageError(f"{output} is the registry this report reads; write the report to another file")
        for branch in registry.branches:
            if branch.workbook is not None and same_file(path, branch.workbook):
                raise UsageError(f"{output} is the workbook of branch {branch.code}; write the report to another file")
