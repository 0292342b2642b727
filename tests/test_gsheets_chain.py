"""A chain of branch Google Sheets: registry, consolidation within quota, faults, the CLI and the chain report."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from sheetkit.chain import Branch, load_registry, pull_chain
from sheetkit.cli import main
from sheetkit.errors import RegistryError
from sheetkit.gsheets.limits import Quota
from sheetkit.gsheets.transport import ENV_EMULATOR
from tests.gsheets_support import AS_OF, READER, account, client_for, copy_branch, tab_values, write_branch
from tests.sheets_standin import FakeClock, SheetsStandIn

KEY = "1AbCdEfGhIjKlMnOpQrStUvWxYz0123456789_-abcd"


def _registry(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "branches.toml"
    path.write_text(body, encoding="utf-8")
    return path


# ------------------------------------------------------------------ registry


def test_registry_reads_keys_addresses_and_accounts(tmp_path: Path) -> None:
    path = _registry(
        tmp_path,
        f"""
locale = "it"
service_accounts = ["keys/a.json"]

[[branch]]
code = "MI01"
spreadsheet = "https://docs.google.com/spreadsheets/d/{KEY}/edit#gid=0"
locale = "it"
name = "Milano"

[[branch]]
code = "HN01"
spreadsheet = "{KEY[::-1]}"
""",
    )
    registry = load_registry(path)
    assert [b.code for b in registry.branches] == ["MI01", "HN01"]
    assert registry.branches[0].spreadsheet == KEY
    assert registry.branches[1].locale is None
    assert registry.locale == "it"
    assert registry.service_accounts == (tmp_path / "keys" / "a.json",)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("", "no \\[\\[branch\\]\\] entries"),
        ('[[branch]]\ncode = "A1"\nspreadsheet = "x"\n', "branch A1.*not a spreadsheet key"),
        (f'[[branch]]\ncode = "A1"\nspreadsheet = "{KEY}"\n' * 2, "used twice"),
        (f'[[branch]]\ncode = "A1"\nspreadsheet = "{KEY}"\nlocale = "fr"\n', "locale 'fr'"),
        (f'[[branch]]\ncode = "A1"\nsheet = "{KEY}"\n', "unknown field"),
        ("[[branch]\n", "not valid TOML"),
    ],
)
def test_registry_errors_name_file_and_entry(tmp_path: Path, body: str, message: str) -> None:
    with pytest.raises(RegistryError, match=message) as err:
        load_registry(_registry(tmp_path, body))
    assert "branches.toml" in str(err.value)


def test_missing_registry(tmp_path: Path) -> None:
    with pytest.raises(RegistryError, match="no such registry file"):
        load_registry(tmp_path / "nope.toml")


# ------------------------------------------------------------------ consolidation


def test_bad_branches_are_reported_and_the_good_ones_load(standin: SheetsStandIn, clock: FakeClock) -> None:
    good_vi, data_vi = write_branch(standin, clock, locale="vi", clients=9, seed=2, branch="HN01")
    good_it, data_it = write_branch(standin, clock, locale="it", clients=7, seed=3, branch="MI01")
    unshared, _ = write_branch(standin, clock, locale="en", clients=5, seed=4, share_with=())
    flaky, _ = write_branch(standin, clock, locale="en", clients=6, seed=5)
    standin.fail_next(status=500, times=50, spreadsheet=flaky)
    branches = [
        Branch("HN01", good_vi, "vi"),
        Branch("LDN1", unshared, "en"),
        Branch("MI01", good_it, "it"),
        Branch("LDN2", flaky, "en"),
    ]
    seen: list[tuple[int, str]] = []
    with client_for(standin, clock, account(standin, READER, readonly=True), attempts=3) as reader:
        chain = pull_chain(branches, reader, as_of=AS_OF, progress=lambda done, total, o: seen.append((done, o.code)))
    status = {b.code: b.status for b in chain.branches}
    assert status == {"HN01": "loaded", "LDN1": "failed", "MI01": "loaded", "LDN2": "failed"}
    failed = {b.code: b for b in chain.failed}
    assert failed["LDN1"].error_type == "SheetsAccessError"
    assert "not shared" in (failed["LDN1"].error or "")
    assert failed["LDN2"].error_type == "SheetsUnavailableError"
    assert not chain.complete
    assert [d for d, _ in seen] == [1, 2, 3, 4]
    # Only complete branches are merged; every row knows its branch.
    visits = chain.frames.visits
    assert set(visits["branch_code"]) == {"HN01", "MI01"}
    assert len(visits) == len(data_vi.visits) + len(data_it.visits)
    assert visits.index.names == ["source", "row"]
    assert visits.index.is_unique


def test_one_client_in_two_branches_and_one_code_for_two_people(standin: SheetsStandIn, clock: FakeClock) -> None:
    first, data = write_branch(standin, clock, clients=6, seed=8)
    again, _ = write_branch(standin, clock, clients=6, seed=8)  # same IDs, same people: one chain client each
    other, other_data = write_branch(standin, clock, clients=6, seed=9)  # same IDs, other people
    branches = [Branch("A", first, "en"), Branch("B", again, "en"), Branch("C", other, "en")]
    with client_for(standin, clock, account(standin, READER, readonly=True)) as reader:
        chain = pull_chain(branches, reader, as_of=AS_OF)
    clients = chain.frames.clients
    assert clients["client_id"].is_unique
    assert len(clients) == 2 * len(data.clients)  # A's clients stand for B's; C's are other people
    merged = [i for i in chain.issues if i.code == "client-in-several-branches"]
    kept_apart = [i for i in chain.issues if i.code == "client-id-conflict"]
    assert {i.branch for i in merged} == {"B"}
    assert len(merged) == len(data.clients)
    assert {i.branch for i in kept_apart} == {"C"}
    assert "branch A" in merged[0].message_en
    assert merged[0].cell is not None
    # C's history follows C's clients, under their chain IDs; a return to another branch (A <-> B) stays one client.
    c_visits = chain.frames.visits.loc["C"]
    assert c_visits["client_id"].str.startswith("C/").all()
    assert len(c_visits) == len(other_data.visits)
    assert set(chain.frames.visits.loc["B", "client_id"]) <= set(clients.loc["A", "client_id"])


# Google's quota scaled down (10 reads a minute per account, 25 per project) so that a few dozen branches
# span several quota windows; the limiter and the stand-in share the simulated clock.
SMALL = Quota(read_per_user=10, read_per_project=25)


def _chain(clock: FakeClock, branches: int, readers: list[str]) -> tuple[SheetsStandIn, list[Branch]]:
    standin = SheetsStandIn(clock=clock, read_per_user=SMALL.read_per_user, read_per_project=SMALL.read_per_project)
    standin.start()
    template, _ = write_branch(standin, clock, clients=4, share_with=())
    values = tab_values(standin, clock, template, "en")
    keys = [copy_branch(standin, values) for _ in range(branches)]
    for key in keys:
        for email in readers:
            standin.share(key, email, role="reader")
    standin.reset_quota()
    return standin, [Branch(f"B{i:03d}", k, "en") for i, k in enumerate(keys)]


def test_consolidation_of_a_chain_stays_within_quota(clock: FakeClock) -> None:
    standin, branches = _chain(clock, 25, [READER])
    try:
        start, before = clock.now(), len(standin.log)
        with client_for(standin, clock, account(standin, READER, readonly=True), quota=SMALL) as reader:
            chain = pull_chain(branches, reader, as_of=AS_OF)
        reads = [c for c in standin.log[before:] if c.kind == "read"]
    finally:
        standin.stop()
    assert chain.complete
    assert len(reads) == 25  # one batchGet per branch
    assert all(c.status == 200 for c in reads)  # the limiter waited instead of tripping the quota: no 429
    per_minute = Counter(int((c.at - start) // 60) for c in reads)
    assert max(per_minute.values()) <= SMALL.read_per_user
    assert 120 <= clock.now() - start < 130  # 10 at once, 10 a minute later, 5 more: two full windows


def test_several_accounts_share_the_work_within_the_project_quota(clock: FakeClock) -> None:
    emails = [f"reader-{i}@salon-chain.iam.gserviceaccount.com" for i in range(3)]
    standin, branches = _chain(clock, 50, emails)
    try:
        start, before = clock.now(), len(standin.log)
        accounts = [account(standin, e, readonly=True) for e in emails]
        with client_for(standin, clock, accounts, quota=SMALL) as reader:
            chain = pull_chain(branches, reader, as_of=AS_OF)
        reads = [c for c in standin.log[before:] if c.kind == "read"]
    finally:
        standin.stop()
    assert chain.complete
    assert all(c.status == 200 for c in reads)
    assert {c.user for c in reads} == set(emails)
    # Three accounts could send 30 a minute, but their project allows 25: 50 reads take one window, not zero.
    per_minute = Counter(int((c.at - start) // 60) for c in reads)
    assert max(per_minute.values()) == SMALL.read_per_project
    assert 60 <= clock.now() - start < 70


# ------------------------------------------------------------------ command line


def _cli_setup(standin: SheetsStandIn, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, keys: dict[str, str]) -> Path:
    key_file = tmp_path / "reader.json"
    key_file.write_text(json.dumps(standin.service_account(READER, project="salon-chain")), encoding="utf-8")
    monkeypatch.setenv("SHEETKIT_SERVICE_ACCOUNT", str(key_file))
    monkeypatch.setenv(ENV_EMULATOR, standin.base_url)
    entries = "".join(f'[[branch]]\ncode = "{c}"\nspreadsheet = "{k}"\nlocale = "en"\n\n' for c, k in keys.items())
    return _registry(tmp_path, 'locale = "en"\n\n' + entries)


def test_cli_pull_json_equals_the_library(
    standin: SheetsStandIn,
    clock: FakeClock,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    a, _ = write_branch(standin, clock, clients=6, seed=11)
    b, _ = write_branch(standin, clock, clients=5, seed=12)
    registry = _cli_setup(standin, tmp_path, monkeypatch, {"AA01": a, "BB02": b})
    out = tmp_path / "chain"
    args = ["gsheets", "pull", "--registry", str(registry), "--as-of", AS_OF.isoformat(), "--json", "--out", str(out)]
    status = main(args)
    printed = json.loads(capsys.readouterr().out)
    with client_for(standin, clock, account(standin, READER, readonly=True)) as reader:
        expected = pull_chain(load_registry(registry), reader, as_of=AS_OF).to_dict()
    assert status == (0 if expected["valid"] else 1)
    assert printed == json.loads(json.dumps(expected, default=str))
    visits = pd.read_parquet(tmp_path / "chain" / "visits.parquet")
    assert set(visits["branch_code"]) == {"AA01", "BB02"}
    assert list(visits.columns[:3]) == ["row", "branch_code", "visit_id"]
    assert json.loads((tmp_path / "chain" / "branches.json").read_text())[0]["status"] == "loaded"


def test_cli_chain_report_and_one_line_errors(
    standin: SheetsStandIn,
    clock: FakeClock,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    a, _ = write_branch(standin, clock, clients=10, seed=21)
    missing = "1" + "z" * 43
    registry = _cli_setup(standin, tmp_path, monkeypatch, {"AA01": a, "GONE": missing})
    out = tmp_path / "chain-weekly.xlsx"
    status = main(["report", "--registry", str(registry), "--as-of", AS_OF.isoformat(), "--out", str(out), "--json"])
    summary = json.loads(capsys.readouterr().out)
    assert status == 0
    assert out.exists()
    assert summary["report"] == str(out)
    assert [b["status"] for b in summary["branches"]] == ["loaded", "failed"]
    report = openpyxl.load_workbook(out, read_only=True)
    assert len(report.sheetnames) >= 2
    report.close()
    monkeypatch.setenv("SHEETKIT_SERVICE_ACCOUNT", str(tmp_path / "no-such-key.json"))
    assert main(["gsheets", "check", a]) == 2
    err = capsys.readouterr().err
    assert "no such credentials file" in err
    assert "Traceback" not in err
