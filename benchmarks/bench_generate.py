"""Benchmark: generating the canonical workbook (demo salon) with sheetkit.

For each size, every run happens in a fresh Python process so that peak memory
(max RSS) belongs to that run alone. Reported: median wall time of the
generation step (demo data excluded), median peak RSS of the process, and the
ratio against a named baseline measured in the same run on the same frames:

    baseline = pandas.DataFrame.to_excel(engine="xlsxwriter"), one sheet per
    frame, no validations, formats, formulas or protection.

Usage:  python benchmarks/bench_generate.py [--runs 5] [--sizes 300:0,10000:0]
(size "clients:branches"; 10^4 clients give ~10^5 visit rows).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

CHILD = textwrap.dedent(
    """
    import datetime as dt, json, resource, sys, time
    from pathlib import Path
    import pandas as pd
    from sheetkit.demo import generate_demo
    from sheetkit.excel.writer import write_excel

    mode, clients, out = sys.argv[1], int(sys.argv[2]), Path(sys.argv[3])
    data = generate_demo(clients=clients, seed=1, as_of=dt.date(2026, 11, 22))
    start = time.perf_counter()
    if mode == "sheetkit":
        write_excel(out, data, overwrite=True, generated_at=dt.datetime(2026, 11, 22, 8))
    else:
        with pd.ExcelWriter(out, engine="xlsxwriter") as writer:
            for name in ("clients", "visits", "appointments", "feedback"):
                getattr(data, name).to_excel(writer, sheet_name=name, index=False)
    seconds = time.perf_counter() - start
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"seconds": seconds, "peak_mib": peak_kib / 1024, "visits": len(data.visits),
                      "bytes": out.stat().st_size}))
    """
)


def run_once(mode: str, clients: int, folder: Path) -> dict[str, float]:
    out = folder / f"{mode}-{clients}.xlsx"
    done = subprocess.run(
        [sys.executable, "-c", CHILD, mode, str(clients), str(out)], check=True, capture_output=True, text=True
    )
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--clients", default="300,10000", help="comma-separated client counts")
    args = parser.parse_args()
    print(
        f"{'clients':>8} {'visits':>8} {'mode':>9} {'median s':>9} {'peak MiB':>9} {'file MiB':>9} {'vs baseline':>12}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for clients in (int(c) for c in args.clients.split(",")):
            medians: dict[str, dict[str, float]] = {}
            for mode in ("baseline", "sheetkit"):
                runs = [run_once(mode, clients, folder) for _ in range(args.runs)]
                medians[mode] = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
            for mode, m in medians.items():
                ratio = m["seconds"] / medians["baseline"]["seconds"]
                print(
                    f"{clients:>8} {int(m['visits']):>8} {mode:>9} {m['seconds']:>9.2f} {m['peak_mib']:>9.0f} "
                    f"{m['bytes'] / 2**20:>9.1f} {ratio:>11.2f}x"
                )


if __name__ == "__main__":
    main()
