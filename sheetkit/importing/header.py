"""Where a hand-made sheet's header row is, and which rows below it are not data.

Salon sheets rarely start with their header: a title (often merged across the
columns), the salon's name or a date sit above it; blank spacer rows separate
months; a totals row closes the sheet. The header is the row among the first
ones whose cells best match known headers (:mod:`~sheetkit.importing.mapping`),
or else the first row with several text cells. Every other row is accounted for:
a title above the header, a spacer, a repeated header, a totals row, or data.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Final

import pandas as pd

from sheetkit.read.parse import normalize_label

__all__ = ["HeaderFind", "find_header"]

#: The header is looked for among this many first rows.
SEARCH_ROWS: Final = 30
_NUMBERISH: Final = re.compile(r"^[\s\d.,:/\-+%€$£¥₫()]*$")


@dataclass
class HeaderFind:
    """The header row of a table, its headers, its data rows, and every other row with its reason."""

    row: int
    headers: list[str]
    data_rows: list[int]
    skipped: dict[int, str] = field(default_factory=dict)


def _cells(values: Sequence[object]) -> list[str]:
    return [str(v).strip() for v in values if isinstance(v, str) and str(v).strip()]


def find_header(grid: pd.DataFrame, score: Callable[[list[str]], int], totals: Sequence[str]) -> HeaderFind:
    """Find the header of ``grid`` (rows indexed by file row); ``score`` counts known headers in a row."""
    rows = list(grid.index)
    values = grid.astype(object).where(grid.notna(), None).to_numpy(dtype=object)
    best, best_score = None, 0
    first_texty = None
    for position in range(min(SEARCH_ROWS, len(rows))):
        cells = _cells(values[position])
        if len(cells) < 2:
            continue
        texty = sum(1 for c in cells if not _NUMBERISH.match(c))
        if first_texty is None and texty >= 2:
            first_texty = position
        points = score(cells)
        if points > best_score:
            best, best_score = position, points
    chosen = best if best is not None and best_score >= 2 else first_texty
    if chosen is None:
        chosen = 0
    headers = [v.strip() if isinstance(v, str) else "" for v in values[chosen]]
    found = HeaderFind(row=int(rows[chosen]), headers=headers, data_rows=[])
    for position in range(chosen):
        found.skipped[int(rows[position])] = "title above the header" if _cells(values[position]) else "blank row"
    header_key = [normalize_label(h) for h in headers]
    total_words = tuple(normalize_label(t) for t in totals)
    for position in range(chosen + 1, len(rows)):
        row = int(rows[position])
        line = values[position]
        cells = _cells(line)
        if not cells:
            found.skipped[row] = "blank row"
        elif [normalize_label(str(v)) if isinstance(v, str) else "" for v in line] == header_key:
            found.skipped[row] = "repeated header row"
        elif _is_totals(cells, total_words):
            found.skipped[row] = "totals row"
        else:
            found.data_rows.append(row)
    return found


def _is_totals(cells: list[str], words: tuple[str, ...]) -> bool:
    first = normalize_label(cells[0]).rstrip(":： ")
    return any(first == w or first.startswith((w + " ", w + ":", w + "：")) for w in words)
