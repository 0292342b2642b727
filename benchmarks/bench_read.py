"""Benchmark: read + validate a branch workbook with ~10^6 visit rows, against fastexcel's raw read.

Measured in one run, on the same file, each in a fresh process (peak memory = max RSS
of that process; time from after the imports to the end of the read, as wall clock and
as CPU time of all the process's threads, which a busy machine does not inflate):

    fastexcel  fastexcel's raw read of every sheet of the workbook into pandas
               (the baseline: load_sheet(name).to_pandas() for each sheet, all kept)
    sheetkit   sheetkit.validate(path): sniff and zip checks, raw read, cell scan,
               typed parsing, pandera schemas and cross-sheet rules, for all sheets
    openpyxl   pandas.read_excel(engine="openpyxl") of the data sheets (--openpyxl-runs)

Targets (issue 14): sheetkit peaks at no more than 1.2x the memory of fastexcel and
takes no more than 1.6x its time. Each figure is the median of ``--runs`` runs; the
runs of the two readers alternate so that a busy machine slows both alike.

The workbook is generated once (demo salon, 95 000 clients, ~10^6 visits, seed 1) and
cached under /tmp/sheetkit-bench/, one file per template version. Usage:

    python benchmarks/bench_read.py [--clients 95000] [--runs 3] [--openpyxl-runs 0] [--workbook PATH]

``--workbook`` measures an existing workbook instead (e.g. one of an older template version).
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

CACHE = Path("/tmp/sheetkit-bench")  # noqa: S108 - a cache of generated demo data, nothing secret
AS_OF = dt.date(2026, 11, 22)

CHILD = textwrap.dedent(
    """
    import datetime as dt, json, resource, sys, time
    import pandas as pd
    mode, path = sys.argv[1], sys.argv[2]
    def cpu():
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return usage.ru_utime + usage.ru_stime
    if mode == "sheetkit":
        import sheetkit as sk
        import sheetkit.validation  # the imports are not timed, for either reader
        cpu0, start = cpu(), time.perf_counter()
        result = sk.validate(path, as_of=dt.date(2026, 11, 22))
        rows = {k: len(result.frames.frame(k)) for k in ("clients", "visits", "appointments")}
        extra = {"issues": len(result.issues), "errors": len(result.errors)}
    elif mode == "fastexcel":
        import fastexcel
        cpu0, start = cpu(), time.perf_counter()
        reader = fastexcel.read_excel(path)
        frames = {s: reader.load_sheet(s).to_pandas() for s in reader.sheet_names}
        rows = {s: len(f) for s, f in frames.items() if len(f) > 1000}
        extra = {}
    else:
        import openpyxl
        cpu0, start = cpu(), time.perf_counter()
        frames = pd.read_excel(path, sheet_name=sys.argv[3].split(","), engine="openpyxl")
        rows = {s: len(f) for s, f in frames.items()}
        extra = {}
    seconds, cpu_seconds = time.perf_counter() - start, cpu() - cpu0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "cpu_s": cpu_seconds, "peak_mib": peak, "rows": rows, **extra}))
    """
)


def workbook(clients: int) -> Path:
    """The cached demo workbook with ``clients`` clients (generated on first use)."""
    from sheetkit.template import load_template  # noqa: PLC0415 - keep the parent process light

    version = load_template().version
    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / f"salon-{clients}-v{version}.xlsx"
    if not path.exists():
        from sheetkit.demo import write_demo  # noqa: PLC0415 - only when the file must be built

        print(f"generating {path} (a few minutes) ...", flush=True)
        write_demo(path, clients=clients, seed=1, as_of=AS_OF)
    return path


def run(mode: str, path: Path, *extra: str) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, "-c", CHILD, mode, str(path), *extra], check=True, capture_output=True, text=True
    )
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=95_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--openpyxl-runs", type=int, default=0)
    parser.add_argument("--workbook", type=Path, default=None)
    args = parser.parse_args()
    path = args.workbook or workbook(args.clients)
    results: dict[str, list[dict[str, float]]] = {"fastexcel": [], "sheetkit": []}
    for _ in range(args.runs):
        for mode, runs in results.items():
            runs.append(run(mode, path))
            print(f"{mode:>10}: {json.dumps(runs[-1])}", flush=True)
    if args.openpyxl_runs:
        from sheetkit.template import load_template  # noqa: PLC0415

        labels = load_template().labels("en")
        sheets = ",".join(labels.sheet_name(k) for k in ("clients", "visits", "appointments", "feedback"))
        results["openpyxl"] = [run("openpyxl", path, sheets) for _ in range(args.openpyxl_runs)]
    medians = {
        mode: {key: statistics.median(r[key] for r in runs) for key in ("seconds", "cpu_s", "peak_mib")}
        for mode, runs in results.items()
    }
    base = medians["fastexcel"]
    print(f"file: {path} ({path.stat().st_size / 2**20:.0f} MiB), median of {args.runs} runs")
    heads = (("wall s", 8), ("cpu s", 8), ("peak MiB", 9), ("wall ratio", 11), ("cpu ratio", 10), ("memory ratio", 13))
    print(f"{'reader':>10} " + " ".join(f"{head:>{width}}" for head, width in heads))
    for mode, m in medians.items():
        time_ratio = m["seconds"] / base["seconds"]
        cpu_ratio = m["cpu_s"] / base["cpu_s"]
        memory_ratio = m["peak_mib"] / base["peak_mib"]
        print(
            f"{mode:>10} {m['seconds']:>8.2f} {m['cpu_s']:>8.2f} {m['peak_mib']:>9.0f} "
            f"{time_ratio:>10.2f}x {cpu_ratio:>9.2f}x {memory_ratio:>12.2f}x"
        )
    sk = medians["sheetkit"]
    verdict = sk["seconds"] <= 1.6 * base["seconds"] and sk["peak_mib"] <= 1.2 * base["peak_mib"]
    print(f"targets (time <= 1.6x, memory <= 1.2x fastexcel): {'met' if verdict else 'NOT met'}")
    cpu_verdict = sk["cpu_s"] <= 1.6 * base["cpu_s"]
    print(f"time target in CPU seconds (not inflated by a busy machine): {'met' if cpu_verdict else 'NOT met'}")


if __name__ == "__main__":
    main()
