"""Record the requests the v1 code sends to write a demo branch to Google Sheets: gsheets-demo-it.json.gz.

tests/fixtures/v1/gsheets-demo-it.json.gz is a v1 branch spreadsheet as requests:
the Italian demo (40 clients, seed 3, as of 2026-11-22, branch MI01) written by the
v1 code to the Sheets stand-in (tests/sheets_standin.py). tests/test_gsheets_upgrade.py
replays them on the stand-in to get a v1 branch and upgrades it. It was made once:

1. ``git worktree add /tmp/v1code <commit before template v2>``;
2. from the repository root, with the v1 package first on the path::

       PYTHONPATH=/tmp/v1code:. python scripts/record_v1_gsheet.py /tmp/skfix/gsheets-demo-it.json

   (the stand-in and its helpers come from this repository's tests/);
3. ``gzip -9 -n -c /tmp/skfix/gsheets-demo-it.json > tests/fixtures/v1/gsheets-demo-it.json.gz``.

The file holds ``{"template_version": 1, "calls": [...]}``: each call is
``{"create": {"properties", "sheets"}}`` or ``{"batch_update" | "values_batch_update": body}``,
in the order sent. Nothing reaches Google: the stand-in answers every request.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import sheetkit as sk
from sheetkit.gsheets.client import SheetsClient
from tests.gsheets_support import WRITER, account, client_for
from tests.sheets_standin import FakeClock, SheetsStandIn

RECORDED = ("create", "batch_update", "values_batch_update")


def _recording(name: str, original: Callable[..., Any], calls: list[dict[str, Any]]) -> Callable[..., Any]:
    """``original`` (a SheetsClient method) that first keeps the body of the request it sends."""

    def call(self: SheetsClient, *args: Any, **kwargs: Any) -> Any:
        if name == "create":
            calls.append({"create": {"properties": args[0], "sheets": args[1]}})
        else:
            calls.append({name: args[1]})
        return original(self, *args, **kwargs)

    return call


def record() -> list[dict[str, Any]]:
    """Write the demo branch to the stand-in with the installed sheetkit; the requests it sent."""
    calls: list[dict[str, Any]] = []
    originals = {name: getattr(SheetsClient, name) for name in RECORDED}
    for name, original in originals.items():
        setattr(SheetsClient, name, _recording(name, original, calls))
    try:
        clock = FakeClock()
        with SheetsStandIn(clock=clock) as standin:
            data = sk.generate_demo(clients=40, locale="it", seed=3, as_of=dt.date(2026, 11, 22))
            with client_for(standin, clock, account(standin, WRITER, readonly=False)) as writer:
                sk.write_gsheet(writer, data, locale="it", branch="MI01", generated_at=dt.datetime(2026, 11, 22, 9, 0))
    finally:
        for name, original in originals.items():
            setattr(SheetsClient, name, original)
    return calls


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: PYTHONPATH=/tmp/v1code:. python scripts/record_v1_gsheet.py OUT.json", file=sys.stderr)
        return 2
    calls = record()
    recording = {"template_version": sk.load_template().version, "calls": calls}
    Path(argv[0]).write_text(json.dumps(recording, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    print(len(calls), [next(iter(c)) for c in calls])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
