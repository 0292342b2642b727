"""Read a branch workbook file (.xlsx, .xls, .ods): sniff it, open its raw cells, read it as any source."""

from __future__ import annotations

from pathlib import Path

from sheetkit.errors import WorkbookNotFoundError
from sheetkit.excel.cells import open_raw
from sheetkit.excel.sniff import sniff_workbook
from sheetkit.read.workbook import Workbook, read_source
from sheetkit.template import Template, load_template

__all__ = ["read_workbook"]


def read_workbook(path: Path | str, *, template: Template | None = None) -> Workbook:
    """Read a branch workbook into typed canonical frames.

    Raises a sheetkit error only for unusable input (missing file, not a
    spreadsheet, encrypted, unsafe, missing sheet, other template); everything
    else is an Issue in ``Workbook.issues``.
    """
    template = template or load_template()
    source = Path(path)
    if not source.exists():
        raise WorkbookNotFoundError(source)
    kind = sniff_workbook(source)
    return read_source(open_raw(source, kind), path=source, kind=kind, template=template)
