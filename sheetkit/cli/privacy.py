"""Privacy commands: extract (pseudonymised, for analysts), export-client (access), forget and gsheets forget."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any

import typer

import sheetkit as sk
from sheetkit.cli.app import JsonSummaryOpt, OAuthClientOpt, ServiceAccountOpt, app, gsheets_app
from sheetkit.cli.console import _echo_json, _progress_console, _say, shown
from sheetkit.cli.password import PasswordFileOpt, password_to_encrypt, reading_password, with_password
from sheetkit.cli.reading import _client, _key, _reading
from sheetkit.errors import UsageError

ReasonOpt = Annotated[
    str | None,
    typer.Option(
        "--reason",
        help="Why the client is erased, kept in the erasure log (e.g. 'client request 2026-11-22', "
        "'retention period'). Do not put names, phone numbers or anything personal here: the log keeps it.",
    ),
]
KeyFileOpt = Annotated[
    Path | None,
    typer.Option(
        "--key-file",
        help="Pseudonym key of your extracts: the erasure log then names the client by the pseudonym the extracts "
        "use. Without it a one-off key is used.",
    ),
]


@app.command()
def extract(
    book: Annotated[
        Path | None,
        typer.Argument(
            help="Workbook (.xlsx, .xls, .ods), or a chain folder written by 'sheetkit gsheets pull --out'."
        ),
    ] = None,
    out: Annotated[Path, typer.Option("--out", help="Folder for the extract (new or empty).")] = Path("extract"),
    key_file: Annotated[
        Path, typer.Option("--key-file", help="Pseudonym key (created with mode 0600 if missing; keep it private).")
    ] = Path("extract.key"),
    registry: Annotated[
        Path | None, typer.Option("--registry", help="Branch registry (TOML): extract the whole chain instead.")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace an earlier extract in --out.")] = False,
    service_account: ServiceAccountOpt = None,
    oauth_client: OAuthClientOpt = None,
    password_file: PasswordFileOpt = None,
    as_json: JsonSummaryOpt = False,
) -> None:
    """Write a pseudonymised extract for analysts: one Parquet file per sheet and manifest.json.

    Names, phones, e-mails, addresses and free text are dropped, client IDs become keyed pseudonyms, birth dates
    keep their year, health columns become yes/no flags, staff's own columns are dropped. For analysis, not
    marketing: nobody can be contacted from it.

    Examples: sheetkit extract salon.xlsx --out extract/ --key-file ~/private/extract.key
              sheetkit extract --registry branches.toml --out chain-extract/ --key-file extract.key
    """
    if (book is None) == (registry is None):
        raise UsageError("give a workbook (or chain folder) or --registry (one of the two)")
    source: Any = book
    if registry is not None:
        chain = sk.load_registry(registry)
        with _reading(chain, service_account, oauth_client, quiet=as_json) as (client, advance):
            password = reading_password(password_file)
            source = sk.pull_chain(chain, client, as_of=dt.date.today(), progress=advance, password=password)
    existed = key_file.exists()

    def run(password: str | None) -> dict[str, Any]:
        return sk.write_extract(source, out, key_file=key_file, overwrite=force, password=password)

    with _progress_console(quiet=as_json).status("Reading and writing the extract...", spinner="dots"):
        manifest = run(None) if registry is not None or (book is not None and book.is_dir()) else None
    if manifest is None:
        manifest = with_password(run, password_file)
    if as_json:
        _echo_json({"out": str(out), "key_file": str(key_file), **manifest})
        return
    rows = ", ".join(f"{part['rows']} {shown(sheet)}" for sheet, part in manifest["sheets"].items())
    _say("Extract written to ", (shown(out), "bold"), f": {rows}.")
    if not existed:
        _say("New pseudonym key in ", (shown(key_file), "bold"), " (mode 0600): keep it apart from the extracts.")
    dropped = sorted({c for part in manifest["sheets"].values() for c in part["dropped_extra_columns"]})
    if dropped:
        _say(f"Staff's own columns left out: {len(dropped)} (listed in manifest.json).")
    _say("For analysis only, not marketing: it holds no contact details. Health data is only yes/no flags.")


@app.command("export-client")
def export_client(
    book: Annotated[Path, typer.Argument(help="Workbook (.xlsx, .xls or .ods).")],
    client_id: Annotated[str, typer.Argument(help="The client's ID (Clients sheet).")],
    out: Annotated[Path, typer.Option("--out", help="Folder for client.json and client.html (new or empty).")],
    locale: Annotated[
        str | None, typer.Option("--locale", "-l", help="Language of the page (default: the workbook's).")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace an earlier export in --out.")] = False,
    password_file: PasswordFileOpt = None,
    as_json: JsonSummaryOpt = False,
) -> None:
    """Export everything held on one client (access request): client.json and a client.html page.

    The export includes the client's health data: it is for the client alone. Hand it over securely.

    Example: sheetkit export-client salon.xlsx C0042 --out access-C0042/
    """
    summary = with_password(
        lambda password: sk.write_client_export(
            book, client_id, out, locale=locale, overwrite=force, password=password
        ),
        password_file,
    )
    if as_json:
        _echo_json(summary)
        return
    rows = ", ".join(f"{n} {shown(sheet)}" for sheet, n in summary["rows"].items())
    _say("Everything held on the client written to ", (shown(out), "bold"), f" ({rows}).")
    _say("It includes health data and is for the client alone: hand it over securely.")


@app.command()
def forget(
    book: Annotated[Path, typer.Argument(help="Workbook (.xlsx) to erase the client from.")],
    client_id: Annotated[str, typer.Argument(help="The client's ID (Clients sheet).")],
    reason: ReasonOpt = None,
    key_file: KeyFileOpt = None,
    password_file: PasswordFileOpt = None,
    as_json: JsonSummaryOpt = False,
) -> None:
    """Erase one client's personal data everywhere in the workbook (right to erasure).

    The Clients row, feedback text, referral links, patch tests, consents and follow-ups go; visits,
    appointments and feedback stay under a tombstone ID so revenue and rates do not change. A backup is kept
    beside the workbook, the result is checked for the client's name, phone and e-mail, and an entry (no personal
    data) goes into NAME.erasures.jsonl beside it. Copies sheetkit cannot reach are listed.

    Example: sheetkit forget salon.xlsx C0042 --reason "client request 2026-11-22"
    """
    summary = with_password(
        lambda password: sk.forget_client(
            book, client_id, reason=reason, key_file=key_file, password=password, when=dt.datetime.now()
        ),
        password_file,
    )
    _show_forget(summary, as_json=as_json)


@gsheets_app.command("forget")
def gsheets_forget(
    key: Annotated[str, typer.Argument(help="Spreadsheet key or address of the branch.")],
    client_id: Annotated[str, typer.Argument(help="The client's ID (Clients tab).")],
    reason: ReasonOpt = None,
    folder: Annotated[
        Path,
        typer.Option("--folder", help="Working folder for the backup copy (.xlsx) and the erasure log."),
    ] = Path(),
    key_file: KeyFileOpt = None,
    encrypt: Annotated[
        bool,
        typer.Option(
            "--encrypt",
            help="Encrypt the backup copy (AES-256); password from --password-file, $SHEETKIT_PASSWORD or a prompt.",
        ),
    ] = False,
    password_file: PasswordFileOpt = None,
    service_account: ServiceAccountOpt = None,
    oauth_client: OAuthClientOpt = None,
    as_json: JsonSummaryOpt = False,
) -> None:
    """Erase one client's personal data everywhere in a branch Google Sheet (right to erasure).

    The same erasure as 'sheetkit forget'. First every value of the spreadsheet is copied to
    TITLE.before-forget-YYYYMMDD.xlsx in --folder (Google's version history keeps earlier versions too);
    then the changes go in one request, are read back and checked, and an entry (no personal data) goes into
    TITLE.erasures.jsonl in --folder. Nobody should edit the spreadsheet meanwhile. Copies sheetkit cannot
    reach are listed.

    Example: sheetkit gsheets forget 1AbC... C0042 --reason "client request 2026-11-22" --folder ~/salon
    """
    password = password_to_encrypt(encrypt, password_file)
    erasing = _progress_console(quiet=as_json).status("Erasing the client in Google Sheets...", spinner="dots")
    with _client(service_account, oauth_client, readonly=False) as client, erasing:
        summary = sk.forget_gsheet_client(
            client,
            _key(key),
            client_id,
            when=dt.datetime.now(),
            folder=folder,
            reason=reason,
            key_file=key_file,
            password=password,
        )
    _show_forget(summary, as_json=as_json)


def _show_forget(summary: dict[str, Any], *, as_json: bool) -> None:
    if as_json:
        _echo_json(summary)
        return
    _say(
        "Erased client ", (shown(summary["client_id"]), "bold"), f"; its rows now carry {shown(summary['tombstone'])}."
    )
    for sheet, done in summary["removed"].items():
        parts = ", ".join(f"{shown(k).replace('_', ' ')} {n}" for k, n in done.items())
        _say(f"  {shown(sheet)}: {parts}")
    if summary.get("backup"):
        what = "spreadsheet's values" if "spreadsheet" in summary else "workbook"
        _say(f"Backup of the {what} as it was: ", (shown(summary["backup"]), "bold"), " (it still holds the client).")
    _say("Erasure log: ", (shown(summary["log"]), "bold"))
    if summary.get("namesakes"):
        _say(f"{summary['namesakes']} cells hold the same name, phone or e-mail as other clients' own data: kept.")
    _say(("Copies sheetkit cannot reach, erase them by hand:", "bold"))
    for copy in summary["unreachable"]:
        _say(f"  - {shown(copy)}")
