"""Tell what a workbook file really is, from its bytes, before anything parses it.

This module owns :func:`sniff_workbook`, the gate every reader goes through first.
It looks at content only, never at the extension, and returns ``"xlsx"``, ``"xls"``
or ``"ods"``, or raises a :mod:`sheetkit.errors` exception whose message says what to
do: a CSV or web page renamed to .xlsx, Excel's ``~$`` lock file, an empty or
half-copied file, a password-protected workbook, a zip bomb or an XML entity bomb.

It uses the standard library only and reads little: the zip central directory, a
few small entries, the first 4 KiB of each XML part, and for OLE2 files (``.xls``,
password-encrypted ``.xlsx``) the compound-file directory and the first records of
the ``Workbook`` stream, parsed minimally here.
"""

from __future__ import annotations

import codecs
import re
import stat
import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Final, Literal

from sheetkit.errors import (
    EncryptedWorkbookError,
    UnsafeWorkbookError,
    UnsupportedFormatError,
    WorkbookError,
    WorkbookNotFoundError,
)

__all__ = [
    "MAX_ENTRIES",
    "MAX_RATIO",
    "MAX_UNCOMPRESSED",
    "RATIO_MIN_SIZE",
    "XML_HEAD_BYTES",
    "Format",
    "check_zip_safety",
    "sniff_workbook",
]

Format = Literal["xlsx", "xls", "ods"]

#: A zip whose entries declare more than this many bytes in total is refused.
MAX_UNCOMPRESSED: Final = 2 * 1024**3
#: An entry compressed more than ``MAX_RATIO``:1 ...
MAX_RATIO: Final = 200
#: ... is refused when it also unpacks to more than this many bytes.
RATIO_MIN_SIZE: Final = 50 * 1024**2
#: A zip with more entries than this is refused (a real workbook has a few dozen).
MAX_ENTRIES: Final = 10_000
#: How much of each XML part is read to look for a DOCTYPE, which must precede the root element.
XML_HEAD_BYTES: Final = 4096

_HEAD_BYTES: Final = 8192
_LOCK_FILE_MAX: Final = 4096  # Excel's owner file is 165 bytes
_CD_BYTES_PER_ENTRY: Final = 1024  # generous: a real central-directory entry is ~100 bytes
_SMALL_ENTRY_MAX: Final = 1024 * 1024  # mimetype, manifest, [Content_Types].xml are read up to this

_DAMAGED: Final = (
    "the file is damaged or incomplete (was it copied while still being saved?); copy it again from the "
    "original, or open the original in Excel and save it again as Excel Workbook (.xlsx)"
)
_EMPTY: Final = (
    "the file is empty (0 bytes), so it was not saved or copied completely; "
    "use the original workbook, or open it in Excel and save it again"
)
_SAVE_AS_XLSX: Final = "open it in Excel and save as Excel Workbook (.xlsx)"
_USE_REAL_WORKBOOK: Final = "use the workbook file itself (.xlsx, .xls or .ods)"

_ZIP_MAGICS: Final = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
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
_WORKBOOK_SUFFIXES: Final = (".xlsx", ".xlsm", ".xltx", ".xltm", ".xlsb", ".xls", ".xlt", ".ods", ".ots", ".numbers")

_BINARY_KINDS: Final = (
    (b"%PDF-", "a PDF document"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image (a photo)"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
    (b"{\\rtf", "a Rich Text document (.rtf)"),
)
_ARCHIVE_KINDS: Final = (
    (b"\x1f\x8b", "a gzip-compressed file"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"Rar!\x1a\x07", "a RAR archive"),
)
_SHORTCUT: Final = b"L\x00\x00\x00\x01\x14\x02\x00"
_OLD_BIFF: Final = (b"\x09\x00\x04\x00", b"\x09\x02\x06\x00", b"\x09\x04\x06\x00")

_MARKUP_HTML: Final = ("<html", "<!doctype html", "<table", "<body", "<head", "<meta")
_XML_DECL_ENCODING: Final = re.compile(r"""<\?xml[^>]*?\bencoding\s*=\s*["']([A-Za-z0-9._:\-]+)["']""")
_NOT_XML: Final = "is not XML"
_PROLOG_ITEM: Final = re.compile(r"\s+|<\?.*?\?>|<!--.*?-->", re.DOTALL)
_MANIFEST_ROOT: Final = re.compile(rb"""<[^<>]*full-path=["']/["'][^<>]*>""")
_MEDIA_TYPE: Final = re.compile(rb"""media-type=["']([^"']*)["']""")


def sniff_workbook(
    path: Path | str,
    *,
    max_uncompressed: int = MAX_UNCOMPRESSED,
    max_entries: int = MAX_ENTRIES,
    max_ratio: float = MAX_RATIO,
    ratio_min_size: int = RATIO_MIN_SIZE,
) -> Format:
    """Return the format of the workbook at ``path``, judged by content alone.

    Raises:
        WorkbookNotFoundError: no file at ``path``.
        WorkbookError: a folder, or a file that cannot be read (permissions).
        UnsupportedFormatError: empty, damaged, a lock file, or not a spreadsheet
            (CSV, HTML, PDF, a Word document...); the message says which.
        EncryptedWorkbookError: the workbook needs a password to open.
        UnsafeWorkbookError: a zip bomb or an XML entity bomb (see the limits).
    """
    file = Path(path)
    size = _regular_file_size(file)
    _refuse_lock_file(file, size)
    if size == 0:
        raise UnsupportedFormatError(_EMPTY, path=file)
    try:
        with file.open("rb") as stream:
            head = stream.read(_HEAD_BYTES)
            if head.startswith(_ZIP_MAGICS):
                return _sniff_zip(
                    stream,
                    file,
                    size,
                    max_uncompressed=max_uncompressed,
                    max_entries=max_entries,
                    max_ratio=max_ratio,
                    ratio_min_size=ratio_min_size,
                )
            if head.startswith(_CFB_MAGIC):
                return _sniff_cfb(stream, file, size)
    except PermissionError:
        raise _unreadable(file, "permission denied") from None
    except OSError as exc:
        raise _unreadable(file, exc.strerror or type(exc).__name__) from None
    raise _other_refusal(file, head)


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
    by the central directory (Python's zipfile never unpacks more than declared).
    A real 10^6-row workbook (~150 MB of sheet XML compressed ~10:1) passes.
    """
    infos = zf.infolist()
    if len(infos) > max_entries:
        raise _bomb(path, f"it contains {len(infos):,} internal parts (the limit is {max_entries:,})")
    total = 0
    for info in infos:
        total += info.file_size
        if info.file_size > ratio_min_size and info.file_size > max_ratio * max(info.compress_size, 1):
            ratio = info.file_size / max(info.compress_size, 1)
            raise _bomb(
                path,
                f"its part {info.filename!r} would expand {ratio:,.0f} times, to {_human(info.file_size)} "
                f"(the limit is {max_ratio:,.0f} times for parts over {_human(ratio_min_size)})",
            )
    if total > max_uncompressed:
        raise _bomb(path, f"it would expand to {_human(total)} when opened (the limit is {_human(max_uncompressed)})")


# --------------------------------------------------------------------------- files


def _regular_file_size(file: Path) -> int:
    try:
        info = file.stat()
    except (FileNotFoundError, NotADirectoryError, ValueError):  # ValueError: a NUL in the path
        raise WorkbookNotFoundError(file) from None
    except PermissionError:
        raise _unreadable(file, "permission denied") from None
    except OSError as exc:
        raise _unreadable(file, exc.strerror or type(exc).__name__) from None
    if stat.S_ISDIR(info.st_mode):
        raise WorkbookError(
            "this is a folder, not a workbook file; choose the workbook file (.xlsx, .xls or .ods) inside it",
            path=file,
        )
    if not stat.S_ISREG(info.st_mode):
        raise WorkbookError(
            "this is not an ordinary file (a device or a pipe); choose a workbook file (.xlsx, .xls or .ods)",
            path=file,
        )
    return info.st_size


def _unreadable(file: Path, reason: str) -> WorkbookError:
    return WorkbookError(
        f"the file cannot be read ({reason}); if it is open in another program close it, otherwise ask "
        "whoever manages this computer for access, or copy the file to a folder of your own",
        path=file,
    )


def _refuse_lock_file(file: Path, size: int) -> None:
    name = file.name
    if name.startswith("~$") and size <= _LOCK_FILE_MAX:
        raise UnsupportedFormatError(
            "this is the lock file Excel creates while a workbook is open, not the workbook itself; "
            f"open the real file instead (the same name without '~$', such as {name[2:]!r}). "
            "If Excel is closed and this file stays behind, you can delete it",
            path=file,
        )
    if name.startswith(".~lock.") and name.endswith("#"):
        real = name[len(".~lock.") : -1]
        raise UnsupportedFormatError(
            f"this is the lock file LibreOffice creates while {real!r} is open, not the workbook itself; "
            f"open {real!r} instead",
            path=file,
        )


def _not_spreadsheet(file: Path | None, kind: str, advice: str = _USE_REAL_WORKBOOK) -> UnsupportedFormatError:
    return UnsupportedFormatError(f"this is {kind}, not a spreadsheet; {advice}", path=file)


def _convert_first(
    file: Path, kind: str, natural: tuple[str, ...], advice: str = _SAVE_AS_XLSX
) -> UnsupportedFormatError:
    suffix = file.suffix.lower()
    renamed = f" renamed to {suffix}" if suffix in _WORKBOOK_SUFFIXES and suffix not in natural else ""
    return UnsupportedFormatError(f"this is {kind}{renamed}, not a workbook sheetkit can read; {advice}", path=file)


def _bomb(path: Path | str | None, reason: str) -> UnsafeWorkbookError:
    return UnsafeWorkbookError(
        f"{reason}. The file is refused for safety: this is what a malicious 'zip bomb' looks like. "
        "If it is a genuine workbook, open it in Excel, delete unused sheets or rows, and save a smaller copy",
        path=path,
    )


def _human(size: float) -> str:
    if size < 1024:
        return f"{size:,.0f} bytes"
    for unit in ("KB", "MB"):
        size /= 1024
        if size < 1024:
            return f"{size:,.1f} {unit}"
    return f"{size / 1024:,.1f} GB"


# --------------------------------------------------------------------------- zip: xlsx, ods


def _sniff_zip(
    stream: BinaryIO,
    file: Path,
    size: int,
    *,
    max_uncompressed: int,
    max_entries: int,
    max_ratio: float,
    ratio_min_size: int,
) -> Format:
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
            return kind
    except _ZIP_ERRORS:
        raise UnsupportedFormatError(_DAMAGED, path=file) from None


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
        raise _bomb(file, f"its table of contents lists {entries:,} internal parts (the limit is {max_entries:,})")
    if cd_size > max_entries * _CD_BYTES_PER_ENTRY:
        raise _bomb(file, f"its table of contents takes {_human(cd_size)}, far more than any workbook needs")


def _read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int, file: Path) -> bytes:
    if info.flag_bits & 0x1:
        raise _not_spreadsheet(
            file,
            "a password-protected zip archive",
            "extract the workbook from it (you will need the password) and use the extracted file",
        )
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise zipfile.BadZipFile("compression method not used by Office")
    with zf.open(info) as member:
        return member.read(limit)


def _classify_zip(zf: zipfile.ZipFile, file: Path) -> Format:
    infos = {info.filename: info for info in zf.infolist()}
    names = set(infos)

    mimetype = infos.get("mimetype")
    if mimetype is not None:
        declared = _read_member(zf, mimetype, 256, file).strip().decode("ascii", "replace")
        if declared in _ODS_MIMETYPES:
            return _ods(zf, file, infos)
        if declared.startswith("application/vnd.oasis.opendocument."):
            what = declared.rsplit(".", 1)[-1].split("-")[0]
            raise _not_spreadsheet(file, "an OpenDocument " + _ODF_KINDS.get(what, f"{what} file"))
    manifest = infos.get("META-INF/manifest.xml")
    if manifest is not None and "content.xml" in names:
        root = _MANIFEST_ROOT.search(_read_member(zf, manifest, _SMALL_ENTRY_MAX, file))
        media = _MEDIA_TYPE.search(root.group(0)) if root else None
        if media and media.group(1).decode("ascii", "replace") in _ODS_MIMETYPES:
            return _ods(zf, file, infos)

    if "[Content_Types].xml" in names and "xl/workbook.xml" in names:
        return "xlsx"
    if "xl/workbook.bin" in names:
        raise _convert_first(file, "an Excel Binary Workbook (.xlsb)", (".xlsb",))
    if "word/document.xml" in names:
        raise _not_spreadsheet(file, "a Word document (.docx)")
    if "ppt/presentation.xml" in names:
        raise _not_spreadsheet(file, "a PowerPoint presentation (.pptx)")
    if any(name.startswith("Index/") and name.endswith(".iwa") for name in names):
        raise _convert_first(
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
                f"cannot read; {_SAVE_AS_XLSX}",
                path=file,
            )
        raise _not_spreadsheet(file, "an Office document (Word, PowerPoint or similar)")
    inner = sorted(name for name in names if name.lower().endswith(_WORKBOOK_SUFFIXES))
    if inner:
        raise _not_spreadsheet(
            file,
            f"a zip archive (compressed folder) containing {inner[0]!r}",
            f"extract {inner[0]!r} from it first and use the extracted file",
        )
    raise _not_spreadsheet(
        file,
        "a zip archive (compressed folder)",
        "if the workbook is inside, extract it first and use the extracted file",
    )


def _ods(zf: zipfile.ZipFile, file: Path, infos: dict[str, zipfile.ZipInfo]) -> Format:
    manifest = infos.get("META-INF/manifest.xml")
    if manifest is not None and b"encryption-data" in _read_member(zf, manifest, _SMALL_ENTRY_MAX, file):
        raise EncryptedWorkbookError(file)
    if "content.xml" not in infos:
        raise UnsupportedFormatError(_DAMAGED, path=file)
    return "ods"


def _check_xml_parts(zf: zipfile.ZipFile, file: Path) -> None:
    for info in zf.infolist():
        lower = info.filename.lower()
        if info.is_dir() or not lower.endswith((".xml", ".rels", ".vml")) or lower.startswith("customxml/"):
            continue
        head = _read_member(zf, info, XML_HEAD_BYTES, file)
        problem = _xml_head_problem(head, complete=len(head) < XML_HEAD_BYTES)
        if problem == _NOT_XML:
            raise UnsupportedFormatError(_DAMAGED, path=file)
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


# --------------------------------------------------------------------------- OLE2 / CFB: xls, encrypted OOXML

_CFB_MAGIC: Final = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_MAXREGSECT: Final = 0xFFFFFFFA
_ENDOFCHAIN: Final = 0xFFFFFFFE
_FREESECT: Final = 0xFFFFFFFF
_NOSTREAM: Final = 0xFFFFFFFF
_STREAM: Final = 2
_ROOT: Final = 5
_MAX_DIRECTORY_ENTRIES: Final = 65_536
_BIFF_BOF: Final = frozenset({0x0809, 0x0409, 0x0209, 0x0009})
_BIFF_FILEPASS: Final = 0x002F
_BIFF_EOF: Final = 0x000A
_BIFF_SCAN_BYTES: Final = 64 * 1024


class _DamagedError(Exception):
    """The compound file's structure is inconsistent (internal; becomes UnsupportedFormatError)."""


@dataclass(frozen=True)
class _Entry:
    name: str
    kind: int
    left: int
    right: int
    child: int
    start: int
    size: int


class _Table:
    """A sector-chain table (FAT or mini FAT), read one sector at a time when needed."""

    def __init__(self, container: _CompoundFile, sectors: list[int]) -> None:
        self.container = container
        self.sectors = sectors
        self.per_sector: int = container.sector_size // 4
        self.loaded: dict[int, tuple[int, ...]] = {}

    def __len__(self) -> int:
        return len(self.sectors) * self.per_sector

    def words(self, position: int) -> tuple[int, ...]:
        """All entries held by the ``position``-th sector of the table."""
        if position not in self.loaded:
            words: tuple[int, ...] = struct.unpack(
                f"<{self.per_sector}I", self.container.sector(self.sectors[position])
            )
            self.loaded[position] = words
        return self.loaded[position]

    def __getitem__(self, index: int) -> int:
        position, slot = divmod(index, self.per_sector)
        return self.words(position)[slot]


class _CompoundFile:
    """Just enough of [MS-CFB] to list the root streams and read the start of one."""

    def __init__(self, stream: BinaryIO, size: int) -> None:
        self.stream = stream
        stream.seek(0)
        header = stream.read(512)
        if len(header) < 512:
            raise _DamagedError
        major, byte_order, sector_shift, mini_shift = struct.unpack_from("<HHHH", header, 0x1A)
        if major not in (3, 4) or byte_order != 0xFFFE or sector_shift not in (9, 12) or mini_shift != 6:
            raise _DamagedError
        self.major: int = major
        self.sector_size: int = 1 << sector_shift
        self.mini_size: int = 1 << mini_shift
        self.sectors: int = max(0, (size + self.sector_size - 1) // self.sector_size - 1)
        fat_count, first_dir, _, self.cutoff, first_minifat, _, first_difat, difat_count = struct.unpack_from(
            "<8I", header, 0x2C
        )
        if difat_count > self.sectors or fat_count > self.sectors:
            raise _DamagedError
        per_sector = self.sector_size // 4
        difat = list(struct.unpack_from("<109I", header, 0x4C))
        next_difat = first_difat
        for _ in range(difat_count):
            words = struct.unpack(f"<{per_sector}I", self.sector(next_difat))
            difat.extend(words[:-1])
            next_difat = words[-1]
        if fat_count > len(difat):
            raise _DamagedError
        self.fat = _Table(self, difat[:fat_count])
        for position in range(self.sectors // per_sector, len(self.fat.sectors)):
            first_index = position * per_sector
            words = self.fat.words(position)
            if any(word != _FREESECT for word in words[max(0, self.sectors - first_index) :]):
                raise _DamagedError  # sectors in use lie past the end of the file: it was cut short
        self.first_minifat = first_minifat
        self.entries = self._directory(first_dir)

    def sector(self, index: int) -> bytes:
        """Sector ``index`` (a last sector cut short is padded with zeros)."""
        if index >= self.sectors:
            raise _DamagedError
        self.stream.seek((index + 1) * self.sector_size)
        return self.stream.read(self.sector_size).ljust(self.sector_size, b"\x00")

    def chain(self, start: int, table: _Table) -> Iterator[int]:
        """The sector numbers of a chain, from its first one."""
        index, steps = start, 0
        while index != _ENDOFCHAIN:
            if index > _MAXREGSECT or index >= len(table) or steps > len(table):
                raise _DamagedError  # a broken link or a loop
            yield index
            index, steps = table[index], steps + 1

    def _directory(self, first: int) -> list[_Entry]:
        entries: list[_Entry] = []
        for sector in self.chain(first, self.fat):
            if len(entries) >= _MAX_DIRECTORY_ENTRIES:
                raise _DamagedError
            data = self.sector(sector)
            for at in range(0, self.sector_size, 128):
                name_size, kind = struct.unpack_from("<HB", data, at + 64)
                left, right, child = struct.unpack_from("<3I", data, at + 68)
                start, size_low, size_high = struct.unpack_from("<3I", data, at + 116)
                size = size_low if self.major == 3 else size_low | size_high << 32
                name = data[at : at + max(0, min(name_size, 64) - 2)].decode("utf-16-le", "replace")
                entries.append(_Entry(name, kind, left, right, child, start, size))
        if not entries or entries[0].kind != _ROOT:
            raise _DamagedError
        return entries

    def root_children(self) -> list[_Entry]:
        """The streams and storages directly under the root (not those of embedded objects)."""
        found: list[_Entry] = []
        seen: set[int] = set()
        pending = [self.entries[0].child]
        while pending:
            index = pending.pop()
            if index == _NOSTREAM:
                continue
            if index >= len(self.entries) or index in seen:
                raise _DamagedError
            seen.add(index)
            entry = self.entries[index]
            found.append(entry)
            pending += [entry.left, entry.right]
        return found

    def read_start(self, entry: _Entry, limit: int) -> bytes:
        """The first ``limit`` bytes of a stream (fewer if the stream is shorter)."""
        wanted = min(entry.size, limit)
        data = bytearray()
        if entry.size >= self.cutoff:
            for sector in self.chain(entry.start, self.fat):
                if len(data) >= wanted:
                    break
                data += self.sector(sector)
        else:  # small streams live in 64-byte mini sectors inside the root entry's stream
            minifat = _Table(self, list(self.chain(self.first_minifat, self.fat)))
            container = self.chain(self.entries[0].start, self.fat)
            held: list[int] = []
            for mini in self.chain(entry.start, minifat):
                if len(data) >= wanted:
                    break
                position, within = divmod(mini * self.mini_size, self.sector_size)
                while len(held) <= position:
                    link = next(container, None)
                    if link is None:
                        raise _DamagedError
                    held.append(link)
                data += self.sector(held[position])[within : within + self.mini_size]
        if len(data) < wanted:
            raise _DamagedError
        return bytes(data[:wanted])


def _sniff_cfb(stream: BinaryIO, file: Path, size: int) -> Format:
    try:
        container = _CompoundFile(stream, size)
        children = {entry.name.casefold(): entry for entry in container.root_children()}
        if "encryptedpackage" in children or "encryptioninfo" in children:
            raise EncryptedWorkbookError(file)
        book = children.get("workbook") or children.get("book")
        if book is not None and book.kind == _STREAM:
            if _biff_is_encrypted(container.read_start(book, _BIFF_SCAN_BYTES)):
                raise EncryptedWorkbookError(file)
            return "xls"
    except (_DamagedError, struct.error, ValueError, IndexError, OverflowError, MemoryError):
        raise UnsupportedFormatError(_DAMAGED, path=file) from None
    if "worddocument" in children:
        raise _not_spreadsheet(file, "a Word document (.doc)")
    if "powerpoint document" in children:
        raise _not_spreadsheet(file, "a PowerPoint presentation (.ppt)")
    if any(name.startswith("__substg1.0_") for name in children):
        raise _not_spreadsheet(file, "an Outlook e-mail (.msg)", "save the attached workbook from it and use that file")
    raise _not_spreadsheet(file, "an Office or Windows file that is not an Excel workbook")


def _biff_is_encrypted(data: bytes) -> bool:
    """Whether the globals substream of a BIFF ``Workbook`` stream holds a FILEPASS record."""
    if len(data) < 4 or struct.unpack_from("<H", data)[0] not in _BIFF_BOF:
        raise _DamagedError
    at = 0
    while at + 4 <= len(data):
        record, length = struct.unpack_from("<HH", data, at)
        if record == _BIFF_FILEPASS:
            return True
        if record == _BIFF_EOF:
            return False
        at += 4 + length
    return False


# --------------------------------------------------------------------------- everything else


def _other_refusal(file: Path, head: bytes) -> UnsupportedFormatError:
    """The error for a file that is neither a zip nor an OLE2 compound file."""
    for magic, kind in _BINARY_KINDS:
        if head.startswith(magic):
            return _not_spreadsheet(file, kind)
    if head.startswith(_SHORTCUT):
        return _not_spreadsheet(file, "a Windows shortcut (.lnk)", "open the workbook the shortcut points to instead")
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return _not_spreadsheet(file, "a WebP image")
    if head[4:8] == b"ftyp":
        return _not_spreadsheet(file, "a photo or video file")
    for magic, kind in _ARCHIVE_KINDS:
        if head.startswith(magic):
            return _not_spreadsheet(
                file, kind, "if the workbook is inside, extract it first and use the extracted file"
            )
    if head.startswith(_OLD_BIFF):
        return _convert_first(file, "an Excel 2.x-4.0 worksheet (a very old format)", (".xls",))
    text = _as_text(head)
    if text is None:
        return _not_spreadsheet(file, "a file of an unknown kind")
    return _text_refusal(file, text)


def _as_text(head: bytes) -> str | None:
    """``head`` decoded as text, or ``None`` when it looks binary."""
    boms = {b"\xef\xbb\xbf": "utf-8", b"\xff\xfe": "utf-16-le", b"\xfe\xff": "utf-16-be"}
    bom = next((bom for bom in boms if head.startswith(bom)), b"")
    data, encoding = head[len(bom) :], boms.get(bom, "utf-8")
    if not bom and b"\x00" in head:
        odd, even = head[1:512:2], head[0:512:2]
        if odd.count(0) >= 0.9 * len(odd) and even.count(0) <= 0.1 * len(even):
            encoding = "utf-16-le"
        elif even.count(0) >= 0.9 * len(even) and odd.count(0) <= 0.1 * len(odd):
            encoding = "utf-16-be"
        else:
            return None
    text = data.decode(encoding, "replace")
    if encoding == "utf-8" and text.count("\ufffd") > len(text) // 50:
        text = data.decode("latin-1")  # a Windows "ANSI" export
    control = sum(1 for char in text if (char < " " and char not in "\t\n\r\f\v\x1a") or char == "\ufffd")
    return None if control > max(2, len(text) // 50) else text


def _text_refusal(file: Path, text: str) -> UnsupportedFormatError:
    start = text.lstrip()
    lowered = start.casefold()
    if lowered.startswith("<"):
        if "urn:schemas-microsoft-com:office:spreadsheet" in lowered:
            return _convert_first(file, "an Excel 'XML Spreadsheet 2003' file", (".xml",))
        if "opendocument.spreadsheet" in lowered and "office:document" in lowered:
            return _convert_first(
                file,
                "a LibreOffice 'Flat XML' spreadsheet (.fods)",
                (".fods",),
                "open it in LibreOffice and save it as ODF Spreadsheet (.ods) or Excel 2007-365 (.xlsx)",
            )
        if any(tag in lowered for tag in _MARKUP_HTML) or not lowered.startswith("<?xml"):
            return _convert_first(file, "a web page (HTML)", (".html", ".htm"))
        return _not_spreadsheet(file, "an XML file")
    first_line = start.split("\n", 1)[0]
    if "\t" in first_line:
        return _convert_first(file, "a tab-separated text file", (".tsv", ".tab", ".txt"))
    if "," in first_line or ";" in first_line:
        return _convert_first(file, "a CSV file", (".csv", ".txt"))
    return _convert_first(file, "a plain text file", (".txt",))
