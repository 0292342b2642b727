"""Colours and number formats that the Excel and Google Sheets writers share."""

from __future__ import annotations

import math
import unicodedata
from typing import Final

__all__ = ["HEADER_COLOURS", "NUMBER_FORMATS", "display_width", "header_width", "line_height", "wrapped_lines"]

#: Number format of each numeric column type.
NUMBER_FORMATS: Final = {"int": "0", "rating": "0", "decimal": "0.00", "money": "#,##0.00"}
#: Header fill by column sensitivity (None = ordinary column).
HEADER_COLOURS: Final = {
    None: "#DCE6F1",
    "personal": "#E4DFEC",
    "quasi": "#E4DFEC",
    "free_text": "#DCE6F1",
    "health": "#F2C4C4",
    "formula": "#D9D9D9",
}

#: Points per line of wrapped 11-point text, and the padding of a cell.
LINE_POINTS: Final = 15.0


def display_width(text: str) -> float:
    """Width of ``text`` in spreadsheet column units (one Latin digit = 1; CJK characters count 2).

    >>> display_width("abc"), display_width("客户")
    (3.0, 4.0)
    """
    return float(sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text))


def _words(text: str) -> list[str]:
    """Words a line may break between: at spaces; CJK text (no spaces) breaks between characters."""
    words: list[str] = []
    for word in text.split():
        if all(unicodedata.east_asian_width(ch) in ("W", "F") for ch in word):
            words.extend(word)
        else:
            words.append(word)
    return words


def header_width(width: float, header: str, *, bold: float = 1.15) -> float:
    """A column width at least ``width`` in which no word of ``header`` is broken (bold text is wider).

    >>> header_width(9, "Satisfaction (1-5)")
    16.0
    """
    longest = max((display_width(w) for w in _words(header)), default=0.0)
    return float(max(width, math.ceil(longest * bold + 1.5)))


def wrapped_lines(text: str, width: float, *, factor: float = 1.1) -> int:
    """Lines ``text`` takes when wrapped at spaces in a column ``width`` units wide (explicit newlines count)."""
    usable = max(width - 1.0, 1.0)
    lines = 0
    for paragraph in text.split("\n"):
        current = 0.0
        count = 1
        for word in _words(paragraph):
            w = display_width(word) * factor
            sep = 0.0 if current == 0 or display_width(word) == 2 else factor
            if current and current + sep + w > usable:
                count += 1
                current = w
            else:
                current += sep + w
            while current > usable:  # a word longer than the line breaks inside it
                count += 1
                current -= usable
        lines += count
    return lines


def line_height(lines: int) -> float:
    """Row height in points for ``lines`` lines of text."""
    return LINE_POINTS * max(lines, 1) + 3
