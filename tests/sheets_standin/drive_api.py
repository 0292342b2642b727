"""The small part of Drive v3 the Sheets tooling uses: files.create / get / list / update(name) / delete."""

from __future__ import annotations

import datetime
import re
from typing import TYPE_CHECKING, Any

from .errors import ApiError, bad_request, drive_error
from .masks import MaskError, apply_mask, parse_mask
from .model import Book
from .wire import Request

if TYPE_CHECKING:
    from .standin import Identity, SheetsStandIn

DEFAULT_FIELDS = "kind,id,name,mimeType"


def iso(ts: float) -> str:
    moment = datetime.datetime.fromtimestamp(ts, datetime.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def not_found(key: str) -> ApiError:
    return drive_error(404, f"File not found: {key}.", "notFound", "fileId")


class DriveApi:
    def __init__(self, standin: SheetsStandIn) -> None:
        self.standin = standin

    def resource(self, book: Book) -> dict[str, Any]:
        out: dict[str, Any] = {
            "kind": "drive#file",
            "id": book.id,
            "name": book.title,
            "mimeType": book.mime_type,
            "createdTime": iso(book.created_time),
            "modifiedTime": iso(book.modified_time),
            "trashed": False,
            "owners": [{"kind": "drive#user", "emailAddress": book.owner, "me": False}],
        }
        if book.parents:
            out["parents"] = list(book.parents)
        return out

    def _fields(self, req: Request, default: str = DEFAULT_FIELDS) -> Any:
        text = req.param("fields") or default
        try:
            return parse_mask(text)
        except MaskError:
            raise bad_request(f"Invalid field selection {text}") from None

    def _visible(self, key: str, who: Identity) -> Book:
        book = self.standin.books.get(key)
        if book is None or book.role_of(who.email) is None:
            raise not_found(key)
        return book

    def create(self, req: Request, who: Identity) -> dict[str, Any]:
        body = req.json()
        name = body.get("name") or "Untitled"
        mime = body.get("mimeType") or "application/octet-stream"
        book = self.standin.new_book(owner=who.email, title=name, mime_type=mime)
        book.parents = list(body.get("parents") or [])
        if book.is_spreadsheet:
            from .model import Sheet, default_sheet_properties

            book.sheets.append(Sheet(default_sheet_properties(0, "Sheet1")))
        self.standin.books[book.id] = book
        return apply_mask(self.resource(book), self._fields(req))

    def get(self, req: Request, key: str, who: Identity) -> dict[str, Any]:
        return apply_mask(self.resource(self._visible(key, who)), self._fields(req))

    def update(self, req: Request, key: str, who: Identity) -> dict[str, Any]:
        book = self._visible(key, who)
        if book.role_of(who.email) not in ("owner", "writer"):
            raise drive_error(
                403, f"The user does not have sufficient permissions for file {key}.", "insufficientFilePermissions"
            )
        body = req.json()
        if "name" in body:
            book.title = str(body["name"])
            book.modified_time = self.standin.clock.now()
        return apply_mask(self.resource(book), self._fields(req))

    def delete(self, key: str, who: Identity) -> None:
        book = self._visible(key, who)
        if book.role_of(who.email) != "owner":
            raise drive_error(
                403, f"The user does not have sufficient permissions for file {key}.", "insufficientFilePermissions"
            )
        del self.standin.books[key]

    def list(self, req: Request, who: Identity) -> dict[str, Any]:
        query = req.param("q") or ""
        try:
            keep = _query(query)
        except ValueError:
            raise drive_error(400, "Invalid Value", "invalid", "q") from None
        files = [b for b in self.standin.books.values() if b.role_of(who.email) is not None and keep(b)]
        files.sort(key=lambda b: -b.modified_time)
        size = int(req.param("pageSize") or 100)
        offset = int(req.param("pageToken") or 0)
        page = files[offset : offset + size]
        out: dict[str, Any] = {"kind": "drive#fileList", "incompleteSearch": False}
        if offset + size < len(files):
            out["nextPageToken"] = str(offset + size)
        out["files"] = [self.resource(b) for b in page]
        tree = self._fields(req, "kind,incompleteSearch,nextPageToken,files(" + DEFAULT_FIELDS + ")")
        return apply_mask(out, tree)


_CLAUSE = re.compile(
    r"""^\s*(?:(?P<field>mimeType|name|trashed)\s*(?P<op>=|!=|contains)\s*(?P<value>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|true|false)
        |(?P<parent>'[^']*')\s+in\s+parents)\s*$""",
    re.VERBOSE,
)


def _query(q: str) -> Any:
    """A predicate for Drive's ``q`` (``and`` of mimeType / name / trashed / parents clauses)."""
    tests = []
    for part in re.split(r"\s+and\s+", q.strip()) if q.strip() else []:
        m = _CLAUSE.match(part)
        if not m:
            raise ValueError(part)
        if m.group("parent"):
            parent = m.group("parent")[1:-1]
            tests.append(lambda b, p=parent: p in b.parents)
            continue
        field, op, raw = m.group("field"), m.group("op"), m.group("value")
        value = raw[1:-1].replace("\\'", "'").replace('\\"', '"') if raw[0] in "'\"" else raw

        def test(b: Book, field: str = field, op: str = op, value: str = value) -> bool:
            actual = {"mimeType": b.mime_type, "name": b.title, "trashed": "false"}[field]
            if op == "contains":
                return value.lower() in actual.lower()
            return (actual == value) == (op == "=")

        tests.append(test)
    return lambda b: all(t(b) for t in tests)
