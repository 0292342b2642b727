"""Contract tests of the Sheets stand-in: it must answer recorded Google traffic exactly as Google did.

Every recorded request of the ten cassettes in ``tests/sheets_standin/cassettes`` (notes §0) is sent, run
by run, on a fresh stand-in through a real google-auth ``AuthorizedSession`` (service-account JWT grant
against the local token endpoint); the replies are compared with the recorded ones (notes §8, see
``tests/sheets_standin/replay.py``).  Negative controls break the stand-in on purpose and check the
comparison notices.  The rest drives the stand-in through gspread's public API, quota and scopes.

No endpoint of the ten cassettes is out of scope; the replayer would skip Drive export/comments/
permissions/copy and uploads (``replay.OUT_OF_SCOPE``).  With ``SHEETS_CASSETTES_DIR`` pointing at all
124 gspread cassettes, ``test_replay_every_in_scope_cassette`` replays the others too.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import gspread
import pytest
from google.auth.transport.requests import AuthorizedSession, Request
from google.oauth2 import service_account
from gspread.http_client import HTTPClient

from tests.sheets_standin import FakeClock, LocalGoogleAdapter, SheetsStandIn
from tests.sheets_standin.fixtures import fake_clock, sheets_standin
from tests.sheets_standin.replay import Interaction, Outcome, Replayer, load, runs
from tests.sheets_standin.sheets_api import SheetsApi

__all__ = ["fake_clock", "sheets_standin"]  # fixtures used below

CASSETTES = Path(__file__).parent / "sheets_standin" / "cassettes"
CORE = [
    "ClientTest.test_open_by_key_has_metadata",
    "ClientTest.test_access_non_existing_spreadsheet",
    "SpreadsheetTest.test_values_batch_get",
    "WorksheetTest.test_get_all_values_date_time_render_options",
    "WorksheetTest.test_append_row_with_empty_value_and_table_range",
    "WorksheetTest.test_batch_update",
    "WorksheetTest.test_add_validation",
    "WorksheetTest.test_add_protected_range_normal",
    "WorksheetTest.test_freeze",
    "CellTest.test_define_named_range",
]
SCOPES = ["https://www.googleapis.com/auth/spreadsheets", "https://www.googleapis.com/auth/drive"]
READONLY = ["https://www.googleapis.com/auth/spreadsheets.readonly"]
RECORDER = "replay@gspread-cassettes.iam.gserviceaccount.com"
READER = "reader@salon-chain.iam.gserviceaccount.com"
OWNER = "manager@salon.example"
# Cassettes of the full gspread set whose requests are outside sheetkit's scope (notes §8.4).
OUT_OF_SCOPE_CASSETTES = {
    "CellTest.test_merge_cells": "mergeCells",
    "ClientTest.test_copy": "Drive files.copy",
    "ClientTest.test_import_csv": "Drive upload (v2)",
    "ClientTest.test_open_all_has_metadata": "Drive list of the recording account's other files",
    "ClientTest.test_openall": "Drive list of the recording account's other files",
    "WorksheetTest.test_auto_resize_columns": "autoResizeDimensions",
    "WorksheetTest.test_batch_merged_cells": "mergeCells",
    "WorksheetTest.test_copy_cut_range": "copyPaste / cutPaste",
    "WorksheetTest.test_delete_cols": "deleteDimension",
    "WorksheetTest.test_delete_row": "deleteDimension",
    "WorksheetTest.test_get_merge_cells_and_unmerge_cells": "mergeCells / unmergeCells",
    "WorksheetTest.test_get_values_and_combine_merged_cells": "mergeCells",
    "WorksheetTest.test_get_values_merge_cells_from_centre_of_sheet": "mergeCells",
    "WorksheetTest.test_get_values_merge_cells_outside_of_range": "mergeCells",
    "WorksheetTest.test_get_values_merge_cells_with_named_range": "mergeCells",
    "WorksheetTest.test_group_columns": "addDimensionGroup",
    "WorksheetTest.test_group_rows": "addDimensionGroup",
    "WorksheetTest.test_insert_cols": "insertDimension",
    "WorksheetTest.test_insert_row": "insertDimension",
    "WorksheetTest.test_sort": "sortRange",
}


def _core_runs() -> Iterator[Any]:
    for name in CORE:
        for index, run in enumerate(runs(load(CASSETTES / f"{name}.json"))):
            yield pytest.param(run, id=f"{name}[run{index}]")


def replay(run: list[Interaction], standin_class: type[SheetsStandIn] = SheetsStandIn) -> Outcome:
    """One recording run on a fresh stand-in, through a real AuthorizedSession with the adapter mounted."""
    with standin_class(clock=FakeClock()) as standin:
        info = standin.service_account(RECORDER, project="gspread-cassettes")
        credentials = service_account.Credentials.from_service_account_info(info, scopes=SCOPES)
        session = AuthorizedSession(credentials, auth_request=Request(session=standin.session()))
        session.trust_env = False
        adapter = LocalGoogleAdapter(standin)
        session.mount("https://", adapter)
        session.mount("http://", adapter)
        with session:

            def foreign() -> str:  # someone else's spreadsheet, for recorded 403s
                return standin.create_spreadsheet(owner="stranger@example.com", title="Private")

            outcome = Replayer(session, foreign=foreign).replay(run)
        assert standin.internal_errors == []
        assert standin.calls(kind="token"), "the session never fetched a token from the stand-in"
    return outcome


@pytest.mark.parametrize("run", list(_core_runs()))
def test_replay_matches_recording(run: list[Interaction]) -> None:
    outcome = replay(run)
    assert outcome.mismatches == []
    assert outcome.skipped == []
    assert outcome.replayed == len(run)


def test_every_core_cassette_has_its_runs() -> None:
    counts = {name: len(runs(load(CASSETTES / f"{name}.json"))) for name in CORE}
    # Most hold two recording runs; these three were recorded once.
    single = {
        "WorksheetTest.test_add_validation",
        "WorksheetTest.test_add_protected_range_normal",
        "CellTest.test_define_named_range",
    }
    assert counts == {name: 1 if name in single else 2 for name in CORE}


@pytest.mark.skipif(not os.environ.get("SHEETS_CASSETTES_DIR"), reason="set SHEETS_CASSETTES_DIR to all cassettes")
def test_replay_every_in_scope_cassette() -> None:
    folder = Path(os.environ["SHEETS_CASSETTES_DIR"])
    failures = {}
    for path in sorted(folder.glob("*.json")):
        if path.stem in OUT_OF_SCOPE_CASSETTES:
            continue
        for index, run in enumerate(runs(load(path))):
            outcome = replay(run)
            if outcome.mismatches:
                failures[f"{path.stem}[run{index}]"] = outcome.mismatches[:3]
    assert failures == {}


# ---------------------------------------------------------------- negative controls: the comparison bites
class _NumbersAsStrings(SheetsApi):
    def values_out(self, rows: list[list[Any]]) -> list[list[Any]]:
        return [[str(v) if isinstance(v, int | float) and not isinstance(v, bool) else v for v in r] for r in rows]


class _AlwaysQuoted(SheetsApi):
    def range_name(self, sheet: Any, box: tuple[int, int, int, int]) -> str:
        name = super().range_name(sheet, box)
        return name if name.startswith("'") else "'" + name.replace("!", "'!", 1)


class _NeverQuoted(SheetsApi):
    def range_name(self, sheet: Any, box: tuple[int, int, int, int]) -> str:
        from tests.sheets_standin import a1

        return f"{sheet.title}!{a1.box_name(*box)}"


@pytest.mark.parametrize(
    ("api", "cassette", "symptom"),
    [
        (_NumbersAsStrings, "WorksheetTest.test_get_all_values_date_time_render_options", "type int recorded, string"),
        (_AlwaysQuoted, "WorksheetTest.test_batch_update", "'Sheet1!A1:Z1000' recorded, \"'Sheet1'!A1:Z1000\""),
        (_NeverQuoted, "SpreadsheetTest.test_values_batch_get", "'🌵 test_values_batch_get 1'!A1:C2"),
    ],
)
def test_broken_standin_fails_the_replay(api: type[SheetsApi], cassette: str, symptom: str) -> None:
    broken = type(f"Broken{api.__name__}", (SheetsStandIn,), {"api_class": api})
    outcome = replay(runs(load(CASSETTES / f"{cassette}.json"))[0], broken)
    assert outcome.mismatches, "a deliberately broken stand-in passed the replay: the comparison is blind"
    assert any(symptom in m for m in outcome.mismatches), outcome.mismatches[:5]


def test_comparison_tells_types_keys_and_ids_apart() -> None:
    compare = Replayer(session=None).compare
    assert compare({"values": [[2, "a"]]}, {"values": [[2, "a"]]}) == []
    assert compare({"values": [[2]]}, {"values": [[2.0]]}) == ["$.values[0][0]: type int recorded, float served (2.0)"]
    assert compare({"a": 1}, {"a": 1, "b": 2}) == ["$: extra keys ['b']"]
    assert compare({"range": "Sheet1!A1"}, {"range": "'Sheet1'!A1"}) != []
    assert compare({"createdTime": "2023-07-25T15:41:37.158Z"}, {"createdTime": "2027-01-15T08:00:00.000Z"}) == []
    ids = Replayer(session=None)
    assert ids.compare({"sheetId": 901015854}, {"sheetId": 7}) == []
    assert ids.compare({"sheetId": 901015854}, {"sheetId": 8}) != []  # the mapping must stay consistent


# ---------------------------------------------------------------- through gspread's public API
def _authorized(standin: SheetsStandIn, info: dict[str, Any], scopes: list[str]) -> AuthorizedSession:
    return standin.authorized_session(info, scopes)


def _salon(standin: SheetsStandIn) -> str:
    key = standin.create_spreadsheet(owner=OWNER, title="Branch HN01", locale="vi_VN", sheets=["Khách hàng", "Lists"])
    standin.put_values(
        key, "'Khách hàng'!A1", [["Tên", "Điện thoại", "Ngày sinh", "Chi tiêu"], ["An", "0912345678", 36162, 1500000.5]]
    )
    standin.share(key, READER, role="reader")
    return key


def test_gspread_reads_through_the_standin(sheets_standin: SheetsStandIn) -> None:
    key = _salon(sheets_standin)
    session = _authorized(sheets_standin, sheets_standin.service_account(READER, project="salon-chain"), SCOPES)
    client = gspread.Client(auth=None, session=session, http_client=HTTPClient)  # type: ignore[arg-type]
    spreadsheet = client.open_by_key(key)
    assert spreadsheet.title == "Branch HN01"
    assert spreadsheet.locale == "vi_VN"
    tab = spreadsheet.worksheet("Khách hàng")
    assert (tab.row_count, tab.col_count) == (1000, 26)
    assert tab.get("A1:B2") == [["Tên", "Điện thoại"], ["An", "0912345678"]]
    assert tab.get("D2", value_render_option=gspread.utils.ValueRenderOption.formatted) == [["1500000,5"]]
    unformatted = tab.get("A2:D2", value_render_option=gspread.utils.ValueRenderOption.unformatted)
    assert unformatted == [["An", "0912345678", 36162, 1500000.5]]
    params = {"valueRenderOption": "UNFORMATTED_VALUE"}
    batch = spreadsheet.values_batch_get(["'Khách hàng'!A:A", "Lists"], params=params)
    assert batch["valueRanges"] == [
        {"range": "'Khách hàng'!A1:A1000", "majorDimension": "ROWS", "values": [["Tên"], ["An"]]},
        {"range": "Lists!A1:Z1000", "majorDimension": "ROWS"},
    ]
    reads = sheets_standin.calls(kind="read", user=READER)
    assert [c.endpoint for c in reads] == [
        "sheets.get",
        "sheets.get",
        "values.get",
        "values.get",
        "values.get",
        "values.batchGet",
    ]


def test_gspread_errors_not_shared_unknown_and_read_only(sheets_standin: SheetsStandIn) -> None:
    key = _salon(sheets_standin)
    private = sheets_standin.create_spreadsheet(owner=OWNER, title="Other branch")
    reader = _authorized(sheets_standin, sheets_standin.service_account(READER, project="salon-chain"), SCOPES)
    client = gspread.Client(auth=None, session=reader)  # type: ignore[arg-type]
    with pytest.raises(PermissionError):
        client.open_by_key(private)
    with pytest.raises(gspread.exceptions.SpreadsheetNotFound):
        client.open_by_key("1" + "x" * 43)
    tab = client.open_by_key(key).sheet1
    with pytest.raises(gspread.exceptions.APIError) as err:
        tab.update([["changed"]], "A1")
    assert err.value.code == 403
    assert err.value.error == {
        "code": 403,
        "message": "The caller does not have permission",
        "status": "PERMISSION_DENIED",
    }
    assert sheets_standin.book(key).sheets[0].value(0, 0) == {"stringValue": "Tên"}


def test_quota_429_then_recovers_after_a_minute(sheets_standin: SheetsStandIn, fake_clock: FakeClock) -> None:
    key = _salon(sheets_standin)
    session = _authorized(sheets_standin, sheets_standin.service_account(READER, project="salon-chain"), SCOPES)
    url = f"https://sheets.googleapis.com/v4/spreadsheets/{key}/values/A1"
    assert [session.get(url).status_code for _ in range(60)] == [200] * 60
    over = session.get(url)
    assert over.status_code == 429
    error = over.json()["error"]
    assert error["status"] == "RESOURCE_EXHAUSTED"
    assert error["message"].startswith(
        "Quota exceeded for quota metric 'Read requests' and limit 'Read requests per minute per user' of service "
        "'sheets.googleapis.com' for consumer 'project_number:"
    )
    info = error["details"][0]
    assert info["@type"] == "type.googleapis.com/google.rpc.ErrorInfo"
    assert info["reason"] == "RATE_LIMIT_EXCEEDED"
    assert info["metadata"]["quota_limit"] == "ReadRequestsPerMinutePerUser"
    assert info["metadata"]["quota_metric"] == "sheets.googleapis.com/read_requests"
    fake_clock.advance(59)
    assert session.get(url).status_code == 429
    fake_clock.advance(60)
    assert session.get(url).status_code == 200
    assert len(sheets_standin.calls(kind="read", status=429)) == 2


def test_read_only_token_cannot_write(sheets_standin: SheetsStandIn) -> None:
    key = sheets_standin.create_spreadsheet(owner=READER, title="Mine")
    session = _authorized(sheets_standin, sheets_standin.service_account(READER, project="salon-chain"), READONLY)
    base = f"https://sheets.googleapis.com/v4/spreadsheets/{key}"
    assert session.get(base).status_code == 200
    denied = session.put(f"{base}/values/A1?valueInputOption=RAW", json={"values": [["x"]]})
    assert denied.status_code == 403
    error = denied.json()["error"]
    assert error["message"] == "Request had insufficient authentication scopes."
    assert error["status"] == "PERMISSION_DENIED"
    assert error["details"][0]["reason"] == "ACCESS_TOKEN_SCOPE_INSUFFICIENT"
    assert error["details"][0]["metadata"]["method"] == "google.apps.sheets.v4.SpreadsheetsService.UpdateValues"
    assert sheets_standin.book(key).sheets[0].value(0, 0) is None
