"""Benchmark: `sheetkit.import_records` on a 10^5-row CSV of visits, against pandas.read_csv of the same file.

Each measurement runs in a fresh subprocess (so peak memory is that run's own max RSS, and
nothing is cached between runs); the median of several runs is printed with the ratio to
the baseline, pandas.read_csv(dtype=str) of the same file (told where its header is), measured
in the same run.

Run: .venv/bin/python benchmarks/bench_import.py [--rows 100000] [--runs 3]
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import random
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Final

_CHILD = r"""
import datetime as dt, json, resource, sys, time
kind, path, book = sys.argv[1], sys.argv[2], sys.argv[3]
start = time.perf_counter()
if kind == "pandas":
    import pandas as pd
    loaded = time.perf_counter()
    frame = pd.read_csv(path, dtype=str, skiprows=2)  # (below the title: pandas is told where the header is)
    rows = len(frame)
else:
    import sheetkit as sk
    from sheetkit.importing import import_records
    loaded = time.perf_counter()
    result = import_records([path], into=book, as_of=dt.date(2026, 3, 1))
    rows = result.sources[0].imported + len(result.sources[0].skipped)
done = time.perf_counter()
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB -> MiB on Linux
print(json.dumps({"seconds": done - start, "work": done - loaded, "peak_mib": peak, "rows": rows}))
"""


#: How often each service is booked; a lash lift needs a patch test (the template's Lists), so each
#: lash-lift visit in a log without a patch-test register is an Issue (about 8% of the rows).
SERVICES: Final = {"Hydrating facial": 35, "Relaxing massage": 25, "Waxing": 20, "Body scrub": 12, "Lash lift": 8}


def make_visits(path: Path, rows: int, *, seed: int = 1) -> None:
    """A hand-made Italian visit log of ``rows`` visits, as a salon keeps it for years.

    A title and a blank row above the header; visits in date order (day/month/year),
    a blank spacer row after each month and a totals row at the end; regular clients
    come back often, one client in eight is a regular; names, mobile numbers, service,
    therapist, amount with a decimal comma, a note on one visit in five. About one row
    in a thousand has a typing slip a person would make: an amount written as a word,
    a day that does not exist, so the Issue path runs at scale too.
    """
    rng = random.Random(seed)
    therapists = ["Anna", "Bea", "Carla", "Dina"]
    clients = [(f"Cliente {i:05d}", f"+39 333 {i:07d}") for i in range(rows // 8 + 1)]
    weights = [1.0 / (1 + i % 50) for i in range(len(clients))]  # regulars come back often
    names, services = list(SERVICES), list(SERVICES.values())
    start, span = dt.date(2021, 1, 4), (dt.date(2025, 12, 31) - dt.date(2021, 1, 4)).days
    days = sorted(start + dt.timedelta(days=rng.randrange(span)) for _ in range(rows))
    picked = rng.choices(range(len(clients)), weights=weights, k=rows)
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["Registro trattamenti — Salone Rossi"])
        out.writerow([])
        out.writerow(["Data", "Cliente", "Cellulare", "Trattamento", "Operatrice", "Importo", "Note"])
        month = days[0].month if days else 0
        total = 0
        for day, who in zip(days, picked, strict=True):
            if day.month != month:
                out.writerow([])
                month = day.month
            name, phone = clients[who]
            price = rng.randint(30, 150)
            total += price
            amount, when = f"{price},00", day.strftime("%d/%m/%Y")
            slip = rng.random()
            if slip < 0.0005:
                amount = "omaggio"
            elif slip < 0.001:
                when = f"31/02/{day.year}"
            note = "" if rng.random() < 0.8 else rng.choice(["pelle sensibile", "allergica al nichel", "puntuale"])
            out.writerow([when, name, phone, rng.choices(names, weights=services)[0], rng.choice(therapists),
                          amount, note])  # fmt: skip
        out.writerow(["Totale", "", "", "", "", f"{total},00", ""])


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
        print("time = the call alone (after imports); with imports = the process's whole work")
        base = {k: statistics.median(r[k] for r in results["pandas"]) for k in ("work", "seconds", "peak_mib")}
        for kind, runs in results.items():
            t, w, m = (statistics.median(r[k] for r in runs) for k in ("work", "seconds", "peak_mib"))
            label = "pandas.read_csv (baseline)" if kind == "pandas" else "sheetkit.import_records (dry run)"
            print(
                f"{label:40s} {t:7.2f} s  x{t / base['work']:5.1f}"
                f"   with imports {w:6.2f} s  x{w / base['seconds']:5.1f}"
                f"   peak RSS {m:5.0f} MiB  x{m / base['peak_mib']:4.1f}"
            )


if __name__ == "__main__":
    main()
