"""Sending Google API traffic to a Sheets API emulator instead of Google.

Like the ``*_EMULATOR_HOST`` variables of Google's own SDKs: when
``SHEETKIT_SHEETS_EMULATOR`` is set (``http://127.0.0.1:8085``), every request
for a ``googleapis.com`` host — Sheets, Drive, OAuth token, IAM credentials —
goes to that address instead, and any other host is refused (fail closed, so
nothing leaks to the internet by accident). Useful for a local stand-in in
tests, for an offline demo, or behind a forwarding proxy.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any, Final
from urllib.parse import urlsplit, urlunsplit

import requests
from requests.adapters import HTTPAdapter

from sheetkit.errors import UsageError

__all__ = ["ENV_EMULATOR", "EmulatorAdapter", "transport_from_env"]

ENV_EMULATOR: Final = "SHEETKIT_SHEETS_EMULATOR"


class EmulatorAdapter(HTTPAdapter):
    """A requests adapter that rewrites Google API hosts to ``base_url``."""

    __attrs__ = [*HTTPAdapter.__attrs__, "base_url"]  # noqa: RUF012 (requests declares it this way)  # google-auth deep-copies adapters

    def __init__(self, base_url: str) -> None:
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise UsageError(f"{ENV_EMULATOR}={base_url!r} is not an address like http://127.0.0.1:8085")
        self.base_url = base_url.rstrip("/")
        super().__init__()

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> requests.Response:
        url = urlsplit(request.url or "")
        base = urlsplit(self.base_url)
        host = url.hostname or ""
        if not (host == "googleapis.com" or host.endswith(".googleapis.com") or url.netloc == base.netloc):
            raise requests.ConnectionError(f"{ENV_EMULATOR} is set: refusing to contact {host}")
        request.url = urlunsplit((base.scheme, base.netloc, url.path, url.query, url.fragment))
        return super().send(request, *args, **kwargs)


def transport_from_env(environ: Mapping[str, str] | None = None) -> EmulatorAdapter | None:
    """The emulator adapter when ``SHEETKIT_SHEETS_EMULATOR`` is set, else None (talk to Google)."""
    value = (os.environ if environ is None else environ).get(ENV_EMULATOR)
    return EmulatorAdapter(value) if value else None
