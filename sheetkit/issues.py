"""Issues: what is wrong in a workbook, cell by cell, in the staff's language.

An :class:`Issue` knows its stable code, sheet, row (as the user sees it), column
header (as the user sees it), A1 cell and offending value, and carries a
message in the workbook's language and in English. A :class:`ValidationResult`
holds the typed frames (good rows stay usable) and every Issue.

Codes and their severity are declared in :data:`CODES`; message templates live
in the template's locale files under ``issues:``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields
from typing import Any, Final, Literal

import pandas as pd

from sheetkit.frames import DATA_SHEETS, WorkbookData
from sheetkit.template import Labels, Template, load_template
from sheetkit.template.geometry import SETTINGS_VALUE_COLUMN, column_letter

__all__ = ["CODES", "Issue", "IssueCode", "IssueFactory", "Severity", "SheetInfo", "ValidationResult"]

Severity = Literal["error", "warning"]
#: Every issue code, as a type: mypy checks each code written in sheetkit against this list.
IssueCode = Literal[
    "missing-column",
    "missing-optional-column",
    "extra-column",
    "duplicate-column",
    "merged-cells",
    "hidden-row",
    "blank-row",
    "blank-rows",
    "renamed-column",
    "open-elsewhere",
    "formula-in-data",
    "error-cell",
    "old-template-version",
    "upgrade-available",
    "prepared-area-exceeded",
    "prepared-area-nearly-full",
    "required-missing",
    "placeholder-value",
    "not-a-date",
    "ambiguous-date",
    "impossible-date",
    "serial-number-date",
    "not-a-month-day",
    "not-a-number",
    "not-a-whole-number",
    "phone-as-number",
    "id-as-number",
    "invalid-phone",
    "invalid-email",
    "unknown-choice",
    "control-characters",
    "text-too-long",
    "out-of-range",
    "duplicate-id",
    "client-in-several-branches",
    "client-id-conflict",
    "unknown-client",
    "unknown-list-value",
    "future-date",
    "implausible-birth-date",
    "status-date-mismatch",
    "booked-after-scheduled",
    "branch-not-loaded",
    "settings-differ",
    "currency-differs",
    "patch-test-missing",
    "consent-mismatch",
    "retention-period-passed",
    "probable-duplicate",
    "date-order-assumed",
]

#: Every issue code sheetkit emits, with its severity. Codes are stable: scripts may rely on them.
CODES: Final[Mapping[IssueCode, Severity]] = {
    # workbook structure
    "missing-column": "error",
    "missing-optional-column": "warning",
    "extra-column": "warning",
    "duplicate-column": "error",
    "merged-cells": "error",
    "hidden-row": "warning",
    "blank-row": "warning",
    "blank-rows": "warning",
    "renamed-column": "error",
    "open-elsewhere": "warning",
    "formula-in-data": "error",
    "error-cell": "error",
    # Emitted before template v2; a workbook of an older version now gets upgrade-available.
    "old-template-version": "warning",
    "upgrade-available": "warning",
    "prepared-area-exceeded": "warning",
    "prepared-area-nearly-full": "warning",
    # one cell
    "required-missing": "error",
    "placeholder-value": "warning",
    "not-a-date": "error",
    "ambiguous-date": "error",
    "impossible-date": "error",
    "serial-number-date": "error",
    "not-a-month-day": "error",
    "not-a-number": "error",
    "not-a-whole-number": "error",
    "phone-as-number": "error",
    "id-as-number": "error",
    "invalid-phone": "warning",
    "invalid-email": "error",
    "unknown-choice": "error",
    "control-characters": "warning",
    "text-too-long": "error",
    "out-of-range": "error",
    # across rows and sheets
    "duplicate-id": "error",
    "client-in-several-branches": "warning",
    "client-id-conflict": "warning",
    "unknown-client": "error",
    "unknown-list-value": "error",
    "future-date": "error",
    "implausible-birth-date": "error",
    "status-date-mismatch": "warning",
    "booked-after-scheduled": "warning",
    "patch-test-missing": "error",
    "consent-mismatch": "warning",
    "retention-period-passed": "warning",
    # sheetkit import: what the import could not decide alone
    "probable-duplicate": "warning",
    "date-order-assumed": "warning",
    # a chain of branches
    "branch-not-loaded": "error",
    "settings-differ": "warning",
    "currency-differs": "error",
}


@dataclass
class SheetInfo:
    """Where a sheet's columns are, as staff see them: tab name, and per canonical key its header and letter."""

    key: str
    name: str
    headers: dict[str, str] = field(default_factory=dict)
    letters: dict[str, str] = field(default_factory=dict)

    def cell(self, column: str, row: int) -> str | None:
        """A1 cell of a column at a sheet row, if the column exists."""
        letter = self.letters.get(column)
        return f"{letter}{row}" if letter else None

    @classmethod
    def settings(cls, template: Template, labels: Labels, name: str | None = None) -> SheetInfo:
        """The Settings sheet: every setting's value cell is in the value column, under the "value" header."""
        header = labels.settings["header"]["value"]
        letter = column_letter(SETTINGS_VALUE_COLUMN)
        keys = [s.key for s in template.settings]
        return cls(
            "settings",
            name if name is not None else labels.sheet_name("settings"),
            headers=dict.fromkeys(keys, header),
            letters=dict.fromkeys(keys, letter),
        )


@dataclass(frozen=True)
class Issue:
    """One thing to fix, located as precisely as the workbook allows."""

    code: IssueCode
    severity: Severity
    sheet: str
    row: int | None
    column: str | None
    cell: str | None
    value: str | None
    message: str
    message_en: str
    #: Canonical keys, for programs: ``sheet_key`` like "visits", ``column_key`` like "visit_date".
    sheet_key: str | None = None
    column_key: str | None = None
    #: Branch code from the registry, when the Issue comes from a chain consolidation.
    branch: str | None = None
    #: What the message was made from (value, header, sheet, row, bounds...): to say it in another language.
    fields: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready form (what ``sheetkit check --json`` prints)."""
        data = asdict(self)
        del data["fields"]
        return data

    def message_in(self, lang: str, template: Template | None = None) -> str:
        """The message in ``lang`` (a template locale), with this Issue's sheet, header and value.

        >>> import sheetkit as sk
        >>> issue = IssueFactory(sk.load_template(), "it").make("blank-row", sheet="Clienti", row=7)
        >>> issue.message_in("en") == issue.message_en
        True
        """
        if lang == "en":
            return self.message_en
        if not self.fields:
            return self.message
        labels = (template or load_template()).labels(lang)
        return _format(labels, self.code, self.fields)


@dataclass
class ValidationResult:
    """Typed frames plus every Issue; ``valid`` is True when no Issue is an error."""

    frames: WorkbookData
    issues: list[Issue] = field(default_factory=list)
    locale: str = "en"
    source: str | None = None

    @property
    def valid(self) -> bool:
        """True when there is no error-level Issue (warnings allowed)."""
        return not any(i.severity == "error" for i in self.issues)

    @property
    def errors(self) -> list[Issue]:
        """Issues of severity error."""
        return [i for i in self.issues if i.severity == "error"]

    def issues_frame(self) -> pd.DataFrame:
        """Every Issue as one row of a DataFrame, in the order of :attr:`issues`.

        Columns: code, severity, sheet, row, column, cell, value, message,
        message_en, sheet_key, column_key, branch (``row`` is ``Int64``: blank for
        an Issue of a whole sheet or workbook).

        >>> import sheetkit as sk
        >>> ValidationResult(frames=sk.WorkbookData.empty()).issues_frame().columns.tolist()[:8]
        ['code', 'severity', 'sheet', 'row', 'column', 'cell', 'value', 'message']
        """
        columns = [f.name for f in fields(Issue) if f.name != "fields"]
        frame = pd.DataFrame([[getattr(i, c) for c in columns] for i in self.issues], columns=columns, dtype=object)
        frame["row"] = frame["row"].astype("Int64")
        return frame

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary: validity, counts per code, and every Issue."""
        counts: dict[str, int] = {}
        for issue in self.issues:
            counts[issue.code] = counts.get(issue.code, 0) + 1
        return {
            "source": self.source,
            "locale": self.locale,
            "valid": self.valid,
            "rows": {key: len(self.frames.frame(key)) for key in DATA_SHEETS},
            "counts": dict(sorted(counts.items())),
            "issues": [i.to_dict() for i in self.issues],
        }


class IssueFactory:
    """Makes Issues for one workbook: localizes the message and fills sheet names and headers."""

    def __init__(self, template: Template, locale: str) -> None:
        self.template = template
        self.labels: Labels = template.labels(locale)
        self.english: Labels = template.labels("en")

    def make(
        self,
        code: IssueCode,
        *,
        sheet: str,
        sheet_key: str | None = None,
        row: int | None = None,
        column: str | None = None,
        column_key: str | None = None,
        cell: str | None = None,
        value: Any = None,
        **params: Any,
    ) -> Issue:
        """An Issue with messages in the workbook's language and in English."""
        severity = CODES[code]
        shown = None if value is None else _show(value)
        fields = {"value": shown, "header": column or "", "sheet": sheet, "row": row, **params}
        if code == "missing-column" and params.get("optional"):
            severity = "warning"
            code = "missing-optional-column"
        return Issue(
            code=code,
            severity=severity,
            sheet=sheet,
            row=row,
            column=column,
            cell=cell,
            value=shown,
            message=_format(self.labels, code, fields),
            message_en=_format(self.english, code, fields),
            sheet_key=sheet_key,
            column_key=column_key,
            fields=fields,
        )

    def at(
        self,
        code: IssueCode,
        where: SheetInfo,
        *,
        row: int | None = None,
        column: str | None = None,
        value: Any = None,
        cell: str | None = None,
        shown_header: str | None = None,
        **params: Any,
    ) -> Issue:
        """An Issue on a sheet: its name, and the column's header and A1 cell, come from ``where``.

        ``column`` is the canonical key. A cell the template has no column for
        (a header staff added, a merged range) is given as ``cell`` and
        ``shown_header``.
        """
        return self.make(
            code,
            sheet=where.name,
            sheet_key=where.key,
            row=row,
            column=shown_header or (where.headers.get(column) if column else None),
            column_key=column,
            cell=cell or (where.cell(column, row) if column and row is not None else None),
            value=value,
            **params,
        )


def _show(value: Any) -> str:
    text = value if isinstance(value, str) else str(value)
    return text if len(text) <= 200 else text[:199] + "…"


def _format(labels: Labels, code: str, fields: Mapping[str, Any]) -> str:
    template = labels.issues.get(code) or code
    order = fields.get("order")
    if isinstance(order, str):  # DMY -> "day/month/year" in the message's language (report labels order_dmy, ...)
        fields = {**fields, "order": labels.report.get(f"order_{order.lower()}", order)}
    try:
        return template.format_map(_Defaults(fields))
    except (ValueError, IndexError):  # a malformed template must not hide the issue itself
        return f"{template} ({fields.get('value')})"


class _Defaults(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return ""
