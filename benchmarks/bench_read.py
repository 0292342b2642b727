"""Benchmark: read + validate a branch workbook with ~10^6 visit rows.

Measured in one run, on the same file, each in a fresh process (peak memory =
max RSS of that process):

    sheetkit   sheetkit.validate(path): sniff, raw read, cell scan, typed parsing,
               pandera schemas and cross-sheet rules, for all data sheets
    (a)        fastexcel's raw read of the same four data sheets into pandas
    (b)        pandas.read_excel(engine="openpyxl") of the same four sheets

Targets (issue 3): sheetkit at most 2x (a), at least 10x faster than (b).
The workbook is generated once (demo salon, 95 000 clients, ~10^6 visits) and cached under
benchmarks/results/. Usage:

    python benchmarks/bench_read.py [--clients 95000] [--runs 3] [--openpyxl-runs 1]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
AS_OF = dt.date(2026, 11, 22)

CHILD = textwrap.dedent(
    """
    import datetime as dt, json, resource, sys, time
    import pandas as pd
    mode, path = sys.argv[1], sys.argv[2]
    start = time.perf_counter()
    if mode == "sheetkit":
        import sheetkit as sk
        result = sk.validate(path, as_of=dt.date(2026, 11, 22))
        rows = {k: len(result.frames.frame(k)) for k in ("clients", "visits", "appointments", "feedback")}
        extra = {"issues": len(result.issues)}
    else:
        sheets = ["Clients", "Visits", "Appointments", "Feedback"]
        if mode == "fastexcel":
            import fastexcel
            reader = fastexcel.read_excel(path)
            frames = {s: reader.load_sheet(s).to_pandas() for s in sheets}
        else:
            frames = pd.read_excel(path, sheet_name=sheets, engine="openpyxl")
        rows = {s.lower(): len(f) for s, f in frames.items()}
        extra = {}
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "peak_mib": peak, "rows": rows, **extra}))
    """
)


def workbook(clients: int) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"salon-{clients}.xlsx"
    if not path.exists():
        from sheetkit.demo import write_demo  # noqa: PLC0415 - only when the file must be built

        print(f"generating {path} ...", flush=True)
        write_demo(path, clients=clients, seed=1, as_of=AS_OF)
    return path


def run(mode: str, path: Path) -> dict[str, float]:
    done = subprocess.run([sys.executable, "-c", CHILD, mode, str(path)], check=True, capture_output=True, text=True)
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=95_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--openpyxl-runs", type=int, default=1)
    args = parser.parse_args()
    path = workbook(args.clients)
    medians: dict[str, dict[str, float]] = {}
    for mode, runs in (("fastexcel", args.runs), ("sheetkit", args.runs), ("openpyxl", args.openpyxl_runs)):
        results = [run(mode, path) for _ in range(runs)]
        medians[mode] = {
            "seconds": statistics.median(r["seconds"] for r in results),
            "peak_mib": statistics.median(r["peak_mib"] for r in results),
        }
        print(f"{mode:>10}: {json.dumps(results[-1]['rows'])}", flush=True)
    base = medians["fastexcel"]["seconds"]
    print(f"file: {path.name} ({path.stat().st_size / 2**20:.0f} MiB)")
    print(f"{'reader':>10} {'median s':>9} {'peak MiB':>9} {'vs fastexcel':>13}")
    for mode, m in medians.items():
        print(f"{mode:>10} {m['seconds']:>9.2f} {m['peak_mib']:>9.0f} {m['seconds'] / base:>12.2f}x")
    print(f"sheetkit vs openpyxl: {medians['openpyxl']['seconds'] / medians['sheetkit']['seconds']:.1f}x faster")


if __name__ == "__main__":
    main()
