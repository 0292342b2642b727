"""Benchmark: the cost of encryption at rest on ``sheetkit check``, against the same workbook unencrypted.

For each size (the 300-client and the 10^4-client demo salon, seed 1), the same salon
is written twice, plain and Office-encrypted (ECMA-376 agile, AES-256), and
``sheetkit.validate`` (what ``sheetkit check`` runs) reads and checks each one. The
runs of the two files alternate so that a busy machine slows both alike; each figure
is the median of ``--runs`` runs, and the ratio is encrypted / plain, measured in
this run. The decryption alone (key derivation with 100 000 SHA-512 rounds, then
AES-256 over the package, into memory) is timed separately.

The workbooks are cached under /tmp/sheetkit-bench/encryption/, one pair per template version.
Usage:

    python benchmarks/bench_encryption.py [--sizes 300 10000] [--runs 5]
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import tempfile
import time
from pathlib import Path

import sheetkit as sk
from sheetkit.excel.crypto import decrypted
from sheetkit.excel.sniff import pin_workbook
from sheetkit.template import load_template

CACHE = Path(tempfile.gettempdir()) / "sheetkit-bench" / "encryption"  # a pair is written by the same code
AS_OF = dt.date(2026, 11, 22)
PASSWORD = "benchmark-only-password"  # noqa: S105 - a benchmark's throw-away password


def workbooks(clients: int) -> tuple[Path, Path]:
    """The cached plain and encrypted demo workbooks with ``clients`` clients (written on first use)."""
    version = load_template().version
    CACHE.mkdir(parents=True, exist_ok=True)
    plain = CACHE / f"salon-{clients}-v{version}.xlsx"
    locked = CACHE / f"salon-{clients}-v{version}-encrypted.xlsx"
    for path, password in ((plain, None), (locked, PASSWORD)):
        if not path.exists():
            print(f"generating {path} ...", flush=True)
            sk.write_demo(path, clients=clients, seed=1, as_of=AS_OF, password=password)
    return plain, locked


def _check(path: Path, password: str | None) -> float:
    start = time.perf_counter()
    result = sk.validate(path, as_of=AS_OF, password=password)
    seconds = time.perf_counter() - start
    if result.frames.clients.empty:
        raise SystemExit(f"{path}: no clients read")
    return seconds


def _decrypt_only(path: Path) -> float:
    start = time.perf_counter()
    with pin_workbook(path) as pinned, decrypted(pinned, PASSWORD) as plain:
        if plain.size == 0:
            raise SystemExit(f"{path}: nothing decrypted")
    return time.perf_counter() - start


def measure(clients: int, runs: int) -> dict[str, float]:
    """Median seconds of check on the plain and the encrypted workbook, and of the decryption alone."""
    plain, locked = workbooks(clients)
    _check(plain, None)  # warm-up: imports, template, page cache
    _check(locked, PASSWORD)
    times: dict[str, list[float]] = {"plain": [], "encrypted": [], "decrypt": []}
    for _ in range(runs):
        times["plain"].append(_check(plain, None))
        times["encrypted"].append(_check(locked, PASSWORD))
        times["decrypt"].append(_decrypt_only(locked))
    return {
        "plain": statistics.median(times["plain"]),
        "encrypted": statistics.median(times["encrypted"]),
        "decrypt": statistics.median(times["decrypt"]),
        "plain_mib": plain.stat().st_size / 1024**2,
        "encrypted_mib": locked.stat().st_size / 1024**2,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[300, 10_000], help="demo sizes (clients)")
    parser.add_argument("--runs", type=int, default=5, help="runs per file; the median is reported")
    args = parser.parse_args()
    rows = [(clients, measure(clients, args.runs)) for clients in args.sizes]
    print(f"\ncheck (sheetkit.validate), median of {args.runs} runs; baseline: the same workbook unencrypted")
    header = f"{'clients':>8} {'file MiB':>9} {'plain s':>9} {'encrypted s':>12} {'ratio':>7} {'decrypt s':>10}"
    print(header)
    print("-" * len(header))
    for clients, m in rows:
        ratio = m["encrypted"] / m["plain"]
        print(
            f"{clients:>8} {m['plain_mib']:>9.1f} {m['plain']:>9.3f} {m['encrypted']:>12.3f} "
            f"{ratio:>6.2f}x {m['decrypt']:>10.3f}"
        )


if __name__ == "__main__":
    main()
