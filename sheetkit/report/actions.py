"""The weekly report's action lists: who to call back, who is due, whose birthday is near, open complaints.

The outreach lists (lapsed, at risk, due next week, birthdays) come from
:mod:`sheetkit.analytics.outreach` and respect consent (docs/metrics.md#consent):
a client whose marketing consent is unsubscribed or whose preferred channel is
none is left off, and counted in the list's ``do_not_contact``; each row shows
the preferred channel and the marketing consent (``unknown``: ask at the next
visit). Health data never appears: rows carry at most the boolean ``safety_flag``.

Lists meant for marketing (:data:`MARKETING`: the birthday list, which offers a gift)
hold only clients who gave marketing consent (Clients and the Consents sheet, see
:func:`~sheetkit.analytics.marketing_consent`); the others without it are counted
in ``no_consent``. The care lists (lapsed, at risk, due) remind clients of their own
treatment plan and list an unknown consent as "ask at the next visit". Every outreach
list leaves out the clients followed up within Settings ``follow_up_quiet_days``
before the report's day (FollowUps sheet), counted in ``followed_up``.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final, Literal

import pandas as pd

from sheetkit.analytics import birthdays_ahead, call_list, due_next_week, open_complaints
from sheetkit.analytics.followups import QUIET_DAYS
from sheetkit.frames import WorkbookData
from sheetkit.template import Labels

__all__ = ["CALL_COLUMNS", "MARKETING", "OUTREACH", "ActionList", "build_actions"]

#: Columns of the lapsed and at-risk lists, in order.
CALL_COLUMNS: Final = (
    "client_id",
    "full_name",
    "phone",
    "preferred_channel",
    "marketing_opt_in",
    "assigned_therapist",
    "follow_up",
    "last_service",
    "last_visit",
    "days_since_last_visit",
    "next_due",
    "safety_flag",
)
_DUE_COLUMNS: Final = (*CALL_COLUMNS[:8], "next_due", "days_until_due", "safety_flag")

#: The call lists and the follow-up status their rows show.
_CALLS: Final[tuple[tuple[Literal["lapsed", "at_risk"], str], ...]] = (("lapsed", "lapsed"), ("at_risk", "overdue"))

#: The lists that contact clients (and so leave out those who must not be contacted).
OUTREACH: Final = frozenset({"lapsed", "at_risk", "due_next_week", "birthdays"})
#: The outreach lists meant for marketing: only clients with marketing consent.
MARKETING: Final = frozenset({"birthdays"})


@dataclass(frozen=True)
class ActionList:
    """A list of clients or complaints to act on; ``rows`` holds canonical values."""

    key: str
    title: str
    description: str
    rows: pd.DataFrame
    #: Placeholder values of the localized description (e.g. ``days`` for birthdays).
    values: Mapping[str, Any] = field(default_factory=dict)
    #: Clients left off an outreach list because they must not be contacted (None for other lists).
    do_not_contact: int | None = None
    #: Clients left off an outreach list because they were followed up recently (None for other lists).
    followed_up: int | None = None
    #: Clients left off a marketing list for want of marketing consent (None for other lists).
    no_consent: int | None = None


def _action(
    labels: Labels, key: str, rows: pd.DataFrame, counts: Mapping[str, int] | None = None, **values: Any
) -> ActionList:
    title = labels.report[f"action_{key}_title"]
    description = labels.report[f"action_{key}_description"].format(**values)
    counts = counts or {}
    return ActionList(
        key,
        title,
        description,
        rows,
        values,
        counts.get("do_not_contact"),
        counts.get("followed_up"),
        counts.get("no_consent"),
    )


def _outreach(
    make: Callable[..., pd.DataFrame], key: str, data: WorkbookData, as_of: dt.date
) -> tuple[pd.DataFrame, dict[str, int]]:
    """One outreach list and what it leaves out: do-not-contact, recently followed up, no marketing consent."""
    marketing = key in MARKETING
    rows = make(data, as_of=as_of, contact="marketing" if marketing else "allowed")
    counts = {
        "do_not_contact": len(make(data, as_of=as_of, contact="refused", followed_up="keep")),
        "followed_up": len(make(data, as_of=as_of, contact="allowed", followed_up="only")),
    }
    if marketing:
        allowed = len(make(data, as_of=as_of, contact="allowed"))
        counts["no_consent"] = allowed - len(rows)
    return rows, counts


def build_actions(data: WorkbookData, as_of: dt.date, labels: Labels, view: pd.DataFrame) -> list[ActionList]:
    """The five action lists as of ``as_of``; ``view`` is the staff view as of ``as_of``."""
    makers: dict[str, Callable[..., pd.DataFrame]] = {
        "lapsed": functools.partial(call_list, which="lapsed", view=view),
        "at_risk": functools.partial(call_list, which="at_risk", view=view),
        "due_next_week": functools.partial(due_next_week, view=view),
        "birthdays": birthdays_ahead,
    }
    lists: dict[str, pd.DataFrame] = {}
    counts: dict[str, dict[str, int]] = {}
    for key, make in makers.items():
        lists[key], counts[key] = _outreach(make, key, data, as_of)
    for which, status in _CALLS:
        lists[which] = lists[which].assign(follow_up=status).loc[:, list(CALL_COLUMNS)]
    lists["due_next_week"] = lists["due_next_week"].assign(follow_up="due_soon").loc[:, list(_DUE_COLUMNS)]
    complaints = open_complaints(data.feedback, as_of=as_of)
    names = data.clients.drop_duplicates("client_id").set_index("client_id")["full_name"]
    complaints.insert(3, "full_name", complaints["client_id"].map(names))
    lead = int(data.settings.get("birthday_lead_days", 7))
    quiet = int(data.settings.get("follow_up_quiet_days", QUIET_DAYS))
    return [
        _action(labels, "lapsed", lists["lapsed"], counts["lapsed"], quiet_days=quiet),
        _action(labels, "at_risk", lists["at_risk"], counts["at_risk"], quiet_days=quiet),
        _action(labels, "due_next_week", lists["due_next_week"], counts["due_next_week"], quiet_days=quiet),
        _action(labels, "birthdays", lists["birthdays"], counts["birthdays"], days=lead, quiet_days=quiet),
        _action(labels, "open_complaints", complaints),
    ]
