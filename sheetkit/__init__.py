"""sheetkit: client-allocation workbooks for salons, skin-care centres and spas.

>>> import sheetkit as sk
>>> sk.load_template().labels("zh-CN").header("clients", "full_name")
'姓名'
"""

from __future__ import annotations

__version__ = "0.1.0"

from sheetkit.analytics.intervals import client_intervals, staff_view
from sheetkit.build import new_workbook, write_excel
from sheetkit.demo import generate_demo, write_demo
from sheetkit.errors import (
    SheetkitError,
    TemplateError,
    UnknownLocaleError,
    UsageError,
    WorkbookError,
    WorkbookNotFoundError,
    WorkbookWriteError,
)
from sheetkit.frames import WorkbookData
from sheetkit.template import Template, load_template

__all__ = [
    "SheetkitError",
    "Template",
    "TemplateError",
    "UnknownLocaleError",
    "UsageError",
    "WorkbookData",
    "WorkbookError",
    "WorkbookNotFoundError",
    "WorkbookWriteError",
    "__version__",
    "client_intervals",
    "generate_demo",
    "load_template",
    "new_workbook",
    "staff_view",
    "write_demo",
    "write_excel",
]
