"""sheetkit: client-allocation workbooks for salons, skin-care centres and spas.

>>> import sheetkit as sk
>>> sk.load_template().labels("zh-CN").header("clients", "full_name")
'姓名'

Errors form one tree under :class:`SheetkitError`; the full tree is in :mod:`sheetkit.errors`.
"""

from __future__ import annotations

__version__ = "0.1.0"

from sheetkit.analytics.intervals import client_intervals, staff_view
from sheetkit.chain import load_registry, pull_chain
from sheetkit.demo import generate_demo, write_demo
from sheetkit.errors import SheetkitError, TemplateError, WorkbookError
from sheetkit.excel.reader import read_workbook
from sheetkit.excel.writer import new_workbook, write_excel
from sheetkit.frames import WorkbookData
from sheetkit.gsheets.auth import load_account
from sheetkit.gsheets.client import SheetsClient
from sheetkit.gsheets.reader import read_gsheet
from sheetkit.gsheets.writer import write_gsheet
from sheetkit.issues import Issue, ValidationResult
from sheetkit.read.workbook import Workbook
from sheetkit.template import Template, load_template
from sheetkit.validate import validate

__all__ = [
    "Issue",
    "SheetkitError",
    "SheetsClient",
    "Template",
    "TemplateError",
    "ValidationResult",
    "Workbook",
    "WorkbookData",
    "WorkbookError",
    "__version__",
    "client_intervals",
    "generate_demo",
    "load_account",
    "load_registry",
    "load_template",
    "new_workbook",
    "pull_chain",
    "read_gsheet",
    "read_workbook",
    "staff_view",
    "validate",
    "write_demo",
    "write_excel",
    "write_gsheet",
]
