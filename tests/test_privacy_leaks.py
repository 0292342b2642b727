"""Personal data stays where it belongs: scan every output for the demo's names, phones, e-mails and allergies."""

from __future__ import annotations

import logging
import zipfile
from pathlib import Path

import pandas as pd
import pytest

import sheetkit as sk
from sheetkit.cli import main
from tests.privacy_support import AS_OF, all_strings, leaks_in_text, personal_values


def _xlsx_text(path: Path) -> str:
    with zipfile.ZipFile(path) as archive:
        return "\n".join(
            archive.read(name).decode("utf-8", errors="replace") for name in archive.namelist() if name.endswith(".xml")
        )


def test_no_output_holds_what_it_must_not(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    book = tmp_path / "salon.xlsx"
    sk.write_demo(book, clients=60, seed=9, as_of=AS_OF)
    data = sk.read_workbook(book).data
    health = personal_values(data, contact=False)
    everyone = personal_values(data)
    assert len(health) > 5
    assert len(everyone) > 150
    who = str(data.clients.loc[data.clients["client_status"] == "active", "client_id"].iloc[0])
    erased = personal_values(sk.WorkbookData(data.clients.loc[data.clients["client_id"] == who], *[pd.DataFrame()] * 3))
    with caplog.at_level(logging.DEBUG):
        weekly, html = tmp_path / "weekly.xlsx", tmp_path / "weekly.html"
        args = ["report", str(book), "--as-of", AS_OF.isoformat(), "--out", str(weekly), "--html", str(html)]
        assert main(args) in (0, 1)
        assert main(["check", str(book), "--as-of", AS_OF.isoformat(), "--json"]) in (0, 1)
        checked = capsys.readouterr()
        key = tmp_path / "k.key"
        assert main(["extract", str(book), "--out", str(tmp_path / "x"), "--key-file", str(key)]) == 0
        assert main(["export-client", str(book), who, "--out", str(tmp_path / "access")]) == 0
        exported = capsys.readouterr()
        assert main(["forget", str(book), who, "--reason", "request"]) == 0
        forgot = capsys.readouterr()
    logs = "\n".join(record.getMessage() for record in caplog.records)
    # Reports: no health text (the manager's call lists may name clients, never their allergies).
    assert leaks_in_text(health, _xlsx_text(weekly)) == []
    assert leaks_in_text(health, html.read_text(encoding="utf-8")) == []
    # Extracts, read back: nobody at all.
    frames = {p.stem: pd.read_parquet(p) for p in (tmp_path / "x").glob("*.parquet")}
    assert everyone & all_strings(frames) == set()
    assert leaks_in_text(everyone, (tmp_path / "x" / "manifest.json").read_text(encoding="utf-8")) == []
    # Logs at DEBUG and what the commands printed: nobody.
    assert leaks_in_text(everyone, logs) == []
    assert leaks_in_text(health, checked.out + checked.err) == []
    assert leaks_in_text(everyone, exported.out + exported.err + forgot.out + forgot.err) == []
    # The erasure log: not the erased person.
    assert leaks_in_text(erased | {who}, book.with_name("salon.erasures.jsonl").read_text(encoding="utf-8")) == []
    # The access export is the one place health data goes: the client's own.
    page = (tmp_path / "access" / "client.html").read_text(encoding="utf-8")
    assert leaks_in_text(everyone - erased, page) == []
