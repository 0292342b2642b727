"""Reading a branch's Google Sheet: one batchGet, the same typed path as Excel, Issues on the tab and cell."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
import requests
from google.oauth2.credentials import Credentials

import sheetkit as sk
from sheetkit.errors import (
    SheetNotFoundError,
    SheetsAccessError,
    SheetsAuthError,
    SheetsError,
    SheetsUnavailableError,
    UsageError,
)
from sheetkit.gsheets.auth import load_account
from sheetkit.gsheets.client import SheetsClient
from sheetkit.gsheets.limits import RetryPolicy
from sheetkit.gsheets.reader import read_gsheet
from sheetkit.gsheets.transport import ENV_EMULATOR, transport_from_env
from sheetkit.template import Template
from sheetkit.template.geometry import plan_layout
from tests.gsheets_support import AS_OF, READER, SMALL_PREPARED, WRITER, account, client_for, write_branch
from tests.sheets_standin import FakeClock, LocalGoogleAdapter, SheetsStandIn
from tests.test_read_roundtrip import assert_frames_equal

TEMPLATE = sk.load_template()


@pytest.mark.parametrize(("locale", "template"), [("vi", None), ("zh-CN", SMALL_PREPARED)], ids=["vi", "zh-CN"])
def test_branch_reads_back_equal_in_one_request(
    standin: SheetsStandIn, clock: FakeClock, locale: str, template: Template | None
) -> None:
    # vi: a branch with the full prepared area of template v2 (10,000+ rows per tab) reads back in one request.
    key, data = write_branch(standin, clock, locale=locale, clients=15, template=template)
    before = len(standin.calls(kind="read"))
    with client_for(standin, clock, account(standin, READER, readonly=True)) as reader:
        book = read_gsheet(reader, key, locale=locale)
    assert len(standin.calls(kind="read")) - before == 1
    result = sk.validate(book, as_of=AS_OF)
    assert result.valid, [(i.sheet, i.cell, i.code) for i in result.errors][:5]
    assert book.locale == locale
    for sheet in TEMPLATE.sheets:
        columns = [c.key for c in sheet.data_columns]
        assert_frames_equal(data.frame(sheet.key).reset_index(drop=True), book.data.frame(sheet.key), columns)
    assert {k: book.data.settings[k] for k in data.settings} == data.settings


def test_staff_edits_are_issues_on_the_tab_and_cell(standin: SheetsStandIn, clock: FakeClock) -> None:
    key, _ = write_branch(standin, clock, template=SMALL_PREPARED, locale="it", clients=10)
    labels = TEMPLATE.labels("it")
    clients_tab, visits_tab = labels.sheet_name("clients"), labels.sheet_name("visits")
    layout = plan_layout(TEMPLATE, labels, {})
    phone = layout.sheet("clients").letter("phone")
    visit_date = layout.sheet("visits").letter("visit_date")
    name = layout.sheet("clients").letter("full_name")
    # What staff do in Sheets: a phone typed as a number, a date typed as text, a formula-looking name (RAW text).
    standin.put_values(key, f"'{clients_tab}'!{phone}3", [[612345678]])
    standin.put_values(key, f"'{visits_tab}'!{visit_date}4", [["31/02/2026"]])
    standin.put_values(key, f"'{clients_tab}'!{name}5", [['=HYPERLINK("http://x")']])
    with client_for(standin, clock, account(standin, READER, readonly=True)) as reader:
        book = read_gsheet(reader, key, locale="it")
    result = sk.validate(book, as_of=AS_OF)
    found = {(i.sheet, i.cell, i.code) for i in result.issues}
    assert (clients_tab, f"{phone}3", "phone-as-number") in found
    assert (visits_tab, f"{visit_date}4", "impossible-date") in found
    assert book.data.clients.loc[5, "full_name"] == '=HYPERLINK("http://x")'  # text, kept as typed
    assert result.source == f"gsheets:{key}"


def test_unknown_locale_or_renamed_tab_costs_one_listing(standin: SheetsStandIn, clock: FakeClock) -> None:
    key, data = write_branch(standin, clock, template=SMALL_PREPARED, locale="vi", clients=8)
    before = len(standin.calls(kind="read"))
    with client_for(standin, clock, account(standin, READER, readonly=True)) as reader:
        unknown = read_gsheet(reader, key)  # tabs listed first: 2 reads
        wrong = read_gsheet(reader, key, locale="it")  # Italian tab names: 400, then list, then read: 3 reads
    assert len(standin.calls(kind="read")) - before == 5
    assert unknown.locale == wrong.locale == "vi"
    assert len(wrong.data.clients) == len(data.clients) == 8


def test_missing_tab_is_a_clear_error(standin: SheetsStandIn, clock: FakeClock) -> None:
    key = standin.create_spreadsheet(owner=READER, title="Not a sheetkit workbook", sheets=["Sheet1"])
    reader = client_for(standin, clock, account(standin, READER, readonly=True))
    with reader, pytest.raises(SheetNotFoundError) as err:
        read_gsheet(reader, key, locale="en")
    assert "'Sheet1'" in str(err.value)


def test_not_shared_and_unknown_key(standin: SheetsStandIn, clock: FakeClock) -> None:
    key, _ = write_branch(standin, clock, template=SMALL_PREPARED, share_with=())
    with client_for(standin, clock, account(standin, READER, readonly=True)) as reader:
        with pytest.raises(SheetsAccessError, match=f"not shared with {READER}"):
            read_gsheet(reader, key, locale="en")
        with pytest.raises(SheetsAccessError, match="no spreadsheet with this key"):
            read_gsheet(reader, "1" + "x" * 43, locale="en")


def test_transient_failures_are_retried_within_bounds(standin: SheetsStandIn, clock: FakeClock) -> None:
    key, _ = write_branch(standin, clock, template=SMALL_PREPARED, clients=5)
    with client_for(standin, clock, account(standin, READER, readonly=True), attempts=5, timeout=3.0) as reader:
        standin.fail_next(status=429, times=2, spreadsheet=key)
        standin.fail_next(status=500, times=1, spreadsheet=key, html=True)
        standin.delay_next(seconds=3.5, times=1, spreadsheet=key)
        book = read_gsheet(reader, key, locale="en")
        assert len(book.data.clients) == 5
        assert reader.stats.retries == 4  # 2 x 429, one HTML 500, one timeout
        standin.fail_next(status=503, times=10, spreadsheet=key)
        with pytest.raises(SheetsUnavailableError, match="after 5 attempts") as err:
            read_gsheet(reader, key, locale="en")
        assert err.value.status == 503


def test_refused_credentials_and_read_only_scope(standin: SheetsStandIn, clock: FakeClock) -> None:
    info = standin.service_account("revoked@salon-chain.iam.gserviceaccount.com", project="salon-chain")
    other = standin.service_account("other@salon-chain.iam.gserviceaccount.com", project="salon-chain")
    info["private_key"] = other["private_key"]  # signed with a key Google does not know for this account
    info["private_key_id"] = "0" * 40
    revoked = sk.gsheets.auth.account_from_info(info, readonly=True)
    key, _ = write_branch(
        standin, clock, template=SMALL_PREPARED, share_with=("revoked@salon-chain.iam.gserviceaccount.com",)
    )
    with client_for(standin, clock, revoked) as reader, pytest.raises(SheetsAuthError, match="refused the credentials"):
        read_gsheet(reader, key, locale="en")


def test_credentials_and_personal_data_never_logged(
    standin: SheetsStandIn, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    key, data = write_branch(standin, clock, template=SMALL_PREPARED, clients=5)
    info = standin.service_account(READER, project="salon-chain")
    caplog.set_level(logging.DEBUG)
    with client_for(standin, clock, sk.gsheets.auth.account_from_info(info, readonly=True)) as reader:
        read_gsheet(reader, key, locale="en")
    text = caplog.text
    assert info["private_key_id"] not in text
    assert "BEGIN PRIVATE KEY" not in text
    assert "ya29" not in text
    assert "Bearer" not in text
    assert str(data.clients["full_name"].iloc[0]) not in text
    assert "private_key" not in repr(sk.gsheets.auth.account_from_info(info, readonly=True))


def test_user_oauth_consent_once_then_saved_token(standin: SheetsStandIn, clock: FakeClock, tmp_path: Path) -> None:
    manager = "manager@salon.example"
    key, _ = write_branch(standin, clock, template=SMALL_PREPARED, clients=4, share_with=(manager,))
    info = standin.authorized_user(manager, project="salon-chain", scopes=[sk.gsheets.auth.READ_SCOPES[0]])
    client_file = tmp_path / "client.json"
    client_file.write_text(json.dumps({"installed": {"client_id": info["client_id"]}}), encoding="utf-8")
    token = tmp_path / "token" / "authorized_user.json"
    asked: list[list[str]] = []

    def consent(path: Path, scopes: Sequence[str]) -> Credentials:
        asked.append(list(scopes))  # the browser would open here
        return Credentials.from_authorized_user_info(info, scopes=list(scopes))

    first = load_account(readonly=True, oauth_client=client_file, token_file=token, environ={}, consent=consent)
    again = load_account(readonly=True, oauth_client=client_file, token_file=token, environ={}, consent=consent)
    assert asked == [["https://www.googleapis.com/auth/spreadsheets.readonly"]]  # consent once, narrowest scope
    assert token.stat().st_mode & 0o077 == 0  # readable by the user only
    assert "refresh_token" in json.loads(token.read_text())
    for acct in (first, again):
        with client_for(standin, clock, acct) as reader:
            assert len(read_gsheet(reader, key, locale="en").data.clients) == 4


def test_no_credentials_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(SheetsAuthError, match="--service-account"):
        load_account(readonly=True, token_file=tmp_path / "none.json", environ={})
    broken = tmp_path / "key.json"
    broken.write_text('{"type": "service_account", "client_email": "x@y"}', encoding="utf-8")
    with pytest.raises(SheetsAuthError, match="incomplete or damaged") as err:
        load_account(readonly=True, service_account_file=broken, environ={})
    assert str(broken) in str(err.value)


class _Impostor(LocalGoogleAdapter):
    """Answers batchGet requests with a fixed reply, as a proxy or captive portal would; the rest goes on."""

    __attrs__ = [*LocalGoogleAdapter.__attrs__, "reply"]  # noqa: RUF012

    def __init__(self, standin: SheetsStandIn, reply: tuple[int, str, bytes]) -> None:
        self.reply = reply
        super().__init__(standin)

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        if ":batchGet" not in (request.url or ""):
            return super().send(request, *args, **kwargs)
        status, kind, body = self.reply
        response = requests.Response()
        response.status_code, response._content, response.url, response.request = status, body, request.url, request
        response.headers["Content-Type"] = kind
        return response


@pytest.mark.parametrize(
    ("reply", "error", "message"),
    [
        ((200, "text/html", b"<html>Sign in to the hotel Wi-Fi</html>"), SheetsUnavailableError, "could not be read"),
        ((200, "application/json", b"[1, 2]"), SheetsUnavailableError, "not a JSON object"),
        ((400, "application/json", b'{"error": "bad_request"}'), SheetsUnavailableError, "could not be read"),
        ((200, "application/json", b'{"valueRanges": [{"values": [["x"]]}]}'), SheetsError, "of the 10 tabs"),
        (
            (
                403,
                "application/json",
                b'{"error": {"code": 403, "message": "Google Sheets API has not been used in '
                b'project 1 before or it is disabled.", "status": "PERMISSION_DENIED", "details": [{"@type": '
                b'"type.googleapis.com/google.rpc.ErrorInfo", "reason": "SERVICE_DISABLED"}]}}',
            ),
            SheetsAuthError,
            "not enabled",
        ),
    ],
)
def test_answers_that_are_not_the_sheets_api_become_sheetkit_errors(
    standin: SheetsStandIn, clock: FakeClock, reply: tuple[int, str, bytes], error: type[Exception], message: str
) -> None:
    key, _ = write_branch(standin, clock, template=SMALL_PREPARED, clients=3)
    acct = account(standin, READER, readonly=True)
    client = SheetsClient(acct, transport=_Impostor(standin, reply), clock=clock, retry=RetryPolicy(attempts=2))
    with client, pytest.raises(error, match=message):
        read_gsheet(client, key, locale="en")


def test_a_429_moves_to_the_next_account_or_waits_out_the_window(standin: SheetsStandIn, clock: FakeClock) -> None:
    second = "reader-2@salon-chain.iam.gserviceaccount.com"
    key, _ = write_branch(standin, clock, template=SMALL_PREPARED, clients=3, share_with=(READER, second))
    accounts = [account(standin, READER, readonly=True), account(standin, second, readonly=True)]
    with client_for(standin, clock, accounts) as both:
        standin.fail_next(status=429, times=1, spreadsheet=key)
        start = clock.now()
        read_gsheet(both, key, locale="en")
        assert clock.now() - start < 5  # no minute-long wait: the other account took over
    reads = standin.calls(kind="read", spreadsheet=key)
    assert [c.status for c in reads[-2:]] == [429, 200]
    assert reads[-1].user == second  # injected faults answer before the caller is identified
    with client_for(standin, clock, account(standin, READER, readonly=True)) as alone:
        standin.fail_next(status=429, times=1, spreadsheet=key)
        start = clock.now()
        read_gsheet(alone, key, locale="en")
        assert 60 <= clock.now() - start < 70  # one account: the limiter waits out Google's window once


def test_a_write_is_not_sent_twice_when_its_answer_is_lost(standin: SheetsStandIn, clock: FakeClock) -> None:
    before = len(standin.books)
    writer = client_for(standin, clock, account(standin, WRITER, readonly=False), timeout=1.0)
    standin.delay_next(seconds=1.5, times=1, kind="write")
    with writer, pytest.raises(SheetsUnavailableError, match="may have applied it"):
        sk.write_gsheet(writer, locale="en")
    time.sleep(0.6)  # the stand-in finishes the slow create
    assert len(standin.books) == before + 1  # the create reached Google once and was not repeated


def test_emulator_address_is_checked() -> None:
    with pytest.raises(UsageError, match="not an address"):
        transport_from_env({ENV_EMULATOR: "127.0.0.1:8085"})
