"""Benchmark: LibreOffice open + recalculate time of the 300-client demo workbook, template v2 vs v1.

baseline = the same demo written by the v1 code (checked out at --v1, default /tmp/v1code), measured in
the same run. Reported, as medians of several runs with a hard recalculation on load (tests/office.py):

* open + recalculate: ``soffice --convert-to csv`` (the Clients sheet, with its staff view), which
  loads and recalculates the whole workbook but writes little: what staff wait for on opening;
* open + recalculate + save as xlsx (recalculated_xlsx): also writes every formula cell back;

with file sizes and the ratio v2 / v1 of each.

Usage:  git worktree add /tmp/v1code 02ae67a   # the last commit with template v1
        python benchmarks/bench_open_recalc.py [--runs 3] [--v1 /tmp/v1code]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WRITE = textwrap.dedent(
    """
    import datetime as dt, sys
    sys.path.insert(0, sys.argv[1])
    from sheetkit.demo import generate_demo
    from sheetkit.excel.writer import write_excel
    data = generate_demo(clients=300, seed=1, as_of=dt.date(2026, 11, 22))
    write_excel(sys.argv[2], data, overwrite=True)
    """
)


def recalc_seconds(book: Path, folder: Path, *, save_xlsx: bool) -> float:
    sys.path.insert(0, str(ROOT))
    from tests import office  # noqa: PLC0415  (test helper, only for the benchmark)

    start = time.perf_counter()
    if save_xlsx:
        office.recalculated_xlsx(book, folder)
    else:
        office.convert(book, "csv", folder / "csv", recalc=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--v1", type=Path, default=Path("/tmp/v1code"))  # noqa: S108  (where the lead checks v1 out)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        books = {"v1": (args.v1, folder / "v1.xlsx"), "v2": (ROOT, folder / "v2.xlsx")}
        for code, out in books.values():
            subprocess.run([sys.executable, "-c", WRITE, str(code), str(out)], check=True, cwd=code)
        for save_xlsx, what in ((False, "open + recalculate"), (True, "open + recalculate + save as xlsx")):
            medians = {}
            for name, (_, out) in books.items():
                times = [recalc_seconds(out, folder / name, save_xlsx=save_xlsx) for _ in range(args.runs)]
                medians[name] = statistics.median(times)
                size = out.stat().st_size / 1e6
                print(f"{what}, {name}: median {medians[name]:.1f} s over {args.runs} runs ({size:.1f} MB file)")
            print(f"{what}: ratio v2 / v1 {medians['v2'] / medians['v1']:.2f}")


if __name__ == "__main__":
    main()
