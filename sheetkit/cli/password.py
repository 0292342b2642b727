"""The workbook password on the command line: the shared options and where the password comes from.

A password never goes on the command line in clear (it would sit in the shell's
history and in every process listing). It comes, in this order, from
``--password-file FILE`` (its first line), from the ``SHEETKIT_PASSWORD``
environment variable, or from a hidden prompt when the command runs at a terminal
(asked twice when a new encrypted file is made). It is never printed, logged or
put in an error message.

Commands that write a workbook take :data:`EncryptOpt` and call
:func:`password_to_encrypt`; commands that read one take :data:`PasswordFileOpt`
and call :func:`reading_password`, or :func:`with_password` to ask at the
terminal only when the workbook turns out to be encrypted.
"""

from __future__ import annotations

import getpass
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Final, TypeVar

import typer

from sheetkit.cli.console import shown
from sheetkit.errors import UsageError, WorkbookPasswordError

__all__ = [
    "ENV_PASSWORD",
    "EncryptOpt",
    "PasswordFileOpt",
    "password_to_encrypt",
    "reading_password",
    "with_password",
]

#: The environment variable that holds the workbook password.
ENV_PASSWORD: Final = "SHEETKIT_PASSWORD"  # noqa: S105 - the name of the variable, not a password
_MAX_PASSWORD_FILE: Final = 64 * 1024
_HOW: Final = f"set {ENV_PASSWORD} or give --password-file FILE"

EncryptOpt = Annotated[
    bool,
    typer.Option(
        "--encrypt",
        help=f"Encrypt the workbook with a password (AES-256, opens in Excel and LibreOffice); the password "
        f"comes from --password-file, ${ENV_PASSWORD} or a prompt.",
    ),
]
PasswordFileOpt = Annotated[
    Path | None,
    typer.Option(
        "--password-file",
        metavar="FILE",
        help=f"Read the workbook password from the first line of FILE (default ${ENV_PASSWORD}, or a prompt).",
    ),
]

T = TypeVar("T")


def password_to_encrypt(encrypt: bool, password_file: Path | None) -> str | None:
    """The password a new workbook is encrypted with (``None`` without ``--encrypt``), asked twice at a terminal."""
    if not encrypt:
        if password_file is not None:
            raise UsageError("--password-file is for --encrypt: add --encrypt to write an encrypted workbook")
        return None
    password = reading_password(password_file)
    if password is not None:
        return password
    if not _interactive():
        raise UsageError(f"--encrypt needs a password: {_HOW}")
    first = getpass.getpass("Password for the new workbook: ")
    if not first:
        raise UsageError("the password is empty; give a password of at least one character")
    if getpass.getpass("The same password again: ") != first:
        raise UsageError("the two passwords differ; nothing was written")
    return first


def reading_password(password_file: Path | None) -> str | None:
    """The password from ``--password-file`` or ``$SHEETKIT_PASSWORD``, or ``None`` when neither is given."""
    if password_file is not None:
        return _from_file(password_file)
    value = os.environ.get(ENV_PASSWORD)
    return value or None


def with_password(read: Callable[[str | None], T], password_file: Path | None) -> T:
    """``read(password)``; when the workbook needs a password none was given for, ask at the terminal once."""
    password = reading_password(password_file)
    try:
        return read(password)
    except WorkbookPasswordError as exc:
        if password is not None or exc.wrong or not _interactive():
            raise
    return read(getpass.getpass("Password of the workbook: ") or None)


def _from_file(path: Path) -> str:
    try:
        with path.open("rb") as handle:
            head = handle.read(_MAX_PASSWORD_FILE)
    except FileNotFoundError:
        raise UsageError(f"--password-file {shown(path)}: no such file") from None
    except OSError as exc:
        reason = "permission denied" if isinstance(exc, PermissionError) else exc.strerror or type(exc).__name__
        raise UsageError(f"--password-file {shown(path)} cannot be read ({reason})") from None
    try:
        text = head.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UsageError(f"--password-file {shown(path)} is not UTF-8 text") from None
    line = text.split("\n", 1)[0].removesuffix("\r")
    if not line:
        raise UsageError(f"--password-file {shown(path)}: its first line is empty; put the password there")
    return line


def _interactive() -> bool:
    try:
        return sys.stdin.isatty()
    except (AttributeError, ValueError):
        return False
