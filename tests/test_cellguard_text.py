"""The cell guard clears formula text and prepared formula rows quickly, and still finds crafted cells.

Text that looks like markup (``IF(order="DMY"...``, a note "colour = red 1:c ") is harmless
outside a tag; a second ``r`` hidden by quotes that hold ``>`` or ``<`` is not, wherever a
chunk of the inflated part happens to end. Formula cells without a value do not count for
the grid calamine allocates (it leaves them out), so a template's prepared formula rows
far below the data are accepted, while one value cell far away is still refused.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

import pytest

import sheetkit as sk
from sheetkit.errors import UnsafeWorkbookError
from sheetkit.excel.cellguard import FastCells
from sheetkit.excel.sniff import sniff_workbook

AS_OF = dt.date(2026, 11, 22)
CLIENTS = "xl/worksheets/sheet1.xml"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    path = tmp_path_factory.mktemp("demo") / "salon.xlsx"
    sk.write_demo(path, clients=20, as_of=AS_OF)
    return path.read_bytes()


def with_rows(data: bytes, rows: str) -> bytes:
    """``data`` with ``rows`` added at the end of the Clients sheet data."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info)
            if info.filename == CLIENTS:
                body = body.replace(b"</sheetData>", rows.encode() + b"</sheetData>")
            dst.writestr(info.filename, body)
    return out.getvalue()


def sniffed(tmp_path: Path, data: bytes) -> str:
    path = tmp_path / "salon.xlsx"
    path.write_bytes(data)
    return sniff_workbook(path)


@pytest.mark.parametrize(
    "rows",
    [
        # formula text with "r=", a spaced "r =" and ":c " (xlsxwriter writes the text of each formula)
        '<row r="5000"><c r="A5000"><f>IF(setting_date_order="DMY",1,2)</f><v>1</v></c></row>',
        '<row r="5000"><c r="A5000" t="inlineStr"><is><t>colour = red, ratio 1:c 2, x=1</t></is></c></row>',
        # a formula column prepared down to the last row the sheet can have, out to column XFD: no values
        '<row r="1048576"><c r="XFD1048576" s="1"><f t="shared" si="0"/></c><c r="XFC1048576"><f>1</f></c></row>',
    ],
    ids=["formula-text", "cell-text", "formula-only-cells"],
)
def test_text_and_formula_only_cells_are_accepted(tmp_path: Path, demo: bytes, rows: str) -> None:
    assert sniffed(tmp_path, with_rows(demo, rows)) == "xlsx"


@pytest.mark.parametrize(
    "rows",
    [
        # a quoted ">" makes the second r look like text to a naive search
        '<row r="5000"><c r="A5000" x=">" r="XFD1048576"><v>1</v></c></row>',
        '<row r="5000"><c r="A5000" x="><" r="XFD1048576"><v>1</v></c></row>',
        '<row r="5000"><c r="A5000" x=\'>\' r="XFD1048576" y=\'<\'><v>1</v></c></row>',
        # a formula-only cell far away does not count, but a value next to its formula does
        '<row r="1048576"><c r="XFD1048576"><f>1</f><v>1</v></c></row>',
    ],
    ids=["quoted-gt", "quoted-gt-lt", "single-quotes", "formula-with-value"],
)
def test_cells_hidden_behind_quotes_are_still_found(tmp_path: Path, demo: bytes, rows: str) -> None:
    with pytest.raises(UnsafeWorkbookError, match=r"'xl/worksheets/sheet1\.xml' has cells spread"):
        sniffed(tmp_path, with_rows(demo, rows))


def verdict(data: bytes, cut: int, *, strict: bool = False) -> str:
    """What the quick searches say of ``data`` inflated in two chunks, the first ending at ``cut``."""
    guard = FastCells(None, "sheet.xml", strict=strict)
    guard.feed(data[:cut])
    guard.feed(data[cut:])
    guard.finish()
    return "unusual" if guard.unusual else "again" if guard.recheck else "usual"


def test_a_chunk_ending_inside_quotes_asks_for_a_strict_look() -> None:
    # The first chunk ends at a ">" inside a quoted value and holds nothing suspicious; the
    # second alone looks plain, with the second r in what seems to be text.
    head = b'<worksheet><sheetData><row r="2">' + b'<c r="A2"><v>1</v></c>' * 1000 + b'<c r="B2" x=">'
    tail = b'" r="XFD1048576" y="<" z=""><v>1</v></c></row></sheetData></worksheet>'
    assert verdict(head + tail, len(head)) == "again"
    assert verdict(head + tail, len(head), strict=True) == "unusual"
    plain = b'<worksheet><sheetData><row r="2">' + b'<c r="A2"><f>IF(x="DMY",1)</f><v>1</v></c>' * 1000
    rest = b'<c r="B2"><f>order="DMY"</f><v>1</v></c></row></sheetData></worksheet>'
    # The first chunk held no hit, so it was not looked at: the hit in the second needs the strict look.
    assert verdict(plain + rest, len(plain)) == "again"
    assert verdict(plain + rest, len(plain), strict=True) == "usual"
