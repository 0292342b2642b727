"""What sheetkit says about a file it will not read as a workbook.

This module owns the refusal messages of :mod:`sheetkit.excel.sniff` and its helpers:
the shared wording (damaged file, zip bomb, "convert it first"), and the judgement
of a file that is neither a zip nor an OLE2 compound file (a CSV, a web page, a
PDF, a photo...) from its first bytes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

from sheetkit.errors import UnsafeWorkbookError, UnsupportedFormatError

__all__ = [
    "DAMAGED",
    "SAVE_AS_XLSX",
    "WORKBOOK_SUFFIXES",
    "bomb",
    "convert_first",
    "human",
    "not_spreadsheet",
    "other_refusal",
]

DAMAGED: Final = (
    "the file is damaged or incomplete (was it copied while still being saved?); copy it again from the "
    "original, or open the original in Excel and save it again as Excel Workbook (.xlsx)"
)
SAVE_AS_XLSX: Final = "open it in Excel and save as Excel Workbook (.xlsx)"
_USE_REAL_WORKBOOK: Final = "use the workbook file itself (.xlsx, .xls or .ods)"
WORKBOOK_SUFFIXES: Final = (".xlsx", ".xlsm", ".xltx", ".xltm", ".xlsb", ".xls", ".xlt", ".ods", ".ots", ".numbers")

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


def not_spreadsheet(file: Path | None, kind: str, advice: str = _USE_REAL_WORKBOOK) -> UnsupportedFormatError:
    """The error for a file of another kind altogether (``kind``: "a PDF document")."""
    return UnsupportedFormatError(f"this is {kind}, not a spreadsheet; {advice}", path=file)


def convert_first(
    file: Path, kind: str, natural: tuple[str, ...], advice: str = SAVE_AS_XLSX
) -> UnsupportedFormatError:
    """The error for a spreadsheet in a format sheetkit does not read, saying if it was renamed."""
    suffix = file.suffix.lower()
    renamed = f" renamed to {suffix}" if suffix in WORKBOOK_SUFFIXES and suffix not in natural else ""
    return UnsupportedFormatError(f"this is {kind}{renamed}, not a workbook sheetkit can read; {advice}", path=file)


def bomb(path: Path | str | None, reason: str) -> UnsafeWorkbookError:
    """The error for a zip that would expand too far (``reason`` says how far)."""
    return UnsafeWorkbookError(
        f"{reason}. The file is refused for safety: this is what a malicious 'zip bomb' looks like. "
        "If it is a genuine workbook, open it in Excel, delete unused sheets or rows, and save a smaller copy",
        path=path,
    )


def human(size: float) -> str:
    """A byte count as people read it: ``1.5 MB``."""
    if size < 1024:
        return f"{size:,.0f} bytes"
    for unit in ("KB", "MB"):
        size /= 1024
        if size < 1024:
            return f"{size:,.1f} {unit}"
    return f"{size / 1024:,.1f} GB"


# --------------------------------------------------------------------------- everything else


def other_refusal(file: Path, head: bytes) -> UnsupportedFormatError:
    """The error for a file that is neither a zip nor an OLE2 compound file."""
    for magic, kind in _BINARY_KINDS:
        if head.startswith(magic):
            return not_spreadsheet(file, kind)
    if head.startswith(_SHORTCUT):
        return not_spreadsheet(file, "a Windows shortcut (.lnk)", "open the workbook the shortcut points to instead")
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return not_spreadsheet(file, "a WebP image")
    if head[4:8] == b"ftyp":
        return not_spreadsheet(file, "a photo or video file")
    for magic, kind in _ARCHIVE_KINDS:
        if head.startswith(magic):
            return not_spreadsheet(file, kind, "if the workbook is inside, extract it first and use the extracted file")
    if head.startswith(_OLD_BIFF):
        return convert_first(file, "an Excel 2.x-4.0 worksheet (a very old format)", (".xls",))
    text = _as_text(head)
    if text is None:
        return not_spreadsheet(file, "a file of an unknown kind")
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
            return convert_first(file, "an Excel 'XML Spreadsheet 2003' file", (".xml",))
        if "opendocument.spreadsheet" in lowered and "office:document" in lowered:
            return convert_first(
                file,
                "a LibreOffice 'Flat XML' spreadsheet (.fods)",
                (".fods",),
                "open it in LibreOffice and save it as ODF Spreadsheet (.ods) or Excel 2007-365 (.xlsx)",
            )
        if any(tag in lowered for tag in _MARKUP_HTML) or not lowered.startswith("<?xml"):
            return convert_first(file, "a web page (HTML)", (".html", ".htm"))
        return not_spreadsheet(file, "an XML file")
    first_line = start.split("\n", 1)[0]
    if "\t" in first_line:
        return convert_first(file, "a tab-separated text file", (".tsv", ".tab", ".txt"))
    if "," in first_line or ";" in first_line:
        return convert_first(file, "a CSV file", (".csv", ".txt"))
    return convert_first(file, "a plain text file", (".txt",))
