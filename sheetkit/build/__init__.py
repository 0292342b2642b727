"""Build the canonical workbook: layout, formulas, and the Excel writer."""

from __future__ import annotations

from sheetkit.build.excel import write_excel

__all__ = ["write_excel"]
