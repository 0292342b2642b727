"""The gsheets commands, run the way a manager runs them, against the local stand-in (SHEETKIT_SHEETS_EMULATOR)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import requests

import sheetkit as sk
from sheetkit.cli import main
from sheetkit.gsheets.transport import ENV_EMULATOR, transport_from_env
from tests.gsheets_support import AS_OF, WRITER, account, client_for
from tests.sheets_standin import FakeClock, SheetsStandIn


def _credentials(standin: SheetsStandIn, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, email: str) -> None:
    key_file = tmp_path / f"{email.split('@', maxsplit=1)[0]}.json"
    key_file.write_text(json.dumps(standin.service_account(email, project="salon-chain")), encoding="utf-8")
    monkeypatch.setenv("SHEETKIT_SERVICE_ACCOUNT", str(key_file))
    monkeypatch.setenv(ENV_EMULATOR, standin.base_url)


def test_new_then_check_in_vietnamese(
    standin: SheetsStandIn,
    clock: FakeClock,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _credentials(standin, tmp_path, monkeypatch, WRITER)
    args = ["gsheets", "new", "--locale", "vi", "--branch", "HN01", "--demo-clients", "12", "--as-of", "2026-11-22"]
    assert main([*args, "--json"]) == 0
    made = json.loads(capsys.readouterr().out)
    key = made["spreadsheet"]
    assert made["requests"] == {"read": 0, "write": 3}
    assert made["url"].endswith(f"/d/{key}/edit")
    book = standin.book(key)
    assert book.locale == "vi_VN"
    assert [s.title for s in book.sheets][:2] == ["Khách hàng", "Liệu trình"]
    assert main(["gsheets", "check", key, "--locale", "vi", "--as-of", AS_OF.isoformat(), "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    with client_for(standin, clock, account(standin, WRITER, readonly=True)) as reader:
        expected = sk.validate(sk.read_gsheet(reader, key, locale="vi"), as_of=AS_OF).to_dict()
    assert printed == json.loads(json.dumps(expected, default=str))
    assert printed["rows"]["clients"] == 12
    # The human form prints the table or OK line, in one go.
    assert main(["gsheets", "check", key, "--as-of", AS_OF.isoformat()]) == 0
    assert f"gsheets:{key}" in capsys.readouterr().out


def test_existing_spreadsheet_is_filled_once_and_not_replaced(
    standin: SheetsStandIn, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _credentials(standin, tmp_path, monkeypatch, WRITER)
    key = standin.create_spreadsheet(owner=WRITER, title="Milano", sheets=["Foglio1"])
    url = f"https://docs.google.com/spreadsheets/d/{key}/edit#gid=0"
    assert main(["gsheets", "new", "--key", url, "--locale", "it"]) == 0
    assert "Clienti" in [s.title for s in standin.book(key).sheets]
    capsys.readouterr()
    assert main(["gsheets", "new", "--key", key, "--locale", "it"]) == 2
    err = capsys.readouterr().err
    assert key in err
    assert "Traceback" not in err
    assert main(["gsheets", "new", "--key", "not a key"]) == 2
    assert "not a spreadsheet key" in capsys.readouterr().err


def test_google_hosts_only_while_emulated() -> None:
    assert transport_from_env({}) is None
    adapter = transport_from_env({ENV_EMULATOR: "http://127.0.0.1:9"})
    assert adapter is not None
    session = requests.Session()
    session.mount("https://", adapter)
    with pytest.raises(requests.ConnectionError, match=r"refusing to contact example\.com"):
        session.get("https://example.com/")
    session.close()
