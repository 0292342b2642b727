"""Write the canonical workbook as .xlsx with xlsxwriter.

Every sheet, validation, conditional format, defined name and protection comes
from the template through :mod:`sheetkit.template.geometry` and
:mod:`sheetkit.template.formulas`. Client text is written with ``write_string``
(never parsed as a formula) in text-formatted, quote-prefixed columns, and the
file is written to a temporary name and renamed into place, so a failed run
never leaves half a workbook behind.

Validation, conditional formats and staff-view formulas reach the prepared rows
(10 x the data + 10,000 per sheet, :meth:`~sheetkit.template.Template.prepared_capacity`);
the About sheet records them. Every data sheet prints landscape, one page wide, with
its header repeated, over the front-desk columns; the colour legend is its own sheet
(:mod:`sheetkit.excel.legend`). Frames may lack template columns: those cells stay blank.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Final

import pandas as pd
import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from sheetkit.errors import UsageError
from sheetkit.excel.crypto import check_password, encrypt_workbook
from sheetkit.excel.identify import is_sheetkit_workbook
from sheetkit.excel.legend import write_legend
from sheetkit.excel.shared_formulas import SharedFormulaSheet
from sheetkit.files import check_target, scratch_beside, write_atomically
from sheetkit.frames import WorkbookData, empty_frames
from sheetkit.template import Column, Labels, Sheet, Template, load_template
from sheetkit.template.defaults import default_lists, default_settings
from sheetkit.template.formulas import STYLES, StaffFormulas
from sheetkit.template.geometry import (
    FIRST_DATA_ROW,
    SETTINGS_VALUE_COLUMN,
    SheetLayout,
    WorkbookLayout,
    column_letter,
    plan_layout,
)
from sheetkit.template.legend import print_area
from sheetkit.template.rules import column_help, column_rule, date_order, setting_rule
from sheetkit.template.styles import (
    HEADER_COLOURS,
    NUMBER_FORMATS,
    display_width,
    header_width,
    line_height,
    wrapped_lines,
)
from sheetkit.template.values import (
    about_entries,
    cell_kind,
    is_missing,
    list_columns,
    month_day_text,
    setting_rows,
    value_converter,
)

__all__ = ["backup_name", "new_workbook", "write_excel"]

MAX_VALIDATION_TITLE: Final = 32
#: Paper size of the print setup (xlsxwriter's code for A4).
_PAPER_A4: Final = 9


def write_excel(
    path: Path | str,
    data: WorkbookData | None = None,
    *,
    locale: str = "en",
    template: Template | None = None,
    generated_at: dt.datetime | None = None,
    overwrite: bool = False,
    password: str | None = None,
) -> Path:
    """Write the client-allocation workbook to ``path`` (.xlsx).

    With ``data=None`` the workbook is empty but for the default lists and
    settings. Replacing a sheetkit workbook (``overwrite=True``) first keeps a copy of it
    beside it as ``NAME.backup-N.xlsx``: it may be a staff workbook. The file appears
    atomically: it is written beside ``path`` under a
    temporary name and renamed when complete. An existing file is replaced only
    with ``overwrite=True``. With a ``password`` the file is Office-encrypted (AES-256,
    :mod:`sheetkit.excel.crypto`): built in memory and encrypted before it is written.
    """
    if password is not None:
        check_password(password)
    template = template or load_template()
    labels = template.labels(locale)
    out = Path(path)
    if out.suffix.lower() != ".xlsx":
        raise UsageError(f"{out}: the output must end in .xlsx")
    check_target(out, overwrite=overwrite)  # before any work
    stamp = generated_at or dt.datetime.now().replace(microsecond=0)
    if data is None:
        frames = empty_frames(template)
        data = WorkbookData(
            **frames, lists=default_lists(template, labels), settings=default_settings(template, labels)
        )
    backup = backup_name(out) if overwrite and is_sheetkit_workbook(out) else None  # a staff workbook, maybe
    with write_atomically(out, overwrite=overwrite, backup=backup) as (tmp,), scratch_beside(out) as scratch:
        writer = _ExcelWriter(template, labels, data, stamp)
        if password is None:
            writer.write(tmp, scratch=scratch)
        else:  # built in memory and encrypted there: the plain workbook never touches the disk
            package = io.BytesIO()
            writer.write(package, scratch=scratch)
            tmp.write_bytes(encrypt_workbook(package.getvalue(), password))
    return out


def backup_name(path: Path) -> Path:
    """A free name beside ``path`` for the copy kept before it is replaced: ``salon.backup-1.xlsx``, ``-2``..."""
    number = 1
    while (candidate := path.with_name(f"{path.stem}.backup-{number}{path.suffix}")).exists():
        number += 1
    return candidate


class _ExcelWriter:
    def __init__(self, template: Template, labels: Labels, data: WorkbookData, stamp: dt.datetime) -> None:
        self.template = template
        self.labels = labels
        self.data = data
        self.stamp = stamp
        self.frames = {sheet.key: _frame_of(data, sheet) for sheet in template.sheets}
        rows = {key: len(frame) for key, frame in self.frames.items()}
        self.layout: WorkbookLayout = plan_layout(template, labels, rows)
        self.formulas = StaffFormulas(self.layout, labels)
        self.date_order = date_order(labels, data.settings)

    # ------------------------------------------------------------------ formats
    def _formats(self, wb: xlsxwriter.Workbook) -> None:
        lab = self.labels
        self.fmt_header: dict[str | None, Format] = {
            key: wb.add_format(
                {"bold": True, "bg_color": colour, "border": 1, "text_wrap": True, "valign": "top", "locked": True}
            )
            for key, colour in HEADER_COLOURS.items()
        }
        base = {"locked": False}
        text = {**base, "num_format": "@", "quote_prefix": True}
        self.fmt_type: dict[str, Format] = {
            "text": wb.add_format(text),
            "date": wb.add_format({**base, "num_format": lab.date_format}),
            "datetime": wb.add_format({**base, "num_format": lab.datetime_format}),
            **{t: wb.add_format({**base, "num_format": f}) for t, f in NUMBER_FORMATS.items()},
        }
        locked = {"locked": True, "bg_color": "#F2F2F2"}
        self.fmt_formula: dict[str, Format] = {
            "date": wb.add_format({**locked, "num_format": lab.date_format}),
            "int": wb.add_format({**locked, "num_format": "0"}),
            "decimal": wb.add_format({**locked, "num_format": "0.0"}),
            "choice": wb.add_format({**locked, "bold": True}),
        }
        self.fmt_style: dict[str, Format] = {name: wb.add_format(dict(spec)) for name, spec in STYLES.items()}
        self.fmt_title = wb.add_format({"bold": True, "font_size": 14})
        self.fmt_note = wb.add_format({"italic": True, "font_color": "#7A0000", "text_wrap": True})
        self.fmt_key = wb.add_format({"font_color": "#808080", "locked": True, "valign": "top"})
        # Settings values sit at the top of their row, beside the wrapped label and help.
        self.fmt_setting: dict[str, Format] = {
            "text": wb.add_format({**text, "valign": "top"}),
            "date": wb.add_format({**base, "num_format": lab.date_format, "valign": "top"}),
            **{t: wb.add_format({**base, "num_format": f, "valign": "top"}) for t, f in NUMBER_FORMATS.items()},
        }
        self.fmt_locked_text = wb.add_format({"locked": True, "text_wrap": True, "valign": "top"})

    def column_format(self, col: Column) -> Format:
        if col.is_formula:
            kind = "date" if col.type == "date" else "choice" if col.type == "choice" else col.type
            return self.fmt_formula.get(kind, self.fmt_formula["int"])
        if col.type in ("date", "datetime"):
            return self.fmt_type[col.type]
        if col.type in NUMBER_FORMATS:
            return self.fmt_type[col.type]
        return self.fmt_type["text"]

    # ---------------------------------------------------------------- workbook
    def write(self, path: Path | io.BytesIO, *, scratch: Path) -> None:
        """Write the workbook to ``path`` (a buffer: all in memory); xlsxwriter's row files go to ``scratch``."""
        wb = xlsxwriter.Workbook(
            str(path) if isinstance(path, Path) else path,
            {
                "in_memory": not isinstance(path, Path),
                "tmpdir": str(scratch),
                "strings_to_formulas": False,
                "strings_to_numbers": False,
                "strings_to_urls": False,
                "use_future_functions": False,
                "constant_memory": True,
            },
        )
        wb.set_properties({"title": self.labels.about["title"], "created": self.stamp, "comments": self.template.id})
        self._formats(wb)
        # Sheet order: data sheets, then Settings, Legend, Lists (hidden), About.
        data_sheets = {
            s.key: wb.add_worksheet(self.layout.sheet(s.key).name, worksheet_class=SharedFormulaSheet)
            for s in self.template.sheets
        }
        settings_ws = wb.add_worksheet(self.layout.settings_name)
        legend_ws = wb.add_worksheet(self.layout.legend_name) if self.layout.legend_name else None
        lists_ws = wb.add_worksheet(self.layout.lists_name)
        about_ws = wb.add_worksheet(self.layout.about_name)
        try:
            self._define_names(wb)
            for sheet in self.template.sheets:
                self._write_data_sheet(data_sheets[sheet.key], sheet)
            self._write_settings(settings_ws)
            if legend_ws is not None:
                write_legend(wb, legend_ws, self.labels)
            self._write_lists(lists_ws)
            self._write_about(about_ws)
            lists_ws.hide()
            data_sheets["clients"].activate()
        except BaseException:
            _discard(wb)
            raise
        try:
            wb.close()
        except BaseException:
            _discard(wb)
            raise

    def _define_names(self, wb: xlsxwriter.Workbook) -> None:
        for name in self.layout.defined_names():
            wb.define_name(name.name, "=" + name.reference)

    # ------------------------------------------------------------- data sheets
    def _write_data_sheet(self, ws: SharedFormulaSheet, sheet: Sheet) -> None:
        lay = self.layout.sheet(sheet.key)
        frame = self.frames[sheet.key]
        lines = 1
        for idx, col in enumerate(sheet.columns):
            options = {"hidden": True} if col.hidden else None
            header = self.labels.header(sheet.key, col.key)
            width = header_width(col.width, header)  # no header breaks inside a word
            ws.set_column(idx, idx, width, self.column_format(col), options)
            if not col.hidden:
                lines = max(lines, wrapped_lines(header, width, factor=1.15))
        ws.set_row(0, max(line_height(lines), 33))
        for idx, col in enumerate(sheet.columns):
            kind = "formula" if col.is_formula else col.sensitivity
            ws.write_string(0, idx, self.labels.header(sheet.key, col.key), self.fmt_header[kind])
        ws.freeze_panes(1, lay.frozen_columns)
        # Print: landscape, one page wide, header repeated, the front-desk columns of the data rows.
        _print_setup(ws)
        ws.repeat_rows(0)
        ws.print_area(print_area(sheet, len(frame)))
        ws.autofilter(0, 0, lay.last_row - 1, len(sheet.columns) - 1)
        self._write_rows(ws, sheet, lay, frame)
        self._write_validations(ws, sheet, lay)
        self._write_conditional_formats(ws, sheet, lay)
        ws.protect(
            "",
            {
                "autofilter": True,
                "sort": True,
                "format_columns": True,
                "format_rows": True,
                "select_locked_cells": True,
                "select_unlocked_cells": True,
            },
        )

    def _write_rows(self, ws: SharedFormulaSheet, sheet: Sheet, lay: SheetLayout, frame: pd.DataFrame) -> None:
        # Columns the frame lacks stay blank: `check` reports missing required values later.
        columns = [(i, c) for i, c in enumerate(sheet.columns) if not c.is_formula and c.key in frame.columns]
        writers = {c.key: self._cell_writer(c) for _, c in columns}
        values = {c.key: self._column_values(frame, c) for _, c in columns}
        n = len(frame)
        # One shared formula per formula column, over every prepared row (sheetkit.excel.shared_formulas).
        first, last = FIRST_DATA_ROW - 1, lay.last_row - 1
        for i, c in enumerate(sheet.columns):
            if c.is_formula:
                text = self.formulas.formula(str(c.formula), FIRST_DATA_ROW, sheet.key).removeprefix("=")
                ws.share_formula(i, first, last, text, self.column_format(c))
        for row in range(first, last + 1):
            r = row - first
            if r < n:
                for i, c in columns:
                    value = values[c.key][r]
                    if not is_missing(value):
                        writers[c.key](ws, row, i, value, sheet.key)
            ws.write_shared_row(row)

    def _column_values(self, frame: pd.DataFrame, col: Column) -> list[Any]:
        """A column's frame values; a birthday without the year ("MM-DD") in the workbook's date order."""
        values = frame[col.key].tolist()
        if not col.month_day:
            return values
        companion = _month_day_companion(frame, col.key)
        out: list[Any] = []
        for r, given in enumerate(values):
            value = companion[r] if is_missing(given) and companion is not None else given
            out.append(month_day_text(value, self.date_order) if isinstance(value, str) else value)
        return out

    def _cell_writer(self, col: Column) -> Any:
        fmt = self.column_format(col)
        convert = value_converter(self.template, self.labels, col)
        if cell_kind(col) == "text":

            def text(ws: Worksheet, row: int, idx: int, value: Any, sheet: str) -> None:
                ws.write_string(row, idx, convert(value, sheet, row + 1), fmt)

            return text

        def typed(ws: Worksheet, row: int, idx: int, value: Any, sheet: str) -> None:
            cell = convert(value, sheet, row + 1)
            if isinstance(cell, str):
                ws.write_string(row, idx, cell, fmt)
            elif isinstance(cell, dt.date):
                ws.write_datetime(row, idx, cell, fmt)
            else:
                ws.write_number(row, idx, cell, fmt)

        return typed

    # -------------------------------------------------------------- validation
    def _write_validations(self, ws: Worksheet, sheet: Sheet, lay: SheetLayout) -> None:
        first = FIRST_DATA_ROW - 1
        last = lay.last_row - 1
        for idx, col in enumerate(sheet.columns):
            if col.is_formula:
                continue
            rule = column_rule(
                self.labels, self.layout, sheet, col, settings=self.data.settings, template=self.template
            )
            if rule is None:
                continue
            rule.setdefault("ignore_blank", True)
            rule["input_title"] = _clip(self.labels.header(sheet.key, col.key), MAX_VALIDATION_TITLE)
            rule["input_message"] = column_help(self.labels, sheet.key, col.key, self.data.settings)
            rule["error_title"] = _clip(self.labels.messages["error_title"], MAX_VALIDATION_TITLE)
            rule.setdefault("error_type", "stop")
            ws.data_validation(first, idx, last, idx, _date_bounds(rule))

    def _write_conditional_formats(self, ws: Worksheet, sheet: Sheet, lay: SheetLayout) -> None:
        for rule in self.formulas.conditional_rules():
            if rule.sheet != sheet.key:
                continue
            ranges = _column_ranges(lay, rule.columns)
            first_range, *rest = ranges
            options: dict[str, Any] = {
                "type": "formula",
                "criteria": "=" + rule.formula,
                "format": self.fmt_style[rule.style],
            }
            if rest:
                options["multi_range"] = " ".join(ranges)
            ws.conditional_format(first_range, options)

    # ---------------------------------------------------- settings, lists, about
    def _write_settings(self, ws: Worksheet) -> None:
        lab = self.labels
        head = lab.settings["header"]
        ws.set_column(0, 0, 22, self.fmt_key)
        ws.set_column(1, 1, 28, self.fmt_locked_text)
        ws.set_column(2, 2, 14, self.fmt_setting["text"])
        ws.set_column(3, 3, 70, self.fmt_locked_text)
        _print_setup(ws)
        ws.set_row(0, line_height(max(wrapped_lines(head[k], w) for k, w in (("label", 28), ("help", 70)))))
        for i, key in enumerate(("key", "label", "value", "help")):
            ws.write_string(0, i, head[key], self.fmt_header[None])
        ws.freeze_panes(1, 0)
        value_col = SETTINGS_VALUE_COLUMN
        for entry in setting_rows(self.template, lab, self.layout, self.data.settings):
            s, row = entry.setting, entry.row - 1
            # Label and help wrap within their columns: the row is as tall as the longer one.
            ws.set_row(row, line_height(max(wrapped_lines(entry.label, 28), wrapped_lines(entry.help, 70))))
            ws.write_string(row, 0, s.key, self.fmt_key)
            ws.write_string(row, 1, entry.label, self.fmt_locked_text)
            if isinstance(entry.value, float):
                fmt = self.fmt_setting["decimal" if s.type == "decimal" else "int"]
                ws.write_number(row, value_col, entry.value, fmt)
            elif isinstance(entry.value, dt.date):
                ws.write_datetime(row, value_col, entry.value, self.fmt_setting["date"])
            else:
                ws.write_string(row, value_col, entry.value, self.fmt_setting["text"])
            rule = setting_rule(lab, self.layout, s)
            rule["input_title"] = _clip(entry.label, MAX_VALIDATION_TITLE)
            rule["input_message"] = entry.help
            rule["error_title"] = _clip(lab.messages["error_title"], MAX_VALIDATION_TITLE)
            ws.data_validation(row, value_col, row, value_col, _date_bounds(rule))
            ws.write_string(row, 3, entry.help, self.fmt_locked_text)
        ws.protect("", {"select_locked_cells": True, "select_unlocked_cells": True, "format_columns": True})

    def _write_lists(self, ws: Worksheet) -> None:
        # constant_memory writes row by row: gather every column first.
        columns = list_columns(self.template, self.labels, self.layout, self.data.lists)
        header_fmt = self.fmt_header[None]
        for rng in self.layout.lists.values():
            width = 22 if rng.name.startswith("ref_") else 18
            ws.set_column(rng.column, rng.column, width, self.fmt_type["text"])
        height = max(len(v) for v in columns.values())
        for r in range(height):
            for c, cells in columns.items():
                if r >= len(cells) or cells[r] is None:
                    continue
                value = cells[r]
                if r == 0:
                    ws.write_string(0, c, str(value), header_fmt)
                elif isinstance(value, (int, float)) and not isinstance(value, bool):
                    ws.write_number(r, c, float(value), self.fmt_type["int"])
                else:
                    ws.write_string(r, c, str(value), self.fmt_type["text"])
        ws.freeze_panes(1, 0)

    def _write_about(self, ws: Worksheet) -> None:
        lab = self.labels
        entries = about_entries(
            self.template,
            lab,
            self.stamp,
            prepared_rows=self.layout.prepared_rows,
            prepared_by_sheet=self.layout.prepared_by_sheet,
        )
        # Keys and labels on one line each (as wide as the longest), values wrapped.
        key_width = max(20.0, *(display_width(key) + 2 for key, _, _ in entries))
        label_width = min(40.0, max(24.0, *(display_width(label) + 2 for _, label, _ in entries)))
        ws.set_column(0, 0, key_width, self.fmt_key)
        ws.set_column(1, 1, label_width, self.fmt_locked_text)
        ws.set_column(2, 2, 60, self.fmt_locked_text)
        _print_setup(ws)
        ws.write_string(0, 0, lab.about["title"], self.fmt_title)
        for i, (key, label, value) in enumerate(entries, start=2):
            ws.write_string(i, 0, key, self.fmt_key)
            ws.write_string(i, 1, label, self.fmt_locked_text)
            ws.write_string(i, 2, value, self.fmt_locked_text)
        # The privacy notice spans the label and value columns, wrapped, on a row tall enough for it.
        row = len(entries) + 3
        ws.set_row(row, line_height(wrapped_lines(lab.about["notice"], label_width + 60)))
        ws.merge_range(row, 1, row, 2, lab.about["notice"], self.fmt_note)
        ws.protect("", {"select_locked_cells": True, "select_unlocked_cells": True})


# ----------------------------------------------------------------- helpers


def _print_setup(ws: Worksheet) -> None:
    """A4 landscape, one page wide, as many pages down as needed."""
    ws.set_landscape()
    ws.set_paper(_PAPER_A4)
    ws.fit_to_pages(1, 0)


def _date_bounds(rule: dict[str, Any]) -> dict[str, Any]:
    """A date bound as ``=DATE(y,m,d)`` beside a formula bound (xlsxwriter converts dates only when both are)."""
    if rule.get("validate") != "date" or not any(isinstance(rule.get(k), str) for k in ("minimum", "maximum")):
        return rule
    for key in ("minimum", "maximum"):
        value = rule.get(key)
        if isinstance(value, dt.date):
            rule[key] = f"=DATE({value.year},{value.month},{value.day})"
    return rule


def _frame_of(data: WorkbookData, sheet: Sheet) -> pd.DataFrame:
    """The frame of a data sheet; a missing one (data of an older template) is empty.

    Refuses what cannot be a sheet: not a DataFrame, or rows without any column of the sheet.
    """
    frame = getattr(data, sheet.key, None)
    if frame is None:
        return pd.DataFrame()
    if not isinstance(frame, pd.DataFrame):
        raise UsageError(f"the {sheet.key} data is a {type(frame).__name__}, not a table (pandas DataFrame)")
    if len(frame) and not set(sheet.keys) & set(map(str, frame.columns)):
        raise UsageError(
            f"the {sheet.key} table has none of the sheet's columns ({', '.join(c.key for c in sheet.data_columns)})"
        )
    return frame


def _month_day_companion(frame: pd.DataFrame, key: str) -> list[Any] | None:
    """The frame-only "MM-DD" column beside a month-day date column (``birth_month_day``), if the frame has it."""
    name = key.removesuffix("_date") + "_month_day"
    return frame[name].tolist() if name in frame.columns else None


def _discard(wb: xlsxwriter.Workbook) -> None:
    """Close and delete the row files constant_memory mode keeps per sheet."""
    for ws in wb.worksheets():
        fh = getattr(ws, "row_data_fh", None)
        if fh is not None and not fh.closed:
            fh.close()
        name = getattr(ws, "row_data_filename", None)
        if name:
            Path(name).unlink(missing_ok=True)


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _column_ranges(lay: SheetLayout, columns: Iterable[str]) -> list[str]:
    """A1 ranges of the data area of some columns, adjacent columns merged."""
    indexes = sorted(lay.index(c) for c in columns)
    ranges: list[str] = []
    start = prev = indexes[0]
    for i in [*indexes[1:], None]:
        if i is not None and i == prev + 1:
            prev = i
            continue
        ranges.append(f"{_letter(start)}{FIRST_DATA_ROW}:{_letter(prev)}{lay.last_row}")
        if i is not None:
            start = prev = i
    return ranges


def _letter(index: int) -> str:
    return column_letter(index)


def new_workbook(
    path: Path | str,
    *,
    locale: str = "en",
    overwrite: bool = False,
    template: Template | None = None,
    password: str | None = None,
) -> Path:
    """Create an empty client-allocation workbook (default lists and settings only).

    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> new_workbook(folder / "clients.xlsx", locale="zh-CN").name
    'clients.xlsx'
    """
    return write_excel(path, None, locale=locale, overwrite=overwrite, template=template, password=password)
