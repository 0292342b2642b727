"""`sheetkit import`: dry run, --json, --write (create, then append with a backup), check and analytics after."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import sheetkit as sk
from sheetkit.analytics.retention import new_client_conversion
from sheetkit.cli import app
from sheetkit.importing import import_records

FIXTURES = Path(__file__).parent / "fixtures" / "import"
AS_OF = dt.date(2026, 3, 1)
SQUARE = [str(FIXTURES / "square_customers.csv"), str(FIXTURES / "square_transactions.csv")]


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args), env={"COLUMNS": "250"})
    return result.exit_code, result.output


def test_dry_run_prints_mapping_and_writes_nothing(tmp_path: Path) -> None:
    book = tmp_path / "salon.xlsx"
    code, out = _run("import", *SQUARE, "--into", str(book), "--as-of", AS_OF.isoformat())
    assert code == 0, out
    assert not book.exists()
    assert "Square customers" in out
    assert "Email Subscription Status" in out
    assert "emma.w@example.com" in out  # sample values are shown...
    assert "Dry run: nothing written" in out


def test_sample_values_are_shown_literally(tmp_path: Path) -> None:
    source = tmp_path / "clients.csv"
    source.write_text("Name,Phone\n[bold]x[/bold] \x1b[31mEve,0612345678\n")
    code, out = _run("import", str(source), "--into", str(tmp_path / "s.xlsx"), "--as-of", AS_OF.isoformat())
    assert code == 0, out
    assert "[bold]x[/bold] \\x1b[31mEve" in out


def test_json_equals_the_library_result(tmp_path: Path) -> None:
    book = tmp_path / "salon.xlsx"
    code, out = _run("import", *SQUARE, "--into", str(book), "--as-of", AS_OF.isoformat(), "--json")
    assert code == 0, out
    data = json.loads(out)
    library = import_records(SQUARE, into=book, as_of=AS_OF, today=dt.date.today()).to_dict()
    assert {k: v for k, v in data.items() if k != "written"} == json.loads(json.dumps(library, default=str))
    for source in data["sources"]:
        assert source["imported"] + source["skipped"] == source["rows"]
        assert set(source) >= {"path", "rows", "imported", "skipped", "unmapped_columns"}
    assert data["written"] is None


def test_write_creates_a_workbook_that_passes_check_and_keeps_history(tmp_path: Path) -> None:
    book = tmp_path / "salon.xlsx"
    code, out = _run("import", *SQUARE, "--into", str(book), "--as-of", AS_OF.isoformat(), "--write", "--json")
    assert code == 0, out
    assert json.loads(out)["written"]["created"] is True
    result = sk.validate(book, as_of=AS_OF)
    assert result.valid, [(i.code, i.cell, i.message) for i in result.errors]
    frames = result.frames
    assert len(frames.clients) == 3
    assert len(frames.visits) == 5
    # Emma has visited since 2024: not a new client in February 2026, although the export only holds 2026 sales.
    conversion = new_client_conversion(frames.visits, start=dt.date(2026, 2, 1), end=dt.date(2026, 2, 28), as_of=AS_OF)
    assert int(conversion["new_clients"].iloc[0]) == 0
    intervals = sk.client_intervals(frames.visits, as_of=AS_OF)
    emma = frames.clients.loc[frames.clients["full_name"] == "Emma Walker", "client_id"].item()
    assert intervals.loc[emma, "first_visit"].date() == dt.date(2024, 2, 10)


def test_write_appends_with_backup_and_matches_clients(tmp_path: Path) -> None:
    book = tmp_path / "salon.xlsx"
    sk.write_demo(book, clients=12, as_of=AS_OF, seed=3)
    before = sk.read_workbook(book).data
    regular = before.clients.iloc[0]
    # A hand-made log names a client already in the workbook by phone (matched, not duplicated) and a new one.
    log = tmp_path / "registro.csv"
    log.write_text(
        "Data,Cliente,Telefono,Trattamento\n"
        f"2026-02-25,Someone,{regular['phone']},{before.visits['service'].iloc[0]}\n"
        f"2026-02-26,Zoe Park,+1 415-555-0199,{before.visits['service'].iloc[0]}\n"
    )
    code, out = _run(
        "import", str(log), *SQUARE, "--into", str(book), "--as-of", AS_OF.isoformat(), "--write", "--json",
    )  # fmt: skip
    assert code == 0, out
    data = json.loads(out)
    assert data["written"]["created"] is False
    backup = Path(data["written"]["backup"])
    assert backup.exists()
    assert backup.parent == tmp_path
    for source in data["sources"]:
        assert source["imported"] + source["skipped"] == source["rows"]
    result = sk.validate(book, as_of=AS_OF)
    assert result.valid, [(i.code, i.cell, i.message) for i in result.errors]
    clients = result.frames.clients
    assert len(clients) == len(before.clients) + 1 + 3  # Zoe from the log, three Square customers
    visits = result.frames.visits
    assert (visits["client_id"] == regular["client_id"]).sum() == (
        before.visits["client_id"] == regular["client_id"]
    ).sum() + 1
    # Importing the same log again adds nothing twice.
    again = import_records([log], into=book, as_of=AS_OF)
    reasons = {s["reason"] for s in again.sources[0].to_dict()["skipped_rows"]}
    assert any(r.startswith("already in the workbook") for r in reasons)
    assert len(again.frames.visits) == 0


@pytest.mark.office
def test_imported_workbook_opens_in_libreoffice(tmp_path: Path) -> None:
    from tests.office import convert

    book = tmp_path / "salon.xlsx"
    code, out = _run(
        "import", str(FIXTURES / "it_clienti.xlsx"), "--into", str(book), "--locale", "it",
        "--as-of", AS_OF.isoformat(), "--write",
    )  # fmt: skip
    assert code == 1, out  # the phone stored as a number is an error to fix
    assert "Cellulare" in out
    ods = convert(book, "ods", tmp_path)
    assert ods.stat().st_size > 0
    # LibreOffice's copy reads back with the same clients.
    assert sk.read_workbook(ods).data.clients["full_name"].tolist() == [
        "Giulia Rossi",
        "Chiara Bianchi",
        "Marta Esposito",
    ]


def test_write_encrypted_then_append_keeps_it_encrypted(tmp_path: Path) -> None:
    from sheetkit.errors import WorkbookPasswordError
    from sheetkit.excel.crypto import is_encrypted

    book = tmp_path / "salon.xlsx"
    secret = tmp_path / "salon.pw"
    secret.write_text("Ombretta-2026\n", encoding="utf-8")
    first = ("import", SQUARE[0], "--into", str(book), "--as-of", AS_OF.isoformat(), "--write", "--json")
    code, out = _run(*first, "--encrypt", "--password-file", str(secret))
    assert code == 0, out
    assert "Ombretta-2026" not in out
    assert is_encrypted(book)
    with pytest.raises(WorkbookPasswordError):
        sk.read_workbook(book)
    # Appending to the encrypted workbook needs its password, and the result stays encrypted.
    code, out = _run("import", SQUARE[1], "--into", str(book), "--as-of", AS_OF.isoformat(), "--write", "--json")
    assert code == 2, out
    code, out = _run(
        "import", SQUARE[1], "--into", str(book), "--as-of", AS_OF.isoformat(), "--write", "--json",
        "--password-file", str(secret),
    )  # fmt: skip
    assert code == 0, out
    assert json.loads(out)["written"]["created"] is False
    assert is_encrypted(book)
    result = sk.validate(book, as_of=AS_OF, password=secret.read_text(encoding="utf-8").strip())
    # The same two imports into a plain workbook give the same rows.
    plain = tmp_path / "plain.xlsx"
    for source in SQUARE:
        code, out = _run("import", source, "--into", str(plain), "--as-of", AS_OF.isoformat(), "--write", "--json")
        assert code == 0, out
    expected = sk.validate(plain, as_of=AS_OF)
    for key in ("clients", "visits", "appointments"):
        assert len(result.frames.frame(key)) == len(expected.frames.frame(key)) > 0 or key == "appointments"
