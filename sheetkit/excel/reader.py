"""Read a branch workbook file (.xlsx, .xls, .ods): sniff it, open its raw cells, read it as any source.

The file is pinned (:mod:`~sheetkit.excel.pinned`) from sniffing to the last cell,
so every reader sees the bytes the safety checks saw. When the file was saved,
replaced or cut short meanwhile, the reader says so (:class:`WorkbookChangedError`)
rather than report the half-written file as damaged.
"""

from __future__ import annotations

from pathlib import Path

from sheetkit.errors import WorkbookChangedError
from sheetkit.excel.cells import open_raw
from sheetkit.excel.sniff import pin_workbook, sniff_pinned
from sheetkit.read.workbook import Workbook, read_source
from sheetkit.template import Template, load_template

__all__ = ["read_workbook"]


def read_workbook(path: Path | str, *, template: Template | None = None) -> Workbook:
    """Read a branch workbook into typed canonical frames.

    Raises a sheetkit error only for unusable input (missing file, not a
    spreadsheet, encrypted, unsafe, missing sheet, other template, changed while
    being read); everything else is an Issue in ``Workbook.issues``.
    """
    template = template or load_template()
    source = Path(path)
    with pin_workbook(source) as pinned:
        try:
            kind = sniff_pinned(pinned)
            book = read_source(open_raw(source, kind, source=pinned.source), path=source, kind=kind, template=template)
        except Exception:
            if pinned.changed():
                raise WorkbookChangedError(source) from None
            raise
        if pinned.changed():
            raise WorkbookChangedError(source)
        return book
