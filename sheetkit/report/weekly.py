"""The weekly report of one workbook, and the step every report ends in: validated data -> .xlsx (+ .html).

A report never writes over a workbook it reads (docs/architecture.md#writing-files):
:func:`refuse_sources` rejects, before anything is read or written and even when
replacing files is allowed, an output that is the input workbook or any sheetkit
workbook (a file with sheetkit's About sheet, in any of the template's languages).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from sheetkit.errors import UsageError
from sheetkit.excel.crypto import is_encrypted
from sheetkit.excel.identify import is_sheetkit_workbook
from sheetkit.files import check_target, write_atomically
from sheetkit.issues import ValidationResult
from sheetkit.report.content import build_report
from sheetkit.report.excel import render_report_xlsx
from sheetkit.report.html import render_html
from sheetkit.report.periods import Period, resolve_period
from sheetkit.validation import validate

__all__ = ["check_outputs", "is_sheetkit_workbook", "refuse_sources", "report_result", "same_file", "weekly_report"]

#: Most of xl/workbook.xml read to find the sheet names (it lists sheets, defined names and views).


def weekly_report(
    book: Path | str,
    *,
    period: Period | None = None,
    as_of: dt.date | None = None,
    today: dt.date | None = None,
    out: Path | str | None = None,
    html: Path | str | None = None,
    overwrite: bool = False,
    password: str | None = None,
) -> dict[str, Any]:
    """Validate a workbook, then write its weekly report; return where it went and what it found.

    ``period`` comes from :func:`~sheetkit.report.report_period` (the command line's
    default: the last complete week); ``as_of`` instead reports on the ISO week
    containing it, cut at it. ``today`` is the day the check runs: only dates after
    it are "in the future" (default: the end of the period; pass it when reporting
    on a past week, or entries typed since then are flagged).

    ``out`` defaults to ``<book>-weekly.xlsx`` beside the workbook. The staff
    workbook itself is only read: writing the report over it, or over any sheetkit
    workbook, is refused even with ``overwrite=True``; an existing report is
    replaced only with ``overwrite=True``. ``password`` opens an encrypted workbook; the
    .xlsx report of an encrypted workbook is encrypted with the same password (the HTML
    report holds no health data: docs/guides/privacy.md#encryption).
    """
    chosen = resolve_period(period, as_of)
    source = Path(book)
    secret = password if password is not None and is_encrypted(source) else None
    target = out or source.with_name(f"{source.stem}-weekly.xlsx")
    refuse_sources([source], target, html, password=secret)
    check_outputs(target, html, overwrite=overwrite)
    result = validate(source, as_of=chosen.end, today=today or chosen.end, password=password)
    summary = report_result(result, period=chosen, out=target, html=html, overwrite=overwrite, password=secret)
    return {"workbook": str(source), **summary}


def check_outputs(*paths: Path | str | None, overwrite: bool) -> None:
    """Refuse, before any work, report files of the wrong kind, one file named twice, or ones that exist.

    The first path is the report workbook (.xlsx), a second one its HTML (.html or .htm).
    """
    kinds = {0: (".xlsx", "report workbook"), 1: (".html", "HTML report")}
    given: list[Path] = []
    for position, raw in enumerate(paths):
        if raw is None:
            continue
        path = Path(raw)
        suffix, what = kinds.get(position, (path.suffix.lower(), "file"))
        if path.suffix.lower() not in (suffix, ".htm" if suffix == ".html" else suffix):
            raise UsageError(f"{path}: the {what} must end in {suffix}")
        given.append(path)
    for i, path in enumerate(given):
        if any(same_file(path, other) for other in given[:i]):
            raise UsageError(f"{path} is named for both the report workbook and its HTML; give two different files")
        check_target(path, overwrite=overwrite)


def same_file(a: Path, b: Path) -> bool:
    """True when two paths name the same file (also through links)."""
    try:
        return a.resolve() == b.resolve() or (a.exists() and b.exists() and a.samefile(b))
    except OSError:
        return False


def refuse_sources(sources: Iterable[Path | str], *outputs: Path | str | None, password: str | None = None) -> None:
    """Raise :class:`~sheetkit.errors.UsageError` when an output is one of ``sources`` or any sheetkit workbook.

    ``password`` looks into an encrypted output (a report written before); one it does not open counts as a workbook.
    """
    for output in outputs:
        if output is None:
            continue
        path = Path(output)
        for source in sources:
            if same_file(path, Path(source)):
                raise UsageError(f"{path} is the workbook this report reads; write the report to another file")
        if is_sheetkit_workbook(path, password=password):
            raise UsageError(
                f"{path} is a sheetkit workbook (it has the About sheet) and a report never replaces a workbook; "
                "write the report to another file"
            )


def report_result(
    result: ValidationResult,
    *,
    period: Period | None = None,
    as_of: dt.date | None = None,
    out: Path | str,
    html: Path | str | None = None,
    overwrite: bool = False,
    password: str | None = None,
) -> dict[str, Any]:
    """Write the weekly report of validated data (one workbook, or a chain from :func:`sheetkit.pull_chain`).

    Returns, JSON-ready (what ``sheetkit report --json`` prints): ``period`` {start,
    end}, ``compared_with`` {last_week, last_year}, ``kpis`` [{key, this, last_week,
    last_year, change, better, ...}], ``issues`` (count), ``actions`` (rows per list),
    ``do_not_contact`` (clients left off each outreach list), ``valid``, ``as_of``
    (the period's end) and the output paths ``report`` and ``html``. With a ``password`` the
    .xlsx report is encrypted (the HTML report carries no health data).
    """
    chosen = resolve_period(period, as_of)
    refuse_sources([result.source] if result.source else [], out, html, password=password)
    check_outputs(out, html, overwrite=overwrite)
    report = build_report(result, period=chosen)
    targets = [Path(out)] if html is None else [Path(out), Path(html)]
    with write_atomically(*targets, overwrite=overwrite) as temps:  # both files replaced together or neither
        render_report_xlsx(report, temps[0], locale=result.locale, password=password)
        if html is not None:
            temps[1].write_text(render_html(report, locale=result.locale), encoding="utf-8")
    content = report.to_dict()
    return {
        "as_of": report.as_of.isoformat(),
        "locale": result.locale,  # the language the report is in (the command line speaks it too)
        "period": content.pop("period"),
        "compared_with": content.pop("compared_with"),
        "report": str(targets[0]),
        "html": None if html is None else str(targets[1]),
        "valid": result.valid,
        **content,
    }
