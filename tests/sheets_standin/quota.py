"""Per-minute quota windows and deterministic fault injection.

Quota: a sliding 60 s window per (user, kind) and per (project, kind) on the stand-in's clock.  A request
is counted when it reaches the quota check, including ones then answered 429 (``charge_rejected``) and
ones answered by an injected fault — Google counts every request it receives.  Drive and token calls
are not charged.
"""

from __future__ import annotations

import hashlib
from collections import deque
from dataclasses import dataclass
from typing import Any

from .clock import Clock
from .errors import ERROR_INFO_TYPE, ApiError, html_error

KINDS = ("read", "write")


def project_number(project: str) -> str:
    return str(int(hashlib.sha256(project.encode()).hexdigest()[:12], 16) % 10**12).rjust(12, "1")


def quota_error(kind: str, per: str, project: str, limit: int) -> ApiError:
    """The real 429 body (shape from Google's replies quoted in issue threads)."""
    metric = "Read requests" if kind == "read" else "Write requests"
    limit_name = f"{metric} per minute per user" if per == "user" else f"{metric} per minute"
    quota_limit = f"{'Read' if kind == 'read' else 'Write'}RequestsPerMinutePer{'User' if per == 'user' else 'Project'}"
    number = project_number(project)
    message = (
        f"Quota exceeded for quota metric '{metric}' and limit '{limit_name}' of service "
        f"'sheets.googleapis.com' for consumer 'project_number:{number}'."
    )
    details: list[dict[str, Any]] = [
        {
            "@type": ERROR_INFO_TYPE,
            "reason": "RATE_LIMIT_EXCEEDED",
            "domain": "googleapis.com",
            "metadata": {
                "quota_metric": f"sheets.googleapis.com/{kind}_requests",
                "quota_limit": quota_limit,
                "quota_limit_value": str(limit),
                "quota_location": "global",
                "consumer": f"projects/{number}",
                "service": "sheets.googleapis.com",
            },
        },
        {
            "@type": "type.googleapis.com/google.rpc.Help",
            "links": [
                {
                    "description": "Request a higher quota limit.",
                    "url": "https://cloud.google.com/docs/quotas/help/request_increase",
                }
            ],
        },
    ]
    return ApiError(429, message, "RESOURCE_EXHAUSTED", details)


class Quota:
    def __init__(self, clock: Clock, limits: dict[tuple[str, str], int], *, window: float = 60.0,
                 charge_rejected: bool = True) -> None:  # fmt: skip
        self.clock = clock
        self.limits = limits  # (kind, "user"|"project") -> requests per window
        self.window = window
        self.charge_rejected = charge_rejected
        self._events: dict[tuple[str, str, str], deque[float]] = {}

    def _queue(self, per: str, key: str, kind: str, now: float) -> deque[float]:
        q = self._events.setdefault((per, key.lower(), kind), deque())
        while q and now - q[0] >= self.window:
            q.popleft()
        return q

    def charge(self, kind: str, user: str, project: str) -> ApiError | None:
        now = self.clock.now()
        queues = {"user": self._queue("user", user, kind, now), "project": self._queue("project", project, kind, now)}
        over = next((per for per, q in queues.items() if len(q) >= self.limits[(kind, per)]), None)
        if over is None or self.charge_rejected:
            for q in queues.values():
                q.append(now)
        if over is None:
            return None
        return quota_error(kind, over, project, self.limits[(kind, over)])

    def used(self, kind: str, *, user: str | None = None, project: str | None = None) -> int:
        now = self.clock.now()
        if user is not None:
            return len(self._queue("user", user, kind, now))
        return len(self._queue("project", project or "", kind, now))

    def reset(self) -> None:
        self._events.clear()


@dataclass
class Planned:
    """One queued fault (``status``) or delay (``seconds``), used by the next ``times`` matching requests."""

    times: int
    spreadsheet: str | None = None
    kind: str | None = None
    status: int | None = None
    html: bool = False
    seconds: float = 0.0
    retry_after: float | None = None

    def matches(self, kind: str, spreadsheet: str | None) -> bool:
        if self.kind is not None and self.kind != kind:
            return False
        return self.spreadsheet is None or self.spreadsheet == spreadsheet


class Faults:
    """A FIFO of planned faults and delays; each Sheets request takes at most one (the first that matches)."""

    def __init__(self) -> None:
        self.queue: list[Planned] = []

    def add(self, planned: Planned) -> None:
        if planned.times > 0:
            self.queue.append(planned)

    def take(self, kind: str, spreadsheet: str | None) -> Planned | None:
        for planned in self.queue:
            if planned.matches(kind, spreadsheet):
                planned.times -= 1
                if planned.times <= 0:
                    self.queue.remove(planned)
                return planned
        return None

    def clear(self) -> None:
        self.queue.clear()


def fault_error(planned: Planned, kind: str, project: str, limit: int) -> ApiError:
    status = planned.status or 500
    if planned.html:
        error = html_error(status)
    elif status == 429:
        error = quota_error(kind, "user", project, limit)
    else:
        error = ApiError(status)
    if planned.retry_after is not None:
        error.headers["Retry-After"] = str(int(planned.retry_after))
    return error
