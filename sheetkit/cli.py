"""The ``sheetkit`` command line: a thin layer over the public functions.

Each command parses its arguments, calls the same function a notebook calls and
renders the result. sheetkit's own errors become a one-line message and exit
status 2; nothing else is caught here.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from sheetkit._version import __version__
from sheetkit.chain import (
    BranchOutcome,
    ChainResult,
    PullProgress,
    Registry,
    load_registry,
    pull_chain,
    spreadsheet_key,
    write_consolidated,
)
from sheetkit.demo import generate_demo, write_demo
from sheetkit.errors import SheetkitError, UsageError
from sheetkit.excel.writer import new_workbook
from sheetkit.gsheets.auth import Account, load_account
from sheetkit.gsheets.client import SheetsClient
from sheetkit.gsheets.reader import read_gsheet
from sheetkit.gsheets.transport import transport_from_env
from sheetkit.gsheets.writer import write_gsheet
from sheetkit.issues import ValidationResult
from sheetkit.report import chain_report, weekly_report
from sheetkit.template import load_template
from sheetkit.validation import validate

app = typer.Typer(
    name="sheetkit",
    help="Client-allocation workbooks for salons, skin-care centres and spas.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
gsheets_app = typer.Typer(
    name="gsheets",
    help="The same workbook in Google Sheets: create, check, and pull a chain of branches.",
    no_args_is_help=True,
)
app.add_typer(gsheets_app)
console = Console()
err_console = Console(stderr=True)

ServiceAccountOpt = Annotated[
    Path | None,
    typer.Option(
        "--service-account",
        help="Service-account JSON key (default: $SHEETKIT_SERVICE_ACCOUNT or $GOOGLE_APPLICATION_CREDENTIALS).",
    ),
]
OAuthClientOpt = Annotated[
    Path | None,
    typer.Option("--oauth-client", help="OAuth client JSON (Desktop app) to sign in as yourself in the browser."),
]
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
    _show_validation(validate(book, as_of=_as_of(as_of)), as_json=as_json, limit=limit)


def _show_validation(result: ValidationResult, *, as_json: bool, limit: int) -> None:
    """Print a ValidationResult (table or JSON); exit 1 when it has errors."""
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
    book: Annotated[Path | None, typer.Argument(help="Workbook to report on (.xlsx, .xls or .ods).")] = None,
    registry: Annotated[
        Path | None, typer.Option("--registry", help="Branch registry (TOML): report on the whole chain instead.")
    ] = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Report on the ISO week containing this day (default today).")
    ] = None,
    out: Annotated[Path | None, typer.Option("--out", help="Report workbook (default BOOK-weekly.xlsx).")] = None,
    html: Annotated[Path | None, typer.Option("--html", help="Also write a self-contained HTML report.")] = None,
    service_account: ServiceAccountOpt = None,
    oauth_client: OAuthClientOpt = None,
    force: Annotated[bool, typer.Option("--force", help="Replace report files that exist.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Validate a workbook (or every branch of a chain) and write the manager's weekly report.

    Examples: sheetkit report salon.xlsx --out weekly.xlsx --html weekly.html
              sheetkit report --registry branches.toml --out chain-weekly.xlsx
    """
    when = _as_of(as_of)
    if (book is None) == (registry is None):
        raise UsageError("give either a workbook or --registry, not both")
    if book is not None:
        with console.status("Reading, checking and reporting...", spinner="dots"):
            summary = weekly_report(book, as_of=when, out=out, html=html, overwrite=force)
    elif registry is not None:
        chain = load_registry(registry)
        with _reading(chain, service_account, oauth_client, quiet=as_json) as (client, advance):
            summary = chain_report(
                chain, as_of=when, out=out, html=html, overwrite=force, client=client, progress=advance
            )
    if as_json:
        typer.echo(json.dumps(summary, indent=2, ensure_ascii=False))
    else:
        _print_report(summary)
    if not summary.get("complete", True):
        raise typer.Exit(1)  # a branch is missing from the figures: the scheduled job must notice


def _print_report(summary: dict[str, Any]) -> None:
    branches: list[dict[str, Any]] = summary.get("branches", [])
    if branches:
        _print_branches(branches)
    console.print(f"Weekly report written to [bold]{escape(summary['report'])}[/bold]")
    if summary["html"]:
        console.print(f"HTML version for email: [bold]{escape(summary['html'])}[/bold]")
    actions = ", ".join(f"{n} {key.replace('_', ' ')}" for key, n in summary["actions"].items())
    console.print(f"Action lists: {actions}")
    if summary["issues"]:
        console.print(f"{summary['issues']} data-quality issues are listed in the report (sheetkit check shows them).")
    failed = [b["code"] for b in branches if b["status"] == "failed"]
    if failed:
        console.print(f"[bold red]Not in the figures:[/bold red] {', '.join(failed)} (see the table above).")


# ---------------------------------------------------------------- Google Sheets


def _client(
    service_account: Path | None,
    oauth_client: Path | None,
    *,
    readonly: bool,
    registry: Registry | None = None,
) -> SheetsClient:
    """A client for the credentials given (several service accounts from a registry share the work)."""
    accounts: list[Account]
    if service_account is None and registry is not None and registry.service_accounts:
        accounts = [load_account(readonly=readonly, service_account_file=p) for p in registry.service_accounts]
    else:
        accounts = [load_account(readonly=readonly, service_account_file=service_account, oauth_client=oauth_client)]
    return SheetsClient(accounts, transport=transport_from_env())


@gsheets_app.command("new")
def gsheets_new(
    locale: LocaleOpt = "en",
    branch: Annotated[str | None, typer.Option("--branch", help="Branch code, e.g. HN01 (on the Lists tab).")] = None,
    key: Annotated[
        str | None, typer.Option("--key", help="Fill this existing spreadsheet (key or address) instead of a new one.")
    ] = None,
    title: Annotated[str | None, typer.Option("--title", help="Title of a new spreadsheet.")] = None,
    demo_clients: Annotated[
        int, typer.Option("--demo-clients", min=0, max=20_000, help="Fill with a synthetic salon of N clients.")
    ] = 0,
    seed: Annotated[int, typer.Option(help="Random seed of the synthetic salon.")] = 1,
    as_of: Annotated[str | None, typer.Option("--as-of", help="Date the synthetic history ends.")] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace sheetkit tabs already in --key.")] = False,
    service_account: ServiceAccountOpt = None,
    oauth_client: OAuthClientOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Create the client-allocation workbook in Google Sheets.

    Example: sheetkit gsheets new --locale vi --branch HN01 --service-account key.json
    """
    data = None
    if demo_clients:
        data = generate_demo(clients=demo_clients, locale=locale, seed=seed, as_of=_as_of(as_of))
    target = None if key is None else _key(key)
    with _client(service_account, oauth_client, readonly=False) as client:
        with console.status("Writing the workbook to Google Sheets...", spinner="dots"):
            made = write_gsheet(
                client, data, locale=locale, spreadsheet=target, title=title, branch=branch, overwrite=force
            )
        requests_made = dict(client.stats.requests)
    summary = {
        "spreadsheet": made,
        "url": f"https://docs.google.com/spreadsheets/d/{made}/edit",
        "locale": locale,
        "branch": branch,
        "requests": requests_made,
    }
    if as_json:
        typer.echo(json.dumps(summary, indent=2, ensure_ascii=False))
        return
    console.print(f"Workbook ready in Google Sheets: [bold]{summary['url']}[/bold]")
    console.print("Share it with the branch staff (Share > add their addresses as editors).")


@gsheets_app.command("check")
def gsheets_check(
    key: Annotated[str, typer.Argument(help="Spreadsheet key or address.")],
    locale: Annotated[
        str | None, typer.Option("--locale", "-l", help="Language of its tabs (saves one request).")
    ] = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Dates after this day are in the future (default today).")
    ] = None,
    service_account: ServiceAccountOpt = None,
    oauth_client: OAuthClientOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the full result as JSON.")] = False,
    limit: Annotated[int, typer.Option(min=1, help="Show at most this many issues in the table.")] = 200,
) -> None:
    """Check one Google Sheet and list the cells staff must fix (exit 0 valid, 1 issues, 2 unusable).

    Example: sheetkit gsheets check 1AbC... --locale vi
    """
    with _client(service_account, oauth_client, readonly=True) as client:
        book = read_gsheet(client, _key(key), locale=locale)
    _show_validation(validate(book, as_of=_as_of(as_of)), as_json=as_json, limit=limit)


@gsheets_app.command("pull")
def gsheets_pull(
    registry: Annotated[Path, typer.Option("--registry", help="Branch registry (TOML).")],
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Dates after this day are in the future (default today).")
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="Folder for the consolidated tables (Parquet) and branches.json.")
    ] = None,
    workers: Annotated[int, typer.Option(min=1, max=16, help="Branches read at once (quota still holds).")] = 1,
    service_account: ServiceAccountOpt = None,
    oauth_client: OAuthClientOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Read every branch of a chain (Google Sheets or workbook files) into one validated dataset.

    Exit status: 0 every branch loaded and valid, 1 issues or failed branches, 2 unusable input.

    Example: sheetkit gsheets pull --registry branches.toml --out chain/
    """
    chain = _pull(load_registry(registry), _as_of(as_of), service_account, oauth_client, workers, quiet=as_json)
    if out is not None:
        write_consolidated(chain, out)
    if as_json:
        typer.echo(json.dumps(chain.to_dict(), indent=2, ensure_ascii=False, default=str))
    else:
        _print_branches([b.to_dict() for b in chain.branches])
        _print_result(chain, 50)
        if out is not None:
            console.print(f"Consolidated tables written to [bold]{out}[/bold]")
    if not (chain.valid and chain.complete):
        raise typer.Exit(1)


def _pull(
    registry: Registry,
    as_of: dt.date,
    service_account: Path | None,
    oauth_client: Path | None,
    workers: int,
    *,
    quiet: bool,
) -> ChainResult:
    with _reading(registry, service_account, oauth_client, quiet=quiet) as (client, advance):
        return pull_chain(registry, client, as_of=as_of, progress=advance, workers=workers)


@contextlib.contextmanager
def _reading(
    registry: Registry, service_account: Path | None, oauth_client: Path | None, *, quiet: bool
) -> Iterator[tuple[SheetsClient | None, PullProgress]]:
    """A client for the Google Sheet branches (none, nor credentials, for a chain of files) and a progress bar."""
    with contextlib.ExitStack() as stack:
        client = None
        if registry.needs_google:
            client = stack.enter_context(_client(service_account, oauth_client, readonly=True, registry=registry))
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        bar = stack.enter_context(Progress(*columns, console=err_console, disable=quiet, transient=False))
        task = bar.add_task("Reading branches", total=len(registry.branches))

        def advance(done: int, total: int, outcome: BranchOutcome) -> None:
            bar.update(task, completed=done, description=f"Reading branches ({outcome.code} {outcome.status})")

        yield client, advance


def _print_branches(branches: list[dict[str, Any]]) -> None:
    """The outcome table of a chain (``BranchOutcome.to_dict()`` rows); paths and errors are escaped."""
    table = Table(title="Branches")
    for name in ("Branch", "Status", "Clients", "Visits", "Issues", "Problem"):
        table.add_column(name, overflow="fold")
    for b in branches:
        style = "green" if b["status"] == "loaded" else "red"
        table.add_row(
            escape(b["code"]),
            f"[{style}]{b['status']}[/{style}]",
            str(b["rows"].get("clients", "")),
            str(b["rows"].get("visits", "")),
            str(b["issues"]) if b["status"] == "loaded" else "",
            escape(b["error"] or ""),
        )
    console.print(table)


def _key(text: str) -> str:
    try:
        return spreadsheet_key(text)
    except ValueError as exc:
        raise UsageError(str(exc)) from None


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
