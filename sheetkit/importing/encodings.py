"""Text files as salons bring them: which encoding, which delimiter.

Excel and salon software write CSV in several encodings: UTF-8 with or without
a byte-order mark, GB18030/GBK (a Chinese Windows), Windows-1252 (a Western
Windows) and UTF-16 with a BOM and tabs (Excel's "Unicode text"). This module
decides the encoding from the bytes (a BOM first, then strict UTF-8, then
charset-normalizer among the legacy encodings) and the delimiter from the text.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections import Counter
from dataclasses import dataclass
from typing import Final

from charset_normalizer import from_bytes

from sheetkit.errors import UnsupportedFormatError

__all__ = ["DecodedText", "decode_text", "detect_delimiter"]

#: Legacy encodings a salon's CSV may be in, when it is not UTF-8 or UTF-16.
LEGACY: Final = ("gb18030", "cp1252")
_DELIMITERS: Final = (",", ";", "\t", "|")
_SAMPLE: Final = 256 * 1024


@dataclass(frozen=True)
class DecodedText:
    """A text file's content and how it was stored."""

    text: str
    encoding: str


def decode_text(data: bytes, *, path: object, encoding: str | None = None) -> DecodedText:
    """The text of a CSV or text file, in the encoding given or the one its bytes show.

    >>> decode_text("Nome;Cellulare".encode("utf-8-sig"), path="x.csv").encoding
    'utf-8-sig'
    >>> decode_text("姓名,手机号".encode("gbk"), path="x.csv").encoding
    'gb18030'
    """
    if encoding is not None:
        return DecodedText(_decode(data, encoding, path), encoding)
    if data.startswith(codecs.BOM_UTF8):
        return DecodedText(_decode(data, "utf-8-sig", path), "utf-8-sig")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return DecodedText(_decode(data, "utf-16", path), "utf-16")
    if b"\x00" in data[:4096]:
        # UTF-16 without a BOM: every other byte of ASCII text is zero.
        guess = "utf-16-le" if data[1:2] == b"\x00" else "utf-16-be"
        return DecodedText(_decode(data, guess, path), guess)
    try:
        return DecodedText(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    best = from_bytes(data[:_SAMPLE], cp_isolation=list(LEGACY)).best()
    chosen = _codec_name(best.encoding) if best is not None else "cp1252"
    return DecodedText(_decode(data, chosen, path), chosen)


def _codec_name(name: str) -> str:
    normal = codecs.lookup(name).name
    return {"gbk": "gb18030", "gb2312": "gb18030", "windows-1252": "cp1252"}.get(normal, normal)


def _decode(data: bytes, encoding: str, path: object) -> str:
    try:
        return data.decode(encoding)
    except LookupError:
        raise UnsupportedFormatError(f"{encoding!r} is not an encoding Python knows", path=str(path)) from None
    except UnicodeDecodeError:
        raise UnsupportedFormatError(
            f"the file is not valid {encoding} text; save it again as CSV UTF-8 from Excel", path=str(path)
        ) from None


def detect_delimiter(text: str) -> str:
    r"""The delimiter of a delimited text: the one that splits the first lines most evenly.

    >>> detect_delimiter("Nome;Cognome;Cellulare\nAnna;Rossi;333\n")
    ';'
    >>> detect_delimiter("a\tb\n1\t2\n")
    '\t'
    >>> detect_delimiter("Salone Rossi\nData;Importo;Note\n01/02/2025;30,00;ok\n02/02/2025;45,50;\n")
    ';'
    """
    lines = [line for line in io.StringIO(text[:65536]).read().splitlines()[:50] if line.strip()]
    if not lines:
        return ","
    best, best_score = ",", -1.0
    for delimiter in _DELIMITERS:
        counts = [len(row) for row in csv.reader(lines, delimiter=delimiter)]
        if not counts or max(counts) < 2:
            continue
        # The width most lines share, not the first line's: a title may sit above the header
        # (a semicolon file with a title line and decimal commas is not a comma file).
        width = Counter(counts).most_common(1)[0][0]
        agreeing = sum(1 for c in counts if c == width) / len(counts)
        score = agreeing * width
        if score > best_score:
            best, best_score = delimiter, score
    return best
