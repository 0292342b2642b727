"""The branch registry: which branches a chain has, where each keeps its workbook, and in what language.

The registry is a small TOML file head office keeps::

    # branches.toml
    locale = "en"                                  # language of the chain report
    service_accounts = ["keys/reader-1.json"]      # optional; paths relative to this file

    [[branch]]
    code = "HN01"
    spreadsheet = "1AbC..."                        # a Google Sheet: the key, or the sheet's full address
    locale = "vi"                                  # the tab names to ask for (one read per branch)
    name = "Hà Nội 1"

    [[branch]]
    code = "MI01"
    workbook = "branches/milano.xlsx"              # a file (.xlsx, .xls, .ods), relative to this file

Each branch gives exactly one of ``spreadsheet`` and ``workbook``. The
``locale`` of a file branch is optional: the workbook's About sheet says it.
A registry is checked as a whole here; whether each branch can be read is
found out when the chain is pulled (a missing file fails only its branch).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sheetkit.errors import RegistryError, UsageError
from sheetkit.template import Template, load_template

__all__ = ["Branch", "Registry", "load_registry", "spreadsheet_key"]

_KEY = re.compile(r"^[A-Za-z0-9_-]{20,100}$")
_URL = re.compile(r"/spreadsheets/d/([A-Za-z0-9_-]+)")
_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$")
_SETTINGS = ("locale", "service_accounts", "branch")
_FIELDS = ("code", "spreadsheet", "workbook", "locale", "name")


@dataclass(frozen=True)
class Branch:
    """One branch of the chain: its code and its source, a Google Sheet key or a workbook file.

    ``locale`` names the tabs of a Google Sheet (saves a request); a file says its own.

    >>> Branch("MI01", workbook=Path("milano.xlsx")).label
    'milano.xlsx'
    """

    code: str
    spreadsheet: str | None = None
    locale: str | None = None
    name: str | None = None
    workbook: Path | None = None

    def __post_init__(self) -> None:
        if (self.spreadsheet is None) == (self.workbook is None):
            raise UsageError(f"branch {self.code}: give either a spreadsheet or a workbook, not both or neither")

    @property
    def label(self) -> str:
        """Where the branch's data is: the spreadsheet key or the workbook path."""
        return self.spreadsheet if self.spreadsheet is not None else str(self.workbook)


@dataclass(frozen=True)
class Registry:
    """The branches of a chain, and what to read them with."""

    branches: tuple[Branch, ...]
    locale: str = "en"
    service_accounts: tuple[Path, ...] = ()
    source: Path | None = None

    @property
    def needs_google(self) -> bool:
        """True when a branch is a Google Sheet (only then are credentials needed)."""
        return any(b.spreadsheet is not None for b in self.branches)


def spreadsheet_key(text: str) -> str:
    """The key of a spreadsheet from the key itself or its address.

    >>> spreadsheet_key("https://docs.google.com/spreadsheets/d/1AbCdEfGhIjKlMnOpQrStUvWxYz0123456789/edit#gid=0")
    '1AbCdEfGhIjKlMnOpQrStUvWxYz0123456789'
    """
    found = _URL.search(text)
    key = found.group(1) if found else text.strip()
    if not _KEY.match(key):
        raise UsageError(f"{text!r} is not a spreadsheet key or address")
    return key


def load_registry(path: Path | str, *, template: Template | None = None) -> Registry:
    """Read and check a branch registry (TOML); errors name the file and the entry."""
    template = template or load_template()
    source = Path(path)
    raw = _read_toml(source)
    unknown = sorted(set(raw) - set(_SETTINGS))
    if unknown:
        raise RegistryError(
            f"unknown setting(s) {', '.join(unknown)}; expected locale, service_accounts, [[branch]]", file=source
        )
    locale = raw.get("locale", "en")
    if locale not in template.locales:
        raise RegistryError(f"locale {locale!r} is not one of {', '.join(template.locales)}", file=source)
    accounts = raw.get("service_accounts", [])
    if not isinstance(accounts, list) or not all(isinstance(a, str) for a in accounts):
        raise RegistryError("service_accounts must be a list of file paths", file=source)
    entries = raw.get("branch", [])
    if not isinstance(entries, list) or not entries:
        raise RegistryError("no [[branch]] entries", file=source)
    reader = _Entries(source, template)
    branches = tuple(reader.branch(number, entry) for number, entry in enumerate(entries, start=1))
    return Registry(
        branches=branches,
        locale=str(locale),
        service_accounts=tuple((source.parent / a).expanduser() for a in accounts),
        source=source,
    )


def _read_toml(source: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(source.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RegistryError("no such registry file", file=source) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise RegistryError(f"cannot read the file ({type(exc).__name__})", file=source) from None
    except tomllib.TOMLDecodeError as exc:
        raise RegistryError(f"not valid TOML ({exc})", file=source) from None


class _Entries:
    """Checks ``[[branch]]`` entries one by one, remembering codes and sources already taken."""

    def __init__(self, source: Path, template: Template) -> None:
        self.source = source
        self.template = template
        self.codes: dict[str, int] = {}
        self.places: dict[str, tuple[int, str]] = {}

    def fail(self, message: str, where: str) -> RegistryError:
        return RegistryError(message, file=self.source, entry=where)

    def branch(self, number: int, entry: object) -> Branch:
        where = f"branch {number}"
        if not isinstance(entry, dict):
            raise self.fail("each [[branch]] must be a table", where)
        extra = sorted(set(entry) - set(_FIELDS))
        if extra:
            raise self.fail(f"unknown field(s) {', '.join(extra)}", where)
        code = entry.get("code")
        if not isinstance(code, str) or not _CODE.match(code):
            raise self.fail("code must be a short text like HN01", where)
        where = f"branch {code}"
        if code in self.codes:
            raise self.fail(f"the code is used twice (entries {self.codes[code]} and {number})", where)
        self.codes[code] = number
        locale = entry.get("locale")
        if locale is not None and locale not in self.template.locales:
            raise self.fail(f"locale {locale!r} is not one of {', '.join(self.template.locales)}", where)
        name = entry.get("name")
        name = None if name is None else str(name)
        if ("spreadsheet" in entry) == ("workbook" in entry):
            raise self.fail(
                "give either spreadsheet (a Google Sheet key or address) or workbook (a file), not both or neither",
                where,
            )
        if "workbook" in entry:
            workbook = self.workbook(entry["workbook"], where)
            self.once(str(workbook.resolve()), "workbook", number, code)
            return Branch(code, locale=locale, name=name, workbook=workbook)
        try:
            key = spreadsheet_key(str(entry["spreadsheet"]))
        except UsageError as exc:
            raise self.fail(str(exc), where) from None
        self.once(key, "spreadsheet", number, code)
        return Branch(code, key, locale, name)

    def workbook(self, value: object, where: str) -> Path:
        if not isinstance(value, str) or not value.strip():
            raise self.fail("workbook must be the path of a .xlsx, .xls or .ods file", where)
        return self.source.parent / Path(value.strip()).expanduser()

    def once(self, place: str, kind: str, number: int, code: str) -> None:
        """Refuse a source registered twice: its figures would be counted twice."""
        if place in self.places:
            first_number, first_code = self.places[place]
            raise self.fail(
                f"the {kind} is also registered as branch {first_code} (entries {first_number} and {number});"
                f" one {kind} would be counted twice",
                f"branch {code}",
            )
        self.places[place] = (number, code)
