"""Office encryption of workbooks: ECMA-376 agile encryption (AES-256, SHA-512), in memory only.

This module owns the one way sheetkit encrypts and decrypts a workbook, through
msoffcrypto-tool (never a cipher of its own): the standard "Encrypt with
Password" format that Excel and LibreOffice open after asking for the password.

- :func:`encrypt_workbook` turns the bytes of an .xlsx package built in memory
  into an encrypted file, so the plain workbook never touches the disk;
- :func:`decrypted` opens an encrypted workbook already pinned
  (:mod:`~sheetkit.excel.pinned`) and holds the decrypted package in an anonymous
  memory file (``memfd``): every reader then opens it by path like any workbook,
  and nothing is written to a temporary file;
- :func:`is_encrypted` tells cheaply whether a file is an encrypted workbook.

The password is never logged, never put in a message and never kept beyond the
call; msoffcrypto's own debug log (which prints derived keys) is silenced here.
"""

from __future__ import annotations

import contextlib
import fcntl
import io
import logging
import os
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, Final

import msoffcrypto  # type: ignore[import-untyped]  # no stubs
from msoffcrypto.exceptions import InvalidKeyError  # type: ignore[import-untyped]
from msoffcrypto.format.ooxml import OOXMLFile  # type: ignore[import-untyped]

from sheetkit.errors import (
    UnsafeWorkbookError,
    UnsupportedFormatError,
    UsageError,
    WorkbookError,
    WorkbookPasswordError,
)
from sheetkit.excel.compound import CFB_MAGIC, encrypted_package
from sheetkit.excel.pinned import PinnedFile, pin_file
from sheetkit.excel.refusals import DAMAGED, human

__all__ = ["MAX_ENCRYPTED", "check_password", "decrypted", "encrypt_workbook", "is_encrypted"]

# msoffcrypto logs key material at DEBUG (derived keys, verifiers): whatever an application
# sets for its root logger, none of it may reach a log file.
logging.getLogger("msoffcrypto").setLevel(logging.WARNING)
log = logging.getLogger(__name__)

#: An encrypted workbook larger than this is refused: it is decrypted whole, in memory.
MAX_ENCRYPTED: Final = 1024**3


def check_password(password: object) -> str:
    """``password`` if it can encrypt a workbook, else a UsageError (which never shows it)."""
    if not isinstance(password, str):
        raise UsageError("the password must be text")
    if not password:
        raise UsageError("the password is empty; give a password of at least one character")
    return password


def encrypt_workbook(package: bytes, password: str) -> bytes:
    """The encrypted file of an .xlsx ``package`` (its bytes), ready to be written.

    >>> import io, xlsxwriter
    >>> buffer = io.BytesIO()
    >>> book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    >>> _ = book.add_worksheet()
    >>> book.close()
    >>> encrypt_workbook(buffer.getvalue(), "s3cret")[:8] == CFB_MAGIC
    True
    """
    check_password(password)
    out = io.BytesIO()
    try:
        OOXMLFile(io.BytesIO(package)).encrypt(password, out)
    except Exception as exc:  # the library's text is never shown: it could be anything
        log.debug("encryption failed: %s", type(exc).__name__)
        raise WorkbookError("the workbook could not be encrypted (it is not a complete .xlsx package)") from None
    return out.getvalue()


def is_encrypted(path: Path | str) -> bool:
    """True when ``path`` is an Office-encrypted workbook (one :func:`decrypted` can open with its password)."""
    try:
        with pin_file(path) as pinned, pinned.open() as stream:
            if stream.read(len(CFB_MAGIC)) != CFB_MAGIC:
                return False
            return encrypted_package(stream, pinned.path, pinned.size)
    except (WorkbookError, OSError):
        return False


@contextlib.contextmanager
def decrypted(pinned: PinnedFile, password: str) -> Iterator[PinnedFile]:
    """The decrypted package of the encrypted workbook ``pinned``, as a pinned file held in memory.

    Its ``path`` is the workbook's (for messages); its ``source`` is an anonymous
    memory file that readers open like any file and that vanishes when the block ends.

    Raises:
        WorkbookPasswordError: ``password`` does not open the workbook (``wrong=True``).
        UnsupportedFormatError: the encrypted file is damaged.
        UnsafeWorkbookError: the file is larger than :data:`MAX_ENCRYPTED`.
    """
    check_password(password)
    if pinned.size > MAX_ENCRYPTED:
        raise UnsafeWorkbookError(
            f"the encrypted workbook is {human(pinned.size)}, more than the {human(MAX_ENCRYPTED)} sheetkit "
            "decrypts in memory; delete unused rows and sheets in Excel and save a smaller copy",
            path=pinned.path,
        )
    with pinned.open() as stream:
        package = _decrypt(stream, password, pinned.path)
    descriptor = _memory_file(package, pinned.path)
    del package
    memory = _MemoryFile(pinned.path, descriptor, os.fstat(descriptor))
    try:
        yield memory
    finally:
        memory.close()


def _decrypt(stream: BinaryIO, password: str, path: Path) -> bytes:
    out = io.BytesIO()
    try:
        office = msoffcrypto.OfficeFile(stream)
        try:
            office.load_key(password=password, verify_password=True)
        except InvalidKeyError:
            log.debug("wrong password for %s", path)
            raise WorkbookPasswordError(path, wrong=True) from None
        # the password is right: any failure from here on (the integrity check too) is a damaged file
        office.decrypt(out, verify_integrity=True)
    except WorkbookPasswordError:
        raise
    except MemoryError:
        raise UnsafeWorkbookError(
            "the encrypted workbook is too large to decrypt on this computer", path=path
        ) from None
    except Exception as exc:  # a damaged or crafted file: the library's text is never shown
        log.debug("decryption failed on %s: %s", path, type(exc).__name__)
        raise UnsupportedFormatError(DAMAGED, path=path) from None
    return out.getvalue()


def _memory_file(data: bytes, path: Path) -> int:
    """An anonymous, sealed memory file holding ``data``; its descriptor."""
    create = getattr(os, "memfd_create", None)
    if create is None:
        raise WorkbookError(
            "opening an encrypted workbook needs a system with anonymous memory files (Linux); "
            "on this system open it in Excel or LibreOffice instead",
            path=path,
        )
    descriptor: int = create("sheetkit-decrypted", os.MFD_CLOEXEC | getattr(os, "MFD_ALLOW_SEALING", 0))
    try:
        view = memoryview(data)
        while view:
            written = os.write(descriptor, view)
            view = view[written:]
        seals = getattr(fcntl, "F_SEAL_SEAL", 0) | getattr(fcntl, "F_SEAL_SHRINK", 0)
        seals |= getattr(fcntl, "F_SEAL_GROW", 0) | getattr(fcntl, "F_SEAL_WRITE", 0)
        add_seals = getattr(fcntl, "F_ADD_SEALS", None)
        if add_seals is not None and seals:
            with contextlib.suppress(OSError):  # sealing makes it read-only; reading works without it
                fcntl.fcntl(descriptor, add_seals, seals)
        os.lseek(descriptor, 0, os.SEEK_SET)
    except OSError as exc:
        os.close(descriptor)
        raise UnsafeWorkbookError(
            f"the decrypted workbook does not fit in memory ({exc.strerror or type(exc).__name__})", path=path
        ) from None
    except BaseException:
        os.close(descriptor)
        raise
    return descriptor


class _MemoryFile(PinnedFile):
    """A decrypted package in a memory file: it cannot change (the encrypted file on disk stays pinned)."""

    def changed(self) -> bool:
        """Never: nothing else holds this memory file."""
        return False
