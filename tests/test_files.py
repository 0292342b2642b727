"""The one writer primitive: nothing half-written, nothing left behind, sets replaced together, errors as messages."""

from __future__ import annotations

import errno
import os
import signal
import stat
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from sheetkit.errors import WorkbookWriteError
from sheetkit.files import TEMP_MARKER, replace_folder, write_atomically

ROOT = os.geteuid() == 0  # root ignores folder permissions, so read-only folders cannot be simulated


def _names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def _write_pair(first: Path, second: Path, meanwhile: Callable[[], None] | None = None) -> None:
    with write_atomically(first, second) as (t1, t2):
        t1.write_bytes(b"new 1")
        t2.write_bytes(b"new 2")
        if meanwhile is not None:
            meanwhile()


def test_a_failure_inside_the_block_changes_nothing_and_leaves_no_temp_file(tmp_path: Path) -> None:
    target = tmp_path / "salon.xlsx"
    target.write_bytes(b"the staff workbook")

    def fail_halfway() -> None:
        with write_atomically(target) as (tmp,):
            tmp.write_bytes(b"half")
            raise RuntimeError("disk trouble")

    with pytest.raises(RuntimeError):
        fail_halfway()
    assert target.read_bytes() == b"the staff workbook"
    assert _names(tmp_path) == ["salon.xlsx"]


def test_temporary_names_never_look_like_a_workbook(tmp_path: Path) -> None:
    with write_atomically(tmp_path / "salon.xlsx") as (tmp,):
        assert tmp.parent == tmp_path
        assert TEMP_MARKER in tmp.name
        assert tmp.name.startswith(".")
        assert not tmp.name.endswith((".xlsx", ".xls", ".ods", ".html"))
        tmp.write_bytes(b"x")


def test_existing_target_needs_overwrite(tmp_path: Path) -> None:
    target = tmp_path / "weekly.xlsx"
    target.write_bytes(b"old")
    with pytest.raises(WorkbookWriteError, match="already exists"), write_atomically(target, overwrite=False):
        pass
    assert target.read_bytes() == b"old"


def test_missing_folder_and_folder_target_are_messages(tmp_path: Path) -> None:
    with pytest.raises(WorkbookWriteError, match="folder does not exist"), write_atomically(tmp_path / "no" / "x"):
        pass
    (tmp_path / "dir.xlsx").mkdir()
    with pytest.raises(WorkbookWriteError, match="a folder has this name"), write_atomically(tmp_path / "dir.xlsx"):
        pass


def test_a_set_of_files_is_replaced_together_or_not_at_all(tmp_path: Path) -> None:
    xlsx, html = tmp_path / "weekly.xlsx", tmp_path / "weekly.html"
    xlsx.write_bytes(b"old xlsx")
    # The .html target cannot be renamed into place (a non-empty folder has its name): nothing may change.
    html.mkdir()
    (html / "keep").write_text("x")
    with pytest.raises(WorkbookWriteError, match="a folder has this name"):
        _write_pair(xlsx, html)
    assert xlsx.read_bytes() == b"old xlsx"
    assert _names(tmp_path) == ["weekly.html", "weekly.xlsx"]


def test_a_rename_failure_midway_puts_back_the_first_file(tmp_path: Path) -> None:
    xlsx = tmp_path / "weekly.xlsx"
    xlsx.write_bytes(b"old xlsx")
    blocker = tmp_path / "weekly.html"
    with pytest.raises(WorkbookWriteError, match=r"weekly\.html: cannot write"):
        # The folder appears after the checks, before the renames: the first file is replaced, the second fails.
        _write_pair(xlsx, blocker, meanwhile=blocker.mkdir)
    assert xlsx.read_bytes() == b"old xlsx"
    assert _names(tmp_path) == ["weekly.html", "weekly.xlsx"]


def test_both_files_appear_with_the_usual_mode_and_private_files_are_0600(tmp_path: Path) -> None:
    a, b = tmp_path / "a.xlsx", tmp_path / "a.html"
    with write_atomically(a, b) as (ta, tb):
        ta.write_bytes(b"1")
        tb.write_bytes(b"2")
    assert (a.read_bytes(), b.read_bytes()) == (b"1", b"2")
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(a.stat().st_mode) == 0o666 & ~umask
    token = tmp_path / "token.json"
    with write_atomically(token, private=True) as (tt,):
        tt.write_text("{}", encoding="utf-8")
    assert stat.S_IMODE(token.stat().st_mode) == 0o600


def test_backup_keeps_the_replaced_file(tmp_path: Path) -> None:
    target, backup = tmp_path / "salon.xlsx", tmp_path / "salon.backup.xlsx"
    target.write_bytes(b"v1")
    with write_atomically(target, backup=backup) as (tmp,):
        tmp.write_bytes(b"v2")
    assert (target.read_bytes(), backup.read_bytes()) == (b"v2", b"v1")


@pytest.mark.skipif(ROOT, reason="root writes into read-only folders")
def test_read_only_folder_is_a_message_naming_the_target(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        with pytest.raises(WorkbookWriteError, match=r"ro/x\.xlsx: cannot write"), write_atomically(folder / "x.xlsx"):
            pass
    finally:
        folder.chmod(0o700)


def test_replace_folder_refuses_a_folder_of_other_work(tmp_path: Path) -> None:
    out = tmp_path / "chain"
    out.mkdir()
    (out / "thesis.docx").write_text("precious")
    with pytest.raises(WorkbookWriteError, match="holds other files"), replace_folder(out, allowed={"a.csv"}):
        pass
    assert (out / "thesis.docx").read_text() == "precious"


def test_replace_folder_swaps_the_whole_folder(tmp_path: Path) -> None:
    out = tmp_path / "chain"
    with replace_folder(out, allowed={"a.csv", "b.csv"}) as tmp:
        (tmp / "a.csv").write_text("1")
        (tmp / "b.csv").write_text("1")
    with replace_folder(out, allowed={"a.csv", "b.csv"}) as tmp:
        (tmp / "a.csv").write_text("2")
    assert _names(out) == ["a.csv"]
    assert (out / "a.csv").read_text() == "2"
    assert _names(tmp_path) == ["chain"]


# ---------------------------------------------------------------- leftovers of killed writes

#: A writer that dies inside the block without any cleanup, like ``kill -9``; prints its temporary path first.
_DIE_WRITING = """
import os, sys
from sheetkit.files import replace_folder, write_atomically
target, kind = sys.argv[1], sys.argv[2]
with (replace_folder(target) if kind == "folder" else write_atomically(target)) as tmp:
    path = tmp if kind == "folder" else tmp[0]
    if kind == "folder":
        (path / "a.csv").write_text("half")
    else:
        path.write_bytes(b"half")
    print(path, flush=True)
    if kind == "wait":
        sys.stdin.read()
    os._exit(9)
"""


def _leave_behind(target: Path, kind: str = "file") -> Path:
    """The temporary file (or folder) a writer killed mid-write leaves beside ``target``; its process has ended."""
    done = subprocess.run(
        [sys.executable, "-c", _DIE_WRITING, str(target), kind], capture_output=True, text=True, check=False
    )
    assert done.returncode == 9, done.stderr
    leftover = Path(done.stdout.strip())
    assert leftover.exists()
    return leftover


@pytest.fixture
def live_writer(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], Path]]:
    """A process in the middle of writing ``tmp_path/salon.xlsx``, and its temporary file."""
    child = subprocess.Popen(
        [sys.executable, "-c", _DIE_WRITING, str(tmp_path / "salon.xlsx"), "wait"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        yield child, Path(child.stdout.readline().strip())
    finally:
        child.kill()
        child.communicate()


def test_the_next_write_removes_what_a_killed_write_left(tmp_path: Path) -> None:
    target = tmp_path / "salon.xlsx"
    first = _leave_behind(target)
    assert TEMP_MARKER in first.name
    assert first.name.startswith(".")
    second = _leave_behind(target)  # a write killed in turn has removed the first leftover
    assert _names(tmp_path) == [second.name]
    with write_atomically(target) as (tmp,):
        tmp.write_bytes(b"whole")
    assert _names(tmp_path) == ["salon.xlsx"]
    assert target.read_bytes() == b"whole"


def test_a_failed_write_also_removes_older_leftovers(tmp_path: Path) -> None:
    target = tmp_path / "salon.xlsx"
    _leave_behind(target)
    with pytest.raises(RuntimeError), write_atomically(target):
        raise RuntimeError("the writer failed")
    assert _names(tmp_path) == []


def test_only_sheetkits_own_leftovers_are_removed_whatever_their_target(tmp_path: Path) -> None:
    target = tmp_path / "salon.xlsx"
    # A dead writer's leftover of another target goes too: a weekly job with dated names never writes it again.
    other = _leave_behind(tmp_path / "weekly-2026-W47.xlsx")
    dead = _leave_behind(target)
    precious = tmp_path / "notes.txt"
    precious.write_text("keep me")
    link = dead.with_name(dead.name[:-8] + "linkxxxx")  # named like a leftover, but sheetkit never makes links
    link.symlink_to(precious)
    unrelated = [
        ".salon.xlsx.swp",
        ".salon.xlsx.sheetkit-tmp-notes",  # the marker, but not a name sheetkit makes
        dead.name + ".bak",
        dead.name.replace(TEMP_MARKER, ".other-tmp-"),
        dead.name.upper(),
    ]
    for name in unrelated:
        (tmp_path / name).write_text("not sheetkit's")
    with write_atomically(target) as (tmp,):
        tmp.write_bytes(b"whole")
    assert _names(tmp_path) == sorted([*unrelated, link.name, "notes.txt", "salon.xlsx"])
    assert not other.exists()
    assert precious.read_text() == "keep me"


def test_the_temporary_file_of_a_running_writer_is_left_alone(
    tmp_path: Path, live_writer: tuple[subprocess.Popen[str], Path]
) -> None:
    child, busy = live_writer
    target = tmp_path / "salon.xlsx"
    with write_atomically(target) as (tmp,):
        tmp.write_bytes(b"whole")
    assert busy.read_bytes() == b"half"
    child.kill()
    child.communicate()
    with write_atomically(target) as (tmp,):
        tmp.write_bytes(b"again")
    assert _names(tmp_path) == ["salon.xlsx"]


def test_a_target_a_killed_rename_had_moved_aside_is_put_back(tmp_path: Path) -> None:
    target = tmp_path / "weekly.xlsx"
    leftover = _leave_behind(target)
    # Between the two renames of a set, a target may sit under the temporary prefix with the tag "old".
    aside = leftover.with_name(leftover.name[:-8] + "old")
    leftover.rename(aside)
    aside.write_bytes(b"last week's report")
    with pytest.raises(WorkbookWriteError, match="already exists"), write_atomically(target, overwrite=False):
        pass
    assert target.read_bytes() == b"last week's report"
    assert _names(tmp_path) == ["weekly.xlsx"]


def test_replace_folder_removes_the_folder_a_killed_write_left(tmp_path: Path) -> None:
    out = tmp_path / "chain"
    leftover = _leave_behind(out, "folder")
    assert leftover.is_dir()
    with replace_folder(out) as tmp:
        (tmp / "a.csv").write_text("whole")
    assert _names(tmp_path) == ["chain"]


# ---------------------------------------------------------------- signals


@pytest.fixture
def default_sigterm() -> Iterator[None]:
    """SIGTERM as a fresh process has it (ends the process), put back as it was after the test."""
    before = signal.signal(signal.SIGTERM, signal.SIG_DFL)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, before)


@pytest.mark.usefixtures("default_sigterm")
def test_sigterm_during_a_write_removes_the_temporary_file_and_exits_143(tmp_path: Path) -> None:
    target = tmp_path / "salon.xlsx"
    target.write_bytes(b"the staff workbook")

    def stopped_halfway() -> None:
        with write_atomically(target) as (tmp,):
            tmp.write_bytes(b"half")
            # Checked first: without a handler the signal would end the test run itself.
            assert signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL
            signal.raise_signal(signal.SIGTERM)

    with pytest.raises(SystemExit) as stopped:
        stopped_halfway()
    assert stopped.value.code == 128 + signal.SIGTERM
    assert target.read_bytes() == b"the staff workbook"
    assert _names(tmp_path) == ["salon.xlsx"]
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL


def test_ctrl_c_during_a_write_removes_the_temporary_file_and_restores_the_handler(tmp_path: Path) -> None:
    # Python's own Ctrl-C handler, also where the test run started with SIGINT ignored (a background job).
    started = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        _ctrl_c_during_a_write(tmp_path)
    finally:
        signal.signal(signal.SIGINT, started)


def _ctrl_c_during_a_write(tmp_path: Path) -> None:
    before = signal.getsignal(signal.SIGINT)
    target = tmp_path / "a.xlsx"

    def interrupted_halfway() -> None:
        with write_atomically(target, tmp_path / "a.html") as (t1, t2):
            t1.write_bytes(b"half")
            t2.write_bytes(b"half")
            signal.raise_signal(signal.SIGINT)

    with pytest.raises(KeyboardInterrupt):
        interrupted_halfway()
    assert _names(tmp_path) == []
    assert signal.getsignal(signal.SIGINT) is before


def test_handlers_are_installed_only_during_a_write_and_never_from_other_threads(tmp_path: Path) -> None:
    before = signal.getsignal(signal.SIGTERM)
    inside: list[object] = []

    def write(name: str) -> None:
        with write_atomically(tmp_path / name) as (tmp,):
            tmp.write_bytes(b"x")
            inside.append(signal.getsignal(signal.SIGTERM))

    worker = threading.Thread(target=write, args=("from-thread.txt",))
    worker.start()
    worker.join()
    write("from-main.txt")
    assert inside[0] is before
    assert inside[1] is not before
    assert signal.getsignal(signal.SIGTERM) is before
    assert _names(tmp_path) == ["from-main.txt", "from-thread.txt"]


# ---------------------------------------------------------------- a full disk and other OS errors in the block


def test_an_os_error_inside_the_block_names_the_target_not_the_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / "salon.xlsx"
    target.write_bytes(b"old")
    with pytest.raises(WorkbookWriteError) as failed, write_atomically(target) as (tmp,):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(tmp))
    assert failed.value.path == str(target)
    assert "No space left on device" in str(failed.value)
    assert TEMP_MARKER not in str(failed.value)
    assert (target.read_bytes(), _names(tmp_path)) == (b"old", ["salon.xlsx"])


class _LibraryError(Exception):
    """Like xlsxwriter's FileCreateError: wraps the OSError it caught."""


def test_a_library_error_wrapping_a_failed_write_names_the_target(tmp_path: Path) -> None:
    target = tmp_path / "salon.xlsx"

    def fail_in_the_library() -> None:
        with write_atomically(target) as (tmp,):
            try:
                tmp.write_bytes(b"half")
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            except OSError as exc:
                raise _LibraryError(exc)  # noqa: B904 - the library's own way: the OSError is its context

    with pytest.raises(WorkbookWriteError, match=r"salon\.xlsx: cannot write the file \(No space"):
        fail_in_the_library()
    assert _names(tmp_path) == []


def test_a_failed_write_of_a_set_names_every_target(tmp_path: Path) -> None:
    with (
        pytest.raises(WorkbookWriteError, match=r"w\.xlsx: cannot write the file or w\.html \(No space"),
        write_atomically(tmp_path / "w.xlsx", tmp_path / "w.html"),
    ):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    assert _names(tmp_path) == []


def test_errors_that_are_not_about_the_write_pass_unchanged(tmp_path: Path) -> None:
    elsewhere = str(tmp_path / "template.yaml")
    with pytest.raises(FileNotFoundError) as missing, write_atomically(tmp_path / "salon.xlsx"):
        raise FileNotFoundError(errno.ENOENT, "No such file or directory", elsewhere)
    assert missing.value.filename == elsewhere
    with pytest.raises(ValueError, match="a bug"), write_atomically(tmp_path / "salon.xlsx"):
        raise ValueError("a bug")
    assert _names(tmp_path) == []


def test_a_sheetkit_error_naming_the_temporary_file_names_the_target(tmp_path: Path) -> None:
    target = tmp_path / "salon.xlsx"
    with pytest.raises(WorkbookWriteError) as failed, write_atomically(target) as (tmp,):
        raise WorkbookWriteError(f"cannot finish the workbook ({tmp.name} is full)", path=tmp)
    assert str(failed.value) == f"{target}: cannot finish the workbook (salon.xlsx is full)"


def test_a_full_disk_at_fsync_is_a_message_naming_the_target(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "salon.xlsx"
    target.write_bytes(b"old")

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(WorkbookWriteError) as failed, write_atomically(target) as (tmp,):
        tmp.write_bytes(b"new")
    assert str(failed.value) == (
        f"{target}: cannot write the file (No space left on device); free some space or pick another folder"
    )
    assert (target.read_bytes(), _names(tmp_path)) == (b"old", ["salon.xlsx"])


def test_no_client_data_goes_to_the_system_temporary_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """xlsxwriter's row and part files hold client names: they stay beside the target, never in /tmp.

    With the system's temporary folder pointing nowhere, any file put there would fail the write.
    """
    import datetime as dt
    import tempfile

    import sheetkit as sk

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "no-such-system-temp"))
    book = tmp_path / "salon.xlsx"
    sk.write_demo(book, clients=30, as_of=dt.date(2026, 11, 22))
    sk.weekly_report(book, as_of=dt.date(2026, 11, 22), out=tmp_path / "w.xlsx", html=tmp_path / "w.html")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["salon.xlsx", "w.html", "w.xlsx"]
