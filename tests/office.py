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
* :func:`resave_xlsx` opens an xlsx *with a document view*, the way a user
  does, and saves it as xlsx again.  Unlike a ``--convert-to`` round trip it
  keeps the view settings (frozen panes, active sheet); it needs the GUI
  build of LibreOffice Calc (Debian ``libreoffice-calc``, which still runs
  with ``--headless``, no X server), not ``libreoffice-calc-nogui``.
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

import contextlib
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path
from xml.sax.saxutils import escape as _xml_escape

__all__ = [
    "OfficeError",
    "calc_has_gui",
    "convert",
    "find_pdftoppm",
    "find_soffice",
    "recalculated_xlsx",
    "render_png",
    "resave_xlsx",
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
    (user / "registrymodifications.xcu").write_text(_REGISTRY_TEMPLATE.format(mode=mode), encoding="utf-8")


def _run(cmd: list[str], *, timeout: float, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
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
        with contextlib.suppress(ProcessLookupError):  # already gone
            os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
        raise OfficeError(
            f"timed out after {timeout:g}s: {' '.join(cmd)}\n--- stdout ---\n{out}\n--- stderr ---\n{err}"
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
        raise ValueError(f"converting {src} to {fmt!r} in its own directory would overwrite it; use another outdir")
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


def recalculated_xlsx(src: Path, outdir: Path, *, timeout: float = 180) -> Path:
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


# --- resave_xlsx: open with a view and save, as a user would ---------------
#
# Why not ``--convert-to``: Calc's xlsx export takes the view settings
# (frozen panes, active sheet, selection) from the *current view*
# (``ScDocShell::GetViewData()`` -> ``SfxViewShell::Current()``).  A document
# loaded by ``--convert-to`` -- or through UNO with ``Hidden=True`` -- has no
# active view, so every ``<pane>`` is dropped.  Loading it *visible* creates
# and activates a real Calc view; with ``--headless`` that view lives in
# LibreOffice's in-memory "svp" backend, so no X server/Xvfb is needed.
#
# The load/store is done by a small Basic macro put into the throw-away
# profile and started with ``soffice --headless macro:///...`` (no
# python3-uno / UNO socket needed).  Arguments travel as environment
# variables (file URLs), so no path quoting is involved.  The macro always
# ends with ``StarDesktop.terminate()`` and writes failures to a file.
#
# The ``-nogui`` Debian build cannot create a Calc view at all: it ships no
# ``modules/scalc/ui/*.ui`` files and soffice aborts on a visible load.

_RESAVE_MODULE = "SheetkitResave"

_RESAVE_BASIC = """\
Sub Main
    Dim sErr As String
    Dim oDoc As Object
    On Error GoTo Failed
    Dim aLoad(0) As New com.sun.star.beans.PropertyValue
    aLoad(0).Name = "Hidden" : aLoad(0).Value = False
    oDoc = StarDesktop.loadComponentFromURL(Environ("SHEETKIT_RESAVE_SRC"), "_blank", 0, aLoad())
    If IsNull(oDoc) Then
        sErr = "loadComponentFromURL returned no document"
        GoTo Finish
    End If
    Dim aStore(0) As New com.sun.star.beans.PropertyValue
    aStore(0).Name = "FilterName" : aStore(0).Value = "Calc MS Excel 2007 XML"
    oDoc.storeToURL(Environ("SHEETKIT_RESAVE_DST"), aStore())
    oDoc.close(True)
    GoTo Finish
Failed:
    sErr = "Basic error " & Err & " at line " & Erl & ": " & Error$
    Resume Finish
Finish:
    If sErr <> "" Then
        Dim iFile As Integer
        iFile = FreeFile
        Open Environ("SHEETKIT_RESAVE_ERR") For Output As #iFile
        Print #iFile, sErr
        Close #iFile
    End If
    StarDesktop.terminate()
End Sub
"""

_BASIC_LIBRARIES = """\
<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE library:libraries PUBLIC "-//OpenOffice.org//DTD OfficeDocument 1.0//EN" \
"libraries.dtd">
<library:libraries xmlns:library="http://openoffice.org/2000/library" \
xmlns:xlink="http://www.w3.org/1999/xlink">
 <library:library library:name="Standard" \
xlink:href="$(USER)/basic/Standard/script.xlb/" xlink:type="simple" library:link="false"/>
</library:libraries>
"""

_BASIC_LIBRARY = """\
<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE library:library PUBLIC "-//OpenOffice.org//DTD OfficeDocument 1.0//EN" \
"library.dtd">
<library:library xmlns:library="http://openoffice.org/2000/library" \
library:name="Standard" library:readonly="false" library:passwordprotected="false">
 <library:element library:name="{module}"/>
</library:library>
"""

_BASIC_MODULE = """\
<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE script:module PUBLIC "-//OpenOffice.org//DTD OfficeDocument 1.0//EN" \
"module.dtd">
<script:module xmlns:script="http://openoffice.org/2000/script" \
script:name="{module}" script:language="StarBasic">{code}</script:module>
"""

# Marks the fresh profile as already set up; otherwise the first start
# copies the preset Basic library over ``user/basic`` and the macro is gone.
_SETUP_DONE_ITEM = """\
<item oor:path="/org.openoffice.Setup/Office">\
<prop oor:name="ooSetupInstCompleted" oor:op="fuse"><value>true</value></prop></item>
"""


def _write_resave_profile(profile_dir: Path) -> None:
    """Seed a profile: always recalculate, setup done, the resave macro."""
    user = profile_dir / "user"
    basic = user / "basic" / "Standard"
    basic.mkdir(parents=True, exist_ok=True)
    registry = _REGISTRY_TEMPLATE.format(mode=_RECALC_ALWAYS).replace("</oor:items>", _SETUP_DONE_ITEM + "</oor:items>")
    (user / "registrymodifications.xcu").write_text(registry, encoding="utf-8")
    (user / "basic" / "script.xlc").write_text(_BASIC_LIBRARIES, encoding="utf-8")
    (basic / "script.xlb").write_text(_BASIC_LIBRARY.format(module=_RESAVE_MODULE), encoding="utf-8")
    (basic / f"{_RESAVE_MODULE}.xba").write_text(
        _BASIC_MODULE.format(module=_RESAVE_MODULE, code=_xml_escape(_RESAVE_BASIC)),
        encoding="utf-8",
    )


def calc_has_gui(soffice: str) -> bool:
    """Whether this LibreOffice can open a Calc document with a view.

    The ``libreoffice-calc-nogui`` build leaves ``modules/scalc/ui`` empty;
    a visible load then aborts soffice.  Returns ``True`` when the directory
    holds ``.ui`` files or when the installation has an unknown layout.
    """
    program = Path(os.path.realpath(soffice)).parent
    ui_dir = program.parent / "share/config/soffice.cfg/modules/scalc/ui"
    if not ui_dir.parent.is_dir():
        return True
    return any(ui_dir.glob("*.ui"))


def resave_xlsx(src: Path, outdir: Path, *, timeout: float = 180) -> Path:
    """Open *src* in LibreOffice Calc with a view and save it as xlsx.

    This is what a person does with "open, then save (Keep current
    format)": the document is loaded visibly (with ``--headless`` the view
    is rendered off-screen, no display needed), formulas are recalculated on
    load (same throw-away profile settings as :func:`convert`), and it is
    stored with the "Calc MS Excel 2007 XML" filter.  Because a view exists,
    the export keeps frozen panes and the active sheet, which a
    ``--convert-to`` round trip (:func:`recalculated_xlsx`) drops.

    *src* is copied into a private temporary directory first, so LibreOffice
    never creates (or trips over a stale) ``.~lock.*#`` file next to it.

    Args:
        src: The ``.xlsx`` (or any Calc-readable) workbook to re-save.
        outdir: The result is ``outdir / "resaved" / f"{src.stem}.xlsx"``
            (a sub-directory, so it never overwrites *src*); an existing
            file of that name is replaced.
        timeout: Seconds before the LibreOffice process group is killed.

    Returns:
        Path of the re-saved workbook.

    Raises:
        FileNotFoundError: *src* does not exist.
        OfficeError: LibreOffice is missing, is the ``-nogui`` build (no
            Calc view possible), timed out, reported an error, or produced
            no output (the message contains the details).
    """
    src = Path(src).resolve()
    if not src.is_file():
        raise FileNotFoundError(src)
    soffice = find_soffice()
    if soffice is None:
        raise OfficeError("LibreOffice (soffice/libreoffice) not found on PATH")
    if not calc_has_gui(soffice):
        raise OfficeError(
            f"{soffice} is a LibreOffice build without Calc UI files "
            "(Debian libreoffice-calc-nogui); it cannot open a document with "
            "a view, which resave_xlsx needs to keep frozen panes. Install "
            "the GUI build instead (apt-get install libreoffice-calc; it "
            "still runs headless): scripts/install-system-deps.sh"
        )
    target_dir = Path(outdir).resolve() / "resaved"
    target = target_dir / f"{src.stem}.xlsx"
    target_dir.mkdir(parents=True, exist_ok=True)
    target.unlink(missing_ok=True)

    with tempfile.TemporaryDirectory(prefix="sheetkit-lo-resave-") as tmp:
        work = Path(tmp)
        profile = work / "profile"
        _write_resave_profile(profile)
        (work / "in").mkdir()
        (work / "out").mkdir()
        copy = work / "in" / src.name
        shutil.copyfile(src, copy)
        produced = work / "out" / "resaved.xlsx"
        error_file = work / "error.txt"
        env = dict(os.environ)
        env["HOME"] = tmp
        # Set by pyuno in a process that imported ``uno``; it would point a
        # child soffice at that process's installation.
        env.pop("URE_BOOTSTRAP", None)
        env["SHEETKIT_RESAVE_SRC"] = copy.as_uri()
        env["SHEETKIT_RESAVE_DST"] = produced.as_uri()
        env["SHEETKIT_RESAVE_ERR"] = str(error_file)
        cmd = [
            soffice,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--norestore",
            "--nologo",
            "--nodefault",
            "--nolockcheck",
            f"macro:///Standard.{_RESAVE_MODULE}.Main",
        ]
        result = _run(cmd, timeout=timeout, env=env)
        macro_error = error_file.read_text(encoding="utf-8", errors="replace").strip() if error_file.is_file() else ""
        ok = result.returncode == 0 and not macro_error and produced.is_file()
        if ok:
            shutil.move(str(produced), target)

    if not ok:
        raise OfficeError(
            f"LibreOffice failed to re-save {src} as xlsx "
            f"(exit code {result.returncode}" + (f"; macro: {macro_error}" if macro_error else "") + ").\n"
            f"command: {' '.join(cmd)}\n"
            f"--- stdout ---\n{result.stdout}\n--- stderr ---\n{result.stderr}"
        )
    return target


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
