"""The ``import`` command: bring a salon's records in from hand-made sheets and vendor exports."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from sheetkit.cli.app import JsonFullOpt, _as_of, app
from sheetkit.cli.console import _echo_json, _say, _stdout, shown
from sheetkit.cli.password import EncryptOpt, PasswordFileOpt, password_to_encrypt, with_password

if TYPE_CHECKING:
    from sheetkit.importing import ImportResult


@app.command("import")
def import_(  # long because typer maps each option to a parameter; the body is short
    sources: Annotated[list[Path], typer.Argument(help="Files to import: .xlsx, .xls, .ods, .csv, .tsv or .txt.")],
    into: Annotated[Path, typer.Option("--into", help="Workbook to create or append to (.xlsx).")],
    locale: Annotated[
        str | None,
        typer.Option("--locale", "-l", help="Language of a new workbook, and of the sources' dates and numbers."),
    ] = None,
    mapping: Annotated[Path | None, typer.Option("--mapping", help="TOML mapping file (columns, defaults).")] = None,
    sheet: Annotated[str | None, typer.Option("--sheet", help="Import only this sheet of a workbook source.")] = None,
    encoding: Annotated[
        str | None, typer.Option("--encoding", help="Encoding of text sources (default: detected).")
    ] = None,
    write: Annotated[bool, typer.Option("--write", help="Write the workbook (default: a dry run).")] = False,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Dates after this day are in the future (default today).")
    ] = None,
    as_json: JsonFullOpt = False,
    encrypt: EncryptOpt = False,
    password_file: PasswordFileOpt = None,
) -> None:
    """Import clients and their history into a workbook: a dry run unless --write.

    Prints the proposed mapping with sample values, every row not imported with its
    reason, and the cells that would need fixing. Exit status: 0 no errors, 1 errors
    in the imported data, 2 unusable input.

    Example: sheetkit import clienti.xlsx appuntamenti.csv --into salon.xlsx --locale it
    """
    from sheetkit.importing import import_records  # noqa: PLC0415  # the library loads on use (fast --help)

    today = dt.date.today()
    when = _as_of(as_of)
    from sheetkit.excel.crypto import is_encrypted  # noqa: PLC0415

    tried: list[str | None] = []

    def read(password: str | None) -> ImportResult:
        tried.append(password)
        return import_records(
            sources,
            into=into,
            as_of=when,
            locale=locale,
            mapping=mapping,
            sheet=sheet,
            encoding=encoding,
            today=today,
            password=password,
        )

    if encrypt and not (into.exists() and is_encrypted(into)):  # a new password: asked twice at a terminal
        password = password_to_encrypt(encrypt, password_file)
        result = read(password)
    else:
        result = with_password(read, password_file)
        password = tried[-1]  # the one that opened the workbook (maybe asked at the terminal)
    written = _write(result, today=today, password=password, encrypt=encrypt or password is not None) if write else None
    if as_json:
        data = result.to_dict()
        data["written"] = written
        _echo_json(data)
    else:
        _print_import(result, written)
    if not result.valid:
        raise typer.Exit(1)


def _write(result: ImportResult, *, today: dt.date, password: str | None, encrypt: bool) -> dict[str, Any]:
    """Write the import: encrypted with ``password`` when asked, or when the workbook already is."""
    from sheetkit.importing import write_import  # noqa: PLC0415

    return write_import(result, today=today, password=password, encrypt=encrypt).to_dict()


def _print_import(result: ImportResult, written: dict[str, Any] | None) -> None:
    """The mapping with samples, the rows not imported, the Issues: every value shown literally."""
    from rich.table import Table  # noqa: PLC0415  # rich loads when something is shown (fast --help)
    from rich.text import Text  # noqa: PLC0415

    for report in result.sources:
        info = report.to_dict()
        layout = f", {info['layout']}" if info["layout"] else ""
        _say(
            (shown(report.table.label), "bold"),
            f": {info['kind']}{shown(layout)}, header on row {info['header_row']}; "
            f"{info['rows']} rows: {info['imported']} imported, {info['skipped']} skipped",
        )
        table = Table(show_lines=False)
        for name in ("Column", "Field", "How", "Samples"):
            table.add_column(name, overflow="fold")
        for col in report.mapping.columns:
            target = col.target or ("(left out)" if col.target == "" else "(kept in notes)")
            table.add_row(
                Text(shown(col.header)), Text(shown(target)), Text(shown(col.how)), Text(shown(" | ".join(col.samples)))
            )
        _stdout().print(table)
        for row, reason in sorted(report.skipped.items()):
            _say(f"  row {row}: not imported: {shown(reason)}")
    counts = ", ".join(f"{len(result.frames.frame(k))} {k}" for k in ("clients", "visits", "appointments"))
    _say(f"To {'create' if result.creates else 'append to'} {shown(result.target)}: {counts}")
    for name, values in result.lists_added.items():
        _say(f"  added to the list {shown(name)}: {shown(', '.join(values))}")
    if result.issues:
        table = Table(show_lines=False)
        for name in ("Source", "Row", "Column", "Value", "Problem"):
            table.add_column(name, overflow="fold")
        for issue in result.issues:
            style = "red" if issue.severity == "error" else "yellow"
            cells = (issue.sheet, issue.row or "", issue.column or "", issue.value or "")
            table.add_row(*(Text(shown(v)) for v in cells), Text(shown(issue.message), style=style))
        _stdout().print(table)
    errors = sum(1 for i in result.issues if i.severity == "error")
    _say(f"{errors} errors, {len(result.issues) - errors} warnings.")
    if written is not None:
        _say("Written: ", (shown(written["path"]), "bold"))
        if written["backup"]:
            _say("The workbook it replaced is kept as ", (shown(written["backup"]), "bold"), ".")
    else:
        _say("Dry run: nothing written. Add --write to write the workbook.")
