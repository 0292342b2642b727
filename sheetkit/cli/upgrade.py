"""Commands that move a workbook to the current template: upgrade (a file) and gsheets upgrade (a Google Sheet)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from sheetkit.cli.app import JsonResultOpt, OAuthClientOpt, ServiceAccountOpt, app, gsheets_app
from sheetkit.cli.console import _echo_json, _say, shown
from sheetkit.cli.password import EncryptOpt, PasswordFileOpt, password_to_encrypt, with_password
from sheetkit.cli.reading import _client, _key

if TYPE_CHECKING:  # the library loads on first use, so --help is fast
    from sheetkit.excel.upgrade import UpgradeResult
    from sheetkit.gsheets.upgrade import SheetsUpgradeResult

DryRunOpt = Annotated[bool, typer.Option("--dry-run", help="Say what would change; write nothing.")]


@app.command()
def upgrade(
    book: Annotated[Path, typer.Argument(help="Workbook to upgrade in place (.xlsx); a backup is kept beside it.")],
    dry_run: DryRunOpt = False,
    encrypt: EncryptOpt = False,
    password_file: PasswordFileOpt = None,
    as_json: JsonResultOpt = False,
) -> None:
    """Move a workbook to the current template version, keeping every value (backup, verify, then replace).

    An encrypted workbook stays encrypted with the same password (give it with --password-file or
    $SHEETKIT_PASSWORD); --encrypt encrypts a plain one (its backup stays as it was, not encrypted).

    Examples: sheetkit upgrade salon.xlsx --dry-run
              sheetkit upgrade salon.xlsx --encrypt --password-file ~/private/salon.pw
    """
    from sheetkit.excel.crypto import is_encrypted  # noqa: PLC0415  # loaded on use: --help stays fast
    from sheetkit.excel.upgrade import upgrade_workbook  # noqa: PLC0415

    now = dt.datetime.now().replace(microsecond=0)

    def run(password: str | None) -> UpgradeResult:
        return upgrade_workbook(
            book,
            today=now.date(),
            dry_run=dry_run,
            generated_at=now,
            password=password,
            encrypt=encrypt and password is not None,  # an encrypted workbook without one: asked for at a terminal
        )

    if encrypt and not is_encrypted(book):  # a new password: asked twice at a terminal
        result = run(password_to_encrypt(encrypt, password_file))
    else:
        result = with_password(run, password_file)
    if as_json:
        _echo_json(result.to_dict())
        return
    _show(result)


def _show(result: UpgradeResult | SheetsUpgradeResult) -> None:
    where = shown(str(getattr(result, "path", None) or getattr(result, "spreadsheet", "")))
    for line in result.changes:
        _say("  ", shown(line))
    if not result.changed and not result.dry_run:
        _say((where, "bold"), f" is already at template version {result.to_version}; nothing changed.")
    elif result.dry_run:
        _say("Dry run: nothing was written to ", (where, "bold"), ".")
    else:
        _say("Upgraded ", (where, "bold"), f" to template version {result.to_version}.")
        backup = getattr(result, "backup", None)
        if backup is not None:
            _say("The workbook as it was is kept as ", (shown(str(backup)), "bold"), ".")


@gsheets_app.command("upgrade")
def gsheets_upgrade(
    key: Annotated[str, typer.Argument(help="Spreadsheet key or address of a branch workbook.")],
    dry_run: DryRunOpt = False,
    service_account: ServiceAccountOpt = None,
    oauth_client: OAuthClientOpt = None,
    as_json: JsonResultOpt = False,
) -> None:
    """Move a branch Google Sheet to the current template version: one structure request, staff's values untouched.

    Example: sheetkit gsheets upgrade 1AbC... --dry-run
    """
    from sheetkit.gsheets.upgrade import upgrade_gsheet  # noqa: PLC0415  # loaded on use: --help stays fast

    now = dt.datetime.now().replace(microsecond=0)
    with _client(service_account, oauth_client, readonly=dry_run) as client:
        result = upgrade_gsheet(client, _key(key), dry_run=dry_run, generated_at=now)
    if as_json:
        _echo_json(result.to_dict())
        return
    _show(result)
