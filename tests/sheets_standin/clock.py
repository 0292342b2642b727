"""Clocks: the stand-in reads time only through one of these, so tests can move time by hand."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Protocol


class Clock(Protocol):
    def now(self) -> float: ...

    def sleep(self, seconds: float) -> None: ...


class RealClock:
    """Wall-clock time (``time.time``); ``sleep`` really sleeps."""

    def now(self) -> float:
        return time.time()

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


class FakeClock:
    """A clock that only moves when told to: ``sleep`` and ``advance`` add seconds, nothing waits.

    >>> clock = FakeClock(start=100.0)
    >>> clock.sleep(2.5)
    >>> clock.now()
    102.5
    """

    def __init__(self, start: float = 1_800_000_000.0) -> None:
        self._now = float(start)
        self._lock = threading.Lock()

    def now(self) -> float:
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("a FakeClock only moves forward")
        with self._lock:
            self._now += float(seconds)

    def sleep(self, seconds: float) -> None:
        self.advance(max(0.0, float(seconds)))

    def __repr__(self) -> str:
        return f"FakeClock(now={self._now!r})"


class _CallableClock:
    def __init__(self, func: Callable[[], float]) -> None:
        self._func = func

    def now(self) -> float:
        return float(self._func())

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


def as_clock(clock: object | None) -> Clock:
    """Accept ``None`` (real time), a clock object with ``now()``, or a bare ``() -> float``."""
    if clock is None:
        return RealClock()
    if hasattr(clock, "now"):
        return clock  # type: ignore[return-value]
    if callable(clock):
        return _CallableClock(clock)
    raise TypeError(f"not a clock: {clock!r}")
