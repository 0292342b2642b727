"""The public API is curated (like httpx's): ``sheetkit.__all__`` is exactly what ``sheetkit`` offers."""

from __future__ import annotations

import importlib
import pkgutil
import subprocess
import sys
import types

import pytest

import sheetkit as sk


def test_all_is_sorted_and_every_name_resolves() -> None:
    assert sk.__all__ == sorted(sk.__all__)
    for name in sk.__all__:
        assert getattr(sk, name) is not None, name


def test_public_names_equal_all_once_everything_is_imported() -> None:
    for module in pkgutil.walk_packages(sk.__path__, prefix="sheetkit."):
        if module.name != "sheetkit.__main__":
            importlib.import_module(module.name)
    # Importing a subpackage sets it as an attribute of sheetkit: only the curated ones are public API.
    public = {
        name
        for name, value in vars(sk).items()
        if not name.startswith("_") and not (isinstance(value, types.ModuleType) and name not in sk.__all__)
    }
    assert public == {name for name in sk.__all__ if not name.startswith("_")}
    assert set(dir(sk)) >= set(sk.__all__)
    # A submodule import must never shadow a public function of the same name (sk.validate is the function).
    modules = {name for name in sk.__all__ if isinstance(getattr(sk, name), types.ModuleType)}
    assert modules == {"analytics", "report"}


def test_report_is_reachable_without_importing_it_first() -> None:
    code = (
        "import sheetkit as sk; "
        "assert callable(sk.build_report) and callable(sk.weekly_report); "
        "assert callable(sk.report.report_result); "
        "assert issubclass(sk.UsageError, ValueError) and issubclass(sk.UsageError, sk.SheetkitError)"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_unknown_names_raise_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no_such_name"):
        sk.no_such_name  # noqa: B018 - the attribute access is the test


def test_import_sheetkit_loads_no_pandas() -> None:
    code = "import sys, sheetkit; assert 'pandas' not in sys.modules, 'import sheetkit should be instant'"
    subprocess.run([sys.executable, "-c", code], check=True)
