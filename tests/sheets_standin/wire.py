"""Transport-neutral request and reply objects (the HTTP server only converts to and from these)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from .errors import ApiError, bad_request


def camel(name: str) -> str:
    return re.sub(r"_([a-z])", lambda m: m.group(1).upper(), name)


@dataclass
class Request:
    method: str
    path: str  # as sent, still percent-encoded
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-case names
    body: bytes = b""
    _json: Any = field(default=None, repr=False)

    def __post_init__(self) -> None:
        # Google accepts snake_case query parameters as well as camelCase.
        self.query = {camel(k): v for k, v in self.query.items()}

    def param(self, name: str) -> str | None:
        values = self.query.get(name)
        return values[-1] if values else None

    def json(self, *, required: bool = True) -> Any:
        if self._json is None:
            if not self.body.strip():
                self._json = {}
            else:
                try:
                    self._json = json.loads(self.body)
                except (ValueError, UnicodeDecodeError):
                    raise bad_request("Invalid JSON payload received. Unexpected token.") from None
            if required and not isinstance(self._json, dict):
                raise bad_request('Invalid JSON payload received. Unknown name "": Root element must be a message.')
        return self._json

    def form(self) -> dict[str, str]:
        from urllib.parse import parse_qs

        parsed = parse_qs(self.body.decode("utf-8", "replace"), keep_blank_values=True)
        return {k: v[-1] for k, v in parsed.items()}


@dataclass
class Reply:
    status: int
    body: bytes = b""
    content_type: str | None = "application/json; charset=UTF-8"
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, status: int, obj: Any, headers: dict[str, str] | None = None) -> Reply:
        text = json.dumps(obj, ensure_ascii=False) + "\n"  # Google pretty-prints; no client depends on it
        return cls(status, text.encode("utf-8"), headers=dict(headers or {}))

    @classmethod
    def error(cls, exc: ApiError) -> Reply:
        if exc.body is not None:
            return cls(exc.code, exc.body, exc.content_type, dict(exc.headers))
        return cls.of(exc.code, exc.to_json(), exc.headers)

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None
