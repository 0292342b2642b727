"""sheetkit upgrade and rewrite_workbook: v1 workbooks move to the current template with every value kept.

The v1 fixtures were made by the v1 code (tests/fixtures/v1): a demo in each locale, one
re-saved by LibreOffice, and one typed into and saved by LibreOffice (rows right after the
data and 1,500 rows below it, a column staff added, a hidden row, an edited setting and
Lists entry). Every test compares what sheetkit reads before and after, cell by cell.
"""

from __future__ import annotations

import collections
import dataclasses
import datetime as dt
import hashlib
import json
import math
import shutil
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import sheetkit as sk
from sheetkit.cli import main as cli_main
from sheetkit.errors import TemplateMismatchError, UsageError, WorkbookWriteError
from sheetkit.excel.upgrade import rewrite_workbook, upgrade_workbook
from sheetkit.template import load_template

FIXTURES = Path(__file__).parent / "fixtures" / "v1"
TODAY = dt.date(2026, 12, 7)
V1_BOOKS = [
    "demo-en.xlsx",
    "demo-zh-CN.xlsx",
    "demo-it.xlsx",
    "demo-vi.xlsx",
    "resaved-libreoffice-it.xlsx",
    "typed-libreoffice-vi.xlsx",
]


def _copy(name: str, folder: Path) -> Path:
    target = folder / name
    shutil.copyfile(FIXTURES / name, target)
    return target


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _same(a: Any, b: Any) -> bool:
    missing_a = a is None or a is pd.NaT or a is pd.NA or (isinstance(a, float) and math.isnan(a))
    missing_b = b is None or b is pd.NaT or b is pd.NA or (isinstance(b, float) and math.isnan(b))
    if missing_a or missing_b:
        return missing_a and missing_b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return float(a) == float(b)
    if isinstance(a, (dt.date, pd.Timestamp)) or isinstance(b, (dt.date, pd.Timestamp)):
        return pd.Timestamp(a) == pd.Timestamp(b)
    return bool(a == b)


def assert_same_values(old: sk.Workbook, new: sk.Workbook) -> int:
    """Every cell of every data sheet (staff columns too), list and setting of ``old`` reads the same in ``new``."""
    compared = 0
    for sheet in old.template.sheets:
        before, after = old.data.frame(sheet.key), new.data.frame(sheet.key)
        assert list(after.index) == list(before.index), sheet.key
        for column in before.columns:
            assert column in after.columns, (sheet.key, column)
            for row, value in before[column].items():
                assert _same(value, after.at[row, column]), (sheet.key, row, column, value, after.at[row, column])
                compared += 1
    for key, frame in old.data.lists.items():
        for column in frame.columns:
            if frame[column].notna().any():
                assert [str(v) for v in frame[column]] == [str(v) for v in new.data.lists[key][column]], (key, column)
    for key, value in old.data.settings.items():
        assert _same(value, new.data.settings[key]), key
    return compared


@pytest.mark.parametrize("name", V1_BOOKS)
def test_every_v1_fixture_upgrades_with_every_value_identical(tmp_path: Path, name: str) -> None:
    book = _copy(name, tmp_path)
    original = _digest(book)
    old = sk.read_workbook(book)
    assert old.template_version == 1
    assert "upgrade-available" in {i.code for i in old.issues}

    result = upgrade_workbook(book, today=TODAY)

    assert result.changed
    assert (result.from_version, result.to_version) == (1, load_template().version)
    assert result.backup == tmp_path / f"{book.stem}.v1-20261207.xlsx"
    assert _digest(result.backup) == original  # the backup is the workbook as it was
    new = sk.read_workbook(book)
    assert new.template_version == load_template().version
    assert assert_same_values(old, new) > 1000
    # The same Issues as before, less the one that asked for the upgrade.
    before = collections.Counter(i.code for i in old.issues if i.code != "upgrade-available")
    assert collections.Counter(i.code for i in new.issues) == before
    added = {s.sheet for s in result.sheets if s.added}
    assert added == {"patch_tests", "consents", "follow_ups"}
    assert result.verified > 1000

    upgraded = _digest(book)
    again = upgrade_workbook(book, today=TODAY + dt.timedelta(days=1))
    assert not again.changed
    assert again.changes == [f"already at version {load_template().version}: nothing to do"]
    assert _digest(book) == upgraded
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([book.name, result.backup.name])


def test_typed_fixture_keeps_staff_column_hidden_row_rows_far_below_and_edits(tmp_path: Path) -> None:
    book = _copy("typed-libreoffice-vi.xlsx", tmp_path)
    old = sk.read_workbook(book)
    visits = old.data.visits
    last_demo_row = 443  # the demo's last visit; rows 444-446 and 1943-1944 were typed in LibreOffice
    assert {444, 445, 446, 1943, 1944} <= set(visits.index)

    result = upgrade_workbook(book, today=TODAY)

    clients = next(s for s in result.sheets if s.sheet == "clients")
    assert clients.extra_columns == ["Ghi chú riêng"]
    assert clients.hidden_rows == 1
    new = sk.read_workbook(book)
    assert new.data.visits.index.max() == last_demo_row + 1501
    assert new.data.clients["Ghi chú riêng"].dropna().tolist() == ["Thích trà gừng", "0987", "42", "Khách VIP"]
    assert [i.row for i in new.issues if i.code == "hidden-row"] == [5]
    assert new.data.settings["lapse_floor_days"] == 120  # the manager's value, not the default 90
    assert new.data.lists["services"]["price"].iloc[0] == 77000
    # A new Lists column takes its default for the services the template knows.
    peel = load_template().labels("vi").reference_row_name("services", "chemical_peel")
    services = new.data.lists["services"].set_index("name")
    assert services.loc[peel, "patch_test_valid_days"] == 180


def test_dry_run_writes_nothing_and_says_what_would_change(tmp_path: Path) -> None:
    book = _copy("demo-it.xlsx", tmp_path)
    digest = _digest(book)

    result = upgrade_workbook(book, today=TODAY, dry_run=True)

    assert result.dry_run
    assert not result.changed
    assert _digest(book) == digest
    assert [p.name for p in tmp_path.iterdir()] == [book.name]
    appointments = next(s for s in result.sheets if s.sheet == "appointments")
    assert "cancelled_at" in appointments.columns_added
    assert appointments.rows > 0
    assert any("cancelled_at" in line for line in result.changes)
    assert {"earliest_date", "follow_up_quiet_days"} <= set(result.settings_added)


def test_cli_json_equals_the_library_and_says_so_in_words(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    book = _copy("demo-en.xlsx", tmp_path)
    assert cli_main(["upgrade", str(book), "--dry-run", "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    expected = upgrade_workbook(book, today=dt.date.today(), dry_run=True).to_dict()
    assert printed == json.loads(json.dumps(expected, default=str))

    assert cli_main(["upgrade", str(book)]) == 0
    out = capsys.readouterr().out
    assert "Upgraded" in out
    assert f"{book.stem}.v1-" in out
    assert cli_main(["upgrade", str(book)]) == 0
    assert "already at template version" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("change", "words"),
    [({"version": 99}, "newer than this sheetkit knows"), ({"id": "room_bookings"}, "room_bookings")],
)
def test_newer_or_foreign_workbooks_are_refused_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], change: dict[str, Any], words: str
) -> None:
    other = dataclasses.replace(load_template(), **change)
    book = sk.write_excel(tmp_path / "other.xlsx", locale="it", template=other)
    digest = _digest(book)
    with pytest.raises(TemplateMismatchError, match=words):
        upgrade_workbook(book, today=TODAY)
    assert cli_main(["upgrade", str(book)]) == 2
    err = capsys.readouterr().err.strip()
    assert words in err
    assert len(err.splitlines()) == 1
    assert _digest(book) == digest
    assert [p.name for p in tmp_path.iterdir()] == ["other.xlsx"]


def test_open_workbook_and_other_formats_are_refused(tmp_path: Path) -> None:
    book = _copy("demo-en.xlsx", tmp_path)
    (tmp_path / f".~lock.{book.name}#").write_text("someone,pc", encoding="utf-8")
    with pytest.raises(UsageError, match="close it first"):
        upgrade_workbook(book, today=TODAY)
    with pytest.raises(UsageError, match=r"\.xlsx"):
        upgrade_workbook(tmp_path / "salon.ods", today=TODAY)


def test_an_existing_backup_is_never_overwritten(tmp_path: Path) -> None:
    book = _copy("demo-zh-CN.xlsx", tmp_path)
    taken = tmp_path / f"{book.stem}.v1-20261207.xlsx"
    taken.write_bytes(b"an older backup")
    result = upgrade_workbook(book, today=TODAY)
    assert result.backup == tmp_path / f"{book.stem}.v1-20261207-2.xlsx"
    assert taken.read_bytes() == b"an older backup"


# ---------------------------------------------------------------- rewrite_workbook, for other commands


def test_a_transform_that_loses_a_staff_column_fails_verification_and_changes_nothing(tmp_path: Path) -> None:
    book = _copy("typed-libreoffice-vi.xlsx", tmp_path)
    digest = _digest(book)

    def careless(data: sk.WorkbookData) -> sk.WorkbookData:
        data.clients = data.clients.drop(columns=["Ghi chú riêng"])  # not the transform's to drop
        return data

    with pytest.raises(WorkbookWriteError, match=r"would not keep 4 cell\(s\).*Ghi chú riêng.*nothing was changed"):
        rewrite_workbook(book, careless, today=TODAY)
    assert _digest(book) == digest
    assert [p.name for p in tmp_path.iterdir()] == [book.name]  # no backup, no scratch file left


def test_a_transform_edits_removes_and_appends_rows_and_the_rest_is_verified(tmp_path: Path) -> None:
    book = _copy("demo-en.xlsx", tmp_path)
    sk.upgrade_workbook(book, today=TODAY)
    old = sk.read_workbook(book)
    gone = int(old.data.clients.index[2])  # the third client
    blanked = int(old.data.clients.index[5])
    last = int(old.data.visits.index.max())

    def forget_and_add(data: sk.WorkbookData) -> sk.WorkbookData:
        data.clients = data.clients.drop(index=gone)
        data.clients.loc[blanked, "notes"] = None
        new_visit = data.visits.iloc[[0]].copy()
        new_visit.index = pd.Index([-1])
        new_visit["visit_id"] = "V-NEW-1"
        data.visits = pd.concat([data.visits, new_visit])
        return data

    result = rewrite_workbook(book, forget_and_add, today=TODAY)

    assert result.changed
    assert result.removed["clients"] == 1
    assert result.appended["visits"] == 1
    assert result.backup is not None
    assert result.backup.name == f"{book.stem}.v2-20261207.xlsx"
    new = sk.read_workbook(book)
    before = old.data.clients.drop(index=gone)
    after = new.data.clients
    assert len(after) == len(before)
    for (row_before, values), (_, read) in zip(before.iterrows(), after.iterrows(), strict=True):
        for column, value in values.items():
            if (row_before, column) != (blanked, "notes"):
                assert _same(value, read[column]), (row_before, column)
    assert pd.isna(after.loc[blanked - (1 if blanked > gone else 0), "notes"])
    assert new.data.visits.loc[last + 1, "visit_id"] == "V-NEW-1"
    assert result.verified > 1000


@pytest.mark.office
def test_libreoffice_opens_an_upgraded_workbook(tmp_path: Path) -> None:
    from tests.office import find_soffice, recalculated_xlsx

    if find_soffice() is None:
        pytest.skip("LibreOffice not installed")
    book = _copy("typed-libreoffice-vi.xlsx", tmp_path)
    old = sk.read_workbook(book)
    upgrade_workbook(book, today=TODAY)
    saved = recalculated_xlsx(book, tmp_path / "lo")
    again = sk.read_workbook(saved)
    assert again.template_version == load_template().version
    assert_same_values(old, again)


def test_cells_that_fail_validation_are_copied_as_typed(tmp_path: Path) -> None:
    import openpyxl

    # Test input only: staff typos typed into a copy of the v1 demo (never how sheetkit edits a workbook).
    source = openpyxl.load_workbook(FIXTURES / "demo-en.xlsx")
    labels = load_template().labels("en")
    visits = source[labels.sheet_name("visits")]
    headers = {cell.value: cell.column for cell in visits[1]}
    date_column = headers[labels.header("visits", "visit_date")]
    rating_column = headers[labels.header("visits", "satisfaction")]
    visits.cell(row=3, column=date_column).value = "31/02/2026"
    visits.cell(row=4, column=rating_column).value = "N/A"
    visits.cell(row=5, column=rating_column).value = "very happy"
    book = tmp_path / "typos.xlsx"
    source.save(book)
    old = sk.read_workbook(book)
    codes = {(i.row, i.code) for i in old.issues}
    assert {(3, "impossible-date"), (4, "placeholder-value"), (5, "not-a-number")} <= codes

    upgrade_workbook(book, today=TODAY)

    new = sk.read_workbook(book)
    assert {(i.row, i.code) for i in new.issues} >= {
        (3, "impossible-date"),
        (4, "placeholder-value"),
        (5, "not-a-number"),
    }
    opened = openpyxl.load_workbook(book, read_only=True)  # holds the file open until closed
    check = opened[labels.sheet_name("visits")]
    cells = {(c.row, c.value) for row in check.iter_rows(min_row=3, max_row=5) for c in row if isinstance(c.value, str)}
    opened.close()
    assert {(3, "31/02/2026"), (4, "N/A"), (5, "very happy")} <= cells


def test_a_current_workbook_with_data_past_its_prepared_rows_is_re_extended(tmp_path: Path) -> None:
    import openpyxl

    book = sk.write_excel(
        tmp_path / "salon.xlsx", sk.generate_demo(clients=8, locale="en", seed=2, as_of=TODAY), locale="en"
    )
    # Test input only: a visit typed far below the prepared rows (openpyxl stands in for a spreadsheet app).
    source = openpyxl.load_workbook(book)
    labels = load_template().labels("en")
    visits = source[labels.sheet_name("visits")]
    far = visits.max_row + 50
    for column, cell in enumerate(visits[2], start=1):
        if not (isinstance(cell.value, str) and cell.value.startswith("=")):
            visits.cell(row=far, column=column).value = cell.value
    visits.cell(row=far, column=1).value = "V-FAR-1"
    source.save(book)
    old = sk.read_workbook(book)
    assert "prepared-area-exceeded" in {i.code for i in old.issues}

    result = upgrade_workbook(book, today=TODAY)

    assert result.changed
    assert result.from_version == result.to_version == load_template().version
    new = sk.read_workbook(book)
    assert not {"prepared-area-exceeded", "prepared-area-nearly-full"} & {i.code for i in new.issues}
    assert new.data.visits.loc[far, "visit_id"] == "V-FAR-1"
    assert_same_values(old, new)


# ---------------------------------------------------------------- birthdays without the year, changed defaults


def _typed_birthdays(path: Path, locale: str) -> dict[int, str]:
    """Sheet row -> the birthday cell as typed, for birthdays without the year (text cells)."""
    import openpyxl

    labels = load_template().labels(locale)
    book = openpyxl.load_workbook(path, read_only=True)
    try:
        rows = book[labels.sheet_name("clients")].iter_rows(values_only=True)
        header = list(next(rows))
        j = header.index(labels.header("clients", "birth_date"))
        return {n: r[j] for n, r in enumerate(rows, start=2) if j < len(r) and isinstance(r[j], str)}
    finally:
        book.close()


def test_italian_v1_birthdays_without_the_year_are_typed_day_first_and_keep_their_dates(tmp_path: Path) -> None:
    book = _copy("demo-it.xlsx", tmp_path)
    old = sk.read_workbook(book)
    before = _typed_birthdays(book, "it")
    # Version 1 typed month first in every language: row 5 is 5 October, both numbers <= 12, so
    # copied as typed it would read as 10 May in an Italian v2 workbook.
    assert before[5] == "10-05"
    assert old.data.clients.at[5, "birth_month_day"] == "10-05"

    result = upgrade_workbook(book, today=TODAY)

    clients = next(s for s in result.sheets if s.sheet == "clients")
    assert clients.birthdays_retyped == len(before) == 4
    assert any("birthday(s) without the year" in line for line in result.changes)
    assert _typed_birthdays(book, "it") == {row: f"{text[3:]}-{text[:2]}" for row, text in before.items()}
    new = sk.read_workbook(book)
    for row in before:
        assert new.data.clients.at[row, "birth_month_day"] == old.data.clients.at[row, "birth_month_day"]
    assert "not-a-month-day" not in {i.code for i in new.issues}


def test_english_birthdays_keep_month_first(tmp_path: Path) -> None:
    book = _copy("demo-en.xlsx", tmp_path)
    before = _typed_birthdays(book, "en")
    result = upgrade_workbook(book, today=TODAY)
    assert all(s.birthdays_retyped == 0 for s in result.sheets)
    assert _typed_birthdays(book, "en") == before


def test_the_verification_compares_birthdays_as_dates_and_checks_how_they_are_typed(tmp_path: Path) -> None:
    import openpyxl

    from sheetkit.excel import upgrade_plan as plans
    from sheetkit.excel.upgrade_read import read_in_full

    template = load_template()
    labels = template.labels("it")
    source = _copy("demo-it.xlsx", tmp_path)
    old = read_in_full(source, template)
    plan = plans.plan_output(
        old, plans.editable_data(old, template), template, "it", plans.extra_columns(old, template)
    )
    upgraded = tmp_path / "upgraded.xlsx"
    shutil.copyfile(source, upgraded)
    upgrade_workbook(upgraded, today=TODAY)
    typed = {("clients", 5, "birth_date"): "05-10"}

    def compared(cell: str) -> list[str]:
        # Test input only: one birthday cell typed again (openpyxl stands in for staff in a spreadsheet app).
        book = openpyxl.load_workbook(upgraded)
        sheet = book[labels.sheet_name("clients")]
        column = [c.value for c in sheet[1]].index(labels.header("clients", "birth_date")) + 1
        sheet.cell(row=5, column=column).value = cell
        edited = tmp_path / f"edited-{len(list(tmp_path.iterdir()))}.xlsx"
        book.save(edited)
        new = read_in_full(edited, template)
        found, _ = plans.compare(old, new, plan, touched=set(), kept_settings=set(), kept_lists=set(), typed=typed)
        return [f"{d.row}:{d.column}" for d in found if d.sheet == labels.sheet_name("clients")]

    assert compared("05-10") == []  # 5 October, typed day first: the upgrade's own text
    # The v1 text copied as typed is the same text but another date (10 May): a difference.
    assert "5:birth_month_day" in compared("10-05")
    # The same date typed otherwise (5/10) compares equal as a date; only the typed-text check names it.
    assert compared("5/10") == ["5:birth_date (D)"]


def test_settings_left_at_a_changed_default_take_the_new_one() -> None:
    from sheetkit.template.changes import CHANGED_DEFAULTS, settings_at_old_defaults

    changed = {1: {"lapse_floor_days": 90, "retention_years": 6}}
    current = {"lapse_floor_days": 120, "retention_years": 6}
    assert settings_at_old_defaults({"lapse_floor_days": 90.0}, 1, current, changed=changed) == {
        "lapse_floor_days": 120
    }
    assert settings_at_old_defaults({"lapse_floor_days": 100}, 1, current, changed=changed) == {}  # the manager's
    assert settings_at_old_defaults({"lapse_floor_days": 90}, 1, current, present=[], changed=changed) == {}
    assert settings_at_old_defaults({"lapse_floor_days": 90}, 2, current, changed=changed) == {}  # already v2
    # Version 2 changed no default of version 1: an upgrade keeps every setting.
    assert settings_at_old_defaults({"lapse_floor_days": 90}, 1, current) == {}
    assert all(not defaults for defaults in CHANGED_DEFAULTS.values())
