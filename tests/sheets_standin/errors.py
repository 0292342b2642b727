"""Google-style error bodies: ``{"error": {"code", "message", "status"[, "details"]}}``.

Handlers raise :class:`ApiError`; the server turns it into the HTTP reply.  Messages that were seen in
recorded traffic are used verbatim; the rest follow the same style and are marked "inferred" in the notes.
"""

from __future__ import annotations

import json
from typing import Any

STATUS_NAMES = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    409: "ABORTED",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    501: "UNIMPLEMENTED",
    502: "UNAVAILABLE",
    503: "UNAVAILABLE",
    504: "DEADLINE_EXCEEDED",
}

DEFAULT_MESSAGES = {
    400: "Request contains an invalid argument.",
    401: "Request had invalid authentication credentials.",
    403: "The caller does not have permission",
    404: "Requested entity was not found.",
    409: "The operation was aborted.",
    429: "Resource has been exhausted (e.g. check quota).",
    500: "Internal error encountered.",
    501: "Operation is not implemented, or supported, or enabled.",
    502: "Bad Gateway",
    503: "The service is currently unavailable.",
    504: "The request timed out. Please try again.",
}

BAD_REQUEST_TYPE = "type.googleapis.com/google.rpc.BadRequest"
ERROR_INFO_TYPE = "type.googleapis.com/google.rpc.ErrorInfo"


class ApiError(Exception):
    """An error reply. ``body`` (bytes) and ``content_type`` override the JSON envelope when set."""

    def __init__(
        self,
        code: int,
        message: str | None = None,
        status: str | None = None,
        details: list[dict[str, Any]] | None = None,
        *,
        headers: dict[str, str] | None = None,
        body: bytes | None = None,
        content_type: str | None = None,
        payload: dict[str, Any] | None = None,
    ) -> None:
        self.code = code
        self.message = message if message is not None else DEFAULT_MESSAGES.get(code, "Error")
        self.status = status or STATUS_NAMES.get(code, "UNKNOWN")
        self.details = details
        self.headers = headers or {}
        self.body = body
        self.content_type = content_type
        self.payload = payload
        super().__init__(f"{code} {self.status}: {self.message}")

    def to_json(self) -> dict[str, Any]:
        if self.payload is not None:
            return self.payload
        error: dict[str, Any] = {"code": self.code, "message": self.message, "status": self.status}
        if self.details:
            error["details"] = self.details
        return {"error": error}


def bad_request(message: str, field: str | None = None) -> ApiError:
    """400 INVALID_ARGUMENT, with a BadRequest field violation when ``field`` is given (as Google does)."""
    details = None
    if field is not None:
        details = [{"@type": BAD_REQUEST_TYPE, "fieldViolations": [{"field": field, "description": message}]}]
    return ApiError(400, message, details=details)


def json_repr(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def invalid_value(field: str, type_name: str, value: Any) -> ApiError:
    """``Invalid value at 'data.values' (type.googleapis.com/google.protobuf.ListValue), "X"`` (recorded)."""
    return bad_request(f"Invalid value at '{field}' ({type_name}), {json_repr(value)}", field)


def unknown_field(name: str, at: str | None) -> ApiError:
    where = f" at '{at}'" if at else ""
    return bad_request(f'Invalid JSON payload received. Unknown name "{name}"{where}: Cannot find field.', at or "")


def request_error(index: int, kind: str, reason: str) -> ApiError:
    """``Invalid requests[0].updateSheetProperties: You can't hide all the sheets in a document.`` (recorded)."""
    return bad_request(f"Invalid requests[{index}].{kind}: {reason}")


class RequestError(Exception):
    """Raised inside one batchUpdate request; the dispatcher adds ``Invalid requests[i].<kind>:``."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


def not_found() -> ApiError:
    return ApiError(404, "Requested entity was not found.", "NOT_FOUND")


def permission_denied() -> ApiError:
    return ApiError(403, "The caller does not have permission", "PERMISSION_DENIED")


def insufficient_scopes(method: str, service: str) -> ApiError:
    info = {
        "@type": ERROR_INFO_TYPE,
        "reason": "ACCESS_TOKEN_SCOPE_INSUFFICIENT",
        "domain": "googleapis.com",
        "metadata": {"method": method, "service": service},
    }
    return ApiError(403, "Request had insufficient authentication scopes.", "PERMISSION_DENIED", [info])


def unauthenticated(reason: str | None, service: str, method: str | None = None) -> ApiError:
    if reason == "CREDENTIALS_MISSING":
        message = (
            "Request is missing required authentication credential. Expected OAuth 2 access token, login cookie "
            "or other valid authentication credential. See "
            "https://developers.google.com/identity/sign-in/web/devconsole-project."
        )
    else:
        message = (
            "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or "
            "other valid authentication credential. See "
            "https://developers.google.com/identity/sign-in/web/devconsole-project."
        )
    details = None
    if reason is not None:
        metadata = {"service": service}
        if method:
            metadata["method"] = method
        details = [{"@type": ERROR_INFO_TYPE, "reason": reason, "domain": "googleapis.com", "metadata": metadata}]
    return ApiError(
        401,
        message,
        "UNAUTHENTICATED",
        details,
        headers={"WWW-Authenticate": 'Bearer realm="https://accounts.google.com/"'},
    )


def drive_error(code: int, message: str, reason: str, location: str | None = None) -> ApiError:
    """Drive v3 keeps the older envelope: ``{"error": {"code", "message", "errors": [...]}}``."""
    item: dict[str, Any] = {"message": message, "domain": "global", "reason": reason}
    if location:
        item["location"] = location
        item["locationType"] = "parameter"
    return ApiError(code, message, payload={"error": {"code": code, "message": message, "errors": [item]}})


HTML_500 = (
    "<!DOCTYPE html>\n<html lang=en>\n  <meta charset=utf-8>\n"
    '  <meta name=viewport content="initial-scale=1, minimum-scale=1, width=device-width">\n'
    "  <title>Error 500 (Server Error)!!1</title>\n"
    "  <p><b>500.</b> <ins>That\u2019s an error.</ins>\n"
    "  <p>There was an error. Please try again later. <ins>That\u2019s all we know.</ins>\n"
)


def html_error(code: int = 500) -> ApiError:
    body = HTML_500.replace("500", str(code)).encode()
    return ApiError(code, "html", body=body, content_type="text/html; charset=UTF-8")
