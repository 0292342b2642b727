"""Benchmark: consolidating a simulated chain of 500 branch Google Sheets within quota.

Each branch is a small workbook written once by sheetkit's Google Sheets writer
and copied into 500 spreadsheets of the local Sheets stand-in
(tests/sheets_standin; nothing leaves 127.0.0.1). Time is simulated: the
stand-in's quota windows and sheetkit's rate limiter run on the same fake clock,
so minutes of quota pass in the time the real work takes. For 1 and 5 service
accounts (one Google Cloud project: 60 reads per minute per account, 300 per
project) it prints:

    reads        read requests sent (target: exactly one values.batchGet per branch)
    tokens       OAuth token requests (one per account)
    429s         quota errors the stand-in answered (target: 0; the limiter waits instead)
    simulated    wall time the quota imposes (what a real pull would take at least)
    real         time this machine spent (reading + validating 500 workbooks), median of --runs
    naive        the least quota time of the usual gspread way (open_by_key + get_all_values per tab;
                 its reads per branch measured on the stand-in in the same run) at the same quota

Usage: python benchmarks/bench_chain.py [--branches 500] [--runs 3] [--accounts 1 5]
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import gspread
from google.auth.transport.requests import AuthorizedSession
from google.oauth2.service_account import Credentials

from sheetkit.chain import Branch, pull_chain
from sheetkit.gsheets.auth import READ_SCOPES
from tests.gsheets_support import AS_OF, READER, WRITER, account, client_for, copy_branch, tab_values, write_branch
from tests.sheets_standin import FakeClock, LocalGoogleAdapter, SheetsStandIn

ACCOUNTS = (1, 5)


def run(branches: int, accounts: int) -> dict[str, float]:
    clock = FakeClock()
    with SheetsStandIn(clock=clock) as standin:
        template, _ = write_branch(standin, clock, clients=8, share_with=())
        values = tab_values(standin, clock, template, "en")
        emails = [f"reader-{i}@salon-chain.iam.gserviceaccount.com" for i in range(accounts)]
        keys = [copy_branch(standin, values, owner=WRITER) for _ in range(branches)]
        for key in keys:
            for email in emails:
                standin.share(key, email, role="reader")
        readers = [account(standin, e, readonly=True) for e in emails]
        standin.reset_quota()  # the set-up read above is the same project's: start the pull with a fresh minute
        before = len(standin.log)
        start_sim, start_real = clock.now(), time.perf_counter()
        with client_for(standin, clock, readers) as client:
            chain = pull_chain([Branch(f"B{i:03d}", k, "en") for i, k in enumerate(keys)], client, as_of=AS_OF)
        real = time.perf_counter() - start_real
        calls = standin.log[before:]
        if not chain.complete:
            raise SystemExit(f"{len(chain.failed)} branches failed: {chain.failed[0].error}")
        return {
            "reads": sum(c.kind == "read" for c in calls),
            "tokens": sum(c.kind == "token" for c in calls),
            "429s": sum(c.status == 429 for c in calls),
            "other": sum(c.status not in (200, 429) for c in calls if c.kind == "read"),
            "retries": client.stats.retries,
            "simulated": clock.now() - start_sim,
            "real": real,
        }


def naive_reads_per_branch() -> int:
    """Read requests of the usual gspread way (open_by_key, then get_all_values per tab), measured on the stand-in."""
    clock = FakeClock()
    with SheetsStandIn(clock=clock) as standin:
        key, _ = write_branch(standin, clock, clients=8, share_with=(READER,))
        info = standin.service_account(READER, project="salon-chain")
        creds = Credentials.from_service_account_info(info, scopes=list(READ_SCOPES))
        session = AuthorizedSession(creds)
        session.mount("https://", LocalGoogleAdapter(standin))
        session.mount("http://", LocalGoogleAdapter(standin))
        before = len(standin.calls(kind="read"))
        book = gspread.Client(auth=None, session=session).open_by_key(key)
        for worksheet in book.worksheets():
            worksheet.get_all_values()
        session.close()
        return len(standin.calls(kind="read")) - before


def quota_minutes(reads: int, accounts: int) -> float:
    """Least wall time a sliding 60 s window imposes on ``reads`` requests (same arithmetic as the limiter)."""
    per_minute = min(60 * accounts, 300)
    return max(0.0, (math.ceil(reads / per_minute) - 1) * 60.0) / 60


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--branches", type=int, default=500)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--accounts", type=int, nargs="+", default=list(ACCOUNTS))
    args = parser.parse_args()
    naive = naive_reads_per_branch()
    print(f"chain of {args.branches} branches, {dt.date.today()}; simulated quota 60/min/account, 300/min/project")
    print(f"baseline: gspread open_by_key + get_all_values per tab = {naive} reads per branch (measured)")
    heads = ("accounts", "reads", "tokens", "429s", "simulated", "real (median)", "naive gspread")
    print(" ".join(f"{h:>{w}}" for h, w in zip(heads, (8, 6, 6, 5, 10, 14, 14), strict=True)))
    for n in args.accounts:
        results = [run(args.branches, n) for _ in range(args.runs)]
        first = results[0]
        real = statistics.median(r["real"] for r in results)
        print(
            f"{n:>8} {first['reads']:>6.0f} {first['tokens']:>6.0f} {first['429s']:>5.0f} "
            f"{first['simulated'] / 60:>8.2f} m {real:>12.1f} s {quota_minutes(naive * args.branches, n):>12.2f} m"
        )
        for r in results:
            if r["retries"] or r["other"]:
                other = f"{r['other']:.0f} reads answered neither 200 nor 429"
                print(f"         (a run retried {r['retries']:.0f} times; {other})")


if __name__ == "__main__":
    main()
