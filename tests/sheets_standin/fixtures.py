"""pytest fixtures: ``from tests.sheets_standin.fixtures import fake_clock, sheets_standin`` in a conftest."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .clock import FakeClock
from .standin import SheetsStandIn


@pytest.fixture
def fake_clock() -> FakeClock:
    """Simulated time (starts at 1_800_000_000.0): quota windows and token expiry move only when told."""
    return FakeClock()


@pytest.fixture
def sheets_standin(fake_clock: FakeClock) -> Iterator[SheetsStandIn]:
    """A started stand-in on ``fake_clock``; stopped (sessions, sockets and threads closed) afterwards."""
    with SheetsStandIn(clock=fake_clock) as standin:
        yield standin
