"""Benchmark: LibreOffice open + recalculate time of the 300-client demo workbook, template v2 vs v1.

baseline = the same demo written by the v1 code (checked out at --v1, default /tmp/v1code), measured in
the same run. Reported: median seconds of several runs of ``soffice --convert-to xlsx`` with a hard
recalculation (tests/office.py recalculated_xlsx), file sizes, and the ratio v2 / v1.

Usage:  python benchmarks/bench_open_recalc.py [--runs 3] [--v1 /tmp/v1code]
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


def recalc_seconds(book: Path, folder: Path) -> float:
    sys.path.insert(0, str(ROOT))
    from tests import office  # noqa: PLC0415  (test helper, only for the benchmark)

    start = time.perf_counter()
    office.recalculated_xlsx(book, folder)
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
        medians = {}
        for name, (_, out) in books.items():
            times = [recalc_seconds(out, folder / name) for _ in range(args.runs)]
            medians[name] = statistics.median(times)
            print(f"{name}: median {medians[name]:.1f} s over {args.runs} runs, {out.stat().st_size / 1e6:.1f} MB")
        print(f"ratio v2 / v1: {medians['v2'] / medians['v1']:.2f}")


if __name__ == "__main__":
    main()
