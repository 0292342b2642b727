"""Pseudonymised extracts: identifiers dropped, keyed pseudonyms, years, health flags, a manifest; chains too."""

from __future__ import annotations

import datetime as dt
import json
import stat
from pathlib import Path

import pandas as pd
import pytest

import sheetkit as sk
from sheetkit.cli import main
from sheetkit.privacy import extract_frames
from sheetkit.privacy.pseudonyms import pseudonym
from tests.privacy_support import AS_OF, all_strings, personal_values

SHEETS = ("clients", "visits", "appointments", "feedback", "patch_tests", "consents", "follow_ups")


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("extract") / "salon.xlsx"
    sk.write_demo(path, clients=80, seed=5, as_of=AS_OF)
    return path


def _read(folder: Path) -> dict[str, pd.DataFrame]:
    return {p.stem: pd.read_parquet(p) for p in sorted(folder.glob("*.parquet"))}


def test_cli_extract_drops_identifiers_and_pseudonymises(
    book: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    key_file = tmp_path / "keys" / "extract.key"
    key_file.parent.mkdir()
    out = tmp_path / "extract"
    assert main(["extract", str(book), "--out", str(out), "--key-file", str(key_file), "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    # The key: created private, 64 hex digits.
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    key = bytes.fromhex(key_file.read_text().strip())
    assert len(key) == 32
    frames = _read(out)
    assert set(frames) == set(SHEETS)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert printed["sheets"] == manifest["sheets"]
    data = sk.read_workbook(book).data
    # Nothing personal, free text or health text in any cell.
    leaks = personal_values(data) & all_strings(frames)
    assert leaks == set()
    clients = frames["clients"]
    for dropped in ("full_name", "phone", "email", "address", "notes", "allergies", "medications", "birth_date"):
        assert dropped not in clients.columns
    # Client IDs: keyed pseudonyms, never the ID, consistent across sheets.
    ids = set(data.clients["client_id"])
    assert not ids & set(clients["client_id"])
    assert set(clients["client_id"]) == {pseudonym(key, i) for i in ids}
    for sheet in ("visits", "appointments", "consents", "patch_tests"):
        assert set(frames[sheet]["client_id"].dropna()) <= set(clients["client_id"])
    referrers = set(clients["referred_by"].dropna())
    assert referrers
    assert referrers <= set(clients["client_id"])
    # Birth dates keep their year; health columns are flags.
    years = data.clients["birth_date"].dropna().dt.year
    assert sorted(clients["birth_date_year"].dropna().astype(int)) == sorted(years.astype(int))
    assert pd.api.types.is_bool_dtype(clients["has_allergies"])
    expected_flags = data.clients["allergies"].fillna("").str.strip().str.casefold().isin(["", "none"]).eq(False)
    assert clients["has_allergies"].tolist() == expected_flags.tolist()
    assert pd.api.types.is_bool_dtype(frames["patch_tests"]["has_result"])
    # The manifest says what happened to each column and what the extract is for.
    actions = {c["column"]: c["action"] for c in manifest["sheets"]["clients"]["columns"]}
    assert actions["full_name"] == "drop"
    assert actions["birth_date"] == "year"
    assert actions["allergies"] == "flag"
    assert actions["client_id"] == "pseudonym"
    assert actions["skin_type"] == "keep"
    assert "not marketing" in manifest["purpose"]
    assert manifest["pseudonyms"]["key_fingerprint"] not in key_file.read_text()


def test_pseudonyms_stable_with_one_key_and_disjoint_with_another(book: Path, tmp_path: Path) -> None:
    key_a, key_b = tmp_path / "a.key", tmp_path / "b.key"
    first = sk.write_extract(book, tmp_path / "one", key_file=key_a)
    second = sk.write_extract(book, tmp_path / "two", key_file=key_a)
    other = sk.write_extract(book, tmp_path / "three", key_file=key_b)
    one, two, three = (_read(tmp_path / n)["clients"]["client_id"] for n in ("one", "two", "three"))
    assert first["pseudonyms"]["key_created"]
    assert not second["pseudonyms"]["key_created"]
    assert one.tolist() == two.tolist()
    assert len(set(one)) == len(one) == 80
    assert set(one).isdisjoint(set(three))
    assert other["pseudonyms"]["key_fingerprint"] != first["pseudonyms"]["key_fingerprint"]


def test_extra_staff_columns_are_dropped_and_named_in_the_manifest(tmp_path: Path) -> None:
    data = sk.generate_demo(clients=12, seed=2, as_of=AS_OF)
    data.clients["Instagram"] = "@" + data.clients["client_id"].astype(str)
    frames, done = extract_frames(data, bytes(32))
    assert "Instagram" not in frames["clients"].columns
    assert done["clients"]["dropped_extra_columns"] == ["Instagram"]


def test_refusals(book: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad_key = tmp_path / "bad.key"
    bad_key.write_text("not a key\n")
    assert main(["extract", str(book), "--out", str(tmp_path / "x"), "--key-file", str(bad_key)]) == 2
    assert "not a sheetkit key file" in capsys.readouterr().err
    out = tmp_path / "x"
    inside = out / "extract.key"
    out.mkdir()
    assert main(["extract", str(book), "--out", str(out), "--key-file", str(inside)]) == 2
    assert "outside the extract folder" in capsys.readouterr().err
    (out / "notes.txt").write_text("mine")
    assert main(["extract", str(book), "--out", str(out), "--key-file", str(tmp_path / "k"), "--force"]) == 2
    assert (out / "notes.txt").read_text() == "mine"
    assert not list(out.glob("*.parquet"))


def test_a_chain_of_workbook_files_is_extracted_with_its_branch_codes(tmp_path: Path) -> None:
    folder = tmp_path / "chain"
    folder.mkdir()
    entries = ""
    for code, seed in (("HN01", 2), ("MI01", 3)):
        sk.write_demo(folder / f"{code}.xlsx", clients=15, seed=seed, as_of=AS_OF)
        entries += f'[[branch]]\ncode = "{code}"\nworkbook = "{code}.xlsx"\n\n'
    (folder / "branches.toml").write_text(f'locale = "en"\n\n{entries}', encoding="utf-8")
    key_file = tmp_path / "chain.key"
    out = tmp_path / "chain-extract"
    assert (
        main(["extract", "--registry", str(folder / "branches.toml"), "--out", str(out), "--key-file", str(key_file)])
        == 0
    )
    frames = _read(out)
    assert set(frames["visits"]["branch_code"]) == {"HN01", "MI01"}
    chain = sk.pull_chain(sk.load_registry(folder / "branches.toml"), as_of=AS_OF)
    assert len(frames["visits"]) == len(chain.frames.visits)
    leaks = personal_values(chain.frames) & all_strings(frames)
    assert leaks == set()
    # The consolidated folder of 'gsheets pull --out' is a source too, and gives the same extract.
    from sheetkit.chain import write_consolidated

    write_consolidated(chain, tmp_path / "consolidated")
    again = tmp_path / "again"
    sk.write_extract(tmp_path / "consolidated", again, key_file=key_file)
    assert _read(again)["visits"]["client_id"].tolist() == frames["visits"]["client_id"].tolist()
    assert dt.date.today()  # the CLI pulls as of today; the library took AS_OF: the same rows either way
