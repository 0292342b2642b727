"""A chain whose branches keep .xlsx workbooks in a folder: registry, pull, failures, the chain report and the CLI."""

from __future__ import annotations

import datetime as dt
import json
import logging
import shutil
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest

from sheetkit.chain import Branch, Registry, load_registry, pull_chain, write_consolidated
from sheetkit.cli import main
from sheetkit.demo import write_demo
from sheetkit.errors import RegistryError, UsageError
from sheetkit.frames import DATA_SHEETS
from sheetkit.gsheets.transport import ENV_EMULATOR
from sheetkit.report import chain_report
from sheetkit.template import load_template
from sheetkit.validation import validate
from tests.gsheets_support import READER, SMALL_PREPARED, account, client_for, write_branch
from tests.sheets_standin import FakeClock, SheetsStandIn

AS_OF = dt.date(2026, 11, 22)
#: Branch code -> (file under the chain folder, locale, seed, clients).
BRANCHES = {
    "HN01": ("branches/hanoi.xlsx", "en", 2, 30),
    "MI01": ("branches/milano.xlsx", "it", 3, 25),
    "LDN1": ("london.xlsx", "en", 4, 20),
}
#: Every data sheet of template v2 is consolidated.
COUNTED = DATA_SHEETS


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three small demo branch workbooks, written once for the module."""
    folder = tmp_path_factory.mktemp("chain")
    for file, locale, seed, clients in BRANCHES.values():
        (folder / file).parent.mkdir(parents=True, exist_ok=True)
        write_demo(folder / file, clients=clients, locale=locale, seed=seed, as_of=AS_OF)
    return folder


@pytest.fixture
def chain_dir(made: Path, tmp_path: Path) -> Path:
    """A fresh copy of the branch workbooks, with a registry naming them by relative path (no locale)."""
    folder = tmp_path / "head-office"
    shutil.copytree(made, folder)
    entries = "".join(f'[[branch]]\ncode = "{code}"\nworkbook = "{file}"\n\n' for code, (file, *_) in BRANCHES.items())
    (folder / "branches.toml").write_text(f'locale = "en"\n\n{entries}', encoding="utf-8")
    return folder


@pytest.fixture
def no_google(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No credentials anywhere: asking for any would fail the command."""
    monkeypatch.delenv("SHEETKIT_SERVICE_ACCOUNT", raising=False)
    monkeypatch.delenv("GOOGLE_APPLICATION_CREDENTIALS", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "empty-home"))
    monkeypatch.setenv(ENV_EMULATOR, "http://127.0.0.1:9")  # nothing listens: a request would fail, not reach Google


def _rows(path: Path) -> dict[str, int]:
    frames = validate(path, as_of=AS_OF).frames
    return {key: len(frames.frame(key)) for key in COUNTED}


def _write_registry(folder: Path, body: str) -> Path:
    path = folder / "branches.toml"
    path.write_text(body, encoding="utf-8")
    return path


# ------------------------------------------------------------------ the library


def test_a_chain_of_workbook_files_consolidates_without_any_client(
    chain_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # relative paths are the registry's folder's, not the current folder's
    registry = load_registry(Path("head-office") / "branches.toml")
    assert [b.workbook for b in registry.branches] == [Path("head-office") / f for f, *_ in BRANCHES.values()]
    assert not registry.needs_google
    chain = pull_chain(registry, as_of=AS_OF)
    assert chain.complete
    assert [(b.code, b.status, b.spreadsheet) for b in chain.branches] == [(c, "loaded", None) for c in BRANCHES]
    assert chain.branches[1].workbook == str(Path("head-office") / "branches/milano.xlsx")
    expected = {code: _rows(chain_dir / file) for code, (file, *_) in BRANCHES.items()}
    assert [{k: b.rows[k] for k in COUNTED} for b in chain.branches] == list(expected.values())
    for key in COUNTED:
        frame = chain.frames.frame(key)
        assert len(frame) == sum(e[key] for e in expected.values()), key
        assert frame.groupby("branch_code").size().to_dict() == {c: e[key] for c, e in expected.items()}, key
    assert chain.frames.visits.index.names == ["source", "row"]
    # The Italian branch was read in Italian from its own About sheet, and its euros differ from the first branch's.
    [currency] = [i for i in chain.issues if i.code == "currency-differs"]
    assert currency.branch == "MI01"
    assert currency.sheet == load_template().labels("it").sheet_name("settings")


@pytest.mark.parametrize(
    ("damage", "error_type"),
    [
        (lambda path: path.unlink(), "WorkbookNotFoundError"),
        (lambda path: path.write_text("code,name\nC0001,Ann\n", encoding="utf-8"), "UnsupportedFormatError"),
    ],
    ids=["missing", "csv-renamed-xlsx"],
)
def test_an_unusable_file_fails_only_its_branch(
    chain_dir: Path, caplog: pytest.LogCaptureFixture, damage: Callable[[Path], object], error_type: str
) -> None:
    good = {code: _rows(chain_dir / file) for code, (file, *_) in BRANCHES.items() if code != "MI01"}
    names = {
        n for file, *_ in BRANCHES.values() for n in validate(chain_dir / file, as_of=AS_OF).frames.clients["full_name"]
    }
    damage(chain_dir / "branches/milano.xlsx")
    caplog.set_level(logging.INFO, logger="sheetkit")
    chain = pull_chain(load_registry(chain_dir / "branches.toml"), as_of=AS_OF)
    assert [b.status for b in chain.branches] == ["loaded", "failed", "loaded"]
    [failed] = chain.failed
    assert (failed.code, failed.error_type, failed.rows) == ("MI01", error_type, {})
    assert "milano.xlsx" in (failed.error or "")
    [missing] = [i for i in chain.issues if i.code == "branch-not-loaded"]
    assert (missing.branch, missing.severity) == ("MI01", "error")
    assert missing.message_en.startswith("Branch MI01 could not be read")
    assert "milano.xlsx" in missing.message_en
    assert not chain.valid
    # Nothing of the failed branch is merged; the others are whole.
    assert {i.branch for i in chain.issues if i.code != "branch-not-loaded"} <= {"HN01", "LDN1"}
    for key in COUNTED:
        frame = chain.frames.frame(key)
        assert frame.groupby("branch_code").size().to_dict() == {c: e[key] for c, e in good.items()}, key
    # One line per branch: codes, counts and the error, never a client.
    chain_logs = [r for r in caplog.records if r.name == "sheetkit.chain.pull"]
    assert [(r.levelname, r.getMessage().split()[1]) for r in chain_logs] == [
        ("INFO", "HN01"),
        ("WARNING", "MI01"),
        ("INFO", "LDN1"),
    ]
    assert f"{good['HN01']['visits']} visits" in chain_logs[0].getMessage()
    assert error_type in chain_logs[1].getMessage()
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert not [n for n in names if isinstance(n, str) and n in logged]


def test_registry_branch_gives_exactly_one_source(tmp_path: Path) -> None:
    both = '[[branch]]\ncode = "MI01"\nworkbook = "m.xlsx"\nspreadsheet = "1AbCdEfGhIjKlMnOpQrStUvWxYz0123"\n'
    neither = '[[branch]]\ncode = "MI01"\nlocale = "it"\n'
    for body in (both, neither):
        with pytest.raises(RegistryError, match=r"branches\.toml \(branch MI01\): give either spreadsheet"):
            load_registry(_write_registry(tmp_path, body))
    twice = '[[branch]]\ncode = "A1"\nworkbook = "m.xlsx"\n\n[[branch]]\ncode = "B2"\nworkbook = "./m.xlsx"\n'
    with pytest.raises(RegistryError, match=r"branch B2\).*workbook is also registered as branch A1"):
        load_registry(_write_registry(tmp_path, twice))
    with pytest.raises(RegistryError, match=r"branch A1\): workbook must be the path"):
        load_registry(_write_registry(tmp_path, '[[branch]]\ncode = "A1"\nworkbook = ""\n'))
    with pytest.raises(UsageError, match="not both or neither"):
        Branch("A1")


def test_a_google_sheet_branch_needs_a_client(chain_dir: Path) -> None:
    sheet = Branch("GS01", "1AbCdEfGhIjKlMnOpQrStUvWxYz0123", "en")
    registry = Registry(branches=(*load_registry(chain_dir / "branches.toml").branches, sheet))
    assert registry.needs_google
    with pytest.raises(UsageError, match="pass a SheetsClient"):
        pull_chain(registry, as_of=AS_OF)


def test_chain_report_never_writes_over_a_branch_workbook(chain_dir: Path) -> None:
    branch = chain_dir / "london.xlsx"
    before = branch.read_bytes()
    with pytest.raises(UsageError, match="workbook of branch LDN1"):
        chain_report(chain_dir / "branches.toml", as_of=AS_OF, out=branch, overwrite=True)
    assert branch.read_bytes() == before


# ------------------------------------------------------------------ the command line


@pytest.mark.usefixtures("no_google")
def test_cli_chain_report_of_files_needs_no_credentials(
    chain_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    registry = chain_dir / "branches.toml"
    out, html = tmp_path / "chain-weekly.xlsx", tmp_path / "chain-weekly.html"
    args = ["report", "--registry", str(registry), "--as-of", AS_OF.isoformat(), "--out", str(out)]
    assert main([*args, "--html", str(html), "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    library = chain_report(registry, as_of=AS_OF, today=dt.date.today(), out=tmp_path / "lib.xlsx")  # as the CLI
    assert printed == {**library, "report": str(out), "html": str(html)}
    assert printed["complete"] is True
    assert [b["workbook"] for b in printed["branches"]] == [str(chain_dir / f) for f, *_ in BRANCHES.values()]
    assert out.exists()
    assert html.exists()
    # The human form shows the outcome table; with a branch missing the job exits 1 and the report says why.
    (chain_dir / "london.xlsx").unlink()
    assert main([*args, "--force"]) == 1
    shown = capsys.readouterr().out
    assert "LDN1" in shown
    assert "Not in the figures" in shown
    report = openpyxl.load_workbook(out, read_only=True)
    labels = load_template().labels("en").report
    quality = [[c.value for c in row][:3] for row in report[labels["sheet_data_quality"]].iter_rows()]
    report.close()
    assert ["LDN1", labels["severity_error"], "branch-not-loaded"] in quality


@pytest.mark.usefixtures("no_google")
def test_cli_pull_of_files_writes_the_consolidated_folder(
    chain_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "consolidated"
    args = ["gsheets", "pull", "--registry", str(chain_dir / "branches.toml"), "--as-of", AS_OF.isoformat()]
    status = main([*args, "--out", str(out), "--json"])
    printed = json.loads(capsys.readouterr().out)
    expected = pull_chain(load_registry(chain_dir / "branches.toml"), as_of=AS_OF)
    assert status == 1  # the Italian branch's currency differs: an error of the chain
    assert printed == json.loads(json.dumps(expected.to_dict(), default=str))
    write_consolidated(expected, tmp_path / "library")
    assert (out / "branches.json").read_text() == (tmp_path / "library" / "branches.json").read_text()


def test_cli_pull_shows_which_branch_each_issue_is_in(chain_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    registry = chain_dir / "branches.toml"
    assert main(["gsheets", "pull", "--registry", str(registry), "--as-of", AS_OF.isoformat()]) == 1
    out = capsys.readouterr().out
    expected = pull_chain(load_registry(registry), as_of=AS_OF)
    branches = {issue.branch for issue in expected.issues[:50] if issue.branch}
    assert branches
    lines = out.splitlines()
    at = next(i for i, line in enumerate(lines) if "Cell" in line)  # the Issues table, after the branches'
    assert [cell.strip() for cell in lines[at].strip("┃ ").split("┃")][:2] == ["Branch", "Sheet"]
    rows = [line.strip("│ ").split("│")[0].strip() for line in lines[at:] if line.startswith("│")]
    assert branches <= set(rows)


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ('workbook = "a.xlsx"\nspreadsheet = "1AbCdEfGhIjKlMnOpQrStUvWxYz0123"', "give either spreadsheet"),
        ('locale = "en"', "give either spreadsheet"),
        ("workbook = 3", "workbook must be the path"),
    ],
    ids=["both", "neither", "not-a-path"],
)
@pytest.mark.parametrize("command", [["report"], ["gsheets", "pull"]])
@pytest.mark.usefixtures("no_google")
def test_cli_registry_errors_are_one_line_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], entry: str, message: str, command: list[str]
) -> None:
    registry = _write_registry(tmp_path, f'[[branch]]\ncode = "AA01"\n{entry}\n')
    assert main([*command, "--registry", str(registry), "--out", str(tmp_path / "x.xlsx")]) == 2
    err = capsys.readouterr().err
    assert f"branches.toml (branch AA01): {message}" in " ".join(err.split())
    assert "Traceback" not in err
    assert not (tmp_path / "x.xlsx").exists()


@pytest.fixture
def reader_credentials(standin: SheetsStandIn, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The reader account's key in the environment, and every Google request sent to the stand-in."""
    key_file = tmp_path / "reader.json"
    key_file.write_text(json.dumps(standin.service_account(READER, project="salon-chain")), encoding="utf-8")
    monkeypatch.setenv("SHEETKIT_SERVICE_ACCOUNT", str(key_file))
    monkeypatch.setenv(ENV_EMULATOR, standin.base_url)


@pytest.mark.usefixtures("reader_credentials")
def test_cli_mixed_chain_of_a_google_sheet_and_a_file(
    standin: SheetsStandIn, clock: FakeClock, made: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    key, data = write_branch(standin, clock, clients=8, seed=31, template=SMALL_PREPARED)
    london = made / "london.xlsx"
    registry = _write_registry(
        tmp_path,
        f'[[branch]]\ncode = "GS01"\nspreadsheet = "{key}"\nlocale = "en"\n\n'
        f'[[branch]]\ncode = "LDN1"\nworkbook = "{london.as_posix()}"\n',
    )
    out = tmp_path / "mixed-weekly.xlsx"
    assert main(["report", "--registry", str(registry), "--as-of", AS_OF.isoformat(), "--out", str(out), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert [(b["code"], b["status"], b["spreadsheet"], b["workbook"]) for b in summary["branches"]] == [
        ("GS01", "loaded", key, None),
        ("LDN1", "loaded", None, str(london)),
    ]
    with client_for(standin, clock, account(standin, READER, readonly=True)) as reader:
        chain = pull_chain(load_registry(registry), reader, as_of=AS_OF)
    visits = chain.frames.visits.groupby("branch_code").size().to_dict()
    assert visits == {"GS01": len(data.visits), "LDN1": _rows(london)["visits"]}


def test_the_consolidated_issues_csv_opens_safely_in_a_spreadsheet(chain_dir: Path, tmp_path: Path) -> None:
    """Client text in issues.csv never becomes a live formula or raw control bytes when head office opens it."""
    book = chain_dir / "london.xlsx"
    wb = openpyxl.load_workbook(book)  # a test may edit a workbook like staff do; sheetkit never re-saves one
    visits = wb["Visits"]
    # D: the visit date (C is the client-name look-up of template v2)
    visits["D2"] = '=HYPERLINK("http://evil.example","x")'
    visits["D2"].data_type = "s"  # typed text, as staff would type it with a leading quote
    wb.save(book)
    chain = pull_chain(load_registry(chain_dir / "branches.toml"), as_of=AS_OF)
    shown = {i.value for i in chain.issues if i.branch == "LDN1" and i.cell == "D2"}
    assert '=HYPERLINK("http://evil.example","x")' in shown  # the Issue itself keeps the value as typed
    out = write_consolidated(chain, tmp_path / "pulled")
    text = (out / "issues.csv").read_text(encoding="utf-8")
    assert "'=HYPERLINK(" in text
    assert ',"=HYPERLINK(' not in text
