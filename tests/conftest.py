"""Fixtures shared by test files: the local Google Sheets stand-in and its clock."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.sheets_standin import FakeClock, SheetsStandIn


@pytest.fixture
def clock() -> FakeClock:
    """Simulated time: quota windows and retry pauses pass instantly."""
    return FakeClock()


@pytest.fixture
def standin(clock: FakeClock) -> Iterator[SheetsStandIn]:
    """A Sheets v4 + OAuth stand-in on 127.0.0.1, on the simulated clock."""
    with SheetsStandIn(clock=clock) as server:
        yield server
