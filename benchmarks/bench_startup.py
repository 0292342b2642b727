"""Benchmark: how fast the command line starts, and a whole ``sheetkit check`` of the 300-client demo.

Every run is a fresh process timed from the outside (wall clock, start to exit), as a person at the
terminal meets it. Measured, interleaved in the same run so machine load hits all alike:

- ``sheetkit --help`` and ``sheetkit check --help`` (target: under 0.3 s);
- ``sheetkit check demo.xlsx`` of the 300-client demo (target: under 1.2 s, or at most 2x the baseline);
- the baseline: ``python -c "import pandas"``, a bare pandas import in the same interpreter.

Reported: the median of each and its ratio to the baseline's median.

Usage:  python benchmarks/bench_startup.py [--runs 7] [--clients 300]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

AS_OF = dt.date(2026, 11, 22)


def _timed(argv: list[str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, check=False)
    seconds = time.perf_counter() - start
    if done.returncode not in (0, 1):  # 1: the check found issues, still a complete run
        raise SystemExit(f"{' '.join(argv)} failed ({done.returncode}): {done.stderr.decode()[-400:]}")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--clients", type=int, default=300)
    args = parser.parse_args()
    cli = [sys.executable, "-m", "sheetkit"]
    with tempfile.TemporaryDirectory() as folder:
        book = Path(folder) / "demo.xlsx"
        subprocess.run(
            [*cli, "demo", str(book), "--clients", str(args.clients), "--as-of", AS_OF.isoformat(), "--quiet"],
            check=True,
            capture_output=True,
        )
        commands = {
            "import pandas (baseline)": [sys.executable, "-c", "import pandas"],
            "sheetkit --help": [*cli, "--help"],
            "sheetkit check --help": [*cli, "check", "--help"],
            f"sheetkit check ({args.clients} clients)": [*cli, "check", str(book), "--as-of", AS_OF.isoformat()],
        }
        times: dict[str, list[float]] = {name: [] for name in commands}
        _timed(commands["sheetkit check --help"])  # warm the file cache and byte-code once
        for _ in range(args.runs):
            for name, argv in commands.items():
                times[name].append(_timed(argv))
    baseline = statistics.median(times["import pandas (baseline)"])
    rows = {
        name: {"median_s": round(statistics.median(t), 3), "ratio_to_pandas": round(statistics.median(t) / baseline, 2)}
        for name, t in times.items()
    }
    print(f"{'command':32} {'median s':>9} {'x pandas':>9}")
    for name, row in rows.items():
        print(f"{name:32} {row['median_s']:9.3f} {row['ratio_to_pandas']:9.2f}")
    print(json.dumps({"runs": args.runs, "clients": args.clients, "results": rows}))


if __name__ == "__main__":
    main()
