"""Hostile and changing workbook files: `sheetkit check` ends with one line and exit 2, never a crash.

Each file is a small demo workbook with one part rewritten the way an attacker (or a
failing copy) would: a zip bomb whose headers understate its size, a part failing its
checksum, shared strings declaring four billion texts, a cell far beyond the last
column. The command runs as a user runs it, in a child process whose peak memory a
small wrapper reports (the Rust readers abort the whole process when an allocation
fails, so this can only be seen from outside).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import re
import struct
import subprocess
import sys
import threading
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

import sheetkit as sk
from sheetkit.errors import UnsafeWorkbookError, UnsupportedFormatError
from sheetkit.excel.sniff import sniff_workbook
from sheetkit.template.geometry import column_letter

AS_OF = dt.date(2026, 11, 22)
MiB = 1024 * 1024
GiB = 1024 * MiB
CLIENTS = "xl/worksheets/sheet1.xml"

#: Runs its arguments as a child and prints what happened, with the child's own peak memory (KiB on Linux).
_WRAPPER = """
import json, resource, subprocess, sys, time
start = time.perf_counter()
done = subprocess.run(sys.argv[1:], capture_output=True, text=True, check=False)
print(json.dumps({
    "code": done.returncode,
    "stderr": done.stderr,
    "seconds": time.perf_counter() - start,
    "peak": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024,
}))
"""


@dataclass
class Run:
    code: int
    stderr: str
    seconds: float
    peak: int  # bytes

    @property
    def lines(self) -> list[str]:
        return self.stderr.splitlines()


def check(path: Path) -> Run:
    """``sheetkit check path`` in a fresh child process."""
    done = subprocess.run(
        [sys.executable, "-c", _WRAPPER, sys.executable, "-m", "sheetkit", "check", str(path), "--as-of", "2026-11-22"],
        capture_output=True,
        text=True,
        check=True,
    )
    return Run(**json.loads(done.stdout))


def refused(run: Run, *phrases: str) -> None:
    """Exit 2 with one line of advice on stderr, no traceback, well under 1 GiB of memory."""
    assert run.code == 2, run.stderr
    assert "Traceback" not in run.stderr
    assert len(run.lines) == 1, run.stderr
    assert run.lines[0].startswith("error: ")
    for phrase in phrases:
        assert phrase in run.stderr
    assert run.peak < GiB


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    path = tmp_path_factory.mktemp("demo") / "salon.xlsx"
    sk.write_demo(path, clients=20, as_of=AS_OF)
    return path.read_bytes()


def rezip(data: bytes, replace: dict[str, bytes] | None = None, add: dict[str, bytes] | None = None) -> bytes:
    """A copy of the zip ``data`` with parts replaced or added."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, (replace or {}).get(info.filename, src.read(info)))
        for name, body in (add or {}).items():
            dst.writestr(name, body)
    return out.getvalue()


def part(data: bytes, name: str) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return zf.read(name)


def put(folder: Path, data: bytes, name: str = "salon.xlsx") -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


def patch_entry(data: bytes, name: str, *, size: int | None = None, crc: int | None = None) -> bytes:
    """``data`` with the declared size or CRC of one part changed in both its local and central headers."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        local = zf.getinfo(name).header_offset
    out = bytearray(data)
    central = out.find(b"PK\x01\x02")
    while out[central + 46 : central + 46 + struct.unpack_from("<H", out, central + 28)[0]] != name.encode():
        central = out.find(b"PK\x01\x02", central + 4)
    for crc_at in (local + 14, central + 16):  # the uncompressed size follows the CRC by 8 bytes in both
        if crc is not None:
            struct.pack_into("<I", out, crc_at, crc)
        if size is not None:
            struct.pack_into("<I", out, crc_at + 8, size)
    return bytes(out)


def lying_bomb(data: bytes, *, inflates_to: int, declares: int) -> bytes:
    """``data`` whose Clients sheet unpacks to ``inflates_to`` bytes while its headers say ``declares``."""
    sheet = part(data, CLIENTS)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename != CLIENTS:
                dst.writestr(info.filename, src.read(info))
                continue
            with dst.open(CLIENTS, "w") as member:
                member.write(sheet)
                zeros = bytes(MiB)
                for _ in range((inflates_to - len(sheet)) // MiB):
                    member.write(zeros)
    return patch_entry(out.getvalue(), CLIENTS, size=declares)


# --------------------------------------------------------------------------- zip parts that lie


def test_a_zip_bomb_whose_headers_understate_its_size_is_refused(tmp_path: Path, demo: bytes) -> None:
    bomb = lying_bomb(demo, inflates_to=300 * MiB, declares=MiB)
    assert len(bomb) < 2 * MiB
    path = put(tmp_path, bomb)
    refused(check(path), "'xl/worksheets/sheet1.xml' unpacks to more than the 1.0 MB its header declares", "zip bomb")


def test_a_part_failing_its_checksum_is_refused_as_damaged(tmp_path: Path, demo: bytes) -> None:
    with zipfile.ZipFile(io.BytesIO(demo)) as zf:
        crc = zf.getinfo(CLIENTS).CRC
    path = put(tmp_path, patch_entry(demo, CLIENTS, crc=crc ^ 1))
    refused(check(path), "'xl/worksheets/sheet1.xml' fails its checksum", "damaged")


def test_a_part_shorter_than_declared_is_refused_as_damaged(tmp_path: Path, demo: bytes) -> None:
    declared = len(part(demo, CLIENTS)) + 10
    with pytest.raises(UnsupportedFormatError, match=f"not the {declared:,} bytes it declares"):
        sniff_workbook(put(tmp_path, patch_entry(demo, CLIENTS, size=declared)))


# --------------------------------------------------------------------------- counts and places the readers trust


def _with_shared_strings(data: bytes, unique: str) -> bytes:
    strings = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        f'count="3" uniqueCount="{unique}"><si><t>x</t></si></sst>'
    )
    return rezip(data, add={"xl/sharedStrings.xml": strings.encode()})


def test_shared_strings_declaring_four_billion_texts_are_refused(tmp_path: Path, demo: bytes) -> None:
    path = put(tmp_path, _with_shared_strings(demo, "4294967295"))
    refused(check(path), "'xl/sharedStrings.xml' says it holds 4,294,967,295 different texts", "96.0 GB")


def test_a_true_unique_count_reads(tmp_path: Path, demo: bytes) -> None:
    assert sniff_workbook(put(tmp_path, _with_shared_strings(demo, "1"))) == "xlsx"


def _with_cell(data: bytes, row: str, cell: str) -> bytes:
    sheet = part(data, CLIENTS).replace(b"</sheetData>", f'<row r="{row}">{cell}</row></sheetData>'.encode())
    return rezip(data, {CLIENTS: sheet})


@pytest.mark.parametrize(
    ("row", "cell", "phrase"),
    [
        ("5000", '<c r="ZZZZ5000" t="inlineStr"><is><t>x</t></is></c>', "beyond XFD"),
        ("4294967295", '<c r="A4294967295" t="inlineStr"><is><t>x</t></is></c>', "row 4,294,967,295"),
        ("1048576", '<c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c>', "A1:XFD1048576"),
    ],
    ids=["past-column-XFD", "past-the-last-row", "one-stray-cell-at-XFD1048576"],
)
def test_a_cell_far_from_the_data_is_refused(tmp_path: Path, demo: bytes, row: str, cell: str, phrase: str) -> None:
    refused(check(put(tmp_path, _with_cell(demo, row, cell))), phrase, "'xl/worksheets/sheet1.xml'")


def test_an_absurd_dimension_is_not_trusted(tmp_path: Path, demo: bytes) -> None:
    sheet = re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:XFD4294967295"/>', part(demo, CLIENTS))
    run = check(put(tmp_path, rezip(demo, {CLIENTS: sheet})))
    assert run.code == 0, run.stderr
    assert run.stderr == ""  # not even calamine's warning about it
    assert run.peak < GiB


@pytest.mark.parametrize(
    "cells",
    [
        # no r: calamine counts columns itself, so 20,000 cells in a row reach past XFD
        '<row r="3">' + '<c t="inlineStr"><is><t>x</t></is></c>' * 20_000 + "</row>",
        # a second r attribute wins in calamine
        '<row r="3"><c r="A3" r="XFD1048576"><v>1</v></c></row>',
        # a prefixed cell is a cell to calamine
        '<row r="3"><x:c r="XFD1048576" xmlns:x="urn:x"><x:v>1</x:v></x:c></row>',
        # a row number and cells without r
        '<row r="1048576"><c><v>1</v></c><c><v>1</v></c></row><row r="3"><c r="XFD3"><v>1</v></c></row>',
    ],
    ids=["implicit-columns", "second-r", "prefixed", "implicit-row"],
)
def test_cells_placed_in_unusual_ways_are_found(tmp_path: Path, demo: bytes, cells: str) -> None:
    sheet = part(demo, CLIENTS).replace(b"</sheetData>", cells.encode() + b"</sheetData>")
    with pytest.raises(UnsafeWorkbookError, match=r"'xl/worksheets/sheet1\.xml' (has cells spread|places a cell)"):
        sniff_workbook(put(tmp_path, rezip(demo, {CLIENTS: sheet})))


def test_a_damaged_sheet_is_advice_not_library_text(tmp_path: Path, demo: bytes) -> None:
    sheet = part(demo, CLIENTS)
    run = check(put(tmp_path, rezip(demo, {CLIENTS: sheet[: len(sheet) // 2]})))
    refused(run, "the sheet 'Clients' cannot be read", "save it again")
    assert "Calamine" not in run.stderr
    assert "Xml" not in run.stderr


# --------------------------------------------------------------------------- wide sheets


def test_a_header_out_to_column_xfd_reads_in_seconds(tmp_path: Path, demo: bytes) -> None:
    sheet = part(demo, CLIENTS)
    end = sheet.index(b"</row>")
    extra = b"".join(
        f'<c r="{column_letter(j)}1" t="inlineStr"><is><t>Extra {j}</t></is></c>'.encode() for j in range(47, 16_384)
    )
    path = put(tmp_path, rezip(demo, {CLIENTS: sheet[:end] + extra + sheet[end:]}))
    run = check(path)
    assert run.code in (0, 1), run.stderr
    assert run.stderr == ""  # no PerformanceWarning flood
    assert run.seconds < 60  # it never finished (> 9 minutes) before; a few seconds now
    result = sk.validate(path, as_of=AS_OF)
    assert len(result.frames.clients) == 20
    assert "Extra 16383" in result.frames.clients.columns
    assert sum(issue.code == "extra-column" for issue in result.issues) == 16_384 - 47


# --------------------------------------------------------------------------- files that change under the reader


def test_a_file_replaced_while_it_is_read_says_so(tmp_path: Path, demo: bytes) -> None:
    other = tmp_path / "other.xlsx"
    sk.write_demo(other, clients=8, seed=3, as_of=AS_OF)
    versions = [demo, other.read_bytes(), demo[: len(demo) // 2]]
    path = put(tmp_path, demo)
    stop = threading.Event()

    def keep_replacing() -> None:
        n = 0
        while not stop.is_set():
            staging = tmp_path / f"staging-{n % 2}.tmp"
            staging.write_bytes(versions[n % len(versions)])
            os.replace(staging, path)
            n += 1
            time.sleep(0.005)

    replacer = threading.Thread(target=keep_replacing)
    replacer.start()
    try:
        runs = [check(path) for _ in range(3)]
    finally:
        stop.set()
        replacer.join()
    for run in runs:
        assert "Traceback" not in run.stderr
        if run.code != 2:
            assert run.code in (0, 1), run.stderr
            continue
        assert len(run.lines) == 1, run.stderr
        assert "changed while it was being read" in run.stderr or "damaged" in run.stderr
    # The file changes every few milliseconds and a check takes longer: it must have noticed.
    assert any("changed while it was being read" in run.stderr for run in runs)
