"""Services, therapists, branches and payment methods met in the import, added to the workbook's Lists.

A visit's service or therapist must be on the Lists sheet (``check`` says so
otherwise). Names the import brings that the Lists do not hold yet (compared
without case and spaces) are added at the end of their list, as typed, and reported.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from sheetkit.read.parse import normalize_label
from sheetkit.template import Template

__all__ = ["ListsAdded", "extend_lists"]


@dataclass
class ListsAdded:
    """The Lists to write, and the names the import added to each."""

    frames: dict[str, pd.DataFrame]
    added: dict[str, list[str]] = field(default_factory=dict)


def extend_lists(
    template: Template,
    lists: dict[str, pd.DataFrame],
    clients: pd.DataFrame,
    visits: pd.DataFrame,
    appointments: pd.DataFrame,
) -> ListsAdded:
    """``lists`` with every reference-list value of the imported rows added (see the module docstring)."""
    wanted: dict[str, list[str]] = {}
    for sheet_key, frame in (("clients", clients), ("visits", visits), ("appointments", appointments)):
        for col in template.sheet(sheet_key).data_columns:
            if col.type != "choice" or not col.choices or not template.is_reference_list(col.choices):
                continue
            if col.key not in frame:
                continue
            names = frame[col.key].dropna().astype(str).str.strip()
            wanted.setdefault(col.choices, []).extend(str(v) for v in names.unique() if v)
    out = ListsAdded({k: v.copy() for k, v in lists.items()})
    for name, values in wanted.items():
        frame = out.frames.get(name, pd.DataFrame({"name": pd.Series(dtype=object)}))
        have = {normalize_label(str(v)) for v in frame["name"].dropna()}
        new = [v for v in dict.fromkeys(values) if normalize_label(v) not in have]
        if not new:
            continue
        addition = pd.DataFrame({"name": pd.Series(new, dtype=object)})
        out.frames[name] = pd.concat([frame, addition], ignore_index=True)
        out.added[name] = new
    return out
