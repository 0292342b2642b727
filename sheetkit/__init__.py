"""sheetkit: client-allocation workbooks for salons, skin-care centres and spas.

>>> import sheetkit as sk
>>> sk.load_template().labels("zh-CN").header("clients", "full_name")
'姓名'

Every name in ``__all__`` is importable from here; each is loaded on first use,
so ``import sheetkit`` (and the command line's ``--help``) stays fast. Errors
form one tree under :class:`SheetkitError`; the full tree is in
:mod:`sheetkit.errors`. The import layers are drawn in ``docs/architecture.md``.
"""

import importlib as _importlib
import logging as _logging
import typing as _typing

from sheetkit._version import __version__

if _typing.TYPE_CHECKING:
    from sheetkit import analytics, report
    from sheetkit.analytics.intervals import client_intervals, staff_view
    from sheetkit.chain import ChainResult, load_registry, pull_chain
    from sheetkit.demo import generate_demo, write_demo
    from sheetkit.errors import SheetkitError, TemplateError, UsageError, WorkbookError
    from sheetkit.excel.reader import read_workbook
    from sheetkit.excel.upgrade import rewrite_workbook, upgrade_workbook
    from sheetkit.excel.writer import new_workbook, write_excel
    from sheetkit.frames import WorkbookData
    from sheetkit.gsheets.auth import load_account
    from sheetkit.gsheets.client import SheetsClient
    from sheetkit.gsheets.reader import read_gsheet
    from sheetkit.gsheets.upgrade import upgrade_gsheet
    from sheetkit.gsheets.writer import write_gsheet
    from sheetkit.importing import import_records
    from sheetkit.issues import Issue, ValidationResult
    from sheetkit.privacy import forget_client, write_client_export, write_extract
    from sheetkit.privacy.gsheets_forget import forget_gsheet_client
    from sheetkit.read.workbook import Workbook
    from sheetkit.report import WeeklyReport, build_report, chain_report, weekly_report
    from sheetkit.template import Template, load_template
    from sheetkit.validation import validate

# A library logs to "sheetkit" and lets the application choose where it goes (the CLI: --verbose).
_logging.getLogger("sheetkit").addHandler(_logging.NullHandler())

#: Public name -> the module that defines it (a module name alone: the name is that module).
_HOMES: dict[str, str] = {
    "ChainResult": "sheetkit.chain",
    "Issue": "sheetkit.issues",
    "SheetkitError": "sheetkit.errors",
    "SheetsClient": "sheetkit.gsheets.client",
    "Template": "sheetkit.template",
    "TemplateError": "sheetkit.errors",
    "UsageError": "sheetkit.errors",
    "ValidationResult": "sheetkit.issues",
    "WeeklyReport": "sheetkit.report",
    "Workbook": "sheetkit.read.workbook",
    "WorkbookData": "sheetkit.frames",
    "WorkbookError": "sheetkit.errors",
    "analytics": "sheetkit.analytics",
    "build_report": "sheetkit.report",
    "chain_report": "sheetkit.report",
    "client_intervals": "sheetkit.analytics.intervals",
    "forget_client": "sheetkit.privacy",
    "forget_gsheet_client": "sheetkit.privacy.gsheets_forget",
    "generate_demo": "sheetkit.demo",
    "import_records": "sheetkit.importing",
    "load_account": "sheetkit.gsheets.auth",
    "load_registry": "sheetkit.chain",
    "load_template": "sheetkit.template",
    "new_workbook": "sheetkit.excel.writer",
    "pull_chain": "sheetkit.chain",
    "read_gsheet": "sheetkit.gsheets.reader",
    "read_workbook": "sheetkit.excel.reader",
    "report": "sheetkit.report",
    "rewrite_workbook": "sheetkit.excel.upgrade",
    "staff_view": "sheetkit.analytics.intervals",
    "upgrade_gsheet": "sheetkit.gsheets.upgrade",
    "upgrade_workbook": "sheetkit.excel.upgrade",
    "validate": "sheetkit.validation",
    "weekly_report": "sheetkit.report",
    "write_client_export": "sheetkit.privacy",
    "write_demo": "sheetkit.demo",
    "write_excel": "sheetkit.excel.writer",
    "write_extract": "sheetkit.privacy",
    "write_gsheet": "sheetkit.gsheets.writer",
}

__all__ = [
    "ChainResult",
    "Issue",
    "SheetkitError",
    "SheetsClient",
    "Template",
    "TemplateError",
    "UsageError",
    "ValidationResult",
    "WeeklyReport",
    "Workbook",
    "WorkbookData",
    "WorkbookError",
    "__version__",
    "analytics",
    "build_report",
    "chain_report",
    "client_intervals",
    "forget_client",
    "forget_gsheet_client",
    "generate_demo",
    "import_records",
    "load_account",
    "load_registry",
    "load_template",
    "new_workbook",
    "pull_chain",
    "read_gsheet",
    "read_workbook",
    "report",
    "rewrite_workbook",
    "staff_view",
    "upgrade_gsheet",
    "upgrade_workbook",
    "validate",
    "weekly_report",
    "write_client_export",
    "write_demo",
    "write_excel",
    "write_extract",
    "write_gsheet",
]


def __getattr__(name: str) -> object:
    """Load a public name on first use (PEP 562)."""
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'sheetkit' has no attribute {name!r}")
    module = _importlib.import_module(home)
    value = module if home == f"sheetkit.{name}" else getattr(module, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(__all__) | {k for k in globals() if k.startswith("__")})
