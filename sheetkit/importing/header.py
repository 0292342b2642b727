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

import numpy as np
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
    """Find the header of ``grid`` (rows indexed by file row); ``score`` counts known headers in a row.

    The rows below the header are sorted column by column (a visit log has 10^5 rows),
    with each distinct cell text folded once.
    """
    rows = grid.index.to_numpy()
    top = grid.iloc[:SEARCH_ROWS].astype(object)
    values = top.where(top.notna(), None).to_numpy(dtype=object)
    best, best_score = None, 0
    first_texty = None
    for position in range(len(values)):
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
    if not len(rows):
        return HeaderFind(row=1, headers=[], data_rows=[])  # (an empty sheet has no rows to account for)
    headers = [v.strip() if isinstance(v, str) else "" for v in values[chosen]]
    found = HeaderFind(row=int(rows[chosen]), headers=headers, data_rows=[])
    for position in range(chosen):
        found.skipped[int(rows[position])] = "title above the header" if _cells(values[position]) else "blank row"
    body = grid.iloc[chosen + 1 :].astype(object).to_numpy(dtype=object)
    reasons = _below_header(body, [normalize_label(h) for h in headers], tuple(normalize_label(t) for t in totals))
    below = rows[chosen + 1 :]
    data = reasons == ""
    found.data_rows = below[data].tolist()
    for row, reason in zip(below[~data].tolist(), reasons[~data].tolist(), strict=True):
        found.skipped[int(row)] = reason
    return found


def _below_header(body: np.ndarray, header_key: list[str], total_words: tuple[str, ...]) -> np.ndarray:
    """Per row below the header: "" for data, else why it is not data (blank, repeated header, totals)."""
    reasons = np.full(len(body), "", dtype=object)
    if not len(body):
        return reasons
    filled = np.zeros(body.shape, dtype=bool)
    for j in range(body.shape[1]):
        column = pd.Series(body[:, j], dtype=object)
        filled[:, j] = column.isin({u for u in pd.unique(column) if _filled(u)}).to_numpy(dtype=bool)
    blank = np.array(~filled.any(axis=1), dtype=bool)
    reasons[blank] = "blank row"
    # A repeated header: every cell folds to the header's own cell (columns with a header first: they narrow fastest).
    repeated = np.array(~blank, dtype=bool)
    order = sorted(range(len(header_key)), key=lambda j: header_key[j] == "")
    for j in order:
        if not repeated.any():
            break
        cells = body[repeated, j]
        keys = {u: (normalize_label(str(u)) if isinstance(u, str) else "") for u in pd.unique(cells)}
        same = pd.Series(cells).isin({u for u, k in keys.items() if k == header_key[j]}).to_numpy(dtype=bool)
        repeated[repeated] = same
    reasons[repeated] = "repeated header row"
    # A totals row: its first non-empty cell says so.
    rest = ~blank & ~repeated
    first = np.full(len(body), None, dtype=object)
    unset = rest.copy()
    for j in range(body.shape[1]):
        take = unset & filled[:, j]
        first[take] = body[take, j]
        unset &= ~take
    candidates = first[rest]
    totals = {u for u in pd.unique(candidates) if _is_totals([str(u).strip()], total_words)}
    reasons[rest] = np.where(pd.Series(candidates).isin(totals).to_numpy(dtype=bool), "totals row", "")
    return reasons


def _filled(value: object) -> bool:
    """A cell with text that is not only spaces (what :func:`_cells` keeps)."""
    return isinstance(value, str) and bool(value) and not value.isspace()


def _is_totals(cells: list[str], words: tuple[str, ...]) -> bool:
    first = normalize_label(cells[0]).rstrip(":： ")
    return any(first == w or first.startswith((w + " ", w + ":", w + "：")) for w in words)
