"""The chain's weekly report: pull every branch of a registry, then write one report for the whole chain."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from sheetkit.chain import PullProgress, Registry, load_registry, pull_chain
from sheetkit.errors import UsageError
from sheetkit.gsheets.client import SheetsClient
from sheetkit.report.weekly import check_outputs, report_result
from sheetkit.template import Template

__all__ = ["chain_report"]


def chain_report(
    registry: Registry | Path | str,
    *,
    as_of: dt.date,
    out: Path | str | None = None,
    html: Path | str | None = None,
    overwrite: bool = False,
    client: SheetsClient | None = None,
    template: Template | None = None,
    progress: PullProgress | None = None,
    workers: int = 1,
) -> dict[str, Any]:
    """Pull every branch of a chain, then write its weekly report; return where it went and how each branch went.

    ``registry`` is a :class:`~sheetkit.chain.Registry` or the path of its TOML
    file; ``out`` defaults to ``<registry>-weekly.xlsx`` beside that file.
    ``client`` reads the Google Sheet branches (a chain of workbook files needs
    none). A branch that could not be read is not in the figures: the summary's
    ``complete`` is then ``False`` and the report lists it as a
    ``branch-not-loaded`` error. The report never replaces a branch's workbook.
    """
    chain_registry = registry if isinstance(registry, Registry) else load_registry(registry, template=template)
    target = _target(chain_registry, out)
    _refuse_branch_files(chain_registry, target, html)
    check_outputs(target, html, overwrite=overwrite)
    chain = pull_chain(chain_registry, client, as_of=as_of, template=template, progress=progress, workers=workers)
    summary = report_result(chain, as_of=as_of, out=target, html=html, overwrite=overwrite)
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


def _refuse_branch_files(registry: Registry, *outputs: Path | str | None) -> None:
    """A report never writes over a workbook it reads."""
    inputs = {b.workbook.resolve(): b.code for b in registry.branches if b.workbook is not None}
    for output in outputs:
        if output is not None and Path(output).resolve() in inputs:
            code = inputs[Path(output).resolve()]
            raise UsageError(f"{output} is the workbook of branch {code}; write the report to another file")
