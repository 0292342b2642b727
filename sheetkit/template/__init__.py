"""The workbook template: its declaration and everything derived from it alone.

- :mod:`~sheetkit.template.model`: frozen dataclasses (sheets, columns, settings, labels);
- :mod:`~sheetkit.template.loader`: reads and checks ``workbook_templates/`` (labels: :mod:`~sheetkit.template.labels`);
- :mod:`~sheetkit.template.geometry`: positions, A1 references and defined names;
- :mod:`~sheetkit.template.rules`: backend-neutral validation rules;
- :mod:`~sheetkit.template.formulas`: staff-view formulas and conditional formats;
- :mod:`~sheetkit.template.values`: frame values as cell values, About and Settings rows;
- :mod:`~sheetkit.template.defaults`: default lists and settings of a new workbook;
- :mod:`~sheetkit.template.styles`: colours and number formats both writers use.

>>> t = load_template()
>>> t.sheet("clients").column("client_id").type
'id'
>>> t.labels("it").header("clients", "client_id")
'Codice cliente'
"""

from __future__ import annotations

from sheetkit.template.loader import default_template_dir, load_template
from sheetkit.template.model import (
    DATE_TYPES,
    MULTICHOICE_SEPARATOR,
    NUMBER_TYPES,
    TEXT_TYPES,
    Column,
    ColumnType,
    Labels,
    ReferenceList,
    Setting,
    SettingBound,
    Sheet,
    Template,
    resolve_bound,
)

__all__ = [
    "DATE_TYPES",
    "MULTICHOICE_SEPARATOR",
    "NUMBER_TYPES",
    "TEXT_TYPES",
    "Column",
    "ColumnType",
    "Labels",
    "ReferenceList",
    "Setting",
    "SettingBound",
    "Sheet",
    "Template",
    "default_template_dir",
    "load_template",
    "resolve_bound",
]
