"""Which endpoint a request path names, what quota kind it is charged to and which scopes it needs."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote

from .auth import (
    DRIVE,
    DRIVE_FILE,
    DRIVE_METADATA_READONLY,
    DRIVE_READONLY,
    SPREADSHEETS,
    SPREADSHEETS_READONLY,
)

READ_SCOPES = frozenset({SPREADSHEETS, SPREADSHEETS_READONLY, DRIVE, DRIVE_READONLY, DRIVE_FILE})
WRITE_SCOPES = frozenset({SPREADSHEETS, DRIVE, DRIVE_FILE})
DRIVE_READ_SCOPES = frozenset({DRIVE, DRIVE_READONLY, DRIVE_FILE, DRIVE_METADATA_READONLY,
                               "https://www.googleapis.com/auth/drive.metadata"})  # fmt: skip
DRIVE_WRITE_SCOPES = frozenset({DRIVE, DRIVE_FILE})

SHEETS_RPC = {
    "sheets.create": "CreateSpreadsheet",
    "sheets.get": "GetSpreadsheet",
    "sheets.batchUpdate": "BatchUpdateSpreadsheet",
    "values.get": "GetValues",
    "values.update": "UpdateValues",
    "values.append": "AppendValues",
    "values.clear": "ClearValues",
    "values.batchGet": "BatchGetValues",
    "values.batchUpdate": "BatchUpdateValues",
    "values.batchClear": "BatchClearValues",
}
KINDS = {
    "sheets.create": "write",
    "sheets.get": "read",
    "sheets.batchUpdate": "write",
    "values.get": "read",
    "values.update": "write",
    "values.append": "write",
    "values.clear": "write",
    "values.batchGet": "read",
    "values.batchUpdate": "write",
    "values.batchClear": "write",
}


@dataclass
class Route:
    name: str
    kind: str  # read | write | drive | token | other
    spreadsheet: str | None = None
    range: str | None = None
    file: str | None = None

    @property
    def service(self) -> str:
        return "drive.googleapis.com" if self.kind == "drive" else "sheets.googleapis.com"

    @property
    def rpc(self) -> str:
        if self.name in SHEETS_RPC:
            return f"google.apps.sheets.v4.SpreadsheetsService.{SHEETS_RPC[self.name]}"
        return f"google.apps.drive.v3.DriveFiles.{self.name.split('.')[-1].capitalize()}"

    def scopes(self) -> frozenset[str]:
        if self.kind == "read":
            return READ_SCOPES
        if self.kind == "write":
            return WRITE_SCOPES
        if self.name in ("drive.get", "drive.list"):
            return DRIVE_READ_SCOPES
        return DRIVE_WRITE_SCOPES


def _verb(segment: str, verbs: tuple[str, ...]) -> tuple[str, str | None]:
    head, sep, tail = segment.rpartition(":")
    if sep and tail in verbs:
        return head, tail
    return segment, None


def _sheets(method: str, parts: list[str]) -> Route | None:
    if not parts:
        return Route("sheets.create", "write") if method == "POST" else None
    key, verb = _verb(parts[0], ("batchUpdate", "getByDataFilter"))
    key = unquote(key)
    if len(parts) == 1:
        if verb == "batchUpdate" and method == "POST":
            return Route("sheets.batchUpdate", "write", key)
        if verb is None and method == "GET":
            return Route("sheets.get", "read", key)
        return Route("sheets.unimplemented", "other", key) if verb else None
    if len(parts) == 2:
        base, verb = _verb(parts[1], ("batchGet", "batchUpdate", "batchClear", "batchGetByDataFilter",
                                      "batchUpdateByDataFilter", "batchClearByDataFilter"))  # fmt: skip
        if base != "values" or verb is None:
            return None
        wanted = {"batchGet": "GET", "batchUpdate": "POST", "batchClear": "POST"}.get(verb)
        if wanted != method:
            return Route("sheets.unimplemented", "other", key) if wanted is None else None
        return Route(f"values.{verb}", KINDS[f"values.{verb}"], key)
    if len(parts) == 3 and parts[1] == "values":
        raw, verb = _verb(parts[2], ("append", "clear"))
        text = unquote(raw)
        if verb is None:
            name = {"GET": "values.get", "PUT": "values.update"}.get(method)
        else:
            name = f"values.{verb}" if method == "POST" else None
        return Route(name, KINDS[name], key, text) if name else None
    return None


def parse(method: str, path: str) -> Route | None:
    parts = path.split("/")[1:]
    if parts == ["token"]:
        return Route("token", "token") if method == "POST" else None
    if len(parts) == 6 and parts[:4] == ["v1", "projects", "-", "serviceAccounts"] and parts[5] == "allowedLocations":
        return Route("iam.allowedLocations", "other")
    if parts[:2] == ["v4", "spreadsheets"]:
        return _sheets(method, parts[2:])
    if parts[:3] == ["drive", "v3", "files"]:
        rest = parts[3:]
        if not rest:
            name = {"POST": "drive.create", "GET": "drive.list"}.get(method)
            return Route(name, "drive") if name else None
        key = unquote(rest[0])
        if len(rest) == 1:
            name = {"GET": "drive.get", "DELETE": "drive.delete", "PATCH": "drive.update"}.get(method)
            return Route(name, "drive", file=key) if name else None
        return Route("drive.unimplemented", "drive", file=key)
    if parts[:1] == ["upload"]:
        return Route("drive.unimplemented", "drive")
    return None
