"""Google credentials for sheetkit: a service account or a user's OAuth consent, narrowest scopes.

Writes (creating or filling a workbook) ask for the ``spreadsheets`` scope;
reads and pulls ask for ``spreadsheets.readonly``. Drive scopes are never
requested: sheetkit creates spreadsheets through the Sheets API itself.

Where credentials come from, first match wins:

1. ``service_account=PATH`` (the CLI's ``--service-account``);
2. the environment variable ``SHEETKIT_SERVICE_ACCOUNT``, then ``GOOGLE_APPLICATION_CREDENTIALS``;
3. a user token saved by an earlier OAuth consent (``~/.config/sheetkit/authorized_user.json``,
   ``authorized_user-readonly.json`` for the read-only scope);
4. ``oauth_client=PATH`` (an OAuth client of type "Desktop app"): the browser consent runs once
   and its refresh token is saved, readable by the user only.

Credentials, tokens and private keys are never printed or logged; error
messages name the file and the account e-mail at most.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from google.auth.credentials import Credentials
from google.oauth2 import credentials as user_credentials
from google.oauth2 import service_account
from google_auth_oauthlib.flow import InstalledAppFlow

from sheetkit.errors import SheetsAuthError, WorkbookWriteError
from sheetkit.files import write_atomically

__all__ = [
    "ENV_SERVICE_ACCOUNT",
    "READ_SCOPES",
    "WRITE_SCOPES",
    "Account",
    "account_from_info",
    "load_account",
]

WRITE_SCOPES: Final = ("https://www.googleapis.com/auth/spreadsheets",)
READ_SCOPES: Final = ("https://www.googleapis.com/auth/spreadsheets.readonly",)
ENV_SERVICE_ACCOUNT: Final = "SHEETKIT_SERVICE_ACCOUNT"
#: Saved user tokens, one per scope set (a read-only consent cannot write).
DEFAULT_TOKEN_FILES: Final = {
    True: Path("~/.config/sheetkit/authorized_user-readonly.json"),
    False: Path("~/.config/sheetkit/authorized_user.json"),
}

#: Runs the browser consent for an OAuth client file and returns the user's credentials.
ConsentFlow = Callable[[Path, Sequence[str]], user_credentials.Credentials]


@dataclass(frozen=True)
class Account:
    """One identity sheetkit talks to Google as.

    ``name`` (the service account's e-mail, or ``oauth-user`` with the client
    id) and ``project`` key the quota windows; neither is secret.
    """

    credentials: Credentials
    name: str
    project: str

    def __repr__(self) -> str:  # never show the credentials object
        return f"Account(name={self.name!r}, project={self.project!r})"


def account_from_info(info: Mapping[str, Any], *, readonly: bool, source: str = "credentials") -> Account:
    """An Account from the parsed JSON of a service-account key or an authorized-user token."""
    scopes = list(READ_SCOPES if readonly else WRITE_SCOPES)
    kind = info.get("type") or ("authorized_user" if "refresh_token" in info else None)
    try:
        if kind == "service_account":
            sa = service_account.Credentials.from_service_account_info(dict(info), scopes=scopes)  # type: ignore[no-untyped-call]
            return Account(sa, str(info["client_email"]), str(info.get("project_id") or info["client_email"]))
        if kind == "authorized_user":
            user = user_credentials.Credentials.from_authorized_user_info(dict(info), scopes=scopes)  # type: ignore[no-untyped-call]
            client = str(info.get("client_id", "?"))
            return Account(user, f"oauth-user:{client}", str(info.get("quota_project_id") or f"oauth:{client}"))
    except (KeyError, ValueError) as exc:
        raise SheetsAuthError(f"{source}: the credentials file is incomplete or damaged ({_field(exc)})") from None
    raise SheetsAuthError(
        f'{source}: not a service-account key or a saved user token (its "type" is {kind!r}); '
        "download a JSON key of a service account from the Google Cloud console"
    )


def load_account(
    *,
    readonly: bool,
    service_account_file: Path | str | None = None,
    oauth_client: Path | str | None = None,
    token_file: Path | str | None = None,
    environ: Mapping[str, str] | None = None,
    consent: ConsentFlow | None = None,
) -> Account:
    """Find credentials in the order the module docstring gives and return the Account."""
    env = os.environ if environ is None else environ
    candidate = service_account_file or env.get(ENV_SERVICE_ACCOUNT) or env.get("GOOGLE_APPLICATION_CREDENTIALS")
    if candidate:
        path = Path(candidate).expanduser()
        return account_from_info(_read_json(path), readonly=readonly, source=str(path))
    token = Path(token_file or DEFAULT_TOKEN_FILES[readonly]).expanduser()
    if token.exists():
        return account_from_info(_read_json(token), readonly=readonly, source=str(token))
    if oauth_client:
        flow = consent or _browser_consent
        scopes = list(READ_SCOPES if readonly else WRITE_SCOPES)
        client_file = Path(oauth_client).expanduser()
        if not client_file.exists():
            raise SheetsAuthError(f"{client_file}: no such OAuth client file")
        creds = flow(client_file, scopes)
        _save_token(token, creds)
        return account_from_info(_read_json(token), readonly=readonly, source=str(token))
    raise SheetsAuthError(
        "no Google credentials: pass --service-account KEY.json (or set "
        f"{ENV_SERVICE_ACCOUNT}), or --oauth-client CLIENT.json to sign in as yourself"
    )


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SheetsAuthError(f"{path}: no such credentials file") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SheetsAuthError(f"{path}: cannot read the credentials file ({type(exc).__name__})") from None
    if not isinstance(data, dict):
        raise SheetsAuthError(f"{path}: the credentials file is not a JSON object")
    return data


def _field(exc: Exception) -> str:
    # KeyError names the missing field; ValueError from google-auth may quote key material, so it is not shown.
    return f"missing {exc.args[0]!r}" if isinstance(exc, KeyError) else "the key cannot be parsed"


def _browser_consent(client_file: Path, scopes: Sequence[str]) -> user_credentials.Credentials:
    flow = InstalledAppFlow.from_client_secrets_file(str(client_file), list(scopes))
    creds: user_credentials.Credentials = flow.run_local_server(port=0, open_browser=True)
    return creds


def _save_token(path: Path, creds: user_credentials.Credentials) -> None:
    """Save the refresh token for the next run, readable by the user only, written atomically."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    saved = json.loads(creds.to_json(strip=["token"]))  # type: ignore[no-untyped-call]
    try:
        with write_atomically(path, private=True) as (tmp,):
            tmp.write_text(json.dumps({"type": "authorized_user", **saved}), encoding="utf-8")
    except WorkbookWriteError as exc:
        raise SheetsAuthError(f"{path}: cannot save the sign-in token ({exc.reason})") from None
