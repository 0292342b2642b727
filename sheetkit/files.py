"""The one way sheetkit writes a file: a temporary file beside the target, fsync, rename.

Every file sheetkit writes (workbooks, reports, consolidated chain folders,
sign-in tokens, key files) goes through :func:`write_atomically` or
:func:`replace_folder`:

- the content is written under a temporary name in the target's own folder,
  which never looks like a workbook (``.salon.xlsx.sheetkit-tmp-…``), so a
  crash leaves no half-written file where staff look;
- the temporary file is flushed to disk (``fsync``) and renamed over the
  target in one step, then the folder entry itself is synced;
- several targets (a report's .xlsx and .html) are replaced together: the
  renames happen only after every file was written, and a failing rename puts
  back the files already replaced;
- an existing target is refused unless ``overwrite=True``; with ``backup`` a
  copy of the replaced file is kept;
- every ``OSError`` becomes a :class:`~sheetkit.errors.WorkbookWriteError`
  naming the target, never the temporary name.

>>> import pathlib, tempfile
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> with write_atomically(folder / "notes.txt") as (tmp,):
...     _ = tmp.write_text("hello", encoding="utf-8")
>>> (folder / "notes.txt").read_text(encoding="utf-8")
'hello'
>>> sorted(p.name for p in folder.iterdir())
['notes.txt']
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from sheetkit.errors import UsageError, WorkbookWriteError

__all__ = ["TEMP_MARKER", "check_target", "replace_folder", "usual_mode", "write_atomically"]

#: Part of every temporary name sheetkit makes, so leftovers are recognisable and never look like a workbook.
TEMP_MARKER = ".sheetkit-tmp-"

log = logging.getLogger(__name__)


def usual_mode() -> int:
    """The mode a new file gets here: 0666 less the umask (``mkstemp`` alone gives 0600)."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


@contextlib.contextmanager
def write_atomically(
    *targets: Path | str,
    overwrite: bool = True,
    private: bool = False,
    backup: Path | str | None = None,
) -> Iterator[tuple[Path, ...]]:
    """Yield one temporary path per target; when the block succeeds, put them all in place.

    ``private`` files (tokens, keys) get mode 0600, others the usual mode.
    ``backup`` (one target only) keeps a copy of the file being replaced there.
    When the block raises, no target changes and the temporary files are removed.
    """
    outs = [Path(t) for t in targets]
    if backup is not None and len(outs) != 1:
        raise UsageError("a backup is kept for one target at a time")
    for out in outs:
        check_target(out, overwrite=overwrite)
    temps: list[Path] = []
    try:
        for out in outs:
            temps.append(_temp_beside(out))
        yield tuple(temps)
        mode = 0o600 if private else usual_mode()
        for tmp, out in zip(temps, outs, strict=True):
            _sync(tmp, mode, out)
        if backup is not None and outs[0].exists():
            _copy(outs[0], Path(backup))
        _replace_all(temps, outs)
    finally:
        for tmp in temps:
            with contextlib.suppress(OSError):
                tmp.unlink()


def replace_folder(target: Path | str, *, allowed: set[str] | None = None) -> contextlib.AbstractContextManager[Path]:
    """Fill a temporary folder beside ``target``, then swap it into place.

    An existing ``target`` is replaced only when it holds nothing but file names
    in ``allowed`` (``None``: anything), so a mistyped path never deletes a
    folder of other work.
    """
    return _replace_folder(Path(target), allowed)


@contextlib.contextmanager
def _replace_folder(out: Path, allowed: set[str] | None) -> Iterator[Path]:
    if out.exists() and (not out.is_dir() or (allowed is not None and {p.name for p in out.iterdir()} - allowed)):
        raise WorkbookWriteError("the folder exists and holds other files; choose an empty or new folder", path=out)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}{TEMP_MARKER}", dir=out.parent))
    except OSError as exc:
        raise _write_error(exc, out) from None
    try:
        yield tmp
        for part in tmp.iterdir():
            _fsync_path(part)
        old = out.with_name(f".{out.name}{TEMP_MARKER}old")
        if out.exists():
            shutil.rmtree(old, ignore_errors=True)
            os.replace(out, old)
            os.replace(tmp, out)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, out)
        _fsync_dir(out.parent)
        log.info("wrote folder %s", out)
    except OSError as exc:
        raise _write_error(exc, out) from None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def check_target(out: Path, *, overwrite: bool) -> None:
    """Refuse a target that is a folder, sits in a missing folder, or exists when it may not be replaced."""
    if out.is_dir():
        raise WorkbookWriteError("a folder has this name; give a file name", path=out)
    if out.exists() and not overwrite:
        raise WorkbookWriteError("the file already exists; choose another name or allow overwriting", path=out)
    if not out.parent.is_dir():
        raise WorkbookWriteError("the folder does not exist", path=out.parent)


def _temp_beside(out: Path) -> Path:
    try:
        handle, name = tempfile.mkstemp(prefix=f".{out.name}{TEMP_MARKER}", dir=out.parent)
    except OSError as exc:
        raise _write_error(exc, out) from None
    os.close(handle)
    return Path(name)


def _sync(tmp: Path, mode: int, out: Path) -> None:
    try:
        tmp.chmod(mode)
        _fsync_path(tmp)
    except OSError as exc:
        raise _write_error(exc, out) from None


def _replace_all(temps: list[Path], outs: list[Path]) -> None:
    """Rename every temporary file over its target; on failure put back what was already replaced."""
    done: list[tuple[Path, Path | None]] = []
    current = outs[0]
    try:
        for tmp, out in zip(temps, outs, strict=True):
            current = out
            if out.is_dir():  # appeared since the checks: never move a folder aside
                raise IsADirectoryError(errno.EISDIR, "a folder has this name", str(out))
            keep: Path | None = None
            if len(outs) > 1 and out.exists():
                keep = out.with_name(f".{out.name}{TEMP_MARKER}old-{os.getpid()}")
                os.replace(out, keep)
            try:
                os.replace(tmp, out)
            except OSError:
                if keep is not None:
                    os.replace(keep, out)
                raise
            done.append((out, keep))
        for parent in {out.parent for out in outs}:
            _fsync_dir(parent)
    except OSError as exc:
        for out, keep in reversed(done):
            with contextlib.suppress(OSError):
                if keep is not None:
                    os.replace(keep, out)
                else:
                    out.unlink()
        raise _write_error(exc, current) from None
    for _out, keep in done:
        if keep is not None:
            with contextlib.suppress(OSError):
                keep.unlink()
    for out in outs:
        log.info("wrote %s", out)


def _copy(source: Path, backup: Path) -> None:
    with write_atomically(backup, overwrite=False) as (tmp,):
        try:
            shutil.copyfile(source, tmp)
        except OSError as exc:
            raise _write_error(exc, backup) from None
    log.info("kept a backup of %s as %s", source, backup)


def _fsync_path(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(folder: Path) -> None:
    """Make the rename itself durable (not possible on every platform or file system)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):
            os.fsync(fd)
    finally:
        os.close(fd)


def _write_error(exc: OSError, out: Path) -> WorkbookWriteError:
    if isinstance(exc, PermissionError):
        return WorkbookWriteError(
            f"cannot write the file ({exc.strerror or exc}); close it in Excel or pick another name", path=out
        )
    return WorkbookWriteError(f"cannot write the file ({exc.strerror or exc})", path=out)
