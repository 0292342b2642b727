"""Source-neutral reading: header matching, typed parsing, Issues.

A source (a workbook file from :mod:`sheetkit.excel`, a Google Sheet from
:mod:`sheetkit.gsheets`) gives raw cells as text (:mod:`~sheetkit.read.raw`);
:mod:`~sheetkit.read.workbook` finds sheets and headers in any language and
:mod:`~sheetkit.read.parse` parses each column by its template type.
"""
