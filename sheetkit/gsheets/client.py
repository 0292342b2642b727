"""SheetsClient: every Google Sheets request sheetkit makes, rate-limited and retried.

Requests go through gspread's :class:`~gspread.http_client.HTTPClient` over a
google-auth :class:`~google.auth.transport.requests.AuthorizedSession`, so the
real HTTP, token and refresh code paths run. The only seam is ``transport``: a
``requests`` adapter mounted on every session (API calls and token requests),
for a proxy or, in the tests, a local stand-in of the Sheets API.

Each request first waits in the :class:`~sheetkit.gsheets.limits.RateLimiter`
(per account and per project), then is sent; 429, 5xx, timeouts and dropped
connections are retried by the :class:`~sheetkit.gsheets.limits.RetryPolicy`
(bounded, jittered). Google's answers become sheetkit errors with a message a
person can act on: not shared, not found, credentials refused, unavailable.

Logging (logger ``sheetkit.gsheets.client``): quota waits and retries at INFO,
each request (method and API path, never values, bodies or tokens) at DEBUG.
Accounts are named by position ("account 2 of 3"), never by key or token.
"""

from __future__ import annotations

import logging
import math
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import requests
from google.auth import exceptions as auth_exceptions
from google.auth.transport.requests import AuthorizedSession, Request
from gspread.exceptions import APIError
from gspread.http_client import HTTPClient
from gspread.urls import SPREADSHEETS_API_V4_BASE_URL

from sheetkit.errors import SheetsAccessError, SheetsAuthError, SheetsError, SheetsUnavailableError, UsageError
from sheetkit.gsheets.auth import Account
from sheetkit.gsheets.limits import DEFAULT_QUOTA, Clock, Kind, Quota, RateLimiter, RetryPolicy, SystemClock

__all__ = ["ENTERED_VALUE", "SheetsClient", "Stats", "entered_cell"]

log = logging.getLogger(__name__)

#: The field of a cell that ``updateCells`` writes when a value is put back as typed.
ENTERED_VALUE = "userEnteredValue"


def entered_cell(value: Any) -> dict[str, Any]:
    """A value as read (``UNFORMATTED_VALUE``) as the cell data that writes it back the same; blank for nothing.

    >>> entered_cell(3), entered_cell(""), entered_cell(float("nan")), entered_cell(True)
    ({'userEnteredValue': {'numberValue': 3}}, {}, {}, {'userEnteredValue': {'boolValue': True}})
    """
    if value is None or value == "" or (isinstance(value, float) and math.isnan(value)):
        return {}
    if isinstance(value, bool):
        return {ENTERED_VALUE: {"boolValue": value}}
    if isinstance(value, (int, float)):
        return {ENTERED_VALUE: {"numberValue": value}}
    return {ENTERED_VALUE: {"stringValue": str(value)}}


@dataclass
class Stats:
    """What a client did: requests sent per kind, retries, seconds waited for quota and backoff."""

    requests: dict[str, int] = field(default_factory=lambda: {"read": 0, "write": 0})
    retries: int = 0
    quota_wait_seconds: float = 0.0
    backoff_seconds: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def count(self, kind: str, waited: float) -> None:
        """One request sent after waiting ``waited`` seconds for quota."""
        with self._lock:
            self.requests[kind] += 1
            self.quota_wait_seconds += waited

    def backoff(self, seconds: float) -> None:
        """One retry after a pause."""
        with self._lock:
            self.retries += 1
            self.backoff_seconds += seconds


class _Connection:
    def __init__(
        self, account: Account, transport: requests.adapters.BaseAdapter | None, timeout: float, *, label: str
    ) -> None:
        self.account = account
        #: How logs name the account: "account 2 of 3".
        self.label = label
        token_session = requests.Session()
        session = AuthorizedSession(account.credentials, auth_request=Request(session=token_session))  # type: ignore[no-untyped-call]
        if transport is not None:
            for s in (token_session, session):
                s.trust_env = False
                s.mount("https://", transport)
                s.mount("http://", transport)
        self.sessions = (token_session, session)
        self.auth_request = Request(session=token_session)
        self.http = HTTPClient(auth=None, session=session)  # type: ignore[arg-type]  # gspread: auth=None with a session
        self.http.set_timeout(timeout)
        self._lock = threading.Lock()

    def ensure_token(self) -> None:
        """Fetch or renew the access token before the quota slot is taken, so a slow token
        request never pushes a counted request past its quota window (one refresh at a time)."""
        with self._lock:
            if not self.account.credentials.valid:
                self.account.credentials.refresh(self.auth_request)  # type: ignore[no-untyped-call]

    def close(self) -> None:
        for s in self.sessions:
            s.close()


class SheetsClient:
    """Talks to Google Sheets as one or more accounts, within quota.

    With several accounts, each request goes to the account whose quota window
    frees first; a spreadsheet that one account cannot see is tried with the
    others before it is reported as not shared.
    """

    def __init__(
        self,
        accounts: Account | Sequence[Account],
        *,
        transport: requests.adapters.BaseAdapter | None = None,
        quota: Quota = DEFAULT_QUOTA,
        retry: RetryPolicy | None = None,
        clock: Clock | None = None,
        limiter: RateLimiter | None = None,
        timeout: float = 60.0,
    ) -> None:
        listed = [accounts] if isinstance(accounts, Account) else list(accounts)
        if not listed:
            raise UsageError("SheetsClient needs at least one account")
        self.clock: Clock = clock or SystemClock()
        self.limiter = limiter or RateLimiter(quota, clock=self.clock)
        self.retry = retry or RetryPolicy()
        self.stats = Stats()
        self._connections = [
            _Connection(a, transport, timeout, label=f"account {i} of {len(listed)}")
            for i, a in enumerate(listed, start=1)
        ]

    @property
    def accounts(self) -> list[Account]:
        """The accounts this client uses, in the order given."""
        return [c.account for c in self._connections]

    def close(self) -> None:
        """Close the HTTP sessions."""
        for c in self._connections:
            c.close()

    def __enter__(self) -> SheetsClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ the API sheetkit uses
    def values_batch_get(
        self,
        spreadsheet: str,
        ranges: Sequence[str],
        *,
        value_render: str = "UNFORMATTED_VALUE",
        date_time_render: str = "SERIAL_NUMBER",
    ) -> dict[str, Any]:
        """spreadsheets.values.batchGet: every range in one read request."""
        params: dict[str, Any] = {"valueRenderOption": value_render, "dateTimeRenderOption": date_time_render}
        return self._call(
            "read",
            spreadsheet,
            lambda http: http.values_batch_get(spreadsheet, list(ranges), params=params),
            endpoint=f"GET spreadsheets/{spreadsheet}/values:batchGet",
        )

    def metadata(self, spreadsheet: str, *, fields: str | None = None, ranges: Sequence[str] = ()) -> dict[str, Any]:
        """spreadsheets.get without grid data (one read request); ``fields`` masks the answer,
        ``ranges`` limits grid data a mask asks for to those ranges."""
        params: dict[str, Any] = {"includeGridData": "false"}
        if fields:
            params["fields"] = fields
        if ranges:
            params["ranges"] = list(ranges)
        return self._call(
            "read",
            spreadsheet,
            lambda http: http.fetch_sheet_metadata(spreadsheet, params=params),
            endpoint=f"GET spreadsheets/{spreadsheet}",
        )

    def batch_update(self, spreadsheet: str, requests_: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
        """spreadsheets.batchUpdate: every request applied atomically, one write request."""
        body = {"requests": list(requests_)}
        return self._call(
            "write",
            spreadsheet,
            lambda http: http.batch_update(spreadsheet, body),
            endpoint=f"POST spreadsheets/{spreadsheet}:batchUpdate",
            idempotent=False,
        )

    def values_batch_update(self, spreadsheet: str, data: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
        """spreadsheets.values.batchUpdate with valueInputOption RAW: text stays text, never a formula."""
        body = {"valueInputOption": "RAW", "data": list(data)}
        return self._call(
            "write",
            spreadsheet,
            lambda http: http.values_batch_update(spreadsheet, body),
            endpoint=f"POST spreadsheets/{spreadsheet}/values:batchUpdate",
        )

    def create(self, properties: Mapping[str, Any], sheets: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
        """spreadsheets.create (Sheets API, no Drive scope needed); returns the new Spreadsheet."""
        body = {"properties": dict(properties), "sheets": list(sheets)}

        def send(http: HTTPClient) -> Any:
            return http.request("post", SPREADSHEETS_API_V4_BASE_URL, json=body).json()

        return self._call("write", None, send, endpoint="POST spreadsheets", idempotent=False)

    # ------------------------------------------------------------------ machinery
    def _order(self, kind: Kind, excluded: set[int]) -> list[_Connection]:
        """Connections not excluded, the one whose quota frees first first (stable for ties)."""
        usable = [c for c in self._connections if id(c) not in excluded]
        if len(usable) <= 1:
            return usable
        return sorted(
            usable, key=lambda c: self.limiter.free_at(kind, account=c.account.name, project=c.account.project)
        )

    def _call(
        self, kind: Kind, spreadsheet: str | None, send: _Send, *, endpoint: str, idempotent: bool = True
    ) -> dict[str, Any]:
        """Send one request: wait for quota, retry what is transient, fall over to other accounts.

        Each attempt goes to the account whose quota frees first, so after a 429
        (which marks that account's window full) the next attempt moves to
        another account when there is one. An account that cannot see the
        spreadsheet is set aside and the others are tried before the request is
        reported as not shared. A write that is not idempotent (create,
        batchUpdate) is not resent after it may have reached Google.
        ``endpoint`` (method and API path) is what the debug log shows.
        """
        denied: SheetsError | None = None
        excluded: set[int] = set()
        failure = _Failure("no answer")
        attempt = 0
        while attempt < self.retry.attempts:
            order = self._order(kind, excluded)
            if not order and denied is not None:
                raise denied
            connection = order[0]
            outcome = self._attempt(kind, spreadsheet, send, connection, endpoint=endpoint, idempotent=idempotent)
            if isinstance(outcome, dict):
                return outcome
            if outcome.denied is not None:
                # Another account may have been given access: not an attempt, the next account is tried.
                log.info("%s cannot open spreadsheet %s; trying the other accounts", connection.label, spreadsheet)
                denied = outcome.denied
                excluded.add(id(connection))
                continue
            failure = outcome
            attempt += 1
            if attempt < self.retry.attempts:
                self._back_off(attempt, failure)
        raise SheetsUnavailableError(
            f"{failure.reason}, still after {self.retry.attempts} attempts; try again later",
            spreadsheet=spreadsheet,
            status=failure.status,
        )

    def _attempt(
        self,
        kind: Kind,
        spreadsheet: str | None,
        send: _Send,
        connection: _Connection,
        *,
        endpoint: str,
        idempotent: bool,
    ) -> dict[str, Any] | _Failure:
        """One try as one account: Google's answer, or a failure worth another try.

        Raises what no retry can fix: a refusal, credentials refused, or a lost
        connection after a non-idempotent write may have been applied.
        """
        account = connection.account
        try:
            connection.ensure_token()
            waited = self.limiter.acquire(kind, account=account.name, project=account.project)
            self.stats.count(kind, waited)
            if waited > 0:
                log.info("waited %.1f s for %s quota (%s)", waited, kind, connection.label)
            log.debug("%s as %s", endpoint, connection.label)
            result = send(connection.http)
        except APIError as exc:
            return self._api_failure(exc, kind, spreadsheet, account)
        except (KeyError, TypeError, AttributeError, ValueError) as exc:
            # gspread or google-auth could not read the answer: not the Sheets API (a proxy, a portal page).
            return _Failure(f"the answer could not be read ({type(exc).__name__}; a proxy in between?)")
        except requests.ConnectionError as exc:
            if not idempotent and not _before_sending(exc):
                raise _maybe_applied(spreadsheet) from None
            return _Failure("the connection failed")
        except requests.Timeout as exc:
            if not idempotent and not isinstance(exc, requests.ConnectTimeout):
                raise _maybe_applied(spreadsheet) from None
            return _Failure("the request timed out")
        except requests.RequestException:
            if not idempotent:
                raise _maybe_applied(spreadsheet) from None
            return _Failure("the connection broke off")
        except auth_exceptions.RefreshError as exc:
            if not getattr(exc, "retryable", False):
                raise SheetsAuthError(
                    f"Google refused the credentials of {account.name} ({_refresh_reason(exc)}); "
                    "check that the key is current and not revoked",
                    spreadsheet=spreadsheet,
                ) from None
            return _Failure("the token request failed")
        except auth_exceptions.TransportError:
            return _Failure("the token request failed")
        if not isinstance(result, dict):
            return _Failure("the answer was not a JSON object (a proxy in between?)")
        return result

    def _api_failure(self, exc: APIError, kind: Kind, spreadsheet: str | None, account: Account) -> _Failure:
        """Google's error answer: a transient failure, an account to set aside, or an error raised."""
        status = _status(exc)
        if status not in self.retry.retry_statuses:
            error = _classify(exc, status, spreadsheet, account)
            if isinstance(error, SheetsAccessError) and len(self._connections) > 1:
                return _Failure(f"Google answered {status}", status, denied=error)
            raise error from None
        if status == 429:
            # Google counts its quota per minute: this account is spent until its window frees.
            self.limiter.exhaust(kind, account=account.name)
        return _Failure(f"Google answered {status} {_reason(exc)}", status, _retry_after(exc.response))

    def _back_off(self, attempt: int, failure: _Failure) -> None:
        """Pause after failed attempt number ``attempt`` before the next one."""
        pause = self.retry.delay(attempt, failure.retry_after)
        cause = f"HTTP {failure.status}" if failure.status is not None else failure.reason
        log.info("retry %d of %d in %.1f s after %s", attempt, self.retry.attempts - 1, pause, cause)
        self.stats.backoff(pause)
        self.clock.sleep(pause)


#: What a request sends, given the HTTP client of the account chosen.
_Send = Callable[[HTTPClient], Any]


@dataclass(frozen=True)
class _Failure:
    """Why one attempt failed, when another may succeed."""

    #: For the error message after the last attempt: what went wrong, in words.
    reason: str
    status: int | None = None
    retry_after: float | None = None
    #: The account cannot see the spreadsheet: try the others before reporting it.
    denied: SheetsError | None = None


def _before_sending(exc: requests.ConnectionError) -> bool:
    """True when the connection failed before the request went out (safe to resend a write)."""
    return isinstance(exc, requests.ConnectTimeout) or "NewConnectionError" in repr(exc) or "refused" in str(exc)


def _maybe_applied(spreadsheet: str | None) -> SheetsUnavailableError:
    return SheetsUnavailableError(
        "the connection was lost after the change was sent, so Google may have applied it; open the spreadsheet "
        "to check before trying again",
        spreadsheet=spreadsheet,
    )


def _status(exc: APIError) -> int:
    # gspread sets code -1 when the body is not JSON (an HTML error page): the HTTP status still tells.
    response = getattr(exc, "response", None)
    return int(response.status_code) if response is not None else int(exc.code)


def _error_body(exc: APIError) -> dict[str, Any]:
    return dict(exc.error) if isinstance(exc.error, Mapping) else {}


def _reasons(exc: APIError) -> set[str]:
    details = _error_body(exc).get("details") or []
    return {str(d.get("reason")) for d in details if isinstance(d, Mapping) and d.get("reason")}


def _reason(exc: APIError) -> str:
    body = _error_body(exc)
    return str(body.get("status") or body.get("message") or "").strip()


def _retry_after(response: requests.Response | None) -> float | None:
    value = None if response is None else response.headers.get("Retry-After")
    try:
        return None if value is None else float(value)
    except ValueError:
        return None


def _refresh_reason(exc: auth_exceptions.RefreshError) -> str:
    # RefreshError args are (message, response body); the message is "invalid_grant: ..." — no secrets.
    first = str(exc.args[0]) if exc.args else "refused"
    return first.split("\n")[0][:200]


def _classify(exc: APIError, status: int, spreadsheet: str | None, account: Account) -> SheetsError:
    message = str(_error_body(exc).get("message") or "")
    if message.lstrip().startswith("<"):
        message = "the answer was a web page, not the Sheets API's (a proxy in between?)"
    if status == 404:
        return SheetsAccessError(
            "Google has no spreadsheet with this key; check the key in the sheet's address "
            "(docs.google.com/spreadsheets/d/KEY/edit)",
            spreadsheet=spreadsheet,
            status=status,
        )
    if status == 403:
        reasons = _reasons(exc)
        if "SERVICE_DISABLED" in reasons or "has not been used in project" in message:
            return SheetsAuthError(
                "the Google Sheets API is not enabled in the Google Cloud project of "
                f"{account.name}: enable it under APIs & Services, then try again",
                spreadsheet=spreadsheet,
                status=403,
            )
        if "ACCESS_TOKEN_SCOPE_INSUFFICIENT" in reasons or "scope" in message.lower():
            return SheetsAuthError(
                f"the credentials of {account.name} do not allow this ({message})", spreadsheet=spreadsheet, status=403
            )
        return SheetsAccessError(
            f"the spreadsheet is not shared with {account.name}: open it in Google Sheets, click Share and "
            "add that address",
            spreadsheet=spreadsheet,
            status=status,
        )
    if status == 401:
        return SheetsAuthError(
            f"Google did not accept the credentials of {account.name}", spreadsheet=spreadsheet, status=401
        )
    return SheetsError(
        f"Google refused the request ({status}: {message[:300]})", spreadsheet=spreadsheet, status=status
    )
