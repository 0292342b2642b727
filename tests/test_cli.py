"""The command line, called the way users call it: exit codes, JSON, errors without tracebacks."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import pty
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


# ---------------------------------------------------------------- the command line in the staff's language

AS_OF = dt.date(2026, 11, 22)


@pytest.fixture(scope="module")
def italian(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An Italian salon with a date typed in the wrong order, an empty name and a wrong contraindication."""
    data = sk.generate_demo(clients=10, locale="it", seed=7, as_of=AS_OF)
    data.clients.loc[data.clients.index[1], "full_name"] = None
    data.clients["contraindications"] = data.clients["contraindications"].astype(object)
    data.clients.loc[data.clients.index[2], "contraindications"] = "gravidanza gemellare"
    data.visits["visit_date"] = data.visits["visit_date"].astype(object)
    data.visits.loc[data.visits.index[0], "visit_date"] = "31/02/2026"
    book = tmp_path_factory.mktemp("italian") / "salone.xlsx"
    sk.write_excel(book, data, locale="it")
    return book


def _check(book: Path, *extra: str) -> tuple[int, str, str]:
    done = subprocess.run(
        [sys.executable, "-m", "sheetkit", "check", str(book), "--as-of", AS_OF.isoformat(), *extra],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env={**os.environ, "COLUMNS": "200"},
        check=False,
    )
    return done.returncode, done.stdout, done.stderr


def test_check_of_an_italian_workbook_is_italian_throughout(italian: Path, tmp_path: Path) -> None:
    status, out, err = _check(italian)
    assert (status, err) == (1, "")  # stderr is not a terminal: no progress display
    header = next(line for line in out.splitlines() if "Foglio" in line)
    assert [cell.strip() for cell in header.strip("┃ ").split("┃")] == [
        "Foglio",
        "Cella",
        "Colonna",
        "Valore",
        "Problema",
    ]
    assert "12 Clienti" not in out
    assert "10 Clienti" in out
    assert out.rstrip().endswith("3 errori, 0 avvisi: da correggere")
    assert "Il campo Nome e cognome è obbligatorio" in out
    assert "giorno/mese/anno" in out
    assert "DMY" not in out
    assert "(dati sanitari nascosti; --show-health li mostra)" in out
    # The rendered table, as a person sees it (rich's own SVG export of the same text).
    from rich.console import Console
    from rich.text import Text

    screen = Console(record=True, width=200, file=io.StringIO())
    screen.print(Text(out))
    svg = tmp_path / "check-it.svg"
    svg.write_text(screen.export_svg(title="sheetkit check salone.xlsx"), encoding="utf-8")
    assert "Problema" in svg.read_text(encoding="utf-8")
    english_status, english, _ = _check(italian, "--lang", "EN-gb")
    assert english_status == 1
    assert "Sheet" in english
    assert "3 errors, 0 warnings: needs fixing" in english
    assert "Nome e cognome is required. Fill it in." in english  # the English message, the staff's header
    # Any language the command line speaks: the messages too, not only the table around them.
    chinese_status, chinese, _ = _check(italian, "--lang", "zh-CN")
    assert chinese_status == 1
    assert "“Nome e cognome”为必填项，请填写。" in chinese
    assert "è obbligatorio" not in chinese


def test_health_values_are_masked_unless_asked_for(italian: Path) -> None:
    _, table, _ = _check(italian)
    _, shown_table, _ = _check(italian, "--show-health")
    _, as_json, _ = _check(italian, "--json")
    assert "gravidanza gemellare" not in table
    assert "[nascosto]" in table
    assert "gravidanza gemellare" in shown_table
    _, other_language, _ = _check(italian, "--lang", "vi")  # messages said again in Vietnamese stay masked
    assert "gravidanza gemellare" not in other_language
    printed = json.loads(as_json)
    assert "gravidanza gemellare" not in as_json
    assert [i["value"] for i in printed["issues"] if i["column_key"] == "contraindications"] == ["[nascosto]"]


def test_progress_shows_on_a_terminal_only_and_never_with_quiet(italian: Path) -> None:
    def on_terminal(*extra: str) -> tuple[int, bytes]:
        terminal, child_end = pty.openpty()
        try:
            child = subprocess.Popen(
                [sys.executable, "-m", "sheetkit", "check", str(italian), "--as-of", AS_OF.isoformat(), *extra],
                stdout=subprocess.DEVNULL,
                stderr=child_end,
                env={**os.environ, "TERM": "xterm", "COLUMNS": "120"},
            )
        finally:
            os.close(child_end)
        seen = bytearray()
        while True:
            try:
                chunk = os.read(terminal, 4096)
            except OSError:
                break
            if not chunk:
                break
            seen.extend(chunk)
        os.close(terminal)
        return child.wait(timeout=120), bytes(seen)

    status, seen = on_terminal()
    assert status == 1
    assert b"Lettura della cartella di lavoro" in seen or b"Controllo dei dati" in seen
    quiet_status, quiet = on_terminal("--quiet")
    assert (quiet_status, quiet) == (1, b"")


def test_locale_names_are_accepted_in_any_common_form(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from sheetkit.template.locale_names import canonical_locale

    known = ("en", "zh-CN", "it", "vi")
    aliases = {"zh": "zh-CN", "zh-cn": "zh-CN", "zh_CN": "zh-CN", "ZH-CN": "zh-CN", "it-IT": "it", "it_it": "it"}
    aliases |= {"vi-VN": "vi", "en-GB": "en", "en_US": "en", "EN": "en", "fr-FR": "fr-FR"}
    assert {name: canonical_locale(name, known) for name in aliases} == aliases
    assert sk.load_template().labels("zh_cn").locale == "zh-CN"
    out = tmp_path / "kehu.xlsx"
    assert main(["new", str(out), "--locale", "zh_cn"]) == 0
    assert "已创建" in capsys.readouterr().out
    assert openpyxl.load_workbook(out).sheetnames[0] == "客户档案"


def test_usage_errors_with_json_are_json_on_stdout(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(tmp_path / "x.xlsx"), "--limit", "0", "--json"]) == 2
    out, _ = capsys.readouterr()
    error = json.loads(out)
    assert error["type"] == "UsageError"
    assert error["error"].startswith("Invalid value for '--limit': ")  # the rest is typer's wording
    assert "1" in error["error"]
    assert set(error) == {"error", "type"}
    assert main(["check", "--json", "--no-such-option"]) == 2
    assert json.loads(capsys.readouterr().out)["type"] == "UsageError"


def test_every_command_line_text_exists_in_every_language() -> None:
    import string

    from sheetkit.cli.messages import LANGS, catalogue

    def fields(text: str) -> set[str]:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name}

    english = catalogue("en")
    for lang in LANGS:
        texts = catalogue(lang)
        assert set(texts) == set(english), lang
        assert {k: fields(v) for k, v in texts.items()} == {k: fields(v) for k, v in english.items()}, lang


def test_front_desk_errors_follow_lang(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "salone.xlsx"
    assert main(["check", str(missing), "--lang", "it"]) == 2
    _, err = capsys.readouterr()
    assert "errore:" in err
    assert "file inesistente" in err
    assert "no such file" not in err
    # JSON is for programs: its message stays English, only the person's line is translated.
    assert main(["check", str(missing), "--lang", "zh-CN", "--json"]) == 2
    out, err = capsys.readouterr()
    assert json.loads(out)["error"].endswith("no such file; check the path and the current folder")
    assert "文件不存在" in err
    book = tmp_path / "khoa.xlsx"
    sk.write_excel(book, sk.WorkbookData.empty(), locale="vi", password="mật-khẩu")  # noqa: S106  # a test password
    assert main(["check", str(book), "--lang", "vi"]) == 2
    _, err = capsys.readouterr()
    assert "được bảo vệ bằng mật khẩu" in err
    assert "mật-khẩu" not in err
