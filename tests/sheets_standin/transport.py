"""Sending Google API traffic to the stand-in: a requests adapter that rewrites Google hosts, fail closed."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import urlsplit, urlunsplit

import requests
from requests.adapters import HTTPAdapter

if TYPE_CHECKING:
    from .standin import SheetsStandIn

GOOGLE_HOSTS = frozenset(
    {
        "sheets.googleapis.com",
        "www.googleapis.com",
        "oauth2.googleapis.com",
        "iamcredentials.googleapis.com",
        "iamcredentials.mtls.googleapis.com",
    }
)


class _Ref:
    """Holds the stand-in across the deep copy google-auth makes of transports (copies share it)."""

    def __init__(self, standin: SheetsStandIn) -> None:
        self.standin = standin

    def __deepcopy__(self, memo: dict[int, Any]) -> _Ref:
        return self

    def __copy__(self) -> _Ref:
        return self


class LocalGoogleAdapter(HTTPAdapter):
    """Rewrites ``https://{sheets,www,oauth2,iamcredentials}.googleapis.com`` (and the stand-in's own
    ``http://127.0.0.1:PORT``) to the stand-in; any other host raises ``requests.ConnectionError``."""

    __attrs__: ClassVar[list[str]] = [*HTTPAdapter.__attrs__, "_ref"]  # google-auth deep-copies the transport

    def __init__(self, standin: SheetsStandIn, **kwargs: Any) -> None:
        self._ref = _Ref(standin)
        super().__init__(**kwargs)

    @property
    def base_url(self) -> str:
        return self._ref.standin.base_url

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        original = request.url or ""
        parts = urlsplit(original)
        base = urlsplit(self.base_url)
        if (parts.scheme, parts.netloc) == (base.scheme, base.netloc):
            target = original
        elif parts.scheme == "https" and parts.hostname in GOOGLE_HOSTS and parts.port in (None, 443):
            target = urlunsplit((base.scheme, base.netloc, parts.path, parts.query, ""))
        else:
            raise requests.exceptions.ConnectionError(
                f"LocalGoogleAdapter: refusing to contact {parts.scheme}://{parts.netloc} "
                "(only Google API hosts are served, by the local stand-in)",
                request=request,
            )
        prepared = request.copy()
        prepared.url = target
        prepared.headers["X-Standin-Original-Host"] = parts.netloc
        response = super().send(prepared, *args, **kwargs)
        response.url = original
        response.request = request
        return response
