"""Local OAuth: service-account keys, the JWT-bearer and refresh-token grants, and bearer tokens.

Token lifetimes use the stand-in's clock (so a FakeClock can expire them).  The JWT's own ``iat``/``exp``
are checked against real time by ``google.auth.jwt.decode``, because google-auth stamps them with real time.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from google.auth import exceptions as auth_exceptions
from google.auth import jwt

from .clock import Clock
from .model import Ids

GOOGLE_TOKEN_URI = "https://oauth2.googleapis.com/token"  # noqa: S105 (a URL, not a secret)
JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
TOKEN_LIFETIME = 3600
SPREADSHEETS = "https://www.googleapis.com/auth/spreadsheets"
SPREADSHEETS_READONLY = "https://www.googleapis.com/auth/spreadsheets.readonly"
DRIVE = "https://www.googleapis.com/auth/drive"
DRIVE_READONLY = "https://www.googleapis.com/auth/drive.readonly"
DRIVE_FILE = "https://www.googleapis.com/auth/drive.file"
DRIVE_METADATA_READONLY = "https://www.googleapis.com/auth/drive.metadata.readonly"
DEFAULT_USER_SCOPES = (SPREADSHEETS, DRIVE)

_TIMEFRAME = (
    "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. "
    "Check your iat and exp values in the JWT claim."
)

_KEY_LOCK = threading.Lock()
_KEYS: dict[int, tuple[str, str]] = {}


def key_pair(slot: int = 0) -> tuple[str, str]:
    """(PKCS8 private PEM, public PEM) of an RSA-2048 key, generated once per process and slot."""
    with _KEY_LOCK:
        if slot not in _KEYS:
            key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            private = key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            ).decode()
            public = (
                key.public_key()
                .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
                .decode()
            )
            _KEYS[slot] = (private, public)
        return _KEYS[slot]


@dataclass
class Token:
    email: str
    project: str
    scopes: frozenset[str]
    expiry: float


@dataclass
class UserGrant:
    email: str
    project: str
    scopes: frozenset[str]
    client_id: str
    client_secret: str


@dataclass
class TokenReply:
    status: int
    body: dict[str, Any]


@dataclass
class Auth:
    clock: Clock
    ids: Ids
    keys: dict[str, tuple[str, str]] = field(default_factory=dict)  # kid -> (email, public PEM)
    projects: dict[str, str] = field(default_factory=dict)  # email -> project id
    grants: dict[str, UserGrant] = field(default_factory=dict)  # refresh token -> grant
    tokens: dict[str, Token] = field(default_factory=dict)

    # ------------------------------------------------------------ identities
    def service_account(self, email: str, project: str, token_uri: str, key_slot: int = 0) -> dict[str, Any]:
        private, public = key_pair(key_slot)
        kid = self.ids.token(40).lower()
        self.keys[kid] = (email, public)
        self.projects[email.lower()] = project
        return {
            "type": "service_account",
            "project_id": project,
            "private_key_id": kid,
            "private_key": private,
            "client_email": email,
            "client_id": self.ids.digits(21),
            "auth_uri": "https://accounts.google.com/o/oauth2/auth",
            "token_uri": token_uri,
            "auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
            "client_x509_cert_url": f"https://www.googleapis.com/robot/v1/metadata/x509/{quote(email)}",
            "universe_domain": "googleapis.com",
        }

    def authorized_user(
        self, email: str, project: str, token_uri: str, scopes: tuple[str, ...] = DEFAULT_USER_SCOPES
    ) -> dict[str, Any]:
        client_id = f"{self.ids.digits(12)}-{self.ids.token(32).lower()}.apps.googleusercontent.com"
        secret = "GOCSPX-" + self.ids.token(28)
        refresh = "1//" + self.ids.token(64)
        self.grants[refresh] = UserGrant(email, project, frozenset(scopes), client_id, secret)
        self.projects[email.lower()] = project
        return {
            "type": "authorized_user",
            "client_id": client_id,
            "client_secret": secret,
            "refresh_token": refresh,
            "token_uri": token_uri,
            "account": email,
            "universe_domain": "googleapis.com",
        }

    # ------------------------------------------------------------ token endpoint
    def token_endpoint(self, form: dict[str, str], token_uri: str) -> TokenReply:
        grant = form.get("grant_type", "")
        if grant == JWT_BEARER:
            return self._jwt_grant(form.get("assertion", ""), token_uri)
        if grant == "refresh_token":
            return self._refresh_grant(form)
        return _token_error("unsupported_grant_type", f"Invalid grant_type: {grant}")

    def _jwt_grant(self, assertion: str, token_uri: str) -> TokenReply:
        try:
            header = jwt.decode_header(assertion)
        except (ValueError, auth_exceptions.GoogleAuthError):
            return _token_error("invalid_grant", "Invalid JWT Signature.")
        kid = header.get("kid")
        if kid not in self.keys:
            return _token_error("invalid_grant", "Invalid JWT Signature.")
        email, public = self.keys[kid]
        try:
            claims = jwt.decode(
                assertion, certs={kid: public}, audience=[GOOGLE_TOKEN_URI, token_uri], clock_skew_in_seconds=10
            )
        except (ValueError, auth_exceptions.GoogleAuthError) as exc:
            text = str(exc)
            if "signature" in text.lower() or "Certificate" in text:
                return _token_error("invalid_grant", "Invalid JWT Signature.")
            if "audience" in text:
                return _token_error("invalid_grant", "Invalid JWT: Failed audience check.")
            return _token_error("invalid_grant", _TIMEFRAME)
        if claims.get("iss") != email:
            return _token_error("invalid_grant", "Invalid grant: account not found")
        if int(claims.get("exp", 0)) - int(claims.get("iat", 0)) > TOKEN_LIFETIME:
            return _token_error("invalid_grant", _TIMEFRAME)
        scopes = frozenset(str(claims.get("scope", "")).split())
        if not scopes:
            return _token_error("invalid_scope", "Invalid OAuth scope or ID token audience provided.")
        return self._issue(email, self.projects.get(email.lower(), "standin-project"), scopes, with_scope=False)

    def _refresh_grant(self, form: dict[str, str]) -> TokenReply:
        grant = self.grants.get(form.get("refresh_token", ""))
        if grant is None:
            return _token_error("invalid_grant", "Bad Request")
        if form.get("client_id") != grant.client_id:
            return _token_error("invalid_client", "The OAuth client was not found.", status=401)
        if form.get("client_secret") != grant.client_secret:
            return _token_error("invalid_client", "Unauthorized", status=401)
        asked = frozenset(form.get("scope", "").split())
        if asked and not asked <= grant.scopes:
            return _token_error("invalid_scope", "Bad Request")
        return self._issue(grant.email, grant.project, asked or grant.scopes, with_scope=True)

    def _issue(self, email: str, project: str, scopes: frozenset[str], *, with_scope: bool) -> TokenReply:
        token = "ya29.c." + self.ids.token(120)
        self.tokens[token] = Token(email, project, scopes, self.clock.now() + TOKEN_LIFETIME)
        body: dict[str, Any] = {"access_token": token, "expires_in": TOKEN_LIFETIME - 1, "token_type": "Bearer"}
        if with_scope:
            body["scope"] = " ".join(sorted(scopes))
        return TokenReply(200, body)

    # ------------------------------------------------------------ bearer tokens
    def check(self, authorization: str | None) -> tuple[Token | None, str | None]:
        """(token, None) when valid, else (None, reason): CREDENTIALS_MISSING, ACCESS_TOKEN_EXPIRED or None."""
        if not authorization or not authorization.lower().startswith("bearer "):
            return None, "CREDENTIALS_MISSING"
        token = self.tokens.get(authorization[7:].strip())
        if token is None:
            return None, None
        if self.clock.now() >= token.expiry:
            return None, "ACCESS_TOKEN_EXPIRED"
        return token, None

    def revoke(self, email: str) -> None:
        for key in [k for k, t in self.tokens.items() if t.email.lower() == email.lower()]:
            del self.tokens[key]


def _token_error(error: str, description: str, status: int = 400) -> TokenReply:
    return TokenReply(status, {"error": error, "error_description": description})
