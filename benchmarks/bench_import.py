"""Benchmark: `sheetkit.import_records` on a 10^5-row CSV of visits, against pandas.read_csv of the same file.

Each measurement runs in a fresh subprocess (so peak memory is that run's own max RSS, and
nothing is cached between runs); the median of several runs is printed with the ratio to
the baseline, pandas.read_csv(dtype=str) of the same file, measured in the same run.

Run: .venv/bin/python benchmarks/bench_import.py [--rows 100000] [--runs 3]
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

_CHILD = r"""
import datetime as dt, json, resource, sys, time
kind, path, book = sys.argv[1], sys.argv[2], sys.argv[3]
start = time.perf_counter()
if kind == "pandas":
    import pandas as pd
    frame = pd.read_csv(path, dtype=str)
    rows = len(frame)
else:
    import sheetkit as sk
    result = sk.import_records([path], into=book, as_of=dt.date(2026, 3, 1))
    rows = result.sources[0].imported + len(result.sources[0].skipped)
seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB -> MiB on Linux
print(json.dumps({"seconds": seconds, "peak_mib": peak, "rows": rows}))
"""


def make_visits(path: Path, rows: int, *, seed: int = 1) -> None:
    """A hand-made-style visit log: date (day/month), client name, phone, service, therapist, amount, notes."""
    rng = random.Random(seed)
    services = ["Hydrating facial", "Relaxing massage", "Waxing", "Lash lift", "Body scrub"]
    therapists = ["Anna", "Bea", "Carla", "Dina"]
    clients = [(f"Client {i:05d}", f"+39 333 {i:07d}") for i in range(rows // 8 + 1)]
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["Data", "Cliente", "Cellulare", "Trattamento", "Operatrice", "Importo", "Note"])
        for _ in range(rows):
            name, phone = rng.choice(clients)
            day = f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/{rng.randint(2021, 2025)}"
            note = "" if rng.random() < 0.8 else "pelle sensibile"
            out.writerow([day, name, phone, rng.choice(services), rng.choice(therapists),
                          f"{rng.randint(30, 150)},00", note])  # fmt: skip


def measure(kind: str, path: Path, book: Path) -> dict[str, float]:
    """One run in a fresh interpreter."""
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, kind, str(path), str(book)], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"the {kind} run failed:\n{done.stderr[-2000:]}")
    data: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "visits.csv"
        make_visits(path, args.rows)
        book = Path(folder) / "salon.xlsx"
        results: dict[str, list[dict[str, float]]] = {"pandas": [], "sheetkit": []}
        for _ in range(args.runs):
            for kind, runs in results.items():
                runs.append(measure(kind, path, book))
        size = path.stat().st_size / 2**20
        print(f"{args.rows} visit rows, {size:.1f} MiB CSV; median of {args.runs} runs, each in a fresh process")
        base_t = statistics.median(r["seconds"] for r in results["pandas"])
        base_m = statistics.median(r["peak_mib"] for r in results["pandas"])
        for kind, runs in results.items():
            t = statistics.median(r["seconds"] for r in runs)
            m = statistics.median(r["peak_mib"] for r in runs)
            label = "pandas.read_csv(dtype=str) (baseline)" if kind == "pandas" else "sheetkit.import_records (dry run)"
            print(f"{label:40s} {t:7.2f} s  x{t / base_t:5.1f}   peak RSS {m:7.0f} MiB  x{m / base_m:4.1f}")


if __name__ == "__main__":
    main()
