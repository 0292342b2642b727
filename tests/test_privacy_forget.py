"""Erasure of one client: gone everywhere, books unchanged, verified, logged without personal data; retention."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

import sheetkit as sk
from sheetkit.cli import main
from tests.office import convert, find_soffice
from tests.privacy_support import AS_OF, leaks_in_text

WHEN = "2026-11-23"


@pytest.fixture(scope="module")
def original(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("forget") / "salon.xlsx"
    sk.write_demo(path, clients=40, seed=7, as_of=AS_OF)
    return path


@pytest.fixture
def book(original: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "salon.xlsx"
    shutil.copyfile(original, copy)
    return copy


def _person(data: sk.WorkbookData) -> str:
    """A client with visits, feedback, consents and a client they referred: the hardest one to erase."""
    referrers = set(data.clients["referred_by"].dropna())
    with_feedback = set(data.feedback["client_id"].dropna())
    with_consents = set(data.consents["client_id"].dropna())
    both = sorted(referrers & with_feedback & with_consents) or sorted(referrers & with_consents)
    return both[0]


def _revenue(data: sk.WorkbookData) -> tuple[float, float]:
    weekly = sk.analytics.weekly_activity(data.visits, data.appointments, weeks=260, as_of=AS_OF)
    spend = sk.analytics.spend(data.visits, start=dt.date(2020, 1, 1), end=AS_OF, as_of=AS_OF)
    return round(float(weekly["revenue"].sum()), 2), round(float(spend["period_total"].sum()), 2)


def test_forget_erases_the_person_and_keeps_the_books(book: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = sk.validate(book, as_of=AS_OF)
    who = _person(before.frames)
    row = before.frames.clients.loc[before.frames.clients["client_id"] == who].iloc[0]
    personal = {str(row[c]) for c in ("full_name", "phone", "email") if pd.notna(row[c])}
    visits = int((before.frames.visits["client_id"] == who).sum())
    assert main(["forget", str(book), who, "--reason", "client request", "--json"]) == 0
    printed = capsys.readouterr()
    summary = json.loads(printed.out)
    assert leaks_in_text(personal, printed.out + printed.err) == []
    after = sk.validate(book, as_of=AS_OF)
    # Still a valid workbook: the kept rows point at the tombstone client.
    assert after.valid == before.valid
    assert {i.code for i in after.issues} <= {i.code for i in before.issues}
    # No trace of the person in any cell of any sheet.
    cells = "\n".join(
        "\t".join(map(str, frame.astype(str).to_numpy().ravel()))
        for frame in (
            after.frames.clients,
            after.frames.visits,
            after.frames.appointments,
            after.frames.feedback,
            after.frames.patch_tests,
            after.frames.consents,
            after.frames.follow_ups,
        )
    )
    assert leaks_in_text(personal, cells) == []
    assert who not in set(after.frames.clients["client_id"]) | set(after.frames.visits["client_id"])
    stone = summary["tombstone"]
    assert stone.startswith("ERASED-")
    assert len(stone) == len("ERASED-") + 8
    assert int((after.frames.visits["client_id"] == stone).sum()) == visits
    assert who not in set(after.frames.clients["referred_by"].dropna())
    assert not (after.frames.consents["client_id"] == who).any()
    assert not (after.frames.consents["client_id"] == stone).any()
    kept_feedback = after.frames.feedback.loc[after.frames.feedback["client_id"] == stone]
    assert kept_feedback["text"].isna().all()
    # Revenue totals, from the analytics the report uses, do not change.
    assert _revenue(after.frames) == _revenue(before.frames)
    assert len(after.frames.clients) == len(before.frames.clients)
    # A backup beside it, listed among the copies sheetkit cannot reach; the log holds no personal data.
    backup = Path(summary["backup"])
    assert backup.exists()
    assert backup.parent == book.parent
    assert any(str(backup) in line for line in summary["unreachable"])
    log = book.with_name("salon.erasures.jsonl").read_text(encoding="utf-8")
    entry = json.loads(log.splitlines()[-1])
    assert entry["reason"] == "client request"
    assert entry["tombstone"] == stone
    assert entry["removed"]["visits"]["rows_kept_under_tombstone"] == visits
    assert leaks_in_text({*personal, who}, log) == []
    # Erasing again, or an unknown client, is refused (exit 2) without a traceback.
    assert main(["forget", str(book), who]) == 2
    assert main(["forget", str(book), stone]) == 2
    assert "Traceback" not in capsys.readouterr().err


def test_a_name_written_in_another_clients_notes_blocks_the_erasure(tmp_path: Path) -> None:
    data = sk.generate_demo(clients=15, seed=3, as_of=AS_OF)
    who = str(data.clients.loc[0, "client_id"])
    name = str(data.clients.loc[0, "full_name"])
    data.clients.loc[1, "notes"] = f"Came with her friend {name}."
    book = tmp_path / "salon.xlsx"
    sk.write_excel(book, data)
    before = book.read_bytes()
    with pytest.raises(sk.WorkbookError, match=r"Clients row 3 \(Notes\)"):
        sk.forget_client(book, who, when=dt.datetime(2026, 11, 23))
    assert book.read_bytes() == before
    assert not book.with_name("salon.erasures.jsonl").exists()


@pytest.mark.office
def test_libreoffice_opens_the_erased_workbook(book: Path, tmp_path: Path) -> None:
    if find_soffice() is None:
        pytest.skip("LibreOffice not installed")
    who = _person(sk.read_workbook(book).data)
    summary = sk.forget_client(book, who, when=dt.datetime(2026, 11, 23), key_file=None)
    csv = convert(book, "csv", tmp_path / "lo")
    text = csv.read_text(encoding="utf-8", errors="replace")
    assert summary["tombstone"] in text
    assert who not in text.split(",")


def test_check_lists_ended_relationships_past_the_retention_period(
    book: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    later = "2034-01-01"
    result = sk.validate(book, as_of=dt.date.fromisoformat(later))
    found = [i for i in result.issues if i.code == "retention-period-passed"]
    clients = result.frames.clients
    ended = clients.loc[clients["client_status"] == "relationship_ended", "client_id"]
    assert found
    assert {i.value for i in found} <= set(ended)
    assert all(i.severity == "warning" and f"sheetkit forget {book} {i.value}" in i.message for i in found)
    assert sk.validate(book, as_of=AS_OF).issues == [
        i for i in sk.validate(book, as_of=AS_OF).issues if i.code != "retention-period-passed"
    ]
    # Forgetting one of them removes its warning; the tombstone is never listed.
    who = str(found[0].value)
    assert main(["forget", str(book), who, "--reason", "retention period"]) == 0
    capsys.readouterr()
    again = sk.validate(book, as_of=dt.date.fromisoformat(later))
    values = {i.value for i in again.issues if i.code == "retention-period-passed"}
    assert who not in values
    assert not any(str(v).startswith("ERASED-") for v in values)
