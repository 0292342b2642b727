"""Who is who: clients matched by phone or e-mail, probable duplicates by name.

Keys are normalised so that the same person matches however the number was typed:
a phone loses its country code (of the four locales' countries and North America)
and its trunk 0 (exports differ in both), an e-mail is folded to lower case, a name loses case, spaces and
punctuation. A client already in the workbook with the same phone or e-mail is
the same client; the same name with a different phone or e-mail is only a
probable duplicate, reported and never merged.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Final

__all__ = ["ClientIndex", "email_key", "name_key", "phone_key"]

#: Country codes whose prefix is dropped: the UK, Italy, Vietnam, China, and North America.
_COUNTRY_CODES: Final = ("44", "39", "84", "86", "1")
_NOT_WORD: Final = re.compile(r"[\W_]+")
_NOT_DIGIT: Final = re.compile(r"\D")


def phone_key(value: object) -> str | None:
    """A phone's digits without an international prefix, a country code of the four locales, or a trunk 0.

    None when fewer than 6 digits remain.

    >>> phone_key("+39 333 123 4567") == phone_key("333 1234567")
    True
    >>> phone_key("+44 7700 900101") == phone_key("07700 900101")
    True
    >>> phone_key("0987 654 321") == phone_key("139 8765 4321")
    False
    """
    if not isinstance(value, str):
        return None
    text = value.strip()
    digits = _NOT_DIGIT.sub("", text)
    if digits.startswith("00"):
        digits, text = digits[2:], "+" + digits[2:]
    if text.startswith("+"):
        for code in _COUNTRY_CODES:
            if digits.startswith(code):
                digits = digits[len(code) :]
                break
    digits = digits.lstrip("0")
    return digits if len(digits) >= 6 else None


def email_key(value: object) -> str | None:
    """An e-mail folded for comparison."""
    if not isinstance(value, str) or "@" not in value:
        return None
    return value.strip().casefold()


def name_key(value: object) -> str | None:
    """A name without case, spaces, accents or punctuation (``Lê Thị Hoa`` = ``le thi hoa``)."""
    if not isinstance(value, str):
        return None
    folded = value.casefold()
    if not folded.isascii():  # (ASCII has nothing to decompose)
        folded = unicodedata.normalize("NFKD", folded)
        folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
    plain = folded.replace("đ", "d")
    key = _NOT_WORD.sub("", plain)
    return key or None


@dataclass
class ClientIndex:
    """Client IDs by phone, e-mail, name, their own ID and a vendor's ID."""

    by_phone: dict[str, str] = field(default_factory=dict)
    by_email: dict[str, str] = field(default_factory=dict)
    by_name: dict[str, set[str]] = field(default_factory=dict)
    by_id: dict[str, str] = field(default_factory=dict)
    by_source: dict[str, str] = field(default_factory=dict)
    #: Keys already worked out, per text: a visit log names the same client on many rows.
    _keys: dict[tuple[str, str], str | None] = field(default_factory=dict, repr=False)

    def _key(self, kind: str, value: object) -> str | None:
        if not isinstance(value, str):
            return None
        if (kind, value) not in self._keys:
            self._keys[kind, value] = phone_key(value) if kind == "phone" else name_key(value)
        return self._keys[kind, value]

    def add(
        self,
        client_id: str,
        *,
        name: object = None,
        phones: Iterable[object] = (),
        email: object = None,
        source_id: object = None,
    ) -> None:
        """Index one client."""
        self.by_id.setdefault(client_id.casefold(), client_id)
        for phone in phones:
            key = self._key("phone", phone)
            if key:
                self.by_phone.setdefault(key, client_id)
        mail = email_key(email)
        if mail:
            self.by_email.setdefault(mail, client_id)
        person = self._key("name", name)
        if person:
            self.by_name.setdefault(person, set()).add(client_id)
        if isinstance(source_id, str) and source_id.strip():
            self.by_source.setdefault(source_id.strip(), client_id)

    def same_client(self, *, phones: Iterable[object] = (), email: object = None) -> tuple[str, str] | None:
        """The client with this phone or e-mail, and which matched ("phone" or "e-mail")."""
        for phone in phones:
            key = self._key("phone", phone)
            if key and key in self.by_phone:
                return self.by_phone[key], "phone"
        mail = email_key(email)
        if mail and mail in self.by_email:
            return self.by_email[mail], "e-mail"
        return None

    def by_unique_name(self, name: object) -> str | None:
        """The one client with this name, if exactly one has it."""
        person = self._key("name", name)
        found = self.by_name.get(person or "", set())
        return next(iter(found)) if len(found) == 1 else None

    def namesakes(self, name: object, client_id: str) -> list[str]:
        """Other clients with the same name (probable duplicates)."""
        person = self._key("name", name)
        return sorted(self.by_name.get(person or "", set()) - {client_id})
