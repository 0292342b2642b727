"""Killed, terminated, out of space: a file on disk is the old one or the new one, whole, and nothing is left behind.

Everything runs through the command line as users and scheduled jobs call it
(``python -m sheetkit ...`` in a child process), because a kill only means
something to a whole process.
"""

from __future__ import annotations

import random
import re
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from sheetkit.files import TEMP_MARKER

AS_OF = "2026-11-22"
#: Kills per command: half while the temporary file is being written, half at a random moment of the run. A
#: report reads and validates before it writes, so each of its runs costs more: fewer kills, the same two kinds.
KILLS_NEW = 10
KILLS_REPORT = 8
#: The report reads and validates before it writes, so each of its runs costs more: fewer kills, same coverage.


def _sheetkit(*args: str | Path) -> list[str]:
    return [sys.executable, "-m", "sheetkit", *map(str, args)]


def _start(command: list[str]) -> subprocess.Popen[str]:
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def _names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def _wait_for_temp(folder: Path, child: subprocess.Popen[str], *, before: list[str]) -> bool:
    """Wait until ``child`` has made a temporary file in ``folder`` (not among ``before``); False: it ended first."""
    deadline = time.monotonic() + 120
    while child.poll() is None and time.monotonic() < deadline:
        if any(TEMP_MARKER in name for name in set(_names(folder)) - set(before)):
            return True
        time.sleep(0.003)
    return False


def _is_whole(path: Path) -> bool:
    if path.suffix == ".html":
        return path.read_text(encoding="utf-8").rstrip().endswith("</html>")
    with zipfile.ZipFile(path) as book:
        return book.testzip() is None and "xl/workbook.xml" in book.namelist()


_BACKUP = re.compile(r"[^.].*\.backup-\d+\.xlsx\Z")
_BACKUP_TEMP = re.compile(r"\..*\.backup-\d+\.xlsx" + re.escape(TEMP_MARKER))


def _one_line_error(done: subprocess.CompletedProcess[str], target: Path) -> None:
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert "Exception ignored" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert str(target) in lines[0]
    assert TEMP_MARKER not in lines[0]


@pytest.fixture(scope="module")
def salon(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small demo workbook to report on (in its own folder: the report folders hold only the report)."""
    book = tmp_path_factory.mktemp("source") / "salon.xlsx"
    done = subprocess.run(
        _sheetkit("demo", book, "--clients", "40", "--as-of", AS_OF), capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    return book


def _kill_loop(command: list[str], folder: Path, targets: list[Path], *, kills: int) -> None:
    """kill -9 ``command`` again and again; after each kill every target is its old self or a whole new file."""
    rng = random.Random(20261122)
    old = {t: t.read_bytes() if t.exists() else None for t in targets}
    prefixes = tuple(f".{t.name}{TEMP_MARKER}" for t in targets)
    writing_from = None  # seconds from start to the temporary file, as last seen
    kills_with_leftovers = 0
    for kill in range(kills):
        before = _names(folder)  # leftovers of the previous kill, until this run removes them
        child = _start(command)
        started = time.monotonic()
        if kill % 2 == 0 or writing_from is None:
            if _wait_for_temp(folder, child, before=before):
                writing_from = time.monotonic() - started
                time.sleep(rng.uniform(0, 0.15))
        else:
            time.sleep(max(0.0, rng.uniform(0.2, 1.3) * writing_from - (time.monotonic() - started)))
        child.kill()
        _, err = child.communicate(timeout=120)
        assert child.returncode in (0, -signal.SIGKILL), err
        assert "Traceback" not in err
        for target in targets:
            now = target.read_bytes() if target.exists() else None
            if now != old[target]:  # only a run that got to its renames may change a target, and then wholly
                assert now is not None, f"kill {kill} removed {target.name}"
                assert _is_whole(target), f"kill {kill} left {target.name} half-written"
                old[target] = now
        # Replacing a sheetkit workbook keeps a backup of it first (NAME.backup-N.xlsx), written the same safe way.
        backups = [n for n in _names(folder) if _BACKUP.match(n)]
        assert all(_is_whole(folder / n) for n in backups), backups
        others = sorted(set(_names(folder)) - {t.name for t in targets} - set(backups))
        assert all(name.startswith(prefixes) or _BACKUP_TEMP.match(name) for name in others), others
        if child.returncode == 0:
            assert others == [], "a run that finished left temporary files, its own or earlier ones"
        kills_with_leftovers += bool(others)
    assert kills_with_leftovers, "no kill landed while a temporary file existed: nothing was tested"
    done = subprocess.run(command, capture_output=True, text=True, check=False, timeout=120)
    assert done.returncode == 0, done.stderr
    assert [n for n in _names(folder) if not _BACKUP.match(n)] == sorted(t.name for t in targets)
    assert all(_is_whole(t) for t in targets)


def test_kill_9_during_new_never_leaves_a_broken_workbook(tmp_path: Path) -> None:
    target = tmp_path / "clients.xlsx"  # does not exist yet: it stays absent until a run completes
    _kill_loop(_sheetkit("new", target, "--force"), tmp_path, [target], kills=KILLS_NEW)


def test_kill_9_during_report_never_leaves_a_broken_report(tmp_path: Path, salon: Path) -> None:
    xlsx, html = tmp_path / "weekly.xlsx", tmp_path / "weekly.html"
    xlsx.write_bytes(b"last week's report")
    html.write_bytes(b"<html>last week's report</html>")
    command = _sheetkit("report", salon, "--as-of", AS_OF, "--out", xlsx, "--html", html, "--force")
    _kill_loop(command, tmp_path, [xlsx, html], kills=KILLS_REPORT)


def test_sigterm_during_a_write_leaves_the_old_workbook_and_no_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / "clients.xlsx"
    target.write_bytes(b"yesterday's workbook")
    child = _start(_sheetkit("new", target, "--force"))
    assert _wait_for_temp(tmp_path, child, before=[]), child.communicate()[1]
    child.send_signal(signal.SIGTERM)
    _, err = child.communicate(timeout=120)
    assert child.returncode == 128 + signal.SIGTERM  # the shell's status for a process ended by SIGTERM
    assert err == ""
    assert _names(tmp_path) == ["clients.xlsx"]
    assert target.read_bytes() == b"yesterday's workbook"


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Callable[[str], Path]]:
    """Mount small tmpfs file systems (``size`` as mount takes it) under ``tmp_path``; unmounted afterwards."""
    if not sys.platform.startswith("linux") or shutil.which("mount") is None:
        pytest.skip("a full disk is simulated with a Linux tmpfs mount")
    mounted: list[Path] = []

    def mount(size: str) -> Path:
        folder = tmp_path / f"disk-{size}"
        folder.mkdir()
        done = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            pytest.skip(f"cannot mount a {size} tmpfs here (needs root): {done.stderr.strip() or 'mount failed'}")
        mounted.append(folder)
        return folder

    try:
        yield mount
    finally:
        for folder in mounted:
            if subprocess.run(["umount", str(folder)], check=False).returncode != 0:
                subprocess.run(["umount", "-l", str(folder)], check=False)


def test_a_full_disk_is_one_line_naming_the_target_and_leaves_nothing(
    tiny_disk: Callable[[str], Path], salon: Path
) -> None:
    disk = tiny_disk("64k")  # an empty workbook is about 200 KiB
    target = disk / "x.xlsx"
    _one_line_error(subprocess.run(_sheetkit("new", target), capture_output=True, text=True, check=False), target)
    assert _names(disk) == []
    disk = tiny_disk("32k")  # the report's .xlsx fits, its .html does not
    xlsx, html = disk / "w.xlsx", disk / "w.html"
    command = _sheetkit("report", salon, "--as-of", AS_OF, "--out", xlsx, "--html", html)
    _one_line_error(subprocess.run(command, capture_output=True, text=True, check=False), xlsx)
    assert _names(disk) == []
