"""All of Google Sheets: credentials, limits, a rate-limited and retried client, transport, writer, reader.

- :mod:`~sheetkit.gsheets.auth`: service-account and user OAuth credentials, narrowest scopes;
- :mod:`~sheetkit.gsheets.limits`: per-account and per-project quota windows, bounded jittered retries;
- :mod:`~sheetkit.gsheets.client`: :class:`SheetsClient` over gspread's HTTP client and google-auth;
- :mod:`~sheetkit.gsheets.transport`: the emulator seam (``SHEETKIT_SHEETS_EMULATOR``);
- :mod:`~sheetkit.gsheets.writer`: the canonical workbook as a Google Sheet (:func:`write_gsheet`), built from
  :mod:`~sheetkit.gsheets.plan` (tabs and values, checked before any request),
  :mod:`~sheetkit.gsheets.structure` (the one structure batchUpdate) and
  :mod:`~sheetkit.gsheets.dialect` (Excel formulas as Google parses them);
- :mod:`~sheetkit.gsheets.reader`: one ``values.batchGet`` into the source-neutral reader (:func:`read_gsheet`).
"""
