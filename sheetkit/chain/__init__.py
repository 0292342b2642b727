"""A chain of branches: the registry, pulling every branch (Google Sheets or files), and consolidation.

:mod:`~sheetkit.chain.registry` reads the TOML registry,
:mod:`~sheetkit.chain.pull` reads and validates each branch,
:mod:`~sheetkit.chain.consolidate` merges the branches that loaded, and
:mod:`~sheetkit.chain.output` writes the result for analysts.
"""

from __future__ import annotations

from sheetkit.chain.output import write_consolidated
from sheetkit.chain.pull import BranchOutcome, ChainResult, PullProgress, pull_chain, read_branch
from sheetkit.chain.registry import Branch, Registry, load_registry, spreadsheet_key

__all__ = [
    "Branch",
    "BranchOutcome",
    "ChainResult",
    "PullProgress",
    "Registry",
    "load_registry",
    "pull_chain",
    "read_branch",
    "spreadsheet_key",
    "write_consolidated",
]
