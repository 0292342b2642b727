"""What the command line prints: workbook text and paths literally, never as terminal markup or escape sequences.

A cell, a branch code or a file name is data. The console must show it as it is
(control, direction and invisible characters as escapes such as ``\\x1b``): it may
not crash the run (``[/x]``), hide a link (``[link=...]``), recolour the terminal
or move its cursor (ANSI escapes). Errors are one line whatever the width; Ctrl-C
is one line and status 130.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import json
import os
import pty
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import unicodedata
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sheetkit as sk
from sheetkit.cli import main
from sheetkit.frames import WorkbookData
from sheetkit.template import load_template

AS_OF = dt.date(2026, 11, 22)
TEMPLATE = load_template()
DATA_SHEETS = ("clients", "visits", "appointments", "feedback")
#: Characters the console must never pass to a terminal raw, besides the C0/C1 controls (category Cc), line and
#: paragraph separators and lone surrogates: direction marks, embeddings, overrides and isolates, zero-width space, BOM.
INVISIBLE = set("\u061c\u200b\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff")
#: Fragments that meant something to rich or to a terminal before the console showed text literally.
HOSTILE = [
    "[",
    "]",
    "[/x]",
    "[/]",
    "[link=https://evil.example]Female[/link]",
    "[bold red]",
    "\\[",
    ":smile:",
    "\x1b[31m",
    "\x1b]8;;http://evil\x1b\\",
    "\x1b[2J\x1b[H",
    "\x9b31m",
    "\x07",
    "\x08",
    "\r",
    "\n",
    "\t",
    "\x85",
    "\u2028",
    "\u202e",
    "\u200f",
    "\u2066",
    "\ufeff",
    "Nguyễn Thị",
    "王小明",
]
SGR = re.compile(r"\x1b\[[0-9;]*m")  # colour and bold, which rich itself writes on a colour terminal


def _hidden(ch: str) -> bool:
    return unicodedata.category(ch) in ("Cc", "Zl", "Zp", "Cs") or ch in INVISIBLE


def visible(text: str) -> str:
    """How the console shows ``text``: every hidden character as its Python escape (``\\x1b``, ``\\u202e``)."""
    return "".join(ch.encode("unicode_escape").decode("ascii") if _hidden(ch) else ch for ch in text)


def _raw_controls(output: str) -> list[str]:
    return [ch for ch in output if ch != "\n" and _hidden(ch)]


@functools.cache
def _demo() -> WorkbookData:
    return sk.generate_demo(clients=3, seed=1, as_of=AS_OF)


def _hostile_workbook(path: Path, text: str) -> Path:
    """The demo salon with ``text`` in every text column of each sheet's first row, and in a date and a choice cell."""
    data = _demo()
    frames = {}
    for key in DATA_SHEETS:
        frame = data.frame(key).copy()
        for col in TEMPLATE.sheet(key).data_columns:
            if col.type == "text" and not col.is_formula:
                frame[col.key] = frame[col.key].astype(object)
                frame.loc[frame.index[0], col.key] = text
        frames[key] = frame
    clients = frames["clients"]
    clients["birth_date"] = clients["birth_date"].astype(object)
    clients.loc[clients.index[1], "birth_date"] = f"{text} (?)"  # never a date: a not-a-date Issue shows it
    clients.loc[clients.index[1], "gender"] = f"{text} (?)"  # never a choice: an unknown-choice Issue shows it
    return sk.write_excel(path, dataclasses.replace(data, **frames))


def _sheetkit(*args: str | Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "COLUMNS", "TERM", "FORCE_COLOR")}
    return subprocess.run(
        [sys.executable, "-m", "sheetkit", *map(str, args)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env={**environ, **(env or {})},
        check=False,
        timeout=300,
    )


TERMINAL = {"TERM": "xterm-256color", "FORCE_COLOR": "1", "COLUMNS": "300"}

TEXT = (
    st.lists(
        st.one_of(
            st.sampled_from(HOSTILE),
            st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=6),
        ),
        min_size=1,
        max_size=4,
    )
    .map("".join)
    .filter(lambda s: s.strip() != "")
)


# ------------------------------------------------------------------ check: the table and --json


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=TEXT)
def test_any_cell_text_is_printed_literally_by_check(
    text: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("COLUMNS", "1000")  # wide enough that no cell of the table is folded
    with tempfile.TemporaryDirectory() as folder:
        book = _hostile_workbook(Path(folder) / "hostile.xlsx", text)
        capsys.readouterr()
        status = main(["check", str(book), "--as-of", AS_OF.isoformat(), "--json"])
        out, err = capsys.readouterr()
        assert (status, err) == (1, "")
        assert _raw_controls(out) == []
        issues = json.loads(out)["issues"]
        cell = unicodedata.normalize("NFC", f"{text} (?)").strip()  # as the reader reads any cell
        assert {(i["column_key"], i["value"]) for i in issues} >= {("birth_date", cell), ("gender", cell)}
        status = main(["check", str(book), "--as-of", AS_OF.isoformat()])
        out, err = capsys.readouterr()
        assert (status, err) == (1, "")
        assert _raw_controls(out) == []
        for issue in issues:
            for key in ("sheet", "cell", "column", "value", "message"):
                if issue[key]:
                    assert visible(issue[key]) in out, (key, issue[key], out)


@pytest.fixture(scope="module")
def markup_book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = _demo()
    clients = data.clients.copy()
    clients["birth_date"] = clients["birth_date"].astype(object)
    clients.loc[clients.index[0], "birth_date"] = "[/x]"
    clients.loc[clients.index[1], "gender"] = "[link=https://evil.example]Female[/link]"
    clients.loc[clients.index[2], "notes"] = "call \x1b]8;;https://evil.example\x1b\\here\x1b]8;;\x1b\\ \x1b[2J"
    book = tmp_path_factory.mktemp("markup") / "salon.xlsx"
    return sk.write_excel(book, dataclasses.replace(data, clients=clients))


def test_markup_in_cells_is_shown_literally_on_a_colour_terminal(markup_book: Path) -> None:
    done = _sheetkit("check", markup_book, "--as-of", AS_OF.isoformat(), env=TERMINAL)
    assert done.returncode == 1, done.stderr
    assert done.stderr == ""
    assert SGR.search(done.stdout), "no colour: the fake terminal was not taken for one, nothing was tested"
    plain = SGR.sub("", done.stdout)
    assert "[/x]" in plain
    assert "[link=https://evil.example]Female[/link]" in plain
    assert "\x1b]8;" not in done.stdout  # no hyperlink, neither from markup nor from the cell's own escape
    assert "\x1b" not in plain  # nothing but rich's own colours reaches the terminal raw
    assert "call \\x1b]8;;https://evil.example\\x1b\\here" in plain


def test_paths_with_markup_and_escapes_are_printed_literally(tmp_path: Path) -> None:
    for name in ("[red]x[/red]", "\x1b[31mred\u202e[link=https://evil.example]ok[/link]"):
        folder = tmp_path / name
        folder.mkdir(parents=True)
        book = folder / "a.xlsx"
        made = _sheetkit("new", book, env=TERMINAL)
        assert made.returncode == 0, made.stderr
        assert f"Created {visible(str(book))} (en)." in SGR.sub("", made.stdout)
        checked = _sheetkit("check", book, "--as-of", AS_OF.isoformat(), env=TERMINAL)
        assert checked.returncode == 0, checked.stderr
        assert f"OK {visible(str(book))}: " in SGR.sub("", checked.stdout)
        failed = _sheetkit("new", folder / "missing" / "a.xlsx", env=TERMINAL)
        assert failed.returncode == 2
        assert SGR.sub("", failed.stderr) == f"error: {visible(str(folder / 'missing'))}: the folder does not exist\n"
        for output in (made.stdout, checked.stdout, failed.stderr):
            assert "\x1b" not in SGR.sub("", output)
            assert "\x1b]8;" not in output


# ------------------------------------------------------------------ errors, JSON errors, Ctrl-C


def test_an_error_is_one_line_at_any_width_and_when_piped(tmp_path: Path) -> None:
    target = tmp_path / ("a-long-folder-name-" * 12) / "clients.xlsx"
    for env in ({"COLUMNS": "40"}, {**TERMINAL, "COLUMNS": "40"}, {}):
        done = _sheetkit("new", target, env=env)
        assert done.returncode == 2
        assert SGR.sub("", done.stderr) == f"error: {target.parent}: the folder does not exist\n"


def test_json_errors_are_json_on_stdout_and_one_line_on_stderr(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nothing here.xlsx"
    assert main(["check", str(missing), "--json"]) == 2
    out, err = capsys.readouterr()
    expected = f"{missing}: no such file; check the path and the current folder"
    assert json.loads(out) == {"error": expected, "type": "WorkbookNotFoundError"}
    assert err == f"error: {expected}\n"
    assert main(["demo", str(tmp_path / "x.xlsx"), "--as-of", "22/11/2026", "--json"]) == 2
    out, err = capsys.readouterr()
    assert json.loads(out)["type"] == "UsageError"
    assert err.startswith("error: --as-of '22/11/2026' is not a date")
    assert main(["new", str(missing.with_suffix(".csv"))]) == 2  # without --json, stdout stays empty
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("\n") == 1


#: ``python -m sheetkit`` with Python's own Ctrl-C handling, even when the test runner was started with SIGINT ignored.
WITH_CTRL_C = (
    "import runpy, signal; signal.signal(signal.SIGINT, signal.default_int_handler); "
    "runpy.run_module('sheetkit', run_name='__main__', alter_sys=True)"
)


def test_ctrl_c_while_writing_is_one_line_status_130_and_leaves_nothing(tmp_path: Path) -> None:
    command = [sys.executable, "-c", WITH_CTRL_C, "demo", str(tmp_path / "salon.xlsx"), "--clients", "3000"]
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8")
    deadline = time.monotonic() + 120
    while child.poll() is None and not any(tmp_path.iterdir()) and time.monotonic() < deadline:
        time.sleep(0.005)
    assert child.poll() is None, "the demo was written before it could be interrupted: nothing was tested"
    child.send_signal(signal.SIGINT)
    out, err = child.communicate(timeout=120)
    assert (child.returncode, out, err) == (130, "", "interrupted\n")
    assert list(tmp_path.iterdir()) == []


# ------------------------------------------------------------------ a chain: branch table and progress display


@pytest.fixture(scope="module")
def chain(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("chain")
    for name, seed in (("a.xlsx", 1), ("b.xlsx", 2)):
        sk.write_demo(folder / name, clients=8, seed=seed, as_of=AS_OF)
    registry = folder / "branches.toml"
    branches = "".join(
        f'[[branch]]\ncode = "{code}"\nworkbook = "{file}"\n\n'
        for code, file in (("A1", "a.xlsx"), ("B1", "b.xlsx"), ("C1", "[/x]\x1b[31m.xlsx"))
    )
    registry.write_text(f'locale = "en"\n\n{branches}'.replace("\x1b", "\\u001b"), encoding="utf-8")
    return registry


def _pull(registry: Path, *, stderr: int | None, close_stderr: bool = False) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "sheetkit", "gsheets", "pull", "--registry", str(registry)]
    if close_stderr:  # the shell closes descriptor 2 before Python starts: sys.stderr is None
        command = ["sh", "-c", 'exec "$@" 2>&-', "sh", *command]
    return subprocess.run(
        [*command, "--as-of", AS_OF.isoformat()],
        stdout=subprocess.PIPE,
        stderr=stderr,
        text=True,
        encoding="utf-8",
        env={**os.environ, "COLUMNS": "300"},
        check=False,
        timeout=300,
    )


def test_the_branch_table_shows_paths_literally_and_progress_never_stops_the_pull(chain: Path) -> None:
    normal = _pull(chain, stderr=subprocess.PIPE)
    assert normal.returncode == 1, normal.stderr  # branch C1's file is missing
    assert "Traceback" not in normal.stderr
    assert "[/x]\\x1b[31m.xlsx" in normal.stdout
    assert "\x1b" not in normal.stdout
    # stderr closed from the start, or closed by its reader: the progress display goes, the pull goes on.
    closed = _pull(chain, stderr=None, close_stderr=True)
    assert (closed.returncode, closed.stdout) == (1, normal.stdout)
    reader_gone = subprocess.Popen(
        [sys.executable, "-m", "sheetkit", "gsheets", "pull", "--registry", str(chain), "--as-of", AS_OF.isoformat()],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
        env={**os.environ, "COLUMNS": "300"},
    )
    assert reader_gone.stderr is not None
    reader_gone.stderr.close()
    out, _ = reader_gone.communicate(timeout=300)
    assert (reader_gone.returncode, out) == (1, normal.stdout)


def test_the_progress_display_on_a_terminal_ends_and_leaves_stdout_alone(chain: Path) -> None:
    normal = _pull(chain, stderr=subprocess.DEVNULL)
    terminal, child_end = pty.openpty()  # stderr is a terminal: rich shows a live display and redirects output
    try:
        child = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "sheetkit",
                "gsheets",
                "pull",
                "--registry",
                str(chain),
                "--as-of",
                AS_OF.isoformat(),
            ],
            stdout=subprocess.PIPE,
            stderr=child_end,
            text=True,
            encoding="utf-8",
            env={**os.environ, "COLUMNS": "300", "TERM": "xterm"},
        )
    finally:
        os.close(child_end)
    seen = bytearray()

    def drain() -> None:
        while True:
            try:
                chunk = os.read(terminal, 4096)
            except OSError:  # EIO: the child closed the terminal
                return
            if not chunk:
                return
            seen.extend(chunk)

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    try:
        out, _ = child.communicate(timeout=60)
    except subprocess.TimeoutExpired:  # the display hung the run (it once wrote to itself through rich's proxy)
        child.kill()
        child.communicate()
        raise
    finally:
        reader.join(timeout=10)
        os.close(terminal)
    assert (child.returncode, out) == (1, normal.stdout)
    assert b"Reading branches" in seen
