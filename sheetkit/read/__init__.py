"""Source-neutral reading: header matching, typed parsing, Issues.

A source (a workbook file from :mod:`sheetkit.excel`, a Google Sheet from
:mod:`sheetkit.gsheets`) gives raw cells as text (:mod:`~sheetkit.read.raw`);
:mod:`~sheetkit.read.headers` finds sheets and headers in any language,
:mod:`~sheetkit.read.workbook` reads each sheet into a typed frame and
:mod:`~sheetkit.read.parse` parses each column by its template type.
"""
