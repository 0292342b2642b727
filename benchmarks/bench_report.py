"""Benchmark: the full weekly report on ~10^6 visits and ~10^5 clients.

Each run happens in a fresh process and times, in the same run on the same data:

    read       sheetkit.validate(path): read + parse + validate the workbook
    analytics  sheetkit.report.build_report(result): every KPI, trend, cohort and action list
    write      the report as .xlsx (native charts) and as self-contained HTML

Target (issue 4): analytics at most 0.5x the read. Peak memory = max RSS of the run.
The workbook is the one bench_read.py generates and caches under benchmarks/results/.

Usage: python benchmarks/bench_report.py [--clients 95000] [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import textwrap
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_read import workbook

CHILD = textwrap.dedent(
    """
    import datetime as dt, json, resource, sys, tempfile, time
    from pathlib import Path
    import sheetkit as sk
    from sheetkit.report import build_report, write_report_html, write_report_xlsx
    as_of = dt.date(2026, 11, 22)
    sk.load_template()
    t0 = time.perf_counter()
    result = sk.validate(sys.argv[1], as_of=as_of)
    t1 = time.perf_counter()
    report = build_report(result, as_of=as_of)
    t2 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        write_report_xlsx(report, Path(tmp) / "weekly.xlsx", locale=result.locale)
        write_report_html(report, Path(tmp) / "weekly.html", locale=result.locale)
    t3 = time.perf_counter()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"read": t1 - t0, "analytics": t2 - t1, "write": t3 - t2, "total": t3 - t0,
                      "peak_mib": peak, "visits": len(result.frames.visits), "clients": len(result.frames.clients)}))
    """
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=95_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    path = workbook(args.clients)
    runs = []
    for i in range(args.runs):
        done = subprocess.run([sys.executable, "-c", CHILD, str(path)], check=True, capture_output=True, text=True)
        runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
        figures = ", ".join(f"{key} {runs[-1][key]:.2f} s" for key in ("read", "analytics", "write"))
        print(f"run {i + 1}: {figures}, peak {runs[-1]['peak_mib']:.0f} MiB", flush=True)
    median = {
        key: statistics.median(r[key] for r in runs) for key in ("read", "analytics", "write", "total", "peak_mib")
    }
    print(f"workbook: {path.name}: {runs[0]['clients']:,} clients, {runs[0]['visits']:,} visits; median of {len(runs)}")
    for key in ("read", "analytics", "write", "total"):
        print(f"{key:>10}: {median[key]:8.2f} s")
    print(f"{'peak':>10}: {median['peak_mib']:8.0f} MiB")
    print(f"analytics / read = {median['analytics'] / median['read']:.2f}x (target <= 0.5x)")


if __name__ == "__main__":
    main()
