"""IDs for imported rows that have none, continuing the workbook's own numbering (C0001, V000001, A000001)."""

from __future__ import annotations

import re
from collections.abc import Iterable

from sheetkit.read.workbook import Workbook
from sheetkit.template import Template

__all__ = ["IdMaker"]

_NUMBERED = re.compile(r"^([A-Za-z]*)(\d+)$")


class IdMaker:
    """Makes the next free client, visit and appointment IDs (never one the workbook or the import uses)."""

    def __init__(self, template: Template, existing: Workbook | None) -> None:
        del template
        self.used: set[str] = set()
        self.existing_clients: set[str] = set()
        self.next: dict[str, int] = {"C": 1, "V": 1, "A": 1}
        self.width = {"C": 4, "V": 6, "A": 6}
        if existing is not None:
            data = existing.data
            self.existing_clients = {str(v) for v in data.clients["client_id"].dropna()}
            self._see("C", self.existing_clients)
            self._see("V", (str(v) for v in data.visits["visit_id"].dropna()))
            self._see("A", (str(v) for v in data.appointments["appointment_id"].dropna()))

    def _see(self, prefix: str, values: Iterable[str]) -> None:
        for value in values:
            self.used.add(value.casefold())
            match = _NUMBERED.match(value)
            if match and match.group(1).upper() == prefix:
                self.next[prefix] = max(self.next[prefix], int(match.group(2)) + 1)
                self.width[prefix] = max(self.width[prefix], len(match.group(2)))

    def reserve(self, values: Iterable[str]) -> None:
        """IDs the import's sources give: never generated again."""
        self._see("C", values)

    def _make(self, prefix: str) -> str:
        while True:
            candidate = f"{prefix}{self.next[prefix]:0{self.width[prefix]}d}"
            self.next[prefix] += 1
            if candidate.casefold() not in self.used:
                self.used.add(candidate.casefold())
                return candidate

    def many(self, prefix: str, count: int) -> list[str]:
        """``count`` new IDs in a row (the same IDs as ``count`` single calls, made in one step)."""
        width, start = self.width[prefix], self.next[prefix]
        made = [f"{prefix}{n:0{width}d}" for n in range(start, start + count)]
        folded = [m.casefold() for m in made]
        if self.used.isdisjoint(folded):
            self.used.update(folded)
            self.next[prefix] = start + count
            return made
        return [self._make(prefix) for _ in range(count)]

    def client(self) -> str:
        """A new client ID."""
        return self._make("C")

    def visit(self) -> str:
        """A new visit ID."""
        return self._make("V")

    def appointment(self) -> str:
        """A new appointment ID."""
        return self._make("A")
