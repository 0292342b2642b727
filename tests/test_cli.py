"""The command line, called the way users call it: exit codes, JSON, errors without tracebacks."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

import sheetkit as sk
from sheetkit.cli import main


def test_new_creates_a_workbook_in_the_locale(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "clienti.xlsx"
    assert main(["new", str(out), "--locale", "it"]) == 0
    assert "clienti.xlsx" in capsys.readouterr().out
    assert openpyxl.load_workbook(out).sheetnames[0] == "Clienti"


def test_demo_json_equals_the_library_result(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "demo.xlsx"
    args = ["demo", str(out), "--clients", "40", "--locale", "vi", "--seed", "5", "--as-of", "2026-03-01", "--json"]
    assert main(args) == 0
    printed = json.loads(capsys.readouterr().out)
    expected = sk.write_demo(tmp_path / "lib.xlsx", clients=40, locale="vi", seed=5, as_of=dt.date(2026, 3, 1))
    assert {**printed, "workbook": None} == {**expected, "workbook": None}
    assert printed["clients"] == 40


def test_demo_is_deterministic_for_a_seed(tmp_path: Path) -> None:
    a, b = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    for out in (a, b):
        assert main(["demo", str(out), "--clients", "30", "--seed", "9", "--as-of", "2026-01-31", "--json"]) == 0
    assert a.read_bytes() == b.read_bytes()


def test_existing_file_is_not_overwritten_without_force(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "salon.xlsx"
    out.write_bytes(b"staff work")
    assert main(["new", str(out)]) == 2
    err = capsys.readouterr().err
    assert "already exists" in err
    assert "Traceback" not in err
    assert out.read_bytes() == b"staff work"
    assert main(["new", str(out), "--force"]) == 0
    assert out.read_bytes() != b"staff work"


def test_replacing_a_sheetkit_workbook_keeps_a_backup(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "salon.xlsx"
    sk.write_demo(out, clients=15, as_of=dt.date(2026, 11, 22))
    staff_work = out.read_bytes()
    assert main(["new", str(out), "--force"]) == 0
    assert "salon.backup-1.xlsx" in capsys.readouterr().out
    assert (tmp_path / "salon.backup-1.xlsx").read_bytes() == staff_work
    assert main(["demo", str(out), "--clients", "5", "--force"]) == 0
    assert (tmp_path / "salon.backup-2.xlsx").exists()  # never over an earlier backup
    assert sorted(p.name for p in tmp_path.iterdir()) == ["salon.backup-1.xlsx", "salon.backup-2.xlsx", "salon.xlsx"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["new", "{tmp}/x.xlsx", "--locale", "fr"], "unknown locale 'fr'"),
        (["new", "{tmp}/x.csv"], "must end in .xlsx"),
        (["new", "{tmp}/no/such/folder/x.xlsx"], "folder does not exist"),
        (["demo", "{tmp}/x.xlsx", "--as-of", "22/11/2026"], "is not a date"),
    ],
)
def test_errors_are_one_line_messages_with_status_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    code = main([a.format(tmp=tmp_path) for a in args])
    err = capsys.readouterr().err
    assert code == 2
    assert message in err
    assert "Traceback" not in err


def test_usage_errors_and_help_through_the_console_script() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "sheetkit", "demo", "x.xlsx", "--clients", "zero"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    helped = subprocess.run([sys.executable, "-m", "sheetkit", "--help"], capture_output=True, text=True, check=False)
    assert helped.returncode == 0
    for command in ("new", "demo"):
        assert command in helped.stdout


def test_report_json_equals_the_library_result(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    book = tmp_path / "salon.xlsx"
    sk.write_demo(book, clients=60, seed=2, as_of=dt.date(2026, 11, 22))
    out, page = tmp_path / "weekly.xlsx", tmp_path / "weekly.html"
    args = ["report", str(book), "--as-of", "2026-11-22", "--out", str(out), "--html", str(page), "--json"]
    assert main(args) == 0
    printed = json.loads(capsys.readouterr().out)
    from sheetkit.report import weekly_report

    again = weekly_report(book, as_of=dt.date(2026, 11, 22), out=tmp_path / "again.xlsx")
    assert printed["actions"] == again["actions"]
    assert printed["valid"] is True
    assert out.is_file()
    assert page.is_file()
    assert page.read_text(encoding="utf-8").lstrip().lower().startswith("<!doctype html")
    summary = sk.load_template().labels().report["sheet_summary"]  # the demo is in the default locale
    assert openpyxl.load_workbook(out).sheetnames[0] == summary
    # A second run refuses to replace the report unless told to; the old file stays as it was.
    before = out.read_bytes()
    assert main(args) == 2
    assert "already exists" in capsys.readouterr().err
    assert out.read_bytes() == before
    assert main([*args, "--force"]) == 0
