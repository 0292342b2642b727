"""Sharper diagnoses of a staff workbook: a renamed header, runs of blank rows, a workbook open elsewhere.

Each test edits a real generated workbook the way staff would (a header typed over, rows emptied, the
workbook open in Excel or LibreOffice) and checks the Issue ``sheetkit.validate`` gives, in the
workbook's language, and what ``sheetkit check`` prints.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import shutil
import struct
import zipfile
from pathlib import Path

import openpyxl
import pytest

import sheetkit as sk
from sheetkit.cli import main
from sheetkit.excel.lockfile import open_elsewhere, read_libreoffice_lock, read_owner_file

AS_OF = dt.date(2026, 11, 22)
BELOW = "The rows below were read too."


@pytest.fixture(scope="module")
def books(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("diagnoses")
    made = {}
    for locale in ("en", "it"):
        made[locale] = folder / f"salon-{locale}.xlsx"
        sk.write_demo(made[locale], clients=30, locale=locale, seed=4, as_of=AS_OF)
    return made


def _copy(books: dict[str, Path], locale: str, tmp_path: Path) -> Path:
    out = tmp_path / f"staff-{locale}.xlsx"
    shutil.copy(books[locale], out)
    return out


def _retype_header(path: Path, old: str, new: str) -> None:
    """Type ``new`` over the header ``old`` of the first sheet in the package itself, as a spreadsheet would."""
    with zipfile.ZipFile(path) as zf:
        parts = {info.filename: zf.read(info) for info in zf.infolist()}
    sheet = parts["xl/worksheets/sheet1.xml"].decode("utf-8")
    assert f"<t>{old}</t>" in sheet
    parts["xl/worksheets/sheet1.xml"] = sheet.replace(f"<t>{old}</t>", f"<t>{new}</t>", 1).encode("utf-8")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    path.write_bytes(buffer.getvalue())


def _codes(result: sk.ValidationResult, *codes: str) -> list[sk.Issue]:
    return [issue for issue in result.issues if issue.code in codes]


# ---------------------------------------------------------------- renamed header


def test_a_renamed_header_is_an_error_at_the_header_cell(books: dict[str, Path], tmp_path: Path) -> None:
    book = _copy(books, "en", tmp_path)
    _retype_header(book, "Phone", "Tel.")
    result = sk.validate(book, as_of=AS_OF)
    [renamed] = _codes(result, "renamed-column")
    phones = int(sk.validate(books["en"], as_of=AS_OF).frames.clients["phone"].notna().sum())
    assert (renamed.severity, renamed.sheet, renamed.cell, renamed.column) == ("error", "Clients", "E1", "Tel.")
    assert renamed.column_key == "phone"
    assert renamed.message == (
        f"The header Tel. stands where the column Phone belongs, so its {phones} values are not read. "
        "Rename the header back to Phone."
    )
    # One thing to fix, said once: no "missing column" and no "extra column" beside it.
    assert not _codes(result, "missing-column", "missing-optional-column", "extra-column")
    assert not result.valid


def test_a_renamed_header_in_an_italian_workbook_speaks_italian(books: dict[str, Path], tmp_path: Path) -> None:
    book = _copy(books, "it", tmp_path)
    _retype_header(book, "Telefono", "Cellulare")
    [renamed] = _codes(sk.validate(book, as_of=AS_OF), "renamed-column")
    assert renamed.message.startswith("L'intestazione Cellulare si trova dove dovrebbe esserci la colonna Telefono")
    assert "Rinomina l'intestazione in Telefono" in renamed.message


def test_a_column_staff_added_at_the_end_stays_an_extra_column(books: dict[str, Path], tmp_path: Path) -> None:
    book = _copy(books, "en", tmp_path)
    wb = openpyxl.load_workbook(book)
    ws = wb["Feedback"]
    ws.cell(row=1, column=ws.max_column + 1, value="Manager's note")
    wb.save(book)
    result = sk.validate(book, as_of=AS_OF)
    assert [i.column for i in _codes(result, "extra-column")] == ["Manager's note"]
    assert not _codes(result, "renamed-column")


# ---------------------------------------------------------------- blank rows


def test_a_run_of_blank_rows_is_one_issue(books: dict[str, Path], tmp_path: Path) -> None:
    book = _copy(books, "en", tmp_path)
    wb = openpyxl.load_workbook(book)
    ws = wb["Visits"]
    for row in [*range(10, 18), 22]:
        for cell in ws[row]:
            cell.value = None
    wb.save(book)
    result = sk.validate(book, as_of=AS_OF)
    found = [(i.code, i.row, i.message) for i in _codes(result, "blank-row", "blank-rows")]
    assert found == [
        ("blank-rows", 10, "Rows 10 to 17 are empty (8 rows), but there are rows below them. " + BELOW),
        ("blank-row", 22, "Row 22 is empty, but there are rows below it. " + BELOW),
    ]
    assert all(i.severity == "warning" for i in _codes(result, "blank-row", "blank-rows"))


# ---------------------------------------------------------------- open elsewhere


def _owner_file(name: str) -> bytes:
    """An Excel owner file as Excel writes it: length, ANSI name padded to 54 bytes, length, UTF-16 name."""
    ansi = name.encode("cp1252", errors="replace")
    head = bytes([len(name)]) + ansi.ljust(53, b" ")
    wide = struct.pack("<H", len(name)) + name.encode("utf-16-le")
    return (head + wide).ljust(165, b"\x20")


def test_an_excel_owner_file_names_who_has_the_workbook_open(books: dict[str, Path], tmp_path: Path) -> None:
    book = _copy(books, "en", tmp_path)
    owner = tmp_path / f"~${book.name}"
    owner.write_bytes(_owner_file("李娜 Front Desk"))
    opened = dt.datetime(2026, 12, 7, 9, 15)  # local time, as the file's modification time holds it
    os.utime(owner, (opened.timestamp(), opened.timestamp()))
    [found] = open_elsewhere(book)
    assert (found.app, found.who, found.since) == ("Excel", "李娜 Front Desk", "2026-12-07 09:15")
    [issue] = _codes(sk.validate(book, as_of=AS_OF), "open-elsewhere")
    assert issue.severity == "warning"
    assert issue.message == (
        "This workbook is open in Excel by 李娜 Front Desk since 2026-12-07 09:15. Changes not yet saved there "
        "are not included in this check: save them and check again."
    )


def test_a_libreoffice_lock_file_names_user_host_and_time(books: dict[str, Path], tmp_path: Path) -> None:
    book = _copy(books, "it", tmp_path)
    lock = tmp_path / f".~lock.{book.name}#"
    lock.write_text("Maria Rossi\\, reception,mrossi,cassa-pc,07.12.2026 09:15,file:///home/mrossi/.config/lo/4;")
    found = read_libreoffice_lock(lock)
    assert found is not None
    who = "Maria Rossi, reception (mrossi@cassa-pc)"
    assert (found.app, found.who, found.since) == ("LibreOffice", who, "2026-12-07 09:15")
    [issue] = _codes(sk.validate(book, as_of=AS_OF), "open-elsewhere")
    assert issue.message.startswith("Questa cartella di lavoro è aperta in LibreOffice da Maria Rossi, reception")
    assert "dal 2026-12-07 09:15" in issue.message


def test_a_stray_file_that_is_not_an_owner_file_says_nothing(tmp_path: Path) -> None:
    owner = tmp_path / "~$salon.xlsx"
    owner.write_bytes(b"")
    assert read_owner_file(owner) is None
    assert open_elsewhere(tmp_path / "salon.xlsx") == []


def test_check_prints_the_open_elsewhere_warning(
    books: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    book = _copy(books, "en", tmp_path)
    (tmp_path / f".~lock.{book.name}#").write_text("Anna,anna,desk,07.12.2026 09:15,file:///x;")
    assert main(["check", str(book), "--as-of", AS_OF.isoformat(), "--json"]) == 0  # a warning: still valid
    printed = capsys.readouterr().out
    assert '"code": "open-elsewhere"' in printed
    assert "Anna (anna@desk)" in printed
