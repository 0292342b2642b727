"""The exceptions sheetkit raises, as one tree.

Invalid *data* is never an exception: it is an Issue in a ValidationResult.
Exceptions are for input sheetkit cannot use at all, and each message says what
a person can do about it::

    SheetkitError                     base of everything sheetkit raises
    ├── TemplateError                 a broken template file (names file, sheet, column)
    ├── UnknownLocaleError            a locale the template has no labels for
    ├── WorkbookError                 a workbook that cannot be used
    │   ├── WorkbookNotFoundError     no file at that path
    │   ├── UnsupportedFormatError    not a spreadsheet (CSV, HTML, empty, truncated, ~$ owner file)
    │   ├── EncryptedWorkbookError    password-protected: save a copy without a password
    │   │   └── WorkbookPasswordError  Office-encrypted .xlsx opened without its password, or with a wrong one
    │   ├── UnsafeWorkbookError       zip bomb, XML entity bomb: refused before parsing
    │   ├── WorkbookChangedError      the file changed (was saved or replaced) while it was being read
    │   ├── SheetNotFoundError        a required sheet is missing (lists the available ones)
    │   ├── TemplateMismatchError     a workbook of another template or of a newer version
    │   └── WorkbookWriteError        the output file cannot be written
    ├── SheetsError                   a Google Sheets call that cannot succeed (names the spreadsheet)
    │   ├── SheetsAuthError           credentials missing, unreadable or refused
    │   ├── SheetsAccessError         no such spreadsheet, not shared with the account, or shared read-only
    │   ├── SheetsConflictError       the spreadsheet already holds a sheetkit workbook (overwriting not allowed)
    │   └── SheetsUnavailableError    still failing after bounded retries (quota, server errors, timeouts)
    ├── RegistryError                 a branch registry file that cannot be used (names file and entry)
    ├── MailError                     the report e-mail was not sent (names the mail server, never the password)
    └── UsageError                    invalid arguments to a public function (also a ValueError)
"""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "EncryptedWorkbookError",
    "MailError",
    "RegistryError",
    "SheetNotFoundError",
    "SheetkitError",
    "SheetsAccessError",
    "SheetsAuthError",
    "SheetsConflictError",
    "SheetsError",
    "SheetsUnavailableError",
    "TemplateError",
    "TemplateMismatchError",
    "UnknownLocaleError",
    "UnsafeWorkbookError",
    "UnsupportedFormatError",
    "UsageError",
    "WorkbookChangedError",
    "WorkbookError",
    "WorkbookNotFoundError",
    "WorkbookPasswordError",
    "WorkbookWriteError",
]


class SheetkitError(Exception):
    """Base class of every exception sheetkit raises on purpose."""


class TemplateError(SheetkitError):
    """A template file is missing, malformed, or inconsistent.

    The message names the file and, where known, the sheet and column.
    """

    def __init__(
        self,
        message: str,
        *,
        file: Path | str,
        sheet: str | None = None,
        column: str | None = None,
    ) -> None:
        self.file = str(file)
        self.sheet = sheet
        self.column = column
        where = [self.file]
        if sheet:
            where.append(f"sheet {sheet!r}")
        if column:
            where.append(f"column {column!r}")
        super().__init__(f"{', '.join(where)}: {message}")


class UnknownLocaleError(SheetkitError):
    """The requested locale has no label file in the template."""

    def __init__(self, locale: str, *, available: list[str]) -> None:
        self.locale = locale
        self.available = available
        super().__init__(f"unknown locale {locale!r}; available locales: {', '.join(available)}")


class WorkbookError(SheetkitError):
    """A workbook cannot be used (wrong format, unreadable, inconsistent)."""

    def __init__(self, message: str, *, path: Path | str | None = None) -> None:
        self.path = None if path is None else str(path)
        #: the message without the path
        self.reason = message
        super().__init__(f"{self.path}: {message}" if self.path else message)


class WorkbookNotFoundError(WorkbookError):
    """There is no file at the given path."""

    def __init__(self, path: Path | str) -> None:
        super().__init__("no such file; check the path and the current folder", path=path)


class UnsupportedFormatError(WorkbookError):
    """The file is not a spreadsheet sheetkit can read (CSV or HTML renamed, empty, truncated...)."""


class EncryptedWorkbookError(WorkbookError):
    """The workbook is protected with a password to open."""

    def __init__(self, path: Path | str) -> None:
        super().__init__(
            "the workbook is encrypted with a password; open it in Excel or LibreOffice and save a copy "
            "without a password (File > Info > Protect Workbook / File > Properties > Security)",
            path=path,
        )


class WorkbookPasswordError(EncryptedWorkbookError):
    """An Office-encrypted workbook was opened without its password (``wrong=False``) or with a wrong one.

    The message says how to give the password; it never holds the password itself.
    """

    def __init__(self, path: Path | str, *, wrong: bool = False) -> None:
        self.wrong = wrong
        how = "SHEETKIT_PASSWORD or --password-file FILE (in Python: password=...)"
        if wrong:
            message = f"the password given does not open this encrypted workbook; check it and give it again with {how}"
        else:
            message = f"the workbook is encrypted with a password; give the password with {how}"
        WorkbookError.__init__(self, message, path=path)


class UnsafeWorkbookError(WorkbookError):
    """The file looks crafted to exhaust memory (zip bomb, XML entity expansion); it is not parsed."""


class WorkbookChangedError(WorkbookError):
    """The file was saved, replaced or cut short while sheetkit was reading it: reading it again helps."""

    def __init__(self, path: Path | str) -> None:
        super().__init__(
            "the file changed while it was being read (was it being saved or copied?); "
            "try again once it has been saved",
            path=path,
        )


class SheetNotFoundError(WorkbookError):
    """A sheet sheetkit needs is not in the workbook."""

    def __init__(self, name: str, *, path: Path | str | None = None, available: list[str]) -> None:
        self.name = name
        self.available = available
        super().__init__(
            f"no sheet {name!r}; the workbook has: {', '.join(repr(a) for a in available) or 'no sheets'}",
            path=path,
        )


class TemplateMismatchError(WorkbookError):
    """The workbook was made from another template, or from a newer version of this one."""


class WorkbookWriteError(WorkbookError):
    """An output workbook cannot be written (folder missing, file open elsewhere...)."""


class SheetsError(SheetkitError):
    """A Google Sheets request that cannot succeed.

    ``spreadsheet`` is the key (or branch label) it concerns, ``status`` the
    HTTP status of the last answer, if any. Credentials and tokens never appear
    in the message.
    """

    def __init__(self, message: str, *, spreadsheet: str | None = None, status: int | None = None) -> None:
        self.spreadsheet = spreadsheet
        self.status = status
        super().__init__(f"spreadsheet {spreadsheet}: {message}" if spreadsheet else message)


class SheetsAuthError(SheetsError):
    """Credentials are missing, unreadable, or refused by Google."""


class SheetsAccessError(SheetsError):
    """The spreadsheet does not exist, or is not shared with the account sheetkit uses (or only for viewing)."""


class SheetsConflictError(SheetsError):
    """The spreadsheet already holds sheetkit tabs; sheetkit replaces them only when told to overwrite."""


class SheetsUnavailableError(SheetsError):
    """Google kept answering with quota errors, server errors or timeouts after every retry."""


class RegistryError(SheetkitError):
    """A branch registry file is missing or malformed; the message names the file and the entry."""

    def __init__(self, message: str, *, file: Path | str, entry: str | None = None) -> None:
        self.file = str(file)
        self.entry = entry
        where = f"{self.file} ({entry})" if entry else self.file
        super().__init__(f"{where}: {message}")


class MailError(SheetkitError):
    """An e-mail could not be sent: the server is unreachable, refuses the sign-in or a recipient, or lacks TLS.

    ``server`` is the ``HOST:PORT`` it concerns. The message says whether
    anything was sent (almost always: nothing). The SMTP user name and password
    never appear in it.
    """

    def __init__(self, message: str, *, server: str | None = None) -> None:
        self.server = server
        super().__init__(f"mail server {server}: {message}" if server else message)


class UsageError(SheetkitError, ValueError):
    """A public function was called with arguments it cannot use (also a ``ValueError``, as Python expects)."""
