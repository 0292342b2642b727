"""A workbook file held open from the first byte sniffed to the last cell read.

Staff save a workbook while sheetkit reads it, and a copy over a network share
lands in pieces. This module owns :class:`PinnedFile`: the file is opened once,
its identity (device, inode, size, modification time) noted, and every reader
(the sniffing checks, fastexcel, calamine, the XML scans) opens the same open
file through ``/proc/self/fd`` where the system has it. A workbook replaced by a
save during the read (a new file renamed over the old one, as Excel and
LibreOffice save) is then still read whole and consistent, and the bytes checked
for bombs are the bytes read. :meth:`PinnedFile.changed` tells afterwards whether
the file was rewritten or replaced meanwhile, so the reader can say so instead of
blaming a damaged file.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from types import TracebackType
from typing import BinaryIO

from sheetkit.errors import WorkbookError, WorkbookNotFoundError

__all__ = ["PinnedFile", "pin_file"]

_Identity = tuple[int, int, int, int]


def _identity(info: os.stat_result) -> _Identity:
    return (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns)


class PinnedFile:
    """An open workbook file; ``source`` is a path any library can open to read this very file."""

    def __init__(self, path: Path, descriptor: int, info: os.stat_result) -> None:
        self.path = path
        self.size = info.st_size
        self._descriptor: int | None = descriptor
        self._identity = _identity(info)
        proc = f"/proc/self/fd/{descriptor}"
        #: The path readers open: the pinned file itself where the system allows it, else the file's path.
        self.source = proc if Path(proc).exists() else str(path)

    def open(self) -> BinaryIO:
        """A new handle on the pinned file, with a position of its own (threads may read at once)."""
        return Path(self.source).open("rb")

    def changed(self) -> bool:
        """True when the file was written, replaced or removed since it was pinned."""
        try:
            now = self.path.stat()
            if _identity(now) != self._identity:
                return True
            if self._descriptor is not None:
                return _identity(os.fstat(self._descriptor)) != self._identity
        except OSError:
            return True
        return False

    def close(self) -> None:
        """Let the file go."""
        if self._descriptor is not None:
            os.close(self._descriptor)
            self._descriptor = None

    def __enter__(self) -> PinnedFile:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()


def pin_file(path: Path | str) -> PinnedFile:
    """Open the regular file at ``path`` for reading, or raise the sheetkit error that says why not.

    Raises:
        WorkbookNotFoundError: no file at ``path``.
        WorkbookError: a folder, a device or pipe, or a file that cannot be read.
    """
    file = Path(path)
    try:
        info = file.stat()
    except (FileNotFoundError, NotADirectoryError, ValueError):  # ValueError: a NUL in the path
        raise WorkbookNotFoundError(file) from None
    except OSError as exc:
        raise unreadable(file, exc) from None
    _refuse_special(file, info)
    try:
        # O_NONBLOCK: a pipe swapped in after the check above must not block the open.
        descriptor = os.open(file, os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        raise WorkbookNotFoundError(file) from None
    except OSError as exc:
        raise unreadable(file, exc) from None
    try:
        opened = os.fstat(descriptor)
        _refuse_special(file, opened)
    except BaseException:
        os.close(descriptor)
        raise
    return PinnedFile(file, descriptor, opened)


def _refuse_special(file: Path, info: os.stat_result) -> None:
    if stat.S_ISDIR(info.st_mode):
        raise WorkbookError(
            "this is a folder, not a workbook file; choose the workbook file (.xlsx, .xls or .ods) inside it",
            path=file,
        )
    if not stat.S_ISREG(info.st_mode):
        raise WorkbookError(
            "this is not an ordinary file (a device or a pipe); choose a workbook file (.xlsx, .xls or .ods)",
            path=file,
        )


def unreadable(file: Path, error: OSError) -> WorkbookError:
    """The error for a file the system will not let sheetkit read."""
    reason = "permission denied" if isinstance(error, PermissionError) else error.strerror or type(error).__name__
    return WorkbookError(
        f"the file cannot be read ({reason}); if it is open in another program close it, otherwise ask "
        "whoever manages this computer for access, or copy the file to a folder of your own",
        path=file,
    )
