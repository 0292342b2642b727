"""Encryption at rest: Office-encrypted workbooks and reports, opened with a password that shows up nowhere.

The workbook and its .xlsx report are written as standard "Encrypt with Password"
files (ECMA-376 agile, AES-256); every reader path opens them given the password;
a missing or wrong password is one line and exit status 2. LibreOffice itself is
the judge that the files are genuine: it opens them with the password only.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import logging
import os
import re
import sys
import tempfile
import traceback
import zipfile
from collections.abc import Iterator
from pathlib import Path
from xml.sax.saxutils import escape

import msoffcrypto  # type: ignore[import-untyped]
import pytest

import sheetkit as sk
from sheetkit.cli import main
from sheetkit.errors import UnsupportedFormatError, UsageError, WorkbookPasswordError
from tests.office import find_soffice

AS_OF = dt.date(2026, 11, 22)
#: Distinctive, so that a search of any output for it cannot match by chance.
PASSWORD = "Qx7-orchid-Lumen!92"  # noqa: S105 - a test password
FRAMES = ("clients", "visits", "appointments", "feedback")


def _demo(path: Path, *, password: str | None, clients: int = 40, seed: int = 5) -> Path:
    sk.write_demo(path, clients=clients, seed=seed, as_of=AS_OF, password=password)
    return path


@pytest.fixture(scope="module")
def books(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The same demo salon (seed 5) plain and encrypted."""
    folder = tmp_path_factory.mktemp("books")
    return _demo(folder / "plain.xlsx", password=None), _demo(folder / "locked.xlsx", password=PASSWORD)


def _decrypt(path: Path, password: str) -> bytes:
    with path.open("rb") as handle:
        office = msoffcrypto.OfficeFile(handle)
        office.load_key(password=password, verify_password=True)
        out = io.BytesIO()
        office.decrypt(out)
    return out.getvalue()


# ----------------------------------------------------------------------------- the files themselves


def test_an_encrypted_demo_reads_back_identical_to_the_plain_one(books: tuple[Path, Path]) -> None:
    plain, locked = books
    a, b = sk.read_workbook(plain), sk.read_workbook(locked, password=PASSWORD)
    for key in FRAMES:
        assert len(a.data.frame(key)) > 0
        assert a.data.frame(key).equals(b.data.frame(key)), key
    assert a.data.lists.keys() == b.data.lists.keys()
    assert all(a.data.lists[k].equals(b.data.lists[k]) for k in a.data.lists)
    assert a.data.settings == b.data.settings
    assert (a.locale, len(a.issues)) == (b.locale, len(b.issues))
    # ...and the check's result is the same, given the password through the public function
    left = sk.validate(plain, as_of=AS_OF)
    right = sk.validate(locked, as_of=AS_OF, password=PASSWORD)
    assert [i.code for i in left.issues] == [i.code for i in right.issues]


def test_the_file_is_standard_agile_aes_256_and_holds_no_client_text(books: tuple[Path, Path]) -> None:
    plain, locked = books
    raw = locked.read_bytes()
    assert raw.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")  # an OLE2 container, not a zip
    with locked.open("rb") as handle:
        office = msoffcrypto.OfficeFile(handle)
        assert office.is_encrypted()
        assert office.type == "agile"
        assert office.info["passwordKeyBits"] == 256
        assert office.info["passwordHashAlgorithm"] == "SHA512"
    names = sk.read_workbook(plain).data.clients["full_name"].tolist()
    assert not any(name.encode("utf-8") in raw for name in names)
    with zipfile.ZipFile(io.BytesIO(_decrypt(locked, PASSWORD))) as zf:  # inside: the ordinary package
        assert "xl/workbook.xml" in zf.namelist()


def test_the_plain_workbook_never_touches_the_disk(tmp_path: Path) -> None:
    """Every file opened for writing while an encrypted demo is written: only the one that receives the cipher."""
    opened: list[tuple[str, str]] = []
    recording = [True]

    def audit(event: str, args: tuple[object, ...]) -> None:
        if recording[0] and event == "open" and isinstance(args[0], (str, bytes, os.PathLike)):
            mode, flags = args[1], args[2]
            writing = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (
                isinstance(flags, int) and flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT)
            )
            if writing:
                opened.append((os.fsdecode(args[0]), str(mode)))

    sys.addaudithook(audit)  # hooks cannot be removed: this one stops recording when the test ends
    try:
        out = _demo(tmp_path / "locked.xlsx", password=PASSWORD, clients=15)
    finally:
        recording[0] = False
    written = {Path(path).resolve() for path, _ in opened}
    assert len(written) == 1, written  # xlsxwriter wrote no part or row file anywhere
    (temp,) = written
    assert temp.parent == tmp_path.resolve()
    assert not temp.exists()
    assert out.read_bytes().startswith(b"\xd0\xcf\x11\xe0")


def test_a_wrong_or_missing_password_is_an_error_that_says_how_to_give_it(books: tuple[Path, Path]) -> None:
    _, locked = books
    with pytest.raises(
        WorkbookPasswordError, match="encrypted with a password; give the password with SHEETKIT_PASSWORD"
    ) as missing:
        sk.read_workbook(locked)
    assert not missing.value.wrong
    with pytest.raises(WorkbookPasswordError, match="password given does not open") as wrong:
        sk.read_workbook(locked, password=PASSWORD + "x")
    assert wrong.value.wrong
    with pytest.raises(UsageError, match="password is empty"):
        sk.read_workbook(locked, password="")
    with pytest.raises(UsageError, match="password is empty"):
        sk.new_workbook(locked.with_name("x.xlsx"), password="")
    # a password given for a plain workbook does no harm (a chain mixes both)
    assert len(sk.read_workbook(books[0], password=PASSWORD).data.clients) == 40


def test_a_damaged_encrypted_file_is_refused_as_damaged_not_as_a_wrong_password(
    books: tuple[Path, Path], tmp_path: Path
) -> None:
    raw = bytearray(books[1].read_bytes())
    cut = tmp_path / "cut.xlsx"
    cut.write_bytes(raw[: len(raw) // 2])
    flipped = tmp_path / "flipped.xlsx"
    raw[len(raw) * 2 // 3] ^= 0xFF  # one byte of the encrypted package: the integrity check fails
    flipped.write_bytes(raw)
    for path in (cut, flipped):
        with pytest.raises(UnsupportedFormatError, match="damaged") as caught:
            sk.read_workbook(path, password=PASSWORD)
        assert type(caught.value) is UnsupportedFormatError, path.name


# ----------------------------------------------------------------------------- LibreOffice, the real application

_OPEN_BASIC = """\
Sub Main
    Dim sErr As String
    Dim oDoc As Object
    On Error GoTo Failed
    Dim aLoad(1) As New com.sun.star.beans.PropertyValue
    aLoad(0).Name = "Hidden" : aLoad(0).Value = True
    If Environ("SK_LO_PASSWORD") = "" Then
        aLoad(1).Name = "ReadOnly" : aLoad(1).Value = True
    Else
        aLoad(1).Name = "Password" : aLoad(1).Value = Environ("SK_LO_PASSWORD")
    End If
    oDoc = StarDesktop.loadComponentFromURL(Environ("SK_LO_SRC"), "_blank", 0, aLoad())
    If IsNull(oDoc) Then
        sErr = "no document"
        GoTo Finish
    End If
    Dim aStore(0) As New com.sun.star.beans.PropertyValue
    aStore(0).Name = "FilterName" : aStore(0).Value = "Calc MS Excel 2007 XML"
    oDoc.storeToURL(Environ("SK_LO_DST"), aStore())
    oDoc.close(True)
    GoTo Finish
Failed:
    sErr = "Basic error " & Err & ": " & Error$
    Resume Finish
Finish:
    If sErr <> "" Then
        Dim iFile As Integer
        iFile = FreeFile
        Open Environ("SK_LO_ERR") For Output As #iFile
        Print #iFile, sErr
        Close #iFile
    End If
    StarDesktop.terminate()
End Sub
"""


def _libreoffice_open(src: Path, out: Path, password: str | None) -> str:
    """Open ``src`` in LibreOffice (with ``password`` in the load arguments, as its dialog passes it) and save
    it as plain .xlsx to ``out``; LibreOffice's error text when it cannot ("" when it could)."""
    from tests import office

    soffice = find_soffice()
    assert soffice is not None
    with tempfile.TemporaryDirectory(prefix="sheetkit-lo-password-") as tmp:
        user = Path(tmp) / "profile" / "user"
        basic = user / "basic" / "Standard"
        basic.mkdir(parents=True)
        registry = office._REGISTRY_TEMPLATE.format(mode=office._RECALC_NEVER)
        (user / "registrymodifications.xcu").write_text(
            registry.replace("</oor:items>", office._SETUP_DONE_ITEM + "</oor:items>"), encoding="utf-8"
        )
        (user / "basic" / "script.xlc").write_text(office._BASIC_LIBRARIES, encoding="utf-8")
        (basic / "script.xlb").write_text(office._BASIC_LIBRARY.format(module="SkOpen"), encoding="utf-8")
        code = office._BASIC_MODULE.format(module="SkOpen", code=escape(_OPEN_BASIC))
        (basic / "SkOpen.xba").write_text(code, encoding="utf-8")
        error = Path(tmp) / "error.txt"
        env = dict(os.environ, HOME=tmp, SK_LO_SRC=src.resolve().as_uri(), SK_LO_DST=out.resolve().as_uri())
        env.update(SK_LO_ERR=str(error), SK_LO_PASSWORD=password or "")
        env.pop("URE_BOOTSTRAP", None)
        cmd = [soffice, f"-env:UserInstallation={(Path(tmp) / 'profile').as_uri()}", "--headless", "--norestore"]
        result = office._run(
            [*cmd, "--nologo", "--nodefault", "--nolockcheck", "macro:///Standard.SkOpen.Main"], timeout=180, env=env
        )
        message = error.read_text(encoding="utf-8", errors="replace").strip() if error.is_file() else ""
        assert result.returncode == 0, result.stderr
        return message


@pytest.mark.skipif(find_soffice() is None, reason="LibreOffice not installed")
def test_libreoffice_opens_the_encrypted_workbook_with_the_password_and_refuses_it_without(
    books: tuple[Path, Path], tmp_path: Path
) -> None:
    plain, locked = books
    opened = tmp_path / "opened.xlsx"
    assert _libreoffice_open(locked, opened, PASSWORD) == ""
    again = sk.read_workbook(opened)  # what LibreOffice saw is the salon, cell for cell
    expected = sk.read_workbook(plain)
    columns = ["client_id", "full_name", "phone", "allergies"]
    assert again.data.clients[columns].equals(expected.data.clients[columns])
    for password, name in ((None, "refused.xlsx"), (PASSWORD[:-1], "wrong.xlsx")):
        message = _libreoffice_open(locked, tmp_path / name, password)
        assert "type detection aborted" in message or "Basic error" in message
        assert not (tmp_path / name).exists()


# ----------------------------------------------------------------------------- the command line


@contextlib.contextmanager
def _captured(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    with caplog.at_level(logging.DEBUG):
        yield


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = main(list(args))
    out, err = capsys.readouterr()
    return status, out, err


def test_the_password_appears_in_no_output(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    book, secret_file = tmp_path / "salon.xlsx", tmp_path / "pw.txt"
    secret_file.write_text(PASSWORD + "\n", encoding="utf-8")
    seen: list[str] = []
    with _captured(caplog):
        runs = [
            (
                "demo",
                str(book),
                "--clients",
                "30",
                "--as-of",
                AS_OF.isoformat(),
                "--encrypt",
                "--password-file",
                str(secret_file),
            ),
            ("check", str(book), "--as-of", AS_OF.isoformat(), "--password-file", str(secret_file)),
            ("check", str(book), "--as-of", AS_OF.isoformat(), "--json", "--password-file", str(secret_file)),
            ("report", str(book), "--as-of", AS_OF.isoformat(), "--json", "--password-file", str(secret_file)),
        ]
        for args in runs:
            status, out, err = _run(capsys, *args)
            assert status in (0, 1), (args, err)
            seen += [out, err]
        monkeypatch.setenv("SHEETKIT_PASSWORD", PASSWORD[::-1])  # wrong: the message must not echo it either
        for extra in ((), ("--json",)):
            status, out, err = _run(capsys, "check", str(book), "--as-of", AS_OF.isoformat(), *extra)
            assert status == 2
            seen += [out, err]
        try:
            sk.read_workbook(book, password=PASSWORD[::-1])
        except WorkbookPasswordError as exc:
            seen += [str(exc), repr(exc), "".join(traceback.format_exception(exc))]
    seen += [record.getMessage() for record in caplog.records]
    seen += [str(record.args) for record in caplog.records]
    text = "\n".join(seen)
    assert "give the password with" not in text  # every read had one
    assert "password given does not open" in text  # the wrong one was refused...
    assert PASSWORD not in text
    assert PASSWORD[::-1] not in text


def test_a_missing_or_wrong_password_exits_2_with_one_line(
    books: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _, locked = books
    monkeypatch.delenv("SHEETKIT_PASSWORD", raising=False)
    status, out, err = _run(capsys, "check", str(locked), "--as-of", AS_OF.isoformat())
    assert status == 2
    assert out == ""
    assert err.count("\n") == 1
    assert "Traceback" not in err
    assert "encrypted with a password; give the password with SHEETKIT_PASSWORD or --password-file FILE" in err
    status, out, err = _run(
        capsys, "report", str(locked), "--as-of", AS_OF.isoformat(), "--out", str(tmp_path / "r.xlsx")
    )
    assert status == 2
    assert "give the password with" in err
    assert not (tmp_path / "r.xlsx").exists()
    monkeypatch.setenv("SHEETKIT_PASSWORD", "not-it")
    status, out, err = _run(capsys, "check", str(locked), "--as-of", AS_OF.isoformat(), "--json")
    assert status == 2
    assert err.count("\n") == 1
    assert json.loads(out)["type"] == "WorkbookPasswordError"
    assert "password given does not open this encrypted workbook" in json.loads(out)["error"]
    # --encrypt with no way to get a password (not at a terminal): a usage error, nothing written
    monkeypatch.delenv("SHEETKIT_PASSWORD")
    status, _, err = _run(capsys, "new", str(tmp_path / "n.xlsx"), "--encrypt")
    assert status == 2
    assert "--encrypt needs a password: set SHEETKIT_PASSWORD" in err
    assert not (tmp_path / "n.xlsx").exists()
    empty = tmp_path / "empty.txt"
    empty.write_text("\n", encoding="utf-8")
    status, _, err = _run(capsys, "new", str(tmp_path / "n.xlsx"), "--encrypt", "--password-file", str(empty))
    assert status == 2
    assert "first line is empty" in err
    status, _, err = _run(capsys, "new", str(tmp_path / "n.xlsx"), "--password-file", str(empty))
    assert status == 2
    assert "--password-file is for --encrypt" in err


def test_new_encrypt_takes_the_first_line_of_the_password_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text(f"{PASSWORD}\r\nthe second line is not part of it\n", encoding="utf-8")
    monkeypatch.setenv("SHEETKIT_PASSWORD", "the file wins over the environment")
    book = tmp_path / "clients.xlsx"
    assert main(["new", str(book), "--locale", "it", "--encrypt", "--password-file", str(secret)]) == 0
    capsys.readouterr()
    assert sk.read_workbook(book, password=PASSWORD).locale == "it"
    monkeypatch.setenv("SHEETKIT_PASSWORD", PASSWORD)
    status, out, _ = _run(capsys, "check", str(book), "--as-of", AS_OF.isoformat(), "--json")
    assert status == 0
    assert json.loads(out)["valid"] is True


# ----------------------------------------------------------------------------- reports and chains


def test_the_report_of_an_encrypted_workbook_is_encrypted_and_its_html_holds_no_health_data(
    books: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    plain, locked = books
    monkeypatch.setenv("SHEETKIT_PASSWORD", PASSWORD)
    out, html = tmp_path / "weekly.xlsx", tmp_path / "weekly.html"
    args = ["report", str(locked), "--as-of", AS_OF.isoformat(), "--out", str(out), "--html", str(html), "--json"]
    status, printed, err = _run(capsys, *args)
    assert status == 0, err
    assert json.loads(printed)["report"] == str(out)
    assert out.read_bytes().startswith(b"\xd0\xcf\x11\xe0")
    with zipfile.ZipFile(io.BytesIO(_decrypt(out, PASSWORD))) as zf:  # the same password opens it
        assert any(name.startswith("xl/worksheets/") for name in zf.namelist())
    # next week's run replaces it: the encrypted report is looked into, and it is no workbook
    status, _, err = _run(capsys, *args, "--force")
    assert status == 0, err
    # the HTML (the e-mail's body) carries no health value of any client
    clients = sk.read_workbook(plain).data.clients
    health = set(clients["allergies"].dropna()) | set(clients["medications"].dropna())
    health -= {"none"}
    assert len(health) >= 4
    page = html.read_text(encoding="utf-8")
    assert sorted(v for v in health if re.search(rf"\b{re.escape(v)}\b", page, re.IGNORECASE)) == []
    # a plain workbook's report stays plain, whatever password is set
    status, _, err = _run(capsys, "report", str(plain), "--as-of", AS_OF.isoformat(), "--out", str(tmp_path / "p.xlsx"))
    assert status == 0, err
    assert zipfile.is_zipfile(tmp_path / "p.xlsx")


def test_a_chain_reads_an_encrypted_branch_file_given_the_password(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _demo(tmp_path / "roma.xlsx", password=None, clients=20, seed=1)
    _demo(tmp_path / "milano.xlsx", password=PASSWORD, clients=25, seed=2)
    registry = tmp_path / "branches.toml"
    registry.write_text(
        'locale = "en"\n\n[[branch]]\ncode = "RM01"\nworkbook = "roma.xlsx"\n\n'
        '[[branch]]\ncode = "MI01"\nworkbook = "milano.xlsx"\n',
        encoding="utf-8",
    )
    chain = sk.pull_chain(sk.load_registry(registry), as_of=AS_OF, password=PASSWORD)
    assert chain.complete
    assert [b.rows["clients"] for b in chain.branches] == [20, 25]
    without = sk.pull_chain(sk.load_registry(registry), as_of=AS_OF)
    assert not without.complete
    failed = without.branches[1]
    assert failed.status == "failed"
    assert "give the password with" in (failed.error or "")
    monkeypatch.setenv("SHEETKIT_PASSWORD", PASSWORD)
    out = tmp_path / "chain-weekly.xlsx"
    status, printed, err = _run(
        capsys, "report", "--registry", str(registry), "--as-of", AS_OF.isoformat(), "--out", str(out), "--json"
    )
    assert status == 0, err
    assert json.loads(printed)["complete"] is True
    assert out.read_bytes().startswith(b"\xd0\xcf\x11\xe0")  # a branch is encrypted: so is the chain's report
    assert PASSWORD not in printed + err
