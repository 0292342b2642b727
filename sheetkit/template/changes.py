"""What changed between template versions in the values a workbook holds: settings whose default changed.

A manager may have changed a setting, or left it at the default of the template
version the workbook was made with. On upgrade a setting still at an old default
takes the current one; one the manager changed is kept. Both upgrades apply this
(:mod:`sheetkit.excel.upgrade` for a file, :mod:`sheetkit.gsheets.upgrade` for a
branch Google Sheet) through :func:`settings_at_old_defaults`.

>>> settings_at_old_defaults({"lapse_floor_days": 90}, 1, {"lapse_floor_days": 120},
...                          changed={1: {"lapse_floor_days": 90}})
{'lapse_floor_days': 120}
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any, Final

import pandas as pd

from sheetkit.template.values import is_missing

__all__ = ["CHANGED_DEFAULTS", "settings_at_old_defaults"]

#: Defaults of settings that a later template version changed, by the version that had them
#: (``{1: {"key": old default}}``: version 2 gave ``key`` another default).
#: Version 2 changed no default of a version-1 setting (it added earliest_date and follow_up_quiet_days).
CHANGED_DEFAULTS: Final[Mapping[int, Mapping[str, Any]]] = {1: {}}


def settings_at_old_defaults(
    settings: Mapping[str, Any],
    from_version: int,
    current: Mapping[str, Any],
    *,
    present: Iterable[str] | None = None,
    changed: Mapping[int, Mapping[str, Any]] = CHANGED_DEFAULTS,
) -> dict[str, Any]:
    """The settings still at the default of a version in ``from_version`` .. current-1, with the current default.

    ``settings`` are the workbook's values, ``current`` the current template's defaults
    (:func:`~sheetkit.template.defaults.default_settings`); ``present`` limits the answer
    to the settings the workbook holds (the others take the current default anyway).
    """
    keep = None if present is None else set(present)
    later = sorted(version for version in changed if version >= from_version)
    out: dict[str, Any] = {}
    for version in later:
        for key, old_default in changed[version].items():
            if key not in current or (keep is not None and key not in keep):
                continue
            if _equal(settings.get(key), old_default) and not _equal(current[key], old_default):
                out[key] = current[key]
    return out


def _equal(a: Any, b: Any) -> bool:
    """Equal as setting values: 90 == 90.0, a date == its timestamp, blank == blank."""
    if is_missing(a) or is_missing(b):
        return is_missing(a) and is_missing(b)
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return float(a) == float(b)
    if isinstance(a, (dt.date, pd.Timestamp)) and isinstance(b, (dt.date, pd.Timestamp)):
        return bool(pd.Timestamp(a) == pd.Timestamp(b))
    return bool(a == b)
