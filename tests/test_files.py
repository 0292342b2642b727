"""The one writer primitive: nothing half-written, nothing left behind, sets replaced together, errors as messages."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
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
