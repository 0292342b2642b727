"""Logs name files and counts, never people: demo -> check -> report at DEBUG leaks no personal data."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

import pytest

import sheetkit as sk
from sheetkit.cli import main

AS_OF = dt.date(2026, 11, 22)


def _personal_values(data: sk.WorkbookData) -> set[str]:
    clients = data.clients
    values: set[str] = set()
    for column in ("full_name", "phone", "email"):
        values |= {str(v) for v in clients[column].dropna() if len(str(v)) >= 5}
    return values


def test_a_whole_run_at_debug_logs_files_and_counts_but_no_client(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    book = tmp_path / "salon.xlsx"
    with caplog.at_level(logging.DEBUG):
        assert main(["demo", str(book), "--clients", "60", "--seed", "4", "--as-of", AS_OF.isoformat()]) == 0
        assert main(["check", str(book), "--as-of", AS_OF.isoformat()]) in (0, 1)
        out = tmp_path / "weekly.xlsx"
        html = tmp_path / "weekly.html"
        args = ["report", str(book), "--as-of", AS_OF.isoformat(), "--out", str(out), "--html", str(html)]
        assert main(args) in (0, 1)
    capsys.readouterr()
    text = "\n".join(record.getMessage() for record in caplog.records)
    # The log says what was written and read...
    assert str(book) in text
    assert str(out) in text
    assert "60 clients" in text
    # ...and nothing about who: no name, phone or e-mail of any client.
    people = _personal_values(sk.generate_demo(clients=60, seed=4, as_of=AS_OF))
    assert len(people) > 100
    assert sorted(v for v in people if v in text) == []
