"""Template version 2 in the workbook: setting bounds, month-day birthdays by date order, legend, print setup."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from sheetkit.errors import UsageError
from sheetkit.excel.writer import new_workbook, write_excel
from sheetkit.frames import WorkbookData
from sheetkit.template import SettingBound, load_template, resolve_bound
from sheetkit.template.model import LEGEND_KEYS


def test_setting_bounds_resolve_against_settings() -> None:
    t = load_template()
    bound = t.sheet("visits").column("visit_date").min
    assert bound == SettingBound("earliest_date")
    assert resolve_bound(bound, {"earliest_date": dt.date(1997, 3, 1)}) == dt.date(1997, 3, 1)
    assert resolve_bound(bound, {}, t) == dt.date(1990, 1, 1)
    assert [s.key for s in t.settings][-3:] == ["retention_years", "earliest_date", "follow_up_quiet_days"]


@pytest.fixture(scope="module")
def italian(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return new_workbook(tmp_path_factory.mktemp("v2") / "it.xlsx", locale="it")


def _validation(ws: openpyxl.worksheet.worksheet.Worksheet, letter: str) -> object:
    return next(dv for dv in ws.data_validations.dataValidation if str(dv.sqref).startswith(f"{letter}2"))


def test_month_day_in_day_first_order_in_italian(italian: Path) -> None:
    wb = openpyxl.load_workbook(italian)
    lab = load_template().labels("it")
    ws = wb[lab.sheet_name("clients")]
    dv = _validation(ws, "D")
    assert "GG-MM" in dv.prompt  # type: ignore[attr-defined]
    assert "14-03" in dv.prompt  # type: ignore[attr-defined]
    assert "GG-MM" in dv.error  # type: ignore[attr-defined]
    assert 'setting_date_order="DMY"' in dv.formula1  # type: ignore[attr-defined]
    assert len(dv.formula1) < 255  # type: ignore[attr-defined]


def test_legend_and_print_setup(italian: Path) -> None:
    wb = openpyxl.load_workbook(italian)
    lab = load_template().labels("it")
    legend = wb[lab.sheet_name("legend")]
    meanings = [legend.cell(r, 3).value for r in range(4, 4 + len(LEGEND_KEYS))]
    assert meanings == [lab.legend[k]["meaning"] for k in LEGEND_KEYS]
    for sheet in load_template().sheets:
        ws = wb[lab.sheet_name(sheet.key)]
        assert ws.page_setup.orientation == "landscape"
        assert ws.sheet_properties.pageSetUpPr.fitToPage  # one page wide (xlsxwriter omits the default 1)
        assert ws.page_setup.fitToHeight == 0
        assert ws.print_title_rows == "$1:$1"
        assert ws.print_area is not None
    about = wb[lab.sheet_name("about")]
    keys = {about.cell(r, 1).value: about.cell(r, 3).value for r in range(1, 12)}
    assert keys["prepared_rows"] == "10001"


def test_partial_frames_are_written_blank_and_useless_ones_refused(tmp_path: Path) -> None:
    clients = pd.DataFrame({"client_id": ["C1"], "full_name": ["Ana"], "birth_month_day": ["03-14"]})
    clients["birth_date"] = pd.NaT
    data = WorkbookData(clients=clients, visits=pd.DataFrame(), appointments=pd.DataFrame(), feedback=pd.DataFrame())
    out = write_excel(tmp_path / "partial.xlsx", data, locale="vi")
    ws = openpyxl.load_workbook(out)[load_template().labels("vi").sheet_name("clients")]
    assert ws["A2"].value == "C1"
    assert ws["D2"].value == "14-03"  # DD-MM in a Vietnamese workbook
    bad = WorkbookData(
        clients=pd.DataFrame({"nonsense": [1]}),
        visits=pd.DataFrame(),
        appointments=pd.DataFrame(),
        feedback=pd.DataFrame(),
    )
    with pytest.raises(UsageError, match="none of the sheet's columns"):
        write_excel(tmp_path / "bad.xlsx", bad)
