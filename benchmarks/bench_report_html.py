"""Benchmark: the size of the weekly report's HTML, the body of the e-mail.

Gmail clips a message body above 102 KB. Budgets (issue 10): at most 100 KB for the
300-client demo, at most 250 KB at 20,000 clients. For each size and locale this
writes the demo salon as a workbook (as ``sheetkit demo`` does), reports on it the
way ``sheetkit report BOOK --as-of 2026-11-22 --html ...`` does, and prints the
HTML size, the .xlsx size, the rows of the longest action list (the HTML shows its
first 20, the .xlsx all) and the time of the report.

Usage: python benchmarks/bench_report_html.py [--clients 300 20000] [--locales en vi]
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import sheetkit as sk

AS_OF = dt.date(2026, 11, 22)
#: Budget in bytes by number of clients (the largest budget not above the salon's size applies).
BUDGETS = {300: 100_000, 20_000: 250_000}


def budget(clients: int) -> int:
    """The HTML budget of a salon with ``clients`` clients."""
    return max((b for size, b in BUDGETS.items() if size <= clients), default=BUDGETS[300])


def measure(folder: Path, clients: int, locale: str) -> dict[str, float]:
    book = folder / f"salon-{clients}-{locale}.xlsx"
    sk.write_demo(book, clients=clients, seed=1, as_of=AS_OF, locale=locale)
    started = time.perf_counter()
    out, html = folder / "weekly.xlsx", folder / "weekly.html"
    summary = sk.weekly_report(book, as_of=AS_OF, out=out, html=html, overwrite=True)
    seconds = time.perf_counter() - started
    return {
        "html": html.stat().st_size,
        "xlsx": out.stat().st_size,
        "rows": max(summary["actions"].values()),
        "seconds": seconds,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, nargs="+", default=[300, 20_000])
    parser.add_argument("--locales", nargs="+", default=["en", "vi"])
    args = parser.parse_args()
    print(f"{'clients':>8} {'locale':>6} {'html':>10} {'budget':>10} {'xlsx':>10} {'list rows':>10} {'report':>8}")
    with tempfile.TemporaryDirectory() as tmp:
        for clients in args.clients:
            for locale in args.locales:
                m = measure(Path(tmp), clients, locale)
                verdict = "ok" if m["html"] <= budget(clients) else "OVER"
                print(
                    f"{clients:>8,} {locale:>6} {m['html'] / 1000:>8.1f}KB {budget(clients) / 1000:>8.0f}KB "
                    f"{m['xlsx'] / 1000:>8.0f}KB {m['rows']:>10,} {m['seconds']:>7.1f}s {verdict}",
                    flush=True,
                )


if __name__ == "__main__":
    main()
