"""The template as data: frozen dataclasses for sheets, columns, settings, reference lists and labels.

:mod:`sheetkit.template.loader` builds them from ``workbook_templates/``; everything
else (geometry, rules, formulas, cell values, defaults) derives from them alone.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Final, Literal, get_args

from sheetkit.errors import UnknownLocaleError

__all__ = [
    "LEGEND_KEYS",
    "Column",
    "ColumnType",
    "Labels",
    "ReferenceList",
    "Setting",
    "SettingBound",
    "Sheet",
    "Template",
    "resolve_bound",
]

ColumnType = Literal[
    "text",
    "id",
    "phone",
    "email",
    "date",
    "datetime",
    "choice",
    "multichoice",
    "int",
    "decimal",
    "money",
    "rating",
    "bool",
    "month-day",
]
COLUMN_TYPES: Final = frozenset(get_args(ColumnType))
#: How a column's value identifies or exposes a person (template ``sensitivity``):
#: ``personal`` a direct identifier (name, phone, e-mail, address, emergency contact),
#: ``quasi`` personal but generalisable (a birth date keeps only its year),
#: ``free_text`` text staff type freely, which may hold anything about anyone,
#: ``health`` special-category health data. None: nothing about a person by itself.
Sensitivity = Literal["personal", "quasi", "free_text", "health"]
SENSITIVITIES: Final = frozenset(get_args(Sensitivity))
#: Formula columns the workbook builders know how to write.
FORMULAS: Final = frozenset(
    {
        "last_visit",
        "visit_count",
        "avg_interval_days",
        "next_due",
        "days_since_last_visit",
        "follow_up",
        "days_to_birthday",
        "visit_day_key",
        "client_name",
    }
)
TEXT_TYPES: Final = frozenset({"text", "id", "phone", "email", "multichoice"})
NUMBER_TYPES: Final = frozenset({"int", "decimal", "money", "rating"})
DATE_TYPES: Final = frozenset({"date", "datetime", "month-day"})
MULTICHOICE_SEPARATOR: Final = ";"

# Limits of the spreadsheet applications, checked so that a template that loads
# also builds: Excel rejects longer input messages, titles and sheet names.
MAX_HELP: Final = 255
MAX_HEADER: Final = 60
MAX_TITLE: Final = 32
MAX_SHEET_NAME: Final = 31
FORBIDDEN_SHEET_CHARS: Final = re.compile(r"[:\\/?*\[\];]")
KEY_RE: Final = re.compile(r"^[a-z][a-z0-9_]*$")
FORMULA_START: Final = ("=", "+", "-", "@")

#: What the colour legend sheet explains, in its order: header fills, then conditional formats.
LEGEND_KEYS: Final = (
    "header_plain",
    "header_personal",
    "header_health",
    "header_formula",
    "lapsed",
    "overdue",
    "due_soon",
    "birthday",
    "health_alert",
    "consent_missing",
    "inactive",
    "no_show",
    "today",
    "open_complaint",
    "patch_test_failed",
    "patch_test_expired",
    "consent_withdrawn",
    "follow_up_booked",
)
#: Prefix of a bound taken from a setting: ``min: setting:earliest_date``.
SETTING_BOUND_PREFIX: Final = "setting:"


@dataclass(frozen=True)
class SettingBound:
    """A column bound that is the value of a setting (``min: setting:earliest_date`` in template.yaml).

    The workbook's validation refers to the Settings cell; readers resolve it with
    :func:`resolve_bound` against the settings they read.
    """

    key: str

    def __str__(self) -> str:
        return SETTING_BOUND_PREFIX + self.key


Bound = float | dt.date | Literal["today"] | SettingBound | None
ResolvedBound = float | dt.date | Literal["today"] | None


def resolve_bound(bound: Bound, settings: Mapping[str, Any], template: Template | None = None) -> ResolvedBound:
    """A column bound with a :class:`SettingBound` replaced by the setting's value.

    ``settings`` maps setting keys to values (a date setting as ``datetime.date``,
    ``datetime.datetime``, ``pandas.Timestamp`` or ISO text); a setting missing from it
    (or unreadable) falls back to the template's default when ``template`` is given, else None.

    >>> import datetime as dt
    >>> resolve_bound(SettingBound("earliest_date"), {"earliest_date": dt.date(1995, 5, 1)})
    datetime.date(1995, 5, 1)
    >>> resolve_bound(SettingBound("earliest_date"), {"earliest_date": "1990-01-01"})
    datetime.date(1990, 1, 1)
    >>> resolve_bound(5.0, {})
    5.0
    """
    if not isinstance(bound, SettingBound):
        return bound
    value = _as_date(settings.get(bound.key))
    if value is None and template is not None:
        value = _as_date(template.setting(bound.key).default)
    return value


def _as_date(value: Any) -> dt.date | None:
    """A date from a date, datetime, Timestamp or ISO text; None for anything else."""
    if isinstance(value, dt.datetime):  # also pandas.Timestamp
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip()[:10])
        except ValueError:
            return None
    return None


@dataclass(frozen=True)
class Column:
    """One column of a sheet, as declared in template.yaml."""

    key: str
    type: ColumnType
    required: bool = False
    unique: bool = False
    choices: str | None = None
    references: str | None = None
    min: Bound = None
    max: Bound = None
    max_length: int | None = None
    month_day: bool = False
    sensitivity: Sensitivity | None = None
    width: float = 12.0
    formula: str | None = None
    hidden: bool = False

    @property
    def is_formula(self) -> bool:
        """True for staff-view columns the spreadsheet app computes."""
        return self.formula is not None


@dataclass(frozen=True)
class Sheet:
    """A data sheet (Clients, Visits, Appointments, Feedback)."""

    key: str
    id_column: str
    columns: tuple[Column, ...]
    #: Last column of the front-desk print area (None: every column).
    print_through: str | None = None

    def column(self, key: str) -> Column:
        """The column with canonical key ``key``."""
        for col in self.columns:
            if col.key == key:
                return col
        raise KeyError(f"sheet {self.key!r} has no column {key!r}")

    @property
    def keys(self) -> tuple[str, ...]:
        """Canonical keys of every column, in sheet order."""
        return tuple(c.key for c in self.columns)

    @property
    def print_columns(self) -> int:
        """Number of columns, from the first, in the front-desk print area."""
        return len(self.columns) if self.print_through is None else self.keys.index(self.print_through) + 1

    @property
    def data_columns(self) -> tuple[Column, ...]:
        """Columns staff type into (formula columns excluded)."""
        return tuple(c for c in self.columns if not c.is_formula)


@dataclass(frozen=True)
class ReferenceList:
    """A list the manager edits on the Lists sheet (services, therapists...)."""

    key: str
    columns: tuple[Column, ...]
    default_rows: tuple[Mapping[str, Any], ...]


@dataclass(frozen=True)
class Setting:
    """A report parameter on the Settings sheet."""

    key: str
    type: ColumnType
    default: Any
    min: float | None = None
    max: float | None = None
    choices: str | None = None
    max_length: int | None = None
    #: Bounds of a date setting (``max`` may be "today").
    date_min: dt.date | None = None
    date_max: dt.date | Literal["today"] | None = None


@dataclass(frozen=True)
class Labels:
    """Every label of one locale: sheet names, headers, help, choices, messages."""

    locale: str
    language: str
    date_format: str
    datetime_format: str
    date_order: str
    currency: str
    faker_locale: str
    price_scale: float
    decimal_separator: str
    sheet_names: Mapping[str, str]
    columns: Mapping[str, Mapping[str, Mapping[str, str]]]
    choices: Mapping[str, Mapping[str, str]]
    reference_lists: Mapping[str, Mapping[str, Any]]
    settings: Mapping[str, Mapping[str, str]]
    about: Mapping[str, str]
    messages: Mapping[str, str]
    #: Issue message templates by issue code (see sheetkit.issues.CODES).
    issues: Mapping[str, str] = field(default_factory=dict)
    #: Report-only labels of the weekly report (sheet names, titles, KPI labels), by snake_case key.
    report: Mapping[str, str] = field(default_factory=dict)
    #: The colour legend sheet: title, column headers, and per LEGEND_KEYS entry {where, meaning}.
    legend: Mapping[str, Any] = field(default_factory=dict)

    def sheet_name(self, sheet: str) -> str:
        """Tab name of a sheet in this locale."""
        return self.sheet_names[sheet]

    def header(self, sheet: str, column: str) -> str:
        """Column header as staff see it."""
        return self.columns[sheet][column]["header"]

    def help(self, sheet: str, column: str) -> str:
        """Help text shown when a cell of the column is selected."""
        return self.columns[sheet][column]["help"]

    def choice_label(self, choice_list: str, key: str) -> str:
        """Display label of one value of a fixed choice list."""
        return self.choices[choice_list][key]

    def choice_labels(self, choice_list: str) -> list[str]:
        """Display labels of a fixed choice list, in template order."""
        return list(self.choices[choice_list].values())

    def reference_title(self, ref: str) -> str:
        """Title of a reference list block on the Lists sheet."""
        return str(self.reference_lists[ref]["title"])

    def reference_header(self, ref: str, column: str) -> str:
        """Header of one column of a reference list."""
        return str(self.reference_lists[ref]["columns"][column])

    def reference_row_name(self, ref: str, key: str) -> str:
        """Display name of a default row of a reference list."""
        return str(self.reference_lists[ref]["rows"][key])

    def message(self, key: str, **values: object) -> str:
        """A validation message, with ``{placeholders}`` filled in."""
        return self.messages[key].format(**values)


@dataclass(frozen=True)
class Template:
    """The whole template: structure plus labels for every locale."""

    id: str
    version: int
    locales: tuple[str, ...]
    default_locale: str
    spare_rows: int
    choice_lists: Mapping[str, tuple[str, ...]]
    reference_lists: Mapping[str, ReferenceList]
    reference_list_rows: int
    settings: tuple[Setting, ...]
    sheets: tuple[Sheet, ...]
    path: Path
    _labels: Mapping[str, Labels] = field(repr=False, compare=False)
    #: Prepared rows grow with the data: at least growth_factor x data rows + spare_rows.
    growth_factor: int = 10

    #: The sheets every workbook has besides the data sheets, in workbook order.
    SUPPORT_SHEETS: ClassVar[tuple[str, ...]] = ("lists", "settings", "about")
    #: Sheets a workbook of this template version has for people only (never read): the colour legend.
    GUIDE_SHEETS: ClassVar[tuple[str, ...]] = ("legend",)

    @property
    def tab_keys(self) -> tuple[str, ...]:
        """Canonical keys of every sheet of a workbook, in order: the data sheets, then Lists, Settings, About."""
        return (*(s.key for s in self.sheets), *self.SUPPORT_SHEETS)

    def sheet(self, key: str) -> Sheet:
        """The data sheet with canonical key ``key``."""
        for sheet in self.sheets:
            if sheet.key == key:
                return sheet
        raise KeyError(f"template has no sheet {key!r}")

    def labels(self, locale: str | None = None) -> Labels:
        """Labels of ``locale`` (the template's default locale if None)."""
        name = locale or self.default_locale
        try:
            return self._labels[name]
        except KeyError:
            raise UnknownLocaleError(name, available=list(self.locales)) from None

    def is_reference_list(self, name: str) -> bool:
        """True when ``name`` is a manager-edited list, False for a fixed list."""
        return name in self.reference_lists

    def prepared_capacity(self, rows: int) -> int:
        """Data rows below the header that carry validation, formats and formulas for ``rows`` rows of data.

        With the canonical template (spare_rows 10,000, growth_factor 10): 0 rows -> 10,000, 3,000 -> 40,000.
        """
        return max(rows + self.spare_rows, self.growth_factor * rows + self.spare_rows)

    def setting(self, key: str) -> Setting:
        """The setting with key ``key``."""
        for s in self.settings:
            if s.key == key:
                return s
        raise KeyError(f"template has no setting {key!r}")
