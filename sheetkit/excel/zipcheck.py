"""The zip checks of :mod:`sheetkit.excel.sniff`: .xlsx and .ods files, and zip bombs.

This module owns what is judged of a zip before any reader unpacks it: the size
limits and :func:`check_zip_safety` (zip bombs, from the central directory alone),
telling an .xlsx or .ods from other zips (Word, Numbers, a plain archive...),
password-protected ODF packages, and the start of every XML part, where a DOCTYPE
(an XML entity bomb) would have to be. Then :func:`~sheetkit.excel.partscan.check_parts`
inflates every part to check that it holds what the central directory declares.
"""

from __future__ import annotations

import codecs
import re
import struct
import zipfile
import zlib
from pathlib import Path
from typing import BinaryIO, Final, Literal

from sheetkit.errors import EncryptedWorkbookError, UnsafeWorkbookError, UnsupportedFormatError
from sheetkit.excel.partscan import check_parts
from sheetkit.excel.refusals import (
    DAMAGED,
    SAVE_AS_XLSX,
    WORKBOOK_SUFFIXES,
    bomb,
    convert_first,
    human,
    not_spreadsheet,
)

__all__ = [
    "MAX_ENTRIES",
    "MAX_RATIO",
    "MAX_UNCOMPRESSED",
    "RATIO_MIN_SIZE",
    "XML_HEAD_BYTES",
    "ZIP_MAGICS",
    "check_zip_safety",
    "sniff_zip",
]

_ZipFormat = Literal["xlsx", "ods"]

#: A zip whose entries declare more than this many bytes in total is refused. A branch of 10^6 visits
#: written by sheetkit (template 2: every data sheet prepared to row 1,048,576) unpacks to 2.3 GB;
#: this leaves room for three times that. Bombs are stopped sooner by the ratio below, and what a
#: reader would hold in memory by the grid and string checks (``cellguard``), not by this total.
MAX_UNCOMPRESSED: Final = 8 * 1024**3
#: An entry compressed more than ``MAX_RATIO``:1 ...
MAX_RATIO: Final = 200
#: ... is refused when it also unpacks to more than this many bytes.
RATIO_MIN_SIZE: Final = 50 * 1024**2
#: A zip with more entries than this is refused (a real workbook has a few dozen).
MAX_ENTRIES: Final = 10_000
#: How much of each XML part is read to look for a DOCTYPE, which must precede the root element.
XML_HEAD_BYTES: Final = 4096

_CD_BYTES_PER_ENTRY: Final = 1024  # generous: a real central-directory entry is ~100 bytes
_SMALL_ENTRY_MAX: Final = 1024 * 1024  # mimetype, manifest, [Content_Types].xml are read up to this

#: How a zip file starts (a local file header, an empty zip, a spanned zip).
ZIP_MAGICS: Final = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
_ZIP_ERRORS: Final = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    EOFError,
    OSError,
    ValueError,
    struct.error,
    zlib.error,
    RuntimeError,
    KeyError,
    IndexError,
    OverflowError,
)
_ODS_MIMETYPES: Final = frozenset(
    {"application/vnd.oasis.opendocument.spreadsheet", "application/vnd.oasis.opendocument.spreadsheet-template"}
)
_ODF_KINDS: Final = {
    "text": "text document (.odt)",
    "presentation": "presentation (.odp)",
    "graphics": "drawing (.odg)",
    "chart": "chart (.odc)",
    "formula": "formula (.odf)",
}
_XML_DECL_ENCODING: Final = re.compile(r"""<\?xml[^>]*?\bencoding\s*=\s*["']([A-Za-z0-9._:\-]+)["']""")
_NOT_XML: Final = "is not XML"
_PROLOG_ITEM: Final = re.compile(r"\s+|<\?.*?\?>|<!--.*?-->", re.DOTALL)
_MANIFEST_ROOT: Final = re.compile(rb"""<[^<>]*full-path=["']/["'][^<>]*>""")
_MEDIA_TYPE: Final = re.compile(rb"""media-type=["']([^"']*)["']""")


def check_zip_safety(
    zf: zipfile.ZipFile,
    path: Path | str | None = None,
    *,
    max_uncompressed: int = MAX_UNCOMPRESSED,
    max_entries: int = MAX_ENTRIES,
    max_ratio: float = MAX_RATIO,
    ratio_min_size: int = RATIO_MIN_SIZE,
) -> None:
    """Refuse a zip bomb from its central directory alone, before anything is unpacked.

    Checks the number of entries, each entry's compression ratio (only for entries
    larger than ``ratio_min_size``) and the total uncompressed size, all as declared
    by the central directory; :func:`sniff_zip` then checks that each part really
    unpacks to its declared size (the Rust readers do not stop there).
    A real 10^6-row workbook (~150 MB of sheet XML compressed ~10:1) passes.
    """
    infos = zf.infolist()
    if len(infos) > max_entries:
        raise bomb(path, f"it contains {len(infos):,} internal parts (the limit is {max_entries:,})")
    total = 0
    for info in infos:
        total += info.file_size
        if info.file_size > ratio_min_size and info.file_size > max_ratio * max(info.compress_size, 1):
            ratio = info.file_size / max(info.compress_size, 1)
            raise bomb(
                path,
                f"its part {info.filename!r} would expand {ratio:,.0f} times, to {human(info.file_size)} "
                f"(the limit is {max_ratio:,.0f} times for parts over {human(ratio_min_size)})",
            )
    if total > max_uncompressed:
        raise bomb(path, f"it would expand to {human(total)} when opened (the limit is {human(max_uncompressed)})")


def sniff_zip(
    stream: BinaryIO,
    file: Path,
    size: int,
    *,
    max_uncompressed: int,
    max_entries: int,
    max_ratio: float,
    ratio_min_size: int,
) -> _ZipFormat:
    """Judge a zip by its entries: an .xlsx or .ods workbook that is safe to open, or an error."""
    try:
        _check_declared_entries(stream, file, size, max_entries)
        with zipfile.ZipFile(stream) as zf:
            check_zip_safety(
                zf,
                file,
                max_uncompressed=max_uncompressed,
                max_entries=max_entries,
                max_ratio=max_ratio,
                ratio_min_size=ratio_min_size,
            )
            kind = _classify_zip(zf, file)
            _check_xml_parts(zf, file)
            check_parts(stream, zf, file, max_uncompressed=max_uncompressed)
            return kind
    except _ZIP_ERRORS:
        raise UnsupportedFormatError(DAMAGED, path=file) from None


def _check_declared_entries(stream: BinaryIO, file: Path, size: int, max_entries: int) -> None:
    """Refuse a huge central directory before zipfile builds one object per entry."""
    tail_size = min(size, 22 + 0xFFFF)
    stream.seek(size - tail_size)
    tail = stream.read(tail_size)
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or at + 22 > len(tail):
        return  # no end record: zipfile reports the damage
    entries, cd_size = struct.unpack_from("<HI", tail, at + 10)
    if (entries == 0xFFFF or cd_size == 0xFFFFFFFF) and at >= 20 and tail[at - 20 : at - 16] == b"PK\x06\x07":
        (record_at,) = struct.unpack_from("<Q", tail, at - 12)
        if record_at < size:
            stream.seek(record_at)
            record = stream.read(56)
            if len(record) == 56 and record.startswith(b"PK\x06\x06"):
                entries, cd_size = struct.unpack_from("<QQ", record, 32)
    if entries > max_entries:
        raise bomb(file, f"its table of contents lists {entries:,} internal parts (the limit is {max_entries:,})")
    if cd_size > max_entries * _CD_BYTES_PER_ENTRY:
        raise bomb(file, f"its table of contents takes {human(cd_size)}, far more than any workbook needs")


def _read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int, file: Path) -> bytes:
    if info.flag_bits & 0x1:
        raise not_spreadsheet(
            file,
            "a password-protected zip archive",
            "extract the workbook from it (you will need the password) and use the extracted file",
        )
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise zipfile.BadZipFile("compression method not used by Office")
    with zf.open(info) as member:
        return member.read(limit)


def _classify_zip(zf: zipfile.ZipFile, file: Path) -> _ZipFormat:
    infos = {info.filename: info for info in zf.infolist()}
    names = set(infos)

    mimetype = infos.get("mimetype")
    if mimetype is not None:
        declared = _read_member(zf, mimetype, 256, file).strip().decode("ascii", "replace")
        if declared in _ODS_MIMETYPES:
            return _ods(zf, file, infos)
        if declared.startswith("application/vnd.oasis.opendocument."):
            what = declared.rsplit(".", 1)[-1].split("-")[0]
            raise not_spreadsheet(file, "an OpenDocument " + _ODF_KINDS.get(what, f"{what} file"))
    manifest = infos.get("META-INF/manifest.xml")
    if manifest is not None and "content.xml" in names:
        root = _MANIFEST_ROOT.search(_read_member(zf, manifest, _SMALL_ENTRY_MAX, file))
        media = _MEDIA_TYPE.search(root.group(0)) if root else None
        if media and media.group(1).decode("ascii", "replace") in _ODS_MIMETYPES:
            return _ods(zf, file, infos)

    if "[Content_Types].xml" in names and "xl/workbook.xml" in names:
        return "xlsx"
    if "xl/workbook.bin" in names:
        raise convert_first(file, "an Excel Binary Workbook (.xlsb)", (".xlsb",))
    if "word/document.xml" in names:
        raise not_spreadsheet(file, "a Word document (.docx)")
    if "ppt/presentation.xml" in names:
        raise not_spreadsheet(file, "a PowerPoint presentation (.pptx)")
    if any(name.startswith("Index/") and name.endswith(".iwa") for name in names):
        raise convert_first(
            file,
            "an Apple Numbers spreadsheet",
            (".numbers",),
            "open it in Numbers, choose File > Export To > Excel, and use the .xlsx file",
        )
    content_types = infos.get("[Content_Types].xml")
    if content_types is not None:
        declared_types = _read_member(zf, content_types, _SMALL_ENTRY_MAX, file)
        if b"spreadsheetml" in declared_types or b"ms-excel" in declared_types:
            raise UnsupportedFormatError(
                "this Excel workbook has an unusual internal layout (no xl/workbook.xml) that sheetkit "
                f"cannot read; {SAVE_AS_XLSX}",
                path=file,
            )
        raise not_spreadsheet(file, "an Office document (Word, PowerPoint or similar)")
    inner = sorted(name for name in names if name.lower().endswith(WORKBOOK_SUFFIXES))
    if inner:
        raise not_spreadsheet(
            file,
            f"a zip archive (compressed folder) containing {inner[0]!r}",
            f"extract {inner[0]!r} from it first and use the extracted file",
        )
    raise not_spreadsheet(
        file,
        "a zip archive (compressed folder)",
        "if the workbook is inside, extract it first and use the extracted file",
    )


def _ods(zf: zipfile.ZipFile, file: Path, infos: dict[str, zipfile.ZipInfo]) -> _ZipFormat:
    manifest = infos.get("META-INF/manifest.xml")
    if manifest is not None and b"encryption-data" in _read_member(zf, manifest, _SMALL_ENTRY_MAX, file):
        raise EncryptedWorkbookError(file)
    if "content.xml" not in infos:
        raise UnsupportedFormatError(DAMAGED, path=file)
    return "ods"


def _check_xml_parts(zf: zipfile.ZipFile, file: Path) -> None:
    for info in zf.infolist():
        lower = info.filename.lower()
        if info.is_dir() or not lower.endswith((".xml", ".rels", ".vml")) or lower.startswith("customxml/"):
            continue
        head = _read_member(zf, info, XML_HEAD_BYTES, file)
        problem = _xml_head_problem(head, complete=len(head) < XML_HEAD_BYTES)
        if problem == _NOT_XML:
            raise UnsupportedFormatError(DAMAGED, path=file)
        if problem:
            raise UnsafeWorkbookError(
                f"its internal part {info.filename!r} {problem}, which Excel and LibreOffice never write. "
                "The file is refused for safety: it may be crafted to exhaust memory (an 'XML entity bomb'). "
                "If you trust where it came from, open it in Excel and save it again as Excel Workbook (.xlsx)",
                path=file,
            )


def _xml_head_problem(head: bytes, *, complete: bool) -> str | None:
    """Why the start of an XML part is refused, or ``None``.

    Entity definitions live in a DOCTYPE, which XML only allows before the root
    element; a prolog that does not reach the root element within the head (a long
    comment hiding a DOCTYPE further on) is refused too. The head is decoded the way
    an XML parser would (BOM, UTF-16/32 byte patterns, declared encoding), so a
    DOCTYPE written in UTF-16 or UTF-7 is seen as well.
    """
    text = _decode_xml_head(head)
    if text is None:
        return "declares an unknown text encoding"
    lowered = text.casefold()
    if "<!doctype" in lowered or "<!entity" in lowered:
        return "declares a DOCTYPE (XML entities)"
    at = 0
    while (item := _PROLOG_ITEM.match(text, at)) is not None and item.end() > at:
        at = item.end()
    rest = text[at:]
    if rest.startswith("<!") and not rest.startswith("<!--"):
        return "declares a DOCTYPE (XML entities)"
    if len(rest) > 1 and rest[0] == "<" and (rest[1].isalpha() or rest[1] in "_:"):
        return None  # the root element: the prolog is over
    if rest and not rest.startswith(("<!--", "<?")):
        return _NOT_XML
    if complete:
        return None
    return f"has an unusually long header (over {XML_HEAD_BYTES:,} bytes before its content)"


def _decode_xml_head(head: bytes) -> str | None:
    boms = (
        (b"\xef\xbb\xbf", "utf-8"),
        (b"\xff\xfe\x00\x00", "utf-32-le"),
        (b"\x00\x00\xfe\xff", "utf-32-be"),
        (b"\xff\xfe", "utf-16-le"),
        (b"\xfe\xff", "utf-16-be"),
    )
    for bom, encoding in boms:
        if head.startswith(bom):
            return head[len(bom) :].decode(encoding, "replace")
    patterns = (
        (b"<\x00\x00\x00", "utf-32-le"),
        (b"\x00\x00\x00<", "utf-32-be"),
        (b"<\x00", "utf-16-le"),
        (b"\x00<", "utf-16-be"),
        (b"\x4c\x6f\xa7\x94", "cp500"),  # "<?xm" in EBCDIC
    )
    detected = next((encoding for pattern, encoding in patterns if head.startswith(pattern)), "utf-8")
    text = head.decode(detected, "replace")
    if detected not in ("utf-8", "cp500"):
        return text
    declaration = _XML_DECL_ENCODING.match(text.lstrip())
    if declaration is None:
        return text
    try:
        declared = codecs.lookup(declaration.group(1)).name
    except LookupError:
        return None
    if declared == detected or declared.startswith(("utf-16", "utf-32")):
        return text  # a parser would reject the mismatch
    try:
        return head.decode(declared, "replace")
    except (LookupError, ValueError, TypeError):  # a codec that is not a text encoding
        return None
