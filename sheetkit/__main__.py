"""``python -m sheetkit``: the same command line as ``sheetkit``."""

from sheetkit.cli import run

run()
