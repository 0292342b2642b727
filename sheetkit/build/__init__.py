"""Build the canonical workbook: layout, formulas, and the Excel writer."""

from __future__ import annotations

from pathlib import Path

from sheetkit.build.excel import write_excel
from sheetkit.template import Template

__all__ = ["new_workbook", "write_excel"]


def new_workbook(
    path: Path | str, *, locale: str = "en", overwrite: bool = False, template: Template | None = None
) -> Path:
    """Create an empty client-allocation workbook (default lists and settings only).

    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> new_workbook(folder / "clients.xlsx", locale="zh-CN").name
    'clients.xlsx'
    """
    return write_excel(path, None, locale=locale, overwrite=overwrite, template=template)
