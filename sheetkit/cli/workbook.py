"""Commands on one workbook file: new, demo, check, report."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

import sheetkit as sk
from sheetkit.cli.app import (
    ForceOpt,
    JsonFullOpt,
    JsonSummaryOpt,
    LangOpt,
    LocaleOpt,
    OAuthClientOpt,
    QuietOpt,
    ServiceAccountOpt,
    _as_of,
    app,
)
from sheetkit.cli.console import (
    _echo_json,
    _print_branches,
    _say,
    _show_validation,
    _stdout,
    shown,
)
from sheetkit.cli.messages import lang_of, say
from sheetkit.cli.password import (
    EncryptOpt,
    PasswordFileOpt,
    password_to_encrypt,
    reading_password,
    with_password,
)
from sheetkit.cli.progress import progress
from sheetkit.cli.reading import _reading
from sheetkit.errors import UsageError

if TYPE_CHECKING:  # the library loads on first use, so --help is fast
    from sheetkit.read.workbook import Workbook


@app.command()
def new(
    out: Annotated[Path, typer.Argument(help="Workbook to create (.xlsx).")],
    locale: LocaleOpt = "en",
    force: ForceOpt = False,
    encrypt: EncryptOpt = False,
    password_file: PasswordFileOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Create an empty client-allocation workbook.

    Example: sheetkit new clients.xlsx --locale zh-CN
             SHEETKIT_PASSWORD=... sheetkit new clients.xlsx --encrypt
    """
    password = password_to_encrypt(encrypt, password_file)
    backup = _backup_to_come(out, force)
    lang = lang_of(locale)
    with progress(say("progress.writing", lang), quiet=quiet):
        path = sk.new_workbook(out, locale=locale, overwrite=force, password=password)
    _say(say("new.created", lang) + " ", (shown(path), "bold"), " " + say("new.locale", lang, locale=shown(locale)))
    _say_backup(backup, lang)


def _backup_to_come(out: Path, force: bool) -> Path | None:
    """Where the writer will keep the workbook it replaces, if it does (see sheetkit.excel.writer)."""
    from sheetkit.excel.writer import backup_name  # noqa: PLC0415  # not public API; loaded on use

    return backup_name(out) if force and out.exists() else None


def _say_backup(backup: Path | None, lang: str | None = None) -> None:
    if backup is not None and backup.exists():
        _say(say("backup.kept", lang) + " ", (shown(backup), "bold"), ".")


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
    encrypt: EncryptOpt = False,
    password_file: PasswordFileOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Create a workbook filled with a realistic synthetic salon.

    Example: sheetkit demo salon.xlsx --clients 300 --locale it --seed 1
    """
    when = _as_of(as_of)
    password = password_to_encrypt(encrypt, password_file)
    backup = _backup_to_come(out, force)
    lang = lang_of(locale)
    with progress(say("progress.demo", lang), quiet=quiet or as_json):
        summary = sk.write_demo(
            out,
            clients=clients,
            branches=branches,
            locale=locale,
            seed=seed,
            as_of=when,
            overwrite=force,
            password=password,
        )
    if as_json:
        _echo_json(summary)
        return
    _say_backup(backup, lang)
    labels = sk.load_template().labels(locale)
    _say(
        say("demo.written", lang) + " ", (shown(summary["workbook"]), "bold")
    )  # a line of its own: the path stays whole
    from rich.table import Table  # noqa: PLC0415  # rich loads when something is printed
    from rich.text import Text  # noqa: PLC0415

    table = Table(show_header=False)
    for key, value in summary.items():
        if key == "workbook":
            continue
        label = labels.choice_label("follow_up", key) if key in labels.choices["follow_up"] else key.replace("_", " ")
        table.add_row(Text(shown(label)), Text(shown(value)))
    _stdout().print(table)


@app.command()
def check(  # long because typer maps each option to a parameter; the body is short
    book: Annotated[Path, typer.Argument(help="Workbook to check (.xlsx, .xls or .ods).")],
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Dates after this day are in the future (default today).")
    ] = None,
    as_json: JsonFullOpt = False,
    limit: Annotated[int, typer.Option(min=1, help="Show at most this many issues in the table.")] = 200,
    password_file: PasswordFileOpt = None,
    mark: Annotated[
        Path | None,
        typer.Option(
            "--mark",
            metavar="OUT.xlsx",
            help="Also write a copy of the workbook with every problem cell highlighted and commented, "
            "in the staff's language; validations, formats and formulas stay as they are.",
        ),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace the --mark copy if it exists.")] = False,
    show_health: Annotated[
        bool, typer.Option("--show-health", help="Show the values of health columns instead of masking them.")
    ] = False,
    lang: LangOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Check a workbook and list the cells staff must fix, in the workbook's language.

    Exit status: 0 valid (warnings allowed), 1 issues to fix, 2 unusable input. Values of health
    columns (allergies, medications, contraindications) are masked unless --show-health is given.

    Examples: sheetkit check salon.xlsx
              sheetkit check salon.xlsx --mark salon-to-fix.xlsx
    """
    when = _as_of(as_of)
    if mark is not None:
        _check_mark_target(book, mark, lang)
    passwords: list[str | None] = []

    def read(password: str | None) -> Workbook:
        passwords.append(password)
        return sk.read_workbook(book, password=password)

    marked: dict[str, Any] | None = None
    with progress(say("progress.reading", lang), quiet=quiet or as_json) as bar:
        workbook = with_password(read, password_file)
        lang = lang or lang_of(workbook.locale)
        bar.step(say("progress.checking", lang))
        result = sk.validate(workbook, as_of=when)
        if mark is not None:
            bar.step(say("progress.marking", lang))
            from sheetkit.excel.mark import mark_workbook  # noqa: PLC0415  # not public API; loaded on use

            title = say("check.mark_title", lang)
            cells = mark_workbook(book, mark, result.issues, title=title, password=passwords[-1], overwrite=force)
            marked = {"path": str(mark), "cells": cells}
    if marked is not None and not as_json:
        _say(say("check.marked", lang) + " ", (shown(mark), "bold"))
        _say(say("check.marked_cells", lang, count=marked["cells"]))
    _show_validation(result, as_json=as_json, limit=limit, lang=lang, show_health=show_health, extra={"marked": marked})


def _check_mark_target(book: Path, mark: Path, lang: str | None) -> None:
    """Refuse a --mark target that is not an .xlsx name or is the workbook itself, before any reading."""
    if mark.suffix.lower() != ".xlsx":
        raise UsageError(say("check.mark_suffix", lang))
    try:
        same = book.resolve() == mark.resolve() or (mark.exists() and book.samefile(mark))
    except OSError:
        same = False
    if same:
        raise UsageError(say("check.mark_same", lang))


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
    password_file: PasswordFileOpt = None,
    lang: LangOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Validate a workbook (or every branch of a chain) and write the manager's weekly report.

    With no --week or --as-of the report covers the last complete week (Monday to Sunday).
    It never writes over the workbook it reads, any other sheetkit workbook or a branch's files.
    The .xlsx report of an encrypted workbook is encrypted with the same password.

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
        source = book

        def weekly(password: str | None) -> dict[str, Any]:
            with progress(say("progress.report", lang), quiet=quiet or as_json):
                return sk.weekly_report(source, password=password, **kwargs)

        summary = with_password(weekly, password_file)  # a password prompt never shares the screen with progress
    elif registry is not None:
        chain = sk.load_registry(registry)
        kwargs["password"] = reading_password(password_file)
        with _reading(chain, service_account, oauth_client, quiet=quiet or as_json, lang=lang) as (client, advance):
            summary = sk.chain_report(chain, client=client, progress=advance, **kwargs)
    lang = lang or lang_of(summary.get("locale"))
    if mail is not None:
        with progress(say("progress.mail", lang), quiet=quiet or as_json):
            summary["mail"] = mail.send(summary)
    if as_json:
        _echo_json(summary)
    else:
        _print_report(summary, lang)
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


def _print_report(summary: dict[str, Any], lang: str) -> None:
    branches: list[dict[str, Any]] = summary.get("branches", [])
    if branches:
        _print_branches(branches, lang=lang)
    _say(say("report.written", lang) + " ", (shown(summary["report"]), "bold"))
    period, compared = summary.get("period"), summary.get("compared_with")
    if period and compared:
        last_week, last_year = compared["last_week"], compared["last_year"]
        dates = {
            "start": period["start"],
            "end": period["end"],
            "week_start": last_week["start"],
            "week_end": last_week["end"],
            "year_start": last_year["start"],
            "year_end": last_year["end"],
        }
        _say(say("report.covers", lang, **dates))
    if summary["html"]:
        _say(say("report.html", lang) + " ", (shown(summary["html"]), "bold"))
    actions = ", ".join(f"{n} {_action_label(key, lang)}" for key, n in summary["actions"].items())
    _say(say("report.actions", lang) + " " + shown(actions))
    if summary["issues"]:
        _say(say("report.issues", lang, count=summary["issues"]))
    if "mail" in summary:
        sent = summary["mail"]
        server, encryption = shown(sent["server"]), shown(sent["encryption"])
        _say(say("report.mailed", lang, count=sent["recipients"], server=server, encryption=encryption))
    failed = [shown(b["code"]) for b in branches if b["status"] == "failed"]
    if failed:
        _say((say("report.missing", lang), "bold red"), f" {', '.join(failed)} " + say("report.missing_see", lang))


def _action_label(key: str, lang: str) -> str:
    """An action list's name as the report calls it in ``lang`` (its key when the report has no label)."""
    labels = sk.load_template().labels(lang)
    for candidate in (f"list_{key}", f"sheet_{key}", key):
        if candidate in labels.report:
            return labels.report[candidate]
    return key.replace("_", " ")
