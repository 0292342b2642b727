"""Shared set-up for the Google Sheets tests: a stand-in, accounts, clients, and branches on it."""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
from typing import Any

import sheetkit as sk
from sheetkit.gsheets.auth import Account, account_from_info
from sheetkit.gsheets.client import SheetsClient
from sheetkit.gsheets.limits import Quota, RetryPolicy
from sheetkit.gsheets.writer import write_gsheet
from sheetkit.template import Template, load_template
from sheetkit.template.geometry import quote_sheet
from tests.sheets_standin import FakeClock, LocalGoogleAdapter, SheetsStandIn

AS_OF = dt.date(2026, 11, 22)
WRITER = "writer@salon-chain.iam.gserviceaccount.com"
READER = "reader@salon-chain.iam.gserviceaccount.com"
#: The template with 50 spare prepared rows per tab instead of 10,000 (see write_branch).
SMALL_PREPARED = dataclasses.replace(load_template(), spare_rows=50)


def account(standin: SheetsStandIn, email: str, *, readonly: bool, project: str = "salon-chain") -> Account:
    return account_from_info(standin.service_account(email, project=project), readonly=readonly)


def client_for(
    standin: SheetsStandIn,
    clock: FakeClock,
    accounts: Account | list[Account],
    *,
    attempts: int = 5,
    timeout: float = 60.0,
    quota: Quota | None = None,
) -> SheetsClient:
    # The library's own default timeout: the stand-in takes seconds to apply the structure of a
    # template-v2 branch (10,000+ prepared rows per tab) on a loaded machine. Tests of timeouts pass their own.
    return SheetsClient(
        accounts,
        transport=LocalGoogleAdapter(standin),
        clock=clock,
        retry=RetryPolicy(attempts=attempts, rng=random.Random(7)),
        timeout=timeout,
        **({"quota": quota} if quota else {}),
    )


def write_branch(
    standin: SheetsStandIn,
    clock: FakeClock,
    *,
    locale: str = "en",
    clients: int = 12,
    seed: int = 1,
    branch: str | None = None,
    share_with: tuple[str, ...] = (READER,),
    template: Template | None = None,
) -> tuple[str, sk.WorkbookData]:
    """A branch spreadsheet written by sheetkit's own writer, shared read-only with the reader account.

    ``template=SMALL_PREPARED`` prepares 50 spare rows per tab instead of 10,000: the same tabs, columns,
    rules and formulas, written and read in a fraction of the time, for tests the prepared area does not concern.
    """
    data = sk.generate_demo(clients=clients, locale=locale, seed=seed, as_of=AS_OF)
    with client_for(standin, clock, account(standin, WRITER, readonly=False)) as writer:
        key = write_gsheet(writer, data, locale=locale, branch=branch, template=template)
    for email in share_with:
        standin.share(key, email, role="reader")
    return key, data


def tab_values(standin: SheetsStandIn, clock: FakeClock, key: str, locale: str) -> dict[str, list[list[Any]]]:
    """Every tab's values (UNFORMATTED_VALUE), to copy a branch without writing it again."""
    labels = sk.load_template().labels(locale)
    tabs = load_template().tab_keys
    titles = [labels.sheet_name(k) for k in tabs]
    with client_for(standin, clock, account(standin, WRITER, readonly=True)) as reader:
        answer = reader.values_batch_get(key, [quote_sheet(t) for t in titles])
    return {t: r.get("values", []) for t, r in zip(titles, answer["valueRanges"], strict=True)}


def copy_branch(standin: SheetsStandIn, values: dict[str, list[list[Any]]], *, owner: str = WRITER) -> str:
    """A new spreadsheet holding the same values (no quota spent): a chain of many branches, fast."""
    grids = [
        {"title": t, "gridProperties": {"rowCount": max(len(r), 1000), "columnCount": max(map(len, r), default=26)}}
        for t, r in values.items()
    ]
    key = standin.create_spreadsheet(owner=owner, title="Branch copy", sheets=grids)
    for title, rows in values.items():
        if rows:
            standin.put_values(key, f"{quote_sheet(title)}!A1", rows)
    return key
