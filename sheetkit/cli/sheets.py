"""Commands on Google Sheets and chains: gsheets new, check, pull (and the reading a chain report shares)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

import sheetkit as sk
from sheetkit.cli.app import (
    JsonFullOpt,
    JsonResultOpt,
    LangOpt,
    LocaleOpt,
    OAuthClientOpt,
    QuietOpt,
    ServiceAccountOpt,
    _as_of,
    gsheets_app,
)
from sheetkit.cli.console import (
    _echo_json,
    _print_branches,
    _print_result,
    _say,
    _show_validation,
    shown,
)
from sheetkit.cli.messages import lang_of, say
from sheetkit.cli.progress import progress
from sheetkit.cli.reading import _client, _key, _reading

if TYPE_CHECKING:  # the library loads on first use, so --help is fast and Ctrl-C at start is one line too
    from sheetkit.chain import ChainResult, Registry


# ---------------------------------------------------------------- Google Sheets


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
    as_json: JsonResultOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Create the client-allocation workbook in Google Sheets.

    Example: sheetkit gsheets new --locale vi --branch HN01 --service-account key.json
    """
    data = None
    if demo_clients:
        data = sk.generate_demo(clients=demo_clients, locale=locale, seed=seed, as_of=_as_of(as_of))
    target = None if key is None else _key(key)
    with _client(service_account, oauth_client, readonly=False) as client:
        with progress(say("progress.google", lang_of(locale)), quiet=quiet or as_json):
            made = sk.write_gsheet(
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
        _echo_json(summary)
        return
    lang = lang_of(locale)
    _say(say("gsheets.ready", lang) + " ", (shown(summary["url"]), "bold"))
    _say(say("gsheets.share", lang))


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
    as_json: JsonFullOpt = False,
    limit: Annotated[int, typer.Option(min=1, help="Show at most this many issues in the table.")] = 200,
    show_health: Annotated[
        bool, typer.Option("--show-health", help="Show the values of health columns instead of masking them.")
    ] = False,
    lang: LangOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Check one Google Sheet and list the cells staff must fix (exit 0 valid, 1 issues, 2 unusable).

    Values of health columns are masked unless --show-health is given.

    Example: sheetkit gsheets check 1AbC... --locale vi
    """
    reading = progress(say("progress.reading", lang), quiet=quiet or as_json)
    with _client(service_account, oauth_client, readonly=True) as client, reading as bar:
        book = sk.read_gsheet(client, _key(key), locale=locale)
        bar.step(say("progress.checking", lang or lang_of(book.locale)))
        result = sk.validate(book, as_of=_as_of(as_of))
    _show_validation(result, as_json=as_json, limit=limit, lang=lang, show_health=show_health)


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
    as_json: JsonResultOpt = False,
    show_health: Annotated[
        bool, typer.Option("--show-health", help="Show the values of health columns instead of masking them.")
    ] = False,
    lang: LangOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Read every branch of a chain (Google Sheets or workbook files) into one validated dataset.

    Exit status: 0 every branch loaded and valid, 1 issues or failed branches, 2 unusable input.

    Example: sheetkit gsheets pull --registry branches.toml --out chain/
    """
    if out is not None:
        from sheetkit.chain.output import check_consolidated_folder  # noqa: PLC0415  # loaded on use

        check_consolidated_folder(out)  # before any branch is read (and any quota spent)
    chain = _pull(
        sk.load_registry(registry),
        _as_of(as_of),
        service_account,
        oauth_client,
        workers,
        quiet=quiet or as_json,
        lang=lang,
    )
    if out is not None:
        from sheetkit.chain import write_consolidated  # noqa: PLC0415  # not public API; loaded on use

        write_consolidated(chain, out)
    if as_json:
        _echo_json(chain.to_dict())
    else:
        _print_branches([b.to_dict() for b in chain.branches], lang=lang)
        _print_result(chain, 50, lang=lang, show_health=show_health)
        if out is not None:
            _say(say("branches.written", lang) + " ", (shown(out), "bold"))
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
    lang: str | None = None,
) -> ChainResult:
    with _reading(registry, service_account, oauth_client, quiet=quiet, lang=lang) as (client, advance):
        return sk.pull_chain(registry, client, as_of=as_of, progress=advance, workers=workers)
