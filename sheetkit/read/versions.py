"""Template versions as the reader meets them: a v1 workbook, the prepared area, birthdays without the year.

* **Version 1** workbooks (About ``template_version`` 1) have no PatchTests, Consents or
  FollowUps sheet, no ``appointments.cancelled_at`` and no ``patch_test_valid_days``
  on Lists (:data:`~sheetkit.frames.V2_SHEETS` and friends). They read with one
  ``upgrade-available`` warning and otherwise as if those were empty; a version 2
  workbook must have its sheets.
* **Prepared area**: a version 2 workbook's About sheet records ``prepared_rows``, the
  last row that carries validation, colours and formulas on every data sheet. Data
  below it gets ``prepared-area-exceeded``; a sheet whose data fills 80 % of the rows
  up to it gets ``prepared-area-nearly-full``: one Issue per sheet, naming the command
  that re-extends the area.
* **Birthdays without the year** become the frame-only ``birth_month_day`` column.
"""

from __future__ import annotations

import dataclasses
import shlex
from collections.abc import Mapping
from pathlib import Path
from typing import Final

import pandas as pd

from sheetkit.errors import SheetNotFoundError
from sheetkit.frames import V2_COLUMNS, V2_LIST_COLUMNS, V2_SHEETS, month_day_column
from sheetkit.issues import Issue, IssueFactory, SheetInfo
from sheetkit.read.headers import locate_sheets
from sheetkit.template import Sheet, Template
from sheetkit.template.geometry import FIRST_DATA_ROW

__all__ = [
    "NEARLY_FULL",
    "V2",
    "before_v2",
    "check_v2_sheets",
    "find_sheets",
    "prepared_area_issues",
    "prepared_rows",
    "skipped_in_v1",
    "split_month_days",
    "upgrade_command",
    "v1_template",
]

#: The template version that added the PatchTests, Consents and FollowUps sheets.
V2: Final = 2
#: Share of the prepared rows in use from which check warns.
NEARLY_FULL: Final = 0.8


def before_v2(version: int | None) -> bool:
    """True for a workbook of template version 1 (About says so; a workbook without a version is read as current)."""
    return version is not None and version < V2


def find_sheets(template: Template, sheet_names: list[str], *, path: Path | str) -> dict[str, str]:
    """Sheet key -> tab name; every data sheet of template version 1 must be there, the v2 sheets may be missing."""
    required = tuple(s for s in template.sheets if s.key not in V2_SHEETS)
    return locate_sheets(dataclasses.replace(template, sheets=required), sheet_names, path=path)


def check_v2_sheets(template: Template, names: Mapping[str, str], version: int | None, *, path: Path | str) -> None:
    """A workbook of template version 2 or later must have the sheets version 2 added."""
    if before_v2(version):
        return
    for key in V2_SHEETS:
        if key not in names and key in {s.key for s in template.sheets}:
            wanted = template.labels(template.default_locale).sheet_name(key)
            raise SheetNotFoundError(wanted, path=path, available=list(names.values()))


def skipped_in_v1(sheet: Sheet, version: int | None) -> frozenset[str]:
    """Columns a workbook of this version may lack without an Issue (those template version 2 added)."""
    if not before_v2(version):
        return frozenset()
    return frozenset(V2_COLUMNS.get(sheet.key, ()))


def v1_template(template: Template) -> Template:
    """The template without what version 2 added: where a version 1 workbook has its Lists columns."""
    refs = {
        key: dataclasses.replace(
            ref, columns=tuple(c for c in ref.columns if c.key not in V2_LIST_COLUMNS.get(key, ()))
        )
        for key, ref in template.reference_lists.items()
    }
    sheets = tuple(s for s in template.sheets if s.key not in V2_SHEETS)
    return dataclasses.replace(template, reference_lists=refs, sheets=sheets)


def upgrade_command(path: Path | str, kind: str) -> str:
    """The command that upgrades this workbook: ``sheetkit upgrade BOOK`` or ``sheetkit gsheets upgrade KEY``."""
    text = str(path)
    if kind == "gsheets" or text.startswith("gsheets:"):
        return f"sheetkit gsheets upgrade {shlex.quote(text.removeprefix('gsheets:'))}"
    return f"sheetkit upgrade {shlex.quote(Path(text).name)}"


def prepared_area_issues(
    issues: IssueFactory,
    prepared: Mapping[str, int],
    frames: Mapping[str, pd.DataFrame],
    infos: Mapping[str, SheetInfo],
    *,
    command: str,
) -> list[Issue]:
    """One Issue per data sheet whose rows reach past, or fill 80 % of, its prepared area (sheet -> last row)."""
    found: list[Issue] = []
    for key, frame in frames.items():
        last_prepared = prepared.get(key)
        if frame.empty or key not in infos or last_prepared is None or last_prepared < FIRST_DATA_ROW:
            continue
        capacity = last_prepared - FIRST_DATA_ROW + 1
        last = int(frame.index.max())
        info = infos[key]
        if last > last_prepared:
            first = int(frame.index[frame.index > last_prepared].min())
            found.append(
                issues.make(
                    "prepared-area-exceeded",
                    sheet=info.name,
                    sheet_key=key,
                    row=first,
                    value=f"{first}-{last}",
                    first=first,
                    last=last,
                    prepared=last_prepared,
                    command=command,
                )
            )
            continue
        used = last - FIRST_DATA_ROW + 1
        if used >= NEARLY_FULL * capacity:
            found.append(
                issues.make(
                    "prepared-area-nearly-full",
                    sheet=info.name,
                    sheet_key=key,
                    value=used,
                    used=used,
                    prepared=capacity,
                    share=f"{used / capacity:.0%}",
                    command=command,
                )
            )
    return found


def prepared_rows(about: Mapping[str, str], sheets: tuple[str, ...]) -> dict[str, int]:
    """Sheet key -> the last prepared row, from the About sheet.

    ``prepared_rows_<sheet>`` when About records it per sheet (each sheet grows with
    its own data), else ``prepared_rows``, the last row prepared on every sheet. A
    workbook of template version 1 records neither: nothing.
    """
    found: dict[str, int] = {}
    for key in sheets:
        value = _whole(about.get(f"prepared_rows_{key}")) or _whole(about.get("prepared_rows"))
        if value is not None:
            found[key] = value
    return found


def _whole(raw: str | None) -> int | None:
    if raw is None:
        return None
    try:
        value = float(raw)
    except ValueError:
        return None
    return int(value) if value.is_integer() and value > 0 else None


def split_month_days(frame: pd.DataFrame, sheet: Sheet) -> pd.DataFrame:
    """``frame`` with each month-day date column split: full dates stay (datetime64), "MM-DD" go to their own column.

    The companion column (``birth_month_day``) holds "MM-DD" for every known birthday,
    from a full date or typed without the year; it follows its date column.
    """
    for col in sheet.data_columns:
        if not col.month_day or col.key not in frame:
            continue
        values = frame[col.key]
        text = values.map(lambda v: isinstance(v, str))
        dates = pd.to_datetime(values.where(~text), errors="coerce")
        month_day = values.where(text).astype(object)
        month_day = month_day.where(text, dates.dt.strftime("%m-%d").astype(object))
        month_day = month_day.where(month_day.notna(), None)
        frame[col.key] = dates.astype("datetime64[ns]")
        position = frame.columns.get_loc(col.key)
        assert isinstance(position, int)  # noqa: S101 - frame columns are unique
        name = month_day_column(col.key)
        if name in frame:  # a staff column of that name: theirs stays an extra column under another name
            frame = frame.rename(columns={name: f"{name} (sheet)"})
        frame.insert(position + 1, name, month_day)
    return frame
