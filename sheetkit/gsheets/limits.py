"""Staying within Google's quotas: a sliding-window rate limiter and a bounded retry policy.

Google Sheets allows, per minute, 60 read and 60 write requests per user (a
service account is a user) and 300 of each per project; one batch request
counts once. :class:`RateLimiter` keeps one sliding 60-second window per
(account, kind) and one per (project, kind), and makes a caller wait until
both have room, so a consolidation of hundreds of branches never trips the
quota in the first place. :class:`RetryPolicy` handles what still goes wrong
(429, 5xx, timeouts): a bounded number of attempts with exponential backoff
and full jitter — unlike gspread's ``BackOffHTTPClient``, which retries
without bound.

Time is injectable (:class:`Clock`), so tests and the chain simulation run
minutes of quota in milliseconds.

Logging (logger ``sheetkit.gsheets.limits``, DEBUG): each pause for a full
window, saying which window (account or project), and each window a 429 marked
full. Accounts are not named here; the client logs the total wait per request
at INFO with the account's position ("account 2 of 3").
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Final, Literal, Protocol

__all__ = ["DEFAULT_QUOTA", "Clock", "Quota", "RateLimiter", "RetryPolicy", "SystemClock"]

Kind = Literal["read", "write"]

log = logging.getLogger(__name__)

#: Length of Google's quota window.
WINDOW_SECONDS: Final = 60.0


class Clock(Protocol):
    """Where the limiter and the retries get the time and how they wait."""

    def now(self) -> float:
        """Seconds on a monotonic scale."""
        ...

    def sleep(self, seconds: float) -> None:
        """Wait that many seconds."""
        ...


class SystemClock:
    """The real clock."""

    def now(self) -> float:
        """Monotonic seconds."""
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        """Sleep for real."""
        time.sleep(seconds)


@dataclass(frozen=True)
class Quota:
    """Requests allowed per minute, per account and per Google Cloud project.

    The defaults are Google's published Sheets API limits.
    """

    read_per_user: int = 60
    write_per_user: int = 60
    read_per_project: int = 300
    write_per_project: int = 300
    #: Added to the 60 s window so that clock differences with Google's side never tip a request over.
    margin_seconds: float = 0.5

    def limit(self, kind: Kind, scope: Literal["user", "project"]) -> int:
        """The per-minute limit for a kind of request at a scope."""
        return int(getattr(self, f"{kind}_per_{scope}"))


DEFAULT_QUOTA: Final = Quota()


class _Window:
    """Start times of the requests of the last minute, at most ``limit`` of them."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.starts: deque[float] = deque()

    def free_at(self, now: float, length: float) -> float:
        """Earliest time a request fits in this window."""
        while self.starts and self.starts[0] <= now - length:
            self.starts.popleft()
        if len(self.starts) < self.limit:
            return now
        return self.starts[len(self.starts) - self.limit] + length


class RateLimiter:
    """Sliding-window limiter shared by every request of one run (thread safe).

    >>> clock = _Manual()
    >>> limiter = RateLimiter(Quota(read_per_user=2), clock=clock)
    >>> [limiter.acquire("read", account="a", project="p") for _ in range(3)]
    [0.0, 0.0, 60.5]
    >>> clock.t
    60.5
    """

    def __init__(self, quota: Quota = DEFAULT_QUOTA, *, clock: Clock | None = None) -> None:
        self.quota = quota
        self.clock: Clock = clock or SystemClock()
        self._windows: dict[tuple[str, str, str], _Window] = {}
        self._lock = threading.Lock()
        #: Seconds spent waiting for the quota, in total (for progress displays and reports).
        self.waited = 0.0
        #: Requests let through, per kind.
        self.granted: dict[str, int] = {"read": 0, "write": 0}

    def _window(self, scope: str, name: str, kind: Kind) -> _Window:
        key = (scope, name, kind)
        window = self._windows.get(key)
        if window is None:
            limit = self.quota.limit(kind, "user" if scope == "user" else "project")
            window = self._windows[key] = _Window(limit)
        return window

    def free_at(self, kind: Kind, *, account: str, project: str) -> float:
        """When an account could next send a request of this kind (clock time)."""
        length = WINDOW_SECONDS + self.quota.margin_seconds
        with self._lock:
            now = self.clock.now()
            return max(
                self._window("user", account, kind).free_at(now, length),
                self._window("project", project, kind).free_at(now, length),
            )

    def exhaust(self, kind: Kind, *, account: str) -> None:
        """Google said 429 for this account: treat its window as full from now on, for a whole window."""
        with self._lock:
            window = self._window("user", account, kind)
            now = self.clock.now()
            while len(window.starts) < window.limit:
                window.starts.append(now)
            for i in range(len(window.starts) - window.limit, len(window.starts)):
                window.starts[i] = max(window.starts[i], now)
        log.debug("Google answered 429: an account's %s window counts as full for a minute", kind)

    def acquire(self, kind: Kind, *, account: str, project: str) -> float:
        """Wait until both windows have room, then count the request; return the time waited."""
        length = WINDOW_SECONDS + self.quota.margin_seconds
        waited = 0.0
        while True:
            with self._lock:
                now = self.clock.now()
                user = self._window("user", account, kind)
                proj = self._window("project", project, kind)
                user_free = user.free_at(now, length)
                ready = max(user_free, proj.free_at(now, length))
                if ready <= now:
                    user.starts.append(now)
                    proj.starts.append(now)
                    self.granted[kind] += 1
                    self.waited += waited
                    return waited
                full = "account" if user_free >= ready else "project"
            log.debug("%s quota: the %s window is full, waiting %.1f s", kind, full, ready - now)
            self.clock.sleep(ready - now)
            waited += ready - now


@dataclass(frozen=True)
class RetryPolicy:
    """Bounded retries with exponential backoff and full jitter.

    Attempt ``n`` (1-based) that fails waits a random time in
    ``[0, min(cap, base * 2**(n-1))]``, or what the server's ``Retry-After``
    asks if that is longer; after ``attempts`` tries the error stands.

    >>> policy = RetryPolicy(attempts=4, base_seconds=1.0, cap_seconds=5.0, rng=random.Random(1))
    >>> [round(policy.delay(n), 2) for n in (1, 2, 3)]
    [0.13, 1.69, 3.06]
    """

    attempts: int = 5
    base_seconds: float = 1.0
    cap_seconds: float = 32.0
    #: HTTP statuses worth another try: quota, and transient server trouble.
    retry_statuses: frozenset[int] = frozenset({408, 429, 500, 502, 503, 504})
    rng: random.Random = field(default_factory=random.Random, compare=False, repr=False)

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        """Seconds to wait after failed attempt number ``attempt``."""
        ceiling = min(self.cap_seconds, self.base_seconds * 2 ** (attempt - 1))
        wait = self.rng.uniform(0, ceiling)
        if retry_after is not None:
            wait = max(wait, min(retry_after, self.cap_seconds))
        return wait


class _Manual:
    """A clock that moves only when slept on (doctest helper)."""

    def __init__(self) -> None:
        self.t = 0.0

    def now(self) -> float:
        return self.t

    def sleep(self, seconds: float) -> None:
        self.t += seconds
