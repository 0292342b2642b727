"""Load and check the workbook template: the single source of truth for columns.

``workbook_templates/<name>/template.yaml`` declares sheets, columns, types,
bounds, choice lists and settings; ``locales/<locale>.yaml`` beside it holds every
label a person reads (checked by :mod:`~sheetkit.template.labels`).
:func:`load_template` turns both into frozen dataclasses and refuses a broken
template with a :class:`~sheetkit.errors.TemplateError` naming the file, sheet and
column.

>>> t = load_template()
>>> t.sheet("clients").column("client_id").type
'id'
>>> t.labels("it").header("clients", "client_id")
'Codice cliente'
"""

from __future__ import annotations

import datetime as dt
import functools
from pathlib import Path
from typing import Any, cast

import yaml

from sheetkit.errors import TemplateError
from sheetkit.template.labels import load_labels
from sheetkit.template.locale_names import LocaleTable
from sheetkit.template.model import (
    COLUMN_TYPES,
    FORMULAS,
    KEY_RE,
    SENSITIVITIES,
    SETTING_BOUND_PREFIX,
    Bound,
    Column,
    ColumnType,
    Labels,
    ReferenceList,
    Setting,
    SettingBound,
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
    if path is None:
        return _load_default()
    folder = Path(path)
    if folder.is_file():
        folder = folder.parent
    return _load_cached(folder.resolve())


@functools.cache
def _load_default() -> Template:
    """The canonical template, found once per process (every analytic asks for it)."""
    return _load_cached(default_template_dir().resolve())


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
            # libyaml's safe loader when present: the same documents, ten times faster (start-up of every command)
            data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506  # a safe loader
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
        self._check_setting_bounds(sheets, reference_lists, settings)
        labels: dict[str, Labels] = {}
        template = Template(
            id=str(raw["id"]),
            version=int(raw["version"]),
            locales=locales,
            default_locale=default_locale,
            spare_rows=int(raw.get("spare_rows", 1000)),
            growth_factor=int(raw.get("growth_factor", 10)),
            choice_lists=choice_lists,
            reference_lists=reference_lists,
            reference_list_rows=int(raw.get("reference_list_rows", 200)),
            settings=settings,
            sheets=sheets,
            path=self.folder,
            _labels=LocaleTable(labels),  # any spelling of a locale finds its labels
        )
        # The default locale is loaded first; every other locale must have its issue messages
        # and its report labels.
        labels[default_locale] = self._labels(template, default_locale, None)
        codes = list(labels[default_locale].issues)
        report_keys = list(labels[default_locale].report)
        for locale in locales:
            if locale != default_locale:
                labels[locale] = self._labels(template, locale, codes, report_keys)
        return template

    def _labels(
        self,
        template: Template,
        locale: str,
        reference_issue_codes: list[str] | None,
        reference_report_keys: list[str] | None = None,
    ) -> Labels:
        """The labels of one locale, from ``locales/<locale>.yaml`` beside the template."""
        file = self.folder / "locales" / f"{locale}.yaml"
        return load_labels(
            template,
            locale,
            file=file,
            raw=self.read_yaml(file),
            reference_issue_codes=reference_issue_codes,
            reference_report_keys=reference_report_keys,
        )

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
        if sensitivity is not None and sensitivity not in SENSITIVITIES:
            allowed = ", ".join(sorted(SENSITIVITIES))
            raise self.fail(f"sensitivity must be one of {allowed}, not {sensitivity!r}", sheet=sheet, column=key)
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
        if isinstance(value, str) and value.startswith(SETTING_BOUND_PREFIX):
            key = value[len(SETTING_BOUND_PREFIX) :]
            if not KEY_RE.match(key):
                raise self.fail(f"bound {value!r} does not name a setting", sheet=sheet, column=column)
            return SettingBound(key)
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

    def _check_setting_bounds(
        self, sheets: tuple[Sheet, ...], refs: dict[str, ReferenceList], settings: tuple[Setting, ...]
    ) -> None:
        """A ``setting:<key>`` bound names a date setting and sits on a date column."""
        kinds = {s.key: s.type for s in settings}
        places = [(s.key, s.columns) for s in sheets] + [(f"Lists.{r.key}", r.columns) for r in refs.values()]
        for where, columns in places:
            for col in columns:
                for bound in (col.min, col.max):
                    if not isinstance(bound, SettingBound):
                        continue
                    if kinds.get(bound.key) != "date" or col.type not in ("date", "datetime"):
                        raise self.fail(
                            f"bound {bound} needs a date setting {bound.key!r} on a date column",
                            sheet=where,
                            column=col.key,
                        )

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
        through = spec.get("print_through")
        if through is not None and through not in seen:
            raise self.fail(f"print_through {through!r} is not a column", sheet=key)
        return Sheet(key=key, id_column=id_column, columns=columns, print_through=through)

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
        default = spec["default"]
        if col.type == "date":
            default = self._bound(default, sheet="Settings", column=col.key)
            if not isinstance(default, dt.date):
                raise self.fail("a date setting needs an ISO date default", sheet="Settings", column=col.key)
        return Setting(
            key=col.key,
            type=col.type,
            default=default,
            min=col.min if isinstance(col.min, float) else None,
            max=col.max if isinstance(col.max, float) else None,
            choices=col.choices,
            max_length=col.max_length,
            date_min=col.min if isinstance(col.min, dt.date) else None,
            date_max=col.max if isinstance(col.max, dt.date) or col.max == "today" else None,
        )
