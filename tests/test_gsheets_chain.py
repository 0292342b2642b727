"""A chain of branch Google Sheets: registry, consolidation within quota, faults, the CLI and the chain report."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest

from sheetkit.chain import Branch, ChainResult, Registry, load_registry, pull_chain, write_consolidated
from sheetkit.cli import main
from sheetkit.errors import RegistryError
from sheetkit.gsheets.client import SheetsClient
from sheetkit.gsheets.limits import Quota
from sheetkit.gsheets.transport import ENV_EMULATOR
from sheetkit.template import load_template
from sheetkit.template.geometry import column_letter, plan_layout, quote_sheet
from tests.gsheets_support import (
    AS_OF,
    READER,
    SMALL_PREPARED,
    account,
    client_for,
    copy_branch,
    tab_values,
    write_branch,
)
from tests.sheets_standin import FakeClock, LocalGoogleAdapter, SheetsStandIn

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
        ('[[branch]]\ncode = "A1"\nlocale = "en"\n', "branch A1.*give either spreadsheet .* or workbook"),
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


def test_registry_refuses_one_spreadsheet_under_two_codes(tmp_path: Path) -> None:
    body = (
        f'[[branch]]\ncode = "A1"\nspreadsheet = "{KEY}"\n\n'
        f'[[branch]]\ncode = "B2"\nspreadsheet = "https://docs.google.com/spreadsheets/d/{KEY}/edit"\n'
    )
    with pytest.raises(RegistryError, match=r"branch B2\).*also registered as branch A1 \(entries 1 and 2\)"):
        load_registry(_registry(tmp_path, body))


def test_missing_registry(tmp_path: Path) -> None:
    with pytest.raises(RegistryError, match="no such registry file"):
        load_registry(tmp_path / "nope.toml")


# ------------------------------------------------------------------ consolidation
# Branches are written with SMALL_PREPARED (50 spare rows per tab): consolidation does not depend on the size
# of the prepared area, and a full v2 branch costs the stand-in seconds to write and read.


def test_bad_branches_are_reported_and_the_good_ones_load(standin: SheetsStandIn, clock: FakeClock) -> None:
    good_vi, data_vi = write_branch(
        standin, clock, template=SMALL_PREPARED, locale="vi", clients=9, seed=2, branch="HN01"
    )
    good_it, data_it = write_branch(
        standin, clock, template=SMALL_PREPARED, locale="it", clients=7, seed=3, branch="MI01"
    )
    unshared, _ = write_branch(standin, clock, template=SMALL_PREPARED, locale="en", clients=5, seed=4, share_with=())
    flaky, _ = write_branch(standin, clock, template=SMALL_PREPARED, locale="en", clients=6, seed=5)
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
    first, data = write_branch(standin, clock, template=SMALL_PREPARED, clients=6, seed=8)
    # same IDs, same people: one chain client each
    again, _ = write_branch(standin, clock, template=SMALL_PREPARED, clients=6, seed=8)
    # same IDs, other people
    other, other_data = write_branch(standin, clock, template=SMALL_PREPARED, clients=6, seed=9)
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


# ------------------------------------------------------------------ faults and clashes within the chain

Values = dict[str, list[list[Any]]]


@pytest.fixture(scope="module")
def base_values() -> Iterator[Values]:
    """One small English branch, written once; each test copies its values (no writer, no quota)."""
    clock = FakeClock()
    with SheetsStandIn(clock=clock) as server:
        key, _ = write_branch(server, clock, template=SMALL_PREPARED, clients=6, seed=8, share_with=())
        yield tab_values(server, clock, key, "en")


def _copy(standin: SheetsStandIn, values: Values) -> str:
    key = copy_branch(standin, values)
    standin.share(key, READER, role="reader")
    return key


def _put(standin: SheetsStandIn, key: str, tab: str, cell: str, *values: Any) -> None:
    standin.put_values(key, f"{quote_sheet(tab)}!{cell}", [list(values)])


def _cell(values: Values, header: str, row: int, tab: str = "Clients") -> str:
    return f"{column_letter(values[tab][0].index(header))}{row}"


def _pull(
    standin: SheetsStandIn, clock: FakeClock, branches: Sequence[Branch] | Registry, *, workers: int = 1
) -> ChainResult:
    with client_for(standin, clock, account(standin, READER, readonly=True)) as reader:
        return pull_chain(branches, reader, as_of=AS_OF, workers=workers)


class _BrokenFor(SheetsClient):
    """A client that fails in an unforeseen way (not a sheetkit error) for one spreadsheet."""

    def __init__(self, *args: Any, broken: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.broken = broken

    def values_batch_get(self, spreadsheet: str, ranges: Sequence[str], **kwargs: Any) -> dict[str, Any]:
        if spreadsheet == self.broken:
            raise RuntimeError("C0001 Leah Butler +447700 905962")  # the text of such errors may hold client data
        return super().values_batch_get(spreadsheet, ranges, **kwargs)


@pytest.mark.parametrize("workers", [1, 3])
def test_an_unexpected_error_fails_only_that_branch(
    standin: SheetsStandIn, clock: FakeClock, base_values: Values, workers: int
) -> None:
    keys = [_copy(standin, base_values) for _ in range(3)]
    branches = [Branch(code, key, "en") for code, key in zip(("A", "B", "C"), keys, strict=True)]
    reader = _BrokenFor(
        account(standin, READER, readonly=True), transport=LocalGoogleAdapter(standin), clock=clock, broken=keys[1]
    )
    with reader:
        chain = pull_chain(branches, reader, as_of=AS_OF, workers=workers)
    assert [b.status for b in chain.branches] == ["loaded", "failed", "loaded"]
    broken = chain.failed[0]
    assert broken.error == "unexpected error (RuntimeError)"
    assert broken.error_type == "RuntimeError"
    assert "Leah" not in json.dumps(chain.to_dict(), default=str)
    assert set(chain.frames.visits["branch_code"]) == {"A", "C"}


def test_a_branch_not_loaded_is_an_error_of_the_chain(
    standin: SheetsStandIn, clock: FakeClock, base_values: Values
) -> None:
    good = _copy(standin, base_values)
    unshared = copy_branch(standin, base_values)
    alone = _pull(standin, clock, [Branch("GOOD", good, "en")])
    assert alone.valid
    registry = Registry(branches=(Branch("GOOD", good, "en"), Branch("GONE", unshared, "en")), locale="it")
    chain = _pull(standin, clock, registry)
    assert not chain.valid
    [missing] = [i for i in chain.issues if i.code == "branch-not-loaded"]
    assert missing.severity == "error"
    assert missing.branch == "GONE"
    assert missing.value == chain.failed[0].error
    assert missing.message_en.startswith("Branch GONE could not be read, so it is not in these figures: ")
    assert "not shared" in missing.message_en
    assert missing.message.startswith("Non è stato possibile leggere la filiale GONE")  # the chain report's language
    assert chain.to_dict()["counts"]["branch-not-loaded"] == 1


def test_staff_columns_named_like_the_chain_columns_are_kept_apart(
    standin: SheetsStandIn, clock: FakeClock, base_values: Values, tmp_path: Path
) -> None:
    values = {tab: [list(r) for r in rows] for tab, rows in base_values.items()}
    values["Visits"][0] += ["", "", ""]  # room for three columns of the branch's own
    key = _copy(standin, values)
    template = load_template()
    first = len(plan_layout(template, template.labels("en"), {}).sheet("visits").columns)
    _put(standin, key, "Visits", f"{column_letter(first)}1", "branch_code", "row", "source")
    _put(standin, key, "Visits", f"{column_letter(first)}2", "north wing", "7", "walk-in")
    chain = _pull(standin, clock, [Branch("A", key, "en"), Branch("B", _copy(standin, base_values), "en")])
    assert chain.complete
    assert {i.column for i in chain.issues if i.code == "extra-column"} == {"branch_code", "row", "source"}
    visits = chain.frames.visits
    assert set(visits["branch_code"]) == {"A", "B"}
    assert visits.loc[("A", 2), ["branch_code (sheet)", "row (sheet)", "source (sheet)"]].tolist() == [
        "north wing",
        "7",
        "walk-in",
    ]
    folder = write_consolidated(chain, tmp_path / "chain")
    written = pd.read_parquet(folder / "visits.parquet")
    assert list(written.columns[:2]) == ["row", "branch_code"]
    assert {"branch_code (sheet)", "row (sheet)", "source (sheet)"} <= set(written.columns)
    assert written["row"].tolist() == [r for _, r in visits.index]


def test_settings_that_differ_from_the_first_branch_are_reported(standin: SheetsStandIn, clock: FakeClock) -> None:
    hanoi, _ = write_branch(standin, clock, template=SMALL_PREPARED, locale="vi", clients=4, seed=2)
    milan, _ = write_branch(standin, clock, template=SMALL_PREPARED, locale="it", clients=4, seed=3)
    settings = load_template().labels("it").sheet_name("settings")
    _put(standin, milan, settings, "C2", 120)  # lapse_floor_days, 90 at Hà Nội
    chain = _pull(standin, clock, [Branch("HN01", hanoi, "vi"), Branch("MI01", milan, "it")])
    assert chain.frames.settings["currency"] == "VND"
    [currency] = [i for i in chain.issues if i.code == "currency-differs"]
    assert (currency.severity, currency.branch, currency.sheet, currency.cell) == ("error", "MI01", settings, "C11")
    assert currency.value == "EUR"
    assert "but VND in branch HN01" in currency.message_en
    assert not chain.valid
    [lapse] = [i for i in chain.issues if i.code == "settings-differ"]  # date order: each branch reads its own
    assert (lapse.severity, lapse.branch, lapse.column_key, lapse.cell) == ("warning", "MI01", "lapse_floor_days", "C2")
    label = load_template().labels("it").settings["lapse_floor_days"]["label"]  # as the branch's staff see it
    assert lapse.message_en == f"{label} is 120 in this branch; the chain report uses 90 from branch HN01."
    assert lapse.message.startswith(f"{label} è 120 in questa filiale")


# ------------------------------------------------------------------ one client ID in several branches

ID = "C0001"  # the first client of the base branch, on row 2


def _rename(standin: SheetsStandIn, values: Values, key: str, name: str, row: int = 2) -> str:
    _put(standin, key, "Clients", _cell(values, "Full name", row), name)
    return key


def _chain_ids(chain: ChainResult, branch: str, sheet: str = "visits") -> set[str]:
    frame = chain.frames.frame(sheet)
    return set(frame.loc[branch, "client_id"].dropna()) if branch in frame.index.get_level_values("source") else set()


def test_an_id_used_twice_within_one_branch_is_left_to_that_branch(
    standin: SheetsStandIn, clock: FakeClock, base_values: Values
) -> None:
    key = _copy(standin, base_values)
    _put(standin, key, "Clients", _cell(base_values, "Client ID", 3), ID)  # row 3: another person, the same code
    chain = _pull(standin, clock, [Branch("A", key, "en")])
    clients = chain.frames.clients
    assert clients.loc[[("A", 2), ("A", 3)], "client_id"].tolist() == [ID, ID]
    assert any(i.code == "duplicate-id" for i in chain.issues)
    assert not [i for i in chain.issues if i.code in {"client-id-conflict", "client-in-several-branches"}]


def test_the_same_other_person_in_two_later_branches_is_one_chain_client(
    standin: SheetsStandIn, clock: FakeClock, base_values: Values
) -> None:
    a = _copy(standin, base_values)
    b = _rename(standin, base_values, _copy(standin, base_values), "Bich Ngoc Tran")
    c = _rename(standin, base_values, _copy(standin, base_values), "  bich ngoc  TRAN ")
    chain = _pull(standin, clock, [Branch("A", a, "en"), Branch("B", b, "en"), Branch("C", c, "en")])
    clients = chain.frames.clients
    assert clients["client_id"].is_unique
    assert clients.loc[("B", 2), "client_id"] == f"B/{ID}"
    assert ("C", 2) not in clients.index  # merged into B's client, not a third person
    [conflict] = [i for i in chain.issues if i.code == "client-id-conflict"]
    assert (conflict.branch, conflict.cell) == ("B", "A2")
    assert "branch A" in conflict.message_en
    merged = [i for i in chain.issues if i.code == "client-in-several-branches" and i.value == ID]
    assert [(i.branch, i.cell) for i in merged] == [("C", "A2")]
    assert "branch B" in merged[0].message_en
    assert f"B/{ID}" in _chain_ids(chain, "C")  # C's visits of this client follow B's chain client
    assert ID not in _chain_ids(chain, "C")
    assert f"C/{ID}" not in set(clients["client_id"])


def test_clients_without_a_name_are_never_the_same_person(
    standin: SheetsStandIn, clock: FakeClock, base_values: Values
) -> None:
    a = _rename(standin, base_values, _copy(standin, base_values), "")
    b = _rename(standin, base_values, _copy(standin, base_values), "")
    chain = _pull(standin, clock, [Branch("A", a, "en"), Branch("B", b, "en")])
    clients = chain.frames.clients
    assert clients.loc[("A", 2), "client_id"] == ID
    assert clients.loc[("B", 2), "client_id"] == f"B/{ID}"
    assert [i.branch for i in chain.issues if i.code == "client-id-conflict"] == ["B"]


def test_an_id_held_by_two_people_in_one_branch_is_left_alone_there(
    standin: SheetsStandIn, clock: FakeClock, base_values: Values
) -> None:
    a = _copy(standin, base_values)
    b = _copy(standin, base_values)  # B: the first client, and on row 8 another person under the same code
    _put(standin, b, "Clients", _cell(base_values, "Client ID", 8), ID, "Bich Ngoc Tran")
    _put(standin, b, "Clients", _cell(base_values, "Status", 8), "Active")
    c = _rename(standin, base_values, _copy(standin, base_values), "Bich Ngoc Tran")
    chain = _pull(standin, clock, [Branch("A", a, "en"), Branch("B", b, "en"), Branch("C", c, "en")])
    clients = chain.frames.clients
    assert clients.loc[[("B", 2), ("B", 8)], "client_id"].tolist() == [ID, ID]  # neither merged nor renamed
    assert ID in _chain_ids(chain, "B")
    assert not [i for i in chain.issues if i.branch == "B" and i.code.startswith("client-") and i.value == ID]
    assert clients.loc[("C", 2), "client_id"] == f"C/{ID}"  # C's person is kept apart, after C
    assert [i.branch for i in chain.issues if i.code == "client-id-conflict"] == ["C"]


def test_a_referral_follows_the_chain_id_of_its_branch(
    standin: SheetsStandIn, clock: FakeClock, base_values: Values
) -> None:
    a = _copy(standin, base_values)
    c = _rename(standin, base_values, _copy(standin, base_values), "Bich Ngoc Tran")
    _rename(standin, base_values, c, "Minh Anh Le", row=3)  # C's second client is also someone else: kept
    for key in (a, c):  # each branch's second client was sent by that branch's first
        _put(standin, key, "Clients", _cell(base_values, "Referred by", 3), ID)
    chain = _pull(standin, clock, [Branch("A", a, "en"), Branch("C", c, "en")])
    clients = chain.frames.clients
    assert clients.loc[("A", 3), "referred_by"] == ID
    assert clients.loc[("C", 3), "referred_by"] == f"C/{ID}"
    assert not [i for i in chain.issues if i.code == "unknown-client"]


# Google's quota scaled down (10 reads a minute per account, 25 per project) so that a few dozen branches
# span several quota windows; the limiter and the stand-in share the simulated clock.
SMALL = Quota(read_per_user=10, read_per_project=25)


def _chain(clock: FakeClock, branches: int, readers: list[str]) -> tuple[SheetsStandIn, list[Branch]]:
    standin = SheetsStandIn(clock=clock, read_per_user=SMALL.read_per_user, read_per_project=SMALL.read_per_project)
    standin.start()
    template, _ = write_branch(standin, clock, template=SMALL_PREPARED, clients=4, share_with=())
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
    a, _ = write_branch(standin, clock, template=SMALL_PREPARED, clients=6, seed=11)
    b, _ = write_branch(standin, clock, template=SMALL_PREPARED, clients=5, seed=12)
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
    a, _ = write_branch(standin, clock, template=SMALL_PREPARED, clients=10, seed=21)
    missing = "1" + "z" * 43
    registry = _cli_setup(standin, tmp_path, monkeypatch, {"AA01": a, "GONE": missing})
    out = tmp_path / "chain-weekly.xlsx"
    status = main(["report", "--registry", str(registry), "--as-of", AS_OF.isoformat(), "--out", str(out), "--json"])
    summary = json.loads(capsys.readouterr().out)
    assert status == 1  # a branch is missing from the figures: the scheduled job must notice
    assert summary["complete"] is False
    assert out.exists()
    assert summary["report"] == str(out)
    assert [b["status"] for b in summary["branches"]] == ["loaded", "failed"]
    report = openpyxl.load_workbook(out, read_only=True)
    labels = load_template().labels("en").report
    quality = [[c.value for c in row] for row in report[labels["sheet_data_quality"]].iter_rows(min_row=4)]
    report.close()
    assert quality[0][:3] == [labels["col_branch"], labels["col_severity"], labels["col_code"]]
    assert ["GONE", labels["severity_error"], "branch-not-loaded"] in [row[:3] for row in quality]
    monkeypatch.setenv("SHEETKIT_SERVICE_ACCOUNT", str(tmp_path / "no-such-key.json"))
    assert main(["gsheets", "check", a]) == 2
    err = capsys.readouterr().err
    assert "no such credentials file" in err
    assert "Traceback" not in err


def test_faults_across_a_chain_cost_only_the_bad_branch_and_no_quota(clock: FakeClock) -> None:
    standin, branches = _chain(clock, 20, [READER])
    try:
        keys = [b.spreadsheet for b in branches]
        standin.fail_next(status=429, times=3, spreadsheet=keys[4])  # a burst of quota errors
        standin.fail_next(status=500, times=2, spreadsheet=keys[8], html=True)  # a server error page, twice
        standin.delay_next(seconds=2.5, times=1, spreadsheet=keys[12])  # one answer slower than the timeout
        standin.unshare(keys[16], READER)  # someone removed the account from the sheet
        start, before = clock.now(), len(standin.log)
        reader = client_for(standin, clock, account(standin, READER, readonly=True), quota=SMALL, timeout=2.0)
        with reader:
            chain = pull_chain(branches, reader, as_of=AS_OF)
        reads = [c for c in standin.log[before:] if c.kind == "read"]
    finally:
        standin.stop()
    status = {b.code: b.status for b in chain.branches}
    assert [code for code, s in status.items() if s == "failed"] == ["B016"]
    assert [i.branch for i in chain.issues if i.code == "branch-not-loaded"] == ["B016"]
    assert set(chain.frames.visits["branch_code"]) == {b.code for b in branches} - {"B016"}
    # Every request, the failed ones included, stayed within the per-minute quota of the account.
    per_minute = Counter(int((c.at - start) // 60) for c in reads)
    assert max(per_minute.values()) <= SMALL.read_per_user
    assert sum(c.status == 429 for c in reads) == 3  # only the injected ones: the limiter never tripped the quota
    assert len(reads) == 20 + 3 + 2 + 1  # one read per branch, plus one per retried failure
