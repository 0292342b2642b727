"""Docs are executed: every notebook in notebooks/ runs top to bottom in a fresh kernel.

The kernel is the ``ipykernel`` of the interpreter running the tests, declared in a
kernel spec written to a temporary folder (``JUPYTER_PATH``), so neither a user's own
``python3`` kernel nor a missing system-wide spec changes what runs. Jupyter's and
IPython's runtime and profile folders also point into the temporary folder: running
the tests writes nothing under the home directory.

Warnings are errors inside the kernel too (as for the rest of the suite): a
notebook using a deprecated pandas or sheetkit API fails here. After the last cell a
probe cell prints, as JSON, figures the tour computed; the test checks them against
the same figures computed here from the workbook the notebook wrote.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
kernelspec = pytest.importorskip("ipykernel.kernelspec")

import sheetkit as sk  # noqa: E402 - after the skips
from sheetkit import analytics as ska  # noqa: E402

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))
KERNEL = "sheetkit-tests"
AS_OF = dt.date(2026, 11, 22)

#: The executed notebook and what its probe cell printed.
Executed = tuple[Any, dict[str, Any]]

STRICT = "import warnings\nwarnings.simplefilter('error')"
# ipykernel warns at shutdown about its own API; stop treating warnings as errors after the notebook.
RELAX = "warnings.resetwarnings()"
PROBE = """
import json as _json
_probe = {}
if "summary" in globals():  # the analyst tour
    _probe["summary"] = summary
    _probe["read_rows"] = {s: len(data.frame(s)) for s in ("clients", "visits", "appointments", "feedback")}
    _probe["valid"] = bool(result.valid)
    _probe["follow_up"] = {str(k): int(v) for k, v in view["follow_up"].value_counts().items()}
    _probe["lapsed"] = lapsed["client_id"].tolist()
    _probe["cohort_k0"] = cohorts.shares[0].dropna().unique().tolist()
    _probe["returns"] = [
        {"days": int(r.return_days), "censored": bool(r.censored), "rate": None if pd.isna(r.rate) else float(r.rate)}
        for r in returns.itertuples()
    ]
    _probe["rebooking"] = [
        {"window": w, "count_cancelled": bool(c), "rebooked": int(row["rebooked"])}
        for (w, c), row in rebooking.iterrows()
    ]
    _probe["workdir_left"] = workdir.exists()
print("PROBE " + _json.dumps(_probe))
"""


@pytest.fixture(scope="module")
def jupyter_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A private kernel spec for this interpreter, and private Jupyter/IPython folders."""
    root = tmp_path_factory.mktemp("jupyter")
    kernelspec.install(kernel_name=KERNEL, prefix=str(root), display_name="sheetkit tests")
    spec = json.loads((root / "share" / "jupyter" / "kernels" / KERNEL / "kernel.json").read_text())
    assert spec["argv"][0] == sys.executable
    with pytest.MonkeyPatch.context() as env:
        env.setenv("JUPYTER_PATH", str(root / "share" / "jupyter"))
        env.setenv("JUPYTER_RUNTIME_DIR", str(root / "runtime"))
        env.setenv("JUPYTER_CONFIG_DIR", str(root / "config"))
        env.setenv("JUPYTER_DATA_DIR", str(root / "data"))
        env.setenv("IPYTHONDIR", str(root / "ipython"))
        env.setenv("JUPYTER_PLATFORM_DIRS", "1")  # jupyter_core otherwise warns about the coming default
        env.setenv("MPLBACKEND", "Agg")
        yield root


def _execute(path: Path, workdir: Path) -> Executed:
    nb = nbformat.read(path, as_version=4)
    cells = list(nb.cells)
    nb.cells = [
        nbformat.v4.new_code_cell(STRICT),
        *cells,
        nbformat.v4.new_code_cell(PROBE),
        nbformat.v4.new_code_cell(RELAX),
    ]
    client = nbclient.NotebookClient(
        nb, kernel_name=KERNEL, timeout=120, allow_errors=False, resources={"metadata": {"path": str(workdir)}}
    )
    client.execute()
    probe_cell = nb.cells[-2]
    text = "".join(o.get("text", "") for o in probe_cell.outputs if o.get("output_type") == "stream")
    line = next(line for line in text.splitlines() if line.startswith("PROBE "))
    return nb, json.loads(line.removeprefix("PROBE "))


@pytest.fixture(scope="module")
def executed(jupyter_env: Path, tmp_path_factory: pytest.TempPathFactory) -> Callable[[Path], Executed]:
    """Execute a notebook once per test module; later calls return the same result."""
    cache: dict[Path, Executed] = {}

    def run(path: Path) -> Executed:
        if path not in cache:
            cache[path] = _execute(path, tmp_path_factory.mktemp(path.stem))
        return cache[path]

    return run


def test_there_are_notebooks() -> None:
    assert NOTEBOOKS, "notebooks/*.ipynb: nothing to execute"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs_clean(path: Path, executed: Callable[[Path], Executed]) -> None:
    nb, _ = executed(path)
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            assert output.get("output_type") != "error", output
            if output.get("output_type") == "stream":
                assert output.get("name") != "stderr", f"{path.name} wrote to stderr: {output.get('text')}"


def test_tour_figures_match_the_library(executed: Callable[[Path], Executed]) -> None:
    _, tour = executed(next(p for p in NOTEBOOKS if p.stem == "analyst_tour"))
    summary = tour["summary"]
    # Everything written was read back, and the demo salon validates.
    assert tour["valid"] is True
    assert tour["read_rows"] == {k: summary[k] for k in ("clients", "visits", "appointments", "feedback")}
    # The notebook's staff view agrees with the summary write_demo computed when writing ...
    for key in ("due_soon", "overdue", "lapsed", "never_visited"):
        assert tour["follow_up"].get(key, 0) == summary[key], key
    # ... and its call list with the one computed here from the same seeded demo salon.
    data = sk.generate_demo(clients=summary["clients"], seed=1, as_of=AS_OF)
    lapsed = ska.call_list(data.clients, data.visits, data.lists, data.settings, as_of=AS_OF, which="lapsed")
    assert tour["lapsed"] == lapsed["client_id"].tolist()
    # The call list leaves out who must not be contacted; with them it is every lapsed client.
    refused = ska.call_list(
        data.clients, data.visits, data.lists, data.settings, as_of=AS_OF, which="lapsed", contact="refused"
    )
    assert 0 < len(tour["lapsed"]) < summary["lapsed"]
    assert len(tour["lapsed"]) + len(refused) == summary["lapsed"]
    assert not set(tour["lapsed"]) & set(refused["client_id"])
    # Cohort month k = 0 is the whole cohort. Q3 2026 seen on 2026-11-22: the 30-day return is
    # judged, the 90-day return (window ends 2026-12-29) is censored -- no rate, never 0 %.
    assert tour["cohort_k0"] == [1.0]
    thirty, ninety = tour["returns"]
    assert thirty["days"] == 30
    assert not thirty["censored"]
    assert 0 < thirty["rate"] <= 1
    assert ninety == {"days": 90, "censored": True, "rate": None}
    # Rebooking knobs only widen what counts: 24 h >= same day, cancelled counted >= not.
    rates = {(r["window"], r["count_cancelled"]): r["rebooked"] for r in tour["rebooking"]}
    assert rates[("same_day", False)] <= rates[("same_day", True)] <= rates[("24h", True)]
    assert rates[("same_day", False)] <= rates[("24h", False)] <= rates[("24h", True)]
    # The notebook removed its temporary folder.
    assert tour["workdir_left"] is False
