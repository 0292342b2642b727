"""Spreadsheet files on disk: sniffing, raw cells, the .xlsx/.ods XML scans, and the xlsxwriter writer.

- :mod:`~sheetkit.excel.sniff` identifies a file by content and refuses unusable or unsafe ones, with
  :mod:`~sheetkit.excel.zipcheck` (zip bombs, XML parts), :mod:`~sheetkit.excel.partscan` (every part
  inflated once: sizes that lie, checksums), :mod:`~sheetkit.excel.cellguard` (cells and counts that would
  make a Rust reader abort), :mod:`~sheetkit.excel.compound` (OLE2: .xls, encrypted .xlsx) and
  :mod:`~sheetkit.excel.refusals` (the messages);
- :mod:`~sheetkit.excel.pinned` holds the file open from sniffing to the last cell and tells whether it
  changed meanwhile;
- :mod:`~sheetkit.excel.cells` reads every cell as text (fastexcel for .xlsx, calamine for .xls/.ods);
- :mod:`~sheetkit.excel.xlsx_scan` and :mod:`~sheetkit.excel.ods_scan` find how cells are stored;
- :mod:`~sheetkit.excel.reader` ties them to the source-neutral reader (:func:`read_workbook`);
- :mod:`~sheetkit.excel.writer` writes the canonical workbook (:func:`write_excel`, :func:`new_workbook`).
"""
