"""``sheetkit check BOOK --mark OUT.xlsx``: a copy of the workbook with every problem cell highlighted and commented.

The copy is checked at the package level (every validation, x14 extension, conditional format and
formula of the original is still there, every part the marking does not need is byte for byte the
same) and in a real LibreOffice: the comments are there in the staff's language, the validations
survive, and the highlighted cells are rendered to a PNG to look at.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import zipfile
from pathlib import Path

import numpy as np
import pytest

import sheetkit as sk
from sheetkit.cli import main
from sheetkit.excel.mark import FILL_ERROR, FILL_WARNING, mark_package
from tests import office

AS_OF = dt.date(2026, 11, 22)
#: What must survive in every worksheet: validations (also Excel's x14 ones), conditional formats, formulas.
KEPT = {
    "validations": r"<dataValidation\b",
    "x14 validations": r"<x14:dataValidation\b",
    "conditional formats": r"<conditionalFormatting\b",
    "x14 conditional formats": r"<x14:conditionalFormatting\b",
    "formulas": r"<f[ >]",
    "protection": r"<sheetProtection\b",
}


@pytest.fixture(scope="module")
def faulty(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An Italian salon with four problems: an empty required name, an unknown client, a duplicate visit ID."""
    data = sk.generate_demo(clients=12, locale="it", seed=3, as_of=AS_OF)
    data.clients.loc[data.clients.index[2], "full_name"] = None
    visits = data.visits
    visits.loc[visits.index[1], "client_id"] = "C9999"
    visits.loc[visits.index[3], "visit_id"] = visits.loc[visits.index[2], "visit_id"]
    book = tmp_path_factory.mktemp("mark") / "salone.xlsx"
    sk.write_excel(book, data, locale="it")
    return book


def _parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {info.filename: zf.read(info) for info in zf.infolist()}


def _counts(parts: dict[str, bytes]) -> dict[str, dict[str, int]]:
    return {
        name: {what: len(re.findall(pattern.encode(), data)) for what, pattern in KEPT.items()}
        for name, data in parts.items()
        if name.startswith("xl/worksheets/sheet")
    }


def test_mark_writes_a_commented_copy_that_keeps_everything(
    faulty: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "da-correggere.xlsx"
    before = faulty.read_bytes()
    assert main(["check", str(faulty), "--as-of", AS_OF.isoformat(), "--mark", str(out)]) == 1
    printed = capsys.readouterr().out
    assert "Copia con le segnalazioni scritta in" in printed
    assert "4 celle sono evidenziate" in printed
    assert faulty.read_bytes() == before  # the staff workbook itself is never touched
    original, marked = _parts(faulty), _parts(out)
    assert _counts(marked) == _counts(original)
    assert sum(c["validations"] for c in _counts(original).values()) > 0
    changed = {name for name in original if marked[name] != original[name]}
    assert changed == {"[Content_Types].xml", "xl/styles.xml", "xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml"}
    comments = {name: data.decode() for name, data in marked.items() if name.startswith("xl/comments")}
    assert len(comments) == 2
    text = "".join(comments.values())
    assert "Il campo Nome e cognome è obbligatorio. Compilalo." in text
    assert "Il cliente C9999 non esiste nel foglio Clienti." in text
    assert len(re.findall(r"<comment ref=", text)) == 4
    styles = marked["xl/styles.xml"].decode()
    assert FILL_ERROR in styles
    assert FILL_WARNING not in styles  # four errors, no warning


def test_an_empty_required_cell_is_added_with_its_column_format(faulty: Path, tmp_path: Path) -> None:
    result = sk.validate(faulty, as_of=AS_OF)
    [empty] = [i for i in result.issues if i.code == "required-missing"]
    original = _parts(faulty)["xl/worksheets/sheet1.xml"].decode()
    assert f'r="{empty.cell}"' not in original  # the empty cell is not stored at all
    marked, count = mark_package(faulty.read_bytes(), result.issues)
    assert count == 4
    sheet = _parts_of(marked)["xl/worksheets/sheet1.xml"].decode()
    [cell] = re.findall(rf'<c r="{empty.cell}" s="(\d+)"/>', sheet)
    xfs = re.findall(r"<xf\b[^>]*?(?:/>|>.*?</xf>)", _cell_xfs(_parts_of(marked)["xl/styles.xml"].decode()), re.S)
    assert 'applyFill="1"' in xfs[int(cell)]


def _parts_of(package: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(package)) as zf:
        return {info.filename: zf.read(info) for info in zf.infolist()}


def _cell_xfs(styles: str) -> str:
    match = re.search(r"<cellXfs\b[^>]*>(.*?)</cellXfs>", styles, re.S)
    assert match is not None
    return match.group(1)


def test_staff_comments_are_kept_and_extended(faulty: Path) -> None:
    """A cell staff already commented keeps their comment; what to fix is added to it, not beside it."""
    result = sk.validate(faulty, as_of=AS_OF)
    once, _ = mark_package(faulty.read_bytes(), result.issues[:1])
    twice, count = mark_package(once, result.issues)
    assert count == 4
    comments = _parts_of(twice)["xl/comments1.xml"].decode()
    assert comments.count(f'<comment ref="{result.issues[0].cell}"') == 1
    assert comments.count(result.issues[0].message) == 2
    assert comments.count("<author>sheetkit</author>") == 1


def test_mark_refuses_the_workbook_itself_and_other_names(
    faulty: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    book = tmp_path / "salone.xlsx"
    shutil.copy(faulty, book)
    before = book.read_bytes()
    assert main(["check", str(book), "--mark", str(book)]) == 2
    assert "--mark deve indicare un file nuovo" not in capsys.readouterr().err  # no --lang: English before reading
    assert main(["check", str(book), "--mark", str(tmp_path / "." / "salone.xlsx"), "--lang", "it"]) == 2
    assert "--mark deve indicare un file nuovo" in capsys.readouterr().err
    assert main(["check", str(book), "--mark", str(tmp_path / "copy.ods")]) == 2
    assert ".xlsx" in capsys.readouterr().err
    assert book.read_bytes() == before
    existing = tmp_path / "exists.xlsx"
    existing.write_bytes(b"keep")
    assert main(["check", str(book), "--as-of", AS_OF.isoformat(), "--mark", str(existing)]) == 2
    assert existing.read_bytes() == b"keep"
    assert main(["check", str(book), "--as-of", AS_OF.isoformat(), "--mark", str(existing), "--force"]) == 1
    assert existing.read_bytes() != b"keep"


@pytest.mark.office
def test_libreoffice_shows_the_comments_and_keeps_the_validations(faulty: Path, tmp_path: Path) -> None:
    if office.find_soffice() is None:
        pytest.skip("LibreOffice is not installed")
    out = tmp_path / "da-correggere.xlsx"
    assert main(["check", str(faulty), "--as-of", AS_OF.isoformat(), "--mark", str(out), "--quiet"]) == 1
    ods = {
        path.stem: path for path in (office.convert(p, "ods", tmp_path / "ods", recalc=False) for p in (faulty, out))
    }
    content = {stem: _parts(path)["content.xml"].decode() for stem, path in ods.items()}
    marked, plain = content["da-correggere"], content["salone"]
    assert marked.count("<office:annotation") == 4
    assert "Il cliente C9999 non esiste nel foglio Clienti." in marked
    assert plain.count("<office:annotation") == 0
    for element in ("<table:content-validation ", "<calcext:conditional-format ", "table:formula="):
        assert marked.count(element) == plain.count(element) > 0, element
    [page] = office.render_png(out, tmp_path / "png", dpi=110, last_page=1)
    assert _has_colour(page, FILL_ERROR), "the empty required name on the first page is not highlighted"


def _has_colour(png: Path, argb: str) -> bool:
    """True when the rendered page has a patch of the highlight colour (a few pixels, not anti-aliasing)."""
    from PIL import Image  # only for the rendering test

    rgb = np.array([int(argb[i : i + 2], 16) for i in (2, 4, 6)])
    with Image.open(png) as image:
        pixels = np.asarray(image.convert("RGB"), dtype=int)
    # The PDF export shifts colours a little (FFC7CE prints as F4B6B6); no other colour of the page is that close.
    return int((np.abs(pixels - rgb).max(axis=2) <= 26).sum()) > 50
