"""The weekly report of one workbook, and the step every report ends in: validated data -> .xlsx (+ .html)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from sheetkit.files import check_target, write_atomically
from sheetkit.issues import ValidationResult
from sheetkit.report.content import build_report
from sheetkit.report.excel import render_report_xlsx
from sheetkit.report.html import render_html
from sheetkit.validation import validate

__all__ = ["check_outputs", "report_result", "weekly_report"]


def weekly_report(
    book: Path | str,
    *,
    as_of: dt.date,
    out: Path | str | None = None,
    html: Path | str | None = None,
    overwrite: bool = False,
) -> dict[str, Any]:
    """Validate a workbook, then write its weekly report; return where it went and what it found.

    ``out`` defaults to ``<book>-weekly.xlsx`` beside the workbook. The staff
    workbook itself is only read, never modified; an existing report is
    replaced only with ``overwrite=True``.
    """
    source = Path(book)
    target = out or source.with_name(f"{source.stem}-weekly.xlsx")
    check_outputs(target, html, overwrite=overwrite)
    result = validate(source, as_of=as_of)
    summary = report_result(result, as_of=as_of, out=target, html=html, overwrite=overwrite)
    return {"workbook": str(source), **summary}


def check_outputs(*paths: Path | str | None, overwrite: bool) -> None:
    """Refuse, before any work, to replace existing report files unless allowed."""
    for path in paths:
        if path is not None:
            check_target(Path(path), overwrite=overwrite)


def report_result(
    result: ValidationResult,
    *,
    as_of: dt.date,
    out: Path | str,
    html: Path | str | None = None,
    overwrite: bool = False,
) -> dict[str, Any]:
    """Write the weekly report of validated data (one workbook, or a chain from :func:`sheetkit.pull_chain`)."""
    check_outputs(out, html, overwrite=overwrite)
    report = build_report(result, as_of=as_of)
    targets = [Path(out)] if html is None else [Path(out), Path(html)]
    with write_atomically(*targets, overwrite=overwrite) as temps:  # both files replaced together or neither
        render_report_xlsx(report, temps[0], locale=result.locale)
        if html is not None:
            temps[1].write_text(render_html(report, locale=result.locale), encoding="utf-8")
    xlsx, html_path = targets[0], (targets[1] if html is not None else None)
    return {
        "as_of": as_of.isoformat(),
        "report": str(xlsx),
        "html": None if html_path is None else str(html_path),
        "valid": result.valid,
        "issues": len(result.issues),
        "actions": {action.key: len(action.rows) for action in report.actions},
    }
