"""A griffe extension that lets the API reference render sheetkit's reST-flavoured docstrings.

sheetkit's docstrings are written for ``help()`` and doctest: bare ``>>>`` examples,
Sphinx roles such as :func:`staff_view`, and ``::`` before literal blocks. Markdown
would show the examples as nested block quotes and the roles as stray text, so,
for the documentation build only, this rewrites each docstring as it is loaded:

* a run of doctest lines becomes a fenced ``pycon`` block;
* a Sphinx role on ``~a.b.name`` becomes the code span ``name``, on ``a.b.name`` the code
  span ``a.b.name``;
* a trailing ``::`` becomes ``:`` (the indented block after it is already code in Markdown);
* a citation of these docs, such as docs/metrics.md#lapsed, becomes a link, so that
  ``mkdocs build --strict`` fails when a docstring cites a page or heading that does not exist.

The code itself is untouched: ``python -m pytest --doctest-modules`` sees the original text.
"""

from __future__ import annotations

import re
from typing import Any

import griffe

_ROLE = re.compile(r":(?:py:)?(?:func|meth|class|mod|attr|data|exc|obj|const|ref):`(~?)([^`]+)`")
_PROMPT = re.compile(r"^(\s*)>>>( |$)")
_FENCE = re.compile(r"^\s*```")
_CITATION = re.compile(r"(?<![\w/`.])docs/((?:[\w-]+/)*[\w-]+\.md(?:#[\w-]+)?)")


def _role(match: re.Match[str]) -> str:
    short, target = match.group(1), match.group(2).strip()
    if target.endswith("()"):
        target = target[:-2]
    name = target.rsplit(".", 1)[-1] if short else target
    return f"`{name}`"


def _citation(match: re.Match[str]) -> str:
    page, _, anchor = match.group(1).partition("#")
    if anchor:  # an autorefs link: mkdocs does not check anchors in rendered docstrings, autorefs does
        return f"[docs/{match.group(1)}][{anchor}]"
    return f"[docs/{page}]({page})"  # the reference page sits at the top of docs/


def _fence_doctests(lines: list[str]) -> list[str]:
    out: list[str] = []
    in_fence = False
    index = 0
    while index < len(lines):
        line = lines[index]
        if _FENCE.match(line):
            in_fence = not in_fence
        prompt = None if in_fence else _PROMPT.match(line)
        if prompt is None:
            out.append(line)
            index += 1
            continue
        indent = prompt.group(1)
        out.append(f"{indent}```pycon")
        while index < len(lines) and lines[index].strip():
            out.append(lines[index])
            index += 1
        out.append(f"{indent}```")
    return out


def _prose(line: str) -> str:
    line = _CITATION.sub(_citation, _ROLE.sub(_role, line))
    return line[:-1] if line.endswith("::") else line


def rewrite(text: str) -> str:
    """The docstring ``text`` in Markdown form (see the module docstring); code is left as it is."""
    out: list[str] = []
    in_fence = False
    for line in _fence_doctests(text.split("\n")):
        fence = bool(_FENCE.match(line))
        out.append(line if in_fence or fence else _prose(line))
        in_fence ^= fence
    return "\n".join(out)


class MarkdownDocstrings(griffe.Extension):
    """Rewrite every loaded docstring with :func:`rewrite`."""

    def on_package(self, *, pkg: griffe.Module, **kwargs: Any) -> None:
        """The package's own docstring (``on_object`` only fires for its members)."""
        self.on_object(obj=pkg)

    def on_object(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        """Every other object's docstring."""
        if obj.docstring is not None:
            obj.docstring.value = rewrite(obj.docstring.value)
