"""Writing the workbook to Google Sheets: one structure batchUpdate, RAW values, every Excel rule translated."""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
import shutil
from typing import Any, ClassVar

import pytest
import requests

import sheetkit as sk
from sheetkit.errors import SheetsAccessError, SheetsConflictError, SheetsError, UsageError
from sheetkit.frames import WorkbookData
from sheetkit.gsheets import plan as gsheets_plan
from sheetkit.gsheets import writer as gsheets_module
from sheetkit.gsheets.auth import account_from_info
from sheetkit.gsheets.client import SheetsClient
from sheetkit.gsheets.reader import read_gsheet
from sheetkit.gsheets.writer import GOOGLE_LOCALES, google_formula, write_gsheet
from sheetkit.template import Sheet, Template, load_template
from sheetkit.template.formulas import STYLES, StaffFormulas
from sheetkit.template.geometry import plan_layout, quote_sheet
from sheetkit.template.rules import column_help
from sheetkit.template.styles import HEADER_COLOURS
from tests.sheets_standin import Book, FakeClock, LocalGoogleAdapter, SheetsStandIn
from tests.test_read_roundtrip import assert_frames_equal

TEMPLATE = load_template()
LOCALES = ["en", "zh-CN", "it", "vi"]
AS_OF = dt.date(2026, 11, 22)
STAMP = dt.datetime(2026, 11, 22, 9, 30)
WRITER = "writer@salon-chain.iam.gserviceaccount.com"
MANAGER = "manager@salon.example"


# ------------------------------------------------------------------ set-up


class _Shared:
    """A list that survives the deep copies google-auth makes of transports."""

    def __init__(self) -> None:
        self.items: list[tuple[str, str, Any]] = []

    def __deepcopy__(self, memo: dict[int, Any]) -> _Shared:
        return self


class RecordingAdapter(LocalGoogleAdapter):
    """The stand-in's adapter, keeping each API request's method, URL and JSON body (the log has no bodies)."""

    __attrs__: ClassVar[list[str]] = [*LocalGoogleAdapter.__attrs__, "sent"]

    def __init__(self, standin: SheetsStandIn) -> None:
        self.sent = _Shared()
        super().__init__(standin)

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        body = request.body
        if body and "googleapis.com/v4/" in (request.url or ""):
            text = body.decode() if isinstance(body, bytes) else str(body)
            self.sent.items.append((str(request.method), str(request.url), json.loads(text)))
        return super().send(request, *args, **kwargs)


def writer(standin: SheetsStandIn, clock: FakeClock, email: str = WRITER) -> tuple[SheetsClient, RecordingAdapter]:
    adapter = RecordingAdapter(standin)
    info = standin.service_account(email, project="salon-chain")
    return SheetsClient(account_from_info(info, readonly=False), transport=adapter, clock=clock), adapter


@pytest.fixture(scope="module")
def small_template(tmp_path_factory: pytest.TempPathFactory) -> Template:
    """The canonical template with 20 spare rows instead of 1000: the stand-in models every cell, so this is fast."""
    folder = tmp_path_factory.mktemp("template") / "client_allocation"
    shutil.copytree(TEMPLATE.path, folder)
    yaml_file = folder / "template.yaml"
    text = yaml_file.read_text(encoding="utf-8")
    assert "spare_rows: 1000" in text
    yaml_file.write_text(text.replace("spare_rows: 1000", "spare_rows: 20"), encoding="utf-8")
    return load_template(folder)


def _tabs(template: Template, locale: str) -> list[str]:
    lab = template.labels(locale)
    keys = [s.key for s in template.sheets] + ["settings", "lists", "about"]
    return [lab.sheet_name(k) for k in keys]


def _grid_box(gr: dict[str, Any]) -> tuple[int, int, int, int]:
    return (gr.get("startRowIndex", 0), gr["endRowIndex"], gr.get("startColumnIndex", 0), gr["endColumnIndex"])


def _condition(rule: dict[str, Any] | None) -> tuple[str, list[str]]:
    assert rule is not None
    cond = rule["condition"]
    return cond["type"], [v["userEnteredValue"] for v in cond.get("values", [])]


def _state(book: Book) -> dict[str, Any]:
    """What a spreadsheet holds, for before/after comparisons."""
    return copy.deepcopy(
        {
            "title": book.title,
            "locale": book.locale,
            "named_ranges": book.named_ranges,
            "sheets": [
                {
                    "properties": s.properties,
                    "conditional_formats": s.conditional_formats,
                    "protected_ranges": s.protected_ranges,
                    "cells": {k: (c.value, c.fmt, c.validation) for k, c in s.cells.items()},
                }
                for s in book.sheets
            ],
        }
    )


def _hex(colour: dict[str, float]) -> str:
    return "#" + "".join(f"{round(colour.get(c, 0) * 255):02X}" for c in ("red", "green", "blue"))


# ------------------------------------------------------------------ a new workbook


def test_new_workbook_structure_matches_the_excel_rules(standin: SheetsStandIn, clock: FakeClock) -> None:
    client, adapter = writer(standin, clock)
    key = write_gsheet(client, locale="en", branch="LDN1", generated_at=STAMP)
    book = standin.book(key)
    lab = TEMPLATE.labels("en")
    layout = plan_layout(TEMPLATE, lab, {})
    formulas = StaffFormulas(layout, lab)

    # Three writes: spreadsheets.create, ONE structure batchUpdate, values; no read.
    writes = [c.endpoint for c in standin.calls(kind="write")]
    assert writes == ["sheets.create", "sheets.batchUpdate", "values.batchUpdate"]
    assert standin.calls(kind="read") == []
    assert book.locale == GOOGLE_LOCALES["en"] == "en_GB"
    assert book.time_zone == "Europe/London"
    assert book.title == "Clients — LDN1"

    assert [s.title for s in book.sheets] == _tabs(TEMPLATE, "en")
    assert [s.title for s in book.sheets if s.hidden] == ["Lists"]

    # Named ranges: every defined name of the Excel workbook, over the same cells.
    names = {n["name"]: n["range"] for n in book.named_ranges}
    defined = layout.defined_names()
    assert set(names) == {d.name for d in defined}
    for d in defined:
        sheet = book.sheet_by_id(names[d.name].get("sheetId", 0))
        assert sheet is not None
        assert sheet.title == d.sheet
        assert _grid_box(names[d.name]) == (d.first_row - 1, d.last_row, d.column, d.column + 1)
        assert re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]{0,249}", d.name)
        assert not re.fullmatch(r"[A-Za-z]{1,3}\d+|[Rr]\d*[Cc]\d*", d.name)  # not like A1 or R1C1

    for s in TEMPLATE.sheets:
        sheet = book.sheet_by_title(lab.sheet_name(s.key))
        assert sheet is not None
        lay = layout.sheet(s.key)
        assert sheet.grid["frozenRowCount"] == 1
        assert sheet.grid.get("frozenColumnCount") == (2 if s.key == "clients" else 1)
        assert sheet.row_count == lay.last_row
        assert sheet.basic_filter is not None
        # Frozen header: bold, coloured by group, protected with a warning only (no editors may be set then).
        header = next(p for p in sheet.protected_ranges if _grid_box(p["range"])[:2] == (0, 1))
        assert header["warningOnly"] is True
        assert _grid_box(header["range"]) == (0, 1, 0, len(s.columns))
        assert not any(_grid_box(p["range"])[0] == 1 and not _is_formula_range(s, p) for p in sheet.protected_ranges)
        for idx, col in enumerate(s.columns):
            fmt = sheet.format_at(0, idx) or {}
            assert fmt["textFormat"]["bold"] is True
            kind = "formula" if col.is_formula else col.sensitivity
            assert _hex(fmt["backgroundColor"]) == HEADER_COLOURS[kind]
            rule = sheet.validation_at(1, idx)
            last = sheet.validation_at(lay.last_row - 1, idx)
            number = sheet.number_format_at(1, idx)
            if col.is_formula:
                assert rule is None
                value = sheet.value(1, idx)
                assert value == {"formulaValue": google_formula(formulas.formula(str(col.formula), 2, s.key))}
                # repeatCell shifts the relative references row by row, as a fill-down does.
                below = sheet.value(2, idx)
                assert below == {"formulaValue": google_formula(formulas.formula(str(col.formula), 3, s.key))}
                continue
            assert rule is not None, f"{s.key}.{col.key} has no validation"
            assert last == rule  # the whole data area, spare rows included
            assert sheet.validation_at(lay.last_row, idx) is None
            assert rule["inputMessage"] == column_help(lab, s.key, col.key)
            assert rule["strict"] is True  # Excel's "stop"
            if col.type in ("text", "id", "phone", "email", "choice", "multichoice", "bool"):
                assert number == {"type": "TEXT", "pattern": "@"}, col.key
            elif col.type == "date":
                assert number == {"type": "DATE", "pattern": lab.date_format}
            elif col.type == "datetime":
                assert number == {"type": "DATE_TIME", "pattern": lab.datetime_format}
            else:
                assert number is not None
                assert number["type"] == "NUMBER"

    clients = book.sheet_by_title("Clients")
    visits = book.sheet_by_title("Visits")
    assert clients is not None
    assert visits is not None
    c, v = layout.sheet("clients"), layout.sheet("visits")
    # Dropdowns from the named ranges' cells on Lists, with Google's dropdown chip.
    gender = clients.validation_at(1, c.index("gender"))
    assert _condition(gender) == ("ONE_OF_RANGE", ["=" + layout.lists["list_gender"].reference])
    assert gender is not None
    assert gender["showCustomUi"] is True
    branch = clients.validation_at(1, c.index("branch"))
    assert _condition(branch) == ("ONE_OF_RANGE", ["=" + layout.lists["ref_branches_name"].reference])
    consent = clients.validation_at(1, c.index("records_consent"))
    assert _condition(consent) == ("ONE_OF_RANGE", ["=" + layout.lists["list_yes_no"].reference])
    # Visit client IDs restricted to existing clients; IDs unique.
    client_id = visits.validation_at(1, v.index("client_id"))
    assert _condition(client_id) == ("ONE_OF_RANGE", ["=" + c.data_range("client_id")])
    kind, (formula,) = _condition(clients.validation_at(1, c.index("client_id")))
    assert kind == "CUSTOM_FORMULA"
    assert f"COUNTIF($A$2:$A${c.last_row},A2)=1" in formula
    # Dates between bounds (today for the past), whole numbers, decimals, text length, phones, e-mails.
    # The earliest date is the Settings cell, reached through INDIRECT: Google's rules may not refer to
    # another tab otherwise.
    assert _condition(visits.validation_at(1, v.index("visit_date"))) == (
        "DATE_BETWEEN",
        ['=INDIRECT("setting_earliest_date")', "=TODAY()"],
    )
    kind, (birth,) = _condition(clients.validation_at(1, c.index("birth_date")))
    assert kind == "CUSTOM_FORMULA"
    assert 'ISNUMBER(FIND(MID(D2,3,1),"-/."))' in birth  # DD-MM, DD/MM or DD.MM
    assert 'INDIRECT("setting_date_order")' in birth  # a month-day in the workbook's day/month order
    assert _condition(visits.validation_at(1, v.index("satisfaction"))) == (
        "CUSTOM_FORMULA",
        ["=AND(ISNUMBER({0}2),{0}2=INT({0}2),{0}2>=1,{0}2<=5)".format(v.letter("satisfaction"))],
    )
    assert _condition(visits.validation_at(1, v.index("amount_paid"))) == ("NUMBER_BETWEEN", ["0", "1000000"])
    assert _condition(clients.validation_at(1, c.index("phone"))) == (
        "CUSTOM_FORMULA",
        ["=AND(LEN(E2)>=5,LEN(E2)<=32)"],
    )
    assert _condition(clients.validation_at(1, c.index("full_name"))) == ("CUSTOM_FORMULA", ["=LEN(B2)<=120"])
    assert "FIND(" in _condition(clients.validation_at(1, c.index("email")))[1][0]
    # The hidden helper column and the formula columns' warning protection.
    key_col = v.index("visit_day_key")
    assert visits.col_meta[key_col]["hiddenByUser"] is True
    assert any(_grid_box(p["range"]) == (1, v.last_row, key_col, key_col + 1) for p in visits.protected_ranges)

    # Every conditional format of formulas.py, in order, on the same columns, with the same colours.
    expected = formulas.conditional_rules()
    for s in TEMPLATE.sheets:
        sheet = book.sheet_by_title(lab.sheet_name(s.key))
        assert sheet is not None
        mine = [r for r in expected if r.sheet == s.key]
        got = sheet.conditional_formats
        assert len(got) == len(mine)
        lay = layout.sheet(s.key)
        for want, have in zip(mine, got, strict=True):
            columns = {i for gr in have["ranges"] for i in range(*_grid_box(gr)[2:])}
            assert columns == {lay.index(col) for col in want.columns}
            assert all(_grid_box(gr)[:2] == (1, lay.last_row) for gr in have["ranges"])
            boolean = have["booleanRule"]
            # Conditional formats reach other tabs (the Settings named cells) only through INDIRECT.
            formula = google_formula("=" + want.formula, indirect=names)
            assert boolean["condition"] == {"type": "CUSTOM_FORMULA", "values": [{"userEnteredValue": formula}]}
            assert ("INDIRECT(" in formula) == ("setting_" in want.formula)
            style = STYLES[want.style]
            fmt = boolean["format"]
            if "bg_color" in style:
                assert _hex(fmt["backgroundColor"]) == style["bg_color"]
            assert _hex(fmt["textFormat"]["foregroundColor"]) == style["font_color"]
            assert fmt["textFormat"].get("bold", False) == style.get("bold", False)
            assert fmt["textFormat"].get("italic", False) == style.get("italic", False)
    assert {r.style for r in expected} == set(STYLES)

    # Settings: validated values, named cells; About: what the reader checks, and the branch.
    settings = book.sheet_by_title("Settings")
    assert settings is not None
    for s_key, row in layout.settings_rows.items():
        rule = settings.validation_at(row - 1, 2)
        assert rule is not None, s_key
        assert rule["inputMessage"] == lab.settings[s_key]["help"]
    assert _condition(settings.validation_at(layout.settings_rows["lapse_factor"] - 1, 2)) == (
        "NUMBER_BETWEEN",
        ["1", "10"],
    )
    about = book.sheet_by_title("About")
    assert about is not None
    assert about.protected_ranges[0]["warningOnly"] is True
    with SheetsClient(
        account_from_info(standin.service_account(WRITER), readonly=True),
        transport=LocalGoogleAdapter(standin),
        clock=clock,
    ) as reader:
        values = reader.values_batch_get(key, [quote_sheet("About"), quote_sheet("Lists")])["valueRanges"]
    rows = {r[0]: r[2] for r in values[0]["values"] if len(r) == 3}
    assert rows["template_id"] == TEMPLATE.id
    assert rows["template_version"] == str(TEMPLATE.version)
    assert rows["locale"] == "en"
    assert rows["generated_at"] == "2026-11-22 09:30:00"
    assert rows["branch"] == "LDN1"
    lists = values[1]["values"]
    branches = layout.lists["ref_branches_name"].column
    assert [r[branches] for r in lists[1:] if len(r) > branches and r[branches] != ""] == ["LDN1"]

    # RAW values only: no request asks Google to parse text.
    assert adapter.sent.items
    assert all("USER_ENTERED" not in json.dumps(body) for _, _, body in adapter.sent.items)
    assert all(body.get("valueInputOption") == "RAW" for _, url, body in adapter.sent.items if "values" in url)
    assert not any("USER_ENTERED" in str(c.query) for c in standin.log)


def _is_formula_range(sheet: Sheet, pr: dict[str, Any]) -> bool:
    _, _, c0, c1 = _grid_box(pr["range"])
    return all(sheet.columns[i].is_formula for i in range(c0, c1))


@pytest.mark.parametrize("locale", LOCALES)
def test_every_locale_is_accepted(standin: SheetsStandIn, clock: FakeClock, locale: str) -> None:
    client, _ = writer(standin, clock)
    key = write_gsheet(client, locale=locale, template=TEMPLATE, generated_at=STAMP)
    book = standin.book(key)
    lab = TEMPLATE.labels(locale)
    assert [s.title for s in book.sheets] == _tabs(TEMPLATE, locale)
    assert book.locale == GOOGLE_LOCALES[locale]
    assert len(standin.calls(kind="write", endpoint="sheets.batchUpdate")) == 1
    clients = book.sheet_by_title(lab.sheet_name("clients"))
    assert clients is not None
    layout = plan_layout(TEMPLATE, lab, {})
    c = layout.sheet("clients")
    # Formulas in the dialect of the spreadsheet's locale: ";" where decimals are written with ",".
    formula = (clients.value(1, c.index("next_due")) or {})["formulaValue"]
    assert "_xlfn." not in formula
    separator = ";" if locale in ("it", "vi") else ","
    other = "," if separator == ";" else ";"
    assert formula.startswith(f"=IF(N($AP2)=0{separator}")
    assert other not in re.sub(r'"[^"]*"', "", formula)
    rule = clients.validation_at(1, c.index("client_id"))
    assert separator in _condition(rule)[1][0]
    headers = [(clients.value(0, i) or {}).get("stringValue") for i in range(len(c.columns))]
    assert headers == [lab.header("clients", k) for k in c.columns]


# ------------------------------------------------------------------ values


def test_demo_salon_reads_back_equal(standin: SheetsStandIn, clock: FakeClock) -> None:
    data = sk.generate_demo(clients=30, locale="vi", seed=1, as_of=AS_OF)
    client, _ = writer(standin, clock)
    key = write_gsheet(client, data, locale="vi", generated_at=STAMP)
    assert [c.endpoint for c in standin.calls(kind="write")] == [
        "sheets.create",
        "sheets.batchUpdate",
        "values.batchUpdate",
    ]
    book = standin.book(key)
    lab = TEMPLATE.labels("vi")
    layout = plan_layout(
        TEMPLATE, lab, {k: len(data.frame(k)) for k in ("clients", "visits", "appointments", "feedback")}
    )
    clients = book.sheet_by_title(lab.sheet_name("clients"))
    assert clients is not None
    c = layout.sheet("clients")
    first = data.clients.iloc[0]
    # Phones and IDs are text, dates are serial numbers in date-formatted cells, bools their labels.
    assert clients.value(1, c.index("phone")) == {"stringValue": first["phone"]}
    assert clients.value(1, c.index("client_id")) == {"stringValue": "C0001"}
    serial = (first["first_visit_date"].date() - dt.date(1899, 12, 30)).days
    assert clients.value(1, c.index("first_visit_date")) == {"numberValue": serial}
    consent = lab.choice_label("yes_no", "yes" if first["records_consent"] else "no")
    assert clients.value(1, c.index("records_consent")) == {"stringValue": consent}
    assert clients.value(1, c.index("client_status")) == {"stringValue": lab.choice_label("client_status", "active")}
    appointments = book.sheet_by_title(lab.sheet_name("appointments"))
    assert appointments is not None
    a = layout.sheet("appointments")
    when = data.appointments.iloc[0]["scheduled_at"].to_pydatetime()
    got = (appointments.value(1, a.index("scheduled_at")) or {})["numberValue"]
    assert got == pytest.approx((when - dt.datetime(1899, 12, 30)) / dt.timedelta(days=1))

    # Read back through the reader: the same frames, valid, in the workbook's language.
    with SheetsClient(
        account_from_info(standin.service_account(WRITER), readonly=True),
        transport=LocalGoogleAdapter(standin),
        clock=clock,
    ) as reader:
        read = read_gsheet(reader, key, locale="vi")
    result = sk.validate(read, as_of=AS_OF)
    assert result.valid, [(i.sheet, i.cell, i.code) for i in result.errors][:5]
    for sheet in TEMPLATE.sheets:
        columns = [col.key for col in sheet.data_columns]
        assert_frames_equal(data.frame(sheet.key).reset_index(drop=True), read.data.frame(sheet.key), columns)
    assert {k: read.data.settings[k] for k in data.settings} == data.settings


def test_client_text_that_looks_like_a_formula_stays_text(
    standin: SheetsStandIn, clock: FakeClock, small_template: Template
) -> None:
    data = sk.generate_demo(clients=6, locale="en", seed=2, as_of=AS_OF)
    names = ["=1+1", "+SUM(A1)", "@cmd", "-2+3", '=HYPERLINK("http://evil.example","x")', "'quoted"]
    clients = data.clients.copy()
    clients["full_name"] = names
    clients["notes"] = "=IMPORTXML(A1)"
    clients["phone"] = "0612345678"
    data = WorkbookData(clients, data.visits, data.appointments, data.feedback, data.lists, data.settings)
    client, _ = writer(standin, clock)
    key = write_gsheet(client, data, locale="en", template=small_template)
    sheet = standin.book(key).sheet_by_title("Clients")
    assert sheet is not None
    lay = plan_layout(small_template, small_template.labels("en"), {"clients": 6}).sheet("clients")
    for row, name in enumerate(names, start=1):
        assert sheet.value(row, lay.index("full_name")) == {"stringValue": name}
        assert sheet.value(row, lay.index("notes")) == {"stringValue": "=IMPORTXML(A1)"}
        assert sheet.value(row, lay.index("phone")) == {"stringValue": "0612345678"}


def test_large_workbooks_split_values_but_not_the_structure(
    standin: SheetsStandIn, clock: FakeClock, small_template: Template, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(gsheets_module, "MAX_VALUE_ROWS", 50)
    data = sk.generate_demo(clients=20, locale="it", seed=3, as_of=AS_OF)
    client, adapter = writer(standin, clock)
    key = write_gsheet(client, data, locale="it", template=small_template)
    writes = [c.endpoint for c in standin.calls(kind="write")]
    assert writes.count("sheets.batchUpdate") == 1
    total_rows = sum(len(data.frame(k)) + 1 for k in ("clients", "visits", "appointments", "feedback"))
    assert writes.count("values.batchUpdate") >= total_rows // 50
    for _, url, body in adapter.sent.items:
        if url.endswith("values:batchUpdate"):
            assert sum(len(r["values"]) for r in body["data"]) <= 50
    with SheetsClient(
        account_from_info(standin.service_account(WRITER), readonly=True),
        transport=LocalGoogleAdapter(standin),
        clock=clock,
    ) as reader:
        read = read_gsheet(reader, key, locale="it", template=small_template)
    for sheet in small_template.sheets:
        columns = [col.key for col in sheet.data_columns]
        assert_frames_equal(data.frame(sheet.key).reset_index(drop=True), read.data.frame(sheet.key), columns)


def test_too_many_cells_is_refused_before_any_request(
    standin: SheetsStandIn, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(gsheets_plan, "MAX_CELLS", 50_000)
    client, _ = writer(standin, clock)
    with pytest.raises(UsageError, match="cells"):
        write_gsheet(client, locale="en")
    assert standin.calls(kind="write") == []


# ------------------------------------------------------------------ an existing spreadsheet


def test_fills_an_existing_shared_spreadsheet(
    standin: SheetsStandIn, clock: FakeClock, small_template: Template
) -> None:
    key = standin.create_spreadsheet(
        owner=MANAGER, title="Chi nhánh HN01", locale="en_US", sheets=["Trang tính1", "Notes"]
    )
    standin.put_values(key, "Notes!A1", [["keep me"]])
    standin.share(key, WRITER, role="writer")
    client, _ = writer(standin, clock)
    assert write_gsheet(client, locale="vi", spreadsheet=key, branch="HN01", template=small_template) == key
    book = standin.book(key)
    # The empty default tab is gone, the manager's own tab stays (first), the workbook follows.
    assert [s.title for s in book.sheets] == ["Notes", *_tabs(small_template, "vi")]
    assert book.locale == "vi_VN"
    assert book.title == "Chi nhánh HN01"
    assert [c.endpoint for c in standin.calls(spreadsheet=key)] == [
        "sheets.get",  # tabs and named ranges
        "sheets.get",  # the cells of the default tab only: is it empty?
        "sheets.batchUpdate",
        "values.batchUpdate",
    ]
    masked = standin.calls(spreadsheet=key)[1]
    assert masked.query.get("ranges") == ["'Trang tính1'"]  # the manager's Notes are never downloaded
    lab = small_template.labels("vi")
    clients = book.sheet_by_title(lab.sheet_name("clients"))
    assert clients is not None
    assert clients.validation_at(1, 0) is not None
    with SheetsClient(
        account_from_info(standin.service_account(WRITER), readonly=True),
        transport=LocalGoogleAdapter(standin),
        clock=clock,
    ) as reader:
        read = read_gsheet(reader, key, locale="vi", template=small_template)
    assert read.locale == "vi"
    assert read.data.lists["branches"]["name"].tolist() == ["HN01"]


def test_a_non_empty_default_tab_is_kept(standin: SheetsStandIn, clock: FakeClock, small_template: Template) -> None:
    key = standin.create_spreadsheet(owner=MANAGER, sheets=["Sheet1"])
    standin.put_values(key, "Sheet1!B2", [["manager's note"]])
    standin.share(key, WRITER, role="writer")
    client, _ = writer(standin, clock)
    write_gsheet(client, locale="en", spreadsheet=key, template=small_template)
    assert [s.title for s in standin.book(key).sheets] == ["Sheet1", *_tabs(small_template, "en")]


def test_an_existing_workbook_is_refused_then_replaced_on_request(
    standin: SheetsStandIn, clock: FakeClock, small_template: Template
) -> None:
    key = standin.create_spreadsheet(owner=MANAGER, sheets=["Sheet1"])
    standin.share(key, WRITER, role="writer")
    client, _ = writer(standin, clock)
    first = sk.generate_demo(clients=5, locale="it", seed=4, as_of=AS_OF)
    write_gsheet(client, first, locale="it", spreadsheet=key, template=small_template)
    before = _state(standin.book(key))
    writes = len(standin.calls(kind="write"))
    with pytest.raises(SheetsConflictError, match="already holds a sheetkit workbook") as caught:
        write_gsheet(client, locale="it", spreadsheet=key, template=small_template)
    assert caught.value.spreadsheet == key
    assert len(standin.calls(kind="write")) == writes  # refused before writing anything
    assert _state(standin.book(key)) == before

    # overwrite=True replaces the tabs atomically: same titles, new content, one structure request.
    second = sk.generate_demo(clients=3, locale="it", seed=5, as_of=AS_OF)
    write_gsheet(client, second, locale="it", spreadsheet=key, template=small_template, overwrite=True)
    book = standin.book(key)
    assert [s.title for s in book.sheets] == _tabs(small_template, "it")
    assert len(book.named_ranges) == len(plan_layout(small_template, small_template.labels("it"), {}).defined_names())
    with SheetsClient(
        account_from_info(standin.service_account(WRITER), readonly=True),
        transport=LocalGoogleAdapter(standin),
        clock=clock,
    ) as reader:
        read = read_gsheet(reader, key, locale="it", template=small_template)
    assert read.data.clients["client_id"].tolist() == second.clients["client_id"].tolist()
    # A workbook in another language is a sheetkit workbook too.
    with pytest.raises(SheetsConflictError):
        write_gsheet(client, locale="zh-CN", spreadsheet=key, template=small_template)


def test_a_read_only_share_is_a_clear_error_and_nothing_is_written(
    standin: SheetsStandIn, clock: FakeClock, small_template: Template
) -> None:
    key = standin.create_spreadsheet(owner=MANAGER, sheets=["Sheet1"])
    standin.share(key, WRITER, role="reader")
    before = _state(standin.book(key))
    client, _ = writer(standin, clock)
    with pytest.raises(SheetsAccessError, match="shared for viewing only") as caught:
        write_gsheet(client, locale="en", spreadsheet=key, template=small_template)
    assert caught.value.status == 403
    assert WRITER in str(caught.value)
    assert _state(standin.book(key)) == before
    assert standin.calls(kind="write", endpoint="values.batchUpdate") == []


def test_a_refused_structure_request_leaves_the_spreadsheet_as_it_was(
    standin: SheetsStandIn, clock: FakeClock, small_template: Template
) -> None:
    key = standin.create_spreadsheet(owner=MANAGER, sheets=["Sheet1"])
    standin.share(key, WRITER, role="writer")
    before = _state(standin.book(key))
    standin.fail_next(status=400, spreadsheet=key, kind="write")
    client, _ = writer(standin, clock)
    with pytest.raises(SheetsError) as caught:
        write_gsheet(client, locale="it", spreadsheet=key, template=small_template)
    assert caught.value.status == 400
    assert _state(standin.book(key)) == before
    assert [c.endpoint for c in standin.calls(spreadsheet=key)] == ["sheets.get", "sheets.get", "sheets.batchUpdate"]


def test_a_spreadsheet_not_shared_at_all(standin: SheetsStandIn, clock: FakeClock, small_template: Template) -> None:
    key = standin.create_spreadsheet(owner=MANAGER, sheets=["Sheet1"])
    client, _ = writer(standin, clock)
    with pytest.raises(SheetsAccessError, match="not shared"):
        write_gsheet(client, locale="en", spreadsheet=key, template=small_template)
    assert standin.calls(kind="write") == []


# ------------------------------------------------------------------ the formula dialect


def test_formula_translation() -> None:
    assert google_formula("=_xlfn.MAXIFS(A:A,B:B,1)") == "=MAXIFS(A:A,B:B,1)"
    assert google_formula('=IF(A1="a,b",1.5,2)', semicolons=True) == '=IF(A1="a,b";1,5;2)'
    assert google_formula("=SUM('Sheet, 1'!A1:A2,'It''s'!B1)", semicolons=True) == "=SUM('Sheet, 1'!A1:A2;'It''s'!B1)"
    assert google_formula('="_xlfn.X"&A1') == '="_xlfn.X"&A1'
    with pytest.raises(UsageError):
        google_formula("=SUM({1,2})", semicolons=True)
