"""The access export: everything held on one client, as JSON (complete) and as an HTML page in their language."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest
import yaml

import sheetkit as sk
from sheetkit.cli import main
from sheetkit.privacy.access import ACCESS_KEYS
from tests.privacy_support import AS_OF

HOSTILE = '<script>alert("x")</script> & <b>bold</b>'


def test_every_locale_has_the_access_labels() -> None:
    template = sk.load_template()
    for locale in template.locales:
        raw = yaml.safe_load((template.path / "locales" / f"{locale}.yaml").read_text(encoding="utf-8"))
        assert set(raw["access"]) == set(ACCESS_KEYS), locale
        assert raw["issues"]["retention-period-passed"].count("{command}") == 1


def test_export_is_complete_and_escaped(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = sk.generate_demo(clients=30, seed=4, locale="it", as_of=AS_OF)
    who = str(data.clients.loc[data.clients.index[2], "client_id"])
    data.clients.loc[data.clients.index[2], "notes"] = HOSTILE
    book = tmp_path / "salon.xlsx"
    sk.write_excel(book, data, locale="it")
    read = sk.read_workbook(book)
    out = tmp_path / "access"
    assert main(["export-client", str(book), who, "--out", str(out), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    document = json.loads((out / "client.json").read_text(encoding="utf-8"))
    assert document["client_id"] == who
    assert document["locale"] == "it" == summary["locale"]
    # Every sheet, every row of this client, every column (health included).
    for sheet in ("clients", "visits", "appointments", "feedback", "patch_tests", "consents", "follow_ups"):
        frame = read.data.frame(sheet)
        mine = frame.loc[frame["client_id"].astype("string") == who]
        assert len(document["sheets"][sheet]) == len(mine) == summary["rows"][sheet], sheet
        if len(mine):
            assert set(document["sheets"][sheet][0]) == {str(c) for c in frame.columns}
    row = document["sheets"]["clients"][0]
    original = read.data.clients.loc[read.data.clients["client_id"] == who].iloc[0]
    for column in ("full_name", "phone", "email", "allergies", "notes"):
        assert row[column] == (None if pd.isna(original[column]) else str(original[column]))
    assert document["sheets"]["visits"]  # a demo client has visits
    # The page: Italian, with the value shown as text, never as markup.
    page = (out / "client.html").read_text(encoding="utf-8")
    assert '<html lang="it">' in page
    assert "Trattamenti" in page
    assert "Dati personali conservati" in page
    assert "<script>" not in page
    assert "&lt;script&gt;" in page
    # Someone else's rows are not in it.
    other = str(data.clients.loc[data.clients.index[3], "full_name"])
    assert other not in page
    assert other not in json.dumps(document, ensure_ascii=False)


def test_unknown_client_and_existing_folder_are_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    book = tmp_path / "salon.xlsx"
    sk.write_demo(book, clients=5, seed=1, as_of=AS_OF)
    assert main(["export-client", str(book), "NOPE", "--out", str(tmp_path / "a")]) == 2
    assert "no client with ID 'NOPE'" in capsys.readouterr().err
    assert not (tmp_path / "a").exists()
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "mine.txt").write_text("x")
    assert main(["export-client", str(book), "C0001", "--out", str(tmp_path / "b")]) == 2
    assert "--force" in capsys.readouterr().err


def test_the_chinese_page_rendered_in_a_browser(tmp_path: Path) -> None:
    browser = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if browser is None:
        pytest.skip("no headless browser to render the page")
    book = tmp_path / "salon.xlsx"
    sk.write_demo(book, clients=20, seed=2, locale="zh-CN", as_of=AS_OF)
    sk.write_client_export(book, "C0003", tmp_path / "access", generated_at=dt.datetime(2026, 11, 23, 9))
    page = tmp_path / "access" / "client.html"
    assert "客户档案" in page.read_text(encoding="utf-8")
    png = tmp_path / "client.png"
    subprocess.run(
        [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            f"--screenshot={png}",
            "--window-size=1200,1400",
            page.as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    from PIL import Image

    with Image.open(png) as image:
        colours = image.convert("L").getcolors(maxcolors=1 << 16)
    assert image.size == (1200, 1400)
    assert colours is not None
    assert len(colours) > 20
