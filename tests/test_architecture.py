"""The layout stays a map: small modules, short functions, no generated-looking folders, documented commands.

The import direction itself is checked by import-linter (``lint-imports`` in ``make lint``; the contract is
in pyproject.toml and drawn in docs/architecture.md).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import click
import pytest
import typer.main

from sheetkit.cli import app
from sheetkit.issues import CODES
from sheetkit.template import load_template

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "sheetkit"
MAX_MODULE_LINES = 600
MAX_FUNCTION_LINES = 80
#: A function may be longer when a comment in it starts with this and says why.
LONG_REASON = "# long because"
LOCALES = ("en", "zh-CN", "it", "vi")


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def test_no_module_is_longer_than_a_sitting() -> None:
    sizes = {str(p.relative_to(ROOT)): len(p.read_text().splitlines()) for p in _modules()}
    long = {name: n for name, n in sizes.items() if n > MAX_MODULE_LINES}
    assert long == {}


def test_no_function_is_long_without_a_written_reason() -> None:
    long: dict[str, int] = {}
    for path in _modules():
        text = path.read_text()
        lines = text.splitlines()
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                size = (node.end_lineno or node.lineno) - node.lineno + 1
                body = "\n".join(lines[node.lineno - 1 : node.end_lineno])
                if size > MAX_FUNCTION_LINES and LONG_REASON not in body:
                    long[f"{path.relative_to(ROOT)}:{node.lineno} {node.name}"] = size
    assert long == {}


def test_every_module_says_what_it_owns() -> None:
    missing = [str(p.relative_to(ROOT)) for p in _modules() if ast.get_docstring(ast.parse(p.read_text())) is None]
    assert missing in ([], ["sheetkit/__main__.py"])


def test_no_package_folder_looks_like_generated_output() -> None:
    generated = {"build", "dist", "out", "output", "site"}
    assert [p for p in PACKAGE.rglob("*") if p.is_dir() and p.name in generated] == []


def test_shipped_code_cites_only_what_ships() -> None:
    cited = [str(p.relative_to(ROOT)) for p in _modules() if re.search(r"shared/|domain\.md", p.read_text())]
    assert cited == []


def test_py_typed_and_changelog_exist() -> None:
    assert (PACKAGE / "py.typed").is_file()
    assert "## [Unreleased]" in (ROOT / "CHANGELOG.md").read_text()


def _commands(group: click.Command, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found: list[tuple[str, ...]] = []
    for name, command in getattr(group, "commands", {}).items():
        if isinstance(command, click.Group) or hasattr(command, "commands"):  # typer's groups
            found += _commands(command, (*prefix, name))
        else:
            found.append((*prefix, name))
    return found


def test_every_cli_command_is_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text()
    commands = _commands(typer.main.get_command(app))  # type: ignore[arg-type]
    assert len(commands) >= 7
    missing = [" ".join(c) for c in commands if not re.search(r"sheetkit " + r"\s+".join(c) + r"\b", readme)]
    assert missing == []


@pytest.mark.parametrize("locale", LOCALES)
def test_every_issue_code_has_a_message_in_every_locale(locale: str) -> None:
    messages = load_template().labels(locale).issues
    assert sorted(code for code in CODES if not messages.get(code)) == []
    assert sorted(set(messages) - set(CODES)) == []
