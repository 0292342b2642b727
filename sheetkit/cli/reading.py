"""Google credentials and the reading of a chain, shared by the report and the gsheets commands."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import sheetkit as sk
from sheetkit.cli.console import _progress_console, shown
from sheetkit.cli.messages import say
from sheetkit.cli.progress import wanted
from sheetkit.errors import UsageError

if TYPE_CHECKING:  # the library loads on first use, so --help is fast and Ctrl-C at start is one line too
    from sheetkit.chain import BranchOutcome, PullProgress, Registry
    from sheetkit.gsheets.auth import Account
    from sheetkit.gsheets.client import SheetsClient


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
        accounts = [sk.load_account(readonly=readonly, service_account_file=p) for p in registry.service_accounts]
    else:
        accounts = [sk.load_account(readonly=readonly, service_account_file=service_account, oauth_client=oauth_client)]
    from sheetkit.gsheets.transport import transport_from_env  # noqa: PLC0415  # not public API; loaded on use

    return sk.SheetsClient(accounts, transport=transport_from_env())


@contextlib.contextmanager
def _reading(
    registry: Registry,
    service_account: Path | None,
    oauth_client: Path | None,
    *,
    quiet: bool,
    lang: str | None = None,
) -> Iterator[tuple[SheetsClient | None, PullProgress]]:
    """A client for the Google Sheet branches (none, nor credentials, for a chain of files) and a progress bar.

    The bar is on stderr, and off with ``quiet`` or when stderr is not a terminal.
    """
    from rich.progress import (  # noqa: PLC0415  # rich loads when a chain is read, not for --help
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    with contextlib.ExitStack() as stack:
        client = None
        if registry.needs_google:
            client = stack.enter_context(_client(service_account, oauth_client, readonly=True, registry=registry))
        columns = (
            TextColumn("{task.description}", markup=False),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
        )
        off = not wanted(quiet=quiet)
        bar = stack.enter_context(Progress(*columns, console=_progress_console(), disable=off, transient=False))
        title = say("progress.branches", lang)
        task = bar.add_task(title, total=len(registry.branches))

        def advance(done: int, total: int, outcome: BranchOutcome) -> None:
            described = f"{title} ({shown(outcome.code)} {outcome.status})"
            bar.update(task, completed=done, description=described)

        yield client, advance


def _key(text: str) -> str:
    from sheetkit.chain import spreadsheet_key  # noqa: PLC0415  # not public API; loaded on use

    try:
        return spreadsheet_key(text)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
