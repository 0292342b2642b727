"""Commands on one workbook file: new, demo, check, report."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

import sheetkit as sk
from sheetkit.cli.app import (
    ForceOpt,
    JsonFullOpt,
    JsonSummaryOpt,
    LocaleOpt,
    OAuthClientOpt,
    ServiceAccountOpt,
    _as_of,
    app,
)
from sheetkit.cli.console import (
    _echo_json,
    _print_branches,
    _progress_console,
    _say,
    _show_validation,
    _stdout,
    shown,
)
from sheetkit.cli.reading import _reading
from sheetkit.errors import UsageError


@app.command()
def new(
    out: Annotated[Path, typer.Argument(help="Workbook to create (.xlsx).")],
    locale: LocaleOpt = "en",
    force: ForceOpt = False,
) -> None:
    """Create an empty client-allocation workbook.

    Example: sheetkit new clients.xlsx --locale zh-CN
    """
    backup = _backup_to_come(out, force)
    path = sk.new_workbook(out, locale=locale, overwrite=force)
    _say("Created ", (shown(path), "bold"), f" ({shown(locale)}).")
    _say_backup(backup)


def _backup_to_come(out: Path, force: bool) -> Path | None:
    """Where the writer will keep the workbook it replaces, if it does (see sheetkit.excel.writer)."""
    from sheetkit.excel.writer import backup_name  # noqa: PLC0415  # not public API; loaded on use

    return backup_name(out) if force and out.exists() else None


def _say_backup(backup: Path | None) -> None:
    if backup is not None and backup.exists():
        _say("The workbook it replaced is kept as ", (shown(backup), "bold"), ".")


@app.command()
def demo(
    out: Annotated[Path, typer.Argument(help="Workbook to create (.xlsx).")],
    clients: Annotated[int, typer.Option(min=1, max=200_000, help="Number of clients.")] = 300,
    branches: Annotated[int, typer.Option(min=1, max=500, help="Number of branches.")] = 1,
    locale: LocaleOpt = "en",
    seed: Annotated[int, typer.Option(help="Random seed; the same seed gives the same salon.")] = 1,
    as_of: Annotated[str | None, typer.Option("--as-of", help="Date the salon's history ends (default today).")] = None,
    force: ForceOpt = False,
    as_json: JsonSummaryOpt = False,
) -> None:
    """Create a workbook filled with a realistic synthetic salon.

    Example: sheetkit demo salon.xlsx --clients 300 --locale it --seed 1
    """
    when = _as_of(as_of)
    backup = _backup_to_come(out, force)
    summary = sk.write_demo(
        out, clients=clients, branches=branches, locale=locale, seed=seed, as_of=when, overwrite=force
    )
    if as_json:
        _echo_json(summary)
        return
    _say_backup(backup)
    labels = sk.load_template().labels(locale)
    _say("Demo salon written to ", (shown(summary["workbook"]), "bold"))  # a line of its own: the path stays whole
    table = Table(show_header=False)
    for key, value in summary.items():
        if key == "workbook":
            continue
        label = labels.choice_label("follow_up", key) if key in labels.choices["follow_up"] else key.replace("_", " ")
        table.add_row(Text(shown(label)), Text(shown(value)))
    _stdout().print(table)


@app.command()
def check(
    book: Annotated[Path, typer.Argument(help="Workbook to check (.xlsx, .xls or .ods).")],
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Dates after this day are in the future (default today).")
    ] = None,
    as_json: JsonFullOpt = False,
    limit: Annotated[int, typer.Option(min=1, help="Show at most this many issues in the table.")] = 200,
) -> None:
    """Check a workbook and list the cells staff must fix.

    Exit status: 0 valid (warnings allowed), 1 issues to fix, 2 unusable input.

    Example: sheetkit check salon.xlsx
    """
    _show_validation(sk.validate(book, as_of=_as_of(as_of)), as_json=as_json, limit=limit)


@app.command()
def report(  # long because typer maps each option to a parameter; the body is short
    book: Annotated[Path | None, typer.Argument(help="Workbook to report on (.xlsx, .xls or .ods).")] = None,
    registry: Annotated[
        Path | None, typer.Option("--registry", help="Branch registry (TOML): report on the whole chain instead.")
    ] = None,
    week: Annotated[
        str | None, typer.Option("--week", metavar="YYYY-Www", help="Report on this ISO week, e.g. 2026-W49.")
    ] = None,
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="Report on the ISO week containing this day, cut at it (default: last week)."),
    ] = None,
    out: Annotated[Path | None, typer.Option("--out", help="Report workbook (default BOOK-weekly.xlsx).")] = None,
    html: Annotated[Path | None, typer.Option("--html", help="Also write a self-contained HTML report.")] = None,
    service_account: ServiceAccountOpt = None,
    oauth_client: OAuthClientOpt = None,
    force: Annotated[bool, typer.Option("--force", help="Replace report files that exist.")] = False,
    mail_to: Annotated[
        list[str] | None,
        typer.Option("--mail-to", metavar="ADDRESS", help="E-mail the report to this address (repeat for more)."),
    ] = None,
    smtp: Annotated[
        str | None,
        typer.Option(
            "--smtp",
            metavar="HOST:PORT",
            help="Outgoing mail server (587 STARTTLS, 465 TLS); sign-in from $SHEETKIT_SMTP_USER and "
            "$SHEETKIT_SMTP_PASSWORD.",
        ),
    ] = None,
    mail_from: Annotated[
        str | None, typer.Option("--mail-from", metavar="ADDRESS", help="Sender (default $SHEETKIT_SMTP_USER).")
    ] = None,
    subject: Annotated[
        str | None, typer.Option("--subject", help="Subject of the e-mail (default the report's title).")
    ] = None,
    as_json: JsonSummaryOpt = False,
) -> None:
    """Validate a workbook (or every branch of a chain) and write the manager's weekly report.

    With no --week or --as-of the report covers the last complete week (Monday to Sunday).
    It never writes over the workbook it reads, any other sheetkit workbook or a branch's files.

    Examples: sheetkit report salon.xlsx --out weekly.xlsx --html weekly.html
              sheetkit report salon.xlsx --week 2026-W49 --mail-to manager@example.com --smtp smtp.example.com:587
              sheetkit report --registry branches.toml --out chain-weekly.xlsx
    """
    if (book is None) == (registry is None):
        raise UsageError("give a workbook or --registry (one of the two)")
    today = dt.date.today()
    period = sk.report.report_period(today=today, as_of=None if as_of is None else _as_of(as_of), week=week)
    mail = _MailPlan.of(mail_to, smtp, mail_from, subject)  # checked before any work
    if mail is not None and html is None:  # the e-mail's body is the HTML report: write it beside the workbook
        html = _html_beside(book, out)
    kwargs: dict[str, Any] = {"period": period, "today": today, "out": out, "html": html, "overwrite": force}
    if book is not None:
        with _progress_console(quiet=as_json).status("Reading, checking and reporting...", spinner="dots"):
            summary = sk.weekly_report(book, **kwargs)
    elif registry is not None:
        chain = sk.load_registry(registry)
        with _reading(chain, service_account, oauth_client, quiet=as_json) as (client, advance):
            summary = sk.chain_report(chain, client=client, progress=advance, **kwargs)
    if mail is not None:
        with _progress_console(quiet=as_json).status("Sending the report...", spinner="dots"):
            summary["mail"] = mail.send(summary)
    if as_json:
        _echo_json(summary)
    else:
        _print_report(summary)
    if not summary.get("complete", True):
        raise typer.Exit(1)  # a branch is missing from the figures: the scheduled job must notice


class _MailPlan:
    """Where the report goes by e-mail; built and checked before any work, sent after the files are written."""

    def __init__(self, to: list[str], smtp: str, sender: str | None, subject: str | None) -> None:
        self.to, self.smtp, self.sender, self.subject = to, smtp, sender, subject
        self.credentials = sk.report.smtp_credentials()
        sk.report.check_mail(to=to, smtp=smtp, sender=sender, credentials=self.credentials)

    @classmethod
    def of(cls, to: list[str] | None, smtp: str | None, sender: str | None, subject: str | None) -> _MailPlan | None:
        if not to and not smtp:
            return None
        if not (to and smtp):
            raise UsageError("--mail-to and --smtp go together: give both to e-mail the report")
        return cls(to, smtp, sender, subject)

    def send(self, summary: dict[str, Any]) -> dict[str, Any]:
        sent: dict[str, Any] = sk.report.send_report(
            html=summary["html"],
            xlsx=summary["report"],
            to=self.to,
            smtp=self.smtp,
            sender=self.sender,
            subject=self.subject,
            credentials=self.credentials,
        )
        return sent


def _html_beside(book: Path | None, out: Path | None) -> Path:
    if out is not None:
        return out.with_suffix(".html")
    if book is not None:
        return book.with_name(f"{book.stem}-weekly.html")
    raise UsageError("give --html or --out to e-mail a chain report")


def _print_report(summary: dict[str, Any]) -> None:
    branches: list[dict[str, Any]] = summary.get("branches", [])
    if branches:
        _print_branches(branches)
    _say("Weekly report written to ", (shown(summary["report"]), "bold"))
    period, compared = summary.get("period"), summary.get("compared_with")
    if period and compared:
        last_week, last_year = compared["last_week"], compared["last_year"]
        _say(
            f"Covers {period['start']} to {period['end']}, compared with {last_week['start']} to {last_week['end']} "
            f"and {last_year['start']} to {last_year['end']}."
        )
    if summary["html"]:
        _say("HTML version for email: ", (shown(summary["html"]), "bold"))
    actions = ", ".join(f"{n} {key.replace('_', ' ')}" for key, n in summary["actions"].items())
    _say(f"Action lists: {shown(actions)}")
    if summary["issues"]:
        _say(f"{summary['issues']} data-quality issues are listed in the report (sheetkit check shows them).")
    if "mail" in summary:
        sent = summary["mail"]
        _say(f"E-mailed to {sent['recipients']} recipients via {shown(sent['server'])} ({shown(sent['encryption'])})")
    failed = [shown(b["code"]) for b in branches if b["status"] == "failed"]
    if failed:
        _say(("Not in the figures:", "bold red"), f" {', '.join(failed)} (see the table above).")
