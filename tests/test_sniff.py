"""sniff_workbook: format by content, and a clear sheetkit error for every unusable file."""

from __future__ import annotations

import io
import itertools
import os
import struct
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sheetkit.errors import (
    EncryptedWorkbookError,
    SheetkitError,
    UnsafeWorkbookError,
    UnsupportedFormatError,
    WorkbookError,
    WorkbookNotFoundError,
    WorkbookPasswordError,
)
from sheetkit.excel.sniff import MAX_ENTRIES, check_zip_safety, sniff_workbook
from sheetkit.excel.writer import new_workbook
from tests import office

MiB = 1024 * 1024
BILLION_LAUGHS = (
    '<!DOCTYPE lolz [<!ENTITY lol0 "lol">'
    + "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10))
    + "]>"
)


# --------------------------------------------------------------------------- helpers and inputs


def refused(path: Path, cls: type[SheetkitError], *phrases: str, **limits: int) -> str:
    """Sniff ``path``, expect exactly ``cls`` with every phrase in its message; return the message."""
    with pytest.raises(cls) as caught:
        sniff_workbook(path, **limits)
    assert type(caught.value) is cls
    message = str(caught.value)
    for phrase in phrases:
        assert phrase in message
    return message


def put(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


def rezip(data: bytes, replace: dict[str, bytes | None] | None = None, add: dict[str, bytes] | None = None) -> bytes:
    """A copy of the zip ``data`` with entries replaced (``None`` drops one) or added."""
    replace = replace or {}
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = replace.get(info.filename, src.read(info))
            if body is not None:
                dst.writestr(info.filename, body)
        for name, body in (add or {}).items():
            dst.writestr(name, body)
    return out.getvalue()


def make_zip(entries: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, body in entries.items():
            zf.writestr(name, body)
    return out.getvalue()


def with_doctype(xml: bytes, doctype: str = BILLION_LAUGHS) -> bytes:
    """``xml`` with ``doctype`` inserted after its XML declaration."""
    end = xml.index(b"?>") + 2 if xml.startswith(b"<?xml") else 0
    return xml[:end] + doctype.encode() + xml[end:]


def make_cfb(tree: dict[str, object]) -> bytes:
    """A minimal OLE2 compound file (version 3, 512-byte sectors) holding ``tree``.

    Keys are names; values are ``bytes`` (a stream) or a nested dict (a storage).
    Streams under 4096 bytes go to the mini stream, as the format requires.
    """
    endofchain, freesect, fatsect, nostream = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD, 0xFFFFFFFF
    entries: list[dict[str, object]] = []

    def add(name: str, node: object, kind: int) -> int:
        index = len(entries)
        entry: dict[str, object] = {"name": name, "type": kind, "right": nostream, "child": nostream}
        entry["data"] = node if isinstance(node, bytes) else b""
        entries.append(entry)
        if isinstance(node, dict):
            children = [add(key, value, 1 if isinstance(value, dict) else 2) for key, value in node.items()]
            for left, right in itertools.pairwise(children):
                entries[left]["right"] = right
            if children:
                entry["child"] = children[0]
        return index

    add("Root Entry", tree, 5)
    sectors: list[bytes] = []
    fat: list[int] = []

    def place(blob: bytes) -> int:
        if not blob:
            return endofchain
        first, count = len(sectors), -(-len(blob) // 512)
        for i in range(count):
            sectors.append(blob[i * 512 : (i + 1) * 512].ljust(512, b"\0"))
            fat.append(first + i + 1 if i < count - 1 else endofchain)
        return first

    mini, minifat = bytearray(), []
    for entry in entries:
        data = entry["data"]
        assert isinstance(data, bytes)
        entry["start"], entry["size"] = endofchain, len(data)
        if entry["type"] == 2 and 0 < len(data) < 4096:
            first, count = len(mini) // 64, -(-len(data) // 64)
            minifat += [first + i + 1 for i in range(count - 1)] + [endofchain]
            mini += data.ljust(count * 64, b"\0")
            entry["start"] = first
        elif entry["type"] == 2:
            entry["start"] = place(data)
    entries[0]["start"], entries[0]["size"] = place(bytes(mini)), len(mini)
    minifat_start = place(struct.pack(f"<{len(minifat)}I", *minifat)) if minifat else endofchain
    directory = b""
    for entry in entries:
        name = str(entry["name"]).encode("utf-16-le") + b"\0\0"
        directory += struct.pack(
            "<64sHBBIII16sIQQIQ",
            name, len(name), entry["type"], 1, nostream, entry["right"], entry["child"],
            bytes(16), 0, 0, 0, entry["start"], entry["size"],
        )  # fmt: skip
    empty = struct.pack("<64sHBBIII16sIQQIQ", b"", 0, 0, 0, nostream, nostream, nostream, bytes(16), 0, 0, 0, 0, 0)
    directory += empty * (-len(entries) % 4)
    first_directory = place(directory)
    fat_count = 1
    while len(sectors) + fat_count > fat_count * 128:
        fat_count += 1
    fat_start = len(sectors)
    fat += [fatsect] * fat_count
    fat += [freesect] * (fat_count * 128 - len(fat))
    sectors += [struct.pack("<128I", *fat[i * 128 : (i + 1) * 128]) for i in range(fat_count)]
    difat = [fat_start + i for i in range(fat_count)] + [freesect] * (109 - fat_count)
    header = struct.pack(
        "<8s16sHHHHH6sIIIIIIIII109I",
        bytes.fromhex("D0CF11E0A1B11AE1"), bytes(16), 0x3E, 3, 0xFFFE, 9, 6, bytes(6),
        0, fat_count, first_directory, 0, 4096, minifat_start, -(-len(minifat) * 4 // 512),
        endofchain, 0, *difat,
    )  # fmt: skip
    return header + b"".join(sectors)


def biff(*records: tuple[int, bytes], pad_to: int = 0) -> bytes:
    """A BIFF8 Workbook stream: BOF, ``records``, EOF, zero padding up to ``pad_to`` bytes."""
    bof = struct.pack("<HHIII", 0x0600, 0x0005, 0x07CD1FAF, 0, 0)
    data = b"".join(struct.pack("<HH", kind, len(body)) + body for kind, body in [(0x0809, bof), *records, (0x0A, b"")])
    return data.ljust(pad_to, b"\0")


FILEPASS = (0x002F, struct.pack("<HHH", 1, 2, 2) + bytes(48))


@pytest.fixture(scope="module")
def xlsx(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """A real sheetkit workbook, as bytes."""
    return new_workbook(tmp_path_factory.mktemp("xlsx") / "salon.xlsx").read_bytes()


@pytest.fixture(scope="module")
def saved_by_libreoffice(tmp_path_factory: pytest.TempPathFactory, xlsx: bytes) -> dict[str, bytes]:
    """The same workbook saved by a real LibreOffice as .ods and as .xls."""
    if office.find_soffice() is None:
        pytest.skip("LibreOffice is not installed")
    folder = tmp_path_factory.mktemp("office")
    source = put(folder, "salon.xlsx", xlsx)
    filters = {"ods": "ods", "xls": "xls:MS Excel 97"}
    with ThreadPoolExecutor(len(filters)) as pool:  # one profile per call: safe in parallel, twice as fast
        saved = {
            kind: pool.submit(office.convert, source, fmt, folder / kind, recalc=False) for kind, fmt in filters.items()
        }
        return {kind: future.result().read_bytes() for kind, future in saved.items()}


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("scratch")


# --------------------------------------------------------------------------- real workbooks, any name


@pytest.mark.parametrize("name", ["salon.xlsx", "salon.xlsm", "salon.ods", "salon.xls", "salon.csv", "salon"])
def test_real_xlsx_is_xlsx_whatever_its_name(tmp_path: Path, xlsx: bytes, name: str) -> None:
    assert sniff_workbook(put(tmp_path, name, xlsx)) == "xlsx"
    assert sniff_workbook(str(tmp_path / name)) == "xlsx"


@pytest.mark.office
@pytest.mark.parametrize(
    ("saved_as", "name"),
    [("ods", "salon.ods"), ("ods", "salon.xlsx"), ("xls", "salon.xls"), ("xls", "salon.xlsx"), ("xls", "salon.ods")],
)
def test_libreoffice_files_are_sniffed_by_content(
    tmp_path: Path, saved_by_libreoffice: dict[str, bytes], saved_as: str, name: str
) -> None:
    assert sniff_workbook(put(tmp_path, name, saved_by_libreoffice[saved_as])) == saved_as


@pytest.mark.office
def test_ods_without_mimetype_entry_is_recognised_from_its_manifest(
    tmp_path: Path, saved_by_libreoffice: dict[str, bytes]
) -> None:
    ods = rezip(saved_by_libreoffice["ods"], {"mimetype": None})
    assert sniff_workbook(put(tmp_path, "salon.xlsx", ods)) == "ods"


@pytest.mark.office
def test_password_protected_ods_is_refused(tmp_path: Path, saved_by_libreoffice: dict[str, bytes]) -> None:
    # What LibreOffice writes for File > Save with password: an encryption-data element per part.
    with zipfile.ZipFile(io.BytesIO(saved_by_libreoffice["ods"])) as zf:
        manifest = zf.read("META-INF/manifest.xml")
    encrypted = manifest.replace(
        b'manifest:full-path="content.xml" manifest:media-type="text/xml"/>',
        b'manifest:full-path="content.xml" manifest:media-type="text/xml">'
        b'<manifest:encryption-data manifest:checksum-type="SHA1/1K" manifest:checksum="x"/></manifest:file-entry>',
    )
    assert encrypted != manifest
    path = put(tmp_path, "salon.ods", rezip(saved_by_libreoffice["ods"], {"META-INF/manifest.xml": encrypted}))
    refused(path, EncryptedWorkbookError, "encrypted with a password", "without a password")


@pytest.mark.office
def test_truncated_xls_is_damaged(tmp_path: Path, saved_by_libreoffice: dict[str, bytes]) -> None:
    xls = saved_by_libreoffice["xls"]
    refused(put(tmp_path, "salon.xls", xls[: len(xls) // 2]), UnsupportedFormatError, "damaged or incomplete")


# --------------------------------------------------------------------------- missing, folders, unreadable


def test_missing_file(tmp_path: Path) -> None:
    refused(tmp_path / "nowhere.xlsx", WorkbookNotFoundError, "no such file")
    refused(tmp_path / "no-folder" / "nowhere.xlsx", WorkbookNotFoundError, "no such file")


def test_folder(tmp_path: Path) -> None:
    refused(tmp_path, WorkbookError, "is a folder", "inside it")


def test_unreadable_file(tmp_path: Path, xlsx: bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    path = put(tmp_path, "salon.xlsx", xlsx)

    def denied(*_: object, **__: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "open", denied)
    refused(path, WorkbookError, "cannot be read (permission denied)", "close it")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes")
def test_named_pipe_is_not_read(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.xlsx")
    refused(tmp_path / "pipe.xlsx", WorkbookError, "not an ordinary file")


# --------------------------------------------------------------------------- not a workbook


def test_empty_file(tmp_path: Path) -> None:
    refused(put(tmp_path, "salon.xlsx", b""), UnsupportedFormatError, "the file is empty")


def test_excel_owner_file(tmp_path: Path) -> None:
    owner = b"\x05Alice" + b" " * 49 + b"\x05\x00" + "Alice".encode("utf-16-le") + b"\x20\x00" * 49
    assert len(owner) == 165
    refused(
        put(tmp_path, "~$salon.xlsx", owner),
        UnsupportedFormatError,
        "lock file Excel creates while a workbook is open",
        "'salon.xlsx'",
    )


def test_libreoffice_lock_file(tmp_path: Path) -> None:
    lock = put(tmp_path, ".~lock.salon.xlsx#", b"Alice,alice-pc,alice,22.11.2025 13:53,file:///home/alice;\n")
    refused(lock, UnsupportedFormatError, "lock file LibreOffice creates while 'salon.xlsx' is open")


@pytest.mark.parametrize(
    ("content", "kind"),
    [
        (b"name,phone,first visit\nAnna,0612345678,2024-01-05\n", "a CSV file"),
        ("nom;téléphone\nAnaïs;06 12 34 56 78\n".encode("cp1252"), "a CSV file"),
        ("\ufeffname\tphone\nAnna\t0612\n".encode("utf-16-le"), "a tab-separated text file"),
        ("\ufeff姓名,电话\n王芳,13800138000\n".encode(), "a CSV file"),
        (b"Client list\nAnna\nBea\n", "a plain text file"),
    ],
)
def test_text_renamed_to_xlsx(tmp_path: Path, content: bytes, kind: str) -> None:
    refused(
        put(tmp_path, "salon.xlsx", content),
        UnsupportedFormatError,
        f"this is {kind} renamed to .xlsx",
        "save as Excel Workbook (.xlsx)",
    )


def test_csv_with_its_own_extension_is_not_called_renamed(tmp_path: Path) -> None:
    message = refused(put(tmp_path, "salon.csv", b"a,b\n1,2\n"), UnsupportedFormatError, "this is a CSV file")
    assert "renamed" not in message


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("salon.xlsx", b"<html><body><table><tr><td>Anna</td></tr></table></body></html>"),
        ("salon.xlsx", "\ufeff \r\n\t<!DOCTYPE html>\n<html lang='en'>".encode()),
        ("salon.xls", b'<html xmlns:o="urn:schemas-microsoft-com:office:office" xmlns:x="urn:schemas-microsoft-com:'),
        ("salon.xlsx", b"  <table border=1><tr><td>1</td></tr></table>"),
        ("salon.xlsx", b'<?xml version="1.0"?>\n<html xmlns="http://www.w3.org/1999/xhtml"><body/></html>'),
    ],
)
def test_html_renamed(tmp_path: Path, name: str, content: bytes) -> None:
    suffix = Path(name).suffix
    refused(
        put(tmp_path, name, content),
        UnsupportedFormatError,
        f"this is a web page (HTML) renamed to {suffix}",
        "save as Excel Workbook (.xlsx)",
    )


def test_xml_spreadsheet_2003_renamed(tmp_path: Path) -> None:
    xml = (
        b'<?xml version="1.0"?>\n<?mso-application progid="Excel.Sheet"?>\n'
        b'<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" '
        b'xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet"><Worksheet ss:Name="Clients"/></Workbook>'
    )
    refused(
        put(tmp_path, "salon.xlsx", xml),
        UnsupportedFormatError,
        "'XML Spreadsheet 2003' file renamed to .xlsx",
        "save as Excel Workbook (.xlsx)",
    )


@pytest.mark.parametrize(
    ("content", "kind"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "a PDF document"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "a PNG image"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", "a JPEG image"),
        (b"L\x00\x00\x00\x01\x14\x02\x00" + bytes(68), "a Windows shortcut (.lnk)"),
        (bytes(range(256)) * 8, "a file of an unknown kind"),
    ],
)
def test_documents_and_images_are_not_spreadsheets(tmp_path: Path, content: bytes, kind: str) -> None:
    refused(put(tmp_path, "salon.xlsx", content), UnsupportedFormatError, f"this is {kind}", "not a spreadsheet")


def test_truncated_xlsx_is_damaged(tmp_path: Path, xlsx: bytes) -> None:
    path = put(tmp_path, "salon.xlsx", xlsx[: len(xlsx) // 2])
    refused(path, UnsupportedFormatError, "damaged or incomplete (was it copied while still being saved?)")


def test_corrupt_xlsx_is_damaged(tmp_path: Path, xlsx: bytes) -> None:
    # Intact directory, garbage where the compressed parts were.
    garbage = xlsx[:40] + bytes(len(xlsx) // 2) + xlsx[40 + len(xlsx) // 2 :]
    refused(put(tmp_path, "salon.xlsx", garbage), UnsupportedFormatError, "damaged or incomplete")


@pytest.mark.parametrize(
    ("entries", "phrases"),
    [
        ({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"}, ["a Word document (.docx)"]),
        ({"[Content_Types].xml": b"<Types/>", "ppt/presentation.xml": b"<p/>"}, ["PowerPoint presentation"]),
        (
            {"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<x/>"},
            ["an OpenDocument text document (.odt)"],
        ),
        ({"notes.txt": b"hello", "photo.jpg": b"\xff\xd8\xff"}, ["a zip archive", "extract it first"]),
        ({"export/salon.xlsx": b"PK"}, ["containing 'export/salon.xlsx'", "extract 'export/salon.xlsx'"]),
        ({"[Content_Types].xml": b"<Types/>", "xl/workbook.bin": b"\0"}, ["Excel Binary Workbook (.xlsb) renamed"]),
        ({"Index/Document.iwa": b"\0", "Metadata/Properties.plist": b""}, ["Apple Numbers", "Export To > Excel"]),
    ],
)
def test_zips_that_are_not_workbooks(tmp_path: Path, entries: dict[str, bytes], phrases: list[str]) -> None:
    refused(put(tmp_path, "salon.xlsx", make_zip(entries)), UnsupportedFormatError, *phrases)


def test_password_protected_zip_entries(tmp_path: Path, xlsx: bytes) -> None:
    data = bytearray(xlsx)
    at = data.find(b"PK\x01\x02")  # first central directory entry: set its "encrypted" flag
    data[at + 8] |= 0x01
    refused(put(tmp_path, "salon.xlsx", bytes(data)), UnsupportedFormatError, "password-protected zip archive")


# --------------------------------------------------------------------------- zip bombs


def test_zip_bomb_is_refused_with_default_limits(tmp_path: Path) -> None:
    path = tmp_path / "salon.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.xml", "<workbook/>")
        with zf.open("xl/worksheets/sheet1.xml", "w") as sheet:
            chunk = bytes(MiB)
            for _ in range(300):
                sheet.write(chunk)
    assert path.stat().st_size < 2 * MiB
    refused(path, UnsafeWorkbookError, "xl/worksheets/sheet1.xml", "300.0 MB", "zip bomb")


def test_zip_bomb_limits_are_keyword_arguments(tmp_path: Path, xlsx: bytes) -> None:
    path = put(tmp_path, "salon.xlsx", xlsx)
    refused(path, UnsafeWorkbookError, "would expand to", "the limit is 1.0 MB", max_uncompressed=MiB)
    refused(path, UnsafeWorkbookError, "would expand", ratio_min_size=MiB, max_ratio=5)
    with zipfile.ZipFile(path) as zf:
        parts = len(zf.infolist())  # 19 for the v2 template's workbook
    assert parts > 10
    refused(path, UnsafeWorkbookError, f"{parts} internal parts (the limit is 10)", max_entries=10)
    assert sniff_workbook(path, max_uncompressed=10 * MiB) == "xlsx"


def test_too_many_entries(tmp_path: Path) -> None:
    path = tmp_path / "salon.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        for i in range(MAX_ENTRIES + 1):
            zf.writestr(f"xl/media/p{i}.bin", b"")
    refused(path, UnsafeWorkbookError, f"{MAX_ENTRIES + 1:,} internal parts")


def test_declared_sizes_of_a_million_row_workbook_pass(tmp_path: Path, xlsx: bytes) -> None:
    with zipfile.ZipFile(io.BytesIO(xlsx)) as zf:
        sheet = zf.getinfo("xl/worksheets/sheet1.xml")
        sheet.file_size, sheet.compress_size = 150 * 10**6, 15 * 10**6  # ~10^6 rows of sheet XML, ratio 10
        check_zip_safety(zf, "salon.xlsx")
        sheet.compress_size = 10**5  # the same size at ratio 1500
        with pytest.raises(UnsafeWorkbookError, match="1,500 times"):
            check_zip_safety(zf, "salon.xlsx")
        # A branch of 10^6 visits as template 2 writes it (every data sheet prepared to the last row).
        sheet.file_size, sheet.compress_size = 2300 * 10**6, 200 * 10**6
        check_zip_safety(zf, "salon.xlsx")
        sheet.file_size, sheet.compress_size = 9000 * MiB, 900 * MiB  # ratio 10 but 8.8 GB
        with pytest.raises(UnsafeWorkbookError, match=r"expand to 8\.8 GB"):
            check_zip_safety(zf, "salon.xlsx")


# --------------------------------------------------------------------------- XML entity bombs


@pytest.mark.parametrize(
    "part", ["xl/worksheets/sheet1.xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "[Content_Types].xml"]
)
def test_entity_bomb_in_xlsx_is_refused(tmp_path: Path, xlsx: bytes, part: str) -> None:
    with zipfile.ZipFile(io.BytesIO(xlsx)) as zf:
        bomb = rezip(xlsx, {part: with_doctype(zf.read(part))})
    refused(put(tmp_path, "salon.xlsx", bomb), UnsafeWorkbookError, repr(part), "DOCTYPE", "refused for safety")


def test_entity_bomb_in_added_shared_strings_is_refused(tmp_path: Path, xlsx: bytes) -> None:
    strings = f'<?xml version="1.0"?>{BILLION_LAUGHS}<sst><si><t>&lol9;</t></si></sst>'.encode()
    bomb = rezip(xlsx, add={"xl/sharedStrings.xml": strings})
    refused(put(tmp_path, "salon.xlsx", bomb), UnsafeWorkbookError, "'xl/sharedStrings.xml'", "DOCTYPE")


@pytest.mark.parametrize(
    ("xml", "problem"),
    [
        # The DOCTYPE pushed past the first 4 KiB by a long comment.
        (b'<?xml version="1.0"?><!--' + b"x" * 5000 + b"-->" + BILLION_LAUGHS.encode() + b"<a/>", "long header"),
        # Encodings a parser decodes but a byte search would miss.
        (('<?xml version="1.0" encoding="UTF-16"?>' + BILLION_LAUGHS + "<a/>").encode("utf-16"), "DOCTYPE"),
        (b'<?xml version="1.0" encoding="UTF-7"?>+ADw-!DOCTYPE a +AFs-+AF0-+AD4-<a/>', "DOCTYPE"),
        (b'<?xml version="1.0" encoding="x-made-up"?><a/>', "unknown text encoding"),
    ],
)
def test_hidden_entity_bombs_are_refused(tmp_path: Path, xlsx: bytes, xml: bytes, problem: str) -> None:
    bomb = rezip(xlsx, {"xl/worksheets/sheet2.xml": xml})
    refused(put(tmp_path, "salon.xlsx", bomb), UnsafeWorkbookError, "'xl/worksheets/sheet2.xml'", problem)


def test_ordinary_prologs_pass(tmp_path: Path, xlsx: bytes) -> None:
    sheet = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n<!-- made by hand --><?pi x?>\n<worksheet/>'
    utf16 = '<?xml version="1.0" encoding="UTF-16"?><worksheet/>'.encode("utf-16")
    latin = '<?xml version="1.0" encoding="ISO-8859-1"?><worksheet>é</worksheet>'.encode("latin-1")
    workbook = rezip(xlsx, {"xl/worksheets/sheet2.xml": sheet, "xl/worksheets/sheet3.xml": utf16}, {"x/a.xml": latin})
    assert sniff_workbook(put(tmp_path, "salon.xlsx", workbook)) == "xlsx"


@pytest.mark.office
def test_entity_bomb_in_ods_is_refused(tmp_path: Path, saved_by_libreoffice: dict[str, bytes]) -> None:
    ods = saved_by_libreoffice["ods"]
    with zipfile.ZipFile(io.BytesIO(ods)) as zf:
        bomb = rezip(ods, {"content.xml": with_doctype(zf.read("content.xml"))})
    refused(put(tmp_path, "salon.ods", bomb), UnsafeWorkbookError, "'content.xml'", "DOCTYPE")


# --------------------------------------------------------------------------- OLE2 compound files


def test_encrypted_ooxml_is_refused(tmp_path: Path) -> None:
    # What Excel writes for File > Info > Protect Workbook > Encrypt with Password.
    cfb = make_cfb(
        {
            "EncryptionInfo": struct.pack("<HHI", 4, 4, 0x40) + b"<encryption/>",
            "EncryptedPackage": struct.pack("<Q", 20000) + bytes(8192),
            "\x06DataSpaces": {"Version": b"\x3c\x00\x00\x00"},
        }
    )
    # sheetkit opens it given the password (tests/test_encryption.py); without, it says how to give one
    refused(put(tmp_path, "salon.xlsx", cfb), WorkbookPasswordError, "encrypted with a password", "SHEETKIT_PASSWORD")


@pytest.mark.parametrize("pad_to", [0, 6000], ids=["mini-stream", "regular-sectors"])
def test_xls_in_a_compound_file(tmp_path: Path, pad_to: int) -> None:
    plain = make_cfb({"Workbook": biff(pad_to=pad_to), "\x05SummaryInformation": bytes(200)})
    assert sniff_workbook(put(tmp_path, "plain.xlsx", plain)) == "xls"
    book = make_cfb({"Book": biff(pad_to=pad_to)})  # Excel 5/95
    assert sniff_workbook(put(tmp_path, "book.xls", book)) == "xls"
    encrypted = make_cfb({"Workbook": biff((0x0086, b""), FILEPASS, pad_to=pad_to)})
    refused(put(tmp_path, "encrypted.xls", encrypted), EncryptedWorkbookError, "encrypted with a password")


def test_other_compound_files(tmp_path: Path) -> None:
    doc = make_cfb({"WordDocument": bytes(5000), "1Table": bytes(100)})
    refused(put(tmp_path, "salon.xls", doc), UnsupportedFormatError, "a Word document (.doc)")
    # A Word document with an Excel chart embedded: the Workbook stream is not at the root.
    embedded = make_cfb({"WordDocument": bytes(5000), "ObjectPool": {"_1": {"Workbook": biff()}}})
    refused(put(tmp_path, "salon.xls", embedded), UnsupportedFormatError, "a Word document (.doc)")
    refused(put(tmp_path, "salon.xls", make_cfb({"Contents": b"x"})), UnsupportedFormatError, "not an Excel workbook")


def test_damaged_compound_files(tmp_path: Path) -> None:
    cfb = make_cfb({"Workbook": biff(pad_to=6000)})
    refused(put(tmp_path, "a.xls", cfb[:2000]), UnsupportedFormatError, "damaged or incomplete")
    refused(put(tmp_path, "b.xls", cfb[:512] + bytes(100)), UnsupportedFormatError, "damaged or incomplete")
    not_biff = make_cfb({"Workbook": b"this is not BIFF"})
    refused(put(tmp_path, "c.xls", not_biff), UnsupportedFormatError, "damaged or incomplete")


# --------------------------------------------------------------------------- nothing but sheetkit errors


def sniff_or_sheetkit_error(path: Path) -> None:
    """Sniffing returns a format or raises a WorkbookError naming the file; anything else escapes and fails."""
    error: SheetkitError | None = None
    try:
        kind = sniff_workbook(path)
    except SheetkitError as raised:
        error = raised
    if error is None:
        assert kind in ("xlsx", "xls", "ods")
    else:
        assert isinstance(error, WorkbookError)
        assert str(error).startswith(str(path))


fuzz = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@fuzz
@given(
    data=st.binary(max_size=4096)
    | st.binary(max_size=2048).map(lambda b: b"PK\x03\x04" + b)
    | st.binary(min_size=512, max_size=4096).map(lambda b: bytes.fromhex("D0CF11E0A1B11AE1") + b),
    name=st.sampled_from(["a.xlsx", "a.xls", "a.ods", "~$a.xlsx", "a"]),
)
def test_random_bytes_never_escape(scratch: Path, data: bytes, name: str) -> None:
    sniff_or_sheetkit_error(put(scratch, name, data))


@fuzz
@given(cut=st.floats(0, 1), flips=st.lists(st.tuples(st.floats(0, 1), st.integers(0, 255)), max_size=4))
def test_damaged_xlsx_never_escapes(scratch: Path, xlsx: bytes, cut: float, flips: list[tuple[float, int]]) -> None:
    data = bytearray(xlsx[: max(1, int(len(xlsx) * cut))])
    for where, value in flips:
        data[int(where * (len(data) - 1))] = value
    sniff_or_sheetkit_error(put(scratch, "salon.xlsx", bytes(data)))


SMALL_XLS = make_cfb({"Workbook": biff(FILEPASS), "Big": bytes(5000), "S": {"Workbook": biff()}})


@fuzz
@given(
    cut=st.integers(1, len(SMALL_XLS)),
    flips=st.lists(st.tuples(st.integers(0, 10**6), st.binary(min_size=1, max_size=4)), max_size=4),
)
def test_damaged_compound_file_never_escapes(scratch: Path, cut: int, flips: list[tuple[int, bytes]]) -> None:
    data = bytearray(SMALL_XLS[:cut])
    for where, value in flips:
        at = where % len(data)
        data[at : at + len(value)] = value
    sniff_or_sheetkit_error(put(scratch, "salon.xls", bytes(data)))
