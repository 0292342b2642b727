"""sheetkit: client-allocation workbooks for salons, skin-care centres and spas.

>>> import sheetkit as sk
>>> sk.load_template().labels("zh-CN").header("clients", "full_name")
'姓名'

Errors form one tree under :class:`SheetkitError`; the full tree is in :mod:`sheetkit.errors`.
"""

from __future__ import annotations

__version__ = "0.1.0"

from sheetkit.analytics.intervals import client_intervals, staff_view
from sheetkit.build import new_workbook, write_excel
from sheetkit.demo import generate_demo, write_demo
from sheetkit.errors import SheetkitError, TemplateError, WorkbookError
from sheetkit.frames import WorkbookData
from sheetkit.issues import Issue, ValidationResult
from sheetkit.read.workbook import Workbook, read_workbook
from sheetkit.template import Template, load_template
from sheetkit.validate import validate

__all__ = [
    "Issue",
    "SheetkitError",
    "Template",
    "TemplateError",
    "ValidationResult",
    "Workbook",
    "WorkbookData",
    "WorkbookError",
    "__version__",
    "client_intervals",
    "generate_demo",
    "load_template",
    "new_workbook",
    "read_workbook",
    "staff_view",
    "validate",
    "write_demo",
    "write_excel",
]
