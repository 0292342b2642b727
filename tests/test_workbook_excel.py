"""The generated .xlsx: sheets, headers, validations, formats and protection, per locale."""

from __future__ import annotations

import datetime as dt
import html
import itertools
import re
import zipfile
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from python_calamine import CalamineWorkbook

from sheetkit.errors import UsageError, WorkbookWriteError
from sheetkit.excel.writer import write_excel
from sheetkit.frames import WorkbookData, empty_frames
from sheetkit.template import load_template
from sheetkit.template.formulas import STYLES
from sheetkit.template.rules import column_help
from sheetkit.template.styles import HEADER_COLOURS, line_height, wrapped_lines

LOCALES = ["en", "zh-CN", "it", "vi"]


@pytest.fixture(scope="module")
def books(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("new")
    return {loc: write_excel(folder / f"new-{loc}.xlsx", locale=loc) for loc in LOCALES}


@pytest.fixture(scope="module")
def opened(books: dict[str, Path]) -> Callable[[str], openpyxl.Workbook]:
    """The empty workbook of a locale as openpyxl sees it, loaded once (cell values, not formula text).

    Loading the formula text makes openpyxl re-translate the shared formula of every prepared
    row (~140,000 cells); the formulas are checked in the sheet XML instead.
    """
    cache: dict[str, openpyxl.Workbook] = {}

    def load(locale: str) -> openpyxl.Workbook:
        if locale not in cache:
            cache[locale] = openpyxl.load_workbook(books[locale], data_only=True)
        return cache[locale]

    return load


def _validations(ws: openpyxl.worksheet.worksheet.Worksheet) -> dict[str, object]:
    out = {}
    for dv in ws.data_validations.dataValidation:
        for rng in str(dv.sqref).split():
            out[rng.split(":")[0].rstrip("0123456789")] = dv
    return out


@pytest.mark.parametrize("locale", LOCALES)
def test_sheets_headers_and_help_are_in_the_workbook_language(
    opened: Callable[[str], openpyxl.Workbook], locale: str
) -> None:
    t = load_template()
    lab = t.labels(locale)
    wb = opened(locale)
    expected = [
        lab.sheet_name(k)
        for k in (
            "clients",
            "visits",
            "appointments",
            "feedback",
            "patch_tests",
            "consents",
            "follow_ups",
            "settings",
            "legend",
            "lists",
            "about",
        )
    ]
    assert wb.sheetnames == expected
    for sheet in t.sheets:
        ws = wb[lab.sheet_name(sheet.key)]
        assert [c.value for c in ws[1]] == [lab.header(sheet.key, c.key) for c in sheet.columns]
        dvs = _validations(ws)
        for idx, col in enumerate(sheet.columns, start=1):
            letter = openpyxl.utils.get_column_letter(idx)
            if col.is_formula:
                assert letter not in dvs
                continue
            dv = dvs[letter]
            assert dv.prompt == column_help(lab, sheet.key, col.key)
            assert "{" not in dv.prompt
            assert dv.error, f"{sheet.key}.{col.key} has no error message"
            assert dv.showErrorMessage
    assert wb[lab.sheet_name("lists")].sheet_state == "hidden"
    # Dropdown labels in the workbook language, on the hidden Lists sheet.
    rng = wb.defined_names["list_skin_type"]
    ((title, ref),) = rng.destinations
    cells = [c[0].value for c in wb[title][ref.replace("$", "")]]
    assert cells == lab.choice_labels("skin_type")


def test_validation_rules_per_type(opened: Callable[[str], openpyxl.Workbook]) -> None:
    wb = opened("en")
    clients = _validations(wb["Clients"])
    visits = _validations(wb["Visits"])
    assert clients["A"].type == "custom"
    assert "COUNTIF(" in clients["A"].formula1
    assert clients["C"].type == "list"
    assert clients["C"].formula1 == "list_gender"
    assert clients["L"].type == "list"
    assert clients["L"].formula1 == "ref_branches_name"
    assert clients["D"].type == "custom"
    assert "MID(D2,3,1)" in clients["D"].formula1
    assert clients["E"].type == "textLength"  # phone
    assert visits["B"].type == "list"
    assert visits["B"].formula1 == "client_ids"
    assert "C" not in visits  # the client name look-up is a formula
    assert visits["D"].type == "date"
    assert visits["D"].formula1 == "setting_earliest_date"  # the bound is the Settings cell
    assert visits["D"].formula2 == "TODAY()"
    assert "1990-01-01" in visits["D"].error
    assert visits["K"].type == "whole"
    assert (visits["K"].formula1, visits["K"].formula2) == ("1", "5")
    assert visits["M"].type == "decimal"
    assert float(visits["M"].formula1) == 0
    names = wb.defined_names
    # An empty workbook is prepared for 10,000 rows on every data sheet.
    assert names["client_ids"].attr_text == "'Clients'!$A$2:$A$10001"
    assert names["setting_earliest_date"].attr_text == "'Settings'!$C$14"
    assert names["setting_lapse_floor_days"].attr_text == "'Settings'!$C$2"


def test_text_format_frozen_header_and_protection(opened: Callable[[str], openpyxl.Workbook]) -> None:
    wb = opened("en")
    ws = wb["Clients"]
    assert ws.freeze_panes == "C2"
    assert wb["Visits"].freeze_panes == "B2"
    for sheet in ("Clients", "Visits", "Appointments", "Feedback", "Settings", "About"):
        assert wb[sheet].protection.sheet, sheet
    # Header locked, data columns editable and formatted as text for IDs and phones.
    assert ws["A1"].protection.locked
    dims = ws.column_dimensions
    for letter in ("A", "E", "K"):  # client_id, phone, emergency phone
        assert dims[letter].number_format == "@"
        assert not dims[letter].protection.locked
        assert dims[letter].quotePrefix
    # Formula columns stay locked so staff cannot overwrite them.
    assert ws["AO2"].protection.locked
    assert ws["AO10001"].protection.locked


def _sheet_xml(book: Path, number: int) -> str:
    with zipfile.ZipFile(book) as z:
        return z.read(f"xl/worksheets/sheet{number}.xml").decode()


def test_formula_columns_are_one_shared_formula_over_the_prepared_rows(books: dict[str, Path]) -> None:
    clients = load_template().sheet("clients")
    xml = _sheet_xml(books["en"], 1)  # Clients is the first sheet
    masters = dict(re.findall(r'<c r="([A-Z]+)2" [^>]*><f t="shared" ref="[A-Z]+2:[A-Z]+(\d+)" si="\d+">', xml))
    formula_letters = {
        openpyxl.utils.get_column_letter(i) for i, c in enumerate(clients.columns, start=1) if c.is_formula
    }
    assert masters == dict.fromkeys(formula_letters, "10001")
    # The first row holds the formula (last_visit, column AO), each other prepared row refers to it.
    assert re.search(r'<c r="AO2" [^>]*><f t="shared" ref="AO2:AO10001" si="\d+">IF\(N\(\$AP2\)=0', xml)
    assert len(re.findall(r'<c r="AO\d+" [^>]*><f t="shared" si="\d+"/></c>', xml)) == 9_999
    assert '<c r="AO10002"' not in xml
    # The name look-up beside Visits' client_id (column C) likewise.
    visits = _sheet_xml(books["en"], 2)
    assert '<c r="C2" ' in visits
    assert re.search(r'ref="C2:C10001" si="\d+">IF\(\$B2="","",IFERROR\(INDEX\(client_names,MATCH\(\$B2,', visits)


def test_about_sheet_carries_template_id_and_version(opened: Callable[[str], openpyxl.Workbook]) -> None:
    t = load_template()
    ws = opened("vi")[t.labels("vi").sheet_name("about")]
    rows = {r[0]: r[2] for r in ws.iter_rows(values_only=True) if r and r[0]}
    assert rows["template_id"] == t.id
    assert rows["template_version"] == str(t.version)
    assert rows["locale"] == "vi"


def test_conditional_formats_cover_domain_list(opened: Callable[[str], openpyxl.Workbook]) -> None:
    wb = opened("en")
    formulas = {
        sheet: " ".join(r.formula[0] for cf in wb[sheet].conditional_formatting for r in cf.rules)
        for sheet in ("Clients", "Appointments", "Feedback")
    }
    for needle in (
        '"Lapsed"',
        '"Overdue"',
        '"Due soon"',
        "setting_birthday_lead_days",
        "TRIM($V2)",
        "TRIM($X2)",
        '<>"Yes"',
    ):
        assert needle in formulas["Clients"], needle
    assert '"No-show"' in formulas["Appointments"]
    assert "TODAY()" in formulas["Appointments"]
    assert '"Complaint"' in formulas["Feedback"]


def test_refuses_to_overwrite_and_wrong_suffix(tmp_path: Path) -> None:
    book = write_excel(tmp_path / "a.xlsx")
    before = book.read_bytes()
    with pytest.raises(WorkbookWriteError, match="already exists"):
        write_excel(book)
    assert book.read_bytes() == before
    with pytest.raises(UsageError, match=r"\.xlsx"):
        write_excel(tmp_path / "a.xls")
    with pytest.raises(WorkbookWriteError, match="folder does not exist"):
        write_excel(tmp_path / "missing" / "a.xlsx")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.xlsx"]  # no temporary files left


#: Few spare rows: these tests are about cell text, not about the prepared area.
_SMALL = replace(load_template(), spare_rows=20)
_NUMBERS = itertools.count()


def _book_with_texts(path: Path, texts: list[str]) -> Path:
    t = _SMALL
    frames = empty_frames(t)
    clients = pd.DataFrame({c.key: [None] * len(texts) for c in t.sheet("clients").data_columns})
    clients["client_id"] = [f"C{i:04d}" for i in range(len(texts))]
    clients["full_name"] = texts
    clients["notes"] = texts
    clients["phone"] = ["0612345678"] * len(texts)
    frames["clients"] = clients
    return write_excel(path, WorkbookData(**frames), template=t, generated_at=dt.datetime(2026, 1, 1))


# Text a spreadsheet could mistake for a formula, a number or a date, or mangle.
tricky = st.one_of(
    st.text(min_size=1, max_size=60),
    st.builds(
        lambda p, s: p + s, st.sampled_from(["=", "+", "-", "@", "\t", "\r", "=HYPERLINK(", "'"]), st.text(max_size=30)
    ),
    st.sampled_from(
        [
            "=1+1",
            "+33 6 12 34 56 78",
            "-5",
            "@SUM(A1)",
            "0612345678",
            "1.2E+10",
            "03-14",
            "NA",
            "TRUE",
            "_x000D_",
            "a\r\nb",
            " lead and trail ",
            "=cmd|' /C calc'!A0",
        ]
    ),
).filter(lambda s: s != "" and len(s) <= 120)


CONTROL = {chr(c) for c in range(32)} - {"\t", "\n"}


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(texts=st.lists(tricky, min_size=1, max_size=15))
def test_any_text_is_stored_and_read_back_as_the_same_text(tmp_path: Path, texts: list[str]) -> None:
    book = _book_with_texts(tmp_path / f"texts-{next(_NUMBERS)}.xlsx", texts)
    cal = CalamineWorkbook.from_path(str(book)).get_sheet_by_name("Clients").to_python(skip_empty_area=False)
    wb = openpyxl.load_workbook(book, read_only=True)
    try:
        cells = list(wb["Clients"].iter_rows(min_row=2, max_row=len(texts) + 1))
    finally:
        wb.close()
    for i, text in enumerate(texts):
        assert cal[i + 1][1] == text  # full_name
        assert cal[i + 1][39] == text  # notes
        assert cal[i + 1][4] == "0612345678"  # phone keeps its leading zero
        for cell in (cells[i][1], cells[i][39]):
            assert cell.data_type == "s", (text, cell.data_type)  # text, never a formula
            # openpyxl does not undo the _xHHHH_ escapes of control characters (Excel and calamine do).
            if not CONTROL & set(text) and "_x" not in text:
                assert cell.value == text


def test_text_longer_than_a_cell_is_refused(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="32767"):
        _book_with_texts(tmp_path / "long.xlsx", ["x" * 40_000])


def test_more_rows_than_a_sheet_holds_is_refused_not_truncated(tmp_path: Path) -> None:
    t = load_template()
    frames = empty_frames(t)
    frames["feedback"] = pd.DataFrame(
        {c.key: pd.Series([None] * 1_048_576, dtype=object) for c in t.sheet("feedback").data_columns}
    )
    with pytest.raises(UsageError, match="at most 1,048,575"):
        write_excel(tmp_path / "huge.xlsx", WorkbookData(**frames))
    assert list(tmp_path.iterdir()) == []


def test_every_sheet_staff_print_is_landscape_one_page_wide_with_its_header(books: dict[str, Path]) -> None:
    t = load_template()
    lab = t.labels("vi")
    with zipfile.ZipFile(books["vi"]) as z:
        workbook = z.read("xl/workbook.xml").decode()
        names = [html.unescape(n) for n in re.findall(r'<sheet name="([^"]*)"', workbook)]

        def sheet_xml(key: str) -> str:
            return z.read(f"xl/worksheets/sheet{names.index(lab.sheet_name(key)) + 1}.xml").decode()

        def defined(name: str, key: str) -> str:
            sheet_id = names.index(lab.sheet_name(key))
            found = re.search(rf'<definedName name="_xlnm\.{name}" localSheetId="{sheet_id}">([^<]*)<', workbook)
            assert found is not None, (name, key)
            return html.unescape(found.group(1))

        for key in [s.key for s in t.sheets] + ["settings", "legend", "about"]:
            xml = sheet_xml(key)
            assert '<pageSetUpPr fitToPage="1"/>' in xml, key  # fit to page ...
            setup = re.search(r"<pageSetup [^>]*/>", xml)
            assert setup is not None, key
            # ... one page wide (fitToWidth defaults to 1), as many pages down as needed, A4 landscape.
            assert 'fitToHeight="0"' in setup.group(0), key
            assert "fitToWidth" not in setup.group(0), key
            assert 'orientation="landscape"' in setup.group(0), key
            assert 'paperSize="9"' in setup.group(0), key
        for sheet in t.sheets:
            quoted = re.escape(lab.sheet_name(sheet.key))
            assert re.fullmatch(rf"'?{quoted}'?!\$1:\$1", defined("Print_Titles", sheet.key))  # header on every page
            # The front-desk columns (through print_through), the header and the data rows (one in an empty book).
            last = openpyxl.utils.get_column_letter(sheet.print_columns)
            assert re.fullmatch(rf"'?{quoted}'?!\$A\$1:\${last}\$2", defined("Print_Area", sheet.key))
        assert t.sheet("clients").print_columns < len(t.sheet("clients").columns)  # not all 47 columns


@pytest.mark.parametrize("locale", LOCALES)
def test_legend_explains_every_colour_in_the_workbook_language(
    opened: Callable[[str], openpyxl.Workbook], locale: str
) -> None:
    t = load_template()
    lab = t.labels(locale)
    ws = opened(locale)[lab.sheet_name("legend")]
    assert ws.protection.sheet
    assert ws["A1"].value == lab.legend["title"]
    assert [ws.cell(3, c).value for c in (1, 2, 3)] == [lab.legend[k] for k in ("colour", "where", "meaning")]
    rows = list(ws.iter_rows(min_row=4, values_only=False))
    fills = {}
    for sample, where, meaning in (r[:3] for r in rows if r[0].value):
        fills[str(sample.fill.fgColor.rgb)[-6:]] = meaning.value
        assert sample.value
        assert where.value
        assert meaning.value
        # Wrapped and at least as tall as its text needs: nothing clipped.
        assert meaning.alignment.wrap_text
        assert ws.row_dimensions[sample.row].height >= line_height(
            wrapped_lines(str(meaning.value), ws.column_dimensions["C"].width)
        )
    # Every fill the workbook uses, header colours and conditional formats, has its row.
    used = {str(s["bg_color"]).lstrip("#").upper() for s in STYLES.values() if "bg_color" in s}
    used |= {HEADER_COLOURS[k].lstrip("#").upper() for k in (None, "personal", "health", "formula")}
    assert used <= set(fills)
    assert lab.legend["no_show"]["meaning"] in fills.values()
