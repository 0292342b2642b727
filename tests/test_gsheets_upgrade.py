"""sheetkit gsheets upgrade on the stand-in: a v1 branch sheet moves to the current template in ONE batchUpdate.

The v1 branch is the very traffic the v1 code sent to write a demo branch (it, 40 clients,
branch MI01), recorded once from the commit before template v2 and replayed here:
tests/fixtures/v1/gsheets-demo-it.json.gz (create, the structure batchUpdate, the values).
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import re
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import sheetkit as sk
from sheetkit.cli import main
from sheetkit.errors import TemplateMismatchError
from sheetkit.gsheets.transport import ENV_EMULATOR
from sheetkit.gsheets.upgrade import upgrade_gsheet
from sheetkit.template import load_template
from sheetkit.template.geometry import quote_sheet
from tests.gsheets_support import WRITER, account, client_for
from tests.sheets_standin import FakeClock, SheetsStandIn

RECORDING = Path(__file__).parent / "fixtures" / "v1" / "gsheets-demo-it.json.gz"


def _v1_branch(standin: SheetsStandIn, clock: FakeClock) -> str:
    recording = json.loads(gzip.decompress(RECORDING.read_bytes()))
    assert recording["template_version"] == 1
    with client_for(standin, clock, account(standin, WRITER, readonly=False), timeout=600) as client:
        key = ""
        for call in recording["calls"]:
            ((name, body),) = call.items()
            if name == "create":
                key = str(client.create(body["properties"], body["sheets"])["spreadsheetId"])
            elif name == "batch_update":
                client.batch_update(key, body)
            else:
                client.values_batch_update(key, body)
    return key


def _tab_values(standin: SheetsStandIn, clock: FakeClock, key: str) -> dict[str, list[list[Any]]]:
    with client_for(standin, clock, account(standin, WRITER, readonly=True)) as client:
        titles = [str(s["properties"]["title"]) for s in client.metadata(key, fields="sheets.properties")["sheets"]]
        answer = client.values_batch_get(key, [quote_sheet(t) for t in titles])
    return {t: r.get("values", []) for t, r in zip(titles, answer["valueRanges"], strict=True)}


def _by_key(values: dict[str, list[list[Any]]], tab: str, header_of: dict[str, str]) -> dict[tuple[int, str], Any]:
    """Cells of a data tab as (row, column key or staff header) -> value, wherever the column is."""
    rows = values[tab]
    keys = [header_of.get(str(h), f"staff:{h}") for h in rows[0]]
    return {
        (r, keys[j]): value
        for r, row in enumerate(rows[1:], start=2)
        for j, value in enumerate(row)
        if value != "" and not keys[j].startswith("formula:")
    }


def _norm(value: Any) -> Any:
    return pd.Timestamp(value) if isinstance(value, dt.date) else value


def _same(a: Any, b: Any) -> bool:
    if pd.isna(a) or pd.isna(b):
        return bool(pd.isna(a) and pd.isna(b))
    return bool(a == b)


def _day_first(value: Any) -> Any:
    """A v1 birthday without the year, "MM-DD", as Italian staff type it in version 2: "DD-MM"."""
    if isinstance(value, str) and re.fullmatch(r"\d\d-\d\d", value):
        return f"{value[3:]}-{value[:2]}"
    return value


def _headers(locale: str, sheet: str) -> dict[str, str]:
    template = load_template()
    labels = template.labels(locale)
    columns = template.sheet(sheet).columns
    return {labels.header(sheet, c.key): (f"formula:{c.key}" if c.is_formula else c.key) for c in columns}


def test_a_v1_branch_upgrades_in_one_batch_update_with_values_untouched(
    standin: SheetsStandIn, clock: FakeClock
) -> None:
    key = _v1_branch(standin, clock)
    before = _tab_values(standin, clock, key)
    template = load_template()
    labels = template.labels("it")
    with client_for(standin, clock, account(standin, WRITER, readonly=False), timeout=600) as client:
        old = sk.read_gsheet(client, key)
        standin.log.clear()

        result = upgrade_gsheet(client, key)

    writes = [c.endpoint for c in standin.calls(kind="write")]
    assert writes == ["sheets.batchUpdate"]  # ONE structure request, no values request
    assert result.changed
    assert (result.from_version, result.to_version) == (1, template.version)
    assert set(result.tabs_added) == {labels.sheet_name(k) for k in ("patch_tests", "consents", "follow_ups")}
    assert "cancelled_at" in result.columns_added["appointments"]
    after = _tab_values(standin, clock, key)
    # Every staff value of every data tab is where its column went, unchanged (type included); only a
    # birthday without the year is now typed day first, as the Italian workbook of version 2 reads it.
    for sheet in ("clients", "visits", "appointments", "feedback"):
        tab = labels.sheet_name(sheet)
        headers = _headers("it", sheet)
        expected = {
            cell: _day_first(value) if cell[1] == "birth_date" else value
            for cell, value in _by_key(before, tab, headers).items()
        }
        assert _by_key(after, tab, headers) == expected, sheet
    clients = _by_key(before, labels.sheet_name("clients"), _headers("it", "clients"))
    month_days = [v for (_, key), v in clients.items() if key == "birth_date" and _day_first(v) != v]
    assert len(month_days) >= 3  # the rule above is exercised
    assert result.birthdays_retyped == len(month_days)  # the function the Excel upgrade shares
    assert result.settings_updated == []  # version 2 changed no default of a version-1 setting
    with client_for(standin, clock, account(standin, WRITER, readonly=True)) as client:
        new = sk.read_gsheet(client, key)
    assert new.template_version == template.version
    assert "upgrade-available" not in {i.code for i in new.issues}
    for sheet in template.sheets:
        before_frame, after_frame = old.data.frame(sheet.key), new.data.frame(sheet.key)
        assert list(after_frame.index) == list(before_frame.index)
        for column in before_frame.columns:
            pairs = zip(before_frame[column], after_frame[column], strict=True)
            assert all(_same(a, b) for a, b in pairs), (sheet.key, column)
    settings = {k: _norm(v) for k, v in new.data.settings.items()}
    assert settings == {k: _norm(v) for k, v in old.data.settings.items()}  # the manager's and the defaults
    assert result.verified > 1000


def test_dry_run_sends_no_write_and_a_second_upgrade_is_a_no_op(standin: SheetsStandIn, clock: FakeClock) -> None:
    key = _v1_branch(standin, clock)
    with client_for(standin, clock, account(standin, WRITER, readonly=False), timeout=600) as client:
        standin.log.clear()
        dry = upgrade_gsheet(client, key, dry_run=True)
        assert dry.dry_run
        assert not dry.changed
        assert dry.requests > 0
        assert standin.calls(kind="write") == []
        upgrade_gsheet(client, key)
        standin.log.clear()
        again = upgrade_gsheet(client, key)
    assert not again.changed
    assert again.changes == [f"already at version {load_template().version}: nothing to do"]
    assert standin.calls(kind="write") == []


def test_a_tab_with_moved_template_columns_is_refused_before_any_write(
    standin: SheetsStandIn, clock: FakeClock
) -> None:
    key = _v1_branch(standin, clock)
    labels = load_template().labels("it")
    visits = labels.sheet_name("visits")
    with client_for(standin, clock, account(standin, WRITER, readonly=False), timeout=600) as client:
        # Staff swapped two headers (and so the columns' meaning) on the Visits tab.
        first, second = labels.header("visits", "visit_id"), labels.header("visits", "client_id")
        client.values_batch_update(key, [{"range": f"{quote_sheet(visits)}!A1:B1", "values": [[second, first]]}])
        standin.log.clear()
        with pytest.raises(TemplateMismatchError, match="moved"):
            upgrade_gsheet(client, key)
    assert standin.calls(kind="write") == []


def test_cli_dry_run_json_equals_the_library(
    standin: SheetsStandIn,
    clock: FakeClock,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    key = _v1_branch(standin, clock)
    key_file = tmp_path / "writer.json"
    key_file.write_text(json.dumps(standin.service_account(WRITER, project="salon-chain")), encoding="utf-8")
    monkeypatch.setenv("SHEETKIT_SERVICE_ACCOUNT", str(key_file))
    monkeypatch.setenv(ENV_EMULATOR, standin.base_url)
    standin.log.clear()

    assert main(["gsheets", "upgrade", key, "--dry-run", "--json"]) == 0

    printed = json.loads(capsys.readouterr().out)
    assert standin.calls(kind="write") == []
    with client_for(standin, clock, account(standin, WRITER, readonly=True), timeout=600) as client:
        expected = upgrade_gsheet(client, key, dry_run=True).to_dict()
    assert printed == expected
    assert printed["from_version"] == 1
