"""Drive a real, headless LibreOffice from the test-suite and doc scripts.

This module is a thin, dependency-free wrapper around ``soffice --headless
--convert-to`` and poppler's ``pdftoppm``:

* :func:`find_soffice` locates the LibreOffice executable (``None`` when it
  is not installed, so tests can ``pytest.skip``).
* :func:`convert` converts one file to another format (``xlsx``, ``ods``,
  ``pdf``, ``csv`` ...).  By default LibreOffice is configured to *always
  recalculate* formulas on load, so the written file carries genuinely
  computed cached values (xlsxwriter only stores ``0`` as the cached result
  of every formula).
* :func:`recalculated_xlsx` is the xlsx -> xlsx special case used to check
  formula results with ``openpyxl.load_workbook(path, data_only=True)``.
* :func:`render_png` renders a workbook to one PNG per printed page.

Every call runs LibreOffice with its own throw-away user profile
(``-env:UserInstallation=...``).  Instances sharing a profile clash (the
second one either hands its job to the first one or fails on the profile
lock), so a per-call profile makes concurrent use from ``pytest-xdist``
workers or threads safe.  A fresh profile costs roughly 0.2-0.7 s on top
of the ~1 s start-up of LibreOffice 7.4; a complete conversion of a small
workbook takes about 1-2 s.

Example::

    from tests.office import find_soffice, recalculated_xlsx

    if find_soffice() is None:
        pytest.skip("LibreOffice not installed")
    out = recalculated_xlsx(book_path, tmp_path)
    ws = openpyxl.load_workbook(out, data_only=True)["Summary"]
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

__all__ = [
    "OfficeError",
    "convert",
    "find_pdftoppm",
    "find_soffice",
    "recalculated_xlsx",
    "render_png",
]

#: Filter used for xlsx output (plain ``"xlsx"`` picks the same filter, but
#: naming it explicitly keeps the behaviour independent of LibreOffice's
#: type detection).
XLSX_FILTER = "xlsx:Calc MS Excel 2007 XML"

# Values of /org.openoffice.Office.Calc/Formula/Load/{OOXML,ODF}RecalcMode:
# 0 = always recalculate, 1 = never recalculate, 2 = prompt the user
# (treated as "never" when headless).
_RECALC_ALWAYS = 0
_RECALC_NEVER = 1

_REGISTRY_TEMPLATE = """\
<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" \
xmlns:xs="http://www.w3.org/2001/XMLSchema" \
xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">\
<prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>{mode}</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">\
<prop oor:name="ODFRecalcMode" oor:op="fuse"><value>{mode}</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Misc">\
<prop oor:name="FirstRun" oor:op="fuse"><value>false</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Misc">\
<prop oor:name="ShowTipOfTheDay" oor:op="fuse"><value>false</value></prop></item>
</oor:items>
"""


class OfficeError(RuntimeError):
    """LibreOffice (or pdftoppm) failed to produce the expected output."""


def find_soffice() -> str | None:
    """Return the path of the LibreOffice executable, or ``None``.

    Looks for ``soffice`` and then ``libreoffice`` on ``PATH``.
    """
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    return None


def find_pdftoppm() -> str | None:
    """Return the path of poppler's ``pdftoppm`` executable, or ``None``."""
    return shutil.which("pdftoppm")


def _write_profile(profile_dir: Path, *, recalc: bool) -> None:
    """Seed a fresh LibreOffice user profile with the recalculation mode."""
    user = profile_dir / "user"
    user.mkdir(parents=True, exist_ok=True)
    mode = _RECALC_ALWAYS if recalc else _RECALC_NEVER
    (user / "registrymodifications.xcu").write_text(
        _REGISTRY_TEMPLATE.format(mode=mode), encoding="utf-8"
    )


def _run(
    cmd: list[str], *, timeout: float, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run *cmd* in its own process group; kill the whole group on timeout.

    ``soffice`` is a launcher script that spawns ``oosplash`` and
    ``soffice.bin``; killing only the direct child would leave orphans.
    """
    proc = subprocess.Popen(
        cmd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        start_new_session=True,
    )
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:  # pragma: no cover - already gone
            pass
        out, err = proc.communicate()
        raise OfficeError(
            f"timed out after {timeout:g}s: {' '.join(cmd)}\n"
            f"--- stdout ---\n{out}\n--- stderr ---\n{err}"
        ) from None
    return subprocess.CompletedProcess(cmd, proc.returncode, out, err)


def convert(
    src: Path,
    fmt: str,
    outdir: Path,
    *,
    recalc: bool = True,
    timeout: float = 180,
) -> Path:
    """Convert *src* with headless LibreOffice and return the produced file.

    Runs ``soffice --headless --norestore --convert-to FMT --outdir OUTDIR
    SRC`` with a throw-away user profile created for this call only, so
    concurrent calls never share a profile.

    Args:
        src: Input document (``.xlsx``, ``.ods``, ...).
        fmt: A ``--convert-to`` target: an extension optionally followed by
            ``:FilterName[:options]``, e.g. ``"xlsx"``,
            ``"xlsx:Calc MS Excel 2007 XML"``, ``"ods"``, ``"pdf"``,
            ``"csv"`` (CSV exports the first sheet only).  The output
            extension is the part before the first ``:``.
        outdir: Output directory (created if missing).  The output is
            ``outdir / f"{src.stem}.{ext}"``; an existing file of that name
            is replaced.
        recalc: When true (default) LibreOffice recalculates every formula
            on load ("always recalc" for both OOXML and ODF), so the saved
            file holds real computed values.  When false it is told never to
            recalculate (volatile functions such as ``TODAY()`` are still
            recomputed by LibreOffice).
        timeout: Seconds before the LibreOffice process group is killed.

    Returns:
        Path of the converted file.

    Raises:
        FileNotFoundError: *src* does not exist.
        ValueError: the output would overwrite *src*.
        OfficeError: LibreOffice is missing, timed out, or did not produce
            the output (the message contains its stdout/stderr).
    """
    src = Path(src).resolve()
    outdir = Path(outdir).resolve()
    if not src.is_file():
        raise FileNotFoundError(src)
    soffice = find_soffice()
    if soffice is None:
        raise OfficeError("LibreOffice (soffice/libreoffice) not found on PATH")
    ext = fmt.split(":", 1)[0].strip().lower()
    if not ext:
        raise ValueError(f"invalid conversion format: {fmt!r}")
    target = outdir / f"{src.stem}.{ext}"
    if target == src:
        raise ValueError(
            f"converting {src} to {fmt!r} in its own directory would "
            "overwrite it; use another outdir"
        )
    outdir.mkdir(parents=True, exist_ok=True)
    target.unlink(missing_ok=True)

    with tempfile.TemporaryDirectory(prefix="sheetkit-lo-profile-") as tmp:
        profile = Path(tmp) / "profile"
        _write_profile(profile, recalc=recalc)
        env = dict(os.environ)
        # Keep LibreOffice away from the real home directory / dconf.
        env["HOME"] = tmp
        cmd = [
            soffice,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--norestore",
            "--nologo",
            "--nodefault",
            "--nolockcheck",
            "--convert-to",
            fmt,
            "--outdir",
            str(outdir),
            str(src),
        ]
        result = _run(cmd, timeout=timeout, env=env)

    if not target.is_file():
        raise OfficeError(
            f"LibreOffice did not produce {target} "
            f"(exit code {result.returncode}).\n"
            f"command: {' '.join(cmd)}\n"
            f"--- stdout ---\n{result.stdout}\n--- stderr ---\n{result.stderr}"
        )
    return target


def recalculated_xlsx(
    src: Path, outdir: Path, *, timeout: float = 180
) -> Path:
    """Open *src* in LibreOffice, recalculate everything, save as xlsx.

    The result is written to ``outdir / "recalculated" / src.name`` (a
    sub-directory, so it never collides with *src* even when *outdir* is
    the directory holding *src*).  Read it back with
    ``openpyxl.load_workbook(path, data_only=True)`` to get the computed
    formula values.
    """
    return convert(
        Path(src),
        XLSX_FILTER,
        Path(outdir) / "recalculated",
        recalc=True,
        timeout=timeout,
    )


_PAGE_RE = re.compile(r"-(\d+)\.png$")


def render_png(
    src: Path,
    outdir: Path,
    *,
    dpi: int = 80,
    first_page: int = 1,
    last_page: int | None = None,
    timeout: float = 180,
) -> list[Path]:
    """Render *src* to PNG images, one per printed page.

    The document is exported to PDF by LibreOffice (with recalculation, so
    formula results are visible) into ``outdir``, then rasterised with
    ``pdftoppm -png -r DPI``.  Pages are named ``{src.stem}-{n}.png`` by
    pdftoppm (``n`` zero-padded when the PDF has 10+ pages).

    Args:
        src: Document to render.
        outdir: Directory for the PDF and the PNGs (created if missing).
        dpi: Resolution passed to ``pdftoppm -r``.
        first_page: First page to render (1-based).
        last_page: Last page to render (inclusive); ``None`` = last page.
        timeout: Timeout for each of the two external commands.

    Returns:
        The PNG paths, ordered by page number.

    Raises:
        OfficeError: LibreOffice or pdftoppm is missing or failed.
    """
    if first_page < 1 or (last_page is not None and last_page < first_page):
        raise ValueError(f"invalid page range {first_page}..{last_page}")
    pdftoppm = find_pdftoppm()
    if pdftoppm is None:
        raise OfficeError("pdftoppm (poppler-utils) not found on PATH")
    outdir = Path(outdir).resolve()
    pdf = convert(Path(src), "pdf", outdir, recalc=True, timeout=timeout)
    prefix = outdir / pdf.stem
    for stale in outdir.glob(f"{_glob_escape(pdf.stem)}-*.png"):
        if _PAGE_RE.search(stale.name):
            stale.unlink()
    cmd = [pdftoppm, "-png", "-r", str(dpi), "-f", str(first_page)]
    if last_page is not None:
        cmd += ["-l", str(last_page)]
    cmd += [str(pdf), str(prefix)]
    result = _run(cmd, timeout=timeout)
    pages: list[tuple[int, Path]] = []
    for png in outdir.glob(f"{_glob_escape(pdf.stem)}-*.png"):
        match = _PAGE_RE.search(png.name)
        if match and png.name == f"{pdf.stem}-{match.group(1)}.png":
            pages.append((int(match.group(1)), png))
    if result.returncode != 0 or not pages:
        raise OfficeError(
            f"pdftoppm failed on {pdf} (exit code {result.returncode}).\n"
            f"command: {' '.join(cmd)}\n"
            f"--- stdout ---\n{result.stdout}\n--- stderr ---\n{result.stderr}"
        )
    return [png for _, png in sorted(pages)]


def _glob_escape(name: str) -> str:
    """Escape glob metacharacters (``*?[``) in a literal file-name part."""
    return re.sub(r"([*?\[])", r"[\1]", name)


if __name__ == "__main__":  # pragma: no cover - manual smoke test
    import sys

    start = time.perf_counter()
    produced = convert(Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3]))
