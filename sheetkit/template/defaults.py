"""Default content of a new workbook: the manager's lists and the settings."""

from __future__ import annotations

from typing import Any

import pandas as pd

from sheetkit.template import Labels, Template

__all__ = ["default_lists", "default_settings"]


def default_lists(template: Template, labels: Labels) -> dict[str, pd.DataFrame]:
    """The template's default reference lists, with names in the locale.

    A row's ``category`` (or any choice into another reference list) is
    translated to that list's display name as well; prices are scaled to the
    locale's currency (``price_scale`` in the locale file).
    """
    out: dict[str, pd.DataFrame] = {}
    for ref in template.reference_lists.values():
        rows: list[dict[str, Any]] = []
        for raw in ref.default_rows:
            row: dict[str, Any] = {"name": labels.reference_row_name(ref.key, str(raw["key"]))}
            for col in ref.columns[1:]:
                value = raw.get(col.key)
                if col.choices and template.is_reference_list(col.choices) and value is not None:
                    value = labels.reference_row_name(col.choices, str(value))
                elif col.type == "money" and value is not None:
                    value = round(float(value) * labels.price_scale, 2)
                row[col.key] = value
            rows.append(row)
        out[ref.key] = pd.DataFrame(rows, columns=[c.key for c in ref.columns])
    return out


def default_settings(template: Template, labels: Labels) -> dict[str, Any]:
    """Settings with their defaults; ``locale`` defaults come from the label file."""
    values: dict[str, Any] = {}
    for s in template.settings:
        value = s.default
        if value == "locale":
            value = getattr(labels, s.key)
        values[s.key] = value
    return values
