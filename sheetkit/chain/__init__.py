"""A chain of branches: the registry, pulling every branch, and consolidation into one dataset."""

from __future__ import annotations

from sheetkit.chain.pull import (
    Branch,
    BranchOutcome,
    ChainResult,
    Registry,
    load_registry,
    pull_chain,
    spreadsheet_key,
    write_consolidated,
)

__all__ = [
    "Branch",
    "BranchOutcome",
    "ChainResult",
    "Registry",
    "load_registry",
    "pull_chain",
    "spreadsheet_key",
    "write_consolidated",
]
