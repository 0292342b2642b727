"""`sheetkit report` as a manager runs it: the period it says, never over a workbook, e-mailed to a real SMTP server."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import json
from pathlib import Path
from typing import Any

import pytest

import sheetkit as sk
from sheetkit.cli import main
from tests.test_report_mail import PASSWORD, USER, Server, serve  # noqa: F401 - serve is the SMTP server fixture

AS_OF = dt.date(2026, 11, 22)


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cli-report") / "salon.xlsx"
    sk.write_demo(path, clients=40, as_of=AS_OF, seed=3)
    return path


def _json(capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    printed: dict[str, Any] = json.loads(capsys.readouterr().out)
    return printed


def test_without_a_date_the_report_covers_the_last_complete_week(
    book: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["report", str(book), "--out", str(tmp_path / "w.xlsx"), "--json"]) == 0
    period = _json(capsys)["period"]
    today = dt.date.today()
    end = today - dt.timedelta(days=today.weekday() + 1)
    assert (period["start"], period["end"]) == ((end - dt.timedelta(days=6)).isoformat(), end.isoformat())
    assert dt.date.fromisoformat(period["start"]).weekday() == 0


def test_a_named_week_and_its_like_for_like_comparisons_equal_the_library(
    book: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "w47.xlsx"
    assert main(["report", str(book), "--week", "2026-W47", "--out", str(out), "--json"]) == 0
    printed = _json(capsys)
    assert printed["period"]["start"] == "2026-11-16"
    assert printed["period"]["end"] == "2026-11-22"
    assert printed["compared_with"]["last_week"]["start"] == "2026-11-09"
    assert printed["compared_with"]["last_year"]["start"] == "2025-11-17"
    keys = {kpi["key"] for kpi in printed["kpis"]}
    assert {"visits", "no_show_rate"} <= keys
    assert all(kpi["better"] in (True, False, None) for kpi in printed["kpis"])
    period = sk.report.report_period(today=dt.date.today(), week="2026-W47")
    library = sk.weekly_report(book, period=period, today=dt.date.today(), out=tmp_path / "lib.xlsx")
    assert {**printed, "report": None} == json.loads(json.dumps({**library, "report": None}, default=str))


@pytest.mark.parametrize("week", ["2026-W60", "2026-49", "next week"])
def test_a_week_that_is_not_one_is_exit_2(book: Path, week: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", str(book), "--week", week]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error:")
    assert err.count("\n") == 1


def test_the_report_never_replaces_a_workbook_even_with_force(
    book: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = book.read_bytes()
    assert main(["report", str(book), "--out", str(book), "--force"]) == 2
    other = tmp_path / "other-salon.xlsx"
    sk.new_workbook(other)
    other_bytes = other.read_bytes()
    assert main(["report", str(book), "--out", str(tmp_path / "w.xlsx"), "--html", str(other), "--force"]) == 2
    assert book.read_bytes() == before
    assert other.read_bytes() == other_bytes
    assert not (tmp_path / "w.xlsx").exists()
    assert "workbook" in capsys.readouterr().err


def test_the_report_arrives_by_e_mail_from_the_command_line(
    book: Path,
    tmp_path: Path,
    serve: Any,  # noqa: F811 - the fixture imported above
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    server: Server = serve()
    monkeypatch.setenv("SHEETKIT_SMTP_USER", USER)
    monkeypatch.setenv("SHEETKIT_SMTP_PASSWORD", PASSWORD)
    out = tmp_path / "weekly.xlsx"
    args = ["report", str(book), "--week", "2026-W47", "--out", str(out), "--smtp", server.address]
    args += ["--mail-to", "manager@salon.example.com", "--mail-to", "owner@salon.example.com"]
    assert main(args) == 0
    captured = capsys.readouterr()
    assert "E-mailed to 2 recipients" in captured.out
    assert PASSWORD not in captured.out + captured.err
    (envelope,) = server.inbox.envelopes
    assert sorted(envelope.rcpt_tos) == ["manager@salon.example.com", "owner@salon.example.com"]
    message = email.message_from_bytes(envelope.content, policy=email.policy.default)
    html = out.with_suffix(".html")  # written beside the report for the e-mail body
    body = message.get_body(preferencelist=("html",))
    assert body is not None
    assert body.get_content().replace("\r\n", "\n").rstrip("\n") == html.read_text(encoding="utf-8").rstrip("\n")
    (attachment,) = list(message.iter_attachments())
    assert attachment.get_filename() == "weekly.xlsx"
    assert attachment.get_content() == out.read_bytes()


def test_mail_options_are_checked_before_any_work(
    book: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "weekly.xlsx"
    assert main(["report", str(book), "--out", str(out), "--mail-to", "manager@salon.example.com"]) == 2
    assert main(["report", str(book), "--out", str(out), "--mail-to", "not an address", "--smtp", "h:25"]) == 2
    assert not out.exists()
    assert capsys.readouterr().err.count("error:") == 2


def test_the_report_speaks_the_workbooks_language(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    book = tmp_path / "salone.xlsx"
    sk.write_demo(book, clients=30, as_of=AS_OF, seed=3, locale="it")
    args = ["report", str(book), "--as-of", AS_OF.isoformat(), "--out", str(tmp_path / "resoconto.xlsx")]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "Resoconto settimanale scritto in" in out
    assert "Periodo dal 2026-11-16 al 2026-11-22" in out
    assert "Elenchi di azioni:" in out
    assert "Inattivi" in out  # the lapsed list by the report's own Italian name
    assert main([*args, "--force", "--lang", "zh_CN", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["locale"] == "it"  # --lang changes what is printed, not the report
    assert main([*args, "--force", "--lang", "vi-VN"]) == 0
    assert "Báo cáo tuần đã được ghi vào" in capsys.readouterr().out
