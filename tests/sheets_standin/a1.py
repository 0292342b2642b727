"""A1 notation: parsing request ranges and writing response ranges the way Sheets does.

>>> col_letters(0), col_letters(25), col_letters(26), col_index("AB")
('A', 'Z', 'AA', 27)
>>> quote_title("Sheet1"), quote_title("D3"), quote_title("Test sheet"), quote_title("it's")
('Sheet1', "'D3'", "'Test sheet'", "'it''s'")
>>> split_title("'it''s'!A1:B2")
("it's", 'A1:B2')
>>> parse_a1("D4:A1")
Span(r0=0, r1=4, c0=0, c1=4)
>>> parse_a1("A1:C")
Span(r0=0, r1=None, c0=0, c1=3)
"""

from __future__ import annotations

import re
from typing import NamedTuple

MAX_COLUMNS = 18278  # ZZZ

_ENDPOINT = re.compile(r"^\$?([A-Za-z]{1,3})?\$?([0-9]+)?$")
_LOOKS_LIKE_CELL = re.compile(r"^[A-Za-z]{1,3}[0-9]+$")
_LOOKS_LIKE_R1C1 = re.compile(r"^[Rr][0-9]*[Cc][0-9]*$")
_PLAIN_TITLE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
NAMED_RANGE_NAME = re.compile(r"^[A-Za-z_\\][A-Za-z0-9_.]*$")


class Span(NamedTuple):
    """Zero-based, end-exclusive; ``None`` ends mean "to the edge of the grid"."""

    r0: int
    r1: int | None
    c0: int
    c1: int | None


def col_letters(index: int) -> str:
    letters = ""
    n = index + 1
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def col_index(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + (ord(ch) - 64)
    return n - 1


def quote_title(title: str) -> str:
    """Quote a sheet title only when Sheets does: spaces, non-ASCII, punctuation, or anything A1/R1C1-like."""
    if _PLAIN_TITLE.match(title) and not _LOOKS_LIKE_CELL.match(title) and not _LOOKS_LIKE_R1C1.match(title):
        return title
    return "'" + title.replace("'", "''") + "'"


def cell_name(row: int, col: int) -> str:
    return f"{col_letters(col)}{row + 1}"


def box_name(r0: int, r1: int, c0: int, c1: int) -> str:
    """``A1`` for a single cell, else ``A1:D2`` (end-exclusive input)."""
    if r1 - r0 == 1 and c1 - c0 == 1:
        return cell_name(r0, c0)
    return f"{cell_name(r0, c0)}:{cell_name(r1 - 1, c1 - 1)}"


def split_title(text: str) -> tuple[str | None, str | None]:
    """Split ``'Title'!A1`` / ``Title!A1`` / ``'Title'`` / ``A1`` into (title or None, rest or None)."""
    if text.startswith("'"):
        i, out = 1, []
        while i < len(text):
            ch = text[i]
            if ch == "'":
                if i + 1 < len(text) and text[i + 1] == "'":
                    out.append("'")
                    i += 2
                    continue
                rest = text[i + 1 :]
                if rest == "":
                    return "".join(out), None
                if rest.startswith("!"):
                    return "".join(out), rest[1:]
                raise ValueError(text)
            out.append(ch)
            i += 1
        raise ValueError(text)
    if "!" in text:
        title, rest = text.rsplit("!", 1)
        return title, rest
    return None, text


def _endpoint(text: str) -> tuple[int | None, int | None]:
    m = _ENDPOINT.match(text)
    if not m or not (m.group(1) or m.group(2)):
        raise ValueError(text)
    col = col_index(m.group(1)) if m.group(1) else None
    row = int(m.group(2)) - 1 if m.group(2) else None
    if row is not None and row < 0:
        raise ValueError(text)
    if col is not None and col >= MAX_COLUMNS:
        raise ValueError(text)
    return row, col


def parse_a1(text: str) -> Span:
    """Parse the part after ``!``: ``A1``, ``A1:B2``, ``A:C``, ``2:5``, ``A1:C`` (open end), ``A2:2``."""
    parts = text.split(":")
    if len(parts) == 1:
        row, col = _endpoint(parts[0])
        if row is None or col is None:
            raise ValueError(text)
        return Span(row, row + 1, col, col + 1)
    if len(parts) != 2:
        raise ValueError(text)
    (ra, ca), (rb, cb) = _endpoint(parts[0]), _endpoint(parts[1])
    if ra is None and ca is not None and rb is None and cb is not None:  # A:C
        r0, r1 = 0, None
    elif ca is None and cb is None and ra is not None and rb is not None:  # 2:5
        lo, hi = sorted((ra, rb))
        return Span(lo, hi + 1, 0, None)
    elif ca is None or (ra is None and cb is None):
        raise ValueError(text)
    else:
        r0 = ra if ra is not None else 0
        r1 = None if rb is None else rb + 1
    c0 = ca
    c1 = None if cb is None else cb + 1
    if r1 is not None and r1 <= r0:  # reversed rows
        r0, r1 = r1 - 1, r0 + 1
    if c1 is not None and c1 <= c0:  # reversed columns
        c0, c1 = c1 - 1, c0 + 1
    return Span(r0, r1, c0, c1)


def looks_like_a1(text: str) -> bool:
    try:
        parse_a1(text)
    except ValueError:
        return False
    return True
