"""Bring a salon's existing records in: hand-made sheets and vendor exports into the workbook.

:func:`import_records` reads the sources, proposes the mapping, and reads and checks the
rows the way ``sheetkit check`` does; :func:`write_import` writes a new workbook or
appends to an existing one. See ``docs/guides/import.md``.
"""

from __future__ import annotations

from sheetkit.importing.mapping import MappingFile, load_mapping_file
from sheetkit.importing.records import import_records
from sheetkit.importing.result import ImportResult, SourceReport
from sheetkit.importing.write import WriteOutcome, write_import

__all__ = [
    "ImportResult",
    "MappingFile",
    "SourceReport",
    "WriteOutcome",
    "import_records",
    "load_mapping_file",
    "write_import",
]
