"""The one way sheetkit writes a file: a temporary file beside the target, fsync, rename.

Every file sheetkit writes (workbooks, reports, consolidated chain folders,
sign-in tokens, key files) goes through :func:`write_atomically` or
:func:`replace_folder`:

- the content is written under a temporary name in the target's own folder,
  which never looks like a workbook (``.salon.xlsx.sheetkit-tmp-<host>-<pid>-…``),
  so a crash leaves no half-written file where staff look;
- the temporary file is flushed to disk (``fsync``) and renamed over the
  target in one step, then the folder entry itself is synced;
- several targets (a report's .xlsx and .html) are replaced together: the
  renames happen only after every file was written, and a failing rename puts
  back the files already replaced;
- an existing target is refused unless ``overwrite=True``; ``backup`` keeps a copy of the replaced file;
- SIGTERM (and SIGINT where it would end the process outright) removes the
  temporary files, then the process exits with status 128 + the signal number;
  Python's usual SIGINT (KeyboardInterrupt) unwinds through the same cleanup.
  A signal that arrives while a set is being renamed into place waits until the
  set is complete. Handlers are installed only while a write runs, and only from
  the main thread (Python allows no other);
- what a process that could not clean up left behind (``kill -9``, a power cut) is removed by the
  next write in that folder: a leftover carries the host and process id of its writer, and is
  touched only when that process no longer runs here or is older than :data:`STALE_AFTER` seconds;
- every ``OSError`` (also one raised inside the block, such as a full disk
  while a writer fills the temporary file) becomes a
  :class:`~sheetkit.errors.WorkbookWriteError` naming the target, never the
  temporary name.

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
import functools
import hashlib
import io
import logging
import os
import re
import shutil
import signal
import socket
import tempfile
import threading
import time
import zipfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from types import FrameType
from typing import Any

from sheetkit.errors import UsageError, WorkbookWriteError

__all__ = [
    "STALE_AFTER",
    "TEMP_MARKER",
    "check_folder_target",
    "check_target",
    "replace_folder",
    "scratch_beside",
    "usual_mode",
    "write_atomically",
]

#: Part of every temporary name sheetkit makes, so leftovers are recognisable and never look like a workbook.
TEMP_MARKER = ".sheetkit-tmp-"
#: Seconds after which a leftover is removed even when its writer cannot be checked (another machine, a reused id).
STALE_AFTER = 24 * 3600

log = logging.getLogger(__name__)

#: What follows ``.<target name><TEMP_MARKER>``: host tag, process id, then 8 random characters (``old`` for a
#: target moved aside during a rename). Names without host and process id come from earlier versions.
_LEFTOVER = re.compile(r"(?:(?P<host>[0-9a-f]{6})-(?P<pid>[1-9][0-9]{0,9})-)?(?P<tag>old(?:-[0-9]+)?|[a-z0-9_]{8})\Z")
_SIGNALS = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGINT") if hasattr(signal, name))


class _Guard:
    """Process-wide state of the signal cleanup (signal handlers always run in the main thread)."""

    def __init__(self) -> None:
        #: temporary files and folders of the writes in progress, in every thread
        self.live: set[Path] = set()
        #: nesting of main-thread writes; handlers are installed by the first and restored by the last
        self.depth = 0
        self.previous: dict[int, Any] = {}
        #: renames of a set in progress (any thread); a signal then waits in ``pending``
        self.renaming = 0
        self.pending: int | None = None
        self.lock = threading.Lock()


_guard = _Guard()


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
    When the block raises, no target changes and the temporary files are removed;
    an ``OSError`` from the block becomes a WorkbookWriteError naming the target.
    """
    outs = [Path(t) for t in targets]
    if backup is not None and len(outs) != 1:
        raise UsageError("a backup is kept for one target at a time")
    if len({out.resolve() for out in outs}) != len(outs):
        raise UsageError("the same file is named twice; give each output its own name")
    for out in outs:
        _sweep(out)
        check_target(out, overwrite=overwrite)
    temps: list[Path] = []
    with _signals_guarded():
        try:
            for out in outs:
                with _renaming():  # a signal waits until the file is on the list the cleanup removes
                    temps.append(_temp_beside(out))
            failure: WorkbookWriteError | None = None
            try:
                yield tuple(temps)
            except BaseException as exc:
                failure = _failure_inside(exc, temps, outs)
                if failure is None:
                    raise
            if failure is not None:
                raise failure
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
                _guard.live.discard(tmp)


@contextlib.contextmanager
def scratch_beside(target: Path | str) -> Iterator[Path]:
    """A private scratch folder beside ``target`` for a library's own temporary files (xlsxwriter's rows).

    Those files hold client data, so they never go to the system's temporary
    folder: this one carries sheetkit's temporary name, is removed when the
    block ends or a signal stops the run, and is swept by the next write of
    ``target`` after a kill -9.
    """
    out, made = Path(target), []
    try:
        with _renaming():  # a signal waits until the folder is known to the cleanup below
            try:
                made.append(Path(tempfile.mkdtemp(prefix=_temp_prefix(out), dir=out.parent)))
            except OSError as exc:
                raise _write_error(exc, out) from None
            _guard.live.add(made[0])
        yield made[0]
    finally:
        for path in made:
            _guard.live.discard(path)
            shutil.rmtree(path, ignore_errors=True)


def replace_folder(target: Path | str, *, allowed: set[str] | None = None) -> contextlib.AbstractContextManager[Path]:
    """Fill a temporary folder beside ``target``, then swap it into place.

    An existing ``target`` is replaced only when it holds nothing but file names
    in ``allowed`` (``None``: anything), so a mistyped path never deletes a
    folder of other work.
    """
    return _replace_folder(Path(target), allowed)


@contextlib.contextmanager
def _replace_folder(out: Path, allowed: set[str] | None) -> Iterator[Path]:
    _sweep(out)
    check_folder_target(out, allowed)
    with _signals_guarded():
        try:
            out.parent.mkdir(parents=True, exist_ok=True)
            tmp = Path(tempfile.mkdtemp(prefix=_temp_prefix(out), dir=out.parent))
        except OSError as exc:
            raise _write_error(exc, out) from None
        _guard.live.add(tmp)
        try:
            failure: WorkbookWriteError | None = None
            try:
                yield tmp
            except BaseException as exc:
                failure = _failure_inside(exc, [tmp], [out])
                if failure is None:
                    raise
            if failure is not None:
                raise failure
            for part in tmp.iterdir():
                _fsync_path(part)
            _swap_folder(tmp, out)
            _fsync_dir(out.parent)
            log.info("wrote folder %s", out)
        except OSError as exc:
            raise _write_error(exc, out) from None
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
            _guard.live.discard(tmp)


def _swap_folder(tmp: Path, out: Path) -> None:
    if not out.exists():
        os.replace(tmp, out)
        return
    old = out.with_name(f"{_temp_prefix(out)}old")
    shutil.rmtree(old, ignore_errors=True)
    with _renaming():  # the target is missing between the two renames: a signal waits
        os.replace(out, old)
        try:
            os.replace(tmp, out)
        except OSError:
            os.replace(old, out)
            raise
    shutil.rmtree(old, ignore_errors=True)


def check_target(out: Path, *, overwrite: bool) -> None:
    """Refuse a target that is a folder, sits in a missing folder, or exists when it may not be replaced."""
    if out.is_dir():
        raise WorkbookWriteError("a folder has this name; give a file name", path=out)
    if (out.exists() or out.is_symlink()) and not overwrite:  # a dangling link counts: it would be replaced
        raise WorkbookWriteError("the file already exists; choose another name or allow overwriting", path=out)
    if not out.parent.is_dir():
        through = next((p for p in out.parents if p.exists()), None)
        if through is not None and not through.is_dir():
            raise WorkbookWriteError("this is a file, not a folder; give a path in a folder", path=through)
        raise WorkbookWriteError("the folder does not exist", path=out.parent)


def check_folder_target(out: Path, allowed: set[str] | None) -> None:
    """Refuse a folder target that is a file, or an existing folder holding anything but ``allowed`` names."""
    if out.exists() and not out.is_dir():
        raise WorkbookWriteError("this is a file, not a folder; give a folder for the output", path=out)
    if out.is_dir() and allowed is not None and {p.name for p in out.iterdir()} - allowed:
        raise WorkbookWriteError("the folder exists and holds other files; choose an empty or new folder", path=out)


# ---------------------------------------------------------------- temporary names and leftovers


@functools.cache
def _host() -> str:
    """A short tag of this machine, so a leftover's process id is only checked where it means something."""
    return hashlib.blake2s(socket.gethostname().encode(), digest_size=3).hexdigest()


def _temp_prefix(out: Path) -> str:
    return f".{out.name}{TEMP_MARKER}{_host()}-{os.getpid()}-"


def _temp_beside(out: Path) -> Path:
    try:
        handle, name = tempfile.mkstemp(prefix=_temp_prefix(out), dir=out.parent)
    except OSError as exc:
        raise _write_error(exc, out) from None
    path = Path(name)
    _guard.live.add(path)
    os.close(handle)
    return path


def _sweep(out: Path) -> None:
    """Remove what killed writes left in ``out``'s folder (only names sheetkit makes, only of dead writers).

    Every target's leftovers go, not only ``out``'s: a weekly job with dated file names writes each
    name once, so waiting for the same name again would keep a killed run's client data forever.
    """
    try:
        with os.scandir(out.parent) as entries:
            names = [entry.name for entry in entries if entry.name.startswith(".") and TEMP_MARKER in entry.name]
    except OSError:
        return
    for name in names:
        target, _, rest = name[1:].rpartition(TEMP_MARKER)
        path = out.parent / name
        match = _LEFTOVER.match(rest)
        if not target or match is None or path in _guard.live or not _abandoned(path, match):
            continue
        with contextlib.suppress(OSError):
            _clear_leftover(path, out.parent / target, moved_aside=match["tag"].startswith("old"))


def _abandoned(path: Path, match: re.Match[str]) -> bool:
    if match["host"] == _host() and match["pid"] is not None and not _running(int(match["pid"])):
        return True
    try:
        return time.time() - path.lstat().st_mtime > STALE_AFTER
    except OSError:
        return False


def _running(pid: int) -> bool:
    """Whether a process with this id runs here; when unsure, yes (then only age removes its leftovers)."""
    if pid == os.getpid() or os.name != "posix":
        return True  # on Windows os.kill(pid, 0) would end that process
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, OverflowError):
        return False
    except OSError:
        return True  # it runs, as another user
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return True
    return stat.rpartition(")")[2].split()[:1] not in (["Z"], ["X"])  # a zombie has ended


def _clear_leftover(path: Path, out: Path, *, moved_aside: bool) -> None:
    if path.is_symlink():
        return  # sheetkit never makes links
    if moved_aside and not out.exists() and not out.is_symlink():
        os.replace(path, out)  # killed between two renames: this is the only copy of the target
        log.warning("put back %s, moved aside by a write that was stopped", out)
        return
    if path.is_dir():
        shutil.rmtree(path)
    else:
        path.unlink()
    log.info("removed %s, left by a write that was stopped", path)


# ---------------------------------------------------------------- signals


@contextlib.contextmanager
def _signals_guarded() -> Iterator[None]:
    """While a write runs, SIGTERM (and a SIGINT that would kill) removes the temporary files before the exit."""
    main = threading.current_thread() is threading.main_thread()
    if main:
        if _guard.depth == 0:
            _install()
        _guard.depth += 1
    try:
        yield
    finally:
        if main:
            _guard.depth -= 1
            if _guard.depth == 0:
                _restore()


def _install() -> None:
    for signum in _SIGNALS:
        with contextlib.suppress(ValueError, OSError):
            previous = signal.getsignal(signum)
            if previous is signal.SIG_IGN or previous is None:
                continue  # ignored on purpose, or set outside Python: leave it alone
            signal.signal(signum, _on_signal)
            _guard.previous[signum] = previous


def _restore() -> None:
    for signum, previous in _guard.previous.items():
        with contextlib.suppress(ValueError, OSError):
            if signal.getsignal(signum) is _on_signal:  # a handler installed meanwhile by someone else stays
                signal.signal(signum, previous)
    _guard.previous.clear()


def _on_signal(signum: int, frame: FrameType | None) -> None:
    if _guard.renaming:
        _guard.pending = signum  # a set is being renamed into place: finish it first
        return
    previous = _guard.previous.get(signum, signal.SIG_DFL)
    if callable(previous):
        previous(signum, frame)  # Python's SIGINT handler raises KeyboardInterrupt, which unwinds through the cleanup
        return
    _restore()  # a second signal acts at once
    for path in list(_guard.live):
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            with contextlib.suppress(OSError):
                path.unlink()
    raise SystemExit(128 + signum)


@contextlib.contextmanager
def _renaming() -> Iterator[None]:
    with _guard.lock:
        _guard.renaming += 1
    try:
        yield
    finally:
        with _guard.lock:
            _guard.renaming -= 1
            pending = _guard.pending if _guard.renaming == 0 else None
            if pending is not None:
                _guard.pending = None
        if pending is not None:
            signal.raise_signal(pending)  # handled in the main thread, now that the set is complete


# ---------------------------------------------------------------- sync, rename, errors


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
    with _renaming():
        try:
            for tmp, out in zip(temps, outs, strict=True):
                current = out
                if out.is_dir():  # appeared since the checks: never move a folder aside
                    raise IsADirectoryError(errno.EISDIR, "a folder has this name", str(out))
                keep = _keep_aside(out) if len(outs) > 1 and out.exists() else None
                try:
                    os.replace(tmp, out)
                except OSError:
                    if keep is not None:
                        _put_back(keep, out)
                    raise
                done.append((out, keep))
            for parent in {out.parent for out in outs}:
                _fsync_dir(parent)
        except OSError as exc:
            for out, keep in reversed(done):
                with contextlib.suppress(OSError):
                    if keep is not None:
                        _put_back(keep, out)
                    else:
                        out.unlink()
            raise _write_error(exc, current) from None
    for _out, keep in done:
        if keep is not None:
            with contextlib.suppress(OSError):
                keep.unlink()
    for out in outs:
        log.info("wrote %s", out)


def _keep_aside(out: Path) -> Path:
    """A second name for the target of a set, to put it back if a later rename fails."""
    keep = out.with_name(f"{_temp_prefix(out)}old")
    with contextlib.suppress(FileNotFoundError):
        keep.unlink()
    try:
        os.link(out, keep)  # the target stays in place until its replacement is renamed over it
    except OSError:
        os.replace(out, keep)  # no hard links here (FAT, some shares): moved aside for an instant
    return keep


def _put_back(keep: Path, out: Path) -> None:
    os.replace(keep, out)
    with contextlib.suppress(OSError):
        keep.unlink()  # still there when it was a second link to the same file


def _copy(source: Path, backup: Path) -> None:
    with write_atomically(backup, overwrite=False) as (tmp,):
        try:
            shutil.copyfile(source, tmp)
        except OSError as exc:  # reading the source fails too: still about the backup being written
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


def _failure_inside(exc: BaseException, temps: Sequence[Path], outs: Sequence[Path]) -> WorkbookWriteError | None:
    """The error to raise for what the block raised: trouble writing a temporary file names its target.

    Anything else (a bug, KeyboardInterrupt, an OSError about another file) propagates unchanged.
    """
    _close_abandoned(exc, temps)
    if isinstance(exc, WorkbookWriteError):
        out = _target_of(exc.path, temps, outs)
        return None if out is None else WorkbookWriteError(_scrub(exc.reason, temps, outs), path=out)
    os_error = exc if isinstance(exc, OSError) else None
    if os_error is None and exc.args and isinstance(exc.args[0], OSError) and exc.__context__ is exc.args[0]:
        os_error = exc.args[0]  # a library's error wrapping the OSError it caught (xlsxwriter's FileCreateError)
    if os_error is None:
        return None
    if os_error.filename is None:  # a failed write or flush: which of the files is unknown
        return _write_error(os_error, outs[0], also=outs[1:], temps=temps, outs=outs)
    out = _target_of(os_error.filename, temps, outs)
    return None if out is None else _write_error(os_error, out, temps=temps, outs=outs)


def _target_of(filename: object, temps: Sequence[Path], outs: Sequence[Path]) -> Path | None:
    if not isinstance(filename, str | os.PathLike):
        return None
    name = os.fspath(filename)
    for tmp, out in zip(temps, outs, strict=True):
        if name == str(tmp) or name.startswith(str(tmp) + os.sep):
            return out
    return None


def _close_abandoned(exc: BaseException, temps: Sequence[Path]) -> None:
    """Close zip and file objects a failed writer left open on a temporary file.

    Otherwise the garbage collector closes them later, retries the write that
    failed (a full disk) and prints "Exception ignored in ZipFile.__del__".
    """
    names = {str(t) for t in temps}
    seen: set[int] = set()
    todo: list[BaseException | None] = [exc]
    while todo:
        current = todo.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        tb = current.__traceback__
        while tb is not None:
            for value in list(tb.tb_frame.f_locals.values()):
                if isinstance(value, zipfile.ZipFile | io.IOBase) and _open_name(value) in names:
                    with contextlib.suppress(Exception):
                        value.close()
            tb = tb.tb_next
        todo += [current.__cause__, current.__context__]


def _open_name(value: zipfile.ZipFile | io.IOBase) -> str:
    return str(getattr(value, "filename", None) or getattr(value, "name", ""))


def _scrub(text: str, temps: Sequence[Path], outs: Sequence[Path]) -> str:
    """``text`` with every temporary name replaced by its target's."""
    for tmp, out in zip(temps, outs, strict=True):
        text = text.replace(str(tmp), str(out)).replace(tmp.name, out.name)
    return text


def _write_error(
    exc: OSError,
    out: Path,
    *,
    also: Sequence[Path] = (),
    temps: Sequence[Path] = (),
    outs: Sequence[Path] = (),
) -> WorkbookWriteError:
    what = "the file" if not also else f"the file or {', '.join(p.name for p in also)}"
    cause = _scrub(exc.strerror or str(exc), temps, outs)
    if isinstance(exc, PermissionError):
        hint = "; close it in Excel or pick another name"
    elif exc.errno in (errno.ENOSPC, errno.EDQUOT):
        hint = "; free some space or pick another folder"
    else:
        hint = ""
    return WorkbookWriteError(f"cannot write {what} ({cause}){hint}", path=out)
