"""Load and check one locale file of a template (``locales/<locale>.yaml``) into :class:`Labels`.

This module owns every check of a locale file: each sheet, column, choice list,
reference list and setting of the template has its labels, within the lengths
spreadsheets allow; sheet names are legal and distinct; issue messages and report
labels cover the default locale's. A problem is a
:class:`~sheetkit.errors.TemplateError` naming the file, sheet and column.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

from sheetkit.errors import TemplateError
from sheetkit.template.model import (
    FORBIDDEN_SHEET_CHARS,
    FORMULA_START,
    KEY_RE,
    LEGEND_KEYS,
    MAX_HEADER,
    MAX_HELP,
    MAX_SHEET_NAME,
    MAX_TITLE,
    Labels,
    Template,
)

__all__ = ["load_labels"]


def load_labels(
    template: Template,
    locale: str,
    *,
    file: Path,
    raw: dict[str, Any],
    reference_issue_codes: list[str] | None = None,
    reference_report_keys: list[str] | None = None,
) -> Labels:
    """The labels of ``locale``, from the mapping ``raw`` read from ``file``.

    The default locale is loaded without references; every other locale must have
    the issue messages (``reference_issue_codes``) and exactly the report labels
    (``reference_report_keys``) of the default one.
    """
    return _LabelsLoader(
        template,
        locale,
        file=file,
        raw=raw,
        reference_issue_codes=reference_issue_codes,
        reference_report_keys=reference_report_keys,
    ).load()


class _LabelsLoader:
    def __init__(
        self,
        template: Template,
        locale: str,
        *,
        file: Path,
        raw: dict[str, Any],
        reference_issue_codes: list[str] | None,
        reference_report_keys: list[str] | None,
    ) -> None:
        self.template = template
        self.locale = locale
        self.reference_issue_codes = reference_issue_codes
        self.reference_report_keys = reference_report_keys
        self.file = file
        self.raw = raw

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
        if self.raw.get("locale") != self.locale:
            raise self.fail(f"locale field must be {self.locale!r}")
        names = self._sheet_names()
        columns = self._columns()
        choices = self._choices()
        refs = self._reference_lists()
        settings = self._settings()
        about = self._about()
        messages = self._messages()
        issues = self._issues()
        report = self._report()
        legend = self._legend()
        date_order = self._scalar("date_order")
        if date_order not in self.template.choice_lists.get("date_order", ("DMY", "MDY", "YMD")):
            raise self.fail(f"date_order {date_order!r} must be DMY, MDY or YMD")
        return Labels(
            locale=self.locale,
            language=self._scalar("language"),
            date_format=self._scalar("date_format"),
            datetime_format=self._scalar("datetime_format"),
            date_order=date_order,
            currency=self._scalar("currency"),
            faker_locale=self._scalar("faker_locale"),
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
            legend=legend,
        )

    def _scalar(self, key: str) -> str:
        return self.text(self.raw, key, limit=MAX_HEADER, where=key)

    def _sheet_names(self) -> dict[str, str]:
        """Sheet key -> tab name, for the data sheets and the Lists, Settings and About sheets."""
        sheet_names = self.section("sheets")
        wanted = [*self.template.tab_keys, *self.template.GUIDE_SHEETS]
        names: dict[str, str] = {}
        for key in wanted:
            name = self.text(sheet_names, key, limit=MAX_SHEET_NAME, where=f"sheet name of {key!r}")
            if FORBIDDEN_SHEET_CHARS.search(name):
                raise self.fail(f"sheet name {name!r} contains a character spreadsheets forbid")
            names[key] = name
        if len(set(names.values())) != len(names):
            raise self.fail("two sheets share one name")
        return names

    def _columns(self) -> dict[str, dict[str, dict[str, str]]]:
        """Sheet key -> column key -> its header and help; headers are distinct within a sheet."""
        columns_raw = self.section("columns")
        columns: dict[str, dict[str, dict[str, str]]] = {}
        for sheet in self.template.sheets:
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
        return columns

    def _choices(self) -> dict[str, dict[str, str]]:
        """Choice list -> value key -> its label."""
        choices_raw = self.section("choices")
        choices: dict[str, dict[str, str]] = {}
        for name, keys in self.template.choice_lists.items():
            labels = choices_raw.get(name)
            if not isinstance(labels, dict):
                raise self.fail(f"no labels for choice list {name!r}")
            out = {k: self.text(labels, k, limit=MAX_HEADER, where=f"label of {name}.{k}") for k in keys}
            self._check_labels(out.values(), f"choice list {name!r}")
            choices[name] = out
        return choices

    def _reference_lists(self) -> dict[str, dict[str, Any]]:
        """Reference list -> its title, column headers and the names of its default rows."""
        refs_raw = self.section("reference_lists")
        refs: dict[str, dict[str, Any]] = {}
        for name, ref in self.template.reference_lists.items():
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
        return refs

    def _settings(self) -> dict[str, dict[str, str]]:
        """The Settings sheet's column headers (``header``), and each setting's label and help."""
        settings_raw = self.section("settings")
        settings: dict[str, dict[str, str]] = {}
        settings_header = settings_raw.get("header") or {}
        settings["header"] = {
            k: self.text(settings_header, k, limit=MAX_HEADER, where=f"settings header {k}")
            for k in ("key", "label", "value", "help")
        }
        for s in self.template.settings:
            setting_raw = settings_raw.get(s.key) or {}
            settings[s.key] = {
                "label": self.text(setting_raw, "label", limit=MAX_HEADER, where=f"label of setting {s.key}"),
                "help": self.text(setting_raw, "help", limit=MAX_HELP, where=f"help of setting {s.key}"),
            }
        return settings

    def _about(self) -> dict[str, str]:
        """The labels of the About sheet."""
        about_raw = self.section("about")
        return {
            k: self.text(about_raw, k, limit=MAX_HELP, where=f"about.{k}")
            for k in (
                "title",
                "template_id",
                "template_version",
                "locale",
                "generated_at",
                "generator",
                "prepared_rows",
                "notice",
            )
        }

    def _legend(self) -> dict[str, Any]:
        """The colour legend: title, column headers and, per LEGEND_KEYS entry, where it shows and what it means."""
        raw = self.section("legend")
        legend: dict[str, Any] = {
            k: self.text(raw, k, limit=MAX_HEADER, where=f"legend.{k}") for k in ("title", "colour", "where", "meaning")
        }
        for key in LEGEND_KEYS:
            entry = raw.get(key)
            if not isinstance(entry, dict):
                raise self.fail(f"missing legend entry {key!r}")
            legend[key] = {
                "where": self.text(entry, "where", limit=MAX_HEADER, where=f"legend.{key}.where"),
                "meaning": self.text(entry, "meaning", limit=MAX_HELP, where=f"legend.{key}.meaning"),
            }
        return legend

    def _messages(self) -> dict[str, str]:
        """The data validation messages; their titles fit Excel's limit."""
        messages_raw = self.section("messages")
        message_keys = _MESSAGE_KEYS
        messages = {k: self.text(messages_raw, k, limit=MAX_HELP, where=f"message {k}") for k in message_keys}
        for k in ("error_title", "required_title"):
            if len(messages[k]) > MAX_TITLE:
                raise self.fail(f"message {k} is longer than {MAX_TITLE} characters")
        return messages

    def _issues(self) -> dict[str, str]:
        """Issue code -> its message; every code of the default locale is there."""
        issues_raw = self.section("issues")
        issues = {str(k): self.text(issues_raw, str(k), limit=MAX_HELP, where=f"issue {k}") for k in issues_raw}
        if self.reference_issue_codes is not None:
            missing = sorted(set(self.reference_issue_codes) - set(issues))
            if missing:
                raise self.fail(f"no issue messages for {missing}")
        return issues

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
    "month_day_dm",
    "month_day_md",
)
