"""Keyed pseudonyms of client IDs: the key file, HMAC-SHA256 pseudonyms and erasure tombstones.

A pseudonym is ``HMAC-SHA256(key, client_id)`` in hex (the first 32 characters,
128 bits): the same ID gives the same pseudonym under one key, so an analyst can
follow a client across sheets and across extracts made with that key; without the
key it cannot be linked back to the ID, and another key gives unrelated pseudonyms.
The key is 32 random bytes, kept in a file of its own (hex, mode 0600) that never
goes into an extract.

>>> key = bytes(range(32))
>>> pseudonym(key, "C0001") == pseudonym(key, " C0001 ")
True
>>> pseudonym(key, "C0001") != pseudonym(bytes(32), "C0001")
True
>>> tombstone(key, "C0001").startswith("ERASED-")
True
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import string
from pathlib import Path
from typing import Final

from sheetkit.errors import UsageError
from sheetkit.files import write_atomically
from sheetkit.record_keeping import TOMBSTONE_PREFIX, is_tombstone

__all__ = ["KEY_BYTES", "TOMBSTONE_PREFIX", "is_tombstone", "key_fingerprint", "load_key", "pseudonym", "tombstone"]

log = logging.getLogger(__name__)

#: Length of a key, in bytes (it is written as twice as many hex digits).
KEY_BYTES: Final = 32
#: Hex digits of a pseudonym kept (128 bits: no two of 10^9 IDs collide in practice).
PSEUDONYM_DIGITS: Final = 32
#: Hex digits of the pseudonym a tombstone carries.
TOMBSTONE_DIGITS: Final = 8


def load_key(path: Path | str, *, create: bool = True) -> tuple[bytes, bool]:
    """The key in ``path`` and whether it was just created.

    A missing file is created (``create=True``) with 32 random bytes in hex and
    mode 0600, atomically, never replacing a file that appeared meanwhile. A file
    that does not hold 64 hex digits is refused (UsageError): a typo must not
    silently start a new, unlinkable series of pseudonyms.
    """
    file = Path(path)
    if not file.exists():
        if not create:
            raise UsageError(f"{file}: no key file here")
        key = secrets.token_bytes(KEY_BYTES)
        with write_atomically(file, overwrite=False, private=True) as (tmp,):
            tmp.write_text(key.hex() + "\n", encoding="ascii")
        log.info("created key file %s", file)
        return key, True
    try:
        text = file.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"{file}: cannot read the key file ({type(exc).__name__})") from None
    if len(text) != 2 * KEY_BYTES or any(c not in string.hexdigits for c in text):
        raise UsageError(f"{file}: not a sheetkit key file (expected {2 * KEY_BYTES} hex digits on one line)")
    return bytes.fromhex(text), False


def pseudonym(key: bytes, client_id: object) -> str:
    """The keyed pseudonym of one client ID (trimmed first, as the reader trims IDs)."""
    message = str(client_id).strip().encode("utf-8")
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:PSEUDONYM_DIGITS]


def key_fingerprint(key: bytes) -> str:
    """A short tag that tells which key made an extract, without revealing the key or any pseudonym."""
    return hmac.new(key, b"sheetkit key fingerprint", hashlib.sha256).hexdigest()[:16]


def tombstone(key: bytes, client_id: object) -> str:
    """The ID that replaces an erased client's ID in the rows kept for the books: ``ERASED-`` + 8 hex digits."""
    return TOMBSTONE_PREFIX + pseudonym(key, client_id)[:TOMBSTONE_DIGITS].upper()
