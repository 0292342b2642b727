"""Field masks (``fields=`` on reads, ``fields`` in update requests).

A mask is parsed into a tree: ``{"sheets": {"properties": {"title": None}}}`` where None means "the whole
field".  Both ``.`` and ``/`` separate path segments; ``a(b,c)`` groups; ``*`` selects everything.

>>> parse_mask("sheets.properties.title,namedRanges")
{'sheets': {'properties': {'title': None}}, 'namedRanges': None}
>>> parse_mask("userEnteredFormat(backgroundColor,textFormat/bold)")
{'userEnteredFormat': {'backgroundColor': None, 'textFormat': {'bold': None}}}
>>> apply_mask({"a": 1, "b": [{"c": 2, "d": 3}, {"d": 4}]}, parse_mask("b.c"))
{'b': [{'c': 2}, {}]}
"""

from __future__ import annotations

import copy
import re
from typing import Any

Tree = dict[str, Any] | None

_TOKENS = re.compile(r"\s*([A-Za-z0-9_@*]+|[./,()])")


class MaskError(ValueError):
    pass


def parse_mask(text: str) -> Tree:
    tokens = _TOKENS.findall(text)
    if "".join(tokens) != re.sub(r"\s+", "", text):
        raise MaskError(text)
    tree, i = _items(tokens, 0)
    if i != len(tokens):
        raise MaskError(text)
    return None if "*" in tree else tree


def _items(tokens: list[str], i: int) -> tuple[dict[str, Any], int]:
    tree: dict[str, Any] = {}
    while i < len(tokens) and tokens[i] != ")":
        if tokens[i] in "./,(":
            raise MaskError(" ".join(tokens))
        path = [tokens[i]]
        i += 1
        while i < len(tokens) and tokens[i] in "./":
            if i + 1 >= len(tokens) or tokens[i + 1] in "./,()":
                raise MaskError(" ".join(tokens))
            path.append(tokens[i + 1])
            i += 2
        sub: dict[str, Any] | None = None
        if i < len(tokens) and tokens[i] == "(":
            sub, i = _items(tokens, i + 1)
            if i >= len(tokens) or tokens[i] != ")":
                raise MaskError(" ".join(tokens))
            i += 1
            if "*" in sub:
                sub = None
        _add(tree, path, sub)
        if i < len(tokens) and tokens[i] == ",":
            i += 1
    return tree, i


def _add(tree: dict[str, Any], path: list[str], sub: dict[str, Any] | None) -> None:
    node = tree
    for seg in path[:-1]:
        if seg in node and node[seg] is None:
            return
        node = node.setdefault(seg, {})
    last = path[-1]
    if sub is None or (last in node and node[last] is None):
        node[last] = None
        return
    existing = node.setdefault(last, {})
    for key, value in sub.items():
        _add(existing, [key], value)


def apply_mask(obj: Any, tree: Tree) -> Any:
    """Keep only the masked fields of a response; list items stay (as ``{}`` when nothing is left)."""
    if tree is None or "*" in tree:
        return obj
    if isinstance(obj, list):
        return [apply_mask(item, tree) for item in obj]
    if isinstance(obj, dict):
        return {key: apply_mask(obj[key], sub) for key, sub in tree.items() if key in obj}
    return obj


def masked_merge(target: dict[str, Any] | None, source: dict[str, Any] | None, tree: Tree) -> dict[str, Any] | None:
    """Update semantics of a field mask: masked fields come from ``source``, or are cleared if absent there."""
    if tree is None or "*" in tree:
        return copy.deepcopy(source) if source else None
    result = copy.deepcopy(target) if target else {}
    for key, sub in tree.items():
        value = (source or {}).get(key)
        if sub is None or not isinstance(value, dict | type(None)):
            if value is None:
                result.pop(key, None)
            else:
                result[key] = copy.deepcopy(value)
            continue
        merged = masked_merge(result.get(key), value, sub)
        if merged:
            result[key] = merged
        else:
            result.pop(key, None)
    return result or None


def paths(tree: Tree, prefix: str = "") -> list[str]:
    """Flatten a tree back to dotted paths (``*`` for the whole)."""
    if tree is None:
        return [prefix or "*"]
    out: list[str] = []
    for key, sub in tree.items():
        out.extend(paths(sub, f"{prefix}.{key}" if prefix else key))
    return out
