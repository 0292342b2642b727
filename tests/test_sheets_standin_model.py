"""Behaviour of the Sheets stand-in beyond the recorded cassettes: values, batchUpdate rules, auth, faults."""

from __future__ import annotations

import copy
import threading
from dataclasses import dataclass
from typing import Any

import pytest
import requests
from google.auth import exceptions as auth_exceptions
from google.auth.transport.requests import AuthorizedSession, Request
from google.oauth2 import credentials as user_credentials
from google.oauth2 import service_account

from tests.sheets_standin import ApiError, FakeClock, LocalGoogleAdapter, SheetsStandIn
from tests.sheets_standin.fixtures import fake_clock, sheets_standin

__all__ = ["fake_clock", "sheets_standin"]  # fixtures used below

OWNER = "manager@salon.example"
WRITER = "writer@salon-chain.iam.gserviceaccount.com"
SHEETS = "https://sheets.googleapis.com/v4/spreadsheets"
ALL_SCOPES = ["https://www.googleapis.com/auth/spreadsheets", "https://www.googleapis.com/auth/drive"]


@dataclass
class Api:
    """An owner's session on one fresh spreadsheet (authorized-user credentials: no RSA key to load)."""

    standin: SheetsStandIn
    session: AuthorizedSession
    key: str

    @property
    def base(self) -> str:
        return f"{SHEETS}/{self.key}"

    def batch(self, *requests_: dict[str, Any]) -> requests.Response:
        return self.session.post(f"{self.base}:batchUpdate", json={"requests": list(requests_)})

    def put(self, rng: str, rows: list[list[Any]], option: str = "USER_ENTERED", **params: Any) -> requests.Response:
        return self.session.put(
            f"{self.base}/values/{rng}", params={"valueInputOption": option, **params}, json={"values": rows}
        )

    def get(self, rng: str, **params: Any) -> Any:
        response = self.session.get(f"{self.base}/values/{rng}", params=params)
        assert response.status_code == 200, response.text
        return response.json()

    def meta(self, **params: Any) -> Any:
        response = self.session.get(self.base, params=params)
        assert response.status_code == 200, response.text
        return response.json()

    @property
    def sheet(self) -> Any:
        return self.standin.book(self.key).sheets[0]


def error_of(response: requests.Response) -> tuple[int, str]:
    body = response.json()["error"]
    return body["code"], body["message"]


@pytest.fixture
def api(sheets_standin: SheetsStandIn) -> Api:
    info = sheets_standin.authorized_user(OWNER, project="salon-chain")
    key = sheets_standin.create_spreadsheet(owner=OWNER, title="Branch HN01", sheets=["Sheet1", "Lists"])
    return Api(sheets_standin, sheets_standin.authorized_session(info, ALL_SCOPES), key)


def grid(sheet_id: int = 0, r0: int = 0, r1: int = 1, c0: int = 0, c1: int = 1) -> dict[str, int]:
    return {"sheetId": sheet_id, "startRowIndex": r0, "endRowIndex": r1, "startColumnIndex": c0, "endColumnIndex": c1}


# ---------------------------------------------------------------- values: input
def test_raw_keeps_text_user_entered_parses_like_typing(api: Api) -> None:
    typed = [["=1+1", "2020-01-01", "12%", "2,000,000.01", "TRUE", "'007", "007", "", 5, True]]
    assert api.put("Sheet1!A1", typed, "RAW").status_code == 200
    assert [api.sheet.value(0, c) for c in range(4)] == [
        {"stringValue": "=1+1"},
        {"stringValue": "2020-01-01"},
        {"stringValue": "12%"},
        {"stringValue": "2,000,000.01"},
    ]
    assert api.put("Sheet1!A2", typed).json()["updatedCells"] == 10
    row = [api.sheet.value(1, c) for c in range(10)]
    assert row == [
        {"formulaValue": "=1+1"},
        {"numberValue": 43831},
        {"numberValue": 0.12},
        {"numberValue": 2000000.01},
        {"boolValue": True},
        {"stringValue": "007"},
        {"numberValue": 7},
        None,
        {"numberValue": 5},
        {"boolValue": True},
    ]
    assert api.sheet.number_format_at(1, 1) == {"type": "DATE", "pattern": "yyyy-mm-dd"}
    assert api.sheet.number_format_at(1, 2) == {"type": "PERCENT", "pattern": "0%"}
    assert api.get("Sheet1!A2:J2")["values"] == [
        ["2", "2020-01-01", "12%", "2,000,000.01", "TRUE", "007", "7", "", "5", "TRUE"]
    ]
    unformatted = api.get("Sheet1!A2:J2", valueRenderOption="UNFORMATTED_VALUE")["values"]
    assert unformatted == [[2, 43831, 0.12, 2000000.01, True, "007", 7, "", 5, True]]


def test_put_values_seeds_without_http_or_quota(api: Api) -> None:
    api.standin.put_values(api.key, "Lists!B2", [["=1+1", "2020-01-01"]])
    api.standin.put_values(api.key, "Lists!B3", [["=1+1", "2020-01-01"]], value_input="USER_ENTERED")
    lists = api.standin.book(api.key).sheets[1]
    assert [lists.value(1, 1), lists.value(2, 1), lists.value(2, 2)] == [
        {"stringValue": "=1+1"},
        {"formulaValue": "=1+1"},
        {"numberValue": 43831},
    ]
    assert api.standin.log == []
    with pytest.raises(ApiError, match="exceeds grid limits"):
        api.standin.put_values(api.key, "Lists!A1000", [[1], [2]])


def test_text_format_keeps_typed_digits_and_dates(api: Api) -> None:
    text = {"userEnteredFormat": {"numberFormat": {"type": "TEXT", "pattern": "@"}}}
    fields = "userEnteredFormat.numberFormat"
    assert api.batch({"repeatCell": {"range": grid(0, 0, 5, 0, 1), "cell": text, "fields": fields}}).status_code == 200
    api.put("Sheet1!A1:A2", [["0912345678"], ["2026-01-31"]])
    assert api.get("Sheet1!A1:A2", valueRenderOption="UNFORMATTED_VALUE")["values"] == [["0912345678"], ["2026-01-31"]]


def test_date_patterns_render_formatted_values(api: Api) -> None:
    formats = [
        ("DATE", "dd/mm/yyyy"),
        ("DATE_TIME", "yyyy-mm-dd hh:mm"),
        ("DATE", "d mmm yyyy"),
        ("TIME", "h:mm am/pm"),
    ]
    for col, (kind, pattern) in enumerate(formats):
        cell = {"userEnteredFormat": {"numberFormat": {"type": kind, "pattern": pattern}}}
        api.batch(
            {
                "repeatCell": {
                    "range": grid(0, 0, 1, col, col + 1),
                    "cell": cell,
                    "fields": "userEnteredFormat.numberFormat",
                }
            }
        )
    serial = 46053 + (14 * 60 + 5) / 1440  # 2026-01-31 14:05
    api.put("Sheet1!A1", [[46053, serial, 46053, serial]], "RAW")
    assert api.get("Sheet1!A1:D1")["values"] == [["31/01/2026", "2026-01-31 14:05", "31 Jan 2026", "2:05 PM"]]
    assert api.get("Sheet1!A1:D1", valueRenderOption="UNFORMATTED_VALUE", dateTimeRenderOption="FORMATTED_STRING")[
        "values"
    ] == [["31/01/2026", "2026-01-31 14:05", "31 Jan 2026", "2:05 PM"]]
    assert api.get("Sheet1!A1:B1", valueRenderOption="UNFORMATTED_VALUE")["values"] == [[46053, serial]]


def test_locale_decides_decimal_separator(api: Api) -> None:
    api.batch({"updateSpreadsheetProperties": {"properties": {"locale": "vi_VN"}, "fields": "locale"}})
    api.put("Sheet1!A1", [["1,5", "1.234.567,25", 0.25]])
    assert [api.sheet.value(0, c) for c in range(2)] == [{"numberValue": 1.5}, {"numberValue": 1234567.25}]
    assert api.get("Sheet1!A1:C1")["values"] == [["1,5", "1.234.567,25", "0,25"]]


def test_formulas_evaluate_arithmetic_refs_and_sum_only(api: Api) -> None:
    api.put("Sheet1!A1", [[2, 3, "=A1*B1", "=SUM(A1:C1)", "=1/0", "=VLOOKUP(1,A:B,2)", '=Lists!A1&"x"']])
    assert api.get("Sheet1!A1:G1", valueRenderOption="UNFORMATTED_VALUE")["values"] == [
        [2, 3, 6, 11, "#DIV/0!", "#NAME?", "x"]
    ]
    assert api.get("Sheet1!C1:D1", valueRenderOption="FORMULA")["values"] == [["=A1*B1", "=SUM(A1:C1)"]]


# ---------------------------------------------------------------- values: ranges and shapes
def test_response_ranges_are_clamped_and_quoted_like_google(api: Api) -> None:
    api.batch(
        {"addSheet": {"properties": {"title": "D3", "gridProperties": {"rowCount": 10, "columnCount": 4}}}},
        {"addSheet": {"properties": {"title": "It's"}}},
    )
    api.put("Sheet1!A1", [["a", "b"], ["c"]])
    assert api.get("'D3'")["range"] == "'D3'!A1:D10"
    assert api.get("D3")["range"] == "'D3'!A1:D10"  # a title wins over an A1 reading
    assert api.get("'D3'!A:A")["range"] == "'D3'!A1:A10"
    assert api.get("'It''s'!B2")["range"] == "'It''s'!B2"
    assert api.get("Sheet1!A1:1")["range"] == "Sheet1!A1:Z1"
    assert api.get("Sheet1!D4:A1")["range"] == "Sheet1!A1:D4"
    assert api.get("Sheet1!A1:C")["range"] == "Sheet1!A1:C1000"
    assert api.get("B1")["range"] == "Sheet1!B1"  # no title: the first sheet
    assert api.get("Sheet1!A1:B2", majorDimension="COLUMNS")["values"] == [["a", "c"], ["b"]]
    response = api.session.get(f"{api.base}/values/Nope!A1")
    assert error_of(response) == (400, "Unable to parse range: Nope!A1")


def test_named_range_as_a_values_range(api: Api) -> None:
    api.batch({"addNamedRange": {"namedRange": {"name": "prices", "range": grid(0, 1, 3, 1, 2)}}})
    api.put("Sheet1!B2:B3", [[10], [20]])
    assert api.get("prices") == {"range": "Sheet1!B2:B3", "majorDimension": "ROWS", "values": [["10"], ["20"]]}


def test_writes_past_the_grid_and_outside_the_range_are_refused(api: Api) -> None:
    assert error_of(api.put("Sheet1!A1:A2", [[1], [2], [3]])) == (
        400,
        "Requested writing within range [Sheet1!A1:A2], but tried writing to row [3]",
    )
    assert error_of(api.put("Sheet1!A1000", [[1], [2]])) == (
        400,
        "Range (Sheet1!A1000:A1001) exceeds grid limits. Max rows: 1000, max columns: 26",
    )
    assert error_of(api.put("Sheet1!A1:B1", [[1, 2, 3]])) == (
        400,
        "Requested writing within range [Sheet1!A1:B1], but tried writing to column [C]",
    )
    bad = api.session.put(f"{api.base}/values/A1", params={"valueInputOption": "RAW"}, json={"values": "X"})
    assert bad.json()["error"]["details"][0]["fieldViolations"][0]["field"] == "data.values"
    assert error_of(api.session.put(f"{api.base}/values/A1", json={"values": [[1]]})) == (
        400,
        "'valueInputOption' is required but not specified",
    )
    assert api.sheet.cells == {}


def test_append_finds_the_table_and_grows_the_grid(api: Api) -> None:
    url = f"{api.base}/values/Sheet1!A1:append"
    api.put("Sheet1!A1", [["name", "phone"], ["An", "1"], ["Bình", "2"]])
    api.standin.book(api.key).sheets[0].grid["rowCount"] = 3
    reply = api.session.post(url, params={"valueInputOption": "RAW"}, json={"values": [["Chi", "3"], ["Dũng", "4"]]})
    assert reply.json()["tableRange"] == "Sheet1!A1:B3"
    assert reply.json()["updates"]["updatedRange"] == "Sheet1!A4:B5"
    assert api.sheet.row_count == 5
    inserted = api.session.post(
        url, params={"valueInputOption": "RAW", "insertDataOption": "INSERT_ROWS"}, json={"values": [["Em", "5"]]}
    )
    assert inserted.json()["updates"]["updatedRange"] == "Sheet1!A6:B6"
    assert api.sheet.row_count == 6


def test_values_batch_update_is_atomic_and_counts_distinct_rows_and_columns(api: Api) -> None:
    url = f"{api.base}/values:batchUpdate"
    bad = {
        "valueInputOption": "RAW",
        "data": [{"range": "Sheet1!A1", "values": [[1]]}, {"range": "Sheet1!A1001", "values": [[2]]}],
    }
    assert api.session.post(url, json=bad).status_code == 400
    assert api.sheet.cells == {}
    good = {
        "valueInputOption": "RAW",
        "includeValuesInResponse": True,
        "data": [{"range": "Sheet1!A1:B1", "values": [[1, 2]]}, {"range": "Lists!A3", "values": [["x"]]}],
    }
    reply = api.session.post(url, json=good).json()
    assert (reply["totalUpdatedRows"], reply["totalUpdatedColumns"], reply["totalUpdatedCells"]) == (2, 3, 3)
    assert reply["totalUpdatedSheets"] == 2
    assert reply["responses"][0]["updatedData"] == {
        "range": "Sheet1!A1:B1",
        "majorDimension": "ROWS",
        "values": [["1", "2"]],
    }


def test_clear_keeps_formats_and_validation(api: Api) -> None:
    rule = {"condition": {"type": "ONE_OF_LIST", "values": [{"userEnteredValue": "y"}]}}
    api.batch({"setDataValidation": {"range": grid(), "rule": rule}})
    api.put("A1", [["2020-01-01"]])
    cleared = api.session.post(f"{api.base}/values/Sheet1:clear").json()
    assert cleared["clearedRange"] == "Sheet1!A1:Z1000"
    assert api.sheet.value(0, 0) is None
    assert api.sheet.number_format_at(0, 0) == {"type": "DATE", "pattern": "yyyy-mm-dd"}
    assert api.sheet.validation_at(0, 0) == rule


# ---------------------------------------------------------------- spreadsheets.batchUpdate
def test_batch_update_is_atomic(api: Api) -> None:
    reply = api.batch(
        {"addSheet": {"properties": {"title": "New"}}},
        {"updateSheetProperties": {"properties": {"sheetId": 0, "title": "Lists"}, "fields": "title"}},
    )
    assert error_of(reply) == (
        400,
        'Invalid requests[1].updateSheetProperties: A sheet with the name "Lists" already exists. Please enter '
        "another name.",
    )
    assert [s.title for s in api.standin.book(api.key).sheets] == ["Sheet1", "Lists"]


def test_request_shapes_are_checked_like_google(api: Api) -> None:
    assert error_of(api.batch({"addConditionalFormat": {}})) == (
        400,
        "Invalid JSON payload received. Unknown name \"addConditionalFormat\" at 'requests[0]': Cannot find field.",
    )
    assert error_of(api.batch({"addSheet": {"properties": {"titel": "x"}}})) == (
        400,
        "Invalid JSON payload received. Unknown name \"titel\" at 'requests[0].add_sheet.properties': Cannot find "
        "field.",
    )
    bad_index = {"repeatCell": {"range": {"startRowIndex": "one"}, "cell": {}, "fields": "note"}}
    assert error_of(api.batch(bad_index)) == (
        400,
        "Invalid value at 'requests[0].repeat_cell.range.start_row_index' (TYPE_INT32), \"one\"",
    )
    outside = {"repeatCell": {"range": grid(0, 0, 1001, 0, 1), "cell": {}, "fields": "note"}}
    assert error_of(api.batch(outside)) == (
        400,
        "Invalid requests[0].repeatCell: Range (Sheet1!A1:A1001) exceeds grid limits. Max rows: 1000, max columns: 26",
    )
    assert error_of(api.batch({"repeatCell": {"range": grid(99), "cell": {}, "fields": "note"}})) == (
        400,
        "Invalid requests[0].repeatCell: No grid with id: 99",
    )
    assert error_of(api.batch({"mergeCells": {"range": grid(), "mergeType": "MERGE_ALL"}}))[0] == 501
    assert error_of(api.session.post(f"{api.base}:batchUpdate", json={"requests": []})) == (
        400,
        "Must specify at least one request.",
    )
    hide_all = {"updateSheetProperties": {"properties": {"sheetId": 0, "hidden": True}, "fields": "hidden"}}
    assert api.batch(hide_all).status_code == 200  # Lists is still visible
    lists = api.standin.book(api.key).sheets[1].sheet_id
    assert error_of(
        api.batch({"updateSheetProperties": {"properties": {"sheetId": lists, "hidden": True}, "fields": "hidden"}})
    ) == (
        400,
        "Invalid requests[0].updateSheetProperties: You can't hide all the sheets in a document.",
    )


def test_sheet_properties_masks_and_reply(api: Api) -> None:
    added = api.batch(
        {
            "addSheet": {
                "properties": {"title": "🌵 Tab", "index": 0, "gridProperties": {"rowCount": 10, "columnCount": 4}}
            }
        }
    )
    props = added.json()["replies"][0]["addSheet"]["properties"]
    assert isinstance(props["sheetId"], int)
    assert props["sheetId"] > 0
    assert {k: props[k] for k in ("title", "index", "sheetType", "gridProperties")} == {
        "title": "🌵 Tab",
        "index": 0,
        "sheetType": "GRID",
        "gridProperties": {"rowCount": 10, "columnCount": 4},
    }
    frozen = {
        "properties": {"sheetId": 0, "gridProperties": {"frozenRowCount": 1}},
        "fields": "gridProperties.frozenRowCount",
    }
    api.batch({"updateSheetProperties": frozen})
    shown = api.meta(fields="sheets.properties")["sheets"]
    assert [s["properties"]["index"] for s in shown] == [0, 1, 2]
    assert shown[1]["properties"]["gridProperties"] == {"rowCount": 1000, "columnCount": 26, "frozenRowCount": 1}
    api.batch({"updateSheetProperties": {"properties": {"sheetId": 0}, "fields": "gridProperties/frozenRowCount"}})
    assert (
        "frozenRowCount"
        not in api.meta(fields="sheets.properties.gridProperties")["sheets"][1]["properties"]["gridProperties"]
    )
    api.batch({"updateSheetProperties": {"properties": {"sheetId": 0, "index": 3}, "fields": "index"}})
    assert [s.title for s in api.standin.book(api.key).sheets] == ["🌵 Tab", "Lists", "Sheet1"]


def test_data_validation_rules_and_read_back(api: Api) -> None:
    lists = api.standin.book(api.key).sheets[1].sheet_id
    rules = [
        {
            "condition": {"type": "ONE_OF_LIST", "values": [{"userEnteredValue": "Có"}, {"userEnteredValue": "Không"}]},
            "strict": True,
            "showCustomUi": True,
        },
        {"condition": {"type": "ONE_OF_RANGE", "values": [{"userEnteredValue": "=Lists!$A$2:$A$50"}]}},
        {"condition": {"type": "DATE_IS_VALID"}, "strict": True, "inputMessage": "A date"},
        {
            "condition": {
                "type": "DATE_BETWEEN",
                "values": [{"userEnteredValue": "=DATE(1900,1,1)"}, {"userEnteredValue": "=TODAY()"}],
            }
        },
        {"condition": {"type": "NUMBER_BETWEEN", "values": [{"userEnteredValue": "0"}, {"userEnteredValue": "100"}]}},
        {"condition": {"type": "CUSTOM_FORMULA", "values": [{"userEnteredValue": "=LEN(F2)<=32"}]}, "strict": False},
    ]
    for col, rule in enumerate(rules):
        reply = api.batch({"setDataValidation": {"range": grid(0, 1, 3, col, col + 1), "rule": rule}})
        assert reply.status_code == 200, reply.text
    api.batch({"addNamedRange": {"namedRange": {"name": "yes_no", "range": grid(lists, 1, 3, 0, 1)}}})
    named = {"condition": {"type": "ONE_OF_RANGE", "values": [{"userEnteredValue": "=yes_no"}]}}
    assert api.batch({"setDataValidation": {"range": grid(0, 1, 3, 6, 7), "rule": named}}).status_code == 200
    assert api.sheet.validation_at(2, 2) == {
        "condition": {"type": "DATE_IS_VALID"},
        "strict": True,
        "inputMessage": "A date",
    }
    assert api.sheet.validation_at(0, 0) is None
    assert len(api.sheet.data_validations) == 14  # stored per cell: 7 rules x 2 rows
    read = api.meta(ranges="Sheet1!A2:F2", fields="sheets.data.rowData.values.dataValidation")
    stored = [v["dataValidation"] for v in read["sheets"][0]["data"][0]["rowData"][0]["values"]]
    assert stored[0] == rules[0]
    assert stored[5] == {"condition": rules[5]["condition"]}  # strict false is omitted (proto3)
    refused = {
        "ONE_OF_LIST": {"type": "ONE_OF_LIST"},
        "DATE_IS_VALID": {"type": "DATE_IS_VALID", "values": [{"userEnteredValue": "2020-01-01"}]},
        "CUSTOM_FORMULA": {"type": "CUSTOM_FORMULA", "values": [{"userEnteredValue": "LEN(A1)<5"}]},
        "ONE_OF_RANGE": {"type": "ONE_OF_RANGE", "values": [{"userEnteredValue": "=missing_list"}]},
        "NUMBER_BETWEEN": {"type": "NUMBER_BETWEEN", "values": [{"userEnteredValue": "a"}, {"userEnteredValue": "9"}]},
        "BLANK": {"type": "BLANK"},
    }
    for kind, condition in refused.items():
        reply = api.batch({"setDataValidation": {"range": grid(), "rule": {"condition": condition}}})
        code, message = error_of(reply)
        assert code == 400
        assert message.startswith("Invalid requests[0].setDataValidation: "), message
        assert kind in message
    enum = api.batch({"setDataValidation": {"range": grid(), "rule": {"condition": {"type": "TEXT_LENGTH"}}}})
    assert error_of(enum) == (
        400,
        "Invalid value at 'requests[0].set_data_validation.rule.condition.type' "
        '(type.googleapis.com/google.apps.sheets.v4.ConditionType), "TEXT_LENGTH"',
    )
    api.batch({"setDataValidation": {"range": grid(0, 1, 3, 0, 1)}})  # no rule: cleared
    assert api.sheet.validation_at(1, 0) is None


def test_conditional_formats_read_back_normalized(api: Api) -> None:
    rule = {
        "ranges": [grid(0, 1, 50, 0, 4)],
        "booleanRule": {
            "condition": {"type": "CUSTOM_FORMULA", "values": [{"userEnteredValue": "=$D2>30"}]},
            "format": {"backgroundColor": {"red": 0.5, "green": 0, "blue": 1.0}, "textFormat": {"bold": True}},
        },
    }
    second = copy.deepcopy(rule)
    second["booleanRule"]["condition"] = {"type": "NUMBER_GREATER", "values": [{"userEnteredValue": "100"}]}
    assert api.batch(
        {"addConditionalFormatRule": {"rule": rule, "index": 0}},
        {"addConditionalFormatRule": {"rule": second, "index": 0}},
    ).json()["replies"] == [{}, {}]
    shown = api.meta(fields="sheets.conditionalFormats")["sheets"]
    assert shown[1] == {}
    first = shown[0]["conditionalFormats"][1]
    assert first == {
        "ranges": [{"startRowIndex": 1, "endRowIndex": 50, "startColumnIndex": 0, "endColumnIndex": 4}],
        "booleanRule": {
            "condition": {"type": "CUSTOM_FORMULA", "values": [{"userEnteredValue": "=$D2>30"}]},
            "format": {
                "backgroundColor": {"red": 0.49803922, "blue": 1},
                "backgroundColorStyle": {"rgbColor": {"red": 0.49803922, "blue": 1}},
                "textFormat": {"bold": True},
            },
        },
    }
    assert shown[0]["conditionalFormats"][0]["booleanRule"]["condition"]["type"] == "NUMBER_GREATER"
    bad = copy.deepcopy(rule)
    bad["booleanRule"]["format"]["numberFormat"] = {"type": "NUMBER"}
    assert error_of(api.batch({"addConditionalFormatRule": {"rule": bad}}))[1].startswith(
        "Invalid requests[0].addConditionalFormatRule: Conditional formatting cannot set numberFormat"
    )
    deleted = api.batch({"deleteConditionalFormatRule": {"sheetId": 0, "index": 0}}).json()["replies"][0]
    assert deleted["deleteConditionalFormatRule"]["rule"]["booleanRule"]["condition"]["type"] == "NUMBER_GREATER"
    assert len(api.sheet.conditional_formats) == 1


def test_protected_ranges_warning_only_editors_and_enforcement(api: Api, sheets_standin: SheetsStandIn) -> None:
    both = {"protectedRange": {"range": grid(), "warningOnly": True, "editors": {"users": [OWNER]}}}
    assert error_of(api.batch({"addProtectedRange": both})) == (
        400,
        "Invalid requests[0].addProtectedRange: ProtectedRange is warningOnly. Editors cannot be set on it.",
    )
    hard = {"protectedRange": {"range": grid(0, 0, 1, 0, 4), "description": "header"}}
    soft = {"protectedRange": {"range": grid(0, 1, 5, 0, 1), "warningOnly": True}}
    reply = api.batch({"addProtectedRange": hard}, {"addProtectedRange": soft}).json()["replies"]
    added = reply[0]["addProtectedRange"]["protectedRange"]
    assert added["editors"] == {}
    assert added["requestingUserCanEdit"] is True
    listed = api.meta()["sheets"][0]["protectedRanges"]
    assert listed[0]["editors"] == {"users": [OWNER]}
    assert listed[1]["warningOnly"] is True
    sheets_standin.share(api.key, WRITER, role="writer")
    writer = sheets_standin.authorized_session(sheets_standin.authorized_user(WRITER), ALL_SCOPES)
    blocked = writer.put(f"{api.base}/values/A1", params={"valueInputOption": "RAW"}, json={"values": [["x"]]})
    assert error_of(blocked)[1].startswith("You are trying to edit a protected cell or object.")
    allowed = writer.put(f"{api.base}/values/A2", params={"valueInputOption": "RAW"}, json={"values": [["x"]]})
    assert allowed.status_code == 200  # warning-only
    assert api.put("A1", [["owner may"]]).status_code == 200
    pid = added["protectedRangeId"]
    assert api.batch({"deleteProtectedRange": {"protectedRangeId": pid}}).status_code == 200
    assert writer.put(f"{api.base}/values/A1", params={"valueInputOption": "RAW"}, json={"values": [["x"]]}).ok


def test_repeat_cell_formats_formulas_and_dimensions(api: Api) -> None:
    header = {
        "userEnteredFormat": {
            "backgroundColor": {"red": 1, "green": 0.8, "blue": 0.4},
            "textFormat": {"bold": True},
            "wrapStrategy": "WRAP",
        }
    }
    formula = {
        "userEnteredValue": {"formulaValue": "=A2*$B$1"},
        "userEnteredFormat": {"numberFormat": {"type": "NUMBER", "pattern": "#,##0.00"}},
    }
    replies = api.batch(
        {
            "repeatCell": {
                "range": grid(0, 0, 1, 0, 3),
                "cell": header,
                "fields": "userEnteredFormat(backgroundColor,textFormat.bold,wrapStrategy)",
            }
        },
        {
            "repeatCell": {
                "range": grid(0, 1, 4, 2, 3),
                "cell": formula,
                "fields": "userEnteredValue,userEnteredFormat.numberFormat",
            }
        },
        {
            "updateDimensionProperties": {
                "range": {"sheetId": 0, "dimension": "COLUMNS", "startIndex": 1, "endIndex": 2},
                "properties": {"pixelSize": 180, "hiddenByUser": True},
                "fields": "pixelSize,hiddenByUser",
            }
        },
    )
    assert replies.status_code == 200, replies.text
    assert api.sheet.format_at(0, 1) == {
        "backgroundColor": {"red": 1, "green": 0.8, "blue": 0.4},
        "backgroundColorStyle": {"rgbColor": {"red": 1, "green": 0.8, "blue": 0.4}},
        "textFormat": {"bold": True},
        "wrapStrategy": "WRAP",
    }
    assert [api.sheet.value(r, 2) for r in (1, 3)] == [{"formulaValue": "=A2*$B$1"}, {"formulaValue": "=A4*$B$1"}]
    api.put("A1", [["", 1000], [2], [3], [4.5]], "RAW")
    assert api.get("C2:C4")["values"] == [["2,000.00"], ["3,000.00"], ["4,500.00"]]
    meta = api.meta(ranges="Sheet1!A1:C1", fields="sheets.data.columnMetadata")["sheets"][0]["data"][0]
    assert meta["columnMetadata"] == [{"pixelSize": 100}, {"pixelSize": 180, "hiddenByUser": True}, {"pixelSize": 100}]


def test_named_ranges_ids_are_strings(api: Api) -> None:
    added = api.batch({"addNamedRange": {"namedRange": {"name": "client_ids", "range": grid(0, 1, 100, 0, 1)}}})
    named = added.json()["replies"][0]["addNamedRange"]["namedRange"]
    assert isinstance(named["namedRangeId"], str)
    assert named["namedRangeId"].isdigit()
    assert error_of(api.batch({"addNamedRange": {"namedRange": {"name": "A1", "range": grid()}}}))[0] == 400
    rename = {"namedRange": {"namedRangeId": named["namedRangeId"], "name": "ids"}, "fields": "name"}
    api.batch({"updateNamedRange": rename})
    assert api.meta(fields="namedRanges") == {"namedRanges": [{**named, "name": "ids"}]}
    api.batch({"deleteNamedRange": {"namedRangeId": named["namedRangeId"]}})
    assert api.meta(fields="namedRanges") == {}


def test_spreadsheets_create_honours_locale_and_time_zone(sheets_standin: SheetsStandIn) -> None:
    info = sheets_standin.authorized_user(OWNER)
    session = sheets_standin.authorized_session(info, ALL_SCOPES)
    body = {
        "properties": {"title": "Chi nhánh HN01", "locale": "vi_VN", "timeZone": "Asia/Ho_Chi_Minh"},
        "sheets": [
            {
                "properties": {
                    "sheetId": 1001,
                    "title": "Khách hàng",
                    "index": 0,
                    "gridProperties": {"rowCount": 50, "columnCount": 8, "frozenRowCount": 1},
                }
            },
            {"properties": {"sheetId": 1002, "title": "Lists", "hidden": True}},
        ],
    }
    made = session.post(SHEETS, json=body).json()
    assert made["properties"]["locale"] == "vi_VN"
    assert made["properties"]["timeZone"] == "Asia/Ho_Chi_Minh"
    assert [s["properties"] for s in made["sheets"]] == [
        {
            "sheetId": 1001,
            "title": "Khách hàng",
            "index": 0,
            "sheetType": "GRID",
            "gridProperties": {"rowCount": 50, "columnCount": 8, "frozenRowCount": 1},
        },
        {
            "sheetId": 1002,
            "title": "Lists",
            "index": 1,
            "sheetType": "GRID",
            "gridProperties": {"rowCount": 1000, "columnCount": 26},
            "hidden": True,
        },
    ]
    assert made["spreadsheetUrl"] == f"https://docs.google.com/spreadsheets/d/{made['spreadsheetId']}/edit"
    assert sheets_standin.book(made["spreadsheetId"]).owner == OWNER
    assert sheets_standin.calls(endpoint="sheets.create")[0].kind == "write"


def test_basic_filter_is_stored_bounded(api: Api) -> None:
    api.batch({"setBasicFilter": {"filter": {"range": {"sheetId": 0}}}})
    assert api.meta()["sheets"][0]["basicFilter"] == {
        "range": {"startRowIndex": 0, "endRowIndex": 1000, "startColumnIndex": 0, "endColumnIndex": 26}
    }


# ---------------------------------------------------------------- auth
def test_expired_token_is_refreshed_after_a_401(api: Api, fake_clock: FakeClock) -> None:
    assert api.get("A1")["range"] == "Sheet1!A1"
    fake_clock.advance(3600)
    assert api.get("A1")["range"] == "Sheet1!A1"
    assert [c.status for c in api.standin.calls(kind="read")] == [200, 401, 200]
    assert len(api.standin.calls(kind="token", status=200)) == 2


def test_missing_bearer_is_401(sheets_standin: SheetsStandIn) -> None:
    response = sheets_standin.session().get(f"{SHEETS}/{'1' * 44}")
    assert response.status_code == 401
    assert response.json()["error"]["status"] == "UNAUTHENTICATED"
    assert response.json()["error"]["details"][0]["reason"] == "CREDENTIALS_MISSING"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_jwt_grant_is_verified(sheets_standin: SheetsStandIn) -> None:
    info = sheets_standin.service_account("a@salon-chain.iam.gserviceaccount.com", project="salon-chain")
    forged = dict(
        info, private_key=sheets_standin.service_account("b@x.iam.gserviceaccount.com", key_slot=1)["private_key"]
    )
    for bad, reason in (
        (forged, "Invalid JWT Signature."),
        (dict(info, private_key_id="0" * 40), "Invalid JWT Signature."),
    ):
        credentials = service_account.Credentials.from_service_account_info(bad, scopes=ALL_SCOPES)
        with pytest.raises(auth_exceptions.RefreshError, match=f"invalid_grant: {reason}"):
            credentials.refresh(Request(session=sheets_standin.session()))
    good = service_account.Credentials.from_service_account_info(info, scopes=ALL_SCOPES)
    good.refresh(Request(session=sheets_standin.session()))
    assert good.token.startswith("ya29.")
    assert sheets_standin.calls(kind="token", status=200)[0].user == info["client_email"]


def test_authorized_user_refresh_and_scopes(sheets_standin: SheetsStandIn) -> None:
    info = sheets_standin.authorized_user(OWNER, scopes=["https://www.googleapis.com/auth/spreadsheets.readonly"])
    credentials = user_credentials.Credentials.from_authorized_user_info(info)
    credentials.refresh(Request(session=sheets_standin.session()))
    assert credentials.valid
    wider = user_credentials.Credentials.from_authorized_user_info(info, scopes=ALL_SCOPES)
    with pytest.raises(auth_exceptions.RefreshError, match="invalid_scope"):
        wider.refresh(Request(session=sheets_standin.session()))


def test_regional_access_boundary_lookup(sheets_standin: SheetsStandIn) -> None:
    url = "https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/a@b.iam.gserviceaccount.com/allowedLocations"
    assert sheets_standin.session().get(url).json() == {"locations": [], "encodedLocations": "0x0"}


# ---------------------------------------------------------------- transport
def test_adapter_fails_closed_and_survives_deep_copy(sheets_standin: SheetsStandIn) -> None:
    session = sheets_standin.session()
    for url in (
        "https://example.com/",
        "http://sheets.googleapis.com/v4/spreadsheets/x",
        "https://accounts.google.com/",
    ):
        with pytest.raises(requests.exceptions.ConnectionError, match="refusing to contact"):
            session.get(url)
    copied = copy.deepcopy(Request(session=session))
    answer = copied(url="https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/x/allowedLocations")
    assert answer.status == 200
    copied.session.close()
    adapter = LocalGoogleAdapter(sheets_standin)
    assert copy.deepcopy(adapter).base_url == sheets_standin.base_url
    adapter.close()
    response = session.get("https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/x/allowedLocations")
    assert response.url.startswith("https://iamcredentials.googleapis.com/")


def test_stop_closes_threads_and_sockets() -> None:
    with SheetsStandIn(clock=FakeClock()) as standin:
        session = standin.authorized_session(standin.authorized_user(OWNER), ALL_SCOPES)
        key = standin.create_spreadsheet(owner=OWNER)
        assert session.get(f"{SHEETS}/{key}").status_code == 200
    assert not [t for t in threading.enumerate() if t.name.startswith("sheets-standin")]


# ---------------------------------------------------------------- faults and quota
def test_injected_faults_are_ordered_scoped_and_change_nothing(api: Api) -> None:
    other = api.standin.create_spreadsheet(owner=OWNER, title="Other")
    api.standin.fail_next(status=429, times=2, spreadsheet=api.key)
    api.standin.fail_next(status=503, times=1, spreadsheet=api.key)
    api.standin.fail_next(html=True, spreadsheet=api.key)
    assert api.session.get(f"{SHEETS}/{other}").status_code == 200
    statuses = [api.put("A1", [["x"]]).status_code for _ in range(5)]
    assert statuses == [429, 429, 503, 500, 200]
    assert api.standin.calls(kind="write", status=429)[0].spreadsheet == api.key
    html = [c for c in api.standin.log if c.status == 500]
    assert len(html) == 1
    assert api.standin.quota.used("write", user=OWNER) == 5
    api.standin.fail_next(status=500)
    reply = api.put("A2", [["y"]])
    assert reply.json()["error"] == {"code": 500, "message": "Internal error encountered.", "status": "INTERNAL"}
    assert api.sheet.value(1, 0) is None


def test_html_error_page_reaches_gspread_as_non_json(api: Api) -> None:
    import gspread

    api.standin.fail_next(html=True)
    client = gspread.Client(auth=None, session=api.session)  # type: ignore[arg-type]
    with pytest.raises(gspread.exceptions.APIError) as err:
        client.open_by_key(api.key)
    assert err.value.code == -1
    assert err.value.response.status_code == 500
    assert err.value.response.headers["Content-Type"].startswith("text/html")


def test_delay_triggers_a_client_timeout(api: Api) -> None:
    api.standin.delay_next(seconds=0.4)
    with pytest.raises(requests.exceptions.ReadTimeout):
        api.session.get(f"{api.base}/values/A1", timeout=0.1)
    assert api.session.get(f"{api.base}/values/A1", timeout=5).status_code == 200


@pytest.mark.parametrize("charge_rejected", [True, False])
def test_project_quota_is_shared_by_accounts(fake_clock: FakeClock, charge_rejected: bool) -> None:
    with SheetsStandIn(clock=fake_clock, write_per_user=3, write_per_project=4, charge_rejected=charge_rejected) as s:
        key = s.create_spreadsheet(owner=OWNER)
        s.share(key, WRITER, role="writer")
        one = s.authorized_session(s.authorized_user(OWNER, project="salon-chain"), ALL_SCOPES)
        two = s.authorized_session(s.authorized_user(WRITER, project="salon-chain"), ALL_SCOPES)
        url = f"{SHEETS}/{key}/values/A1"
        put = {"params": {"valueInputOption": "RAW"}, "json": {"values": [[1]]}}
        assert [one.put(url, **put).status_code for _ in range(3)] == [200, 200, 200]
        assert "per minute per user" in one.put(url, **put).json()["error"]["message"]  # 429, user window full
        # A rejected request still counts (Google counts every request it receives) unless charge_rejected=False.
        assert two.put(url, **put).status_code == (429 if charge_rejected else 200)
        limit = two.put(url, **put).json()["error"]
        assert limit["details"][0]["metadata"]["quota_limit"] == "WriteRequestsPerMinutePerProject"
        assert "'Write requests per minute'" in limit["message"]
        fake_clock.advance(60)
        assert one.put(url, **put).status_code == 200


# ---------------------------------------------------------------- Drive
def test_drive_create_get_delete(sheets_standin: SheetsStandIn) -> None:
    owner = sheets_standin.authorized_session(sheets_standin.authorized_user(OWNER), ALL_SCOPES)
    made = owner.post(
        "https://www.googleapis.com/drive/v3/files",
        params={"supportsAllDrives": "True"},
        json={"name": "Branch", "mimeType": "application/vnd.google-apps.spreadsheet"},
    ).json()
    assert set(made) == {"kind", "id", "name", "mimeType"}
    key = made["id"]
    fields = owner.get(
        f"https://www.googleapis.com/drive/v3/files/{key}", params={"fields": "id,name,createdTime,modifiedTime"}
    ).json()
    assert fields["createdTime"] == "2027-01-15T08:00:00.000Z"
    sheets_standin.share(key, WRITER, role="writer")
    writer = sheets_standin.authorized_session(sheets_standin.authorized_user(WRITER), ALL_SCOPES)
    denied = writer.delete(f"https://www.googleapis.com/drive/v3/files/{key}")
    assert denied.status_code == 403
    assert denied.json()["error"]["errors"][0]["reason"] == "insufficientFilePermissions"
    assert owner.delete(f"https://www.googleapis.com/drive/v3/files/{key}").status_code == 204
    gone = owner.get(f"https://www.googleapis.com/drive/v3/files/{key}")
    assert gone.json()["error"]["message"] == f"File not found: {key}."
    assert sheets_standin.calls(kind="drive")[0].user == OWNER


def test_regional_access_boundary_background_lookup(sheets_standin: SheetsStandIn, monkeypatch: Any) -> None:
    import gc
    import time

    monkeypatch.setenv("GOOGLE_SDK_EXPERIMENTAL_PYTHON_REGIONAL_ACCESS_BOUNDARY_LOOKUP_ENABLED", "true")
    info = sheets_standin.service_account("rab@salon-chain.iam.gserviceaccount.com", project="salon-chain")
    key = sheets_standin.create_spreadsheet(owner=info["client_email"])
    session = sheets_standin.authorized_session(info, ALL_SCOPES)
    assert session.get(f"{SHEETS}/{key}").status_code == 200
    deadline = time.monotonic() + 5
    while not sheets_standin.calls(endpoint="iam.allowedLocations") and time.monotonic() < deadline:
        time.sleep(0.01)
    assert sheets_standin.calls(endpoint="iam.allowedLocations")[0].status == 200
    time.sleep(0.05)
    assert session.get(f"{SHEETS}/{key}").request.headers.get("x-allowed-locations") == "0x0"
    gc.collect()


def test_filled_formulas_follow_their_row(api: Api) -> None:
    cell = {"userEnteredValue": {"formulaValue": '=IF(A2="","",A2*$B$1+SUM(A$2:A2))'}}
    api.batch({"repeatCell": {"range": grid(0, 1, 5, 2, 3), "cell": cell, "fields": "userEnteredValue"}})
    api.put("A1", [["", 10], [1], [2]], "RAW")
    assert api.sheet.value(3, 2) == {"formulaValue": '=IF(A4="","",A4*$B$1+SUM(A$2:A4))'}
    assert api.get("C2:C5", valueRenderOption="UNFORMATTED_VALUE")["values"] == [[11], [23], [""], [""]]
    assert api.get("C2:C3", valueRenderOption="FORMULA")["values"] == [
        ['=IF(A2="","",A2*$B$1+SUM(A$2:A2))'],
        ['=IF(A3="","",A3*$B$1+SUM(A$2:A3))'],
    ]
