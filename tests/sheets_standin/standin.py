"""SheetsStandIn: the local Google Sheets v4 / Drive v3 / OAuth stand-in, its test helpers and its log."""

from __future__ import annotations

import threading
import time
import traceback
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import requests

from . import routes
from .auth import DEFAULT_USER_SCOPES, DRIVE, SPREADSHEETS, Auth
from .clock import as_clock
from .drive_api import DriveApi
from .errors import ApiError, drive_error, insufficient_scopes, unauthenticated
from .masks import MaskError, apply_mask, parse_mask
from .model import Book, Ids, Sheet, default_sheet_properties
from .quota import Faults, Planned, Quota, fault_error
from .server import StandInServer
from .sheets_api import SheetsApi, resolve
from .transport import LocalGoogleAdapter
from .wire import Reply, Request

NOT_FOUND_HTML = (
    b"<!DOCTYPE html>\n<html lang=en>\n  <title>Error 404 (Not Found)!!1</title>\n"
    b"  <p><b>404.</b> <ins>That\xe2\x80\x99s an error.</ins>\n"
    b"  <p>The requested URL was not found on this server.  <ins>That\xe2\x80\x99s all we know.</ins>\n"
)


@dataclass(frozen=True)
class Call:
    """One request the stand-in answered."""

    method: str
    path: str  # decoded
    query: dict[str, list[str]]
    status: int
    user: str | None
    kind: str  # read | write | drive | token | other
    at: float  # stand-in clock time when it arrived
    spreadsheet: str | None
    endpoint: str = ""  # e.g. "values.batchGet"


@dataclass
class Identity:
    email: str
    project: str
    scopes: frozenset[str] = field(default_factory=frozenset)


class SheetsStandIn:
    """A faithful-enough Google Sheets v4 + Drive v3 (subset) + OAuth token endpoint on 127.0.0.1.

    Use as a context manager (or ``start()`` / ``stop()``).  See the package docstring for the interface.
    """

    api_class: type[SheetsApi] = SheetsApi

    def __init__(
        self,
        clock: Any = None,
        *,
        read_per_user: int = 60,
        read_per_project: int = 300,
        write_per_user: int = 60,
        write_per_project: int = 300,
        charge_rejected: bool = True,
        seed: int | None = None,
    ) -> None:
        self.clock = as_clock(clock)
        self.ids = Ids(seed)
        self.books: dict[str, Book] = {}
        self.auth = Auth(self.clock, self.ids)
        limits = {
            ("read", "user"): read_per_user,
            ("read", "project"): read_per_project,
            ("write", "user"): write_per_user,
            ("write", "project"): write_per_project,
        }
        self.quota = Quota(self.clock, limits, charge_rejected=charge_rejected)
        self.faults = Faults()
        self.log: list[Call] = []
        self.internal_errors: list[str] = []
        self.sheets_api = self.api_class(self)
        self.drive_api = DriveApi(self)
        self._lock = threading.RLock()
        self._server: StandInServer | None = None
        self._thread: threading.Thread | None = None
        self._sessions: list[requests.Session] = []

    # ------------------------------------------------------------ lifecycle
    def start(self) -> SheetsStandIn:
        if self._server is None:
            self._server = StandInServer(self)
            self._thread = threading.Thread(
                target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="sheets-standin", daemon=True
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        for session in self._sessions:
            session.close()
        self._sessions.clear()
        if self._server is not None:
            self._server.close()
            if self._thread is not None:
                self._thread.join(10)
            self._server = None
            self._thread = None

    def __enter__(self) -> SheetsStandIn:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the stand-in is not started")
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def token_uri(self) -> str:
        return f"{self.base_url}/token"

    # ------------------------------------------------------------ identities and sessions
    def service_account(self, email: str, project: str = "standin-project", *, key_slot: int = 0) -> dict[str, Any]:
        """A service-account JSON dict whose key the token endpoint knows (a new key id on every call)."""
        with self._lock:
            return self.auth.service_account(email, project, self.token_uri, key_slot)

    def authorized_user(
        self, email: str, project: str = "standin-project", *, scopes: Sequence[str] = DEFAULT_USER_SCOPES
    ) -> dict[str, Any]:
        """An ``authorized_user`` JSON dict (OAuth client + refresh token) granted ``scopes``."""
        with self._lock:
            return self.auth.authorized_user(email, project, self.token_uri, tuple(scopes))

    def session(self) -> requests.Session:
        """A requests.Session (trust_env off) with the adapter on https:// and http://; closed by stop()."""
        session = requests.Session()
        session.trust_env = False
        adapter = LocalGoogleAdapter(self)
        session.mount("https://", adapter)
        session.mount("http://", adapter)
        self._sessions.append(session)
        return session

    def authorized_session(self, info: Mapping[str, Any], scopes: Sequence[str] = (SPREADSHEETS, DRIVE)) -> Any:
        """A google-auth AuthorizedSession for a service-account or authorized-user dict, via the adapter."""
        from google.auth.transport.requests import AuthorizedSession
        from google.auth.transport.requests import Request as AuthRequest
        from google.oauth2 import credentials as user_credentials
        from google.oauth2 import service_account

        if info.get("type") == "service_account":
            creds: Any = service_account.Credentials.from_service_account_info(dict(info), scopes=list(scopes))
        else:
            creds = user_credentials.Credentials.from_authorized_user_info(dict(info), scopes=list(scopes))
        authed = AuthorizedSession(creds, auth_request=AuthRequest(session=self.session()))
        authed.trust_env = False
        adapter = LocalGoogleAdapter(self)
        authed.mount("https://", adapter)
        authed.mount("http://", adapter)
        self._sessions.append(authed)
        return authed

    def gspread_client(self, info: Mapping[str, Any], scopes: Sequence[str] = (SPREADSHEETS, DRIVE)) -> Any:
        """A gspread.Client talking to the stand-in (gspread's own HTTPClient over an AuthorizedSession)."""
        import gspread

        return gspread.Client(auth=None, session=self.authorized_session(info, scopes))  # type: ignore[arg-type]

    def revoke_tokens(self, email: str) -> None:
        """Forget every access token of ``email`` (the next call gets 401 and google-auth refreshes)."""
        with self._lock:
            self.auth.revoke(email)

    # ------------------------------------------------------------ state helpers (no HTTP, no quota, no log)
    def new_book(self, owner: str, title: str | None, mime_type: str | None = None) -> Book:
        now = self.clock.now()
        key = self.ids.spreadsheet()
        while key in self.books:
            key = self.ids.spreadsheet()
        book = Book(key, title or "Untitled spreadsheet", owner, now, now)
        if mime_type:
            book.mime_type = mime_type
        return book

    def create_spreadsheet(
        self,
        owner: str,
        title: str = "Untitled spreadsheet",
        locale: str = "en_US",
        sheets: Iterable[str | Mapping[str, Any]] = ("Sheet1",),
        *,
        time_zone: str = "Etc/GMT",
        rows: int = 1000,
        columns: int = 26,
    ) -> str:
        """A spreadsheet owned by ``owner``; ``sheets`` are titles (or SheetProperties dicts). The first
        sheet gets sheetId 0, the others random ids.  Returns the 44-character key."""
        with self._lock:
            book = self.new_book(owner, title)
            book.locale, book.time_zone = locale, time_zone
            for i, spec in enumerate(sheets):
                props = {"title": spec} if isinstance(spec, str) else dict(spec)
                sheet_id = props.get("sheetId", 0 if i == 0 else self.ids.int31({s.sheet_id for s in book.sheets}))
                full = default_sheet_properties(sheet_id, str(props.get("title") or f"Sheet{i + 1}"))
                full["gridProperties"] = {"rowCount": rows, "columnCount": columns, **props.get("gridProperties", {})}
                full["hidden"] = bool(props.get("hidden", False))
                book.sheets.append(Sheet(full))
            if len({s.title.lower() for s in book.sheets}) != len(book.sheets):
                raise ValueError("sheet titles must be unique")
            book.reindex()
            self.books[book.id] = book
            return book.id

    def share(self, key: str, email: str, role: str = "reader") -> None:
        if role not in ("reader", "writer", "commenter", "owner"):
            raise ValueError(f"unknown role {role!r}")
        with self._lock:
            book = self.book(key)
            if role == "owner":
                book.shared[book.owner.lower()] = "writer"
                book.owner = email
            else:
                book.shared[email.lower()] = "reader" if role == "commenter" else role

    def unshare(self, key: str, email: str) -> None:
        with self._lock:
            self.book(key).shared.pop(email.lower(), None)

    def book(self, key: str) -> Book:
        """The model of a spreadsheet, for assertions (KeyError if unknown)."""
        return self.books[key]

    def put_values(self, key: str, range_: str, rows: Sequence[Sequence[Any]], *, value_input: str = "RAW") -> None:
        """Seed values like values.update (RAW by default) without HTTP, quota or log."""
        from . import values

        with self._lock:
            book = self.book(key)
            target = resolve(book, range_)
            owner = Identity(book.owner, "standin-project")
            plan = self.sheets_api._write(
                book, target.sheet, (target.span.r0, target.span.c0), [list(r) for r in rows], option=value_input,
                who=owner,
            )  # fmt: skip
            values.apply_cells(target.sheet, plan["cells"], value_input, book.locale)
            book.modified_time = self.clock.now()

    # ------------------------------------------------------------ faults, quota, log
    def fail_next(
        self,
        status: int | None = None,
        times: int = 1,
        spreadsheet: str | None = None,
        html: bool = False,
        *,
        kind: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        """The next ``times`` matching Sheets requests get the real error body for ``status`` (429 by default;
        500 with an HTML page when ``html``).  They change nothing, are logged and count against quota."""
        code = status if status is not None else (500 if html else 429)
        with self._lock:
            self.faults.add(Planned(times, spreadsheet, kind, status=code, html=html, retry_after=retry_after))

    def delay_next(self, seconds: float = 1.0, times: int = 1, spreadsheet: str | None = None, *,
                   kind: str | None = None) -> None:  # fmt: skip
        """The next ``times`` matching Sheets requests really sleep ``seconds`` (time.sleep) before answering."""
        with self._lock:
            self.faults.add(Planned(times, spreadsheet, kind, seconds=seconds))

    def reset_quota(self) -> None:
        with self._lock:
            self.quota.reset()

    def calls(
        self,
        kind: str | None = None,
        user: str | None = None,
        status: int | None = None,
        *,
        spreadsheet: str | None = None,
        endpoint: str | None = None,
    ) -> list[Call]:
        with self._lock:
            return [
                c
                for c in self.log
                if (kind is None or c.kind == kind)
                and (user is None or (c.user or "").lower() == user.lower())
                and (status is None or c.status == status)
                and (spreadsheet is None or c.spreadsheet == spreadsheet)
                and (endpoint is None or c.endpoint == endpoint)
            ]

    # ------------------------------------------------------------ the request pipeline
    def handle(self, req: Request) -> Reply:
        from urllib.parse import unquote

        at = self.clock.now()
        route = routes.parse(req.method, req.path)
        user: str | None = None
        try:
            with self._lock:
                who, delay = self._admit(req, route)
                user = who.email if who else None
            if delay:
                time.sleep(delay)
            with self._lock:
                reply, issued = self._dispatch(req, route, who)  # type: ignore[arg-type]
                user = user or issued
        except ApiError as exc:
            reply = Reply.error(exc)
        except Exception:  # a stand-in bug: answer 500 and keep the trace for the test to see
            trace = traceback.format_exc()
            self.internal_errors.append(trace)
            reply = Reply.error(ApiError(500, "Internal error encountered. (stand-in bug: see internal_errors)"))
        kind = route.kind if route else "other"
        call = Call(req.method, unquote(req.path), dict(req.query), reply.status, user, kind, at,
                    route.spreadsheet or route.file if route else None, route.name if route else "")  # fmt: skip
        with self._lock:
            self.log.append(call)
        return reply

    def _admit(self, req: Request, route: routes.Route | None) -> tuple[Identity | None, float]:
        if route is None:
            raise ApiError(404, body=NOT_FOUND_HTML, content_type="text/html; charset=UTF-8")
        if route.kind == "token" or route.name == "iam.allowedLocations":
            return None, 0.0
        token, reason = self.auth.check(req.headers.get("authorization"))
        if token is None:
            error = unauthenticated(reason, route.service, route.rpc)
            if route.kind == "drive":  # Drive v3 adds its older "errors" list
                missing = reason == "CREDENTIALS_MISSING"
                item = {
                    "message": "Login Required." if missing else "Invalid Credentials",
                    "domain": "global",
                    "reason": "required" if missing else "authError",
                    "location": "Authorization",
                    "locationType": "header",
                }
                payload = error.to_json()
                payload["error"]["errors"] = [item]
                error.payload = payload
            raise error
        who = Identity(token.email, token.project, token.scopes)
        if not who.scopes & route.scopes():
            if route.kind == "drive":
                error = insufficient_scopes(route.rpc, route.service)
                payload = error.to_json()
                payload["error"]["errors"] = [
                    {"message": "Insufficient Permission", "domain": "global", "reason": "insufficientPermissions"}
                ]
                error.payload = payload
                raise error
            raise insufficient_scopes(route.rpc, route.service)
        if route.kind in ("read", "write"):
            over = self.quota.charge(route.kind, who.email, who.project)
            if over is not None:
                raise over
            planned = self.faults.take(route.kind, route.spreadsheet)
            if planned is not None:
                if planned.status is not None:
                    limit = self.quota.limits[(route.kind, "user")]
                    raise fault_error(planned, route.kind, who.project, limit)
                return who, planned.seconds
        return who, 0.0

    def _dispatch(self, req: Request, route: routes.Route, who: Identity | None) -> tuple[Reply, str | None]:
        if route.name == "token":
            result = self.auth.token_endpoint(req.form(), self.token_uri)
            token = self.auth.tokens.get(result.body.get("access_token", ""))
            return Reply.of(result.status, result.body), token.email if token else None
        if route.name == "iam.allowedLocations":
            # google-auth asks from a background thread over a deep copy of the transport that nobody
            # closes: "Connection: close" leaves no pooled socket behind to be garbage-collected open.
            reply = Reply.of(200, {"locations": [], "encodedLocations": "0x0"}, {"Connection": "close"})
            return reply, None
        assert who is not None
        if route.name.endswith(".unimplemented"):
            raise ApiError(501, f"The Sheets stand-in does not implement {req.method} {req.path}", "UNIMPLEMENTED")
        if route.kind == "drive":
            return self._drive(req, route, who), None
        api = self.sheets_api
        key, text = route.spreadsheet or "", route.range or ""
        handlers = {
            "sheets.create": lambda: api.create(req, who),
            "sheets.get": lambda: api.get(req, key, who),
            "sheets.batchUpdate": lambda: api.batch_update(req, key, who),
            "values.get": lambda: api.values_get(req, key, text, who),
            "values.update": lambda: api.values_update(req, key, text, who),
            "values.append": lambda: api.values_append(req, key, text, who),
            "values.clear": lambda: api.values_clear(req, key, text, who),
            "values.batchGet": lambda: api.values_batch_get(req, key, who),
            "values.batchUpdate": lambda: api.values_batch_update(req, key, who),
            "values.batchClear": lambda: api.values_batch_clear(req, key, who),
        }
        result = handlers[route.name]()
        fields = req.param("fields")
        if fields and route.name != "sheets.get":
            try:
                result = apply_mask(result, parse_mask(fields))
            except MaskError:
                raise ApiError(400, f"Invalid field selection {fields}") from None
        return Reply.of(200, result), None

    def _drive(self, req: Request, route: routes.Route, who: Identity) -> Reply:
        drive = self.drive_api
        key = route.file or ""
        if route.name == "drive.create":
            return Reply.of(200, drive.create(req, who))
        if route.name == "drive.list":
            return Reply.of(200, drive.list(req, who))
        if route.name == "drive.get":
            return Reply.of(200, drive.get(req, key, who))
        if route.name == "drive.update":
            return Reply.of(200, drive.update(req, key, who))
        if route.name == "drive.delete":
            drive.delete(key, who)
            return Reply(204, b"", None)
        raise drive_error(501, "Not implemented by the stand-in", "notImplemented")
