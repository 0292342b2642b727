"""Erasure of one client from a branch Google Sheet, run as a manager runs it, against the local stand-in.

Backup first (a local .xlsx of every value), one batchUpdate, a check by reading back, an erasure log
without personal data; the books (revenue) unchanged and no trace of the person in any cell.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import msoffcrypto  # type: ignore[import-untyped]
import openpyxl
import pandas as pd
import pytest

import sheetkit as sk
from sheetkit.cli import main
from sheetkit.gsheets.transport import ENV_EMULATOR
from sheetkit.template.geometry import column_letter, quote_sheet
from tests.gsheets_support import WRITER, account, client_for
from tests.office import convert, find_soffice
from tests.privacy_support import AS_OF, leaks_in_text
from tests.sheets_standin import FakeClock, SheetsStandIn

_EPOCH = dt.datetime(1899, 12, 30)


def _credentials(standin: SheetsStandIn, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    key_file = tmp_path / "writer.json"
    key_file.write_text(json.dumps(standin.service_account(WRITER, project="salon-chain")), encoding="utf-8")
    monkeypatch.setenv("SHEETKIT_SERVICE_ACCOUNT", str(key_file))
    monkeypatch.setenv(ENV_EMULATOR, standin.base_url)


def _everything(standin: SheetsStandIn, clock: FakeClock, key: str) -> dict[str, list[list[Any]]]:
    """Every value of every tab, straight from the Sheets API (not through sheetkit's reader)."""
    with client_for(standin, clock, account(standin, WRITER, readonly=True), timeout=300) as reader:
        meta = reader.metadata(key, fields="sheets.properties.title")
        titles = [s["properties"]["title"] for s in meta["sheets"]]
        answer = reader.values_batch_get(key, [quote_sheet(t) for t in titles])
    return {t: r.get("values", []) for t, r in zip(titles, answer["valueRanges"], strict=True)}


def _read(standin: SheetsStandIn, clock: FakeClock, key: str) -> sk.WorkbookData:
    with client_for(standin, clock, account(standin, WRITER, readonly=True), timeout=300) as reader:
        return sk.read_gsheet(reader, key, locale="en").data


def _person(data: sk.WorkbookData) -> str:
    """A client with visits, consents, feedback and a client they referred: the hardest one to erase."""
    referrers = set(data.clients["referred_by"].dropna())
    with_visits = set(data.visits["client_id"].dropna())
    with_consents = set(data.consents["client_id"].dropna())
    with_feedback = set(data.feedback["client_id"].dropna())
    return sorted(referrers & with_visits & with_consents & with_feedback)[0]


def _revenue(data: sk.WorkbookData) -> tuple[float, float, int]:
    weekly = sk.analytics.weekly_activity(data.visits, data.appointments, weeks=260, as_of=AS_OF)
    spend = sk.analytics.spend(data.visits, start=dt.date(2020, 1, 1), end=AS_OF, as_of=AS_OF)
    return round(float(weekly["revenue"].sum()), 2), round(float(spend["period_total"].sum()), 2), len(data.visits)


def _cells_text(values: dict[str, list[list[Any]]]) -> str:
    return "\n".join("\t".join(str(v) for v in row) for rows in values.values() for row in rows)


def _serial(value: Any) -> Any:
    """A cell as openpyxl reads it back, as the Sheets API gives it (dates as serial numbers)."""
    if isinstance(value, dt.datetime):
        serial = (value - _EPOCH) / dt.timedelta(days=1)
        return int(serial) if serial.is_integer() else serial
    return value


@pytest.fixture
def branch(standin: SheetsStandIn, clock: FakeClock) -> tuple[str, sk.WorkbookData]:
    """A branch of 12 clients (seed 5: one of them referred another, has visits, consents and feedback)."""
    data = sk.generate_demo(clients=12, seed=5, as_of=AS_OF)
    with client_for(standin, clock, account(standin, WRITER, readonly=False), timeout=300) as writer:
        return sk.write_gsheet(writer, data, locale="en"), data


def test_gsheets_forget_erases_the_person_keeps_the_books_and_backs_up_first(  # long because it is one story
    standin: SheetsStandIn,
    clock: FakeClock,
    branch: tuple[str, sk.WorkbookData],
    tmp_path: Path,
    *,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    key, _ = branch
    _credentials(standin, tmp_path, monkeypatch)
    before = _read(standin, clock, key)
    original = _everything(standin, clock, key)
    who = _person(before)
    row = before.clients.loc[before.clients["client_id"] == who].iloc[0]
    personal = {str(row[c]) for c in ("full_name", "phone", "email") if isinstance(row[c], str)}
    assert len(personal) == 3
    assert leaks_in_text(personal, _cells_text(original)) == sorted(personal)  # the test can fail
    visits = int((before.visits["client_id"] == who).sum())
    consents = int((before.consents["client_id"] == who).sum())
    work = tmp_path / "salon"
    work.mkdir()
    args = ["gsheets", "forget", key, who, "--reason", "client request", "--folder", str(work), "--json"]
    calls = len(standin.calls())
    assert main(args) == 0
    printed = capsys.readouterr()
    summary = json.loads(printed.out)
    assert leaks_in_text(personal, printed.out + printed.err) == []
    # Quota: the tab list, values and formulas before, values after; the changes in ONE write.
    assert summary["requests"] == {"read": 4, "write": 1}
    sent = standin.calls()[calls:]
    assert [c.endpoint for c in sent if c.kind == "write"] == ["sheets.batchUpdate"]
    # No trace of the person in any cell of any tab; the kept rows carry the tombstone.
    now = _everything(standin, clock, key)
    assert leaks_in_text({*personal, who}, _cells_text(now)) == []
    after = _read(standin, clock, key)
    stone = summary["tombstone"]
    assert stone.startswith("ERASED-")
    assert int((after.visits["client_id"] == stone).sum()) == visits
    assert len(after.consents) == len(before.consents) - consents
    assert not (after.consents["client_id"] == stone).any()
    assert who not in set(after.clients["referred_by"].dropna())
    tomb = after.clients.loc[after.clients["client_id"] == stone].iloc[0]
    assert tomb["client_status"] == "relationship_ended"
    assert tomb[["phone", "email", "allergies", "notes"]].isna().all()
    # Revenue totals, from the analytics the report uses, do not change; nor does the number of clients.
    assert _revenue(after) == _revenue(before)
    assert len(after.clients) == len(before.clients)
    # The backup sits in the working folder and reads back every original value.
    backup = Path(summary["backup"])
    assert backup.parent == work
    assert backup.name.endswith(f".before-forget-{dt.date.today():%Y%m%d}.xlsx")
    book = openpyxl.load_workbook(backup)
    assert book.sheetnames == list(original)
    for title, rows in original.items():
        sheet = book[title]
        assert sheet.max_row <= len(rows)  # a formula showing "" reads back as an empty cell
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                assert _serial(sheet.cell(r, c).value) == (None if value == "" else value), (title, r, c)
    book.close()
    assert any(str(backup) in line for line in summary["unreachable"])
    assert any("Version history" in line for line in summary["unreachable"])
    # The erasure log: one entry, in the format of the .xlsx one, without personal data.
    log_file = Path(summary["log"])
    assert log_file.parent == work
    assert log_file.name.endswith(".erasures.jsonl")
    text = log_file.read_text(encoding="utf-8")
    entry = json.loads(text)
    assert set(entry) == {"date", "workbook", "pseudonym", "tombstone", "key", "removed", "reason", "backup"}
    assert (entry["workbook"], entry["tombstone"], entry["reason"]) == (f"gsheets:{key}", stone, "client request")
    assert entry["backup"] == backup.name
    assert entry["removed"]["visits"]["rows_kept_under_tombstone"] == visits
    assert entry["removed"]["consents"] == {"rows_removed": consents}
    assert leaks_in_text({*personal, who}, text) == []
    # Every cell the erasure did not touch is as it was.
    assert summary["verified_cells"] > 1000
    # Erasing again, or the tombstone, is refused with one line (exit 2).
    assert main(["gsheets", "forget", key, who, "--folder", str(work)]) == 2
    assert main(["gsheets", "forget", key, stone, "--folder", str(work)]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 2


def test_the_same_rules_as_the_xlsx_forget(
    standin: SheetsStandIn, clock: FakeClock, branch: tuple[str, sk.WorkbookData], tmp_path: Path
) -> None:
    """Sheets and .xlsx share one erasure plan: the same client erased both ways leaves the same frames."""
    key, data = branch
    who = _person(_read(standin, clock, key))
    book = tmp_path / "salon.xlsx"
    sk.write_excel(book, data)
    sk.forget_client(book, who, when=dt.datetime(2026, 11, 23))
    with client_for(standin, clock, account(standin, WRITER, readonly=False), timeout=300) as writer:
        summary = sk.forget_gsheet_client(writer, key, who, when=dt.datetime(2026, 11, 23), folder=tmp_path)
    on_disk = sk.read_workbook(book).data
    online = _read(standin, clock, key)
    compared = 0
    for sheet in ("clients", "visits", "appointments", "feedback", "patch_tests", "consents", "follow_ups"):
        mine, theirs = on_disk.frame(sheet), online.frame(sheet)
        assert (list(mine.index), list(mine.columns)) == (list(theirs.index), list(theirs.columns)), sheet
        for column in mine.columns:
            for row in mine.index:
                a, b = mine.at[row, column], theirs.at[row, column]
                compared += 1
                if pd.isna(a) or pd.isna(b):
                    assert (bool(pd.isna(a)), bool(pd.isna(b))) == (True, True), (sheet, row, column)
                elif not (str(a).startswith("ERASED-") and str(b).startswith("ERASED-")):  # each a one-off key
                    assert str(a) == str(b), (sheet, row, column)
    assert compared > 1000
    assert summary["removed"]["clients"]["rows_replaced_by_tombstone"] == 1


def test_a_name_in_another_clients_notes_blocks_the_erasure_before_any_change(
    standin: SheetsStandIn, clock: FakeClock, branch: tuple[str, sk.WorkbookData], tmp_path: Path
) -> None:
    key, data = branch
    who = str(data.clients.loc[0, "client_id"])
    name = str(data.clients.loc[0, "full_name"])
    letter = column_letter(sk.load_template().sheet("clients").keys.index("notes"))
    cell = f"{quote_sheet('Clients')}!{letter}3"
    standin.put_values(key, cell, [[f"Came with her friend {name}."]])
    original = _everything(standin, clock, key)
    with (
        client_for(standin, clock, account(standin, WRITER, readonly=False), timeout=300) as writer,
        pytest.raises(sk.WorkbookError, match=r"Clients row 3 \(Notes\)") as refused,
    ):
        sk.forget_gsheet_client(writer, key, who, when=dt.datetime(2026, 11, 23), folder=tmp_path)
    assert name not in str(refused.value)
    assert _everything(standin, clock, key) == original
    assert list(tmp_path.iterdir()) == []  # no backup, no log: nothing was done


@pytest.mark.office
def test_libreoffice_opens_the_backup(
    standin: SheetsStandIn, clock: FakeClock, branch: tuple[str, sk.WorkbookData], tmp_path: Path
) -> None:
    if find_soffice() is None:
        pytest.skip("LibreOffice not installed")
    key, _ = branch
    before = _read(standin, clock, key)
    who = _person(before)
    name = str(before.clients.loc[before.clients["client_id"] == who, "full_name"].iloc[0])
    with client_for(standin, clock, account(standin, WRITER, readonly=False), timeout=300) as writer:
        summary = sk.forget_gsheet_client(writer, key, who, when=dt.datetime(2026, 11, 23), folder=tmp_path)
    csv = convert(Path(summary["backup"]), "csv", tmp_path / "lo")
    text = csv.read_text(encoding="utf-8", errors="replace")
    assert who in text  # the first tab, Clients, as it was before the erasure
    assert name in text


def test_the_backup_can_be_encrypted(
    standin: SheetsStandIn,
    clock: FakeClock,
    branch: tuple[str, sk.WorkbookData],
    tmp_path: Path,
    *,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    key, data = branch
    _credentials(standin, tmp_path, monkeypatch)
    password = "Tulip-Salon-2026"  # noqa: S105 - a test password
    monkeypatch.setenv("SHEETKIT_PASSWORD", password)
    who = str(data.clients.loc[0, "client_id"])
    assert main(["gsheets", "forget", key, who, "--folder", str(tmp_path), "--encrypt", "--json"]) == 0
    printed = capsys.readouterr()
    assert password not in printed.out + printed.err
    backup = Path(json.loads(printed.out)["backup"])
    with backup.open("rb") as handle:
        office = msoffcrypto.OfficeFile(handle)
        assert office.is_encrypted()
        office.load_key(password=password)
        plain = io.BytesIO()
        office.decrypt(plain)
    book = openpyxl.load_workbook(plain)
    assert book["Clients"]["A2"].value == who
    assert password not in Path(json.loads(printed.out)["log"]).read_text(encoding="utf-8")
