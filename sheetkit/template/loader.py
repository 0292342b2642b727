"""Load and check the workbook template: the single source of truth for columns.

``workbook_templates/<name>/template.yaml`` declares sheets, columns, types,
bounds, choice lists and settings; ``locales/<locale>.yaml`` beside it holds every
label a person reads. :func:`load_template` turns both into frozen dataclasses and
refuses a broken template with a :class:`~sheetkit.errors.TemplateError` naming the
file, sheet and column.

>>> t = load_template()
>>> t.sheet("clients").column("client_id").type
'id'
>>> t.labels("it").header("clients", "client_id")
'Codice cliente'
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final, cast

import yaml

from sheetkit.errors import TemplateError
from sheetkit.template.model import (
    COLUMN_TYPES,
    FORBIDDEN_SHEET_CHARS,
    FORMULA_START,
    FORMULAS,
    KEY_RE,
    MAX_HEADER,
    MAX_HELP,
    MAX_SHEET_NAME,
    MAX_TITLE,
    Bound,
    Column,
    ColumnType,
    Labels,
    ReferenceList,
    Setting,
    Sheet,
    Template,
)

__all__ = ["default_template_dir", "load_template"]


def default_template_dir() -> Path:
    """Folder of the canonical client-allocation template.

    Installed wheels carry it inside the package; a source checkout has it at
    the top level.
    """
    here = Path(__file__).resolve().parent.parent  # the sheetkit package folder
    for base in (here / "workbook_templates", here.parent / "workbook_templates"):
        candidate = base / "client_allocation"
        if (candidate / "template.yaml").is_file():
            return candidate
    raise TemplateError(
        "the canonical template is missing from this installation; reinstall sheetkit",
        file=here / "workbook_templates" / "client_allocation" / "template.yaml",
    )


def load_template(path: Path | str | None = None) -> Template:
    """Load and check a template folder (default: the canonical template).

    Raises TemplateError naming the file, sheet and column of the first problem.
    """
    folder = Path(path) if path is not None else default_template_dir()
    if folder.is_file():
        folder = folder.parent
    return _load_cached(folder.resolve())


@functools.lru_cache(maxsize=8)
def _load_cached(folder: Path) -> Template:
    return _TemplateLoader(folder).load()


# --------------------------------------------------------------------------- loading


class _TemplateLoader:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.file = folder / "template.yaml"

    def fail(self, message: str, *, sheet: str | None = None, column: str | None = None) -> TemplateError:
        return TemplateError(message, file=self.file, sheet=sheet, column=column)

    def read_yaml(self, path: Path) -> dict[str, Any]:
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise TemplateError("file not found", file=path) from None
        except (OSError, UnicodeDecodeError) as exc:
            raise TemplateError(f"cannot read file ({exc})", file=path) from None
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise TemplateError(f"not valid YAML: {exc}", file=path) from None
        if not isinstance(data, dict):
            raise TemplateError("expected a mapping at the top level", file=path)
        return data

    def load(self) -> Template:
        raw = self.read_yaml(self.file)
        for key in ("id", "version", "locales", "choice_lists", "sheets", "settings"):
            if key not in raw:
                raise self.fail(f"missing top-level key {key!r}")
        locales = tuple(str(x) for x in raw["locales"])
        default_locale = str(raw.get("default_locale", locales[0] if locales else ""))
        if default_locale not in locales:
            raise self.fail(f"default_locale {default_locale!r} is not in locales")
        choice_lists = self._choice_lists(raw["choice_lists"])
        ref_names = set(raw.get("reference_lists") or {})
        overlap = ref_names & set(choice_lists)
        if overlap:
            raise self.fail(f"list names used twice: {sorted(overlap)}")
        all_lists = set(choice_lists) | ref_names
        reference_lists = {
            name: self._reference_list(name, spec, all_lists)
            for name, spec in (raw.get("reference_lists") or {}).items()
        }
        sheets = tuple(self._sheet(spec, all_lists) for spec in raw["sheets"])
        self._check_references(sheets)
        settings = tuple(self._setting(spec, all_lists) for spec in raw["settings"])
        labels: dict[str, Labels] = {}
        template = Template(
            id=str(raw["id"]),
            version=int(raw["version"]),
            locales=locales,
            default_locale=default_locale,
            spare_rows=int(raw.get("spare_rows", 1000)),
            choice_lists=choice_lists,
            reference_lists=reference_lists,
            reference_list_rows=int(raw.get("reference_list_rows", 200)),
            settings=settings,
            sheets=sheets,
            path=self.folder,
            _labels=labels,
        )
        # The default locale is loaded first; every other locale must have its issue messages
        # and its report labels.
        labels[default_locale] = _LabelsLoader(self, template, default_locale, None).load()
        codes = list(labels[default_locale].issues)
        report_keys = list(labels[default_locale].report)
        for locale in locales:
            if locale != default_locale:
                labels[locale] = _LabelsLoader(self, template, locale, codes, report_keys).load()
        return template

    def _choice_lists(self, raw: Any) -> dict[str, tuple[str, ...]]:
        if not isinstance(raw, dict):
            raise self.fail("choice_lists must be a mapping of list name to values")
        out: dict[str, tuple[str, ...]] = {}
        for name, values in raw.items():
            if not isinstance(values, list) or not values:
                raise self.fail(f"choice list {name!r} must be a non-empty list")
            keys = tuple(str(v) for v in values)
            if len(set(keys)) != len(keys):
                raise self.fail(f"choice list {name!r} has duplicate values")
            out[str(name)] = keys
        return out

    def _column(self, spec: Any, lists: set[str], *, sheet: str) -> Column:
        if not isinstance(spec, dict) or "key" not in spec:
            raise self.fail(f"a column without a key: {spec!r}", sheet=sheet)
        key = str(spec["key"])
        unknown = set(spec) - set(Column.__dataclass_fields__)
        if unknown:
            raise self.fail(f"unknown attributes {sorted(unknown)}", sheet=sheet, column=key)
        if not KEY_RE.match(key):
            raise self.fail("keys are snake_case ASCII", sheet=sheet, column=key)
        ctype = spec.get("type")
        if ctype not in COLUMN_TYPES:
            raise self.fail(f"unknown type {ctype!r}; expected one of {sorted(COLUMN_TYPES)}", sheet=sheet, column=key)
        choices = spec.get("choices")
        if ctype in ("choice", "multichoice"):
            if choices not in lists:
                raise self.fail(f"choices {choices!r} is not a declared list", sheet=sheet, column=key)
        elif choices is not None:
            raise self.fail(f"type {ctype} cannot have choices", sheet=sheet, column=key)
        formula = spec.get("formula")
        if formula is not None and formula not in FORMULAS:
            raise self.fail(f"unknown formula {formula!r}", sheet=sheet, column=key)
        sensitivity = spec.get("sensitivity")
        if sensitivity not in (None, "personal", "health"):
            raise self.fail(f"sensitivity must be personal or health, not {sensitivity!r}", sheet=sheet, column=key)
        try:
            return Column(
                key=key,
                type=cast(ColumnType, ctype),
                required=bool(spec.get("required", False)),
                unique=bool(spec.get("unique", False)),
                choices=choices,
                references=spec.get("references"),
                min=self._bound(spec.get("min"), sheet=sheet, column=key),
                max=self._bound(spec.get("max"), sheet=sheet, column=key),
                max_length=None if spec.get("max_length") is None else int(spec["max_length"]),
                month_day=bool(spec.get("month_day", False)),
                sensitivity=sensitivity,
                width=float(spec.get("width", 12)),
                formula=formula,
                hidden=bool(spec.get("hidden", False)),
            )
        except (TypeError, ValueError) as exc:
            raise self.fail(f"invalid attribute value ({exc})", sheet=sheet, column=key) from None

    def _bound(self, value: Any, *, sheet: str, column: str) -> Bound:
        if value is None or value == "today":
            return cast(Bound, value)
        if isinstance(value, bool):
            raise self.fail(f"bound {value!r} is not a number or date", sheet=sheet, column=column)
        if isinstance(value, (int, float)):
            return float(value)
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value))
        except ValueError:
            raise self.fail(
                f"bound {value!r} is not a number, ISO date or 'today'", sheet=sheet, column=column
            ) from None

    def _sheet(self, spec: Any, lists: set[str]) -> Sheet:
        if not isinstance(spec, dict) or "key" not in spec:
            raise self.fail(f"a sheet without a key: {spec!r}")
        key = str(spec["key"])
        columns = tuple(self._column(c, lists, sheet=key) for c in spec.get("columns") or [])
        if not columns:
            raise self.fail("a sheet needs columns", sheet=key)
        seen: set[str] = set()
        for col in columns:
            if col.key in seen:
                raise self.fail("column declared twice", sheet=key, column=col.key)
            seen.add(col.key)
        id_column = str(spec.get("id_column", ""))
        if id_column not in seen:
            raise self.fail(f"id_column {id_column!r} is not a column", sheet=key)
        return Sheet(key=key, id_column=id_column, columns=columns)

    def _check_references(self, sheets: tuple[Sheet, ...]) -> None:
        index = {(s.key, c.key) for s in sheets for c in s.columns}
        for sheet in sheets:
            for col in sheet.columns:
                if col.references is None:
                    continue
                target = tuple(col.references.split(".", 1))
                if len(target) != 2 or target not in index:
                    raise self.fail(
                        f"references {col.references!r} is not a sheet.column", sheet=sheet.key, column=col.key
                    )

    def _reference_list(self, name: str, spec: Any, lists: set[str]) -> ReferenceList:
        if not isinstance(spec, dict):
            raise self.fail(f"reference list {name!r} must be a mapping")
        columns = tuple(self._column(c, lists, sheet=f"Lists.{name}") for c in spec.get("columns") or [])
        if not columns or columns[0].key != "name":
            raise self.fail(f"reference list {name!r} must start with a 'name' column")
        rows = tuple(dict(r) for r in spec.get("default_rows") or [])
        for row in rows:
            if "key" not in row:
                raise self.fail(f"a default row of {name!r} has no key")
        return ReferenceList(key=name, columns=columns, default_rows=rows)

    def _setting(self, spec: Any, lists: set[str]) -> Setting:
        if not isinstance(spec, dict) or "key" not in spec:
            raise self.fail(f"a setting without a key: {spec!r}")
        col = self._column({k: v for k, v in spec.items() if k != "default"}, lists, sheet="Settings")
        if "default" not in spec:
            raise self.fail("a setting needs a default", sheet="Settings", column=col.key)
        return Setting(
            key=col.key,
            type=col.type,
            default=spec["default"],
            min=col.min if isinstance(col.min, float) else None,
            max=col.max if isinstance(col.max, float) else None,
            choices=col.choices,
            max_length=col.max_length,
        )


class _LabelsLoader:
    def __init__(
        self,
        parent: _TemplateLoader,
        template: Template,
        locale: str,
        reference_issue_codes: list[str] | None,
        reference_report_keys: list[str] | None = None,
    ) -> None:
        self.template = template
        self.locale = locale
        self.reference_issue_codes = reference_issue_codes
        self.reference_report_keys = reference_report_keys
        self.file = parent.folder / "locales" / f"{locale}.yaml"
        self.raw = parent.read_yaml(self.file)

    def fail(self, message: str, *, sheet: str | None = None, column: str | None = None) -> TemplateError:
        return TemplateError(message, file=self.file, sheet=sheet, column=column)

    def section(self, key: str) -> dict[str, Any]:
        value = self.raw.get(key)
        if not isinstance(value, dict):
            raise self.fail(f"missing section {key!r}")
        return value

    def text(
        self,
        mapping: Mapping[str, Any],
        key: str,
        *,
        limit: int,
        where: str,
        sheet: str | None = None,
        column: str | None = None,
    ) -> str:
        value = mapping.get(key)
        if not isinstance(value, str) or not value.strip():
            raise self.fail(f"missing label {where}", sheet=sheet, column=column)
        if len(value) > limit:
            raise self.fail(f"{where} is {len(value)} characters; the limit is {limit}", sheet=sheet, column=column)
        return value

    def load(self) -> Labels:
        t = self.template
        if self.raw.get("locale") != self.locale:
            raise self.fail(f"locale field must be {self.locale!r}")
        sheet_names = self.section("sheets")
        wanted = [s.key for s in t.sheets] + ["lists", "settings", "about"]
        names: dict[str, str] = {}
        for key in wanted:
            name = self.text(sheet_names, key, limit=MAX_SHEET_NAME, where=f"sheet name of {key!r}")
            if FORBIDDEN_SHEET_CHARS.search(name):
                raise self.fail(f"sheet name {name!r} contains a character spreadsheets forbid")
            names[key] = name
        if len(set(names.values())) != len(names):
            raise self.fail("two sheets share one name")

        columns_raw = self.section("columns")
        columns: dict[str, dict[str, dict[str, str]]] = {}
        for sheet in t.sheets:
            per_sheet = columns_raw.get(sheet.key)
            if not isinstance(per_sheet, dict):
                raise self.fail("no column labels", sheet=sheet.key)
            columns[sheet.key] = {}
            headers: set[str] = set()
            for col in sheet.columns:
                entry = per_sheet.get(col.key)
                if not isinstance(entry, dict):
                    raise self.fail("no header and help", sheet=sheet.key, column=col.key)
                header = self.text(entry, "header", limit=MAX_HEADER, where="header", sheet=sheet.key, column=col.key)
                if header in headers:
                    raise self.fail(f"header {header!r} used twice", sheet=sheet.key, column=col.key)
                headers.add(header)
                help_text = self.text(entry, "help", limit=MAX_HELP, where="help", sheet=sheet.key, column=col.key)
                columns[sheet.key][col.key] = {"header": header, "help": help_text}
            extra = set(per_sheet) - set(sheet.keys)
            if extra:
                raise self.fail(f"labels for undeclared columns {sorted(extra)}", sheet=sheet.key)

        choices_raw = self.section("choices")
        choices: dict[str, dict[str, str]] = {}
        for name, keys in t.choice_lists.items():
            labels = choices_raw.get(name)
            if not isinstance(labels, dict):
                raise self.fail(f"no labels for choice list {name!r}")
            out = {k: self.text(labels, k, limit=MAX_HEADER, where=f"label of {name}.{k}") for k in keys}
            self._check_labels(out.values(), f"choice list {name!r}")
            choices[name] = out

        refs_raw = self.section("reference_lists")
        refs: dict[str, dict[str, Any]] = {}
        for name, ref in t.reference_lists.items():
            entry = refs_raw.get(name)
            if not isinstance(entry, dict):
                raise self.fail(f"no labels for reference list {name!r}")
            title = self.text(entry, "title", limit=MAX_HEADER, where=f"title of {name}")
            cols = entry.get("columns") or {}
            col_labels = {
                c.key: self.text(cols, c.key, limit=MAX_HEADER, where=f"header of {name}.{c.key}") for c in ref.columns
            }
            rows_raw = entry.get("rows") or {}
            rows = {
                str(r["key"]): self.text(rows_raw, str(r["key"]), limit=MAX_HEADER, where=f"name of {name}.{r['key']}")
                for r in ref.default_rows
            }
            self._check_labels(rows.values(), f"reference list {name!r}")
            refs[name] = {"title": title, "columns": col_labels, "rows": rows}

        settings_raw = self.section("settings")
        settings: dict[str, dict[str, str]] = {}
        settings_header = settings_raw.get("header") or {}
        settings["header"] = {
            k: self.text(settings_header, k, limit=MAX_HEADER, where=f"settings header {k}")
            for k in ("key", "label", "value", "help")
        }
        for s in t.settings:
            setting_raw = settings_raw.get(s.key) or {}
            settings[s.key] = {
                "label": self.text(setting_raw, "label", limit=MAX_HEADER, where=f"label of setting {s.key}"),
                "help": self.text(setting_raw, "help", limit=MAX_HELP, where=f"help of setting {s.key}"),
            }

        about_raw = self.section("about")
        about = {
            k: self.text(about_raw, k, limit=MAX_HELP, where=f"about.{k}")
            for k in ("title", "template_id", "template_version", "locale", "generated_at", "generator", "notice")
        }
        messages_raw = self.section("messages")
        message_keys = _MESSAGE_KEYS
        messages = {k: self.text(messages_raw, k, limit=MAX_HELP, where=f"message {k}") for k in message_keys}
        for k in ("error_title", "required_title"):
            if len(messages[k]) > MAX_TITLE:
                raise self.fail(f"message {k} is longer than {MAX_TITLE} characters")

        issues_raw = self.section("issues")
        issues = {str(k): self.text(issues_raw, str(k), limit=MAX_HELP, where=f"issue {k}") for k in issues_raw}
        if self.reference_issue_codes is not None:
            missing = sorted(set(self.reference_issue_codes) - set(issues))
            if missing:
                raise self.fail(f"no issue messages for {missing}")
        report = self._report()

        def scalar(key: str) -> str:
            return self.text(self.raw, key, limit=MAX_HEADER, where=key)

        date_order = scalar("date_order")
        if date_order not in t.choice_lists.get("date_order", ("DMY", "MDY", "YMD")):
            raise self.fail(f"date_order {date_order!r} must be DMY, MDY or YMD")
        return Labels(
            locale=self.locale,
            language=scalar("language"),
            date_format=scalar("date_format"),
            datetime_format=scalar("datetime_format"),
            date_order=date_order,
            currency=scalar("currency"),
            faker_locale=scalar("faker_locale"),
            price_scale=self.number("price_scale"),
            decimal_separator=self._decimal_separator(),
            sheet_names=names,
            columns=columns,
            choices=choices,
            reference_lists=refs,
            settings=settings,
            about=about,
            messages=messages,
            issues=issues,
            report=report,
        )

    def _report(self) -> dict[str, str]:
        """The ``report:`` section: report-only labels, the same keys in every locale."""
        raw = self.section("report")
        report: dict[str, str] = {}
        for key in raw:
            name = str(key)
            if not KEY_RE.match(name):
                raise self.fail(f"report label key {name!r} is not snake_case ASCII")
            report[name] = self.text(raw, key, limit=MAX_HELP, where=f"report.{name}")
        if self.reference_report_keys is not None:
            missing = sorted(set(self.reference_report_keys) - set(report))
            if missing:
                raise self.fail(f"no report labels for {missing}")
            extra = sorted(set(report) - set(self.reference_report_keys))
            if extra:
                raise self.fail(f"report labels not in the default locale: {extra}")
        sheets = {k: v for k, v in report.items() if k.startswith("sheet_")}
        for key, name in sheets.items():
            if len(name) > MAX_SHEET_NAME:
                raise self.fail(f"report.{key} is {len(name)} characters; the limit is {MAX_SHEET_NAME}")
            if FORBIDDEN_SHEET_CHARS.search(name):
                raise self.fail(f"report sheet name {name!r} contains a character spreadsheets forbid")
        if len({n.casefold() for n in sheets.values()}) != len(sheets):
            raise self.fail("two report sheets share one name")
        return report

    def _decimal_separator(self) -> str:
        value = self.raw.get("decimal_separator", ".")
        if value not in (".", ","):
            raise self.fail(f"decimal_separator must be '.' or ',', not {value!r}")
        return str(value)

    def number(self, key: str) -> float:
        value = self.raw.get(key, 1)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
            raise self.fail(f"{key} must be a positive number, not {value!r}")
        return float(value)

    def _check_labels(self, labels: Any, where: str) -> None:
        values = list(labels)
        if len({v.casefold() for v in values}) != len(values):
            raise self.fail(f"labels of {where} are not distinct: {values}")
        for v in values:
            if v.startswith(FORMULA_START):
                raise self.fail(f"label {v!r} of {where} starts with a formula character")


_MESSAGE_KEYS: Final = (
    "error_title",
    "required_title",
    "date",
    "date_not_future",
    "datetime",
    "birth_date",
    "int",
    "decimal",
    "rating",
    "choice",
    "length",
    "id",
    "unique",
    "client_exists",
    "email",
    "phone",
    "allergies_none",
)
