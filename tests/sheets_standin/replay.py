"""Replaying recorded Google traffic (vcrpy cassettes) against the stand-in, and comparing the answers.

Each cassette holds one or more recording runs (a run starts with the Drive ``files.create`` of its
spreadsheet).  A run is replayed in order on a fresh stand-in through a real google-auth
``AuthorizedSession``; ids the stand-in makes up (spreadsheet, sheet, protected-range and named-range ids)
are learned by walking the recorded and actual JSON side by side and substituted into later requests.

Comparison (notes §8): status exact; same keys and the same JSON types everywhere (int, float, string, bool
are all told apart); exact values for every field except timestamps and e-mail addresses (shape only) and
ids (they must follow the learned mapping consistently).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ID_KEYS = frozenset({"id", "spreadsheetId", "sheetId", "protectedRangeId", "namedRangeId"})
SHAPE_ONLY = frozenset({"createdTime", "modifiedTime"})
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")
_KEY = re.compile(r"1[A-Za-z0-9_-]{43}")
# Endpoints the stand-in does not serve (notes §8): export, comments, permissions, copy, upload.
OUT_OF_SCOPE = re.compile(r"/export|/comments|/permissions|/copy|/upload/")


@dataclass
class Interaction:
    method: str
    uri: str
    body: str | None
    content_type: str | None
    status: int
    response: str


@dataclass
class Outcome:
    replayed: int = 0
    skipped: list[str] = field(default_factory=list)
    mismatches: list[str] = field(default_factory=list)


def load(path: Path) -> list[Interaction]:
    data = json.loads(path.read_text(encoding="utf-8"))
    out = []
    for item in data["interactions"]:
        req, resp = item["request"], item["response"]
        headers = {k.lower(): v for k, v in (req.get("headers") or {}).items()}
        content_type = (headers.get("content-type") or [None])[0]
        out.append(
            Interaction(
                req["method"],
                req["uri"],
                req.get("body"),
                content_type,
                int(resp["status"]["code"]),
                (resp.get("body") or {}).get("string") or "",
            )
        )
    return out


def _created_name(it: Interaction) -> str | None:
    if it.method != "POST" or urlsplit(it.uri).path != "/drive/v3/files" or not it.body:
        return None
    try:
        return str(json.loads(it.body).get("name"))
    except ValueError:
        return None


def runs(interactions: list[Interaction]) -> list[list[Interaction]]:
    """Split a cassette into its recording runs: each starts by creating the test's spreadsheet in Drive
    (the name of the cassette's first created file)."""
    first = next((n for n in map(_created_name, interactions) if n), None)
    out: list[list[Interaction]] = []
    for it in interactions:
        if not out or (first is not None and _created_name(it) == first):
            out.append([])
        out[-1].append(it)
    return out


class Replayer:
    """``foreign``: makes a spreadsheet the caller may not open, for recorded 403s on someone else's file."""

    def __init__(self, session: Any, foreign: Callable[[], str] | None = None) -> None:
        self.session = session
        self.foreign = foreign
        self.ids: dict[tuple[str, Any], Any] = {}

    # ------------------------------------------------------------ id mapping
    def _map_value(self, value: Any) -> Any:
        return self.ids.get((type(value).__name__, value), value)

    def uri(self, uri: str) -> str:
        return _KEY.sub(lambda m: self.ids.get(("str", m.group(0)), m.group(0)), uri)

    def body(self, body: str | None) -> bytes | None:
        if not body:
            return None
        try:
            data = json.loads(body)
        except ValueError:
            return body.encode()
        return json.dumps(self._substitute(data)).encode()

    def _substitute(self, obj: Any) -> Any:
        if isinstance(obj, dict):
            return {k: (self._map_value(v) if k in ID_KEYS and not isinstance(v, dict | list)
                        else self._substitute(v)) for k, v in obj.items()}  # fmt: skip
        if isinstance(obj, list):
            return [self._substitute(v) for v in obj]
        return obj

    def _text(self, text: str) -> str:
        return _KEY.sub(lambda m: self.ids.get(("str", m.group(0)), m.group(0)), text)

    # ------------------------------------------------------------ comparison
    def compare(self, recorded: Any, actual: Any, path: str = "$", key: str | None = None) -> list[str]:
        problems: list[str] = []
        if _kind(recorded) != _kind(actual):
            return [f"{path}: type {_kind(recorded)} recorded, {_kind(actual)} served ({actual!r:.80})"]
        if isinstance(recorded, dict):
            missing = sorted(set(recorded) - set(actual))
            extra = sorted(set(actual) - set(recorded))
            if missing:
                problems.append(f"{path}: missing keys {missing}")
            if extra:
                problems.append(f"{path}: extra keys {extra}")
            for k in recorded:
                if k in actual:
                    problems += self.compare(recorded[k], actual[k], f"{path}.{k}", k)
            return problems
        if isinstance(recorded, list):
            if len(recorded) != len(actual):
                return [f"{path}: {len(recorded)} items recorded, {len(actual)} served"]
            for i, (r, a) in enumerate(zip(recorded, actual, strict=True)):
                problems += self.compare(r, a, f"{path}[{i}]", key)
            return problems
        if key in ID_KEYS:
            slot = (type(recorded).__name__, recorded)
            learned = self.ids.setdefault(slot, actual)
            if learned != actual:
                problems.append(f"{path}: id {recorded!r} was mapped to {learned!r}, now {actual!r}")
            return problems
        if key in SHAPE_ONLY or (isinstance(recorded, str) and _EMAIL.match(recorded)):
            return problems
        expected = self._text(recorded) if isinstance(recorded, str) else recorded
        if expected != actual:
            problems.append(f"{path}: {expected!r} recorded, {actual!r} served")
        return problems

    # ------------------------------------------------------------ one run
    def replay(self, interactions: list[Interaction], outcome: Outcome | None = None) -> Outcome:
        outcome = outcome or Outcome()
        for n, it in enumerate(interactions):
            where = f"#{n} {it.method} {urlsplit(it.uri).path}"
            if OUT_OF_SCOPE.search(urlsplit(it.uri).path):
                outcome.skipped.append(where)
                continue
            if it.status == 403 and self.foreign is not None:
                for key in _KEY.findall(it.uri):
                    self.ids.setdefault(("str", key), self.foreign())
            headers = {"Content-Type": it.content_type} if it.content_type else {}
            response = self.session.request(
                it.method, self.uri(it.uri), data=self.body(it.body), headers=headers, timeout=30
            )
            outcome.replayed += 1
            if response.status_code != it.status:
                outcome.mismatches.append(f"{where}: status {it.status} recorded, {response.status_code} served: "
                                          f"{response.text[:300]}")  # fmt: skip
                continue
            recorded = _parse(it.response)
            actual = _parse(response.text)
            outcome.mismatches += [f"{where}: {p}" for p in self.compare(recorded, actual)]
        return outcome


def _parse(text: str) -> Any:
    if not text.strip():
        return None
    try:
        return json.loads(text)
    except ValueError:
        return text


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    names = {int: "int", float: "float", str: "string", dict: "object", list: "array"}
    return names.get(type(value), type(value).__name__)
