"""Files that cannot be written, through the command line: one line, status 2, nothing left behind or replaced.

Every case runs ``python -m sheetkit`` in a child process, the way a manager or a
scheduled job runs it, so a traceback or an "Exception ignored" message at exit
would show. A read-only folder and a full disk are small tmpfs mounts (root only;
a read-only folder is a chmod for other users); where mounting is not allowed
those cases are skipped with the reason.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import sheetkit as sk
from sheetkit.files import TEMP_MARKER

AS_OF = "2026-11-22"
#: Command name -> its arguments for a target path, the workbook to report on and a folder for a second output.
COMMANDS: dict[str, Callable[[Path, Path, Path], list[str]]] = {
    "new": lambda target, _salon, _spare: ["new", str(target)],
    "demo": lambda target, _salon, _spare: ["demo", str(target), "--clients", "5", "--as-of", AS_OF],
    "report --out": lambda target, salon, _spare: ["report", str(salon), "--as-of", AS_OF, "--out", str(target)],
    "report --html": lambda target, salon, spare: [
        *("report", str(salon), "--as-of", AS_OF),
        *("--out", str(spare / "weekly.xlsx"), "--html", str(target.with_suffix(".html"))),
    ],
}
Mount = Callable[..., Path]


def _sheetkit(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sheetkit", *map(str, args)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
        timeout=300,
    )


def _snapshot(folder: Path) -> dict[str, bytes | None]:
    """Every file (its bytes) and folder (None) under ``folder``."""
    return {str(p.relative_to(folder)): (p.read_bytes() if p.is_file() else None) for p in sorted(folder.rglob("*"))}


def _fails_in_one_line(done: subprocess.CompletedProcess[str]) -> str:
    """The one ``error:`` line of a run that failed cleanly with status 2."""
    assert "Traceback" not in done.stderr
    assert "Exception ignored" not in done.stderr
    assert done.returncode == 2, done.stderr
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("error: ")
    assert TEMP_MARKER not in lines[0]  # the message names the target, never the temporary file
    return lines[0]


@pytest.fixture(scope="module")
def salon(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small demo workbook to report on, in a folder of its own."""
    book = tmp_path_factory.mktemp("source") / "salon.xlsx"
    sk.write_demo(book, clients=20, seed=3, as_of=dt.date.fromisoformat(AS_OF))
    return book


@pytest.fixture
def mount(tmp_path: Path) -> Iterator[Mount]:
    """``mount(name, size="64k", readonly=False)``: a small tmpfs under ``tmp_path``, unmounted afterwards."""
    mounted: list[Path] = []
    locked: list[Path] = []

    def make(name: str, *, size: str = "64k", readonly: bool = False) -> Path:
        folder = tmp_path / name
        folder.mkdir()
        if readonly and os.geteuid() != 0:  # an ordinary user is held back by the mode; root is not
            folder.chmod(0o555)
            locked.append(folder)
            return folder
        if not sys.platform.startswith("linux") or shutil.which("mount") is None:
            pytest.skip("a full disk and a read-only folder for root are Linux tmpfs mounts")
        options = f"size={size}" + (",ro" if readonly else "")
        done = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)], capture_output=True, text=True, check=False
        )
        if done.returncode != 0:
            pytest.skip(f"mounting a tmpfs is not permitted here: {done.stderr.strip() or 'mount failed'}")
        mounted.append(folder)
        return folder

    try:
        yield make
    finally:
        for folder in locked:
            folder.chmod(0o755)
        for folder in reversed(mounted):
            if subprocess.run(["umount", str(folder)], check=False).returncode != 0:
                subprocess.run(["umount", "-l", str(folder)], check=False)


def _target(place: str, tmp_path: Path, mount: Mount) -> Path:
    """An output path of the kind ``place`` names, which cannot be written."""
    if place == "missing folder":
        return tmp_path / "missing" / "out.xlsx"
    if place == "path through a file":
        (tmp_path / "some.txt").write_text("notes", encoding="utf-8")
        return tmp_path / "some.txt" / "out.xlsx"
    if place == "a folder has the name":
        for name in ("out.xlsx", "out.html"):
            (tmp_path / name).mkdir()
            (tmp_path / name / "keep.txt").write_text("other work", encoding="utf-8")
        return tmp_path / "out.xlsx"
    if place == "read-only folder":
        return mount("read-only", readonly=True) / "out.xlsx"
    assert place == "full disk"
    return mount("full", size="16k") / "out.xlsx"  # a workbook is about 200 KiB, a report 23 KiB + 35 KiB of HTML


@pytest.mark.parametrize(
    "place", ["missing folder", "path through a file", "a folder has the name", "read-only folder", "full disk"]
)
@pytest.mark.parametrize("command", list(COMMANDS))
def test_an_output_that_cannot_be_written_is_one_line_and_leaves_nothing(
    tmp_path: Path, mount: Mount, salon: Path, command: str, place: str
) -> None:
    spare = tmp_path / "spare"  # where report --html puts its .xlsx: it must not appear alone
    spare.mkdir()
    target = _target(place, tmp_path, mount)
    before = _snapshot(tmp_path)
    done = _sheetkit(*COMMANDS[command](target, salon, spare))
    _fails_in_one_line(done)
    assert done.stdout == ""
    assert _snapshot(tmp_path) == before


def test_with_json_the_error_is_also_json_on_stdout(tmp_path: Path) -> None:
    done = _sheetkit("demo", tmp_path / "missing" / "salon.xlsx", "--clients", "5", "--as-of", AS_OF, "--json")
    line = _fails_in_one_line(done)
    assert json.loads(done.stdout) == {"error": line.removeprefix("error: "), "type": "WorkbookWriteError"}
    assert list(tmp_path.iterdir()) == []


def test_when_only_the_html_cannot_be_written_the_old_report_stays(tmp_path: Path, mount: Mount, salon: Path) -> None:
    reports = tmp_path / "reports"
    reports.mkdir()
    old = reports / "weekly.xlsx"
    old.write_bytes(b"last week's report")
    (reports / "weekly.html").mkdir()  # the HTML path is a folder
    (reports / "weekly.html" / "index.html").write_text("last week's page", encoding="utf-8")
    before = _snapshot(reports)
    report = ("report", salon, "--as-of", AS_OF, "--out", old, "--force")
    _fails_in_one_line(_sheetkit(*report, "--html", reports / "weekly.html"))
    assert _snapshot(reports) == before
    disk = mount("full", size="16k")  # the HTML (35 KiB) does not fit; the .xlsx beside the old one was written
    _fails_in_one_line(_sheetkit(*report, "--html", disk / "weekly.html"))
    assert _snapshot(reports) == before
    assert list(disk.iterdir()) == []
