"""What privacy does to each column, read from the template alone (``sensitivity`` and ``references``).

Nothing here names a column: a column added to the template is handled by its
declaration. The actions, for a pseudonymised extract:

- ``pseudonym``: ``clients.client_id`` and every column that ``references`` it
  (visit, appointment, feedback... client IDs, ``referred_by``);
- ``drop``: ``personal`` (direct identifiers) and ``free_text`` columns, and
  ``quasi`` columns that are not dates;
- ``year``: ``quasi`` dates keep only their year;
- ``flag``: ``health`` columns become a boolean ``has_<key>``: something other
  than blank or an explicit "none" is recorded;
- ``keep``: everything else.

>>> from sheetkit.template import load_template
>>> plan = column_plan(load_template().sheet("clients"))
>>> plan["client_id"], plan["full_name"], plan["birth_date"], plan["allergies"], plan["skin_type"]
('pseudonym', 'drop', 'year', 'flag', 'keep')
"""

from __future__ import annotations

from typing import Final, Literal

from sheetkit.template import DATE_TYPES, Column, Sheet, Template

__all__ = ["CLIENT_ID", "Action", "client_id_columns", "column_plan", "is_client_id", "output_name"]

Action = Literal["pseudonym", "drop", "year", "flag", "keep"]
#: The column every client-ID column refers to.
CLIENT_ID: Final = "clients.client_id"


def is_client_id(sheet: Sheet, column: Column) -> bool:
    """True for the client ID of the Clients sheet and every column that refers to it."""
    return CLIENT_ID in (f"{sheet.key}.{column.key}", column.references)


def client_id_columns(template: Template) -> list[tuple[str, str]]:
    """(sheet, column) of every column that holds a client ID, in template order."""
    return [(s.key, c.key) for s in template.sheets for c in s.data_columns if is_client_id(s, c)]


def action(sheet: Sheet, column: Column) -> Action:
    """What an extract does to one column."""
    if is_client_id(sheet, column):
        return "pseudonym"
    if column.sensitivity in ("personal", "free_text"):
        return "drop"
    if column.sensitivity == "quasi":
        return "year" if column.type in DATE_TYPES and column.type != "month-day" else "drop"
    if column.sensitivity == "health":
        return "flag"
    return "keep"


def column_plan(sheet: Sheet) -> dict[str, Action]:
    """The action for every data column of a sheet, in sheet order (formula columns are never data)."""
    return {column.key: action(sheet, column) for column in sheet.data_columns}


def output_name(key: str, act: Action) -> str | None:
    """The column's name in an extract (None when it is dropped)."""
    if act == "drop":
        return None
    if act == "flag":
        return f"has_{key}"
    if act == "year":
        return f"{key}_year"
    return key
