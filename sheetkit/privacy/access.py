"""The client's access export: everything the workbook holds on one client, as JSON and as an HTML page.

:func:`client_record` collects, for one client ID, the Clients row (health data
included: the export is for the client), and every row of every other sheet whose
client-ID column holds that ID (visits, appointments, feedback, patch tests,
consents, follow-ups), with the columns staff added. :func:`write_client_export`
writes it to a folder as ``client.json`` (canonical keys, ISO dates: machine-readable,
for portability) and ``client.html`` (the workbook's language: sheet names, headers
and choice labels from the template's locale file, page texts from its ``access:``
section). Every value is escaped in the HTML; nothing is loaded from elsewhere.

Rows of other clients that name this one (``referred_by``) are theirs, not this
client's, and are not exported.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import logging
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

import pandas as pd
import yaml

from sheetkit._version import __version__
from sheetkit.errors import TemplateError, UsageError
from sheetkit.excel.reader import read_workbook
from sheetkit.files import replace_folder
from sheetkit.frames import MONTH_DAY_COLUMNS, WorkbookData
from sheetkit.issues import ValidationResult
from sheetkit.privacy.columns import is_client_id
from sheetkit.privacy.extract import read_source_data, sheet_frames
from sheetkit.read.workbook import Workbook
from sheetkit.template import MULTICHOICE_SEPARATOR, Column, Labels, Sheet, Template, load_template

__all__ = ["ACCESS_FILES", "access_labels", "client_record", "render_client_html", "write_client_export"]

log = logging.getLogger(__name__)

#: The files an access export folder holds.
ACCESS_FILES: Final = ("client.json", "client.html")
#: Labels every locale file's ``access:`` section must give.
ACCESS_KEYS: Final = (
    "title",
    "intro",
    "generated",
    "health_note",
    "machine_readable",
    "nothing",
    "rows",
    "field",
    "value",
    "staff_columns",
    "answer_yes",
    "answer_no",
    "erased_client",
)


def client_record(data: WorkbookData, client_id: str, *, template: Template | None = None) -> dict[str, Any]:
    """Every row held on ``client_id``, per sheet, as JSON-ready dicts with canonical keys.

    Raises UsageError when no Clients row has this ID.

    >>> import datetime as dt, sheetkit as sk
    >>> data = sk.generate_demo(clients=5, seed=1, as_of=dt.date(2026, 11, 22))
    >>> record = client_record(data, "C0001")
    >>> record["sheets"]["clients"][0]["client_id"], len(record["sheets"]["visits"]) > 0
    ('C0001', True)
    """
    template = template or load_template()
    wanted = str(client_id).strip()
    if not wanted:
        raise UsageError("give a client ID")
    sheets: dict[str, list[dict[str, Any]]] = {}
    for key, frame in sheet_frames(data, template).items():
        sheet = template.sheet(key)
        mask = _rows_of(sheet, frame, wanted)
        sheets[key] = [_json_row(row) for _, row in frame[mask].iterrows()]
    if not sheets.get("clients"):
        raise UsageError(f"no client with ID {wanted!r} on the Clients sheet")
    return {"client_id": wanted, "sheets": sheets}


def _rows_of(sheet: Sheet, frame: pd.DataFrame, wanted: str) -> pd.Series:
    """Rows whose own client ID is ``wanted`` (on Clients: the client ID only, never ``referred_by``)."""
    mask = pd.Series(False, index=frame.index)
    for col in sheet.data_columns:
        if col.key not in frame or not is_client_id(sheet, col):
            continue
        if sheet.key == "clients" and col.key != sheet.id_column:
            continue
        mask |= frame[col.key].astype("string").str.strip().eq(wanted).fillna(False).astype(bool)
    return mask


def _json_row(row: pd.Series) -> dict[str, Any]:
    return {str(k): _json_value(v) for k, v in row.items()}


def _json_value(value: Any) -> Any:
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat() if value == value.normalize() else value.isoformat()
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if hasattr(value, "item"):  # numpy scalars
        return _json_value(value.item())
    return value


def access_labels(template: Template, locale: str) -> dict[str, str]:
    """The ``access:`` section of a locale file (the page texts of the access export)."""
    file = template.path / "locales" / f"{locale}.yaml"
    try:
        raw = yaml.safe_load(file.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise TemplateError(f"cannot read the access labels ({type(exc).__name__})", file=file) from None
    section = raw.get("access") if isinstance(raw, dict) else None
    if not isinstance(section, dict):
        raise TemplateError("missing section 'access'", file=file)
    missing = [k for k in ACCESS_KEYS if not isinstance(section.get(k), str)]
    if missing:
        raise TemplateError(f"missing label access.{missing[0]}", file=file)
    return {k: str(section[k]) for k in ACCESS_KEYS}


def render_client_html(
    record: Mapping[str, Any], *, template: Template, locale: str, source: str, generated_at: dt.datetime
) -> str:
    """The access export as one self-contained HTML page in ``locale``; every value is escaped."""
    labels = template.labels(locale)
    words = access_labels(template, locale)
    shown = _Shown(template, labels, words)
    esc = html.escape
    client_id = str(record["client_id"])
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{esc(locale)}"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{esc(words['title'].format(client_id=client_id))}</title>",
        f"<style>{_CSS}</style></head><body>",
        f"<h1>{esc(words['title'].format(client_id=client_id))}</h1>",
        f"<p>{esc(words['intro'].format(workbook=source))}</p>",
        f'<p class="note">{esc(words["health_note"])}</p>',
        f"<p>{esc(words['machine_readable'].format(file=ACCESS_FILES[0]))}</p>",
    ]
    for key, rows in record["sheets"].items():
        sheet = template.sheet(key)
        title = labels.sheet_name(key)
        parts.append(f"<h2>{esc(title)} <small>{esc(words['rows'].format(count=len(rows)))}</small></h2>")
        if not rows:
            parts.append(f'<p class="none">{esc(words["nothing"])}</p>')
        elif key == "clients":
            parts += [shown.vertical(sheet, row) for row in rows]
        else:
            parts.append(shown.table(sheet, rows))
    if shown.staff_seen:
        parts.append(f'<p class="staff">{esc(words["staff_columns"])}</p>')
    stamp = generated_at.replace(microsecond=0).isoformat(sep=" ")
    parts.append(f'<p class="foot">{esc(words["generated"].format(date=stamp, version=__version__))}</p>')
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


#: Values up to this many characters are kept on one line.
_SHORT: Final = 20
_CSS: Final = (
    "body{font-family:system-ui,'Noto Sans','Noto Sans CJK SC','Microsoft YaHei',sans-serif;margin:2em;"
    "color:#222}p{max-width:60em}h1{font-size:1.5em}h2{font-size:1.15em;margin-top:1.6em;border-bottom:1px solid #ccc}"
    "h2 small{font-weight:normal;color:#666}table{border-collapse:collapse;margin:.4em 0 1em}"
    "th,td{border:1px solid #ddd;padding:.25em .5em;text-align:left;vertical-align:top}"
    "th{background:#f3f3f3;font-weight:600}.note{background:#fff6db;padding:.5em}.none,.foot{color:#666}"
    "td.staff,th.staff,p.staff{color:#555;font-style:italic}td.short{white-space:nowrap}"
)


class _Shown:
    """Values as the client reads them: choice labels, dates in the workbook's format, yes/no."""

    def __init__(self, template: Template, labels: Labels, words: Mapping[str, str]) -> None:
        self.template, self.labels, self.words = template, labels, words
        self.date_format = _strftime(labels.date_format)
        self.staff_seen = False

    def header(self, sheet: Sheet, key: str) -> tuple[str, bool]:
        try:
            sheet.column(key)
        except KeyError:
            self.staff_seen = True
            return key, True  # a column staff added: its header as typed
        return self.labels.header(sheet.key, key), False

    def value(self, column: Column | None, value: Any) -> str:
        if value is None:
            return ""
        if column is None:
            return str(value)
        if column.type == "bool":
            return self.words["answer_yes"] if value else self.words["answer_no"]
        if column.type in ("date", "datetime") and isinstance(value, str) and len(value) >= 10:
            return self._date(value, with_time=column.type == "datetime")
        if column.choices and not self.template.is_reference_list(column.choices):
            names = self.labels.choices.get(column.choices, {})
            keys = str(value).split(MULTICHOICE_SEPARATOR) if column.type == "multichoice" else [str(value)]
            return ", ".join(names.get(k, k) for k in keys)
        if isinstance(value, float):
            return f"{value:.2f}".replace(".", self.labels.decimal_separator)
        return str(value)

    def _date(self, text: str, *, with_time: bool) -> str:
        try:
            when = dt.datetime.fromisoformat(text)
        except ValueError:
            return text
        shown = when.strftime(self.date_format)
        return f"{shown} {when:%H:%M}" if with_time and when.time() != dt.time(0) else shown

    def _is_id(self, sheet: Sheet, key: str) -> bool:
        column = self._column(sheet, key)
        return column is not None and is_client_id(sheet, column)

    def _column(self, sheet: Sheet, key: str) -> Column | None:
        try:
            return sheet.column(key)
        except KeyError:
            return None

    def vertical(self, sheet: Sheet, row: Mapping[str, Any]) -> str:
        esc = html.escape
        lines = [f"<table><tr><th>{esc(self.words['field'])}</th><th>{esc(self.words['value'])}</th></tr>"]
        for key, value in row.items():
            if key in MONTH_DAY_COLUMNS.values():
                continue  # the day and month of the birth date, already shown
            header, staff = self.header(sheet, key)
            cls = ' class="staff"' if staff else ""
            shown = self.value(self._column(sheet, key), value)
            lines.append(f"<tr><th{cls}>{esc(header)}</th><td{cls}>{esc(shown)}</td></tr>")
        lines.append("</table>")
        return "\n".join(lines)

    def table(self, sheet: Sheet, rows: list[Mapping[str, Any]]) -> str:
        esc = html.escape
        keys = list(dict.fromkeys(k for row in rows for k in row))
        # Left out: columns with nothing held, and the client ID (the page is about this one client).
        keys = [k for k in keys if any(row.get(k) is not None for row in rows) and not self._is_id(sheet, k)]
        heads = [self.header(sheet, k) for k in keys]
        head = "".join(f"<th{' class=staff' if staff else ''}>{esc(h)}</th>" for h, staff in heads)
        lines = [f"<table><tr>{head}</tr>"]
        for row in rows:
            values = [self.value(self._column(sheet, k), row.get(k)) for k in keys]
            cells = "".join(f"<td{' class=short' if len(v) <= _SHORT else ''}>{esc(v)}</td>" for v in values)
            lines.append(f"<tr>{cells}</tr>")
        lines.append("</table>")
        return "\n".join(lines)


def _strftime(excel_format: str) -> str:
    """An Excel date format of a locale file (``dd/mm/yyyy``) as a strftime pattern."""
    return excel_format.replace("yyyy", "%Y").replace("mm", "%m").replace("dd", "%d")


def write_client_export(
    source: WorkbookData | ValidationResult | Workbook | Path | str,
    client_id: str,
    out: Path | str,
    *,
    locale: str | None = None,
    template: Template | None = None,
    overwrite: bool = False,
    generated_at: dt.datetime | None = None,
    password: str | None = None,
) -> dict[str, Any]:
    """Write everything held on one client to the folder ``out``: ``client.json`` and ``client.html``.

    ``locale`` defaults to the workbook's language. ``out`` must be new or empty,
    or (``overwrite=True``) an earlier access export. Returns a summary: the files
    and the rows per sheet (no personal data).
    """
    template = template or load_template()
    target = Path(out)
    if target.is_dir() and any(target.iterdir()) and not overwrite:
        raise UsageError(f"{target}: the folder exists and is not empty; choose a new folder, or replace it (--force)")
    if isinstance(source, (Path, str)) and not Path(source).is_dir():
        source = read_workbook(source, template=template, password=password)
    data, name = read_source_data(source, template=template)
    if locale is None:
        locale = source.locale if isinstance(source, (Workbook, ValidationResult)) else template.default_locale
    template.labels(locale)  # an unknown locale fails before anything is written
    stamp = (generated_at or dt.datetime.now()).replace(microsecond=0)
    record = client_record(data, client_id, template=template)
    document = {
        "sheetkit": __version__,
        "template": {"id": template.id, "version": template.version},
        "source": name,
        "generated_at": stamp.isoformat(),
        "locale": locale,
        **record,
    }
    page = render_client_html(record, template=template, locale=locale, source=name, generated_at=stamp)
    with replace_folder(target, allowed=set(ACCESS_FILES) if overwrite else set()) as tmp:
        (tmp / ACCESS_FILES[0]).write_text(json.dumps(document, indent=2, ensure_ascii=False), encoding="utf-8")
        (tmp / ACCESS_FILES[1]).write_text(page, encoding="utf-8")
    rows = {key: len(rows) for key, rows in record["sheets"].items()}
    log.info("wrote access export %s: %s", target, ", ".join(f"{n} {k}" for k, n in rows.items()))
    return {"folder": str(target), "files": [str(target / f) for f in ACCESS_FILES], "locale": locale, "rows": rows}
