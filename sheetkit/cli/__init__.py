"""The ``sheetkit`` command line: a thin layer over the public functions.

Each command parses its arguments, calls the same function a notebook calls and
renders the result. Everything that comes from a workbook, a registry or a path
is shown literally: it goes into rich ``Text`` (never markup) after
:func:`shown` has made control, direction and invisible characters visible, so
a cell cannot crash the output, hide a link, move the cursor or recolour the
terminal. Whatever a command raises ends as one line on stderr and an exit
status: sheetkit's own errors and failing files as ``error: ...`` with status 2
(with ``--json`` also ``{"error": ..., "type": ...}`` on stdout), Ctrl-C as
``interrupted`` with status 130, anything else as an unexpected error to report.
"""

from __future__ import annotations

from sheetkit.cli import (  # noqa: F401  # registers the commands on the app
    importing,  # registers import
    privacy,  # registers extract, export-client, forget
    sheets,
    upgrade,  # registers upgrade, gsheets upgrade
    workbook,
)
from sheetkit.cli.app import app, main, run
from sheetkit.cli.console import shown

__all__ = ["app", "main", "run", "shown"]
