"""Benchmark: how fast the command line starts, and a whole ``sheetkit check`` of the 300-client demo.

Every run is a fresh process timed from the outside, as a person at the terminal meets it: wall clock
from start to exit, and the CPU time (user + system) the process used, which a busy machine does not
inflate. Measured, interleaved in the same run so machine load hits all alike:

- ``sheetkit --help`` and ``sheetkit check --help`` (target: under 0.3 s);
- ``sheetkit check demo.xlsx`` of the 300-client demo (target: under 1.2 s, or at most 2x the baseline);
- the baseline: ``python -c "import pandas"``, a bare pandas import in the same interpreter.

Reported: the median of each and its ratio to the baseline's median, for wall and CPU time.

Byte code is cached as for an installed package (pip compiles it on install): the children write it
under a private ``PYTHONPYCACHEPREFIX`` even where ``PYTHONDONTWRITEBYTECODE`` is set, so a checkout
that never keeps .pyc files does not recompile sheetkit in every run (``--no-bytecode-cache`` does).

Usage:  python benchmarks/bench_startup.py [--runs 7] [--clients 300] [--no-bytecode-cache]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

AS_OF = dt.date(2026, 11, 22)


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _timed(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU seconds of one run of ``argv`` in a fresh process."""
    cpu, start = _cpu(), time.perf_counter()
    done = subprocess.run(argv, capture_output=True, check=False, env=env)
    seconds, cpu = time.perf_counter() - start, _cpu() - cpu
    if done.returncode not in (0, 1):  # 1: the check found issues, still a complete run
        raise SystemExit(f"{' '.join(argv)} failed ({done.returncode}): {done.stderr.decode()[-400:]}")
    return seconds, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--clients", type=int, default=300)
    parser.add_argument("--no-bytecode-cache", action="store_true", help="leave PYTHONDONTWRITEBYTECODE as it is")
    args = parser.parse_args()
    cli = [sys.executable, "-m", "sheetkit"]
    with tempfile.TemporaryDirectory() as folder:
        env = dict(os.environ)
        if not args.no_bytecode_cache:
            env.pop("PYTHONDONTWRITEBYTECODE", None)
            env["PYTHONPYCACHEPREFIX"] = str(Path(folder) / "pycache")
        book = Path(folder) / "demo.xlsx"
        subprocess.run(
            [*cli, "demo", str(book), "--clients", str(args.clients), "--as-of", AS_OF.isoformat(), "--quiet"],
            check=True,
            capture_output=True,
            env=env,
        )
        commands = {
            "import pandas (baseline)": [sys.executable, "-c", "import pandas"],
            "sheetkit --help": [*cli, "--help"],
            "sheetkit check --help": [*cli, "check", "--help"],
            f"sheetkit check ({args.clients} clients)": [*cli, "check", str(book), "--as-of", AS_OF.isoformat()],
        }
        walls: dict[str, list[float]] = {name: [] for name in commands}
        cpus: dict[str, list[float]] = {name: [] for name in commands}
        for argv in commands.values():
            _timed(argv, env)  # warm the file cache and the byte code once
        for _ in range(args.runs):
            for name, argv in commands.items():
                wall, cpu = _timed(argv, env)
                walls[name].append(wall)
                cpus[name].append(cpu)
    base_wall = statistics.median(walls["import pandas (baseline)"])
    base_cpu = statistics.median(cpus["import pandas (baseline)"])
    rows = {
        name: {
            "median_s": round(statistics.median(walls[name]), 3),
            "ratio_to_pandas": round(statistics.median(walls[name]) / base_wall, 2),
            "median_cpu_s": round(statistics.median(cpus[name]), 3),
            "cpu_ratio_to_pandas": round(statistics.median(cpus[name]) / base_cpu, 2),
        }
        for name in commands
    }
    print(f"{'command':32} {'wall s':>8} {'x pandas':>9} {'cpu s':>8} {'x pandas':>9}")
    for name, row in rows.items():
        print(
            f"{name:32} {row['median_s']:8.3f} {row['ratio_to_pandas']:9.2f} "
            f"{row['median_cpu_s']:8.3f} {row['cpu_ratio_to_pandas']:9.2f}"
        )
    print(json.dumps({"runs": args.runs, "clients": args.clients, "results": rows}))


if __name__ == "__main__":
    main()
