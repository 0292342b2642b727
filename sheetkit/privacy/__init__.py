"""Privacy: pseudonymised extracts for analysts, erasure of one client, the client's access export.

- :mod:`~sheetkit.privacy.columns`: what each column's template ``sensitivity`` means for privacy;
- :mod:`~sheetkit.privacy.pseudonyms`: the key file, keyed HMAC pseudonyms, erasure tombstones;
- :mod:`~sheetkit.privacy.extract`: :func:`write_extract`, Parquet per sheet and a manifest;
- :mod:`~sheetkit.privacy.access`: :func:`write_client_export`, everything held on one client (JSON, HTML);
- :mod:`~sheetkit.privacy.erasure` and :mod:`~sheetkit.privacy.forget`: :func:`forget_client`, erasure of one
  client with a tombstone, verification and an erasure log;

Retention (which ended relationships are past the retention period) is a check:
:mod:`sheetkit.record_keeping`.
"""

from __future__ import annotations

from sheetkit.privacy.access import client_record, write_client_export
from sheetkit.privacy.extract import extract_frames, write_extract
from sheetkit.privacy.forget import erasure_log_path, forget_client
from sheetkit.privacy.pseudonyms import load_key, pseudonym

__all__ = [
    "client_record",
    "erasure_log_path",
    "extract_frames",
    "forget_client",
    "load_key",
    "pseudonym",
    "write_client_export",
    "write_extract",
]
