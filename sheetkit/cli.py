"""The ``sheetkit`` command line: a thin layer over the public functions.

Each command parses its arguments, calls the same function a notebook calls and
renders the result. sheetkit's own errors become a one-line message and exit
status 2; nothing else is caught here.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from sheetkit import __version__
from sheetkit.build import new_workbook
from sheetkit.demo import write_demo
from sheetkit.errors import SheetkitError, UsageError
from sheetkit.issues import ValidationResult
from sheetkit.report import weekly_report
from sheetkit.template import load_template
from sheetkit.validate import validate

app = typer.Typer(
    name="sheetkit",
    help="Client-allocation workbooks for salons, skin-care centres and spas.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console()
err_console = Console(stderr=True)

LocaleOpt = Annotated[str, typer.Option("--locale", "-l", help="Language of the workbook: en, zh-CN, it or vi.")]
ForceOpt = Annotated[bool, typer.Option("--force", help="Replace OUT if it exists.")]


def _as_of(value: str | None) -> dt.date:
    if value is None:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise UsageError(f"--as-of {value!r} is not a date like 2026-11-22") from None


@app.command()
def new(
    out: Annotated[Path, typer.Argument(help="Workbook to create (.xlsx).")],
    locale: LocaleOpt = "en",
    force: ForceOpt = False,
) -> None:
    """Create an empty client-allocation workbook.

    Example: sheetkit new clients.xlsx --locale zh-CN
    """
    path = new_workbook(out, locale=locale, overwrite=force)
    console.print(f"Created [bold]{path}[/bold] ({locale}).")


@app.command()
def demo(
    out: Annotated[Path, typer.Argument(help="Workbook to create (.xlsx).")],
    clients: Annotated[int, typer.Option(min=1, max=200_000, help="Number of clients.")] = 300,
    branches: Annotated[int, typer.Option(min=1, max=500, help="Number of branches.")] = 1,
    locale: LocaleOpt = "en",
    seed: Annotated[int, typer.Option(help="Random seed; the same seed gives the same salon.")] = 1,
    as_of: Annotated[str | None, typer.Option("--as-of", help="Date the salon's history ends (default today).")] = None,
    force: ForceOpt = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Create a workbook filled with a realistic synthetic salon.

    Example: sheetkit demo salon.xlsx --clients 300 --locale it --seed 1
    """
    when = _as_of(as_of)
    summary = write_demo(out, clients=clients, branches=branches, locale=locale, seed=seed, as_of=when, overwrite=force)
    if as_json:
        typer.echo(json.dumps(summary, indent=2, ensure_ascii=False))
        return
    labels = load_template().labels(locale)
    table = Table(title=f"Demo salon written to {summary['workbook']}", show_header=False)
    for key, value in summary.items():
        if key == "workbook":
            continue
        label = labels.choice_label("follow_up", key) if key in labels.choices["follow_up"] else key.replace("_", " ")
        table.add_row(label, str(value))
    console.print(table)


@app.command()
def check(
    book: Annotated[Path, typer.Argument(help="Workbook to check (.xlsx, .xls or .ods).")],
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Dates after this day are in the future (default today).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the full result as JSON.")] = False,
    limit: Annotated[int, typer.Option(min=1, help="Show at most this many issues in the table.")] = 200,
) -> None:
    """Check a workbook and list the cells staff must fix.

    Exit status: 0 valid (warnings allowed), 1 issues to fix, 2 unusable input.

    Example: sheetkit check salon.xlsx
    """
    result = validate(book, as_of=_as_of(as_of))
    if as_json:
        typer.echo(json.dumps(result.to_dict(), indent=2, ensure_ascii=False, default=str))
    else:
        _print_result(result, limit)
    if not result.valid:
        raise typer.Exit(1)


def _print_result(result: ValidationResult, limit: int) -> None:
    rows = result.to_dict()["rows"]
    summary = ", ".join(f"{n} {key}" for key, n in rows.items())
    if not result.issues:
        console.print(f"[bold green]OK[/bold green] {result.source}: {summary}; nothing to fix.")
        return
    table = Table(title=f"{result.source}: {summary}", show_lines=False)
    for name in ("Sheet", "Cell", "Column", "Value", "Problem"):
        table.add_column(name, overflow="fold")
    for issue in result.issues[:limit]:
        style = "red" if issue.severity == "error" else "yellow"
        table.add_row(
            issue.sheet,
            issue.cell or (str(issue.row) if issue.row else ""),
            issue.column or "",
            issue.value or "",
            f"[{style}]{issue.message}[/{style}]",
        )
    console.print(table)
    if len(result.issues) > limit:
        console.print(f"... and {len(result.issues) - limit} more (use --json or --limit to see all).")
    errors = len(result.errors)
    warnings = len(result.issues) - errors
    verdict = "[bold red]needs fixing[/bold red]" if errors else "[bold green]valid[/bold green]"
    console.print(f"{errors} errors, {warnings} warnings: {verdict}")


@app.command()
def report(
    book: Annotated[Path, typer.Argument(help="Workbook to report on (.xlsx, .xls or .ods).")],
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Report on the ISO week containing this day (default today).")
    ] = None,
    out: Annotated[Path | None, typer.Option("--out", help="Report workbook (default BOOK-weekly.xlsx).")] = None,
    html: Annotated[Path | None, typer.Option("--html", help="Also write a self-contained HTML report.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Validate a workbook and write the manager's weekly report.

    Example: sheetkit report salon.xlsx --out weekly.xlsx --html weekly.html
    """
    with console.status("Reading, checking and reporting...", spinner="dots"):
        summary = weekly_report(book, as_of=_as_of(as_of), out=out, html=html)
    if as_json:
        typer.echo(json.dumps(summary, indent=2, ensure_ascii=False))
        return
    console.print(f"Weekly report written to [bold]{summary['report']}[/bold]")
    if summary["html"]:
        console.print(f"HTML version for email: [bold]{summary['html']}[/bold]")
    actions = ", ".join(f"{n} {key.replace('_', ' ')}" for key, n in summary["actions"].items())
    console.print(f"Action lists: {actions}")
    if summary["issues"]:
        console.print(f"{summary['issues']} data-quality issues are listed in the report (sheetkit check shows them).")


def version_callback(value: bool) -> None:
    if value:
        typer.echo(f"sheetkit {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=version_callback, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    """Client-allocation workbooks for salons, skin-care centres and spas."""


def main(argv: list[str] | None = None) -> int:
    """Run the command line with ``argv``; return the exit status.

    sheetkit's own errors become a one-line message and status 2; usage errors
    are reported by typer with status 2 as well.
    """
    try:
        app(args=argv, prog_name="sheetkit")
    except SystemExit as exc:
        code = exc.code
        return code if isinstance(code, int) else (0 if code is None else 1)
    except SheetkitError as exc:
        err_console.print(f"[bold red]error:[/bold red] {exc}", highlight=False)
        return 2
    return 0


def run() -> None:
    """Console-script entry point."""
    raise SystemExit(main())
