"""Rewrites of an Office-encrypted workbook (upgrade, forget) stay encrypted with the same password.

The workbook is read with its password, regenerated in memory, encrypted with the
same password and verified by reading the encrypted result back; the backup is the
file as it was, byte for byte, so it stays encrypted. ``upgrade --encrypt`` encrypts
a plain workbook. The password shows up in no output.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
from pathlib import Path

import pytest

import sheetkit as sk
from sheetkit.cli import main as cli_main
from sheetkit.errors import UsageError, WorkbookPasswordError
from sheetkit.excel.crypto import encrypt_workbook, is_encrypted
from sheetkit.excel.upgrade import rewrite_workbook, upgrade_workbook
from sheetkit.template import load_template
from tests.test_upgrade import FIXTURES, TODAY, assert_same_values

PASSWORD = "Vt4-camellia-Rho!58"  # noqa: S105 - a test password, distinctive so a search of output cannot match by chance


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _encrypted_v1(folder: Path, name: str = "demo-it.xlsx") -> Path:
    """A v1 fixture as a manager would have encrypted it in Excel ("Encrypt with Password")."""
    target = folder / name
    target.write_bytes(encrypt_workbook((FIXTURES / name).read_bytes(), PASSWORD))
    return target


def test_an_encrypted_v1_workbook_upgrades_encrypted_with_the_same_password(tmp_path: Path) -> None:
    book = _encrypted_v1(tmp_path)
    original = _digest(book)
    old = sk.read_workbook(book, password=PASSWORD)
    with pytest.raises(WorkbookPasswordError):
        upgrade_workbook(book, today=TODAY)  # no password: refused, nothing written
    assert _digest(book) == original

    result = upgrade_workbook(book, today=TODAY, password=PASSWORD)

    assert result.changed
    assert result.encrypted
    assert any("stays encrypted" in line for line in result.changes)
    assert is_encrypted(book)
    assert result.backup is not None
    assert _digest(result.backup) == original  # the backup is the encrypted file as it was
    with pytest.raises(WorkbookPasswordError):
        sk.read_workbook(book)
    with pytest.raises(WorkbookPasswordError):
        sk.read_workbook(book, password="not the password")  # noqa: S106 - a wrong password on purpose
    new = sk.read_workbook(book, password=PASSWORD)
    assert new.template_version == load_template().version
    assert assert_same_values(old, new) > 1000
    again = upgrade_workbook(book, today=TODAY, password=PASSWORD)
    assert not again.changed
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([book.name, result.backup.name])


def test_rewrite_keeps_the_encryption_and_verifies_the_encrypted_result(tmp_path: Path) -> None:
    book = _encrypted_v1(tmp_path, "demo-en.xlsx")
    upgrade_workbook(book, today=TODAY, password=PASSWORD)
    before = _digest(book)

    def blank_first_note(data: sk.WorkbookData) -> sk.WorkbookData:
        data.clients.loc[data.clients["notes"].first_valid_index(), "notes"] = None
        return data

    result = rewrite_workbook(book, blank_first_note, today=TODAY + dt.timedelta(days=1), password=PASSWORD)

    assert result.encrypted
    assert result.touched == 1
    assert result.verified > 1000
    assert is_encrypted(book)
    assert result.backup is not None
    assert is_encrypted(result.backup)
    assert _digest(result.backup) == before


def test_encrypt_turns_a_plain_workbook_into_an_encrypted_one(tmp_path: Path) -> None:
    book = tmp_path / "demo-vi.xlsx"
    shutil.copyfile(FIXTURES / book.name, book)
    old = sk.read_workbook(book)
    with pytest.raises(UsageError, match="needs a password"):
        upgrade_workbook(book, today=TODAY, encrypt=True)

    dry = upgrade_workbook(book, today=TODAY, encrypt=True, password=PASSWORD, dry_run=True)
    assert dry.encrypted
    assert not is_encrypted(book)
    assert any("NOT encrypted" in line for line in dry.changes)
    result = upgrade_workbook(book, today=TODAY, encrypt=True, password=PASSWORD)

    assert is_encrypted(book)
    assert result.backup is not None
    assert not is_encrypted(result.backup)  # the file as it was, as the changes say
    assert_same_values(old, sk.read_workbook(book, password=PASSWORD))
    # At the current version --encrypt still encrypts: a plain v2 workbook is written again, encrypted.
    plain = sk.write_excel(tmp_path / "new.xlsx", locale="en")
    assert not upgrade_workbook(plain, today=TODAY, password=PASSWORD).changed  # a password alone changes nothing
    assert upgrade_workbook(plain, today=TODAY, encrypt=True, password=PASSWORD).changed
    assert is_encrypted(plain)


def test_cli_upgrade_takes_the_password_file_and_never_shows_the_password(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SHEETKIT_PASSWORD", raising=False)
    secret = tmp_path / "pw.txt"
    secret.write_text(PASSWORD + "\n", encoding="utf-8")
    book = _encrypted_v1(tmp_path, "demo-zh-CN.xlsx")
    assert cli_main(["upgrade", str(book)]) == 2  # no password, not at a terminal
    err = capsys.readouterr().err
    assert "password" in err
    assert len(err.strip().splitlines()) == 1

    assert cli_main(["upgrade", str(book), "--password-file", str(secret), "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["changed"]
    assert printed["encrypted"]
    assert is_encrypted(book)

    plain = tmp_path / "demo-en.xlsx"
    shutil.copyfile(FIXTURES / plain.name, plain)
    monkeypatch.setenv("SHEETKIT_PASSWORD", PASSWORD)
    assert cli_main(["upgrade", str(plain), "--encrypt"]) == 0
    out = capsys.readouterr()
    assert "NOT encrypted" in out.out
    assert is_encrypted(plain)
    assert PASSWORD not in out.out + out.err + json.dumps(printed)


def test_forget_on_an_encrypted_workbook_keeps_it_and_its_backup_encrypted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    book = tmp_path / "salon.xlsx"
    sk.write_demo(book, clients=30, seed=4, as_of=dt.date(2026, 11, 22), password=PASSWORD)
    old = sk.read_workbook(book, password=PASSWORD)
    client = str(old.data.clients["client_id"].dropna().iloc[3])
    name = str(old.data.clients["full_name"].dropna().iloc[3])
    original = _digest(book)
    monkeypatch.setenv("SHEETKIT_PASSWORD", PASSWORD)

    assert cli_main(["forget", str(book), client, "--reason", "client request", "--json"]) == 0

    out = capsys.readouterr()
    summary = json.loads(out.out)
    assert PASSWORD not in out.out + out.err
    assert is_encrypted(book)
    backup = Path(summary["backup"])
    assert is_encrypted(backup)
    assert _digest(backup) == original
    new = sk.read_workbook(book, password=PASSWORD)
    assert client not in set(new.data.clients["client_id"].dropna())
    assert name not in set(new.data.clients["full_name"].dropna())
    assert len(new.data.visits) == len(old.data.visits)
