"""Write the canonical workbook as .xlsx with xlsxwriter.

Every sheet, validation, conditional format, defined name and protection comes
from the template through :mod:`sheetkit.build.layout` and
:mod:`sheetkit.build.formulas`. Client text is written with ``write_string``
(never parsed as a formula) in text-formatted, quote-prefixed columns, and the
file is written to a temporary name and renamed into place, so a failed run
never leaves half a workbook behind.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Final

import pandas as pd
import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from sheetkit import __version__
from sheetkit.build.defaults import default_lists, default_settings
from sheetkit.build.formulas import STYLES, StaffFormulas
from sheetkit.build.layout import FIRST_DATA_ROW, SheetLayout, WorkbookLayout, column_letter, plan_layout
from sheetkit.errors import UsageError, WorkbookWriteError
from sheetkit.frames import DATA_SHEETS, WorkbookData, empty_frames
from sheetkit.template import (
    MULTICHOICE_SEPARATOR,
    TEXT_TYPES,
    Column,
    Labels,
    Sheet,
    Template,
    load_template,
)

__all__ = ["write_excel"]

MAX_CELL_TEXT: Final = 32767
MAX_VALIDATION_TITLE: Final = 32
NUMBER_FORMATS: Final = {"int": "0", "rating": "0", "decimal": "0.00", "money": "#,##0.00"}
HEADER_COLOURS: Final = {
    None: "#DCE6F1",
    "personal": "#E4DFEC",
    "health": "#F2C4C4",
    "formula": "#D9D9D9",
}


def write_excel(
    path: Path | str,
    data: WorkbookData | None = None,
    *,
    locale: str = "en",
    template: Template | None = None,
    generated_at: dt.datetime | None = None,
    overwrite: bool = False,
) -> Path:
    """Write the client-allocation workbook to ``path`` (.xlsx).

    With ``data=None`` the workbook is empty but for the default lists and
    settings. The file appears atomically: it is written beside ``path`` under a
    temporary name and renamed when complete. An existing file is replaced only
    with ``overwrite=True``.
    """
    template = template or load_template()
    labels = template.labels(locale)
    out = Path(path)
    if out.suffix.lower() != ".xlsx":
        raise UsageError(f"{out}: the output must end in .xlsx")
    if not out.parent.is_dir():
        raise WorkbookWriteError("the folder does not exist", path=out.parent)
    if out.exists() and not overwrite:
        raise WorkbookWriteError("the file already exists; choose another name or allow overwriting", path=out)
    stamp = generated_at or dt.datetime.now().replace(microsecond=0)
    if data is None:
        frames = empty_frames(template)
        data = WorkbookData(
            **frames, lists=default_lists(template, labels), settings=default_settings(template, labels)
        )
    fd, tmp_name = tempfile.mkstemp(prefix=f".{out.stem}-", suffix=".xlsx.tmp", dir=out.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        _ExcelWriter(template, labels, data, stamp).write(tmp)
        umask = os.umask(0)
        os.umask(umask)
        tmp.chmod(0o666 & ~umask)  # mkstemp creates 0600; give the file the usual permissions
        os.replace(tmp, out)
    except PermissionError as exc:
        raise WorkbookWriteError(
            f"cannot write the file ({exc.strerror}); close it in Excel or pick another name", path=out
        ) from None
    except OSError as exc:
        raise WorkbookWriteError(f"cannot write the file ({exc.strerror or exc})", path=out) from None
    finally:
        tmp.unlink(missing_ok=True)
    return out


class _ExcelWriter:
    def __init__(self, template: Template, labels: Labels, data: WorkbookData, stamp: dt.datetime) -> None:
        self.template = template
        self.labels = labels
        self.data = data
        self.stamp = stamp
        rows = {key: len(data.frame(key)) for key in DATA_SHEETS}
        self.layout: WorkbookLayout = plan_layout(template, labels, rows)
        self.formulas = StaffFormulas(self.layout, labels)

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
        self.fmt_key = wb.add_format({"font_color": "#808080", "locked": True})
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
    def write(self, path: Path) -> None:
        wb = xlsxwriter.Workbook(
            str(path),
            {
                "strings_to_formulas": False,
                "strings_to_numbers": False,
                "strings_to_urls": False,
                "use_future_functions": False,
                "constant_memory": True,
            },
        )
        wb.set_properties({"title": self.labels.about["title"], "created": self.stamp, "comments": self.template.id})
        self._formats(wb)
        # Sheet order: data sheets, then Settings, Lists (hidden), About.
        data_sheets = {s.key: wb.add_worksheet(self.layout.sheet(s.key).name) for s in self.template.sheets}
        settings_ws = wb.add_worksheet(self.layout.settings_name)
        lists_ws = wb.add_worksheet(self.layout.lists_name)
        about_ws = wb.add_worksheet(self.layout.about_name)
        try:
            self._define_names(wb)
            for sheet in self.template.sheets:
                self._write_data_sheet(data_sheets[sheet.key], sheet)
            self._write_settings(settings_ws)
            self._write_lists(lists_ws)
            self._write_about(about_ws)
            lists_ws.hide()
            data_sheets["clients"].activate()
        except BaseException:
            _discard(wb)
            raise
        try:
            wb.close()
        except xlsxwriter.exceptions.XlsxWriterException as exc:
            raise WorkbookWriteError(f"cannot finish the workbook ({exc})", path=path) from None

    def _define_names(self, wb: xlsxwriter.Workbook) -> None:
        for rng in self.layout.lists.values():
            wb.define_name(rng.name, "=" + rng.reference)
        clients = self.layout.sheet("clients")
        wb.define_name("client_ids", "=" + clients.data_range("client_id"))
        settings_sheet = "'" + self.layout.settings_name.replace("'", "''") + "'"
        for key, row in self.layout.settings_rows.items():
            wb.define_name(self.layout.setting_name(key), f"={settings_sheet}!$C${row}")

    # ------------------------------------------------------------- data sheets
    def _write_data_sheet(self, ws: Worksheet, sheet: Sheet) -> None:
        # Our formulas already carry the _xlfn. prefixes they need (formulas.py),
        # so skip xlsxwriter's ~30 regex substitutions per formula: with 10^5
        # visit rows they dominate the run time.
        ws._prepare_formula = _strip_equals
        lay = self.layout.sheet(sheet.key)
        frame = self.data.frame(sheet.key)
        for idx, col in enumerate(sheet.columns):
            options = {"hidden": True} if col.hidden else None
            ws.set_column(idx, idx, col.width, self.column_format(col), options)
            kind = "formula" if col.is_formula else col.sensitivity
            ws.write_string(0, idx, self.labels.header(sheet.key, col.key), self.fmt_header[kind])
        ws.set_row(0, 45)
        ws.freeze_panes(1, 2 if sheet.key == "clients" else 1)
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

    def _write_rows(self, ws: Worksheet, sheet: Sheet, lay: SheetLayout, frame: pd.DataFrame) -> None:
        missing = [c.key for c in sheet.data_columns if c.key not in frame.columns]
        if missing:
            raise UsageError(f"the {sheet.key} frame lacks columns {missing}")
        columns = [(i, c) for i, c in enumerate(sheet.columns)]
        writers = {c.key: self._cell_writer(c) for _, c in columns if not c.is_formula}
        values = {c.key: frame[c.key].tolist() for _, c in columns if not c.is_formula}
        n = len(frame)
        formula_cols = [(i, c) for i, c in columns if c.is_formula]
        for r in range(n):
            row = FIRST_DATA_ROW - 1 + r
            for i, c in columns:
                if c.is_formula:
                    continue
                value = values[c.key][r]
                if _is_missing(value):
                    continue
                writers[c.key](ws, row, i, value, sheet.key)
            for i, c in formula_cols:
                ws.write_formula(row, i, self.formulas.formula(str(c.formula), row + 1), self.column_format(c))
        # Formula columns reach into the spare rows so that new entries compute too.
        for r in range(n, lay.last_row - FIRST_DATA_ROW + 1):
            row = FIRST_DATA_ROW - 1 + r
            for i, c in formula_cols:
                ws.write_formula(row, i, self.formulas.formula(str(c.formula), row + 1), self.column_format(c))

    def _cell_writer(self, col: Column) -> Any:
        fmt = self.column_format(col)
        lab = self.labels

        def text(ws: Worksheet, row: int, idx: int, value: Any, sheet: str) -> None:
            s = value if isinstance(value, str) else str(value)
            if len(s) > MAX_CELL_TEXT:
                raise UsageError(
                    f"{sheet} row {row + 1}, {col.key}: text of {len(s)} characters exceeds the "
                    f"spreadsheet limit of {MAX_CELL_TEXT}"
                )
            ws.write_string(row, idx, s, fmt)

        if col.type in ("date", "datetime"):

            def when(ws: Worksheet, row: int, idx: int, value: Any, sheet: str) -> None:
                if isinstance(value, str):  # a birthday without a year, "MM-DD"
                    text(ws, row, idx, value, sheet)
                    return
                if isinstance(value, pd.Timestamp):
                    value = value.to_pydatetime()
                if isinstance(value, dt.datetime) and col.type == "date" and value.time() == dt.time():
                    value = value.date()
                ws.write_datetime(row, idx, value, fmt)

            return when
        if col.type in NUMBER_FORMATS:

            def number(ws: Worksheet, row: int, idx: int, value: Any, sheet: str) -> None:
                if isinstance(value, str):
                    text(ws, row, idx, value, sheet)
                    return
                ws.write_number(row, idx, float(value), fmt)

            return number
        if col.type == "bool":
            yes, no = lab.choice_label("yes_no", "yes"), lab.choice_label("yes_no", "no")

            def boolean(ws: Worksheet, row: int, idx: int, value: Any, sheet: str) -> None:
                if isinstance(value, str):
                    text(ws, row, idx, value, sheet)
                else:
                    text(ws, row, idx, yes if bool(value) else no, sheet)

            return boolean
        if col.type in ("choice", "multichoice") and col.choices and not self.template.is_reference_list(col.choices):
            labels = dict(lab.choices[col.choices])

            def choice(ws: Worksheet, row: int, idx: int, value: Any, sheet: str) -> None:
                s = str(value)
                if col.type == "multichoice":
                    parts = [p.strip() for p in s.split(MULTICHOICE_SEPARATOR)]
                    text(ws, row, idx, f"{MULTICHOICE_SEPARATOR} ".join(labels.get(p, p) for p in parts if p), sheet)
                else:
                    text(ws, row, idx, labels.get(s, s), sheet)

            return choice
        return text

    # -------------------------------------------------------------- validation
    def _write_validations(self, ws: Worksheet, sheet: Sheet, lay: SheetLayout) -> None:
        first = FIRST_DATA_ROW - 1
        last = lay.last_row - 1
        for idx, col in enumerate(sheet.columns):
            if col.is_formula:
                continue
            rule = self._validation(col, sheet, lay)
            if rule is None:
                continue
            rule.setdefault("ignore_blank", True)
            rule["input_title"] = _clip(self.labels.header(sheet.key, col.key), MAX_VALIDATION_TITLE)
            rule["input_message"] = self.labels.help(sheet.key, col.key)
            rule["error_title"] = _clip(self.labels.messages["error_title"], MAX_VALIDATION_TITLE)
            rule.setdefault("error_type", "stop")
            ws.data_validation(first, idx, last, idx, rule)

    def _validation(self, col: Column, sheet: Sheet, lay: SheetLayout) -> dict[str, Any] | None:
        lab = self.labels
        cell = lay.cell(col.key, FIRST_DATA_ROW, absolute_column=False)
        if col.key == sheet.id_column and col.unique:
            rng = lay.data_range(col.key, sheet=False)
            return {
                "validate": "custom",
                "value": f"=AND(LEN({cell})<={col.max_length or 32},COUNTIF({rng},{cell})=1)",
                "error_message": lab.message("unique"),
            }
        if col.references == "clients.client_id":
            return {
                "validate": "list",
                "source": "=client_ids",
                "error_message": lab.message("client_exists"),
            }
        if col.type in ("choice",) or col.type == "bool":
            list_key = "yes_no" if col.type == "bool" else str(col.choices)
            return {
                "validate": "list",
                "source": "=" + self.layout.choice_range_name(list_key),
                "error_message": lab.message("choice"),
            }
        if col.type == "date" and col.month_day:
            return {
                "validate": "custom",
                "value": (
                    f"=OR(AND(ISNUMBER({cell}),{cell}>=DATE(1900,1,1),{cell}<=TODAY()),"
                    f'AND(ISTEXT({cell}),LEN({cell})=5,MID({cell},3,1)="-",'
                    f"ISNUMBER(VALUE(LEFT({cell},2))),ISNUMBER(VALUE(RIGHT({cell},2)))))"
                ),
                "error_message": lab.message("birth_date", format=lab.date_format),
            }
        if col.type in ("date", "datetime"):
            lo = col.min if isinstance(col.min, dt.date) else dt.date(1900, 1, 1)
            if col.max == "today":
                hi: Any = "=TODAY()"
                message = lab.message("date_not_future", format=lab.date_format)
            else:
                hi = col.max if isinstance(col.max, dt.date) else dt.date(2100, 12, 31)
                fmt = lab.datetime_format if col.type == "datetime" else lab.date_format
                message = lab.message("date", min=_show_date(lo), max=_show_date(hi), format=fmt)
            if col.type == "datetime" and hi == "=TODAY()":
                hi = "=TODAY()+1"
            return {
                "validate": "date",
                "criteria": "between",
                "minimum": lo,
                "maximum": hi,
                "error_message": message,
            }
        if col.type in ("int", "rating"):
            lo_n, hi_n = _num(col.min, 0), _num(col.max, 10**9)
            key = "rating" if col.type == "rating" else "int"
            return {
                "validate": "integer",
                "criteria": "between",
                "minimum": int(lo_n),
                "maximum": int(hi_n),
                "error_message": lab.message(key, min=_show_number(lo_n), max=_show_number(hi_n)),
            }
        if col.type in ("decimal", "money"):
            lo_n, hi_n = _num(col.min, 0), _num(col.max, 10**12)
            if col.type == "money":  # bounds are in the template's reference currency
                lo_n, hi_n = lo_n * lab.price_scale, hi_n * lab.price_scale
            return {
                "validate": "decimal",
                "criteria": "between",
                "minimum": _plain(lo_n),
                "maximum": _plain(hi_n),
                "error_message": lab.message("decimal", min=_show_number(lo_n), max=_show_number(hi_n)),
            }
        if col.type == "email":
            return {
                "validate": "custom",
                "value": f'=AND(ISNUMBER(FIND("@",{cell})),LEN({cell})<={col.max_length or 254})',
                "error_message": lab.message("email"),
            }
        if col.type == "phone":
            return {
                "validate": "length",
                "criteria": "between",
                "minimum": 5,
                "maximum": 32,
                "error_message": lab.message("phone"),
            }
        if col.type in TEXT_TYPES:
            limit = col.max_length or MAX_CELL_TEXT
            return {
                "validate": "length",
                "criteria": "<=",
                "value": limit,
                "error_message": lab.message("id" if col.type == "id" else "length", max=limit),
            }
        return None

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
        ws.set_column(2, 2, 14, self.fmt_type["text"])
        ws.set_column(3, 3, 70, self.fmt_locked_text)
        for i, key in enumerate(("key", "label", "value", "help")):
            ws.write_string(0, i, head[key], self.fmt_header[None])
        ws.freeze_panes(1, 0)
        values = {**default_settings(self.template, lab), **self.data.settings}
        for s in self.template.settings:
            row = self.layout.settings_rows[s.key] - 1
            ws.write_string(row, 0, s.key, self.fmt_key)
            ws.write_string(row, 1, lab.settings[s.key]["label"], self.fmt_locked_text)
            value = values[s.key]
            if s.type in ("int", "decimal"):
                ws.write_number(row, 2, float(value), self.fmt_type["decimal" if s.type == "decimal" else "int"])
                rule: dict[str, Any] = {
                    "validate": "integer" if s.type == "int" else "decimal",
                    "criteria": "between",
                    "minimum": _plain(s.min if s.min is not None else 0),
                    "maximum": _plain(s.max if s.max is not None else 10**9),
                    "error_message": lab.message(
                        "int" if s.type == "int" else "decimal",
                        min=_show_number(s.min or 0),
                        max=_show_number(s.max or 10**9),
                    ),
                }
            elif s.type == "choice":
                ws.write_string(row, 2, lab.choice_label(str(s.choices), str(value)), self.fmt_type["text"])
                rule = {
                    "validate": "list",
                    "source": "=" + self.layout.choice_range_name(str(s.choices)),
                    "error_message": lab.message("choice"),
                }
            else:
                ws.write_string(row, 2, str(value), self.fmt_type["text"])
                rule = {
                    "validate": "length",
                    "criteria": "<=",
                    "value": s.max_length or 255,
                    "error_message": lab.message("length", max=s.max_length or 255),
                }
            rule["input_title"] = _clip(lab.settings[s.key]["label"], MAX_VALIDATION_TITLE)
            rule["input_message"] = lab.settings[s.key]["help"]
            rule["error_title"] = _clip(lab.messages["error_title"], MAX_VALIDATION_TITLE)
            ws.data_validation(row, 2, row, 2, rule)
            ws.write_string(row, 3, lab.settings[s.key]["help"], self.fmt_locked_text)
        ws.protect("", {"select_locked_cells": True, "select_unlocked_cells": True, "format_columns": True})

    def _write_lists(self, ws: Worksheet) -> None:
        lab = self.labels
        # constant_memory writes row by row: gather every column first.
        columns: dict[int, list[Any]] = {}
        header_fmt = self.fmt_header[None]
        for rng in self.layout.lists.values():
            if rng.name.startswith("ref_"):
                ref = self.template.reference_lists[rng.list_key]
                frame = self.data.lists.get(rng.list_key)
                if frame is None:
                    frame = default_lists(self.template, lab)[rng.list_key]
                header = lab.reference_header(ref.key, rng.column_key)
                cells = list(frame[rng.column_key]) if rng.column_key in frame.columns else []
                limit = rng.last_row - rng.first_row + 1
                if len(cells) > limit:
                    raise UsageError(f"the {ref.key} list has {len(cells)} rows; the workbook holds {limit}")
                ws.set_column(rng.column, rng.column, 22, self.fmt_type["text"])
            else:
                header = rng.list_key
                cells = lab.choice_labels(rng.list_key)
                ws.set_column(rng.column, rng.column, 18, self.fmt_type["text"])
            columns[rng.column] = [header, *cells]
        height = max(len(v) for v in columns.values())
        for r in range(height):
            for c, cells in columns.items():
                if r >= len(cells) or _is_missing(cells[r]):
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
        ws.set_column(0, 0, 20, self.fmt_key)
        ws.set_column(1, 1, 24, self.fmt_locked_text)
        ws.set_column(2, 2, 60, self.fmt_locked_text)
        ws.write_string(0, 0, lab.about["title"], self.fmt_title)
        entries = (
            ("template_id", self.template.id),
            ("template_version", str(self.template.version)),
            ("locale", lab.locale),
            ("generated_at", self.stamp.isoformat(sep=" ")),
            ("generator", f"sheetkit {__version__}"),
        )
        for i, (key, value) in enumerate(entries, start=2):
            ws.write_string(i, 0, key, self.fmt_key)
            ws.write_string(i, 1, lab.about[key], self.fmt_locked_text)
            ws.write_string(i, 2, value, self.fmt_locked_text)
        ws.set_row(len(entries) + 3, 45)
        ws.write_string(len(entries) + 3, 1, lab.about["notice"], self.fmt_note)
        ws.protect("", {"select_locked_cells": True, "select_unlocked_cells": True})


# ----------------------------------------------------------------- helpers


def _discard(wb: xlsxwriter.Workbook) -> None:
    """Close and delete the row files constant_memory mode keeps per sheet."""
    for ws in wb.worksheets():
        fh = getattr(ws, "row_data_fh", None)
        if fh is not None and not fh.closed:
            fh.close()
        name = getattr(ws, "row_data_filename", None)
        if name:
            Path(name).unlink(missing_ok=True)


def _strip_equals(formula: str, expand_future_functions: bool = False) -> str:
    del expand_future_functions
    return formula[1:] if formula.startswith("=") else formula


def _is_missing(value: Any) -> bool:
    if value is None or value is pd.NaT or value is pd.NA:
        return True
    return bool(isinstance(value, float) and math.isnan(value))


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _plain(value: float) -> float | int:
    """1.0 -> 1, so a validation bound reads the same after LibreOffice rewrites it."""
    return int(value) if float(value).is_integer() else value


def _num(bound: Any, default: float) -> float:
    return float(bound) if isinstance(bound, (int, float)) else default


def _show_number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _show_date(value: Any) -> str:
    return value.isoformat() if isinstance(value, dt.date) else str(value)


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
