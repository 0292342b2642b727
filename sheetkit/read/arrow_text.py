"""Column-wide checks of cell text at C speed, with pyarrow.compute.

Reading runs a handful of checks over every column of every sheet (is a cell filled,
is it an error value, a placeholder, a number). Through pandas' string accessor each
check costs a few hundred microseconds of bookkeeping, whatever the column's length:
on a small salon's workbook that bookkeeping was most of the time ``check`` spent
parsing. Here each check is one or two Arrow kernels on the column's buffer (which
pandas' text columns already are, so nothing is copied), and the answer is a NumPy
mask aligned with the column.

Regular expressions run in RE2, where ``\\d`` is an ASCII digit: a value reader never
writes a number with other digits, so a cell that could be a stored number is ASCII.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa  # type: ignore[import-untyped]  # no stubs
import pyarrow.compute as pc  # type: ignore[import-untyped]

__all__ = ["all_ascii", "any_in", "contains", "filled", "fullmatch", "in_folded_set", "longer_than", "text_array"]


def text_array(values: pd.Series) -> Any:
    """The column's cells as an Arrow string array, null where empty (no copy for Arrow-backed text)."""
    try:
        return pa.array(values, from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError):
        # Mixed Python objects (a number among texts): as the text the cell shows.
        shown = values.astype(object).where(values.isna(), values.astype(str))
        return pa.array(shown, from_pandas=True, type=pa.large_string())


def _mask(result: Any) -> np.ndarray[Any, np.dtype[np.bool_]]:
    return np.asarray(pc.fill_null(result, False).to_numpy(zero_copy_only=False), dtype=bool)


def filled(values: pd.Series) -> np.ndarray[Any, np.dtype[np.bool_]]:
    """True where a cell holds something other than nothing or only spaces.

    >>> filled(pd.Series(["a", None, "  ", "\\u00a0", " b "], dtype=object)).tolist()
    [True, False, False, False, True]
    """
    cells = text_array(values)
    if cells.null_count == len(cells):
        return np.zeros(len(cells), dtype=bool)
    return _mask(pc.greater(pc.utf8_length(pc.utf8_trim_whitespace(cells)), 0))


def fullmatch(values: pd.Series, pattern: str) -> np.ndarray[Any, np.dtype[np.bool_]]:
    """True where the whole of a cell's text matches ``pattern`` (RE2 syntax); False where empty.

    >>> fullmatch(pd.Series(["12", "12a", None], dtype=object), r"\\d+").tolist()
    [True, False, False]
    """
    return _mask(pc.match_substring_regex(text_array(values), f"^(?:{pattern})$"))


def contains(values: pd.Series, pattern: str) -> np.ndarray[Any, np.dtype[np.bool_]]:
    """True where a cell's text contains a match of ``pattern`` (RE2 syntax); False where empty.

    >>> contains(pd.Series(["room 1", "room", None], dtype=object), "[0-9]").tolist()
    [True, False, False]
    """
    return _mask(pc.match_substring_regex(text_array(values), pattern))


def longer_than(values: pd.Series, length: int) -> np.ndarray[Any, np.dtype[np.bool_]]:
    """True where a cell's text has more than ``length`` characters (code points, as Python counts them)."""
    return _mask(pc.greater(pc.utf8_length(text_array(values)), length))


def all_ascii(values: pd.Series) -> bool:
    """Whether every cell's text is ASCII (then Unicode normalization changes nothing)."""
    return bool(pc.all(pc.string_is_ascii(text_array(values))).as_py() is not False)


def any_in(values: pd.Series, needle: str) -> bool:
    """Whether any cell contains ``needle`` (a quick test before a closer look)."""
    return bool(pc.any(pc.match_substring(text_array(values), needle)).as_py())


def in_folded_set(
    values: pd.Series, options: Iterable[str], *, strip: bool = False, upper: bool = False
) -> np.ndarray[Any, np.dtype[np.bool_]]:
    """True where a cell, lower-cased (or ``upper``-cased) and optionally stripped, is one of ``options``.

    ``options`` must already be folded the same way.

    >>> in_folded_set(pd.Series(["N/A", " #ref! ", "Anna"], dtype=object), ["n/a"]).tolist()
    [True, False, False]
    >>> in_folded_set(pd.Series(["N/A", " #ref! ", "Anna"], dtype=object), ["#REF!"], strip=True, upper=True).tolist()
    [False, True, False]
    """
    cells = text_array(values)
    if strip:
        cells = pc.utf8_trim_whitespace(cells)
    cells = pc.utf8_upper(cells) if upper else pc.utf8_lower(cells)
    return _mask(pc.is_in(cells, value_set=pa.array(sorted(options), type=cells.type)))
